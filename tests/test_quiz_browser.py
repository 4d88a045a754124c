"""The static quiz in a real browser (headless Debian chromium via Playwright; fixtures in conftest.py).

1. A standalone page holding three renders (the MG quiz and the principles quiz twice) served on 127.0.0.1:
   wrong then right answers, explanations, stage-by-stage reveal, keyboard use, a numeric item, reset, and
   independence of the renders.
2. The same learner path on the built book's myasthenia gravis page.

Both fail on any console error, page error, failed or external request (``page.problems``).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from nmd_immuno.quiz import load_quiz, quiz_html
from nmd_immuno.quiz.schema import Item, Quiz

pytestmark = [pytest.mark.slow, pytest.mark.browser]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def standalone_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A plain HTML page with three quiz renders, served on 127.0.0.1 at a free port."""
    folder = tmp_path_factory.mktemp("quiz-page")
    body = "\n".join(
        f"<h2>{title}</h2>\n{quiz_html(quiz_id)}"
        for title, quiz_id in [
            ("MG", "myasthenia_gravis"),
            ("Principles", "principles"),
            ("Again", "principles"),
        ]
    )
    head = '<head><meta charset="utf-8"><title>Quiz</title></head>'
    page = f'<!DOCTYPE html>\n<html lang="en">{head}\n<body>{body}</body></html>'
    (folder / "index.html").write_text(page, encoding="utf-8")
    (folder / "favicon.ico").write_bytes(b"")  # chromium asks for it; an empty file keeps the log clean
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def first_words(text: str, n: int = 6) -> str:
    return " ".join(text.split()[:n])


def correct_index(item: Item) -> int:
    return item.correct_indices[0]


def wrong_index(item: Item) -> int:
    return next(i for i, option in enumerate(item.options) if not option.correct)


def answer_choice(page: Any, item_box: Any, item: Item, index: int) -> None:
    """Click an option's label, then "Check answer"."""
    item_box.locator(f'.nmdq-option[data-index="{index}"] label').click()
    item_box.locator(".nmdq-check").click()


def feedback_text(item_box: Any) -> str:
    return " ".join(item_box.locator(".nmdq-feedback").inner_text().split())


def exercise_single_item_then_next_stage(page: Any, root: str, quiz: Quiz) -> None:
    """Wrong answer, then the right one, on the first multi-step case; the next stage appears only then."""
    case = next(c for c in quiz.cases if len(c.items) > 1)
    first, second = case.items[0], case.items[1]
    box = page.locator(f'#{root} fieldset[data-item="{first.id}"]')
    stage2 = page.locator(f'#{root} fieldset[data-item="{second.id}"]')
    assert box.is_visible()
    assert not stage2.is_visible(), "later stages start hidden"
    assert not box.locator(".nmdq-key").is_visible(), "the key starts hidden"

    wrong = wrong_index(first)
    answer_choice(page, box, first, wrong)
    text = feedback_text(box)
    assert "Incorrect." in text
    assert first_words(first.options[wrong].explanation) in text
    assert box.locator(".nmdq-reveal").is_visible()
    assert not stage2.is_visible(), "a wrong answer does not open the next stage"
    assert not box.locator(".nmdq-key").is_visible()

    answer_choice(page, box, first, correct_index(first))
    text = feedback_text(box)
    assert "Correct." in text and "Incorrect." not in text
    key = box.locator(".nmdq-key")
    assert key.is_visible()
    key_text = " ".join(key.inner_text().split())
    assert first_words(first.explanation) in key_text
    assert "References" in key_text
    assert box.locator(".nmdq-option.nmdq-is-correct").count() == 1
    assert stage2.is_visible()
    if second.followup:
        assert page.locator(f"#{root}").get_by_text(first_words(second.followup, 5)).first.is_visible()


def exercise_numeric_item(page: Any, root: str, quiz: Quiz) -> None:
    """Open the case up to its numeric item ("Show answer"), then a common error, a non-number, the answer."""
    case, numeric = next((c, i) for c, i in quiz.items() if i.type == "numeric")
    for earlier in case.items[: case.items.index(numeric)]:
        box = page.locator(f'#{root} fieldset[data-item="{earlier.id}"]')
        if box.locator(".nmdq-key").is_visible():
            continue  # resolved earlier in the test (the numeric item may sit in the first multi-step case)
        if earlier.type == "numeric":
            box.locator(".nmdq-value").fill("999999")
        else:
            box.locator(f'.nmdq-option[data-index="{wrong_index(earlier)}"] label').click()
        box.locator(".nmdq-check").click()
        box.locator(".nmdq-reveal").click()
        assert box.locator(".nmdq-key").is_visible()
    box = page.locator(f'#{root} fieldset[data-item="{numeric.id}"]')
    field = box.locator(".nmdq-value")
    assert field.is_visible()
    if numeric.common_errors:
        error = numeric.common_errors[0]
        field.fill(f"{error.value:g}")
        box.locator(".nmdq-check").click()
        assert "Incorrect." in feedback_text(box)
        assert first_words(error.explanation) in feedback_text(box)
    field.fill("about three")
    box.locator(".nmdq-check").click()
    assert "is not a number" in feedback_text(box)
    assert numeric.answer is not None
    field.fill(f"{numeric.answer:g}".replace(".", ","))  # a decimal comma, submitted with Enter
    field.press("Enter")
    assert "Correct." in feedback_text(box)
    assert box.locator(".nmdq-key").is_visible()


def test_standalone_page(page: Any, standalone_url: str) -> None:
    mg, principles = load_quiz("myasthenia_gravis"), load_quiz("principles")
    page.goto(standalone_url, wait_until="load")
    roots = page.locator(".nmdq").evaluate_all("nodes => nodes.map(n => n.id)")
    assert len(roots) == len(set(roots)) == 3
    for root in roots:
        assert "nmdq-js" in page.locator(f"#{root}").get_attribute("class"), "each render initialises itself"

    exercise_single_item_then_next_stage(page, roots[0], mg)
    exercise_numeric_item(page, roots[0], mg)

    # Keyboard only: focus the first option, arrow to the next, tab to "Check answer", press Enter.
    first_p = next(iter(principles.items()))[1]
    box = page.locator(f'#{roots[1]} fieldset[data-item="{first_p.id}"]')
    box.locator('input[type="radio"]').first.focus()
    page.keyboard.press("ArrowDown")
    assert box.locator('input[type="radio"]').nth(1).is_checked()
    page.keyboard.press("Tab")
    assert box.locator(".nmdq-check").evaluate("b => b === document.activeElement")
    page.keyboard.press("Enter")
    expected = "Correct." if correct_index(first_p) == 1 else "Incorrect."
    assert expected in feedback_text(box)

    # The second render of the same quiz is untouched, and its radios are a separate group.
    twin = page.locator(f'#{roots[2]} fieldset[data-item="{first_p.id}"]')
    assert feedback_text(twin) == ""
    twin.locator('.nmdq-option[data-index="0"] label').click()
    assert box.locator('input[type="radio"]').nth(1).is_checked()

    # Try again clears the item; Restart this case closes the later stages again.
    mg_case = next(c for c in mg.cases if len(c.items) > 1)
    first_box = page.locator(f'#{roots[0]} fieldset[data-item="{mg_case.items[0].id}"]')
    first_box.locator(".nmdq-retry").click()
    assert feedback_text(first_box) == "" and not first_box.locator("input:checked").count()
    page.locator(f'#{roots[0]} section[data-case="{mg_case.id}"] .nmdq-restart').click()
    assert not page.locator(f'#{roots[0]} fieldset[data-item="{mg_case.items[1].id}"]').is_visible()
    assert page.problems == []


def test_built_book_myasthenia_page(page: Any, visit: Any) -> None:
    mg = load_quiz("myasthenia_gravis")
    visit("book/myasthenia-gravis.html")
    roots = page.locator('.nmdq[data-quiz="myasthenia_gravis"]').evaluate_all("nodes => nodes.map(n => n.id)")
    assert len(roots) == 1, "the chapter shows the myasthenia gravis quiz once"
    root = roots[0]
    assert "nmdq-js" in page.locator(f"#{root}").get_attribute("class"), (
        "the inline script ran in the book page"
    )
    page.locator(f"#{root}").scroll_into_view_if_needed()
    exercise_single_item_then_next_stage(page, root, mg)
    exercise_numeric_item(page, root, mg)
    assert page.problems == []
