"""Input change to updated result for the in-browser algorithm explorer, and each chapter's first-load weight.

Serves the built book (``_build/html``, from `make build`) on 127.0.0.1 and opens each disorder chapter in
Debian chromium with every non-local request blocked, in a fresh context (empty cache): the page weight is
the sum of the response bodies the first load fetched (goal: under 2 MB per chapter), also as a web server
that compresses (gzip, level 6) would send them. Then one choice field
of the explorer is switched back and forth many times; each change is timed inside the page, from the change
event to the new result in the DOM (the explorer walks the program synchronously) and to the next painted
frame (goal: under 50 ms).
Run: ``.venv/bin/python benchmarks/bench_explorer_browser.py [--html _build/html] [--n 30]``.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from pathlib import Path

from book_server import serve_book
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
CHROMIUM = "/usr/bin/chromium"

MEASURE = """async ([name, values]) => {
  const tool = document.querySelector('.nmdx');
  const box = tool.querySelector(`.nmdx-form select[name="${name}"]`);
  const result = tool.querySelector('.nmdx-result');
  const dom = [], painted = [];
  for (const value of values) {
    const before = result.innerHTML;
    const t0 = performance.now();
    box.value = value;
    box.dispatchEvent(new Event('change', {bubbles: true}));
    if (result.innerHTML === before) { throw new Error('no update for ' + value); }
    dom.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    painted.push(performance.now() - t0);
  }
  return {dom, painted};
}"""


def gzipped(html: Path, base: str, url: str) -> int:
    """The size of the file behind ``url`` compressed as a web server would send it (0 if not a file)."""
    path = html / url.removeprefix(base).split("?", 1)[0].split("#", 1)[0]
    return len(gzip.compress(path.read_bytes(), compresslevel=6)) if path.is_file() else 0


def main() -> None:
    from chapters import DISORDER_CHAPTERS
    from test_explorer_book import one_field_change

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=REPO / "_build" / "html")
    parser.add_argument("--n", type=int, default=30, help="changes per chapter")
    args = parser.parse_args()
    base = serve_book(args.html)
    worst_ms = worst_mb = 0.0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        print(
            f"{'chapter':<38}{'weight MB':>10}{'gzip MB':>9}{'median ms':>10}{'p95 ms':>8}{'max ms':>8}"
            f"{'painted':>9}"
        )
        for disorder, doc in DISORDER_CHAPTERS.items():
            context = browser.new_context()
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
            sizes: list[int] = []
            urls: list[str] = []
            page.on("requestfinished", lambda req, sizes=sizes: sizes.append(req.sizes()["responseBodySize"]))
            page.on("requestfinished", lambda req, urls=urls: urls.append(req.url))
            page.goto(base + f"{doc}.html", wait_until="networkidle")
            page.wait_for_selector(".nmdx[data-ready=yes]", timeout=30_000)
            weight = sum(sizes) / 1e6
            zipped = sum(gzipped(args.html, base, url) for url in urls) / 1e6
            preset, patient, field, value = one_field_change(disorder)
            page.locator("select.nmdx-preset").select_option(preset)
            values = [value if i % 2 == 0 else str(patient.get(field) or "") for i in range(args.n)]
            got = page.evaluate(MEASURE, [field, values])
            dom = sorted(got["dom"][1:])  # the first change warms up
            p95 = dom[int(0.95 * (len(dom) - 1))]
            worst_ms, worst_mb = max(worst_ms, dom[-1]), max(worst_mb, weight)
            print(
                f"{doc:<38}{weight:>10.2f}{zipped:>9.2f}{statistics.median(dom):>10.2f}{p95:>8.2f}{dom[-1]:>8.2f}"
                f"{statistics.median(got['painted'][1:]):>9.2f}"
            )
            context.close()
        browser.close()
    print(f"worst input-to-result time: {worst_ms:.2f} ms (goal < 50 ms)")
    print(f"heaviest chapter, first load: {worst_mb:.2f} MB (goal < 2 MB)")


if __name__ == "__main__":
    main()
