"""Write each page out through the theme once per change, not once per build.

Filling Material's templates is the largest cost left once Markdown and search
entries are kept, and almost every page comes out the same on each save. Each
page's output is kept, keyed by everything the theme reads for it: the page
(HTML, table of contents, title, front matter, dates, address, edit link,
neighbours and section, and its tags with the listings they link to), every
page's title, address and inclusion (the navigation), and what the whole site
shares (configuration, overrides, versions). A page whose output is kept is given a template that writes it out
as it was, and the plugins that post-process pages still run on it. Blog
posts and the blog's generated pages, whose templates receive more than the
page, are always rendered.

It runs after every plugin's `on_env`, when every page's title is known and
the tags plugin has written its listings.
"""

from jinja2 import BytecodeCache, ChoiceLoader, DictLoader
from mkdocs.structure.pages import Page

from diary.speed import compat

TEMPLATE = "diary-kept-page.html"


def navigation(files):
    return [(f.src_uri, f.url, f.inclusion.name, f.page.title if f.page is not None else "")
            for f in sorted(files, key=lambda f: f.src_uri)]


class CompiledTemplates(BytecodeCache):
    """The theme's templates compiled once, not on every build: a third of a rebuild under
    `make serve`. Jinja checks each compiled template against its source before using it."""

    def __init__(self, layer):
        self.layer = layer

    def load_bytecode(self, bucket):
        code = self.layer.store.get("template-code", self._key(bucket))
        if isinstance(code, bytes):
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.layer.store.put("template-code", self._key(bucket), bucket.bytecode_to_string())

    def _key(self, bucket):
        return self.layer.key("template-code", template=bucket.key, source=bucket.checksum)


def reuse(layer, env, config, files):
    """Return `env` able to write out kept pages, and give every page with kept output that template."""
    env.bytecode_cache = CompiledTemplates(layer)
    env.loader = ChoiceLoader([DictLoader({TEMPLATE: "{{ page.diary_kept_html }}"}), env.loader])
    kept, pending = {}, {}
    pages = layer.shared("navigation", lambda: navigation(files))
    for file in files.documentation_pages():
        page = file.page
        if type(page) is not Page or page.content is None or "template" in page.meta:
            continue
        neighbours = [(p.title, p.url) if p else None for p in (page.previous_page, page.next_page)]
        key = layer.key(
            "theme", site=layer.site, pages=pages, content=page.content, url=page.url, title=str(page.title),
            canonical_url=page.canonical_url or "", edit_url=page.edit_url or "", inclusion=file.inclusion.name,
            toc=compat.toc_tokens(page.toc), meta=page.meta, neighbours=neighbours,
            ancestors=[getattr(item, "title", None) for item in page.ancestors],
            tags=compat.tag_references(config, page),
        )
        output = layer.store.get("theme", key)
        if isinstance(output, str):
            page.diary_kept_html = output
            page.meta["template"] = TEMPLATE
            kept[file.src_uri] = True
        else:
            pending[file.src_uri] = key
    return env, kept, pending


def keep(layer, page, output, kept, pending):
    """Right after the theme wrote `page`, before any plugin changes it."""
    key = pending.pop(page.file.src_uri, None)
    if key is not None:
        layer.store.put("theme", key, output)
    if kept.pop(page.file.src_uri, None):
        # Drop the kept copy (and its template) so nothing else reads them.
        del page.diary_kept_html
        del page.meta["template"]
