"""The writing workflow readers and the author see: notes, feeds, tags, dates, scaffolding, metadata."""

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import nbformat
import pytest
import yaml
from selectolax.lexbor import LexborHTMLParser

from conftest import GIT_IDENTITY, ROOT, run_mkdocs
from diary.dates import PLUGIN_LOGGER, UntrackedPageClockQuirk

POSTS = sorted((ROOT / "docs/notes/posts").glob("*.md"))
CATEGORIES = {"Alignment and safety", "Hallucination and grounding", "Interpretability", "Scaling",
              "World models", "Tooling"}


def front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def parse(site, page):
    return LexborHTMLParser((site / page).read_text(encoding="utf-8"))


@pytest.mark.unit
def test_every_note_is_dated_and_filed_by_focus_area():
    assert POSTS, "the diary has quick notes"
    for post in POSTS:
        meta = front_matter(post)
        assert meta["date"]["created"]
        assert set(meta["categories"]) <= CATEGORIES


@pytest.mark.build
def test_notes_index_archive_categories_and_reading_time(built_site):
    index = parse(built_site, "notes/index.html").css_first(".md-content").text()
    for post in POSTS:
        title = re.search(r"^# (.+)$", post.read_text(), re.M).group(1)
        assert title in index or (built_site / "notes/page/2/index.html").exists()
    for year in {str(front_matter(post)["date"]["created"])[:4] for post in POSTS}:
        assert (built_site / f"notes/archive/{year}/index.html").exists(), year
    for category in {category for post in POSTS for category in front_matter(post)["categories"]}:
        slug = category.lower().replace(" ", "-")
        assert (built_site / f"notes/category/{slug}/index.html").exists(), category
    for post in built_site.glob("notes/[0-9]*/*/*/*/index.html"):
        assert re.search(r"\d+ min read", post.read_text()), post


@pytest.mark.build
def test_feeds_are_valid_with_a_date_for_every_item(built_site):
    for name in ("feed_rss_created.xml", "feed_rss_updated.xml"):
        channel = ET.parse(built_site / name).getroot().find("channel")
        items = channel.findall("item")
        assert len(items) >= len(POSTS)
        for item in items:
            assert item.findtext("title") and item.findtext("link") and item.findtext("pubDate")
    feed = json.loads((built_site / "feed_json_created.json").read_text())
    assert feed["version"].startswith("https://jsonfeed.org/version/")
    by_title = {item["title"]: item for item in feed["items"]}
    for post in POSTS:
        title = re.search(r"^# (.+)$", post.read_text(), re.M).group(1)
        created = str(front_matter(post)["date"]["created"])
        assert by_title[title]["date_published"].startswith(created), title  # front matter wins over git
    assert any("/essays/" in item["url"] for item in feed["items"])


@pytest.mark.build
@pytest.mark.parametrize("page", ["index.html", "essays/focus-areas/index.html", "notes/index.html",
                                  "history/n-gram-smoothing/index.html"])
def test_every_page_links_the_feeds_and_carries_social_metadata(built_site, page):
    head = parse(built_site, page).head
    feeds = {link.attributes["type"] for link in head.css("link[rel~=alternate]")}
    assert {"application/rss+xml", "application/feed+json"} <= feeds
    meta = {node.attributes.get("property") or node.attributes.get("name"): node.attributes.get("content")
            for node in head.css("meta")}
    assert meta["description"] and meta["og:description"] and meta["twitter:description"]
    assert meta["og:title"] and meta["og:image"].endswith("assets/images/social-card.png")
    assert meta["twitter:card"] == "summary_large_image"
    assert head.css_first("link[rel=canonical]").attributes["href"].startswith("http")


@pytest.mark.build
def test_the_preview_image_is_a_real_card(built_site):
    from PIL import Image

    with Image.open(built_site / "assets/images/social-card.png") as card:
        assert card.size == (1200, 630)
        assert len(card.convert("RGB").getcolors(maxcolors=1 << 20)) > 10  # text was drawn on it


def page_tags():
    """{tag: kind of page} for every tag an essay, note or notebook carries."""
    tags = {}
    for page in (ROOT / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            tags.update((tag, "page") for tag in yaml.safe_load(text.split("---\n")[1]).get("tags", []))
    for notebook in (ROOT / "docs").rglob("*.ipynb"):
        tags.update((tag, "notebook") for tag in nbformat.read(notebook, 4).metadata["diary"].get("tags", []))
    return tags


@pytest.mark.build
def test_tags_page_gathers_essays_notes_and_notebooks(built_site):
    text = parse(built_site, "tags/index.html").css_first("article.md-content__inner").text()
    tags = page_tags()
    assert {"page", "notebook"} <= set(tags.values())
    for tag in tags:
        assert tag in text, tag


@pytest.mark.build
@pytest.mark.parametrize("page", ["essays/focus-areas/index.html", "history/n-gram-smoothing/index.html"])
def test_pages_show_when_they_were_created_and_updated(built_site, page):
    facts = parse(built_site, page).css(".md-source-file__fact")
    assert len(facts) == 2
    for fact in facts:
        assert re.search(r"\w+ \d{1,2}, \d{4}", fact.text())


def commit_at(project, date, message):
    env = {**os.environ, **GIT_IDENTITY, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "commit", "-qam", message], cwd=project, env=env, check=True)


def source_dates(html):
    return [fact.text().strip() for fact in LexborHTMLParser(html).css(".md-source-file__fact")]


@pytest.mark.build
def test_dates_come_from_git_history_with_fallbacks(project_copy, tmp_path):
    essay = project_copy / "docs/essays/focus-areas.md"
    shutil.rmtree(project_copy / ".git")  # a history of our own, with known dates
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project_copy, check=True)
    subprocess.run(["git", "add", "-A", ":!docs/essays/focus-areas.md"], cwd=project_copy, check=True)
    commit_at(project_copy, "2025-01-10T12:00:00", "the diary without the essay")
    subprocess.run(["git", "add", str(essay)], cwd=project_copy, check=True)
    commit_at(project_copy, "2025-03-01T12:00:00", "add the essay")
    essay.write_text(essay.read_text() + "\nA later thought.\n")
    commit_at(project_copy, "2025-06-15T12:00:00", "edit")
    (project_copy / "docs/essays/untracked-thoughts.md").write_text(
        "---\ndescription: Not committed yet\n---\n\n# Untracked thoughts\n\nWritten, not committed.\n")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    updated, created = source_dates((project_copy / "out/essays/focus-areas/index.html").read_text())
    assert updated == "June 15, 2025" and created == "March 1, 2025"
    assert len(source_dates((project_copy / "out/essays/untracked-thoughts/index.html").read_text())) == 2

    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", project_copy.as_uri(), str(shallow)], check=True)
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=shallow)
    assert result.returncode == 0, result.stdout
    assert source_dates((shallow / "out/essays/focus-areas/index.html").read_text())

    unpacked = tmp_path / "download-zip"  # GitHub's "Download ZIP": the files, no .git
    shutil.copytree(shallow, unpacked, ignore=shutil.ignore_patterns(".git", "out"))
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=unpacked)
    assert result.returncode == 0, result.stdout
    assert "WARNING" not in result.stdout
    assert "diary: this copy has no git history: page dates fall back to the build date" in result.stdout
    assert len(source_dates((unpacked / "out/essays/focus-areas/index.html").read_text())) == 2
    assert "<item>" in (unpacked / "out/feed_rss_created.xml").read_text()


def new(project, *args):
    return subprocess.run([sys.executable, "scripts/new.py", *args], cwd=project, capture_output=True, text=True)


@pytest.mark.parametrize("kind, extra, pattern", [
    ("note", ["--category", "Interpretability"], r"docs/notes/posts/\d{4}-\d{2}-\d{2}-probing-for-truth\.md"),
    ("essay", [], r"docs/essays/probing-for-truth\.md"),
    ("notebook", ["--folder", "embeddings"], r"docs/embeddings/probing-for-truth\.ipynb"),
])
@pytest.mark.build
def test_make_new_scaffolds_a_draft_and_refuses_to_overwrite(project_copy, kind, extra, pattern):
    args = [kind, "Probing for Truth", "--summary", "Linear probes find a truth direction.", "--tags",
            "probing, interpretability", *extra]
    created = new(project_copy, *args)
    assert created.returncode == 0, created.stderr
    path = created.stdout.strip()
    assert re.fullmatch(pattern, path)
    text = (project_copy / path).read_text()
    for expected in ("Probing for Truth", "Linear probes find a truth direction.", "probing", "draft"):
        assert expected in text
    again = new(project_copy, *args)
    assert again.returncode == 1 and "already exists; not overwriting it" in again.stderr
    assert (project_copy / path).read_text() == text

    # As a draft it builds strictly and stays out of the site ...
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    assert "Probing for Truth" not in (project_copy / "out/sitemap.xml").read_text()
    assert not list((project_copy / "out").rglob("probing-for-truth/index.html"))
    # ... and once published it takes its place with no other edit.
    (project_copy / path).write_text(text.replace("draft: true", "draft: false").replace('"draft": true', '"draft": false'))
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    page = next((project_copy / "out").rglob("probing-for-truth/index.html"))
    assert "Probing for Truth" in page.read_text()


@pytest.mark.build
def test_make_new_explains_a_missing_option(project_copy):
    result = new(project_copy, "note", "No category given", "--summary", "x")
    assert result.returncode == 2 and "a note needs --category" in result.stderr
    result = new(project_copy, "essay", "No summary given", "--summary", " ")
    assert result.returncode == 2 and "the summary must say what the entry is about" in result.stderr
    assert not (project_copy / "docs/essays/no-summary-given.md").exists()


@pytest.mark.build
def test_figures_zoom_with_a_self_hosted_lightbox(built_site):
    page = (built_site / "history/index.html").read_text()
    assert re.search(r'<a class="glightbox"[^>]*href="timeline.svg"', page)
    assert (built_site / "assets/javascripts/glightbox.min.js").exists()


@pytest.mark.build
def test_the_clock_warning_is_dropped_for_untracked_pages_only(project_copy):
    import logging

    (project_copy / "docs/essays/fresh.md").write_text("# Fresh\n")
    quirk = UntrackedPageClockQuirk(project_copy / "docs")

    def record(page):
        message = (f"mkdocs_git_revision_date_localized_plugin: First revision timestamp is older than last "
                   f"revision timestamp for page {page}. This can be due to a quirk in `git` follow behaviour.")
        return logging.LogRecord(PLUGIN_LOGGER, logging.WARNING, __file__, 1, message, None, None)

    assert quirk.filter(record("essays/fresh.md")) is False          # untracked: the warning is noise
    assert quirk.filter(record("essays/focus-areas.md")) is True     # tracked: the warning means something
