"""Notebook pages: clear errors for bad notebooks, citations and math like essays, a provenance strip.

mkdocs-jupyter renders each committed notebook (without executing it). This
hook checks every notebook before that, so a broken one stops the build with
one line naming it; keeps Markdown plugins from reading a notebook's JSON as
if it were Markdown; and then finishes the rendered page: `[@key]` citations
and TeX in Markdown cells become the same links and MathJax markup as on
essays, the page gets its reference list, and a strip under the title shows
the last run from the execution report with download and Colab links. The
downloadable copy leaves out metadata that describes the author's machine.

nbconvert's inline stylesheet and scripts go (docs/stylesheets/notebooks.css
styles the cells), figures move out of the HTML into image files beside the
page, and the finished page is kept in .cache/notebook-pages/ so an unchanged
notebook costs nothing on the next build or save.
"""

import base64
import binascii
import hashlib
import io
import json
import logging
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
from build_cache import cache_file, counting_warnings, overrides_digest
from citations import link_citations, reference_list_html
from diary_files import DiaryFileError, load_report, notebook_info, published_notebook, read_notebook
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from PIL import Image
from selectolax.lexbor import LexborHTMLParser

log = logging.getLogger("mkdocs.hooks")

DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$|(\\begin\{(\w+\*?)\}.+?\\end\{\3\})", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.DOTALL)
REPORT_MARKER = "<!-- diary:execution-report -->"
# Longer printed output is a log or a dump, not something a reader searches for.
MAX_INDEXED_OUTPUT = 1500
EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,(.+)", re.DOTALL)
EMBEDDED_URI = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+")
CACHE = "notebook-pages"
# Pygments spans whose colour is the plain code colour in the theme: names and white space.
PLAIN_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')


def is_notebook(page):
    return page.file.src_uri.endswith(".ipynb")


def on_files(files, config):
    for file in files.documentation_pages():
        if file.src_uri.endswith(".ipynb"):
            try:
                read_notebook(file.abs_src_path, f"docs/{file.src_uri}")
            except DiaryFileError as error:
                raise PluginError(str(error)) from None
    return files


@event_priority(110)  # before the citation hook and mkdocs-bibtex see the page
def on_page_markdown(markdown, page, config, files):
    # mkdocs-jupyter renders from the .ipynb file itself; the "Markdown" here is its JSON.
    if is_notebook(page):
        # Summary and tags feed the page description and the search index's tags field.
        info = notebook_info(read_notebook(page.file.abs_src_path), page.file.src_uri)
        page.meta.setdefault("description", info["summary"])
        page.meta.setdefault("tags", info["tags"])
        return ""
    if REPORT_MARKER in markdown:
        markdown = markdown.replace(REPORT_MARKER, execution_report(page, config, files))
    return markdown


def execution_report(page, config, files):
    """The execution report as a Markdown table, one row per notebook in the site."""
    report = load_report(config.docs_dir)
    here = posixpath.dirname(page.file.src_uri) or "."
    rows = [
        {
            "link": posixpath.relpath(file.src_uri, here),
            "name": file.src_uri,
            "title": notebook_info(read_notebook(file.abs_src_path), file.src_uri)["title"] or file.src_uri,
            "record": report.get(file.src_uri, {}),
        }
        for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri)
        if file.src_uri.endswith(".ipynb")
    ]
    versions = sorted({
        (name, version)
        for row in rows
        for name, version in [("python", row["record"].get("python")), *row["record"].get("packages", {}).items()]
        if version
    })
    template = config.theme.get_env().get_template("partials/execution-report.md.jinja")
    return template.render(rows=rows, versions=versions)


def on_page_content(html, page, config, files):
    if not is_notebook(page):
        return html
    cached = cache_path(html, page, config)
    folder = Path(page.file.abs_dest_path).parent
    if cached.exists():
        body = cached.read_text(encoding="utf-8")
        for uri in EMBEDDED_URI.findall(html):
            image = decode_image(uri)
            if image is not None and image_name(*image) in body:
                write_image(*image, folder)
        return body
    with counting_warnings() as warnings:
        body = finish_page(html, page, config)
    if warnings.count == 0:  # a page with an unknown citation is finished again, and reported, every build
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(body, encoding="utf-8")
    return body


def cache_path(html, page, config):
    """Where the finished page is kept: keyed by mkdocs-jupyter's HTML, the page, its run record,
    the bibliography, the links it is given and the hooks and templates that finish it."""
    record = load_report(config.docs_dir).get(page.file.src_uri, {})
    bib = Path(config.config_file_path).parent / config.plugins["bibtex"].config.bib_file
    parts = [html, page.file.src_uri, json.dumps(record, sort_keys=True), config.repo_url or "",
             config.edit_uri or "", bib.read_text(encoding="utf-8"), overrides_digest(config)]
    return cache_file(config, CACHE, parts, ".html")


def finish_page(html, page, config):
    tree = LexborHTMLParser(f"<body>{html}</body>")
    drop_template_assets(tree)
    keys = finish_markdown_cells(tree, page, config)
    unwrap_markdown_cells(tree)
    style_code_like_essays(tree)
    move_images_out(tree, Path(page.file.abs_dest_path).parent)
    keep_search_to_what_matters(tree)
    insert_after_title(tree, provenance_strip(page, config))
    body = tree.body.inner_html
    return body + reference_list_html(keys, config) if keys else body


def move_images_out(tree, folder):
    """Save each figure a cell output embeds as base64 to a file beside the page.

    Embedded, a figure is a third larger and sits in the HTML twice (the image
    and its lightbox link), so every visit downloads it before the text; as a
    file it is fetched only when scrolled to and cached like any image."""
    for node in tree.css('img[src^="data:image/"], a[href^="data:image/"]'):
        attribute = "src" if node.tag == "img" else "href"
        saved = save_image(node.attributes[attribute], folder)
        if saved is None:
            continue
        name, size = saved
        node.attrs[attribute] = name
        if node.tag == "img":
            node.attrs["loading"] = "lazy"
            node.attrs["width"], node.attrs["height"] = (str(n) for n in size)


def save_image(uri, folder):
    """Write a base64 data URI to `folder` under a name from its content; return (name, (w, h)), or None."""
    image = decode_image(uri)
    if image is None:
        return None
    try:
        size = Image.open(io.BytesIO(image[1])).size
    except OSError:
        return None  # not an image after all: leave it embedded
    return write_image(*image, folder), size


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


def write_image(extension, data, folder):
    name = image_name(extension, data)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return name


def drop_template_assets(tree):
    """Remove what nbconvert's template puts around the cells on every page: about 600 kB of
    JupyterLab and Pygments CSS (docs/stylesheets/notebooks.css, cached once, replaces it),
    the clipboard web component and its hidden copy of each cell's code (the theme's copy
    button replaces them), MathJax 2 from a CDN
    (the site typesets math itself), and mermaid's and the widget manager's CDN loaders and
    saved widget state, which have no offline copy. Anything inside a cell's output is left
    alone, so the offline check still reports a cell that loads from another host."""
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
    light-only colours fail contrast), and let keyboard users scroll wide cells."""
    for block in tree.css(".highlight-ipynb"):
        block.attrs["class"] = (block.attributes.get("class") or "").replace("highlight-ipynb", "highlight")
    for scrolling in tree.css(".jp-InputArea-editor .highlight > pre"):
        scrolling.attrs["tabindex"] = "0"
        # The same <pre><code> shape as an essay's code block, which gets the theme's copy button.
        code = PLAIN_TOKEN.sub(r"\1", scrolling.inner_html)
        scrolling.inner_html = f"<code>{code}</code>"


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


def on_post_page(output, page, config):
    if is_notebook(page):
        publish_source(page)
    return output


def publish_source(page):
    """Put the notebook beside its page for "Download .ipynb", without machine-specific metadata."""
    source = Path(page.file.abs_src_path)
    target = Path(page.file.abs_dest_path).parent / source.name
    target.parent.mkdir(parents=True, exist_ok=True)  # the page itself is written after this event
    notebook, removed = published_notebook(read_notebook(source))
    if removed:
        log.info(f"docs/{page.file.src_uri}: left out of the published copy: {', '.join(removed)}")
        nbformat.write(notebook, target)
    else:
        shutil.copyfile(source, target)


def colab_url(config, src_uri):
    """Open-in-Colab link for a notebook on the default branch named in `edit_uri`."""
    repository = urlsplit(config.repo_url).path.strip("/")
    branch = (config.edit_uri or "edit/main/docs/").strip("/").split("/")[1]
    docs = posixpath.relpath(config.docs_dir, posixpath.dirname(config.config_file_path))
    return f"https://colab.research.google.com/github/{repository}/blob/{branch}/{docs}/{src_uri}"


def provenance_strip(page, config):
    record = load_report(config.docs_dir).get(page.file.src_uri, {})
    template = config.theme.get_env().get_template("partials/notebook-strip.html")
    return template.render(
        record=record,
        download=posixpath.basename(page.file.src_uri),
        colab=colab_url(config, page.file.src_uri),
    )
