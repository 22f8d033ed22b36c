"""The page model: what a page shows to other pages, read once per version of its file."""

import datetime
import json
import os

import nbformat
import pytest
from mkdocs.structure.files import File, Files

from diary.listings import extend_sections, folder_entries
from diary.pages import Pages, model_markdown, model_notebook
from diary.sources import DiaryFileError, parse_date, parse_notebook

pytestmark = pytest.mark.unit

ESSAY = """---
description: Why attention replaced recurrence.
date: 2026-11-02
tags:
  - attention
  - history
---

# Attention, briefly

Recurrence read one token at a time [@bahdanau2015neural; @vaswani2017attention].

![figure](figures/heads.svg)

## Scaled dot-product { #sdpa }

See [the n-gram page](../history/n-grams.md#smoothing) and <span id="aside">this</span>.

<!-- more -->

<!-- diary:listing -->
"""


def test_a_markdown_page_shows_its_title_summary_date_tags_citations_and_headings():
    model = model_markdown(ESSAY, "essays/attention.md")
    assert model.kind == "page" and model.title == "Attention, briefly"
    assert model.summary == "Why attention replaced recurrence."
    assert model.date == datetime.date(2026, 11, 2)
    assert model.tags == ("attention", "history") and model.draft is False
    assert model.citations == ("bahdanau2015neural", "vaswani2017attention")
    assert "## Scaled dot-product { #sdpa }" in model.headings and 'id="aside"' in model.headings
    assert model.links == ("essays/figures/heads.svg", "history/n-grams.md")
    assert model.markers == ("listing",) and model.gathers is False
    assert model.excerpt.startswith("---") and "<!-- diary:listing -->" not in model.excerpt


def test_without_front_matter_the_first_heading_and_paragraph_stand_in():
    model = model_markdown("# Plain page\n\n> a quote\n\nThe first real paragraph,\nover two lines.\n", "p.md")
    assert model.title == "Plain page"
    assert model.summary == "The first real paragraph, over two lines."
    assert model.date is None and model.tags == () and model.excerpt == ""


def test_a_notebook_shows_its_diary_metadata_and_its_markdown_cells():
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["diary"] = {"summary": "Counts become vectors.", "date": "2026-10-01", "tags": ["ppmi"],
                                  "draft": True}
    notebook.cells = [nbformat.v4.new_markdown_cell("# Word vectors\n\nFollowing [@levy2014neural]."),
                      nbformat.v4.new_code_cell("print('[@not_a_citation]')"),
                      nbformat.v4.new_markdown_cell("## Results")]
    model = model_notebook(notebook, "embeddings/vectors.ipynb")
    assert (model.kind, model.title, model.summary) == ("notebook", "Word vectors", "Counts become vectors.")
    assert model.date == datetime.date(2026, 10, 1) and model.tags == ("ppmi",) and model.draft is True
    assert model.citations == ("levy2014neural",)
    assert model.headings == ("# Word vectors", "## Results")


@pytest.mark.parametrize("value, expected", [
    ("2026-11-30", datetime.date(2026, 11, 30)),
    (datetime.date(2026, 1, 2), datetime.date(2026, 1, 2)),
    (datetime.datetime(2026, 1, 2, 9, 30), datetime.date(2026, 1, 2)),
    ({"created": datetime.date(2025, 5, 6), "updated": datetime.date(2026, 1, 1)}, datetime.date(2025, 5, 6)),
    (None, None),
])
def test_dates_come_in_the_forms_authors_write_them(value, expected):
    assert parse_date(value, "docs/p.md") == expected


def test_a_date_that_is_not_a_date_names_the_file():
    with pytest.raises(DiaryFileError, match=r"^docs/p.md: date 'next tuesday' is not a date \(use YYYY-MM-DD\)$"):
        parse_date("next tuesday", "docs/p.md")


@pytest.mark.parametrize("data, message", [
    (b'{"cells": [}', "docs/n.ipynb: not valid JSON at line 1, column 12: Expecting value"),
    (b'{"a": 1}', "docs/n.ipynb: JSON but not a notebook (no 'cells' or 'nbformat')"),
    (b'{"cells": [], "nbformat": 4, \xff}', "docs/n.ipynb: line 1: not UTF-8 (byte 29); save it as UTF-8"),
])
def test_a_notebook_that_cannot_be_read_says_why_in_one_line(data, message):
    with pytest.raises(DiaryFileError) as error:
        parse_notebook(data, "docs/n.ipynb")
    assert str(error.value) == message


def site(tmp_path, pages):
    docs = tmp_path / "docs"
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    return Files([File(name, str(docs), str(tmp_path / "site"), True) for name in pages])


def test_a_model_is_worked_out_again_only_when_its_file_changes(tmp_path):
    files = site(tmp_path, {"essays/a.md": "# A\n\nFirst.\n", "essays/b.md": "# B\n\nSecond.\n"})
    pages = Pages()
    pages.refresh(files)
    a, b = (pages.model(files.get_file_from_path(f"essays/{name}.md")) for name in "ab")
    (tmp_path / "docs/essays/b.md").write_text("# B, retitled\n\nSecond.\n", encoding="utf-8")
    pages.refresh(files)
    assert pages.model(files.get_file_from_path("essays/a.md")) is a
    assert pages.model(files.get_file_from_path("essays/b.md")).title == "B, retitled"
    pages.refresh(Files([files.get_file_from_path("essays/a.md")]))
    assert pages.model(files.get_file_from_path("essays/b.md")) is None  # forgotten with its file
    assert b.title == "B"


def test_an_unreadable_file_is_reported_each_time_it_is_asked_for(tmp_path):
    files = site(tmp_path, {"essays/bad.md": "---\ntitle: [unclosed\n---\n\n# Bad\n",
                            "lab/broken.ipynb": json.dumps({"cells": "none"})})
    pages = Pages()
    pages.refresh(files)
    for _ in range(2):
        with pytest.raises(DiaryFileError, match=r"^docs/essays/bad.md: line \d+: front matter is not valid YAML$"):
            pages.model(files.get_file_from_path("essays/bad.md"))
    assert pages.models(files) == {}


def test_a_folder_section_gains_the_pages_saved_in_the_folder():
    nav = [{"Essays": ["essays/index.md", {"Named": "essays/named.md"}]}, {"About": "about.md"}]
    extended = extend_sections(nav, {"essays/index.md", "essays/named.md", "essays/new.md", "about.md", "x/y.md"})
    assert extended == [{"Essays": ["essays/index.md", {"Named": "essays/named.md"}, "essays/new.md"]},
                        {"About": "about.md"}]


def test_a_listing_shows_the_folders_files_newest_first(tmp_path):
    files = site(tmp_path, {
        "lab/index.md": "# Lab\n\n<!-- diary:listing -->\n",
        "lab/old.md": "---\ndate: 2025-01-01\ndescription: Old one.\n---\n\n# Old\n",
        "lab/new.md": "---\ndate: 2026-01-01\ntags: [fresh]\n---\n\n# New\n\nNewest text.\n",
        "lab/helper.py": '"""Counts n-grams for the notebook."""\n',
        "lab/sub/deeper.md": "# Deeper\n",
    })
    pages = Pages()
    pages.refresh(files)
    entries = folder_entries(files, "lab", "lab/index.md", pages.models(files))
    assert [(e["kind"], e["title"], e["summary"]) for e in entries] == [
        ("Note", "New", "Newest text."), ("Note", "Old", "Old one."),
        ("Script", "helper.py", "Counts n-grams for the notebook."),
    ]
    assert entries[0]["tags"] == ["fresh"] and entries[0]["link"] == "new.md"


def test_a_file_is_read_again_unless_its_unchanged_size_and_time_are_trusted(tmp_path):
    from diary.pages import Digests

    path = tmp_path / "note.md"
    path.write_text("first")
    digests = Digests()
    digest, data = digests.of(str(path))
    assert data == b"first"
    assert digests.of(str(path), trust_stat=True) == (digest, None)  # not read again
    assert digests.of(str(path), trust_stat=False) == (digest, b"first")  # a plain build reads every file
    stat = path.stat()
    path.write_text("other")  # same size, and the old modification time put back
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert digests.of(str(path), trust_stat=True)[0] == digest  # what --dirty trusts, as MkDocs does
    assert digests.of(str(path))[0] != digest
