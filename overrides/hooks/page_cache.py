"""Render each page through the theme once per change, not once per build.

Filling Material's templates is the largest cost left once Markdown and search
entries are cached, and almost every page comes out the same on each save. This
hook keys each page's rendered HTML by everything the theme reads for it: the
page (HTML, table of contents, title, front matter, dates, address, edit link,
neighbours and section), the whole navigation, the configuration, the theme
and the overrides. When the key is known, the page is given a template that
writes out the stored HTML, and the plugins that post-process pages still run
on it. Blog posts and the blog's generated pages, whose templates receive
more than the page, are always rendered.

It runs after every plugin's `on_env`, when every page's title is known and
the tags plugin has written its listings.
"""

import hashlib
import json

from build_cache import cache_file, config_digest
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

CACHE = "rendered"
TEMPLATE = "cached-page.html"
STORED = "diary_cached_html"
KEY = "_diary_page_cache"


@event_priority(-100)
def on_env(env, config, files):
    shared = site_digest(config, files)
    for file in files.documentation_pages():
        page = file.page
        if type(page) is not Page or page.content is None or "template" in page.meta:
            continue
        path = cache_path(page, shared, config)
        if path.exists():
            setattr(page, STORED, path.read_text(encoding="utf-8"))
            page.meta["template"] = TEMPLATE
        else:
            setattr(page, KEY, path)
    return env


@event_priority(100)  # before any plugin changes the rendered page
def on_post_page(output, page, config):
    path = getattr(page, KEY, None)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(output, encoding="utf-8")
        delattr(page, KEY)
    if getattr(page, STORED, None) is not None:
        # Drop the stored copy (and its template) so nothing else reads them.
        delattr(page, STORED)
        del page.meta["template"]
    return output


def site_digest(config, files):
    """What every page shares: configuration, theme, overrides and the navigation with every title."""
    hashed = hashlib.sha256(config_digest(config).encode("utf-8"))
    for file in sorted(files, key=lambda f: f.src_uri):
        title = file.page.title if file.page is not None else ""
        hashed.update(f"{file.src_uri}\t{file.url}\t{file.inclusion.name}\t{title}\n".encode("utf-8"))
    return hashed.hexdigest()


def cache_path(page, shared, config):
    neighbours = [(p.title, p.url) if p else None for p in (page.previous_page, page.next_page)]
    ancestors = [getattr(item, "title", None) for item in page.ancestors]
    parts = [
        shared, page.content, page.url, str(page.title), page.canonical_url or "", page.edit_url or "",
        page.file.inclusion.name, json.dumps(_toc(page.toc)), json.dumps(page.meta, sort_keys=True, default=str),
        json.dumps(neighbours), json.dumps(ancestors),
    ]
    return cache_file(config, CACHE, parts, ".html")


def _toc(toc):
    return [[item.id, item.title, _toc(item.children)] for item in toc]
