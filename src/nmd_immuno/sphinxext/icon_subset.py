"""Publish only the Font Awesome icons the book uses: a fraction of the weight on every page.

The theme draws about twenty icons (menu, search, light/dark switch, download, full screen...). It ships them
as Font Awesome's 1.5 MB SVG+JS bundle; the book replaces that with the CSS web font (see
``book/_static/scripts/fontawesome.js``), which is still 80 KB of CSS naming some 2,000 icons and a 156 KB
font holding all their glyphs, on every page's first load.

After the HTML build, this module collects every ``fa-<name>`` the published pages and the theme's scripts
mention, keeps only those icons' rules in the published ``fontawesome.min.css``, and subsets the solid font
(fontTools, already installed with matplotlib) to their glyphs. The vendored originals in ``book/_vendor``
are untouched; only the copies in the build output shrink. A name the pages use that the CSS does not know
is left as it is (the theme shows nothing for it, as before).
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

FA_FOLDER = Path("vendor") / "fontawesome"
ICON_NAME = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
# One icon rule of fontawesome.min.css: `.fa-bars:before,.fa-navicon:before{content:"\f0c9"}`.
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}')
SOLID_FONT = "fa-solid-900"


def used_icon_names(outdir: Path) -> set[str]:
    """Every ``fa-`` name in the published pages and in the theme's scripts (which add icons at run time)."""
    names: set[str] = set()
    for pattern in ("**/*.html", "_static/**/*.js"):
        for path in outdir.glob(pattern):
            names |= set(ICON_NAME.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return names


def subset_css(css: str, used: set[str]) -> tuple[str, set[int]]:
    """``css`` with only the icon rules whose names are ``used``; the code points of the kept icons."""
    kept: set[int] = set()

    def keep_or_drop(match: re.Match[str]) -> str:
        selectors = match.group(1).rstrip(",").split(",")
        names = {selector[len(".fa-") : -len(":before")] for selector in selectors}
        if names & used:
            kept.add(int(match.group(2), 16))
            return match.group(0)
        return ""

    return ICON_RULE.sub(keep_or_drop, css), kept


def subset_font(font: Path, codepoints: set[int], target: Path) -> None:
    """``font`` cut down to ``codepoints`` (TrueType: no brotli needed, and a few KB at this size)."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    loaded = subset.load_font(str(font), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(loaded)
    subset.save_font(loaded, str(target), options)


def publish_used_icons(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder is None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    folder = outdir / FA_FOLDER
    css_path = folder / "css" / "fontawesome.min.css"
    if not css_path.is_file():
        return  # the book does not serve Font Awesome itself
    used = used_icon_names(outdir)
    css, codepoints = subset_css(css_path.read_text(encoding="utf-8"), used)
    css_path.write_text(css, encoding="utf-8")
    solid_css = folder / "css" / "solid.min.css"
    font = folder / "webfonts" / f"{SOLID_FONT}.ttf"
    if solid_css.is_file() and font.is_file():
        subset_name = f"{SOLID_FONT}.used.ttf"
        subset_font(font, codepoints, font.with_name(subset_name))
        rule = solid_css.read_text(encoding="utf-8")
        source = re.compile(r"src:url\(\.\./webfonts/" + SOLID_FONT + r"\.woff2\)[^;}]*")
        solid_css.write_text(
            source.sub(f'src:url(../webfonts/{subset_name}) format("truetype")', rule), encoding="utf-8"
        )
    logger.info("icons: %d Font Awesome icons published (of the CSS's full set)", len(codepoints))


def setup(app: Sphinx) -> None:
    app.connect("build-finished", publish_used_icons)
