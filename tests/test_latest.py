"""The home page's newest notes and recently revised pages, from the pages' own dates."""

import datetime
import re
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from jinja2 import Environment, PackageLoader
from selectolax.lexbor import LexborHTMLParser

from conftest import ROOT, build
from diary.latest import LIMIT, insert_latest, newest_notes, recently_updated
from diary.pages import model_markdown, model_notebook

POSTS = "notes/posts/"
BLOG = SimpleNamespace(plugins={"material/blog": SimpleNamespace(
    config=SimpleNamespace(enabled=True, blog_dir="notes", post_dir="{blog}/posts"))})


def note(day, title):
    text = f"---\ndate:\n  created: 2026-11-{day:02d}\ncategories: [Scaling]\n---\n\n# {title}\n\nIt says {title}.\n"
    return model_markdown(text, f"{POSTS}2026-11-{day:02d}-{title.lower()}.md")


def page(title, front="", folder="essays"):
    return model_markdown(f"---\n{front}---\n\n# {title}\n\nAbout {title}.\n", f"{folder}/{title.lower()}.md")


@pytest.mark.unit
def test_a_revision_date_comes_from_the_blog_form_of_the_date():
    model = page("Ceiling", "date:\n  created: 2026-10-01\n  updated: 2026-12-06\n")
    assert model.date == datetime.date(2026, 10, 1) and model.updated == datetime.date(2026, 12, 6)
    assert page("Plain", "date: 2026-10-01\n").updated is None
    assert page("Revised", "date:\n  updated: 2026-12-06\n").date is None
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Vectors\n\nCounts.")],
                                        metadata={"diary": {"date": "2026-11-19", "updated": "2026-12-01"}})
    assert model_notebook(notebook, "embeddings/vectors.ipynb").updated == datetime.date(2026, 12, 1)


@pytest.mark.unit
def test_the_newest_notes_are_the_latest_created_and_only_notes():
    models = {f"{POSTS}2026-11-{day:02d}.md": note(day, f"Note{day}") for day in (2, 9, 16, 23, 30, 1, 5)}
    models["essays/newer.md"] = page("Newer", "date: 2026-12-24\n")
    newest = newest_notes(models, POSTS)
    assert [e["title"] for e in newest] == ["Note30", "Note23", "Note16", "Note9", "Note5"]
    assert len(newest) == LIMIT
    assert newest_notes(models, None) == []  # no blog, no notes


@pytest.mark.unit
def test_recently_updated_orders_pages_by_revision_or_date_and_leaves_out_notes_and_undated_pages():
    models = {
        "index.md": page("Home", "date:\n  updated: 2027-01-01\n", folder=""),
        f"{POSTS}2026-11-30.md": note(30, "Note"),
        "essays/revised.md": page("Revised", "date:\n  created: 2026-01-01\n  updated: 2026-12-06\n"),
        "essays/undated.md": page("Undated"),
        "history/new.md": page("New", "date: 2026-12-01\n", folder="history"),
        "history/tie-b.md": page("Tie b", "date: 2026-11-01\n", folder="history"),
        "history/tie-a.md": page("Tie a", "date: 2026-11-01\n", folder="history"),
        "history/added.md": page("Zeta added", "date: 2026-12-06\n", folder="history"),
    }
    listed = recently_updated(models, POSTS, "index.md")
    assert [(e["title"], e["how"], e["date"].isoformat()) for e in listed] == [
        ("Zeta added", "added", "2026-12-06"), ("Revised", "updated", "2026-12-06"),
        ("New", "added", "2026-12-01"), ("Tie a", "added", "2026-11-01"), ("Tie b", "added", "2026-11-01"),
    ]
    assert len(recently_updated({**models, "x/more.md": page("More", "date: 2020-01-01\n", "x")}, POSTS,
                                "index.md")) == LIMIT


@pytest.mark.unit
def test_the_markers_become_lists_linked_from_the_page_that_shows_them():
    models = {
        f"{POSTS}2026-11-30-a.md": note(30, "A [draft] idea"),
        "essays/revised.md": page("Revised", "date:\n  updated: 2026-12-06\n"),
        "my folder/new notebook.md": page("Spaced", "date: 2026-12-01\n", folder="my folder"),
    }
    templates = Environment(loader=PackageLoader("diary", "templates"))
    home = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    markdown = "# Home\n\n<!-- diary:latest-notes -->\n\n<!-- diary:recently-updated -->\n"
    out = insert_latest(markdown, home, BLOG, models, templates)
    assert "diary:" not in out
    assert f"[A \\[draft\\] idea](<{POSTS}2026-11-30-a.md>)**, 2026-11-30: It says A [draft] idea." in out
    assert "[Revised](<essays/revised.md>)**, updated 2026-12-06" in out
    assert "[Spaced](<my folder/new notebook.md>)**, added 2026-12-01" in out
    deeper = SimpleNamespace(file=SimpleNamespace(src_uri="essays/index.md"))
    assert "(<../notes/posts/2026-11-30-a.md>)" in insert_latest(markdown, deeper, BLOG, models, templates)
    assert insert_latest("No markers here.", home, BLOG, models, templates) == "No markers here."
    empty = insert_latest(markdown, home, BLOG, {}, templates)
    assert "No notes are published yet." in empty and "No page gives a date yet." in empty


def front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


def home_lists(site):
    article = LexborHTMLParser((site / "index.html").read_text(encoding="utf-8")).css_first("article")
    lists = article.css("div.latest-listing")
    assert len(lists) == 2
    return [[(li.css_first("a").text(), li.text()) for li in listing.css("li")] for listing in lists]


@pytest.mark.build
def test_the_home_page_lists_the_five_newest_notes_whatever_they_are(built_site):
    posts = sorted((ROOT / "docs/notes/posts").glob("*.md"))
    published = [(front_matter(p)["date"]["created"], p) for p in posts if not front_matter(p).get("draft")]
    newest = sorted(published, key=lambda item: item[0], reverse=True)[:LIMIT]
    notes, updated = home_lists(built_site)
    assert [re.search(r"\d{4}-\d{2}-\d{2}", text).group(0) for _, text in notes] == \
        [created.isoformat() for created, _ in newest]
    titles = [re.search(r"^# (.+)$", p.read_text(encoding="utf-8"), re.M).group(1) for _, p in newest]
    assert [title for title, _ in notes] == titles
    assert 1 <= len(updated) <= LIMIT


@pytest.mark.build
def test_a_new_note_and_a_revised_essay_reach_the_home_page_with_no_other_edit(project_copy, tmp_path):
    docs = project_copy / "docs"
    (docs / "notes/posts/2030-01-02-a-later-note.md").write_text(
        "---\ndate:\n  created: 2030-01-02\ncategories:\n  - Tooling\n---\n\n# A later note\n\nWritten later.\n",
        encoding="utf-8")
    essay = docs / "essays/safety-issues.md"
    _, meta, body = essay.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(meta)
    meta["date"] = {**(meta.get("date") or {}), "updated": datetime.date(2030, 1, 3)}
    essay.write_text(f"---\n{yaml.safe_dump(meta)}---\n{body}", encoding="utf-8")
    build(project_copy, tmp_path / "site")
    notes, updated = home_lists(tmp_path / "site")
    assert notes[0] == ("A later note", "A later note, 2030-01-02: Written later.")
    assert len(notes) == LIMIT
    assert updated[0] == ("Key AI safety issues I track", "Key AI safety issues I track, updated 2030-01-03")
    home = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert 'href="notes/2030/01/02/a-later-note/"' in home and 'href="essays/safety-issues/"' in home
