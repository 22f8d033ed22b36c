"""Convert each Markdown page once per change, not once per build.

Markdown conversion is the largest part of a build on a big diary, and
`mkdocs serve` rebuilds the whole site on every save. This hook keeps each
page's converted HTML, table of contents and anchors in .cache/pages/, keyed
by everything conversion reads: the page's Markdown after every plugin has run
(citations included), its address, the Markdown settings and package
versions, and the site's list of files, which its links are checked against.
A conversion that logs a warning is never kept, so a strict build reports it
every time; pages that include snippets from other files are always converted.
"""

import hashlib
import json
from importlib.metadata import version

from build_cache import cache_file, counting_warnings
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

CACHE = "pages"
SNIPPET = "--8<--"
PACKAGES = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material")


@event_priority(-100)  # after every plugin that edits the Markdown
def on_page_markdown(markdown, page, config, files):
    # Notebooks (mkdocs-jupyter keeps its own cache), blog posts and generated pages render their own way.
    if type(page) is Page and page.file.src_uri.endswith(".md") and SNIPPET not in markdown:
        page.render = _cached_render(page, cache_path(page, markdown, config, files))
    return markdown


def cache_path(page, markdown, config, files):
    parts = (markdown, page.file.src_uri, page.file.url, settings_digest(config), files_digest(files))
    return cache_file(config, CACHE, parts, ".json")


def settings_digest(config):
    """The Markdown settings and package versions, as text. Computed once per build."""
    digest = getattr(config, "_diary_render_settings", None)
    if digest is not None:
        return digest
    settings = {
        "extensions": [_stable(item) for item in config.markdown_extensions],
        "configs": _stable(config.mdx_configs),
        "urls": config.use_directory_urls,
        "validation": _stable(dict(config.validation)),
        "versions": [version(name) for name in PACKAGES],
    }
    config._diary_render_settings = json.dumps(settings, sort_keys=True)
    return config._diary_render_settings


def _stable(value):
    """A JSON-able form of a setting; functions (e.g. an emoji generator) by their qualified name."""
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_stable(v) for v in value]
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


def files_digest(files):
    """What links are resolved against: every file's source, address and inclusion. Computed once per build."""
    digest = getattr(files, "_diary_render_digest", None)
    if digest is None:
        entries = sorted(f"{f.src_uri}\t{f.url}\t{f.inclusion.name}" for f in files)
        digest = hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()
        files._diary_render_digest = digest
    return digest


def _cached_render(page, path):
    convert = page.render

    def render(config, files):
        if path.exists():
            restore(page, json.loads(path.read_text(encoding="utf-8")), files)
            return
        with counting_warnings() as warnings:
            convert(config, files)
        if warnings.count == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(snapshot(page)), encoding="utf-8")

    return render


def snapshot(page):
    return {
        "content": page.content,
        "toc": [_token(item) for item in page.toc],
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids),
        "links": {file.src_uri: links for file, links in (page.links_to_anchors or {}).items()},
    }


def _token(item):
    return {"name": item.title, "id": item.id, "level": item.level, "children": [_token(c) for c in item.children]}


def restore(page, saved, files):
    page.content = saved["content"]
    page.toc = get_toc(saved["toc"])
    page._title_from_render = saved["title"]
    page.present_anchor_ids = set(saved["anchors"])
    page.links_to_anchors = {files.get_file_from_path(uri): links for uri, links in saved["links"].items()}
