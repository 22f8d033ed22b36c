"""`mkdocs serve --dirty` (what `make serve` runs) with the output of a full build.

MkDocs' --dirty only rebuilds pages whose source is newer than their output.
Alone, that leaves the rest of the site wrong: the pages it skips lose their
titles in the navigation of the pages it rebuilds, the search index holds the
rebuilt pages only, and folder listings, tag pages, "cited on" lists and the
blog's index never hear of the edit. So every --dirty build leaves a record
in the store (one per output directory): a digest of everything all pages
share, and for each page its title, its search entries and its page model,
what other pages show of it. The next --dirty build compares:

- if the shared inputs changed (configuration, overrides/, the versions, any
  file in docs/ that is not a page, an image, a stylesheet or a script, the
  set of files), or a changed page's model differs from the recorded one, or
  a feed is being written (a feed lists every page), or the changed page is
  one that gathers from the others (tags, blog), the output is emptied and
  everything is built, exactly as without --dirty;
- otherwise only the changed pages are built (and, when a save changed which
  notebooks' outputs are older than their inputs, those notebooks and the
  execution report); the others keep their title
  from the record, and their search entries are put back in page order.

The record is taken out of the store as the build starts and written back
when it ends, so a build that fails or is killed halfway is followed by a
full one.
"""

import hashlib
import re
from pathlib import Path

from mkdocs.structure.files import InclusionLevel
from mkdocs.utils import clean_directory
from mkdocs.utils.meta import get_data

from diary.sources import DiaryFileError
from diary.speed import compat, keys

UNSHARED = re.compile(r"\.(png|jpe?g|gif|svg|webp|ico|woff2?|ttf|css|js|map|ipynb|md)$", re.IGNORECASE)


def _any(inclusion):
    return True


class Incremental:
    """One --dirty build's view of the build before it."""

    def __init__(self, layer, config):
        self.layer = layer
        self.key = layer.key("incremental", site_dir=str(Path(config.site_dir).resolve()))
        self.record, self.facts, self.pages, self.stale = {}, {}, [], {}
        self.listing_pages = set()

    def plan(self, files, config, pages, stale):
        """Decide between a partial and a full build; a full one empties the output first.
        `stale` (which notebooks' outputs are older than their inputs) can change with a save to
        any file a notebook read; the pages that show it (those notebooks and the execution
        report) are then rebuilt with the saved one."""
        recorded = self.layer.store.get("incremental", self.key) if Path(config.site_dir).is_dir() else None
        self.layer.store.forget("incremental", self.key)
        recorded = recorded if isinstance(recorded, dict) else {}
        shared = self._shared(files, config)
        sources = [f for f in files.documentation_pages(inclusion=_any) if not compat.is_blog_view(f)]
        shows_staleness = self._showing_staleness(sources, pages, recorded.get("stale", {}), stale)
        changed = [f for f in sources if f.is_modified() or f.src_uri in shows_staleness]
        unchanged = {f.src_uri for f in sources} - {f.src_uri for f in changed}
        kept = recorded.get("pages", {})
        facts = {f.src_uri: self._facts(f, pages) for f in changed}
        full = (
            recorded.get("shared") != shared
            or _feeds_enabled(config)
            or not unchanged <= kept.keys()  # output the record does not describe
            or any(facts[f.src_uri] != kept.get(f.src_uri, {}).get("facts") or self._gathers(f, config, pages)
                   for f in changed)
        )
        if full:
            clean_directory(config.site_dir)  # also drops the pages of files deleted since
        else:
            compat.keep_blog_views_unmodified(files)
        compat.freeze_modified(files, also=shows_staleness)
        # An unchanged page's facts are the recorded ones, even when everything is rebuilt.
        facts.update((src, kept[src]["facts"]) for src in unchanged if src in kept)
        self.record, self.shared, self.facts, self.stale = ({} if full else recorded), shared, facts, stale
        self.listing_pages = {f.src_uri for f in sources if _lists_tags(f, pages)}
        return full

    def _showing_staleness(self, sources, pages, before, now):
        """The pages to rebuild because a notebook's staleness changed: it, and the execution report."""
        changed = {src for src in before.keys() | now.keys() if before.get(src) != now.get(src)}
        if not changed:
            return set()
        reports = set()
        for file in sources:
            try:
                model = pages.model(file)
            except DiaryFileError:
                continue
            if model is not None and "execution-report" in model.markers:
                reports.add(file.src_uri)
        return changed | reports

    def keep_titles(self, files):
        """Pages a partial build skips keep their title from the build that wrote their output."""
        kept = self.record.get("pages", {})
        for file in files.documentation_pages(inclusion=_any):
            if file.src_uri in kept and file.page is not None and not file.is_modified():
                file.page.title = kept[file.src_uri]["title"]

    def collect(self, files, config):
        """After the tags plugin has filled its listings: the pages of this build, and the tags
        listings on the pages a partial build skips, which the rebuilt pages' tags link to."""
        self.pages = [f.page for f in files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
                      if f.page is not None]
        kept = self.record.get("pages", {})
        for page in self.pages:
            src = page.file.src_uri
            if page.content is None and src in kept and src in self.listing_pages:
                markdown, _ = get_data(page.file.content_string)
                compat.give_listings(config, files, page, markdown)

    def finish(self, config, pages):
        """Before the search plugin writes its index: make it whole, and record this build."""
        kept = self.record.get("pages", {})
        index = compat.search_index(config)
        built = _entries_by_page(compat.search_entries(index) if index is not None else [])
        recorded, entries = {}, []
        for page in self.pages:
            src = page.file.src_uri
            if page.content is not None:
                facts = self.facts[src] if src in self.facts else self._facts(page.file, pages)
                recorded[src] = {"title": page.title, "facts": facts, "search": built.get(page.url, [])}
            elif src in kept:
                recorded[src] = kept[src]
            else:
                continue  # a draft outside `mkdocs serve`: neither built nor kept
            entries += recorded[src]["search"]
        if index is not None and any(page.content is None for page in self.pages):
            compat.replace_search_entries(config, entries)
        self.layer.store.put("incremental", self.key, {"shared": self.shared, "pages": recorded, "stale": self.stale})

    def _facts(self, file, pages):
        """What other pages show of this one, as a digest of its page model."""
        try:
            model = pages.model(file)
        except DiaryFileError as error:
            return f"unreadable: {error}"  # the full build that follows reports it
        return "generated" if model is None else keys.digest(model)

    def _gathers(self, file, config, pages):
        """A page made from other pages: the tags index, a post or page of the blog, or one a plugin
        makes in memory on every build."""
        if file.abs_src_path is None:
            return True
        blog = config.plugins.get("material/blog")
        if blog is not None and blog.config.enabled and file.src_uri.startswith(blog.config.blog_dir.strip("/") + "/"):
            return True
        try:
            model = pages.model(file)
        except DiaryFileError:
            return True
        return model is None or model.gathers

    def _shared(self, files, config):
        digest = hashlib.sha256(self.layer.site.encode())
        for file in sorted(files, key=lambda f: f.src_uri):
            digest.update(file.src_uri.encode() + b"\0")
            if file.abs_src_path and not file.is_documentation_page() and not UNSHARED.search(file.src_uri):
                digest.update(hashlib.sha256(Path(file.abs_src_path).read_bytes()).digest())
        return digest.hexdigest()


def _lists_tags(file, pages):
    """Whether the page holds a listing the tags plugin fills."""
    try:
        model = pages.model(file)
    except DiaryFileError:
        return False
    return model is not None and model.gathers


def _entries_by_page(entries):
    grouped = {}
    for entry in entries:
        grouped.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    return grouped


def _feeds_enabled(config):
    rss = config.plugins.get("rss")
    return rss is not None and rss.config.enabled
