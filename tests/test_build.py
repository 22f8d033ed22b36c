"""The strict build: every page is published with its title, and nothing loads from another host."""

import re
import shutil

import pytest
from mkdocs.config import load_config
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.files import get_files
from selectolax.lexbor import LexborHTMLParser

from conftest import ROOT, run_mkdocs
from diary.offline import external_loads
from diary.search import entries_in

def nav_pages():
    """(page, heading written in its source) for every page in the navigation."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    nav = get_navigation(get_files(config), config)
    pages = []
    for page in nav.pages:
        page.read_source(config)
        pages.append((page, re.search(r"^# (.+)$", page.markdown, re.M).group(1)))
    return pages


@pytest.mark.build
def test_every_nav_page_is_built_with_its_title(built_site):
    pages = nav_pages()
    assert len(pages) >= 15
    for page, heading in pages:
        html = LexborHTMLParser((built_site / page.file.dest_uri).read_text(encoding="utf-8"))
        assert html.css_first(".md-content h1").text().rstrip("\u00b6").strip() == heading, page.file.src_uri
        title = html.css_first("title").text()
        expected = "AI research diary" if page.is_homepage else f"{page.title or heading} - "
        assert title.startswith(expected), page.file.src_uri


@pytest.mark.build
@pytest.mark.parametrize("name", ["sitemap.xml", "404.html", "search/search_index.json", "index.html"])
def test_site_carries_the_files_readers_and_crawlers_need(built_site, name):
    assert (built_site / name).stat().st_size > 0


@pytest.mark.build
def test_search_index_holds_every_page_but_the_blog_listing_and_tags(built_site):
    locations = {doc["location"] for doc in entries_in(built_site)}
    for page, _ in nav_pages():
        listed = page.file.url.removeprefix("./") in locations
        # The notes index and the tags page only repeat what pages indexed themselves hold.
        assert listed != (page.file.src_uri in ("notes/index.md", "tags.md")), page.file.src_uri


@pytest.mark.build
def test_no_page_loads_anything_from_another_host(built_site, site_port):
    offenders = {}
    for html in built_site.rglob("*.html"):
        found = list(external_loads(html.read_text(encoding="utf-8"), f"127.0.0.1:{site_port}"))
        if found:
            offenders[str(html.relative_to(built_site))] = found
    assert offenders == {}


@pytest.mark.build
def test_stylesheets_import_nothing_from_another_host(built_site):
    for css in built_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?https?://|@import\s+(url\()?['\"]?https?://", text), css


@pytest.mark.unit
def test_the_external_load_check_catches_each_kind_of_resource():
    html = """
      <script src="https://cdn.example.org/x.js"></script>
      <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
      <img src="https://twemoji.example/1f600.svg">
      <img srcset="/ok.png 1x, https://img.example/2x.png 2x">
      <a href="https://arxiv.org/abs/1706.03762">a link is not a load</a>
      <link rel="canonical" href="https://elsewhere.example/">
      <script src="assets/local.js"></script>
    """
    assert list(external_loads(html, "ashioyajotham.github.io")) == [
        "https://cdn.example.org/x.js",
        "https://twemoji.example/1f600.svg",
        "https://img.example/2x.png",
        "https://fonts.googleapis.com/css?family=Roboto",
    ]


@pytest.mark.build
def test_unicode_emoji_stay_off_the_cdn_and_icons_are_inline_svg(project_copy):
    page = project_copy / "docs" / "about.md"
    page.write_text(page.read_text() + "\n\nMood :smile: and icon :material-flask:\n")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    html = (project_copy / "out" / "about" / "index.html").read_text()
    paragraph = re.search(r"<p>Mood .*?</p>", html, re.S).group(0)
    assert "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}" in paragraph
    assert "<img" not in paragraph
    assert re.search(r'<span class="twemoji"><svg', paragraph)


@pytest.mark.build
def test_a_crowded_folder_lists_its_ten_newest_in_the_sidebar_and_every_page_in_its_index(project_copy, tmp_path):
    essays = project_copy / "docs" / "essays"
    for day in range(1, 13):
        (essays / f"crowd-{day:02d}.md").write_text(
            f"---\ndate: 2026-01-{day:02d}\ndescription: One of many.\n---\n\n# Crowd essay {day:02d}\n\nText.\n"
        )
    site = tmp_path / "site"
    result = run_mkdocs("build", "--strict", "--site-dir", str(site), cwd=project_copy)
    assert result.returncode == 0, result.stdout
    oldest = LexborHTMLParser((site / "essays" / "crowd-01" / "index.html").read_text())
    sidebar = [node.text(strip=True) for node in oldest.css("nav.md-nav--primary .md-nav__link")]
    # The index and the four essays named in mkdocs.yml stay; five places are left for the newest.
    assert {f"Crowd essay {day:02d}" for day in range(8, 13)} <= set(sidebar)
    assert not {f"Crowd essay {day:02d}" for day in range(1, 8)} & set(sidebar)
    assert "Essays" in [node.text(strip=True) for node in oldest.css(".md-path__link")]
    listing = (site / "essays" / "index.html").read_text()
    assert all(f"Crowd essay {day:02d}" in listing for day in range(1, 13))


# What must never be published: theme machinery, the diary's own code and caches, editor leftovers.
MACHINERY = re.compile(
    r"(^|/)(partials|hooks|__pycache__|\.cache|\.ipynb_checkpoints|overrides)/"
    r"|\.(jinja|j2|pyc|tmp)$"
    r"|(^|/)(mkdocs\.yml|pyproject\.toml|Makefile|requirements[\w-]*\.txt|\.secrets\.baseline|plugin\.py)$"
)
GENERATED = {"sitemap.xml", "sitemap.xml.gz", "feed_rss_created.xml", "feed_rss_updated.xml",
             "feed_json_created.json", "feed_json_updated.json"}


@pytest.mark.build
def test_nothing_but_the_site_is_published(project_copy):
    """Pages, the theme's and plugins' assets, and the author's own files from docs/. A notebook's
    helper module and data files, and references.bib, are published on purpose: a downloaded
    notebook runs, and the citations can be reused."""
    docs = project_copy / "docs"
    (docs / "history" / "__pycache__").mkdir()
    (docs / "history" / "__pycache__" / "ngram_lm.cpython-311.pyc").write_bytes(b"\x00bytecode")
    (docs / "embeddings" / ".ipynb_checkpoints").mkdir()
    shutil.copy(next(docs.glob("embeddings/*.ipynb")), docs / "embeddings" / ".ipynb_checkpoints" / "scratch.ipynb")
    site = project_copy / "out"
    result = run_mkdocs("build", "--strict", "--site-dir", str(site), cwd=project_copy)
    assert result.returncode == 0, result.stdout
    published = sorted(path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())
    assert [path for path in published if MACHINERY.search(path)] == []
    notebooks = {path.relative_to(docs).with_suffix("").as_posix() for path in docs.rglob("*.ipynb")
                 if ".ipynb_checkpoints" not in path.parts}
    unexplained = [
        path for path in published
        if not (
            path.endswith(".html") or path in GENERATED
            or path.startswith(("assets/", "search/"))
            or (docs / path).is_file()  # the author's files, as they are: figures, CSS, JS, data, modules
            or path.rsplit("/", 1)[0] in notebooks  # a notebook's download copy and its figures
        )
    ]
    assert unexplained == []
    assert {"references.bib", "history/ngram_lm.py"} <= set(published)
    for notebook in notebooks:
        assert f"{notebook}/{notebook.rsplit('/', 1)[-1]}.ipynb" in published


@pytest.mark.unit
def test_the_diary_is_one_package_imported_normally():
    """No module edits sys.path, and overrides/ holds theme templates only: the site's Python is
    the diary package, registered as the MkDocs plugin `diary`."""
    sources = [path for folder in ("diary", "scripts", "tests") for path in (ROOT / folder).rglob("*.py")]
    edit = re.compile(r"sys\.path\s*(\.(insert|append|extend)\(|\[[^\]]*\]\s*=|\+?=)")
    assert [str(path) for path in sources if edit.search(path.read_text(encoding="utf-8"))] == []
    assert sorted(path.suffix for path in (ROOT / "overrides").rglob("*") if path.is_file()) == \
        [".html"] * len([path for path in (ROOT / "overrides").rglob("*") if path.is_file()])
    from importlib.metadata import entry_points

    [plugin] = [ep for ep in entry_points(group="mkdocs.plugins") if ep.name == "diary"]
    assert plugin.value == "diary.plugin:DiaryPlugin"
