"""Notebook pages: clear errors for bad notebooks, citations and math like essays, a provenance strip.

mkdocs-jupyter renders each committed notebook without executing it. Before
that, every notebook is checked, so a broken one stops the build with one
line naming it. The rendered page is then finished: `[@key]` citations and TeX
in Markdown cells become the same links and MathJax markup as on essays, the
page gets its reference list, prose leaves nbconvert's cell wrappers, code is
highlighted like an essay's, figures move out of the HTML into image files,
search skips prompts and noisy outputs, and a strip under the title shows the
last run from the execution report with download and Colab links. The
downloadable copy leaves out metadata that describes the author's machine.

nbconvert's inline stylesheet and scripts go: docs/stylesheets/notebooks.css
styles the cells once for every page.
"""

import base64
import binascii
import hashlib
import io
import logging
import os
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import nbformat
from PIL import Image
from selectolax.lexbor import LexborHTMLParser

from diary import code_blocks, provenance, widgets
from diary.citations import link_citations, reference_list_html
from diary.sources import DiaryFileError, published_notebook

log = logging.getLogger("mkdocs.plugins.diary")

DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$|(\\begin\{(\w+\*?)\}.+?\\end\{\3\})", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.DOTALL)
REPORT_MARKER = "<!-- diary:execution-report -->"
# Longer printed output is a log or a dump, not something a reader searches for.
MAX_INDEXED_OUTPUT = 1500
EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,(.+)", re.DOTALL)
EMBEDDED_URI = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+")
# Pygments spans shown in the plain code colour: names and white space (the theme's colour for
# them), punctuation, which Pygments' own default style leaves uncoloured too, and the empty
# span Pygments opens each block with. A long notebook's page loses a third of its elements, each
# restyled several times by the theme's start-up on a reader's phone.
PLAIN_TOKEN = re.compile(r'<span(?: class="[nwp]")?>([^<]*)</span>')


def is_notebook(page):
    return page.file.src_uri.endswith(".ipynb")


def mended_copies(files, pages, folder):
    """Say what each notebook needed mended and write the mended notebook into `folder()`, since
    mkdocs-jupyter reads a notebook from its path; {src_uri: path of the mended copy}."""
    copies = {}
    for file in files.documentation_pages():
        if not file.src_uri.endswith(".ipynb"):
            continue
        repairs = pages.repairs(file)
        if not repairs:
            continue
        log.info(f"docs/{file.src_uri}: repaired in memory and in the published copy: {'; '.join(repairs)}")
        target = Path(folder()) / file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(pages.notebook(file), target)
        copies[file.src_uri] = str(target)
    return copies


def render_from(page, copies):
    """Point the page at its mended copy while it renders (undone by restore_source)."""
    if page.file.src_uri in copies:
        page.file.abs_src_path = copies[page.file.src_uri]


def restore_source(page, copies):
    """The page's source is the author's file again, for plugins that read its path or git history."""
    if page.file.src_uri in copies:
        page.file.abs_src_path = os.path.normpath(os.path.join(page.file.src_dir, page.file.src_uri))


def describe(page, model):
    """The notebook's summary and tags as the page's description and tags (link previews, search)."""
    page.meta.setdefault("description", model.summary)
    page.meta.setdefault("tags", list(model.tags))


def insert_report(markdown, page, files, models, record_of, stale, templates):
    """The <!-- diary:execution-report --> marker as a table, one row per notebook in the site."""
    if REPORT_MARKER not in markdown:
        return markdown
    here = posixpath.dirname(page.file.src_uri) or "."
    rows = [
        {
            "link": posixpath.relpath(file.src_uri, here),
            "name": file.src_uri,
            "title": models[file.src_uri].title or file.src_uri,
            "record": record_of(file.src_uri),
            "elsewhere": models[file.src_uri].elsewhere,
            "stale": stale.get(file.src_uri, []),
        }
        for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri)
        if file.src_uri.endswith(".ipynb") and file.src_uri in models
    ]
    versions = sorted({
        (name, version)
        for row in rows
        for name, version in [("python", row["record"].get("python")), *row["record"].get("packages", {}).items()]
        if version
    })
    table = templates.get_template("execution-report.md.jinja").render(rows=rows, versions=versions)
    return markdown.replace(REPORT_MARKER, table)


def of(files, pages):
    """{src_uri: parsed notebook} of every readable notebook among the files."""
    return {file.src_uri: pages.notebook(file) for file in files.documentation_pages()
            if file.src_uri.endswith(".ipynb")}


def from_the_file(notebook, model, stale):
    """What the page shows from the notebook beyond nbconvert's HTML, as JSON data: its saved widgets,
    what it says of its last run, why `make notebooks` does not run it (if it says), and what changed
    since its outputs were made."""
    return {"widgets": widgets.saved(notebook), "origin": provenance.saved(notebook), "elsewhere": model.elsewhere,
            "stale": stale}


def finish(html, page, config, record, saved, theme):
    """mkdocs-jupyter's HTML of a notebook as the diary's page body (no files are written);
    `theme` is the theme's Jinja environment, for the strip and the reference list."""
    tree = LexborHTMLParser(f"<body>{html}</body>")
    drop_template_assets(tree)
    widgets.render_views(tree, saved["widgets"])
    keys = finish_markdown_cells(tree, page, config)
    unwrap_markdown_cells(tree)
    style_code_like_essays(tree)
    name_images(tree)
    keep_search_to_what_matters(tree)
    insert_after_title(tree, provenance_strip(page, config, record, saved, theme))
    body = tree.body.inner_html
    return body + reference_list_html(keys, config, theme) if keys else body


def name_images(tree):
    """Refer to each figure a cell output embeds as base64 by a file name beside the page.

    Embedded, a figure is a third larger and sits in the HTML twice (the image
    and its lightbox link), so every visit downloads it before the text; as a
    file it is fetched only when scrolled to and cached like any image.
    write_images puts the files there."""
    for node in tree.css('img[src^="data:image/"], a[href^="data:image/"]'):
        attribute = "src" if node.tag == "img" else "href"
        image = decode_image(node.attributes[attribute])
        if image is None:
            continue
        try:
            size = Image.open(io.BytesIO(image[1])).size
        except OSError:
            continue  # not an image after all: leave it embedded
        node.attrs[attribute] = image_name(*image)
        if node.tag == "img":
            node.attrs["loading"] = "lazy"
            node.attrs["width"], node.attrs["height"] = (str(n) for n in size)


def decode_image(uri):
    match = EMBEDDED_IMAGE.match(uri)
    if match is None:
        return None
    try:
        return match.group(1), base64.b64decode(match.group(2), validate=False)
    except binascii.Error:
        return None


def image_name(extension, data):
    return f"output-{hashlib.sha256(data).hexdigest()[:16]}.{extension}"


def write_images(html, body, folder):
    """Write beside the page every figure of mkdocs-jupyter's HTML that the finished body refers to by name."""
    for uri in EMBEDDED_URI.findall(html):
        image = decode_image(uri)
        if image is not None and (name := image_name(*image)) in body:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(image[1])


def drop_template_assets(tree):
    """Remove what nbconvert's template puts around the cells on every page: about 600 kB of
    JupyterLab and Pygments CSS (docs/stylesheets/notebooks.css, cached once, replaces it),
    the clipboard web component and its hidden copy of each cell's code (the theme's copy
    button replaces them), MathJax 2 from a CDN (the site typesets math itself), and
    mermaid's and the widget manager's CDN loaders and saved widget state, which have no
    offline copy. Anything inside a cell's output is left alone, so the offline check still
    reports a cell that loads from another host."""
    for node in tree.css(".zeroclipboard-container, .clipboard-copy-txt"):
        node.decompose()
    for node in tree.css("script, style, link"):
        if not _inside_cell(node):
            node.decompose()


def _inside_cell(node):
    parent = node.parent
    while parent is not None:
        if "jp-Cell" in (parent.attributes.get("class") or "").split():
            return True
        parent = parent.parent
    return False


def finish_markdown_cells(tree, page, config):
    """Turn citations and TeX in each Markdown cell into the site's markup; return the keys cited."""
    keys, anchored = [], set()
    for number, cell in enumerate(notebook_cells(tree), start=1):
        if "jp-MarkdownCell" not in (cell.attributes.get("class") or ""):
            continue
        rendered = cell.css_first(".jp-RenderedMarkdown")
        if rendered is None:
            continue
        where = f"docs/{page.file.src_uri}, cell {number}"
        text, cited = link_citations(typeset_math(rendered.inner_html), where, config, anchored)
        rendered.inner_html = text
        keys += [key for key in cited if key not in keys]
    return keys


def notebook_cells(tree):
    """One element per notebook cell (mkdocs-jupyter wraps code cells in a second jp-Cell)."""
    for cell in tree.css("div.jp-Cell"):
        parent = cell.parent
        if parent is None or "jp-Cell" not in (parent.attributes.get("class") or "").split():
            yield cell


def unwrap_markdown_cells(tree):
    """Lift each Markdown cell's content out of nbconvert's cell wrappers.

    The prose then reads like an essay (the theme's typography, permalinks that
    look the same), and its headings sit at the same depth as the code cells
    that follow, so the search index files those cells under their heading
    instead of at the top of the page.
    """
    for link in tree.css("a.anchor-link"):
        link.attrs["class"] = "headerlink"
        link.attrs["title"] = "Permanent link"
    for cell in list(notebook_cells(tree)):
        if "jp-MarkdownCell" not in (cell.attributes.get("class") or "").split():
            continue
        rendered = cell.css_first(".jp-RenderedMarkdown")
        if rendered is not None:
            for child in list(rendered.iter(include_text=True)):
                cell.insert_before(child)
        cell.decompose()


def style_code_like_essays(tree):
    """Give code cells the theme's own highlighting, readable in both palettes (mkdocs-jupyter's
    light-only colours fail contrast), let keyboard users scroll wide cells, and let the theme's
    copy button find each cell's code."""
    for block in tree.css(".highlight-ipynb"):
        block.attrs["class"] = (block.attributes.get("class") or "").replace("highlight-ipynb", "highlight")
    for block in tree.css(".jp-InputArea-editor .highlight > pre"):
        # The same <pre><code> shape as an essay's code block, which gets the theme's copy button.
        code = PLAIN_TOKEN.sub(r"\1", block.inner_html)
        block.inner_html = f"<code {code_blocks.FOCUSABLE}>{code}</code>"
    # The copy button finds its code by a selector made from the cell's id, `#__code_cell-id=… > code`,
    # and the `=` of nbconvert's ids makes that no selector at all: the button copied nothing.
    for cell in tree.css('[id^="cell-id="]'):
        cell.attrs["id"] = "cell-id-" + cell.attributes["id"][len("cell-id="):]


def keep_search_to_what_matters(tree):
    """Index code and short, readable outputs; leave prompts, copy buttons and noise out."""
    for node in tree.css(".jp-InputPrompt, .jp-OutputPrompt, .celltoolbar"):
        node.attrs["data-search-exclude"] = ""
    for output in tree.css(".jp-OutputArea-output"):
        if not worth_indexing(output):
            output.attrs["data-search-exclude"] = ""


def worth_indexing(output):
    """A table, or a short printed result that is mostly words; never errors, images or arrays."""
    mime = output.attributes.get("data-mime-type") or ""
    if "stderr" in mime or "error" in (output.attributes.get("class") or "") or output.css_first("img, svg"):
        return False
    text = output.text()
    if output.css_first("table") is not None:
        return len(text) <= MAX_INDEXED_OUTPUT * 4
    if mime == "text/html" or len(text) > MAX_INDEXED_OUTPUT:
        return False
    letters = sum(character.isalpha() for character in text)
    return letters >= 0.4 * max(1, len(text.replace(" ", "")))


def typeset_math(html):
    """Wrap TeX in the arithmatex markup that the site's MathJax loader looks for."""
    html = DISPLAY_MATH.sub(
        lambda m: f'<div class="arithmatex">\\[{m.group(1) if m.group(1) is not None else m.group(2)}\\]</div>',
        html,
    )
    return INLINE_MATH.sub(lambda m: f'<span class="arithmatex">\\({m.group(1)}\\)</span>', html)


def insert_after_title(tree, fragment):
    """Put `fragment` right under the notebook's title (or first, if it has none)."""
    node = LexborHTMLParser(f"<body>{fragment}</body>").body.child
    title = tree.css_first("h1")
    if title is not None:
        title.insert_after(node)
    else:
        tree.body.insert_child(node)


def publish_source(page, notebook, mended):
    """Put the notebook beside its page for "Download .ipynb", mended, without machine-specific metadata."""
    source = Path(page.file.abs_src_path)
    target = Path(page.file.abs_dest_path).parent / source.name
    target.parent.mkdir(parents=True, exist_ok=True)  # the page itself is written after this event
    published, removed = published_notebook(notebook)
    if removed:
        log.info(f"docs/{page.file.src_uri}: left out of the published copy: {', '.join(removed)}")
    if removed or mended:
        nbformat.write(published, target)
    else:
        shutil.copyfile(source, target)


def colab_url(config, src_uri):
    """Open-in-Colab link for a notebook on the default branch named in `edit_uri`."""
    repository = urlsplit(config.repo_url).path.strip("/")
    branch = (config.edit_uri or "edit/main/docs/").strip("/").split("/")[1]
    docs = posixpath.relpath(config.docs_dir, posixpath.dirname(config.config_file_path))
    return f"https://colab.research.google.com/github/{repository}/blob/{branch}/{docs}/{quote(src_uri)}"


def provenance_strip(page, config, record, saved, theme):
    template = theme.get_template("partials/notebook-strip.html")
    return template.render(
        record=record,
        origin=saved["origin"],
        elsewhere=saved["elsewhere"],
        stale=saved["stale"],
        download=quote(posixpath.basename(page.file.src_uri)),
        colab=colab_url(config, page.file.src_uri),
    )
