"""The published Font Awesome CSS and font keep exactly the icons the pages use (sphinxext.icon_subset)."""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTFont

from nmd_immuno.sphinxext import icon_subset

REPO = Path(__file__).resolve().parents[1]
VENDORED = REPO / "book" / "_vendor" / "vendor" / "fontawesome"


def test_only_the_rules_of_used_icons_are_kept_with_their_aliases() -> None:
    css = (
        '.fa{display:inline-block}.fa-lg{font-size:1.25em}'
        '.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}.fa-moon:before{content:"\\f186"}'
        '.fa-unused:before{content:"\\f000"}'
    )
    kept, codepoints = icon_subset.subset_css(css, {"bars", "moon", "lg", "solid"})
    assert ".fa-bars:before,.fa-navicon:before" in kept and ".fa-moon:before" in kept
    assert "fa-unused" not in kept and ".fa{display:inline-block}.fa-lg{font-size:1.25em}" in kept
    assert codepoints == {0xF0C9, 0xF186}


def test_pages_and_theme_scripts_name_the_icons(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "a.html").write_text('<i class="fa-solid fa-bars"></i>')
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "theme.js").write_text('el.className = "fa-solid fa-moon"')
    assert {"solid", "bars", "moon"} <= icon_subset.used_icon_names(tmp_path)


def test_the_published_copy_shrinks_and_keeps_the_glyphs_in_use(tmp_path: Path) -> None:
    out = tmp_path / "html"
    folder = out / icon_subset.FA_FOLDER
    for part in ("css", "webfonts"):
        (folder / part).mkdir(parents=True)
    for name in ("fontawesome.min.css", "solid.min.css"):
        (folder / "css" / name).write_bytes((VENDORED / "css" / name).read_bytes())
    font_file = "fa-solid-900.ttf"
    (folder / "webfonts" / font_file).write_bytes((VENDORED / "webfonts" / font_file).read_bytes())
    (out / "page.html").write_text('<i class="fa-solid fa-bars"></i><i class="fa-solid fa-sun"></i>')
    app = type("App", (), {"outdir": str(out), "builder": type("B", (), {"format": "html"})()})()
    icon_subset.publish_used_icons(app, None)  # type: ignore[arg-type]
    css = (folder / "css" / "fontawesome.min.css").read_text()
    assert ".fa-bars:before" in css and ".fa-sun:before" in css and ".fa-anchor:before" not in css
    assert len(css) < 20_000
    solid = (folder / "css" / "solid.min.css").read_text()
    assert "fa-solid-900.used.ttf" in solid and ".woff2" not in solid
    font = TTFont(folder / "webfonts" / "fa-solid-900.used.ttf")
    assert {0xF0C9, 0xF185} <= set(font.getBestCmap()) and len(font.getBestCmap()) < 10
