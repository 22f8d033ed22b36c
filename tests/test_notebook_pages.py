"""Notebook pages: provenance strip, downloads, Colab links, folder listings, citations and math."""

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest
from playwright.sync_api import expect
from selectolax.lexbor import LexborHTMLParser

from conftest import ROOT, run_mkdocs

QUIRKS = Path(__file__).parent / "notebook-quirks"
NOTEBOOKS = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.ipynb"))
CONTENT = "article.md-content__inner"


def page_of(notebook):
    return notebook.removesuffix(".ipynb") + "/index.html"


def parse(site, page):
    return LexborHTMLParser((site / page).read_text(encoding="utf-8"))


@pytest.mark.unit
def test_the_diary_has_its_four_notebooks_in_four_topic_folders():
    folders = {notebook.split("/")[0] for notebook in NOTEBOOKS}
    assert {"langchain", "finetuning", "embeddings", "history"} <= folders
    for notebook in NOTEBOOKS:
        nb = nbformat.read(ROOT / "docs" / notebook, 4)
        meta = nb.metadata["diary"]
        assert meta["summary"] and meta["tags"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["date"])
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        assert code and all(cell.outputs for cell in code if cell.source.strip()), notebook
        assert any("[@" in cell.source for cell in nb.cells if cell.cell_type == "markdown"), notebook


@pytest.mark.build
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_page_shows_provenance_and_links(built_site, notebook):
    tree = parse(built_site, page_of(notebook))
    strip = tree.css_first(f"{CONTENT} .notebook-strip")
    record = json.loads((ROOT / "docs/execution-report.json").read_text())["notebooks"][notebook]
    assert strip.attributes["data-status"] == record["status"] == "ok"
    assert record["last_success"][:10] in strip.text()
    assert f"{record['duration_s']:.1f} s" in strip.text()

    download = strip.css_first("a[download]")
    served = built_site / page_of(notebook).removesuffix("index.html") / download.attributes["href"]
    assert served.read_bytes() == (ROOT / "docs" / notebook).read_bytes()

    colab = strip.css_first("a[href^='https://colab.research.google.com/']").attributes["href"]
    assert colab == f"https://colab.research.google.com/github/ashioyajotham/ai_research/blob/main/docs/{notebook}"


@pytest.mark.build
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_code_cells_show_their_source_with_the_themes_colours_and_plain_punctuation(built_site, notebook):
    sources = [cell.source for cell in nbformat.read(ROOT / "docs" / notebook, 4).cells
               if cell.cell_type == "code" and cell.source.strip()]
    blocks = parse(built_site, page_of(notebook)).css(f"{CONTENT} .jp-InputArea pre > code")
    assert [block.text().strip("\n") for block in blocks] == [source.strip("\n") for source in sources]
    tokens = {span.attributes.get("class") for block in blocks for span in block.css("span")}
    assert "k" in tokens  # keywords keep their colour
    # Names, white space and punctuation are plain text, not one element each.
    assert not tokens & {None, "n", "w", "p"}


@pytest.mark.build
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_citations_link_to_its_reference_list(built_site, notebook):
    tree = parse(built_site, page_of(notebook))
    citations = tree.css(f"{CONTENT} a.citation")
    assert citations
    for link in citations:
        assert tree.css_first(f'li[id="{link.attributes["href"][1:]}"]') is not None
    for cell in tree.css(f"{CONTENT} .jp-MarkdownCell"):
        assert "[@" not in cell.text() and "$$" not in cell.text()


@pytest.mark.build
@pytest.mark.parametrize("folder", ["langchain", "finetuning", "embeddings", "history"])
def test_folder_index_lists_its_notebooks_from_their_metadata(built_site, folder):
    tree = parse(built_site, f"{folder}/index.html")
    listing = tree.css_first(".folder-listing").text()
    for notebook in [n for n in NOTEBOOKS if n.startswith(folder + "/")]:
        nb = nbformat.read(ROOT / "docs" / notebook, 4)
        title = re.search(r"^# (.+)$", nb.cells[0].source, re.M).group(1)
        assert title in listing
        assert nb.metadata["diary"]["date"] in listing
        assert nb.metadata["diary"]["summary"][:40] in " ".join(listing.split())
        for tag in nb.metadata["diary"]["tags"]:
            assert tag in listing


@pytest.mark.build
def test_execution_report_page_lists_every_notebook(built_site):
    text = parse(built_site, "execution-report/index.html").css_first(CONTENT).text()
    for notebook in NOTEBOOKS:
        assert notebook in text
    assert "failed" not in text


@pytest.mark.build
def test_a_notebook_added_to_a_folder_appears_in_its_index_and_navigation(project_copy):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["diary"] = {"summary": "A freshly added experiment.", "date": "2026-11-30", "tags": ["fresh-tag"]}
    nb.cells = [nbformat.v4.new_markdown_cell("# A brand new notebook\n\nCiting [@hu2022lora] and $r \\ll d$."),
                nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nb, project_copy / "docs/finetuning/brand-new.ipynb")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    index = LexborHTMLParser((project_copy / "out/finetuning/index.html").read_text())
    listing = index.css_first(".folder-listing")
    assert "A brand new notebook" in listing.text() and "fresh-tag" in listing.text()
    assert listing.css_first("a[href='brand-new/']") is not None
    nav = [a.attributes.get("href") for a in index.css("nav.md-nav--primary a")]
    assert "brand-new/" in nav
    page = (project_copy / "out/finetuning/brand-new/index.html").read_text()
    assert "Not run by" in page  # no execution record yet, and the page says so


# What reading each quirk must mend, as the build's INFO line says it; the others need nothing.
REPAIRS = {
    "colab-stream-metadata": "'metadata' dropped from stream outputs (cell 2)",
    "colab-widgets-without-state": "6 widget models put under 'state', where Jupyter keeps them;"
                                   " 'metadata' dropped from stream outputs (cell 2)",
    "vscode-ids-in-4-2": "marked nbformat 4.5, as its cell ids need (it said 4.2)",
    "vscode-duplicate-ids": "repeated cell id replaced (cell 3)",
    "vscode-transient-output": "'transient' dropped from display_data outputs (cell 2)",
    "pycharm-missing-execution-count": "missing 'execution_count' added (cells 2, 3);"
                                       " missing 'execution_count' added to execute_result outputs (cell 3)",
    "kernel-extra-keys": "'outputExpanded' dropped from a cell (cell 1); 'execution_count' dropped from error outputs (cell 3)",
    "ipython2-nbformat3": "converted from nbformat 3 to 4",
}
QUIRK_FILES = sorted(QUIRKS.glob("*.ipynb"))


@pytest.mark.unit
def test_the_quirk_set_is_big_and_documented():
    documented = (QUIRKS / "README.md").read_text(encoding="utf-8")
    assert len(QUIRK_FILES) >= 10
    for path in QUIRK_FILES:
        assert f"`{path.name}`" in documented, path.name
    assert set(REPAIRS) <= {path.stem for path in QUIRK_FILES}


@pytest.mark.build
def test_notebooks_saved_by_other_tools_are_repaired_and_published(project_copy):
    for path in QUIRK_FILES:
        shutil.copy(path, project_copy / "docs/embeddings" / path.name)
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    assert "Traceback" not in result.stdout
    for path in QUIRK_FILES:
        name = path.stem
        page = (project_copy / "out/embeddings" / name / "index.html").read_text()
        assert f"{name} says 42" in page, name  # each quirk prints its own name
        for host in ("cdn.jsdelivr", "unpkg.com", "cdnjs"):
            assert host not in page, (name, host)
        line = f"INFO    -  docs/embeddings/{path.name}: repaired in memory and in the published copy: "
        if name in REPAIRS:
            assert line + REPAIRS[name] + "\n" in result.stdout, name
        else:
            assert line not in result.stdout, name
        published = project_copy / "out/embeddings" / name / path.name
        nbformat.validate(nbformat.reads(published.read_text(encoding="utf-8"), as_version=nbformat.NO_CONVERT))
    colab = (project_copy / "out/embeddings/colab-export/index.html").read_text()
    assert "Vaswani et al., 2017" in colab and '<span class="arithmatex">' in colab
    strip = parse(project_copy / "out", "embeddings/colab-export/index.html").css_first(f"{CONTENT} .notebook-strip")
    assert [span.text(strip=True) for span in strip.css("span")] == [
        "Not run bymake notebooksyet", "Outputs saved by Colab on GPU", "Kernel Python 3", "Its one code cell has been run"]
    kaggle = parse(project_copy / "out", "embeddings/kaggle-kernel/index.html").css_first(f"{CONTENT} .notebook-strip")
    assert "Outputs saved by Kaggle on T4 GPU" in kaggle.text()
    bars = parse(project_copy / "out", "embeddings/colab-widgets-without-state/index.html")
    bar = bars.css_first(f"{CONTENT} .diary-widget-output")  # the tqdm bar as it was saved, drawn statically
    assert bar.text().strip() == "config.json: 100% 665/665 [00:00<00:00, 41.2kB/s]"
    assert bar.css_first("progress").attributes["value"] == "665"
    assert bars.css_first("script[type='application/vnd.jupyter.widget-view+json']") is None
    # Hugging Face commit hashes and a UUID are ids, not secrets; whoami() and a Drive path are reported, not refused.
    assert "possible secret" not in result.stdout
    for place, kind in [("cell 2 output, line 5", "e-mail address"), ("cell 2 output, lines 4-13", "account details"),
                        ("cell 7 output, line 2", "Google Drive path")]:
        assert (f"INFO    -  docs/embeddings/colab-huggingface-hub.ipynb: {place}: personal data ({kind}): make deploy"
                " refuses it unless the output is cleared or the notebook's diary metadata allows it") in result.stdout


def a_notebook(title, summary, date):
    nb = nbformat.v4.new_notebook()
    nb.metadata["diary"] = {"summary": summary, "date": date, "tags": ["reinforcement-learning"]}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), nbformat.v4.new_code_cell("print('reward', 12)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="reward 12\n")], execution_count=1)]
    return nb


@pytest.mark.build
def test_a_new_folder_of_notebooks_joins_the_site_with_no_nav_edit(project_copy):
    """A folder the author made in Colab's spirit, with a space and capitals, and a kebab-case one."""
    (project_copy / "docs/Reinforcement learning").mkdir()
    nbformat.write(a_notebook("Snake with PPO in JAX", "A snake agent trained with PPO.", "2026-11-20"),
                   project_copy / "docs/Reinforcement learning/Snake_game_PPO_JAX.ipynb")
    (project_copy / "docs/graph-networks").mkdir()
    passing = a_notebook("Message passing", "Neighbours averaged, twice.", "2026-11-21")
    passing.metadata["diary"]["not_run_here"] = "needs the OGB download"
    passing.cells.append(nbformat.v4.new_code_cell("print('layers', 2)", execution_count=3))
    passing.cells[1].execution_count = 7  # run out of order, as a notebook edited for an hour is
    nbformat.write(passing, project_copy / "docs/graph-networks/message-passing.ipynb")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    site = project_copy / "out"
    for folder, title, page in [("Reinforcement learning", "Reinforcement learning", "Snake_game_PPO_JAX"),
                                ("graph-networks", "Graph networks", "message-passing")]:
        index = parse(site, f"{folder}/index.html")
        assert index.css_first(f"{CONTENT} h1").text(strip=True).startswith(title)
        assert index.css_first(f".folder-listing a[href='{page}/']") is not None
        sections = [node.css_first("label, a").text(strip=True)
                    for node in index.css("nav.md-nav--primary .md-nav__item--nested")]
        assert sections.index(title) > sections.index("Embeddings")  # after the folders already there
        notebook = parse(site, f"{folder}/{page}/index.html")
        escaped = folder.replace(" ", "%20")
        colab = notebook.css_first(f"{CONTENT} .notebook-strip a[href*='colab.research.google.com']").attributes["href"]
        assert colab.endswith(f"/docs/{escaped}/{page}.ipynb")
        edit = notebook.css_first("a.md-content__button[href*='/edit/']").attributes["href"]
        assert edit.endswith(f"/docs/{escaped}/{page}.ipynb")
        assert (site / folder / page / f"{page}.ipynb").is_file()
        assert "Not run by" in notebook.css_first(f"{CONTENT} .notebook-strip").text()
    strip = parse(site, "graph-networks/message-passing/index.html").css_first(f"{CONTENT} .notebook-strip").text()
    assert "Not run by make notebooks: needs the OGB download" in " ".join(strip.split())
    assert "2 of 2 code cells run, out of order (last count 7)" in strip
    report = parse(site, "execution-report/index.html").css_first(f"{CONTENT} table").text()
    assert "not run here: needs the OGB download" in report
    beside = parse(site, "embeddings/index.html")  # a sibling section's page shows the new sections too
    links = [a.attributes.get("href") for a in beside.css("nav.md-nav--primary a")]
    assert "../Reinforcement%20learning/" in links and "../graph-networks/" in links


@pytest.mark.build
def test_unknown_key_in_a_notebook_names_the_notebook_and_cell(project_copy):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("1"),
                nbformat.v4.new_markdown_cell("As shown by [@nobody2099imaginary].")]
    nbformat.write(nb, project_copy / "docs/langchain/bad-citation.ipynb")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode != 0
    assert "docs/langchain/bad-citation.ipynb, cell 3: unknown citation key '@nobody2099imaginary'" in result.stdout


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_download_link_serves_the_notebook(tab, site_url, notebook):
    tab.page.goto(site_url + notebook.removesuffix(".ipynb") + "/")
    href = tab.page.locator(f"{CONTENT} .notebook-strip a[download]").get_attribute("href")
    response = tab.page.request.get(urljoin(tab.page.url, href))
    assert response.ok
    assert response.body() == (ROOT / "docs" / notebook).read_bytes()


@pytest.mark.browser
def test_notebook_citations_and_math_work_in_chromium_after_instant_navigation(tab, site_url):
    notebook = next(n for n in NOTEBOOKS if n.startswith("history/"))
    tab.page.goto(site_url + "history/")
    tab.page.wait_for_load_state("networkidle")
    tab.page.evaluate("window.__sameDocument = true")
    tab.page.locator(f"{CONTENT} .folder-listing a[href$='{Path(notebook).stem}/']").click()
    tab.page.wait_for_url(re.compile(Path(notebook).stem + "/(#.*)?$"))
    assert tab.page.evaluate("window.__sameDocument") is True
    tab.page.wait_for_function(
        """() => { const m = document.querySelectorAll("article.md-content__inner .arithmatex");
                   return m.length > 0 && document.querySelectorAll("article.md-content__inner mjx-container").length >= m.length; }""",
        timeout=20000,
    )
    citation = tab.page.locator(f"{CONTENT} a.citation").first
    target = citation.get_attribute("href").split("#")[1]  # instant navigation makes hrefs absolute
    citation.click()
    expect(tab.page.locator(f"li[id='{target}']")).to_be_in_viewport()
    assert tab.console_errors == []
    assert tab.foreign_requests() == []
