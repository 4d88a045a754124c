"""An item linter for the NBME item-writing rules that a program can check.

Why a linter beside the schema: the schema refuses what makes an item unusable (no key, a composite option, an
unexplained distractor); these rules catch what makes an item *test-wise*: a key guessable from its length or
from the one option that breaks a shared pattern, a negative lead-in a reader skims past, options of different
grammatical kinds, an option without its explanation or source. Each finding names the item, the rule and the
fix, so an author can act on it. Rules follow the NBME guide to constructing written test questions; the
thresholds are conventions, set in :class:`LintRules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.quiz.schema import LETTERS, Item, Quiz

# "all of the above", "none of these", "all of them": answerable by partial knowledge.
_ALL_NONE = re.compile(
    r"\b(all|none)\s+of\s+(the\s+)?(above|below|these|those|them|following|options|answers)\b"
    r"|\b(all|none)\s+are\s+(correct|true|right)\b",
    re.IGNORECASE,
)
# Negative words in a lead-in; written in capitals (NOT, EXCEPT) or marked up (**not**, *not*) they are seen.
_NEGATIVE = re.compile(r"(\*{1,2})?\b(not|except|least|false|incorrect|untrue)\b(\*{1,2})?", re.IGNORECASE)
_OPENING_WORDS = 3


@dataclass(frozen=True)
class LintRules:
    """Thresholds of the mechanical checks (ratios of option lengths in characters)."""

    max_key_length_ratio: float = 1.5  # key over mean distractor
    max_option_spread: float = 4.0  # longest option over shortest option


@dataclass(frozen=True)
class Finding:
    """One broken rule: which item, which rule, what to do."""

    item: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.item}: [{self.rule}] {self.message}"


def _lead_in(stem: str) -> str:
    """The sentence that asks the question (the last one ending in '?')."""
    questions = re.findall(r"[^.?!]*\?", stem)
    return questions[-1] if questions else stem


def _opening(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[\w-]+", text.casefold())[:_OPENING_WORDS])


def _ends_with_stop(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?"))


def lint_item(item: Item, rules: LintRules | None = None) -> list[Finding]:
    """Every rule ``item`` breaks (an empty list for a clean item)."""
    r = rules or LintRules()
    found: list[Finding] = []

    def flag(rule: str, message: str) -> None:
        found.append(Finding(item.id, rule, message))

    for match in _NEGATIVE.finditer(_lead_in(item.stem)):
        word = match.group(2)
        emphasised = word.isupper() or (match.group(1) and match.group(3))
        if not emphasised:
            flag(
                "negative-lead-in",
                f"the lead-in uses {word!r} without emphasis; rephrase positively, or write it as "
                f"{word.upper()!r} or **{word}**",
            )
    known = bibliography_keys()
    if not item.references:
        flag("cited", "the item cites no source")
    for key in item.references:
        if key not in known:
            flag("cited", f"citation key {key!r} is not in data/references.bib")
    if item.type == "numeric":
        return found
    correct = item.correct_indices
    if item.type == "single" and len(correct) != 1:
        flag("single-best-answer", f"a single-answer item needs exactly one key, found {len(correct)}")
    for number, option in enumerate(item.options):
        letter = LETTERS[number]
        if _ALL_NONE.search(option.text):
            flag("all-none-of-the-above", f"option {letter} ({option.text!r}) is 'all/none of the above'")
        if not option.explanation.strip():
            flag("explained", f"option {letter} has no explanation (the key needs one too)")
        for key in option.references:
            if key not in known:
                flag("cited", f"option {letter}: citation key {key!r} is not in data/references.bib")
    lengths = [len(option.text) for option in item.options]
    if max(lengths) > r.max_option_spread * min(lengths):
        flag(
            "homogeneous-length",
            f"option lengths range from {min(lengths)} to {max(lengths)} characters (more than "
            f"{r.max_option_spread:g} times); make the options alike in length and detail",
        )
    stops = {_ends_with_stop(option.text) for option in item.options}
    if len(stops) > 1:
        flag("homogeneous-form", "some options end with a full stop and others do not; write them alike")
    if item.type == "single" and len(correct) == 1:
        (key,) = correct
        distractors = [length for i, length in enumerate(lengths) if i != key]
        ratio = lengths[key] / (sum(distractors) / len(distractors))
        if ratio > r.max_key_length_ratio:
            flag(
                "key-longest",
                f"the key is {ratio:.2f} times the mean distractor length (at most "
                f"{r.max_key_length_ratio:g}); move detail from the key into its explanation",
            )
        openings = {_opening(o.text) for i, o in enumerate(item.options) if i != key}
        if len(openings) == 1:
            (shared,) = openings
            if len(shared) == _OPENING_WORDS and _opening(item.options[key].text) != shared:
                flag(
                    "key-odd-one-out", "every distractor opens with the same words and the key alone does not"
                )
        numeric = [bool(re.match(r"^\s*[<>≥≤~]?\s*\d", o.text)) for o in item.options]
        if len(set(numeric)) > 1 and numeric.count(numeric[key]) == 1:
            flag("homogeneous-form", "the key alone is (or alone is not) a number; make the options one kind")
    return found


def lint_quiz(quiz: Quiz, rules: LintRules | None = None) -> list[Finding]:
    """Every finding over every item of ``quiz``, in reading order."""
    return [finding for _, item in quiz.items() for finding in lint_item(item, rules)]
