"""The single bibliography: every entry renders as plain text, and the citation check refuses bad keys."""

from __future__ import annotations

import pytest

from nmd_immuno.content import bibliography_keys, check_references, format_reference
from nmd_immuno.errors import DataError


@pytest.mark.parametrize("key", sorted(bibliography_keys()))
def test_every_entry_renders_without_latex_markup(key: str) -> None:
    text = format_reference(key)
    assert text.strip(), key
    for markup in ("\\", "{", "}", "--"):
        assert markup not in text, f"{key}: {markup!r} left in {text!r}"


def test_author_name_keeps_particles_and_suffixes() -> None:
    assert format_reference("howard2017regain").startswith("Howard JF Jr et al.")
    assert format_reference("vandenbergh2021cidp").startswith("Van den Bergh PYK et al.")
    assert format_reference("vanschaik2018path").startswith("van Schaik IN et al.")


def test_volume_and_pages_follow_the_year() -> None:
    assert format_reference("wolfe2016mgtx").endswith("2016;375:511-522")


def test_unknown_key_is_named() -> None:
    with pytest.raises(KeyError, match="nosuchkey2099"):
        format_reference("nosuchkey2099")


def test_check_references_refuses_unknown_and_empty() -> None:
    check_references(["wolfe2016mgtx"], "x.yaml", "nodes[a]")
    with pytest.raises(DataError, match=r"x\.yaml: nodes\[a\]: citation key 'nosuchkey2099'"):
        check_references(["wolfe2016mgtx", "nosuchkey2099"], "x.yaml", "nodes[a]")
    with pytest.raises(DataError, match="no citation"):
        check_references([], "x.yaml", "nodes[a]")
