"""The page model: what each page shows of itself to other pages.

A folder's listing shows a page's title, summary, date and tags; the reading
list shows which pages cite which papers; drafts are left out wherever other
pages would mention them; links into a page need its headings; the notes index
shows a post's excerpt; the feeds and link previews carry its summary. All of
that is worked out here, once for each version of each file, and the features
that show it ask for it: listings, citations and "cited on", publishing, the
feeds, and the speed layer's incremental rebuild, which compares models to
learn whether a save changed anything other pages show.
"""

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mkdocs_bibtex.citation import CitationBlock

from diary import personal
from diary.sources import (
    DiaryFileError,
    first_heading,
    first_paragraph,
    flag_field,
    front_matter,
    list_field,
    mapping_field,
    markdown_cells,
    parse_date,
    parse_notebook,
    parse_updated,
    script_summary,
    text_field,
)

MODELLED = (".md", ".ipynb", ".py")
EXCERPT = "<!-- more -->"
MARKER = re.compile(r"<!--\s*diary:([\w-]+)\s*-->")
# Pages the tags plugin fills from every other page.
GATHERING = re.compile(r"<!--\s*material/tags")
# Headings, attr_list ids and HTML ids: what links from other pages can point at.
ANCHOR = re.compile(r"^#{1,6}\s.*$|\{[^}\n]*#[\w-]+[^}\n]*\}|\bid=[\"'][^\"']*[\"']", re.MULTILINE)
# Targets of Markdown links and images, and of src/href attributes in raw HTML.
REFERENCE = re.compile(r"\]\(\s*<?([^)\s>]+)|\b(?:src|href)=[\"']([^\"']+)[\"']")


@dataclass(frozen=True)
class PageModel:
    """What one page, notebook or script shows to the rest of the site."""

    kind: str  # "page", "notebook" or "script"
    title: str | None
    summary: str
    date: date | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]  # a blog post's categories
    draft: bool
    elsewhere: str  # a notebook `make notebooks` does not run, and why (its diary metadata's not_run_here)
    personal_data: tuple[str, ...]  # kinds of personal data its outputs may publish (allow_personal_data)
    citations: tuple[str, ...]  # citation keys, in order of first use
    headings: tuple[str, ...]
    excerpt: str  # a blog post's text before <!-- more -->
    links: tuple[str, ...]  # paths under docs/ it links to or embeds
    markers: tuple[str, ...]  # its <!-- diary:NAME --> markers
    gathers: bool  # built from what the other pages say (the tags index)
    updated: date | None = None  # its last revision as its author dates it (front matter `date.updated`)


def cited_keys(markdown):
    """Every citation key in a Markdown text, in order of first use."""
    keys = {}
    for block in CitationBlock.from_markdown(markdown):
        for citation in block.citations:
            keys.setdefault(citation.key, None)
    return tuple(keys)


def linked_paths(markdown, src_uri):
    here = posixpath.dirname(src_uri)
    paths = {}
    for match in REFERENCE.finditer(markdown):
        target = (match.group(1) or match.group(2)).split("#")[0].split("?")[0]
        if target and "://" not in target and not target.startswith(("/", "mailto:", "data:")):
            paths.setdefault(posixpath.normpath(posixpath.join(here, target)), None)
    return tuple(paths)


def _shown(text, src_uri, **facts):
    """The facts every kind of page derives the same way from its Markdown."""
    return PageModel(
        citations=cited_keys(text),
        headings=tuple(ANCHOR.findall(text)),
        links=linked_paths(text, src_uri),
        markers=tuple(dict.fromkeys(MARKER.findall(text))),
        gathers=bool(GATHERING.search(text)),
        **facts,
    )


def model_markdown(text, src_uri):
    name = f"docs/{src_uri}"
    meta, body = front_matter(text, name)
    return _shown(
        text, src_uri,
        kind="page",
        title=text_field(meta, "title", name) or first_heading(body),
        summary=text_field(meta, "description", name) or first_paragraph(body),
        date=parse_date(meta.get("date"), name),
        updated=parse_updated(meta.get("date"), name),
        tags=list_field(meta, "tags", name),
        categories=list_field(meta, "categories", name),
        draft=flag_field(meta, "draft", name),
        elsewhere="",
        personal_data=(),
        excerpt=text.split(EXCERPT, 1)[0] if EXCERPT in text else "",
    )


def model_notebook(notebook, src_uri):
    name = f"docs/{src_uri}"
    meta = mapping_field(notebook.metadata, "diary", name, "summary:, tags:, date:")
    text = markdown_cells(notebook)
    return _shown(
        text, src_uri,
        kind="notebook",
        title=first_heading(text),
        summary=text_field(meta, "summary", name) or first_paragraph(text),
        date=parse_date(meta.get("date"), name),
        updated=parse_date(meta.get("updated"), name),
        tags=list_field(meta, "tags", name),
        categories=(),
        draft=flag_field(meta, "draft", name),
        elsewhere=text_field(meta, "not_run_here", name) or "",
        personal_data=personal.allowed(meta.get("allow_personal_data"), name),
        excerpt="",
    )


def model_script(text, src_uri):
    return PageModel(
        kind="script", title=posixpath.basename(src_uri), summary=script_summary(text), date=None, tags=(),
        categories=(), draft=False, elsewhere="", personal_data=(), citations=(), headings=(), excerpt="", links=(), markers=(), gathers=False,
    )


class _Known:
    """One file as last read: its content digest and what came of it."""

    __slots__ = ("digest", "model", "notebook", "repairs", "problem")

    def __init__(self, digest, model=None, notebook=None, repairs=(), problem=None):
        self.digest, self.model, self.notebook, self.problem = digest, model, notebook, problem
        self.repairs = repairs


class Digests:
    """Content digests of files, kept by the process that read them.

    With `trust_stat`, a file whose size and modification time have not changed
    since it was read is not read again: what `mkdocs serve --dirty` trusts too.
    Without it (every plain build), every file is read.
    """

    def __init__(self):
        self._known = {}

    def of(self, path, trust_stat=False):
        """(digest, the file's bytes, or None when a trusted stat made reading them unnecessary)."""
        stat = os.stat(path)
        seen = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        known = self._known.get(path)
        if trust_stat and known is not None and known[0] == seen:
            return known[1], None
        data = Path(path).read_bytes()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        self._known[path] = (seen, digest)
        return digest, data


class Pages:
    """The page models of a site, refreshed at the start of each build.

    A model is worked out again only when its file's content changed, so under
    `mkdocs serve` a save costs one file's parse, not the whole diary's.
    """

    def __init__(self):
        self._known = {}
        self.digests = Digests()

    def refresh(self, files, trust_stat=False):
        """Read every modelled file of this build, re-deriving what changed; forget files that went."""
        current = {}
        for file in files:
            if file.abs_src_path is None or not file.src_uri.endswith(MODELLED):
                continue
            digest, data = self.digests.of(file.abs_src_path, trust_stat)
            known = self._known.get(file.src_uri)
            if known is None or known.digest != digest:
                known = _derive(data if data is not None else Path(file.abs_src_path).read_bytes(), digest, file.src_uri)
            current[file.src_uri] = known
        self._known = current

    def model(self, file):
        """The file's PageModel, or DiaryFileError if it cannot be read; None for a generated page."""
        known = self._known.get(file.src_uri)
        if known is None:
            return None
        if known.problem:
            raise DiaryFileError(known.problem)
        return known.model

    def notebook(self, file):
        """The parsed notebook (read-only: copy it to change it)."""
        self.model(file)
        return self._known[file.src_uri].notebook

    def repairs(self, file):
        """What reading the notebook had to mend, in words (empty for a file saved as the format says)."""
        self.model(file)
        return self._known[file.src_uri].repairs

    def models(self, files):
        """{src_uri: model} of every readable modelled file among `files`."""
        models = {}
        for file in files:
            try:
                model = self.model(file)
            except DiaryFileError:
                continue  # reported by the checks that need the file
            if model is not None:
                models[file.src_uri] = model
        return models


def _derive(data, digest, src_uri):
    name = f"docs/{src_uri}"
    try:
        if src_uri.endswith(".ipynb"):
            notebook, repairs = parse_notebook(data, name)
            return _Known(digest, model_notebook(notebook, src_uri), notebook, tuple(repairs))
        text = data.decode("utf-8-sig")
        if src_uri.endswith(".py"):
            return _Known(digest, model_script(text, src_uri))
        return _Known(digest, model_markdown(text, src_uri))
    except UnicodeDecodeError as error:
        return _Known(digest, problem=f"{name}: not UTF-8 (byte {error.start}); save it as UTF-8")
    except DiaryFileError as error:
        return _Known(digest, problem=str(error))
