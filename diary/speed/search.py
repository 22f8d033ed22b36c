"""Index each page for search once per change, and without its highlighting <span>s.

Material's indexer walks every tag of a page with Python's html.parser and
keeps only text and a few block tags, so the hundreds of spans in a
highlighted notebook cell change nothing in the index but made notebook pages
most of the indexing time. Just before the search plugin reads a page, its
spans are taken out; just after, the page gets its full HTML back (with the
data-search-* attributes removed that the plugin removes).

The entries the plugin makes for a page are kept, keyed by what they are made
from: the page's HTML, address, title, table of contents and the front matter
search reads. On the next build an unchanged page gets its entries from the
store, and the plugin is told to skip it.
"""

import re

from diary.speed import compat

SPAN_TAG = re.compile(r"</?span\b[^>]*>")
SEARCH_ATTRIBUTE = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")  # the search plugin's own pattern


def before(layer, page, config):
    """Just before the search plugin indexes `page`; returns what `after` needs."""
    content = page.content or ""
    state = {"content": None}
    # A span that itself carries a search attribute has to stay, so leave such pages as they are.
    if "<span" in content and not re.search(r"<span\b[^>]*data-search", content):
        state["content"] = content
        page.content = SPAN_TAG.sub("", content)
    index = compat.search_index(config)
    if index is None:
        return state
    key = layer.key("search", content=page.content or "", url=page.url, title=str(page.title),
                    toc=compat.toc_tokens(page.toc),
                    meta={name: page.meta.get(name) for name in ("tags", "search", "title")})
    kept = layer.store.get("search", key)
    if kept is not None:
        compat.search_entries(index).extend(kept)
        state["search_meta"] = page.meta.get("search")
        page.meta["search"] = {**(state["search_meta"] or {}), "exclude": True}
    else:
        state["key"], state["start"] = key, len(compat.search_entries(index))
    return state


def after(layer, page, config, state):
    """Just after the search plugin has indexed `page`."""
    if state["content"] is not None:
        page.content = SEARCH_ATTRIBUTE.sub("", state["content"])
    if "search_meta" in state:
        if state["search_meta"] is None:
            del page.meta["search"]
        else:
            page.meta["search"] = state["search_meta"]
    elif "key" in state:
        layer.store.put("search", state["key"], compat.search_entries(compat.search_index(config))[state["start"]:])
