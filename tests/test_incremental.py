"""A `--dirty` rebuild (what `make serve` does on each save) gives the site a full build gives.

One copy of the project is built once with `--dirty`, as `make serve` starts;
each test edits it, rebuilds the same output directory with `--dirty`, then
builds the same sources afresh, with no cache at all (DIARY_CACHE=off: output a
--dirty build kept could not stand in for it), into another directory and
compares every file byte for byte. A body edit must rewrite only its own page;
an edit that other pages show must reach them.
"""

import datetime
import filecmp
import json
import time

import pytest
import yaml

from conftest import SAME_TIME, SERVE_ENV, copy_project, run_mkdocs
from diary.search import entries_in

pytestmark = [pytest.mark.build, pytest.mark.xdist_group("incremental")]  # one copy, edited in turn
ENV = {**SERVE_ENV, **SAME_TIME}


@pytest.fixture(scope="module")
def diary(tmp_path_factory, warm_cache):
    project = copy_project(tmp_path_factory.mktemp("incremental") / "project", cache=warm_cache)
    result = run_mkdocs("build", "--dirty", "--site-dir", "live", cwd=project, env=ENV)
    assert result.returncode == 0, result.stdout
    return project


def rebuild(project):
    """--dirty rebuild of live/; returns the HTML files it rewrote, relative to live/."""
    time.sleep(0.05)  # the edit, then the outputs, must get later modification times
    started = time.time()
    result = run_mkdocs("build", "--dirty", "--site-dir", "live", cwd=project, env=ENV)
    assert result.returncode == 0, result.stdout
    live = project / "live"
    return {str(p.relative_to(live)) for p in live.rglob("*.html") if p.stat().st_mtime >= started}


def every_page(project):
    return {str(p.relative_to(project / "live")) for p in (project / "live").rglob("*.html")}


# Pages that neither link to the pages the tests below retitle, re-summarise or re-tag, nor list
# them: a partial rebuild must leave them alone.
UNRELATED = {"about/index.html", "notes/index.html", "history/n-grams/index.html", "history/rnns-and-lstms/index.html"}


def assert_same_as_a_full_build(project):
    fresh = project / "fresh"
    result = run_mkdocs("build", "--clean", "--site-dir", "fresh", cwd=project, env={**ENV, "DIARY_CACHE": "off"})
    assert result.returncode == 0, result.stdout
    live = project / "live"
    assert _files(live) == _files(fresh)
    _, mismatch, errors = filecmp.cmpfiles(live, fresh, _files(fresh), shallow=False)
    assert mismatch == [] and errors == [], mismatch[:10]


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def read(project, page):
    return (project / "live" / page / "index.html").read_text(encoding="utf-8")


def search_locations(project, word):
    return {doc["location"].split("#")[0] for doc in entries_in(project / "live") if word in doc["text"]}


def append(path, text):
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_body_edit_rebuilds_that_page_alone(diary):
    """The about page: no notebook reads it, so its edit makes no notebook's outputs stale."""
    word = f"quokkaish{time.time_ns()}"
    append(diary / "docs" / "about.md", f"\nOne more thought, {word}.\n")
    rewritten = rebuild(diary)
    assert rewritten == {"about/index.html", "404.html"}
    assert word in read(diary, "about")
    assert search_locations(diary, word) == {"about/"}
    # Every other page is still in the index, under its own title.
    assert search_locations(diary, "Kneser") >= {"history/n-grams/"}
    assert_same_as_a_full_build(diary)


def test_a_body_edit_keeps_works_that_read_alike_apart_as_a_full_build_does(diary):
    """The essay cites two papers by Nanda et al. from 2023: a rebuild of it alone must tell them
    apart exactly as the full build, which formats every page's citations together, does."""
    append(diary / "docs" / "essays" / "people-and-labs.md", "\nA closing thought on method.\n")
    rebuild(diary)
    assert "Nanda, Chan, et al., 2023" in read(diary, "essays/people-and-labs")
    assert_same_as_a_full_build(diary)


def test_a_revision_date_reaches_the_home_page(diary):
    essay = diary / "docs" / "essays" / "safety-issues.md"
    _, meta, body = essay.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(meta)
    meta["date"] = {**(meta.get("date") or {}), "updated": datetime.date(2031, 2, 3)}
    essay.write_text(f"---\n{yaml.safe_dump(meta)}---\n{body}", encoding="utf-8")
    rewritten = rebuild(diary)
    assert "index.html" in rewritten
    assert "updated 2031-02-03" in read(diary, ".")
    assert_same_as_a_full_build(diary)


def test_a_notebook_edit_rebuilds_that_notebook_alone(diary):
    path = diary / "docs" / "embeddings" / "count-based-word-vectors.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    word = f"wombatlike{time.time_ns()}"
    cell = [c for c in notebook["cells"] if c["cell_type"] == "markdown"][-1]
    cell["source"] = "".join(cell["source"]) + f"\n\nA closing remark, {word}."
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    converted = set((diary / ".cache" / "diary" / "notebook-html").glob("*/*"))
    assert rebuild(diary) == {"embeddings/count-based-word-vectors/index.html", "404.html"}
    assert word in read(diary, "embeddings/count-based-word-vectors")
    # Its tags still link to the tags page, which was not rebuilt.
    assert 'href="../../tags/#tag:word-vectors"' in read(diary, "embeddings/count-based-word-vectors")
    # The other notebooks stay converted for the next full rebuild; only the edited one's entry is new.
    kept = set((diary / ".cache" / "diary" / "notebook-html").glob("*/*"))
    assert converted <= kept and len(kept - converted) == 1
    assert_same_as_a_full_build(diary)


def test_a_new_title_reaches_every_page_that_names_it(diary):
    path = diary / "docs" / "embeddings" / "count-based-word-vectors.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    title = f"Word vectors, counted {time.time_ns()}"
    cell = next(c for c in notebook["cells"] if "".join(c["source"]).startswith("# "))
    source = "".join(cell["source"])
    rest = source.split("\n", 1)[1] if "\n" in source else ""
    cell["source"] = f"# {title}\n{rest}"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    rewritten = rebuild(diary)
    # The pages that name it: its section's pages and folder listing, its neighbours, the tags
    # page, the execution report, the home page's lists; not the rest of the site.
    assert {"embeddings/count-based-word-vectors/index.html", "embeddings/index.html", "tags/index.html",
            "execution-report/index.html", "finetuning/lora-from-scratch/index.html", "index.html"} <= rewritten
    assert not rewritten & UNRELATED and len(rewritten) < len(every_page(diary)) / 2
    # The section's sidebar and its folder listing both name the notebook.
    assert read(diary, "embeddings").count(title) >= 2
    assert title in read(diary, "tags") and title in read(diary, "execution-report")
    assert_same_as_a_full_build(diary)


def test_a_new_summary_reaches_the_folder_listing_alone(diary):
    path = diary / "docs" / "finetuning" / "lora-from-scratch.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    summary = f"LoRA by hand, summarised anew {time.time_ns()}."
    notebook["metadata"]["diary"]["summary"] = summary
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    rewritten = rebuild(diary)
    assert {"finetuning/lora-from-scratch/index.html", "finetuning/index.html"} <= rewritten
    assert not rewritten & UNRELATED and len(rewritten) < len(every_page(diary)) / 2
    assert summary in read(diary, "finetuning")
    assert_same_as_a_full_build(diary)


def test_a_new_citation_reaches_the_reading_list(diary):
    """A key other pages cite already: the site cites the same keys, so only the citing page and
    the reading list's "cited on" change."""
    append(diary / "docs" / "about.md", "\nSmoothing still matters [@good1953population].\n")
    assert rebuild(diary) == {"about/index.html", "reading/index.html", "404.html"}
    entry = read(diary, "reading").split('id="bib-good1953population"', 1)[1].split("<h4", 1)[0]
    assert "about/" in entry, "'cited on' misses the page that now cites it"
    assert_same_as_a_full_build(diary)


def test_a_citation_of_a_key_cited_nowhere_yet_rebuilds_everything(diary):
    """pandoc tells works that would read alike apart among all the keys the site cites, so a key
    new to the site can change how a citation reads on any page."""
    essay = diary / "docs" / "essays" / "people-and-labs.md"
    text = essay.read_text(encoding="utf-8")
    assert text.count("[@hubinger2024sleeper]") == 1
    essay.write_text(text.replace("[@hubinger2024sleeper]", "(Hubinger and others)"), encoding="utf-8")
    assert rebuild(diary) == every_page(diary)  # a key no page cites any more: everything again
    entry = read(diary, "reading").split('id="bib-hubinger2024sleeper"', 1)[1].split("<h4", 1)[0]
    assert "Not cited on a page yet." in entry
    assert_same_as_a_full_build(diary)

    append(diary / "docs" / "errata.md", "\nBackdoors persist through safety training [@hubinger2024sleeper].\n")
    assert rebuild(diary) == every_page(diary)
    entry = read(diary, "reading").split('id="bib-hubinger2024sleeper"', 1)[1].split("<h4", 1)[0]
    assert "errata/" in entry
    assert_same_as_a_full_build(diary)


def test_a_new_tag_reaches_the_tags_page(diary):
    tag = f"incremental-{time.time_ns()}"
    path = diary / "docs" / "essays" / "focus-areas.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "\ntags:\n" in text
    path.write_text(text.replace("\ntags:\n", f"\ntags:\n  - {tag}\n", 1), encoding="utf-8")
    rewritten = rebuild(diary)
    # The tags page lists every tagged page, the skipped ones included.
    assert {"essays/focus-areas/index.html", "essays/index.html", "tags/index.html"} <= rewritten
    assert not rewritten & UNRELATED and len(rewritten) < len(every_page(diary)) / 2
    assert tag in read(diary, "tags") and tag in read(diary, "essays")
    assert 'href="../history/n-grams/"' in read(diary, "tags")
    assert_same_as_a_full_build(diary)


def test_a_heading_edit_fails_as_a_full_build_does_when_a_page_links_to_the_old_anchor(diary):
    essay = diary / "docs" / "essays" / "safety-issues.md"
    text = essay.read_text(encoding="utf-8")
    assert "\n## Interpretability gaps\n" in text
    append(diary / "docs" / "errata.md", "\nSee [the gaps](essays/safety-issues.md#interpretability-gaps).\n")
    rebuild(diary)
    essay.write_text(text.replace("\n## Interpretability gaps\n", "\n## Gaps in interpretability\n"), encoding="utf-8")
    time.sleep(0.05)
    dirty = run_mkdocs("build", "--dirty", "--site-dir", "live", cwd=diary, env=ENV)
    fresh = run_mkdocs("build", "--site-dir", "fresh", cwd=diary, env={**ENV, "DIARY_CACHE": "off"})
    warning = ("Doc file 'errata.md' contains a link 'essays/safety-issues.md#interpretability-gaps', "
               "but the doc 'essays/safety-issues.md' does not contain an anchor '#interpretability-gaps'.")
    for result in (dirty, fresh):
        assert result.returncode != 0 and warning in result.stdout, result.stdout
        assert "Aborted with 1 warnings in strict mode!" in result.stdout
    essay.write_text(text, encoding="utf-8")
    assert rebuild(diary) == every_page(diary)  # the failed build left no record: everything again
    # A heading no page links to: that page alone (and the pages its edit makes stale) is rebuilt.
    essay.write_text(text.replace("\n## Robustness", "\n## Robustness, revised"), encoding="utf-8")
    assert rebuild(diary) <= {"essays/safety-issues/index.html", "404.html", "execution-report/index.html",
                              "langchain/retrieval-over-the-diary/index.html"}
    assert_same_as_a_full_build(diary)


def test_added_and_removed_pages_come_and_go_everywhere(diary):
    page = diary / "docs" / "essays" / "short-lived.md"
    page.write_text("---\ndescription: Here and gone.\n---\n\n# A short-lived essay\n\nNot for long.\n")
    rebuild(diary)
    assert "A short-lived essay" in read(diary, "essays/focus-areas")
    assert_same_as_a_full_build(diary)
    page.unlink()
    rebuild(diary)
    assert not (diary / "live" / "essays" / "short-lived").exists()
    assert "A short-lived essay" not in read(diary, "essays/focus-areas")
    assert_same_as_a_full_build(diary)


def test_a_quick_note_edit_reaches_the_blog_index(diary):
    post = sorted((diary / "docs" / "notes" / "posts").glob("*.md"))[0]
    word = f"platypoid{time.time_ns()}"
    text = post.read_text(encoding="utf-8")
    first = text.index("\n\n", text.index("\n# ")) + 2  # the first paragraph, inside the excerpt
    post.write_text(text[:first] + f"{word} first. " + text[first:], encoding="utf-8")
    rebuild(diary)
    assert word in read(diary, "notes")
    assert_same_as_a_full_build(diary)


def test_a_bibliography_edit_rebuilds_everything(diary):
    bib = diary / "docs" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    assert "{Prediction and Entropy of Printed" in text
    bib.write_text(text.replace("{Prediction and Entropy of Printed", "{Revised: Prediction and Entropy of Printed", 1),
                   encoding="utf-8")
    rebuild(diary)
    assert "Revised: " in read(diary, "reading")
    assert_same_as_a_full_build(diary)



def test_an_edit_to_a_page_a_notebook_read_marks_its_outputs_stale_everywhere(diary):
    import nbformat

    from diary.freshness import inputs_of_run

    essay = diary / "docs/essays/focus-areas.md"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Counts an essay"), nbformat.v4.new_code_cell(
        "print(len(open('../essays/focus-areas.md').read()))", execution_count=1,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="1861\n")])]
    path = diary / "docs/langchain/counts-an-essay.ipynb"
    nbformat.write(nb, path)
    report_path = diary / "docs/execution-report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["notebooks"]["langchain/counts-an-essay.ipynb"] = {
        "status": "ok", "last_success": "2026-11-30T10:00:00+00:00", "duration_s": 1.0,
        "inputs": inputs_of_run(nb, [str(essay)], path, diary)}
    report_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    rebuild(diary)
    assert "older than their inputs" not in read(diary, "langchain/counts-an-essay")

    essay.write_text(essay.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    rewritten = rebuild(diary)
    assert {"essays/focus-areas/index.html", "langchain/counts-an-essay/index.html",
            "execution-report/index.html"} <= rewritten
    assert len(rewritten) < 10  # the pages that show the edit or the staleness, not the whole site
    said = "utputs older than their inputs: docs/essays/focus-areas.md changed"
    assert f"O{said}" in read(diary, "langchain/counts-an-essay")
    assert f"o{said}" in read(diary, "execution-report")
    assert_same_as_a_full_build(diary)
