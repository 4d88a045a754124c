"""Input change to updated result, in Debian chromium, for every browser dose calculator (goal: < 50 ms).

Serves the built book (``_build/html``, from `make build`) on 127.0.0.1, opens the Dose calculators page with
every non-local request blocked, and for each calculator changes the weight (or the first number) many times.
Each change is timed inside the page, from the input event to the result in the DOM and after the next
painted frame.
Run: ``.venv/bin/python benchmarks/bench_calculators_browser.py [--html _build/html] [--n 30]``.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from book_server import serve_book
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"

MEASURE = """async ([name, values]) => {
  const tool = document.querySelector('.nmdd');
  const box = tool.querySelector(`.nmdd-field[data-name="${name}"] input`);
  const result = tool.querySelector('.nmdd-result');
  const dom = [], painted = [];
  for (const value of values) {
    const before = result.innerHTML;
    const t0 = performance.now();
    box.value = value;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    if (result.innerHTML === before && value !== values[0]) { throw new Error('no update for ' + value); }
    dom.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    painted.push(performance.now() - t0);
  }
  return {dom, painted};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=REPO / "_build" / "html")
    parser.add_argument("--n", type=int, default=30, help="changes per calculator")
    args = parser.parse_args()
    base = serve_book(args.html)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        page.goto(base + "book/dose-calculators.html")
        page.wait_for_selector(".nmdd[data-ready=true]", timeout=30_000)
        titles = page.locator(".nmdd-chooser option").all_inner_texts()
        print(f"{'calculator':<24}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}{'painted median':>16}")
        worst = 0.0
        for title in titles:
            page.locator(".nmdd-chooser").select_option(label=title)
            name = page.locator(".nmdd-panel .nmdd-field-number").first.get_attribute("data-name")
            start = float(page.locator(f".nmdd-field[data-name={name}] input").input_value() or 1)
            values = [f"{start + (i % 7) * 0.5 + 0.5:g}" for i in range(args.n)]
            got = page.evaluate(MEASURE, [name, values])
            dom = sorted(got["dom"][1:])  # the first change warms up
            p95 = dom[int(0.95 * (len(dom) - 1))]
            worst = max(worst, dom[-1])
            print(
                f"{title:<24}{statistics.median(dom):>10.2f}{p95:>9.2f}{dom[-1]:>9.2f}"
                f"{statistics.median(got['painted'][1:]):>16.2f}"
            )
        print(f"worst input-to-result time: {worst:.2f} ms (goal < 50 ms)")
        browser.close()


if __name__ == "__main__":
    main()
