"""Search that stays fast as the diary grows: Material's search dialog, fed from an index in pieces.

Material's search plugin writes every page's sections (its "entries") into one
search/search_index.json, which each reader's browser downloads on every first
visit and turns into a lunr index before the first result shows: seconds, and
megabytes, on a large diary. Here the plugin still makes the entries, and this
module turns the file it wrote into the same index, prebuilt and cut up:

- search/manifest.json: Material's `config` and a small table (`config.diary`):
  the first term of each piece, how many entries each page has, and any search
  boosts. The worker fetches it as soon as it starts, without waiting for the
  page (whose main thread is busiest just then) to hand it the index, so a
  reader who types as the page opens is answered at once. With the worker
  itself, it is all a page fetches for search before the reader types.
- search/search_index.json: what Material's script fetches and passes on to
  the worker: its `config`, no documents, and the index's version.
- search/terms/NNN.json: the inverted index, each piece a run of terms in
  order with, per field (title, text, tags), the documents holding the term and
  how often. A query fetches only the pieces its words fall in.
- search/pages.json: each page's address and title, for results shown by title alone.
- search/pages/NNNN.json: one page's entries as Material wrote them, fetched for
  the results that are shown with their text.

The browser side is a worker (diary/assets/search-worker.js) that speaks the
protocol of Material's own search worker, so Material's dialog, results,
keyboard use, suggestions and highlighting stay as they are. It scores exactly
as Material's lunr set-up does (BM25 with b=0, the same field boosts, the same
tokenizer, separator and stop words, every word a prefix), so results rank the
same; this module does the indexing half of that.

Every file is a function of the entries alone, names included, so builds with
and without the cache, and a `--dirty` rebuild, write the same bytes; files of
pages or pieces that no longer exist are removed.
"""

import hashlib
import json
from array import array
import logging
import operator
import re
import sys
from importlib import resources
from pathlib import Path

from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.plugins.diary.search")

FIELDS = ("title", "text", "tags")
# A piece of the inverted index holds terms until its JSON passes this size:
# about 15-20 kB gzipped, so a query's words cost one or two small fetches.
PIECE_BYTES = 48_000
WORKER = "search-worker.js"
WORKER_DIR = "assets/javascripts/workers"

# lunr's English stop words (lunr.stopWordFilter), which Material's pipeline keeps.
STOP_WORDS = frozenset("""
a able about across after all almost also am among an and any are as at be because been but by can cannot
could dear did do does either else ever every for from get got had has have he her hers him his how however
i if in into is it its just least let like likely may me might most must my neither no nor not of off often on
only or other our own rather said say says she should since so some than that the their them then there these
they this tis to too twas us wants was we were what when where which while who whom why will with would yet
you your
""".split())

# What JavaScript's \s matches, for reading the separator (a JavaScript regular expression) in Python.
JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
JS_CLASSES = {"s": JS_SPACE, "d": "0-9", "w": "A-Za-z0-9_"}
TAG_DELIMITER = re.compile(r"[<>]")


class Unsupported(Exception):
    """A search configuration the prebuilt index does not reproduce; Material's own search is kept."""


def supported(config):
    """Why Material's search configuration cannot be served from the prebuilt index, or None."""
    plugin = config.plugins.get("material/search")
    if plugin is None or not plugin.config.enabled:
        return "the search plugin is off"
    if list(plugin.config.lang or ["en"]) != ["en"]:
        return f"search languages {plugin.config.lang} (only English is prebuilt)"
    extra = set(plugin.config.pipeline or []) - {"stopWordFilter", "trimmer"}
    if extra:
        return f"search pipeline {sorted(extra)} (stemming is not prebuilt)"
    try:
        separator(plugin.config.separator)
    except (Unsupported, re.error) as error:
        return f"search separator {plugin.config.separator!r}: {error}"
    return None


def separator(pattern):
    """The search separator, a JavaScript regular expression, as the same expression in Python."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped in JS_CLASSES:
                out.append(JS_CLASSES[escaped] if in_class else f"[{JS_CLASSES[escaped]}]")
            elif escaped.lower() in JS_CLASSES:
                if in_class:
                    raise Unsupported(f"\\{escaped} inside a character class")
                out.append(f"[^{JS_CLASSES[escaped.lower()]}]")
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return re.compile("".join(out), re.ASCII)


def text_runs(html):
    """The runs of text Material's tokenizer reads in an HTML string: what lies between tags."""
    start = 0
    for match in TAG_DELIMITER.finditer(html):
        end = match.start()
        if match.group() == "<":
            if end > start:
                yield html[start:end]
            start = end
        else:
            start = end + 1
    if len(html) > start:
        yield html[start:]


def terms(value, split, trim, stop=True):
    """The index terms of one field's value (a string, or a list of strings for tags), in order."""
    values = value if isinstance(value, list) else [value]
    found = []
    for item in values:
        for run in text_runs(str(item)):
            for token in split(run):
                if not token:
                    continue
                token = token.lower()
                if trim:
                    token = re.sub(r"\W+$", "", re.sub(r"^\W+", "", token, flags=re.ASCII), flags=re.ASCII)
                    if not token:
                        continue
                if not (stop and token in STOP_WORDS):
                    found.append(token)
    return found


def frequencies(entries, split, pipeline):
    """For each entry, {field: {term: count}}: what the index keeps of it."""
    counted = []
    for entry in entries:
        fields = {}
        for field in FIELDS:
            value = entry.get(field)
            if value is None:
                continue
            counts = {}
            for term in terms(value, split, "trimmer" in pipeline, "stopWordFilter" in pipeline):
                term = sys.intern(term)  # one copy of each word for the whole site, not one per entry
                counts[term] = counts.get(term, 0) + 1
            if counts:
                fields[field] = counts
        counted.append(fields)
    return counted


def group_pages(docs):
    """Entries grouped by page (the address before '#'), pages in order of first appearance."""
    pages = {}
    for doc in docs:
        pages.setdefault(doc["location"].split("#", 1)[0], []).append(doc)
    return list(pages.values())


def _utf16(term):
    return term.encode("utf-16-be")  # the order JavaScript compares strings in


def _dump(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def page_file(entries):
    """The file of one page's entries, as the worker fetches it for a result shown with its text."""
    return _dump(entries)


def add_postings(postings, counted, first):
    """Add to `postings` ({term: per field an array of document, count, document, count...})
    one page's entry frequencies, its entries numbered from `first`."""
    for doc, fields in enumerate(counted, start=first):
        for position, field in enumerate(FIELDS):
            for term, count in fields.get(field, {}).items():
                lists = postings.get(term)
                if lists is None:
                    lists = postings[term] = (array("q"), array("q"), array("q"))
                lists[position].append(doc)
                lists[position].append(count)


def all_postings(counted_pages):
    """The inverted index of every page's entry frequencies, documents numbered in page order."""
    postings, first = {}, 0
    for counted in counted_pages:
        add_postings(postings, counted, first)
        first += len(counted)
    return postings


def row(term, lists):
    """One term's line in a piece: the term, then per field its documents as gaps, each with its count."""
    out = [term]
    for entries in lists:
        numbers = entries[0::2].tolist()
        gaps = map(operator.sub, numbers, [0] + numbers[:-1])
        out.append([value for pair in zip(gaps, entries[1::2].tolist()) for value in pair])
    return _dump(out)


def build(index, counted_pages, postings=None, page_files=None, rows=None):
    """{path under search/: bytes} of the whole prebuilt index, from Material's index
    ({config, docs}) and each page's entry frequencies (`frequencies` of its entries).
    `postings` (`all_postings` of them), `page_files` (`page_file` of each page) and `rows`
    ({term: `row` of it}, filled in where a term is missing) may come ready."""
    config = index["config"]
    pages = group_pages(index["docs"])
    postings = all_postings(counted_pages) if postings is None else postings
    page_files = [page_file(entries) for entries in pages] if page_files is None else page_files
    table = [[entries[0]["location"], entries[0]["title"]] for entries in pages]
    sizes = [len(entries) for entries in pages]
    boosts = {str(doc): entry["boost"] for doc, entry in enumerate(e for entries in pages for e in entries)
              if "boost" in entry}
    rows = {} if rows is None else rows
    files, starts, piece, size = {}, [], [], 0

    def close():
        files[f"terms/{len(starts) - 1:03d}.json"] = b"[" + b",".join(piece) + b"]"

    for term in sorted(postings, key=_utf16):
        line = rows.get(term)
        if line is None:
            line = rows[term] = row(term, postings[term])
        if not piece or size >= PIECE_BYTES:
            if piece:
                close()
            starts.append(term)
            piece, size = [], 0
        piece.append(line)
        size += len(line) + 1
    if piece:
        close()
    files["pages.json"] = _dump(table)
    for number, data in enumerate(page_files):
        files[f"pages/{number:04d}.json"] = data
    version = hashlib.sha256(b"".join(name.encode() + b"\0" + data for name, data in sorted(files.items())))
    manifest = {"version": version.hexdigest()[:16], "documents": sum(sizes), "terms": starts,
                "pages": sizes, "boosts": boosts}
    files["manifest.json"] = _dump({"config": {**config, "diary": manifest}})
    files["search_index.json"] = _dump({"config": {**config, "diary": {"version": manifest["version"]}}, "docs": []})
    return files


def write(config, layer):
    """Replace the search index Material's plugin just wrote with the prebuilt one. `layer` (the
    speed layer) may hand over work it kept: each page's frequencies, the postings, page files."""
    root = Path(config.site_dir) / "search"
    path = root / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    if index.get("config", {}).get("diary"):
        return  # already ours: Material wrote nothing new in this build
    split = separator(index["config"]["separator"]).split
    pipeline = sorted(index["config"].get("pipeline", []))
    # Suggestions are the theme's feature; Material tells the worker in its set-up message, which
    # can come after the reader's first query.
    index["config"]["suggest"] = "search.suggest" in (config.theme.get("features") or [])
    files = layer.search_index(index, lambda entries: frequencies(entries, split, pipeline))
    for folder in ("terms", "pages"):
        if (root / folder).is_dir():
            for old in sorted((root / folder).iterdir()):
                if f"{folder}/{old.name}" not in files:
                    old.unlink()
    for name, data in files.items():
        target = root / name
        if target.is_file() and target.read_bytes() == data:
            continue  # unchanged: a --dirty rebuild leaves it as it was
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def worker_file():
    return Path(str(resources.files("diary").joinpath("assets", WORKER)))


def worker_path():
    """Where the worker is published: its name carries a digest of its text, as Material's does."""
    digest = hashlib.sha256(worker_file().read_bytes()).hexdigest()[:8]
    return f"{WORKER_DIR}/diary-search.{digest}.js"


class Search:
    """The feature for one build: on, with the two worker paths the page configuration swaps,
    or off (Material's own search) with one INFO line saying why."""

    def __init__(self, config):
        self.worker = None  # (Material's worker path, this one's), read by overrides/main.html
        problem = supported(config)
        if problem is None:
            try:
                self.worker = (material_worker_path(), worker_path())
            except Unsupported as error:
                problem = str(error)
        if problem is not None and config.plugins.get("material/search") is not None:
            log.info(f"diary: Material's own search for this build: {problem}")

    def add_worker(self, files, config):
        if self.worker is not None:
            files.append(File.generated(config, self.worker[1], abs_src_path=str(worker_file())))

    def write(self, config, layer):
        if self.worker is not None:
            write(config, layer)


def material_worker_path():
    """The path of Material's own search worker in the site, which the page's configuration names."""
    import material

    workers = Path(material.__file__).parent / "templates" / WORKER_DIR
    found = sorted(workers.glob("search.*.min.js"))
    if len(found) != 1:
        raise Unsupported(f"found {len(found)} search workers in Material's templates, not one")
    return f"{WORKER_DIR}/{found[0].name}"


def read_entries(read):
    """Every search entry of a built site, in order, as Material's plugin made them;
    `read(path under search/)` gives a file's bytes (from disk, or from a server)."""
    table = json.loads(read("pages.json"))
    return [entry for number in range(len(table))
            for entry in json.loads(read(f"pages/{number:04d}.json"))]


def entries_in(site):
    """Every search entry of the site built in `site`."""
    return read_entries(lambda path: (Path(site) / "search" / path).read_bytes())
