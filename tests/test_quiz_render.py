"""The static HTML quiz: complete, self-contained (nothing fetched), unique DOM ids per render, accessible
markup, and a JavaScript runtime that follows the same rules as the Python checker."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from unittest import mock

import pytest

from nmd_immuno.quiz import load_quiz, quiz_html, render_quiz_html, show_quiz
from nmd_immuno.quiz.answers import QuizResponseError, parse_number
from nmd_immuno.quiz.schema import Quiz, numeric_match
from nmd_immuno.quiz.static_html import static_asset

VOID = {"input", "br", "hr", "img", "meta", "link", "source", "wbr", "col", "area", "base", "embed", "track"}


class Page(HTMLParser):
    """Collects what the tests inspect: tags with attributes, text, script bodies, and nesting errors."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.errors: list[str] = []
        self._stack: list[str] = []
        self._in_script = False
        self.feed(markup)
        self.close()
        if self._stack:
            self.errors.append(f"unclosed: {self._stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self._stack.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if not self._stack or self._stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self._stack[-3:]}")
            return
        self._stack.pop()
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def attribute(self, name: str) -> list[str]:
        return [attrs[name] or "" for _, attrs in self.tags if name in attrs]

    @property
    def plain_text(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module", params=["myasthenia_gravis", "principles"])
def quiz(request: pytest.FixtureRequest) -> Quiz:
    return load_quiz(request.param)


def test_the_html_is_well_formed_and_contains_every_case_item_option_and_reference(quiz: Quiz) -> None:
    page = Page(quiz_html(quiz.id))
    assert page.errors == []
    text = page.plain_text
    rendered_items = [attrs["data-item"] for tag, attrs in page.tags if tag == "fieldset"]
    assert rendered_items == [item.id for _, item in quiz.items()]
    assert [attrs["data-case"] for tag, attrs in page.tags if tag == "section"] == [c.id for c in quiz.cases]
    for case, item in quiz.items():
        assert " ".join(case.vignette.split()) in text
        assert " ".join(item.stem.split()) in text
        assert " ".join(item.explanation.split()) in text
        for option in item.options:
            assert option.text in text
            if option.explanation:
                assert " ".join(option.explanation.split()) in text
    keys = {key for _, item in quiz.items() for key in item.references}
    assert keys <= set(page.attribute("data-key"))


def test_nothing_is_fetched_from_anywhere(quiz: Quiz) -> None:
    page = Page(quiz_html(quiz.id))
    assert page.attribute("src") == [], "no element may load a resource"
    assert not [tag for tag, _ in page.tags if tag in {"link", "iframe", "img", "object", "embed"}]
    assert not [href for href in page.attribute("href") if "//" in href]
    script = "\n".join(page.scripts)
    assert static_asset("quiz.js").strip() in script, "the runtime is inlined, not referenced"
    for forbidden in ("http://", "https://", "fetch(", "XMLHttpRequest", "import(", "WebSocket", "eval("):
        assert forbidden not in script, forbidden
    css = static_asset("quiz.css")
    assert "url(" not in css and "@import" not in css


def test_two_renders_share_no_dom_id_or_radio_group(quiz: Quiz) -> None:
    first, second = Page(quiz_html(quiz.id)), Page(quiz_html(quiz.id))
    for page in (first, second):
        ids = page.attribute("id")
        assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert not set(first.attribute("id")) & set(second.attribute("id"))
    assert not set(first.attribute("name")) & set(second.attribute("name"))
    # Each render initialises its own root.
    root = first.tags[0][1]["id"]
    assert root and f'"{root}"' in "".join(first.scripts)


def test_controls_are_labelled_and_feedback_is_announced(quiz: Quiz) -> None:
    page = Page(quiz_html(quiz.id))
    ids = set(page.attribute("id"))
    inputs = [attrs for tag, attrs in page.tags if tag == "input"]
    assert inputs
    assert {attrs["id"] for attrs in inputs} <= set(page.attribute("for")), "every input has a <label for>"
    assert set(page.attribute("for")) <= ids
    for name in ("aria-describedby", "aria-labelledby"):
        assert set(page.attribute(name)) <= ids
    # Each item is a fieldset with a legend (the stem) and a live region for the verdict.
    assert Counter(tag for tag, _ in page.tags)["legend"] == len(list(quiz.items()))
    live = [attrs for _, attrs in page.tags if attrs.get("aria-live") == "polite"]
    assert len(live) == len(list(quiz.items()))
    buttons = [attrs for tag, attrs in page.tags if tag == "button"]
    assert all(attrs.get("type") == "button" for attrs in buttons), "buttons must not submit a form"
    # Without JavaScript the key is a closed disclosure, one per item.
    details = [attrs for tag, attrs in page.tags if tag == "details"]
    assert len(details) == len(list(quiz.items())) and not any("open" in attrs for attrs in details)


def test_text_from_data_is_escaped() -> None:
    quiz = load_quiz("principles").model_copy(deep=True)
    case = quiz.cases[0]
    hostile = case.model_copy(update={"vignette": '<script>alert("x")</script> & <b>bold</b>'})
    quiz = quiz.model_copy(update={"cases": [hostile, *quiz.cases[1:]]})
    page = Page(render_quiz_html(quiz))
    assert page.errors == []
    assert '<script>alert("x")</script> & <b>bold</b>' in page.plain_text
    assert [tag for tag, _ in page.tags].count("script") == 1
    assert "b" not in [tag for tag, _ in page.tags]


def test_show_quiz_displays_the_html() -> None:
    with mock.patch("IPython.display.display") as display:
        show_quiz("principles")
    (shown,), _ = display.call_args
    assert 'data-quiz="principles"' in shown.data
    assert shown._repr_html_() == shown.data


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_quiz_js_parses_and_compares_numbers_like_python() -> None:
    samples = ["2.94", " 2,94 ", "1e3", "-3", ".5", "1 000", "abc", "", "nan", "Infinity", "2.9.4", "1,5,0"]
    comparisons = [
        (2.99, 2.94, 0.05),
        (2.9901, 2.94, 0.05),
        (0.3, 0.1 + 0.2, 0.0),
        (140, 140, 0),
        (139, 140, 0),
    ]
    program = (
        "var window = {};\n" + static_asset("quiz.js") + "\n"
        f"var samples = {json.dumps(samples)}; var comparisons = {json.dumps(comparisons)};\n"
        "console.log(JSON.stringify({parsed: samples.map(window.NMDQuiz.parseNumber),"
        " within: comparisons.map(function (c) { return window.NMDQuiz.within(c[0], c[1], c[2]); })}));"
    )
    result = subprocess.run(["node", "-e", program], capture_output=True, text=True, timeout=60, check=True)
    from_js = json.loads(result.stdout)

    def python_parse(text: str) -> float | None:
        try:
            return parse_number(text)
        except QuizResponseError:
            return None

    assert from_js["parsed"] == [python_parse(sample) for sample in samples]
    assert from_js["within"] == [numeric_match(*c) for c in comparisons]
