"""Render a quiz as one self-contained HTML fragment (inline CSS and JavaScript, nothing fetched).

Why HTML/JS and not only ipywidgets: in the published Jupyter Book no Python runs, so a quiz must check
answers in the browser. The fragment is a ``text/html`` output with an inline ``<script>``; it works the
same in the static page and in a trusted JupyterLab output.

Design choices:

* Progressive enhancement: the markup alone is a readable quiz, each item with a closed "Answer and
  explanation" disclosure. ``quiz.js`` then turns it into an interactive quiz (hides later stages and the
  disclosures, adds checking). A reader whose browser does not run the script still has the content.
* Every ``id`` and radio-group ``name`` starts with a fresh random prefix, so two renders on one page (or
  the same quiz rendered twice) never share state.
* The answer key sits in ``data-`` attributes and in the disclosure: this is a self-study tool, not an exam.
"""

from __future__ import annotations

import html
import uuid
from functools import cache
from importlib import resources

from nmd_immuno.content.bibliography import format_reference
from nmd_immuno.quiz.answers import answer_text
from nmd_immuno.quiz.loader import load_quiz
from nmd_immuno.quiz.schema import LETTERS, Case, Item, Quiz

NOTICE = "Self-assessment for education only; not a guide to treating patients."


@cache
def static_asset(name: str) -> str:
    """A file of ``nmd_immuno/static/``, refused if it could close the inline tag it is placed in."""
    text = resources.files("nmd_immuno").joinpath("static", name).read_text(encoding="utf-8")
    if "</script" in text.lower() or "</style" in text.lower():
        raise ValueError(f"static/{name} contains a closing </script> or </style> tag and cannot be inlined")
    return text


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs_html(text: str, css: str) -> str:
    """Plain text to paragraphs (blank lines separate them); everything is escaped: no markup in data."""
    blocks = [" ".join(block.split()) for block in text.strip().split("\n\n") if block.strip()]
    return "".join(f'<p class="{css}">{_esc(block)}</p>' for block in blocks)


def _references(keys: list[str]) -> str:
    entries = []
    for key in keys:
        try:
            entries.append(f'<li data-key="{_esc(key)}">{_esc(format_reference(key))}</li>')
        except KeyError:
            entries.append(f'<li data-key="{_esc(key)}">{_esc(key)}</li>')
    return (
        f'<div class="nmdq-refs"><p class="nmdq-refs-title">References</p><ol>{"".join(entries)}</ol></div>'
    )


def _choice_controls(item: Item, dom: str) -> str:
    kind = "radio" if item.type == "single" else "checkbox"
    rows = []
    for index, option in enumerate(item.options):
        control = f"{dom}-o{index}"
        rows.append(
            f'<div class="nmdq-option" data-index="{index}">'
            f'<input type="{kind}" id="{control}" name="{dom}-choice" value="{index}"'
            f' data-correct="{int(option.correct)}">'
            f'<label for="{control}"><span class="nmdq-letter">{LETTERS[index]}.</span> '
            f"{_esc(option.text)}</label>"
            "</div>"
        )
    return f'<div class="nmdq-options">{"".join(rows)}</div>'


def _numeric_controls(item: Item, dom: str) -> str:
    errors = "".join(
        f'<li class="nmdq-common-error" data-value="{error.value!r}" data-tolerance="{error.tolerance!r}">'
        f"{_esc(error.explanation)}</li>"
        for error in item.common_errors
    )
    return (
        f'<div class="nmdq-numeric" data-answer="{item.answer!r}" data-tolerance="{item.tolerance!r}"'
        f' data-unit="{_esc(item.unit or "")}">'
        f'<label for="{dom}-value">Your answer</label> '
        f'<input type="text" inputmode="decimal" autocomplete="off" spellcheck="false" id="{dom}-value"'
        f' class="nmdq-value" size="10" aria-describedby="{dom}-unit">'
        f' <span class="nmdq-unit" id="{dom}-unit">{_esc(item.unit or "")}</span>'
        f'<ul class="nmdq-common-errors" hidden>{errors}</ul>'
        "</div>"
    )


def key_html(item: Item, *, open_: bool = False) -> str:
    """The answer and every explanation: shown closed without JavaScript, as the 'resolved' panel with it."""
    whys = ""
    if item.type != "numeric":
        rows = []
        for index, option in enumerate(item.options):
            mark = "correct" if option.correct else "wrong"
            explanation = option.explanation.strip() or ("Correct." if option.correct else "")
            rows.append(
                f'<li class="nmdq-why nmdq-why-{mark}" data-index="{index}"'
                f' data-correct="{int(option.correct)}">'
                f'<span class="nmdq-letter">{LETTERS[index]}.</span> <span class="nmdq-why-option">'
                f'{_esc(option.text)}</span> <span class="nmdq-why-mark">({mark})</span>: '
                f'<span class="nmdq-why-text">{_esc(explanation)}</span></li>'
            )
        whys = f'<ul class="nmdq-whys">{"".join(rows)}</ul>'
    return (
        f'<details class="nmdq-key"{" open" if open_ else ""}><summary>Answer and explanation</summary>'
        f'<p class="nmdq-answer"><strong>Answer:</strong> {_esc(answer_text(item))}</p>'
        f"{whys}"
        f'<div class="nmdq-explanation">{paragraphs_html(item.explanation, "nmdq-expl-p")}</div>'
        f"{_references(item.references)}"
        "</details>"
    )


def _item(item: Item, number: int, dom: str) -> str:
    controls = _numeric_controls(item, dom) if item.type == "numeric" else _choice_controls(item, dom)
    hint = {"single": "Choose one answer.", "multiple": "", "numeric": ""}[item.type]
    hint_html = f' <span class="nmdq-hint">{hint}</span>' if hint else ""
    return (
        f'<fieldset class="nmdq-item" id="{dom}" data-item="{_esc(item.id)}" data-type="{item.type}">'
        f'<legend class="nmdq-stem"><span class="nmdq-qnum">Question {number}.</span> '
        f"{_esc(' '.join(item.stem.split()))}{hint_html}</legend>"
        f"{controls}"
        '<div class="nmdq-actions">'
        '<button type="button" class="nmdq-btn nmdq-check">Check answer</button>'
        '<button type="button" class="nmdq-btn nmdq-reveal" hidden>Show answer</button>'
        '<button type="button" class="nmdq-btn nmdq-retry" hidden>Try again</button>'
        "</div>"
        f'<div class="nmdq-feedback" id="{dom}-feedback" role="status" aria-live="polite"></div>'
        f"{key_html(item)}"
        "</fieldset>"
    )


def _case(case: Case, case_number: int, first_item_number: int, prefix: str) -> str:
    stages = []
    for offset, item in enumerate(case.items):
        dom = f"{prefix}-q{first_item_number + offset}"
        followup = paragraphs_html(item.followup, "nmdq-followup") if item.followup.strip() else ""
        stages.append(
            f'<div class="nmdq-stage" data-stage="{offset}">{followup}'
            f"{_item(item, first_item_number + offset, dom)}</div>"
        )
    steps = len(case.items)
    step_note = f" ({steps} questions, revealed one after another)" if steps > 1 else ""
    return (
        f'<section class="nmdq-case" id="{prefix}-c{case_number}" data-case="{_esc(case.id)}"'
        f' aria-labelledby="{prefix}-c{case_number}-title">'
        f'<div class="nmdq-case-title" id="{prefix}-c{case_number}-title" role="heading" aria-level="3">'
        f'Case {case_number}: {_esc(case.title)}<span class="nmdq-steps">{_esc(step_note)}</span></div>'
        f'<div class="nmdq-vignette">{paragraphs_html(case.vignette, "nmdq-vignette-p")}</div>'
        f"{''.join(stages)}"
        '<div class="nmdq-case-actions">'
        '<button type="button" class="nmdq-btn nmdq-restart">Restart this case</button>'
        "</div></section>"
    )


def new_dom_prefix() -> str:
    """A fresh prefix for every DOM id of one render (two quizzes on a page never collide)."""
    return f"nmdq-{uuid.uuid4().hex[:12]}"


def render_quiz_html(quiz: Quiz, *, dom_prefix: str | None = None) -> str:
    """The quiz as a self-contained HTML fragment: markup, inline ``quiz.css`` and ``quiz.js``."""
    prefix = dom_prefix or new_dom_prefix()
    cases, number = [], 1
    for case_number, case in enumerate(quiz.cases, start=1):
        cases.append(_case(case, case_number, number, prefix))
        number += len(case.items)
    description = paragraphs_html(quiz.description, "nmdq-description") if quiz.description.strip() else ""
    init = (
        "(function(){var s=document.currentScript;"
        f'var r=(s&&s.parentNode&&s.parentNode.id==="{prefix}")?s.parentNode:'
        f'document.getElementById("{prefix}");'
        "if(window.NMDQuiz&&r){window.NMDQuiz.init(r);}})();"
    )
    return (
        f'<div class="nmdq" id="{prefix}" data-quiz="{_esc(quiz.id)}" lang="en">'
        f"<style>{static_asset('quiz.css')}</style>"
        f'<div class="nmdq-title" role="heading" aria-level="2">{_esc(quiz.title)}</div>'
        f"{description}"
        f'<p class="nmdq-notice">{_esc(NOTICE)}</p>'
        f"{''.join(cases)}"
        f"<script>{static_asset('quiz.js')}\n{init}</script>"
        "</div>"
    )


def quiz_html(quiz_id: str) -> str:
    """Self-contained HTML+JS for ``data/quizzes/<quiz_id>.yaml``, for the static book and JupyterLab."""
    return render_quiz_html(load_quiz(quiz_id))


def show_quiz(quiz_id: str) -> None:
    """Display the HTML quiz in the current notebook output (what a chapter calls)."""
    from IPython.display import HTML, display

    display(HTML(quiz_html(quiz_id)))
