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

The prebuilt index the diary publishes (diary/search.py) is made from all the
entries on every build. Here each page's terms are kept in the store, and under
`mkdocs serve` in memory too with the postings of the last build: a save takes
the saved page's postings out and puts the new ones back, instead of reading
every page's terms again. What comes out is what a build from nothing makes.
"""

import bisect
import re
from array import array

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


# The prebuilt index (diary/search.py) ------------------------------------------------------------

def build_afresh(index, frequencies):
    """The prebuilt index with nothing kept: every page's terms read, every file made."""
    from diary import search as prebuilt

    return prebuilt.build(index, [frequencies(entries) for entries in prebuilt.group_pages(index["docs"])])


class KeptIndex:
    """What this process made of the index last time: each page's terms and file by its entries,
    the page sizes and the postings. A save under `make serve` changes a page or two; their
    postings are taken out and put back, and every other page's work is reused."""

    def __init__(self):
        self.pages, self.keys, self.counted, self.sizes, self.postings, self.rows = {}, [], [], [], None, {}


def build_index(layer, process, index, frequencies):
    """The prebuilt index, reusing each page's terms (kept in the store, and in memory under
    `mkdocs serve`) and, when pages keep their number of entries, last build's postings."""
    from diary import search as prebuilt

    kept = process.setdefault("search-index", KeptIndex())
    config = index["config"]
    pages = prebuilt.group_pages(index["docs"])
    settings = repr([config["separator"], sorted(config.get("pipeline", []))])
    keys, counted, files, known = [], [], [], {}
    for entries in pages:
        key = settings + repr(entries)  # equal entries, as Material writes them, give equal text
        hit = known.get(key) or kept.pages.get(key)
        if hit is None:
            value = layer.memo("search-terms", lambda entries=entries: frequencies(entries), entries=entries,
                               separator=config["separator"], pipeline=sorted(config.get("pipeline", [])))
            hit = (value, prebuilt.page_file(entries))
        known[key] = hit
        keys.append(key)
        counted.append(hit[0])
        files.append(hit[1])
    sizes = [len(entries) for entries in pages]
    postings, rows = updated_postings(kept, keys, counted, sizes)
    kept.pages, kept.keys, kept.counted, kept.sizes, kept.postings, kept.rows = known, keys, counted, sizes, postings, rows
    return prebuilt.build(index, counted, postings, files, rows)


def updated_postings(kept, keys, counted, sizes):
    """The postings of `counted`, and the lines of the terms they leave as they were: last build's,
    with the pages that changed taken out and put back, when every page has the number of entries
    it had (so documents keep their numbers); otherwise made afresh."""
    from diary import search as prebuilt

    changed = [number for number, (key, old) in enumerate(zip(keys, kept.keys)) if key != old]
    if kept.postings is None or sizes != kept.sizes or len(changed) > max(1, len(keys) // 8):
        return prebuilt.all_postings(counted), {}
    postings, rows = kept.postings, kept.rows
    starts = [0]
    for size in sizes:
        starts.append(starts[-1] + size)
    for number in changed:
        first, end = starts[number], starts[number + 1]
        added = {}
        prebuilt.add_postings(added, counted[number], first)
        terms = set(added)
        for fields in kept.counted[number]:
            for counts in fields.values():
                terms.update(counts)
        empty = (array("q"), array("q"), array("q"))
        for term in terms:
            rows.pop(term, None)
            merged = []
            for old, more in zip(postings.get(term, empty), added.get(term, empty)):
                documents = old[0::2]  # the page's documents are one run: replace it
                low, high = bisect.bisect_left(documents, first), bisect.bisect_left(documents, end)
                merged.append(old[:2 * low] + more + old[2 * high:])
            if any(merged):
                postings[term] = tuple(merged)
            else:
                postings.pop(term, None)
    return postings, rows
