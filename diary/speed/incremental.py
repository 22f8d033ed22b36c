"""`mkdocs serve --dirty` (what `make serve` runs) with the output of a full build.

MkDocs' --dirty only rebuilds pages whose source is newer than their output.
Alone, that leaves the rest of the site wrong: the pages it skips lose their
titles in the navigation of the pages it rebuilds, the search index holds the
rebuilt pages only, the tags page would list them alone, links into them are
checked against nothing, and folder listings, "cited on" lists and the blog's
index never hear of an edit. So every --dirty build leaves a record in the
store (one per output directory): a digest of everything all pages share, the
citation keys the site cites, and for each page its title, search entries,
tags, links to other pages' anchors, the pages its written output links to,
and its page model field by field: what other pages show of it. The next
--dirty build compares, and builds

- everything, the output emptied first, exactly as without --dirty, if the
  shared inputs changed (configuration, overrides/, the versions, any file in
  docs/ that is not a page, an image, a stylesheet or a script, the set of
  files), a feed is being written (a feed lists every page), a saved page is
  one that gathers from the others (tags, blog), the site cites another set of
  keys (pandoc tells works that read alike apart among all of them at once),
  or a save changed a field of a page model that SHOWN does not name;
- otherwise the saved pages and the pages that show what they changed (SHOWN),
  and, when a save changed which notebooks' outputs are older than their
  inputs, those notebooks and the execution report. Should that take in a
  page of the blog or one a plugin makes in memory, everything is built.

A page names another only in a link to it (navigation, footers, breadcrumbs,
folder listings, the home page's lists, "cited on", the execution report, the
tags page), so the pages that show another's title, summary or tags are found
in the links of their written output; the home page's lists can take a page in
by its title, and the tags pages by its tags, so those come too. Nothing else
shows another page's facts: the sitemap holds addresses, 404.html (the top
of the navigation, whose titles are the configuration's) and the search index
are written whole by every build, a page's link preview carries its own title
and summary, and a build that writes feeds is a full one.

Pages it skips keep from the record their title (for the navigation of the
pages it rebuilds), their search entries (put back in page order), their tags
and tags listings (for the tags plugin), and their links to other pages'
anchors, which MkDocs then checks against the rebuilt pages as a full build
would. The record is taken out of the store as the build starts and written
back when it ends, by a build that logged no warning (a page it warned of
would not be warned of again by a build that skips it), so a build that
fails, warns or is killed halfway is followed by a full one.
"""

import dataclasses
import hashlib
import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mkdocs.structure.files import InclusionLevel
from mkdocs.utils import clean_directory
from mkdocs.utils.meta import get_data

from diary import latest
from diary.sources import DiaryFileError
from diary.speed import compat, keys

UNSHARED = re.compile(r"\.(png|jpe?g|gif|svg|webp|ico|woff2?|ttf|css|js|map|ipynb|md)$", re.IGNORECASE)
HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""")

# The fields of a page model a save may change without a full build, and the pages that show each
# beyond the saved one: "linking", every page whose output links to it; "latest", the home page's
# lists, which choose among pages of one date by title; "tag listings", the pages the tags plugin
# fills; "bibliography", the reading list's "cited on". Headings need none: what other pages show
# of them is links to anchors, which MkDocs checks for the skipped pages too. A change to any other
# field (date, draft, links, markers, a field added later, ...) builds everything.
SHOWN = {
    "title": ("linking", "latest"),
    "summary": ("linking",),
    "tags": ("linking", "tag listings"),
    "citations": ("bibliography",),
    "headings": (),
}


def _any(inclusion):
    return True


class Incremental:
    """One --dirty build's view of the build before it."""

    def __init__(self, layer, config):
        self.layer = layer
        self.key = layer.key("incremental", site_dir=str(Path(config.site_dir).resolve()))
        self.record, self.facts, self.pages, self.stale = {}, {}, [], {}
        self.shared, self.cited, self.listing_pages = None, [], set()
        self.links, self.urls, self.site = {}, {}, ""

    def plan(self, files, config, pages, stale):
        """Decide between a partial and a full build; a full one empties the output first.
        `stale` (which notebooks' outputs are older than their inputs) can change with a save to
        any file a notebook read; the pages that show it (those notebooks and the execution
        report) are then rebuilt with the saved one."""
        recorded = self.layer.store.get("incremental", self.key) if Path(config.site_dir).is_dir() else None
        self.layer.store.forget("incremental", self.key)
        recorded = recorded if isinstance(recorded, dict) else {}
        shared, cited = self._shared(files, config), _cited(files, pages)
        sources = [f for f in files.documentation_pages(inclusion=_any) if not compat.is_blog_view(f)]
        shows_staleness = self._showing_staleness(sources, pages, recorded.get("stale", {}), stale)
        changed = [f for f in sources if f.is_modified() or f.src_uri in shows_staleness]
        unchanged = {f.src_uri for f in sources} - {f.src_uri for f in changed}
        kept = recorded.get("pages", {})
        facts = {f.src_uri: self._facts(f, pages) for f in changed}
        showing = None
        if (recorded.get("shared") == shared and recorded.get("cited") == cited and not _feeds_enabled(config)
                and unchanged <= kept.keys()):  # else there is output the record does not describe
            showing = self._showing(changed, facts, kept, files, config, pages)
        full = showing is None
        if full:
            clean_directory(config.site_dir)  # also drops the pages of files deleted since
        else:
            compat.keep_blog_views_unmodified(files)
        compat.freeze_modified(files, also=shows_staleness | (showing or set()))
        # An unchanged page's facts are the recorded ones, even when everything is rebuilt.
        facts.update((src, kept[src]["facts"]) for src in unchanged if src in kept)
        self.record, self.shared, self.cited, self.facts = ({} if full else recorded), shared, cited, facts
        self.stale = stale
        self.listing_pages = {f.src_uri for f in sources if _model_says(f, pages, lambda model: model.gathers)}
        return full

    def _showing(self, changed, facts, kept, files, config, pages):
        """The unchanged pages that show what the saved ones changed, or None when only a full build
        is sure to be right."""
        showing = set()
        for file in changed:
            fields = _differing(facts[file.src_uri], kept.get(file.src_uri, {}).get("facts"))
            if fields is None or not fields <= SHOWN.keys() or self._gathers(file, config, pages):
                return None
            for group in {group for field in fields for group in SHOWN[field]}:
                showing |= self._group(group, file.src_uri, kept, files, pages)
        by_src = {f.src_uri: f for f in files.documentation_pages(inclusion=_any)}
        if any(src not in by_src or self._made_by_others(by_src[src], config) for src in showing):
            return None  # the blog's pages show their posts, which a partial build does not read
        return showing

    def _group(self, group, src, kept, files, pages):
        if group == "linking":
            return {page for page, entry in kept.items() if src in entry["links"]}
        wanted = {
            "latest": lambda model: bool(set(latest.MARKERS) & set(model.markers)),
            "tag listings": lambda model: model.gathers,
            "bibliography": lambda model: "bibliography" in model.markers,
        }[group]
        return {f.src_uri for f in files.documentation_pages(inclusion=_any) if _model_says(f, pages, wanted)}

    def _showing_staleness(self, sources, pages, before, now):
        """The pages to rebuild because a notebook's staleness changed: it, and the execution report."""
        changed = {src for src in before.keys() | now.keys() if before.get(src) != now.get(src)}
        if not changed:
            return set()
        return changed | {f.src_uri for f in sources
                          if _model_says(f, pages, lambda model: "execution-report" in model.markers)}

    def keep_skipped(self, files, config):
        """Before the tags plugin fills its listings, the pages a partial build skips get from the
        build that wrote them their title (for the navigation, the listings and the tags page),
        their tags (for the tags plugin) and their links into other pages' anchors (which MkDocs
        checks against the pages it rebuilds)."""
        kept = self.record.get("pages", {})
        pages = [f.page for f in files.documentation_pages(inclusion=_any) if f.page is not None]
        skipped = [page for page in pages if page.content is None and page.file.src_uri in kept]
        for page in skipped:
            page.title = kept[page.file.src_uri]["title"]
            compat.restore_anchor_links(page, kept[page.file.src_uri]["anchors"], files)
        compat.give_tags(config, [(page, kept[page.file.src_uri]["tags"]) for page in skipped],
                         [page.url for page in pages])

    def collect(self, files, config):
        """After the tags plugin has filled its listings: the pages of this build, and the tags
        listings on the pages a partial build skips, which the rebuilt pages' tags link to."""
        self.pages = [f.page for f in files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
                      if f.page is not None]
        self.site = config.site_url or ""
        self.urls = {_normal(f.url): f.src_uri for f in files.documentation_pages(inclusion=_any)}
        kept = self.record.get("pages", {})
        for page in self.pages:
            src = page.file.src_uri
            if page.content is None and src in kept and src in self.listing_pages:
                markdown, _ = get_data(page.file.content_string)
                compat.give_listings(config, files, page, markdown)

    def note_output(self, page, output):
        """The pages the output written for `page` links to: the only ones whose title, summary or
        tags it can show."""
        self.links[page.file.src_uri] = sorted(_linked(output, page.url, self.urls, self.site))

    def finish(self, config, pages, keep):
        """Before the search plugin writes its index: make it whole, and record this build if `keep`."""
        kept = self.record.get("pages", {})
        index = compat.search_index(config)
        built = _entries_by_page(compat.search_entries(index) if index is not None else [])
        recorded, entries = {}, []
        for page in self.pages:
            src = page.file.src_uri
            if page.content is not None:
                facts = self.facts[src] if src in self.facts else self._facts(page.file, pages)
                search = built.get(page.url, [])
                if src in self.links:  # else it was not written: the next build is a full one
                    recorded[src] = {"title": page.title, "facts": facts, "search": search, "links": self.links[src],
                                     "tags": compat.page_tags(config, page), "anchors": compat.anchor_links(page)}
            elif src in kept:
                recorded[src] = kept[src]
                search = kept[src]["search"]
            else:
                continue  # a draft outside `mkdocs serve`: neither built nor kept
            entries += search
        if index is not None and any(page.content is None for page in self.pages):
            compat.replace_search_entries(config, entries)
        if keep:
            self.layer.store.put("incremental", self.key, {"shared": self.shared, "cited": self.cited,
                                                           "pages": recorded, "stale": self.stale})

    def _facts(self, file, pages):
        """What other pages show of this one: a digest of each field of its page model."""
        try:
            model = pages.model(file)
        except DiaryFileError as error:
            return f"unreadable: {error}"  # the full build that follows reports it
        return "generated" if model is None else _field_digests(model)

    def _gathers(self, file, config, pages):
        """A page made from other pages: the tags index, a post or page of the blog, or one a plugin
        makes in memory on every build."""
        return self._made_by_others(file, config) or not _model_says(file, pages, lambda model: not model.gathers)

    def _made_by_others(self, file, config):
        """A page of the blog, or one a plugin makes in memory on every build."""
        if file.abs_src_path is None:
            return True
        blog = config.plugins.get("material/blog")
        return bool(blog is not None and blog.config.enabled
                    and file.src_uri.startswith(blog.config.blog_dir.strip("/") + "/"))

    def _shared(self, files, config):
        digest = hashlib.sha256(self.layer.site.encode())
        for file in sorted(files, key=lambda f: f.src_uri):
            digest.update(file.src_uri.encode() + b"\0")
            if file.abs_src_path and not file.is_documentation_page() and not UNSHARED.search(file.src_uri):
                digest.update(hashlib.sha256(Path(file.abs_src_path).read_bytes()).digest())
        return digest.hexdigest()


def _model_says(file, pages, test):
    """Whether the file's page model passes `test` (False for a generated or unreadable page)."""
    try:
        model = pages.model(file)
    except DiaryFileError:
        return False
    return model is not None and test(model)


def _field_digests(model):
    """A short digest of each field of a page model, by the dataclass's own list of fields."""
    return {field.name: keys.digest(getattr(model, field.name))[:16] for field in dataclasses.fields(model)}


def _differing(now, before):
    """The names of the page model's fields that differ, or None when the two cannot be compared
    field by field (a page generated, unreadable or not recorded)."""
    if now == before:
        return set()
    if not isinstance(now, dict) or not isinstance(before, dict) or now.keys() != before.keys():
        return None
    return {name for name in now if now[name] != before[name]}


def _cited(files, pages):
    """Every key the published pages cite: diary/citations.py formats them all in one pandoc run."""
    models = pages.models(f for f in files if f.inclusion.is_included())
    return sorted({key for model in models.values() for key in model.citations})


def _linked(output, url, pages_by_url, site):
    """The pages (by src_uri) that links in `output`, written at `url`, point to."""
    here = url[: url.rfind("/") + 1]
    site_path = urlsplit(site).path
    found = set()
    for match in HREF.finditer(output):
        href = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        path = _in_site(href, here, site, site_path)
        if path is not None and path in pages_by_url:
            found.add(pages_by_url[path])
    return found


def _in_site(href, here, site, site_path):
    """The address `href` points to, relative to the site's root and normalised; None outside it."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if not site or not href.startswith(site):
            return None
        return _normal(urlsplit(href[len(site):]).path)
    if parts.path.startswith("/"):
        if not site_path or not parts.path.startswith(site_path):
            return None
        return _normal(parts.path[len(site_path):])
    return _normal(here + parts.path)


def _normal(url):
    return posixpath.normpath(unquote(url) or ".")


def _entries_by_page(entries):
    grouped = {}
    for entry in entries:
        grouped.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    return grouped


def _feeds_enabled(config):
    rss = config.plugins.get("rss")
    return rss is not None and rss.config.enabled
