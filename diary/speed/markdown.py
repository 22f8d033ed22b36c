"""Convert each Markdown page once per change, not once per build.

Markdown conversion is the largest part of a build on a big diary. A page's
converted HTML, table of contents and anchors are kept, keyed by everything
conversion reads: the page's Markdown after every plugin has run (citations
and listings included), its source and address, the Markdown settings, and
the site's files, which its links are checked against. A conversion that logs
a warning is never kept, so a strict build reports it every time; pages that
include snippets from other files are always converted.
"""

from mkdocs.structure.pages import Page

from diary.speed import compat

SNIPPET = "--8<--"


def settings(config):
    """What Markdown conversion is configured with."""
    return {
        "extensions": config.markdown_extensions,
        "configs": config.mdx_configs,
        "urls": config.use_directory_urls,
        "validation": dict(config.validation),
    }


def files_listed(files):
    """What links are resolved against: every file's source, address and inclusion."""
    return sorted(f"{f.src_uri}\t{f.url}\t{f.inclusion.name}" for f in files)


def reuse(layer, page, markdown, config, files):
    """Give the page a render that takes its conversion from the store when it is kept there."""
    # Notebooks, blog posts and generated pages render their own way.
    if type(page) is not Page or not page.file.src_uri.endswith(".md") or SNIPPET in markdown:
        return
    key = layer.key("markdown", markdown=markdown, src_uri=page.file.src_uri, url=page.file.url,
                    settings=layer.shared("markdown settings", lambda: settings(config)),
                    files=layer.shared("files", lambda: files_listed(files)))

    def render(convert, config, files):
        kept = layer.store.get("markdown", key)
        if kept is not None:
            compat.show_converted_markdown(page, kept, files)
            return
        with layer.counting_warnings() as warnings:
            convert(config, files)
        if warnings.count == 0:
            layer.store.put("markdown", key, compat.converted_markdown(page))

    compat.replace_render(page, render)
