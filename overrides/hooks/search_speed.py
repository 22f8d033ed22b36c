"""Index each page for search once per change, and without its highlighting <span>s.

Material's indexer walks every tag of a page with Python's html.parser and
keeps only text and a few block tags, so the hundreds of spans in a
highlighted notebook cell change nothing in the index but made notebook pages
most of the indexing time. Just before the search plugin reads a page, its
spans are taken out; just after, the page gets its full HTML back (with the
data-search-* attributes removed that the plugin removes).

The entries the plugin makes for a page are kept in .cache/search/, keyed by
what they are made from: the page's HTML, address, title, table of contents
and search-related front matter, and the theme's version. On the next build an unchanged page gets its
entries from there, and the plugin is told to skip it.
"""

import json
import re
from importlib.metadata import version

from build_cache import cache_file
from mkdocs.plugins import CombinedEvent, event_priority

CACHE = "search"
SPAN_TAG = re.compile(r"</?span\b[^>]*>")
SEARCH_ATTRIBUTE = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")  # the search plugin's own pattern
STATE = "_diary_search"


@event_priority(10)  # before the search plugin
def _before_search(context, page, config, nav):
    content = page.content or ""
    state = {"content": None}
    # A span that itself carries a search attribute has to stay, so leave such pages as they are.
    if "<span" in content and not re.search(r"<span\b[^>]*data-search", content):
        state["content"] = content
        page.content = SPAN_TAG.sub("", content)
    index = _search_index(config)
    if index is not None:
        path = _cache_path(page, config)
        if path.exists():
            index.entries.extend(json.loads(path.read_text(encoding="utf-8")))
            state["search_meta"] = page.meta.get("search")
            page.meta["search"] = {**(state["search_meta"] or {}), "exclude": True}
        else:
            state["path"], state["start"] = path, len(index.entries)
    setattr(page, STATE, state)
    return context


@event_priority(-10)  # after the search plugin
def _after_search(context, page, config, nav):
    state = getattr(page, STATE, None)
    if state is None:
        return context
    delattr(page, STATE)
    if state["content"] is not None:
        page.content = SEARCH_ATTRIBUTE.sub("", state["content"])
    if "search_meta" in state:
        if state["search_meta"] is None:
            del page.meta["search"]
        else:
            page.meta["search"] = state["search_meta"]
    elif "path" in state:
        entries = _search_index(config).entries[state["start"]:]
        state["path"].parent.mkdir(parents=True, exist_ok=True)
        state["path"].write_text(json.dumps(entries), encoding="utf-8")
    return context


on_page_context = CombinedEvent(_before_search, _after_search)


def _search_index(config):
    plugin = config.plugins.get("material/search")
    return getattr(plugin, "search_index", None)


def _cache_path(page, config):
    parts = [
        page.content or "", page.url, str(page.title), json.dumps(_toc_ids(page.toc)),
        json.dumps(page.meta.get("tags"), default=str), json.dumps(page.meta.get("search"), default=str),
        json.dumps(page.meta.get("title"), default=str), version("mkdocs-material"),
    ]
    return cache_file(config, CACHE, parts, ".json")


def _toc_ids(toc):
    return [[item.id, item.title, _toc_ids(item.children)] for item in toc]
