"""The book: a clean build, the key content of each page, nothing from the internet, embedded widget state.

Also the execution cache: reused when nothing changed, and following a change in ``data/`` (checked on a
scratch copy of the repository), and a failing chapter failing the build.

The first group (the Sphinx extension's pieces) is fast; everything that builds a book is marked slow.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from buildtools import REPO_ROOT, BookBuild, build_book, scratch_copy, toc_documents
from chapters import DISORDER_CHAPTERS
from sphinx.errors import ConfigError, ExtensionError

from nmd_immuno.content.drugs import drug_table
from nmd_immuno.sphinxext import bibstyle, inputs_cache, offline_assets, substitutions, widget_math

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FRONT_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
CONFIG = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
HUB_URL = CONFIG["parse"]["myst_substitutions"]["jupyterhub_url"]


# --------------------------------------------------------------------------------------------- helpers


def soup_of(book_html: Path, doc: str) -> BeautifulSoup:
    path = book_html / f"{doc}.html"
    assert path.is_file(), f"{doc}: page not built ({path})"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(soup: BeautifulSoup) -> BeautifulSoup:
    """The page's own content (without navigation, header and footer)."""
    main = soup.select_one("article.bd-article")
    assert main is not None, "page has no article"
    return main


def widget_state(soup: BeautifulSoup) -> dict[str, Any]:
    """model_id -> model state embedded in the page (empty when the page has none)."""
    tag = soup.find("script", attrs={"type": WIDGET_STATE})
    return json.loads(tag.string)["state"] if tag is not None else {}


def widget_views(soup: BeautifulSoup) -> list[str]:
    """model ids of the widget views placed in the page."""
    return [
        json.loads(tag.string)["model_id"] for tag in soup.find_all("script", attrs={"type": WIDGET_VIEW})
    ]


def assert_widgets_embedded(soup: BeautifulSoup, doc: str) -> dict[str, Any]:
    """At least one widget view, each backed by embedded state, and the vendored scripts that render them."""
    views, state = widget_views(soup), widget_state(soup)
    assert views, f"{doc}: no widget view in the page"
    missing = [model for model in views if model not in state]
    assert not missing, f"{doc}: widget views without embedded state: {missing}"
    sources = [tag["src"] for tag in soup.find_all("script", src=True)]
    for vendored in ("vendor/requirejs/require.js", "vendor/html-manager/embed-amd.js"):
        assert any(vendored in src for src in sources), f"{doc}: {vendored} not loaded"
    return state


def live_kernel_note(soup: BeautifulSoup, doc: str) -> BeautifulSoup:
    note = soup.select_one("div.live-kernel-note")
    assert note is not None, f"{doc}: no {{{{ live_kernel_note }}}} box"
    assert "make lab" in note.get_text(), f"{doc}: live-kernel note without `make lab`"
    assert note.find("a", href=HUB_URL) is not None, f"{doc}: live-kernel note without the JupyterHub link"
    return note


def graphviz_flowcharts(page_dir: Path, main: BeautifulSoup) -> list[str]:
    """Graphviz drawings in the page: inline ``<svg>``, or SVG outputs (myst-nb writes them to files)."""
    found = [str(svg)[:80] for svg in main.find_all("svg") if svg.select_one("g.node")]
    for img in main.find_all("img", src=re.compile(r"\.svg$")):
        svg_file = (page_dir / img["src"]).resolve()
        if svg_file.is_file() and re.search(r'<g [^>]*class="node[ "]', svg_file.read_text(encoding="utf-8")):
            found.append(img["src"])
    return found


def citations(soup: BeautifulSoup) -> list[str]:
    """Targets of the in-text citations (links into the references page)."""
    return [a["href"] for a in article(soup).select("span.bibtex-citation a[href]")]


def write_stub(path: Path, title: str, body: str = "") -> None:
    path.write_text(f"{FRONT_MATTER}\n# {title}\n\nStub page for a build test.\n\n{body}", encoding="utf-8")


WIDGET_STUB_CELL = """```{code-cell} ipython3
import ipywidgets as w

tab = w.Tab(children=[w.IntSlider(description="Weight", value=70), w.HTML("<b>second tab</b>")])
tab.titles = ("IVIG", "Plasma exchange")
tab
```
"""


DOSING_STUB_CELL = """```{code-cell} ipython3
from nmd_immuno.dosing.parameters import dosing_parameters

print("Rituximab regimens: " + "; ".join(r.label for r in dosing_parameters().rituximab.regimens.values()))
```
"""


def mini_book(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A scratch copy of the repository whose chapters owned by others are small stubs (one with a widget).

    The real intro (which renders data/therapies.yaml) and references pages stay. Returns the copy and the
    environment that makes the build and its kernels use the copy's package and data folder.
    """
    repo = scratch_copy(tmp_path / "repo")
    for doc in toc_documents():
        if doc in ("book/intro", "book/references"):
            continue
        stub = WIDGET_STUB_CELL + "\n" + DOSING_STUB_CELL
        body = "{{ live_kernel_note }}\n\n" + stub if doc == "book/dose-calculators" else ""
        write_stub(repo / f"{doc}.md", f"{doc} (stub)", body)
    return repo, {"NMD_IMMUNO_DATA": str(repo / "data"), "PYTHONPATH": str(repo / "src")}


def assert_clean(build: BookBuild) -> None:
    tail = "\n".join(build.output.splitlines()[-40:])
    assert build.returncode == 0, f"build failed:\n{tail}"
    assert build.warnings() == [], "\n".join(build.warnings())


def executed(build: BookBuild, doc: str) -> bool:
    return any(path.endswith(f"{doc}.md") for path in build.executed())


def from_cache(build: BookBuild, doc: str) -> bool:
    return any(path.endswith(f"{doc}.md") for path in build.from_cache())


# ------------------------------------------------------------------------- the extension's pieces (fast)


def test_inputs_digest_follows_content_not_bytecode_or_mtime(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "a.yaml").write_text("a: 1\n")
    (data / "sub" / "b.csv").write_text("x,y\n1,2\n")
    first = inputs_cache.inputs_digest([data])

    (data / "__pycache__").mkdir()
    (data / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0bytecode")
    (data / "a.yaml").touch()
    assert inputs_cache.inputs_digest([data]) == first, "bytecode or a touch must not invalidate the cache"

    (data / "sub" / "b.csv").write_text("x,y\n1,3\n")
    changed = inputs_cache.inputs_digest([data])
    assert changed != first
    (data / "sub" / "c.yaml").write_text("")
    assert inputs_cache.inputs_digest([data]) != changed, "a new (even empty) file changes the digest"


def test_inputs_digest_tells_renamed_files_and_missing_roots_apart(tmp_path: Path) -> None:
    root = tmp_path / "src"
    root.mkdir()
    (root / "one.py").write_text("X = 1\n")
    before = inputs_cache.inputs_digest([root])
    (root / "one.py").rename(root / "two.py")
    assert inputs_cache.inputs_digest([root]) != before
    assert inputs_cache.inputs_digest([tmp_path / "absent"]) != inputs_cache.inputs_digest([root])


def test_keyed_cache_dir_prunes_only_stale_keyed_siblings(tmp_path: Path) -> None:
    base = tmp_path / ".jupyter_cache"
    stale = base / "inputs-0000000000000000"
    unrelated = base / "something-else"
    stale.mkdir(parents=True)
    unrelated.mkdir()
    target = inputs_cache.keyed_cache_dir(base, "abcdef0123456789" * 4)
    assert target == base / "inputs-abcdef0123456789"
    assert target.is_dir()
    assert not stale.exists(), "a cache for other inputs must be removed"
    assert unrelated.is_dir(), "folders the extension did not create are left alone"


def test_nested_substitutions_expand_and_unknown_names_fail() -> None:
    expanded = substitutions.expand({"hub": "https://hub.example/", "note": "[hub]({{ hub }})", "n": 3})
    assert expanded == {"hub": "https://hub.example/", "note": "[hub](https://hub.example/)", "n": 3}
    with pytest.raises(ConfigError, match=r"myst_substitutions\.note"):
        substitutions.expand({"note": "[hub]({{ hubb }})"})


def test_configured_live_kernel_note_links_the_configured_hub() -> None:
    subs = substitutions.expand(CONFIG["parse"]["myst_substitutions"])
    assert f"]({HUB_URL})" in subs["live_kernel_note"]
    assert "make lab" in subs["live_kernel_note"]


def _fake_app(tmp_path: Path, **config: Any) -> SimpleNamespace:
    defaults = {
        "nb_ipywidgets_js": {"../vendor/requirejs/require.js": {}},
        "mathjax_path": "../vendor/mathjax/tex-mml-chtml.js",
        "html_extra_path": ["extra"],
        "html_css_files": ["nmd-book.css", "../vendor/fontawesome/css/solid.min.css"],
        "nmd_require_offline_assets": True,
    }
    return SimpleNamespace(
        builder=SimpleNamespace(format="html"),
        confdir=str(tmp_path),
        config=SimpleNamespace(**{**defaults, **config}),
    )


def test_offline_asset_check_refuses_cdn_and_missing_files(tmp_path: Path) -> None:
    vendor = tmp_path / "extra" / "vendor"
    (vendor / "requirejs").mkdir(parents=True)
    (vendor / "mathjax").mkdir()
    (vendor / "requirejs" / "require.js").write_text("/* r */")
    (vendor / "mathjax" / "tex-mml-chtml.js").write_text("/* m */")
    (vendor / "fontawesome" / "css").mkdir(parents=True)
    (vendor / "fontawesome" / "css" / "solid.min.css").write_text("/* s */")
    offline_assets.check_offline_assets(_fake_app(tmp_path))  # all vendored: accepted

    missing = r"html_css_files.*'\.\./vendor/fontawesome/css/brands.min.css'.*make vendor"
    with pytest.raises(ExtensionError, match=missing):
        offline_assets.check_offline_assets(
            _fake_app(tmp_path, html_css_files=["../vendor/fontawesome/css/brands.min.css"])
        )
    with pytest.raises(ExtensionError, match=r"html_css_files.*loads from the internet"):
        offline_assets.check_offline_assets(_fake_app(tmp_path, html_css_files=["https://cdn.example/fa.css"]))

    cdn = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
    with pytest.raises(ExtensionError, match=r"mathjax_path.*loads from the internet"):
        offline_assets.check_offline_assets(_fake_app(tmp_path, mathjax_path=cdn))
    (vendor / "requirejs" / "require.js").unlink()
    with pytest.raises(ExtensionError, match=r"nb_ipywidgets_js.*make vendor"):
        offline_assets.check_offline_assets(_fake_app(tmp_path))


def test_script_paths_resolve_from_static_to_the_site_root() -> None:
    assert offline_assets.site_path("../vendor/requirejs/require.js") == "vendor/requirejs/require.js"
    assert offline_assets.site_path("../vendor/x.js?v=1") == "vendor/x.js"
    body = offline_assets.require_config_body({"@jupyter-widgets": "../vendor/html-manager"})
    assert body == 'var require = {paths: {"@jupyter-widgets": "../vendor/html-manager"}};'


def test_widget_pages_get_require_paths_and_the_mathjax_bridge_other_pages_nothing() -> None:
    calls: list[dict[str, Any]] = []
    app = SimpleNamespace(
        config=SimpleNamespace(
            nmd_requirejs_path="../vendor/requirejs/require.js",
            nmd_require_paths={"@jupyter-widgets": "vendor/html-manager"},
            nmd_require_config_priority=490,
            nmd_widget_math_priority=501,
        ),
        add_js_file=lambda filename, **kwargs: calls.append({"filename": filename, **kwargs}),
    )

    def pathto(target: str, resource: int = 0) -> str:
        return "../" + target  # a page one folder below the site root

    widget_page = {
        "script_files": [SimpleNamespace(filename="_static/../vendor/requirejs/require.js")],
        "pathto": pathto,
    }
    offline_assets._add_require_config(app, "book/x", "page.html", widget_page, None)
    widget_math._add_bridge(app, "book/x", "page.html", widget_page, None)
    assert [c["priority"] for c in calls] == [490, 501]
    assert calls[0]["body"] == 'var require = {paths: {"@jupyter-widgets": "../vendor/html-manager"}};'
    assert "Hub" in calls[1]["body"] and "typesetPromise" in calls[1]["body"]

    calls.clear()
    plain_page = {"script_files": [SimpleNamespace(filename="_static/doctools.js")], "pathto": pathto}
    offline_assets._add_require_config(app, "book/y", "page.html", plain_page, None)
    widget_math._add_bridge(app, "book/y", "page.html", plain_page, None)
    assert calls == [], "pages without widgets get no require.js configuration or bridge"


def test_bibliography_style_keeps_the_capitals_of_titles() -> None:
    from pybtex.database import parse_string

    bib = parse_string(
        "@article{k, author={Doe, Jane}, title={224th ENMC workshop on IMNM in Zandvoort},"
        " journal={Neuromuscul Disord}, year={2018}}",
        "bibtex",
    )
    (entry,) = bibstyle.KeepCaseStyle().format_entries(bib.entries.values())
    assert "224th ENMC workshop on IMNM in Zandvoort." in entry.text.render_as("text")


def test_configured_assets_are_local_and_toc_sources_exist() -> None:
    sphinx = CONFIG["sphinx"]["config"]
    # The execution cache is keyed on these: a page built from stale data or code must never be served.
    assert {"data", "src"} <= set(sphinx["nmd_cache_inputs"])
    uris = [*sphinx["nb_ipywidgets_js"], sphinx["mathjax_path"]]
    assert all(not re.match(r"(https?:)?//", uri) for uri in uris), uris
    assert "nmd_immuno.sphinxext" in CONFIG["sphinx"]["extra_extensions"]
    assert CONFIG["execute"]["raise_on_error"] is True
    for doc in toc_documents():
        assert (REPO_ROOT / f"{doc}.md").is_file(), f"_toc.yml lists {doc}, which has no source"


# ------------------------------------------------------------------------------ the real book (slow)


@pytest.mark.slow
def test_build_is_clean(book_build: BookBuild | None) -> None:
    if book_build is None:
        pytest.skip("NMD_BOOK_HTML given: no build in this session")
    assert "build succeeded" in book_build.output
    assert book_build.warnings() == []


@pytest.mark.slow
@pytest.mark.parametrize("doc", toc_documents())
def test_every_page_has_title_footer_and_no_error_output(book_html: Path, doc: str) -> None:
    soup = soup_of(book_html, doc)
    main = article(soup)
    assert main.find("h1") is not None, f"{doc}: no title"
    assert "For education only" in soup.get_text(), f"{doc}: no educational-use footer"
    for bad in ("div.output.traceback", "div.output.stderr", "div.output.error"):
        assert main.select_one(bad) is None, f"{doc}: {bad} in the page (a cell failed or wrote to stderr)"


@pytest.mark.slow
def test_no_page_loads_anything_from_the_internet(book_html: Path) -> None:
    """Scripts, stylesheets, images, fonts and frames of every page come from the book itself."""
    offenders = []
    for html in sorted(book_html.rglob("*.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (
            ("script", "src"),
            ("link", "href"),
            ("img", "src"),
            ("iframe", "src"),
            ("source", "src"),
        ):
            for element in soup.find_all(tag, attrs={attr: True}):
                if tag == "link" and not {"stylesheet", "preload", "icon", "modulepreload"} & set(
                    element.get("rel", [])
                ):
                    continue
                if re.match(r"(https?:)?//", element[attr]):
                    offenders.append(f"{html.relative_to(book_html)}: <{tag} {attr}={element[attr]}>")
        text = html.read_text(encoding="utf-8")
        for marker in ("THEBE_JS_URL", "cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
            if marker in text:
                offenders.append(f"{html.relative_to(book_html)}: mentions {marker}")
    assert offenders == []
    assert (book_html / "vendor" / "html-manager" / "embed-amd.js").is_file()
    assert (book_html / "vendor" / "mathjax" / "tex-mml-chtml.js").is_file()


@pytest.mark.slow
def test_intro_page(book_html: Path) -> None:
    from nmd_immuno.content.therapies import therapy_label, vocabulary

    doc = "book/intro"
    soup = soup_of(book_html, doc)
    main = article(soup)
    text = " ".join(main.get_text(" ").split())
    disclaimer = main.select_one("div.admonition.danger")
    assert disclaimer is not None and "For education only" in disclaimer.get_text()
    headings = [h.get_text(" ", strip=True) for h in main.find_all(["h2", "h3"])]
    for heading in ("Who it is for", "How to use the course", "Learning objectives", "Current to 2026"):
        assert any(h.startswith(heading) for h in headings), f"intro: no section {heading!r} in {headings}"
    for audience in ("Residents studying alone", "Instructors", "Cohort workshops"):
        assert audience in text
    live_kernel_note(soup, doc)
    # The vocabulary table is computed from data/therapies.yaml when the page is executed.
    table = main.find("table")
    assert table is not None, "intro: therapy vocabulary table missing"
    table_text = table.get_text(" ")
    for ids in vocabulary().classes.values():
        for therapy in ids:
            assert therapy_label(therapy) in table_text, f"intro table lacks {therapy_label(therapy)!r}"
    assert len(citations(soup)) >= 10
    chapters = ("principles", "dose-calculators", "instructors", "references")
    for chapter in chapters + tuple(doc.removeprefix("book/") for doc in DISORDER_CHAPTERS.values()):
        assert main.find("a", href=re.compile(rf"^{chapter}\.html")) is not None, (
            f"intro: no link to {chapter}"
        )


@pytest.mark.slow
def test_principles_page(book_html: Path) -> None:
    doc = "book/principles"
    soup = soup_of(book_html, doc)
    main = article(soup)
    drugs = drug_table()
    # The pandas table from data/drugs.yaml, told apart from the chapter's hand-written tables by its headers.
    tables = [
        t
        for t in main.find_all("table")
        if [th.get_text(strip=True) for th in t.find("tr").find_all("th")]
        == ["Drug", "Class", "Onset of effect", "Used in"]
    ]
    assert len(tables) == 1, "principles: the drug table rendered from data/drugs.yaml is missing"
    rows = tables[0].find("tbody").find_all("tr")
    assert [r.find("td").get_text(strip=True) for r in rows] == list(drugs["drug"])
    table_text = tables[0].get_text(" ")
    for label in set(drugs["class"]):
        assert label in table_text, f"principles: drug class {label!r} absent from the table"
    details = main.find_all("details")
    summaries = " ".join(d.find("summary").get_text(" ") for d in details)
    assert all(name in summaries for name in drugs["drug"]), "principles: a drug lacks its details block"
    text = main.get_text(" ")
    for drug in (
        "Azathioprine",
        "Mycophenolate",
        "Methotrexate",
        "Tacrolimus",
        "Cyclophosphamide",
        "Rituximab",
        "Eculizumab",
        "Efgartigimod",
        "Plasma exchange",
    ):
        assert drug in text, f"principles: {drug} is not discussed"
    assert main.find("a", href=re.compile(r"^dose-calculators\.html")) is not None, (
        "no link to the calculators"
    )
    assert len(citations(soup)) >= 5, "principles: too few citations"


@pytest.mark.slow
def test_dose_calculators_page(book_html: Path) -> None:
    doc = "book/dose-calculators"
    soup = soup_of(book_html, doc)
    live_kernel_note(soup, doc)
    # One tool: the in-browser calculators (the live ipywidgets Tab of the same output is for Jupyter only).
    tools = article(soup).select("div.nmdd")
    assert len(tools) == 1, f"dose calculators: {len(tools)} browser tools"
    assert widget_views(soup) == [], "dose calculators: a frozen widget view is still shown"
    payload = json.loads(tools[0].select_one("script.nmdd-data").string)
    titles = " ".join(form["title"] for form in payload["forms"]).lower()
    for topic in ("ivig", "plasma", "rituximab"):
        assert topic in titles, f"dose calculators: no {topic!r} tab (titles: {titles})"
    assert re.search(r"steroid|predniso|cortico", titles), f"no corticosteroid tab (titles: {titles})"
    # Worked static examples for readers without a kernel.
    assert article(soup).find("table") is not None, "dose calculators: no static worked example"


def test_every_disorder_pathway_has_its_chapter_in_the_toc() -> None:
    from nmd_immuno import DISORDERS
    from nmd_immuno.content.algorithms import available_algorithms

    assert available_algorithms() == list(DISORDERS), "every disorder of the API has its pathway"
    documents = toc_documents()
    for disorder in DISORDERS:
        assert DISORDER_CHAPTERS[disorder] in documents, f"{disorder}: pathway without a chapter in _toc.yml"


@pytest.mark.slow
@pytest.mark.parametrize("disorder", sorted(DISORDER_CHAPTERS))
def test_disorder_chapter_has_flowchart_explorer_and_quiz(book_html: Path, disorder: str) -> None:
    from nmd_immuno.quiz import load_quiz

    doc = DISORDER_CHAPTERS[disorder]
    soup = soup_of(book_html, doc)
    main = article(soup)
    live_kernel_note(soup, doc)
    # One explorer, the browser one (its live widget view is for Jupyter only); its data is the program.
    explorers = main.select("div.nmdx")
    assert len(explorers) == 1, f"{doc}: {len(explorers)} explorers"
    payload = json.loads(explorers[0].select_one('script.nmdx-data[type="application/json"]').string)
    assert payload["program"]["disorder"] == disorder and payload["fields"], f"{doc}: no explorer program"
    if widget_views(soup):  # any widget still drawn (e.g. a simulator) is backed by embedded state
        assert_widgets_embedded(soup, doc)
    else:
        assert widget_state(soup) == {}, f"{doc}: widget state embedded although no widget is drawn"
    assert graphviz_flowcharts(book_html / "book", main), f"{doc}: no graphviz flowchart"
    quiz = load_quiz(disorder)
    item_ids = [item.id for case in quiz.cases for item in case.items]
    rendered = [tag.get("data-item") for tag in main.select("fieldset.nmdq-item")]
    assert rendered == item_ids, f"{doc}: the static quiz does not match data/quizzes"
    assert len(citations(soup)) >= 15, f"{doc}: too few citations"
    admonitions = " ".join(a.get_text(" ") for a in main.select("div.admonition")).lower()
    assert "educational use only" in admonitions, f"{doc}: no educational-use admonition in the chapter"


@pytest.mark.slow
def test_myasthenia_gravis_page_shows_the_cohort_simulator(book_html: Path) -> None:
    main = article(soup_of(book_html, "book/myasthenia-gravis"))
    assert main.find("img") is not None, "myasthenia gravis: no static simulator figure"


@pytest.mark.slow
def test_instructors_page(book_html: Path) -> None:
    text = " ".join(article(soup_of(book_html, "book/instructors")).get_text(" ").split())
    for needle in ("make instructor-help", "nbgrader", "JupyterHub"):
        assert needle in text, f"instructors: {needle!r} not mentioned"


@pytest.mark.slow
def test_facilitator_guide_shows_both_schedules_and_every_prompt(book_html: Path) -> None:
    from nmd_immuno.workshop.schedule import load_plan

    main = article(soup_of(book_html, "book/facilitator-guide"))
    captions = [c.get_text(" ", strip=True) for c in main.select("table.nmd-schedule caption")]
    assert captions == [
        "Three-hour workshop (an afternoon): 3 h 00 min, starting 13:30",
        "Full-day workshop: 8 h 00 min, starting 09:00",
    ]
    plan = load_plan()
    assert len(main.select("dl.nmd-prompts dd")) == sum(len(p) for p in plan.prompts.values())
    assert len(main.select("ol li")) >= len(plan.disagreement)
    assert "Educational use only" in main.get_text(" ")


@pytest.mark.slow
def test_references_page_lists_the_whole_bibliography(book_html: Path) -> None:
    from nmd_immuno.content.bibliography import bibliography_keys

    main = article(soup_of(book_html, "book/references"))
    entries = main.select('div.citation[role="listitem"]')
    assert len(entries) == len(bibliography_keys())
    # Every in-text citation of every page points at an entry of this page.
    anchors = {entry["id"] for entry in entries}
    for doc in toc_documents():
        for href in citations(soup_of(book_html, doc)):
            page, _, anchor = href.partition("#")
            assert page in ("references.html", "") and anchor in anchors, f"{doc}: dangling citation {href}"


# ---------------------------------------------------------- the execution cache, on a scratch copy (slow)


@pytest.mark.slow
def test_execution_cache_reuses_outputs_and_follows_data_changes(tmp_path: Path) -> None:
    repo, env = mini_book(tmp_path)
    html = repo / "_build" / "html"
    cache = repo / "_build" / ".jupyter_cache"

    cold = build_book(repo, env=env)
    assert_clean(cold)
    assert executed(cold, "book/intro") and executed(cold, "book/dose-calculators")
    state = assert_widgets_embedded(soup_of(html, "book/dose-calculators"), "cold build")
    assert any(s["model_name"] == "TabModel" for s in state.values())
    (first_key,) = [p.name for p in cache.iterdir() if p.name.startswith("inputs-")]

    # Same inputs, pages dropped (as `jupyter-book clean` does): everything comes from the cache, widgets
    # included.
    for generated in ("html", ".doctrees", "jupyter_execute"):
        shutil.rmtree(repo / "_build" / generated, ignore_errors=True)
    cached = build_book(repo, env=env)
    assert_clean(cached)
    assert cached.executed() == [], f"re-executed with nothing changed: {cached.executed()}"
    assert from_cache(cached, "book/intro") and from_cache(cached, "book/dose-calculators")
    cached_state = assert_widgets_embedded(soup_of(html, "book/dose-calculators"), "cached build")
    assert {s["model_name"] for s in cached_state.values()} == {s["model_name"] for s in state.values()}

    # Each page recorded the course files its kernel read: both the therapy vocabulary (importing the package
    # reads it) and the modules they import; only the dose page the dosing parameters (DOSING_STUB_CELL).
    manifests = cache / first_key / "nmd-inputs"
    intro_reads = read_files(manifests / "book" / "intro.json")
    dose_reads = read_files(manifests / "book" / "dose-calculators.json")
    assert "data/therapies.yaml" in intro_reads and "data/therapies.yaml" in dose_reads
    assert "data/dosing.yaml" in dose_reads and "data/dosing.yaml" not in intro_reads, intro_reads
    assert "src/nmd_immuno/content/therapies.py" in intro_reads, "imported modules count as inputs"
    assert "src/nmd_immuno/dosing/parameters.py" in dose_reads - intro_reads

    # A change in a file only the dose page reads: that page, and only it, is executed again and shows it.
    dosing = repo / "data" / "dosing.yaml"
    text = dosing.read_text(encoding="utf-8")
    assert text.count('label: "1000 mg × 2') == 1
    dosing.write_text(text.replace('label: "1000 mg × 2', 'label: "1000 mg (changed by the cache test) × 2'))
    dose_changed = build_book(repo, env=env)
    assert_clean(dose_changed)
    assert executed(dose_changed, "book/dose-calculators"), "not re-executed after a change in what it reads"
    assert not executed(dose_changed, "book/intro"), "re-executed though nothing it reads changed"
    assert "changed by the cache test" in soup_of(html, "book/dose-calculators").get_text()
    assert [p.name for p in cache.iterdir() if p.name.startswith("inputs-")] == [first_key]

    # A change in a file both read: both are executed again and the intro shows the new data.
    therapies = repo / "data" / "therapies.yaml"
    marker = "Pyridostigmine (changed by the cache test)"
    original = therapies.read_text(encoding="utf-8")
    assert "pyridostigmine: Pyridostigmine\n" in original
    therapies.write_text(original.replace("pyridostigmine: Pyridostigmine\n", f"pyridostigmine: {marker}\n"))
    changed = build_book(repo, env=env)
    assert_clean(changed)
    for doc in ("book/intro", "book/dose-calculators"):
        assert executed(changed, doc), f"{doc} not re-executed after a change in data/ that it reads"
        assert not from_cache(changed, doc), f"{doc}: stale outputs reused"
    assert marker in soup_of(html, "book/intro").get_text(), "the page still shows the old data"

    # A file added under data/ (a page that lists a folder could see it without opening it): every page is
    # executed again, in a fresh cache folder; the stale one is pruned.
    (repo / "data" / "added-by-the-cache-test.yaml").write_text("x: 1\n", encoding="utf-8")
    added = build_book(repo, env=env)
    assert_clean(added)
    for doc in ("book/intro", "book/dose-calculators"):
        assert executed(added, doc), f"{doc} not re-executed after a file was added to data/"
    keys = [p.name for p in cache.iterdir() if p.name.startswith("inputs-")]
    assert len(keys) == 1 and keys[0] != first_key, f"cache folders: {keys}"


def read_files(manifest: Path) -> set[str]:
    """The files a page's manifest lists, relative to the scratch repository."""
    repo = manifest.parents[5]
    return {Path(f).relative_to(repo).as_posix() for f in json.loads(manifest.read_text())["files"]}


@pytest.mark.slow
def test_a_failing_chapter_fails_the_build(tmp_path: Path) -> None:
    repo, env = mini_book(tmp_path)
    failing = "```{code-cell} ipython3\nraise RuntimeError('deliberate failure for the build test')\n```\n"
    write_stub(repo / "book" / "principles.md", "Principles (failing stub)", failing)
    build = build_book(repo, env=env)
    assert build.returncode != 0, "a chapter that raises must fail the build"
    assert "deliberate failure for the build test" in build.output


def test_recording_cells_wrap_the_code_of_a_notebook_page_only() -> None:
    page = "---\njupytext: {}\n---\n# Title\n\n```{code-cell} ipython3\nx = 1\n```\n\nText.\n"
    injected = inputs_cache.inject_recording_cells(page, "book/x", "m123")
    first, rest = injected.split("```{code-cell} ipython3\nx = 1", 1)
    assert first.startswith("---\njupytext: {}\n---\n# Title\n")
    assert "record_inputs('book/x', 'm123')" in first and ":tags: [remove-cell]" in first
    assert "write_manifest()" in rest and "record_inputs" not in rest
    assert inputs_cache.inject_recording_cells("# Only text\n", "book/t", "m") == "# Only text\n"


def test_a_page_keeps_its_marker_until_a_file_it_read_changes(tmp_path: Path) -> None:
    from nmd_immuno.execution_inputs import files_digest

    read = tmp_path / "read.yaml"
    read.write_text("a: 1\n")
    manifest = tmp_path / "page.json"
    manifest.write_text(json.dumps({"marker": "old", "files": [str(read)], "digest": files_digest([read])}))
    assert inputs_cache.page_marker(manifest, "fallback") == "old"
    read.write_text("a: 2\n")
    changed = inputs_cache.page_marker(manifest, "fallback")
    assert changed not in ("old", "fallback")
    read.unlink()
    assert inputs_cache.page_marker(manifest, "fallback") not in ("old", changed)
    assert inputs_cache.page_marker(tmp_path / "none.json", "fallback") == "fallback"
    manifest.write_text("not json")
    assert inputs_cache.page_marker(manifest, "fallback") == "fallback"


def test_listing_digest_follows_names_of_folders_and_content_of_files(tmp_path: Path) -> None:
    data, lock = tmp_path / "data", tmp_path / "requirements.lock"
    data.mkdir()
    (data / "a.yaml").write_text("a: 1\n")
    lock.write_text("x==1\n")
    first = inputs_cache.listing_digest([data, lock])
    (data / "a.yaml").write_text("a: 2\n")
    assert inputs_cache.listing_digest([data, lock]) == first, "an edit is followed per page, not here"
    (data / "b.yaml").write_text("")
    added = inputs_cache.listing_digest([data, lock])
    assert added != first
    lock.write_text("x==2\n")
    assert inputs_cache.listing_digest([data, lock]) != added
