"""Cohort view: input change to updated plot and table, in Debian chromium (goal: < 100 ms), and page weights.

Serves the built book (``_build/html``, from `make build`) on 127.0.0.1 with every non-local request blocked,
opens each chapter with a cohort simulator and cycles each of its controls (strategies, patients, seed,
months). Each change is timed inside the page, from the change event to the plot and table in the DOM, and
after the next painted frame. Then prints every page's first-load weight (the HTML and every file it
fetched, as served: goal < 2 MB per chapter).
Run: ``.venv/bin/python benchmarks/bench_cohort_browser.py [--html _build/html] [--n 20]``.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from book_server import serve_book
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHAPTERS = [
    "book/myasthenia-gravis.html",
    "book/cidp.html",
    "book/mmn.html",
    "book/paraproteinemic-neuropathies.html",
    "book/inflammatory-myopathies.html",
]

MEASURE = """async ([n]) => {
  const tool = document.querySelector('.nmdc');
  const plots = tool.querySelector('.nmdc-plots'), table = tool.querySelector('.nmdc-table');
  const dom = [], painted = [];
  for (const name of ['a', 'b', 'size', 'seed', 'months']) {
    const box = tool.querySelector(`select[id$="-${name}"]`);
    for (let i = 0; i < n; i++) {
      const before = plots.innerHTML + table.innerHTML;
      const t0 = performance.now();
      box.selectedIndex = (box.selectedIndex + 1) % box.options.length;
      box.dispatchEvent(new Event('change', {bubbles: true}));
      if (plots.innerHTML + table.innerHTML === before && box.options.length > 1 && name !== 'b') {
        throw new Error('no update for ' + name);
      }
      dom.push(performance.now() - t0);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      painted.push(performance.now() - t0);
    }
  }
  return {dom, painted};
}"""


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(values):6.1f} ms, p95 {p95:6.1f} ms, max {max(values):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=REPO / "_build" / "html")
    parser.add_argument("--n", type=int, default=20, help="changes per control")
    args = parser.parse_args()
    base = serve_book(args.html)
    pages = sorted(str(p.relative_to(args.html)) for p in (args.html / "book").glob("*.html"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        print("cohort view, change -> updated plot and table (goal < 100 ms):")
        for path in CHAPTERS:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
            page.goto(base + path, wait_until="networkidle")
            page.wait_for_selector(".nmdc[data-state]")
            result = page.evaluate(MEASURE, [args.n])
            print(f"  {path:42s} DOM {_stats(result['dom'])} | painted {_stats(result['painted'])}")
            page.close()
        print("first-load page weight (HTML + everything it fetched; goal < 2 MB per chapter):")
        for path in pages:
            context = browser.new_context()
            page = context.new_page()
            sizes: list[int] = []
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
            page.on(
                "requestfinished", lambda req, into=sizes: into.append(req.sizes()["responseBodySize"])
            )
            page.goto(base + path, wait_until="networkidle")
            page.wait_for_timeout(300)
            print(f"  {path:42s} {sum(sizes) / 1e6:5.2f} MB in {len(sizes)} files")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
