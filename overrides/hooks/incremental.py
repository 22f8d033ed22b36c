"""`mkdocs serve --dirty` (what `make serve` runs) with the output of a full build.

MkDocs' --dirty only rebuilds pages whose source is newer than their output.
Alone, that leaves the rest of the site wrong: the pages it skips lose their
titles in the navigation of the pages it rebuilds, the search index holds the
rebuilt pages only, and folder listings, tag pages, "cited on" lists and the
blog's index never hear of the edit. So every build leaves a record in
.cache/incremental/ (one per output directory): a digest of everything all
pages share, and for each page its title, its search entries and the facts
other pages show of it (title, summary, date, tags, draft state, citations,
blog excerpt). The next build compares:

- if the shared inputs changed (configuration, overrides/, any file in docs/
  that is not a page, an image, a stylesheet or a script, the set of pages),
  or a changed page shows other pages something new, or a feed is being
  written (a feed lists every page), or the changed page is one that gathers
  from the others (tags, blog), the output is emptied and everything is
  built, exactly as without --dirty;
- otherwise only the changed pages are built; the others keep their title
  from the record, and their search entries are put back in page order.

A build that fails halfway leaves no record behind it, so the next one is full.

A build without --dirty rebuilds every page anyway, and only writes the record.
"""

import hashlib
import json
import logging
import os
import re
import time
from pathlib import Path

from build_cache import config_digest
from citations import page_citations
from diary_files import DiaryFileError, notebook_info, read_markdown_info, read_notebook
from mkdocs.plugins import event_priority
from mkdocs.structure.files import InclusionLevel
from mkdocs.utils import clean_directory

STATE = "_diary_incremental"
# Pages built from what other pages say: MkDocs' own --dirty cannot keep them right.
GATHERING = re.compile(r"<!--\s*material/tags")
EXCERPT = "<!-- more -->"
# Headings, attr_list ids and HTML ids (code comments that look like headings only cost a full build).
ANCHOR = re.compile(r"^#{1,6}\s.*$|\{[^}\n]*#[\w-]+[^}\n]*\}|\bid=[\"'][^\"']*[\"']", re.MULTILINE)
# A record unused this long belongs to a `mkdocs serve` that has ended.
STALE_SECONDS = 86400
UNSHARED = re.compile(r"\.(png|jpe?g|gif|svg|webp|ico|woff2?|ttf|css|js|map|ipynb|md)$", re.IGNORECASE)


class DirtyBuildNotice(logging.Filter):
    """Drops MkDocs' warning that --dirty leaves navigation wrong: with this hook it does not,
    and under `strict: true` the warning would fail every `mkdocs serve --dirty` build."""

    def filter(self, record):
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def on_config(config):
    logger = logging.getLogger("mkdocs.commands.build")
    for old in [f for f in logger.filters if type(f).__name__ == DirtyBuildNotice.__name__]:
        logger.removeFilter(old)  # `mkdocs serve` loads hooks afresh on every rebuild
    logger.addFilter(DirtyBuildNotice())
    return config


@event_priority(-100)  # after every plugin has added its files (the blog's views)
def on_files(files, config):
    record = _load(config)
    shared = _shared_digest(files, config)
    pages = [f for f in files.documentation_pages(inclusion=_any) if not _blog_view(f)]
    changed = [f for f in pages if f.is_modified()]
    unchanged = {f.src_uri for f in pages} - {f.src_uri for f in changed}
    facts = {f.src_uri: _facts(f) for f in changed}
    kept = record.get("pages", {})
    full = (
        record.get("shared") != shared
        or _feeds_enabled(config)
        or not unchanged <= kept.keys()  # output the record does not describe
        or any(facts[f.src_uri] != kept.get(f.src_uri, {}).get("facts") or _gathers(f, config) for f in changed)
    )
    if full:
        # Without a record a build that fails halfway is followed by a full one.
        _record_path(config).unlink(missing_ok=True)
        clean_directory(config.site_dir)  # also drops the pages of files deleted since
    else:
        # The blog writes its archive and category pages afresh on every build;
        # they change only with a post, and a changed post rebuilds everything.
        for file in files.documentation_pages(inclusion=_any):
            if _blog_view(file):
                os.utime(file.abs_src_path, ns=(0, 0))
    # An unchanged page's facts are the recorded ones, even when everything is rebuilt.
    facts.update((src, kept[src]["facts"]) for src in unchanged if src in kept)
    setattr(config, STATE, {"record": {} if full else record, "shared": shared, "facts": facts})
    return files


@event_priority(-100)
def on_nav(nav, config, files):
    """Skipped pages get their title from the build that wrote their output."""
    pages = getattr(config, STATE)["record"].get("pages", {})
    for file in files.documentation_pages(inclusion=_any):
        kept = pages.get(file.src_uri)
        if kept and file.page is not None and not file.is_modified():
            file.page.title = kept["title"]
    return nav


def on_env(env, config, files):
    pages = [f.page for f in files.documentation_pages(inclusion=InclusionLevel.is_in_serve) if f.page is not None]
    getattr(config, STATE)["pages"] = pages
    return env


@event_priority(50)  # before the search plugin writes its index
def on_post_build(config):
    state = getattr(config, STATE)
    kept = state["record"].get("pages", {})
    search = config.plugins.get("material/search")
    index = getattr(search, "search_index", None)
    built = _entries_by_page(index.entries if index else [])
    pages, entries = {}, []
    for page in state["pages"]:
        src = page.file.src_uri
        if page.content is not None:
            facts = state["facts"][src] if src in state["facts"] else _facts(page.file)
            pages[src] = {"title": page.title, "facts": facts, "search": built.get(page.url, [])}
        elif src in kept:
            pages[src] = kept[src]
        else:
            continue  # a draft outside `mkdocs serve`: neither built nor kept
        entries += pages[src]["search"]
    if index is not None and any(page.content is None for page in state["pages"]):
        index.entries = entries
        # Material keeps the last index to patch it under --dirty; this list is already whole.
        search.search_index_prev = None
    _save(config, {"shared": state["shared"], "pages": pages})


def _entries_by_page(entries):
    grouped = {}
    for entry in entries:
        grouped.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    return grouped


def _facts(file):
    """What other pages show of this one, as a string; None for generated pages."""
    if file.abs_src_path is None:
        return None
    try:
        if file.src_uri.endswith(".ipynb"):
            notebook = read_notebook(file.abs_src_path)
            info, excerpt = notebook_info(notebook, file.src_uri), ""
            text = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        else:
            info = read_markdown_info(file.abs_src_path, file.src_uri)
            text = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
            excerpt = text.split(EXCERPT, 1)[0] if EXCERPT in text else ""
        keys, _ = page_citations(file)
    except (DiaryFileError, OSError, ValueError) as error:
        return f"unreadable: {error}"  # the full build that follows reports it
    # Other pages link to anchors; MkDocs checks those links only on the pages it builds.
    anchors = ANCHOR.findall(text)
    return json.dumps([info, keys, excerpt, anchors], default=str, sort_keys=True)


def _gathers(file, config):
    """A page made from other pages: the tags index, a post or page of the blog, or one a plugin
    makes in memory on every build."""
    if file.abs_src_path is None:
        return True
    blog = config.plugins.get("material/blog")
    if blog is not None and blog.config.enabled and file.src_uri.startswith(blog.config.blog_dir.strip("/") + "/"):
        return True
    if file.src_uri.endswith(".md"):
        return bool(GATHERING.search(Path(file.abs_src_path).read_text(encoding="utf-8-sig")))
    return False


def _any(inclusion):
    return True


def _blog_view(file):
    return getattr(file, "generated_by", None) == "material/blog"


def _feeds_enabled(config):
    rss = config.plugins.get("rss")
    return rss is not None and rss.config.enabled


def _shared_digest(files, config):
    digest = hashlib.sha256(config_digest(config).encode())
    for file in sorted(files, key=lambda f: f.src_uri):
        digest.update(file.src_uri.encode() + b"\0")
        if file.abs_src_path and not file.is_documentation_page() and not UNSHARED.search(file.src_uri):
            stat = Path(file.abs_src_path).stat()
            digest.update(f"{stat.st_mtime_ns}:{stat.st_size}\0".encode())
    return digest.hexdigest()


def _record_path(config):
    site = hashlib.sha256(str(Path(config.site_dir).resolve()).encode()).hexdigest()[:16]
    return Path(config.config_file_path).parent / ".cache" / "incremental" / f"{site}.json"


def _load(config):
    path = _record_path(config)
    if not Path(config.site_dir).is_dir() or not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}


def _save(config, record):
    path = _record_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record), encoding="utf-8")
    for other in path.parent.glob("*.json"):
        if other != path and time.time() - other.stat().st_mtime > STALE_SECONDS:
            other.unlink(missing_ok=True)
