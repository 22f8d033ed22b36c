"""Keep every built page self-contained: nothing is loaded from a third-party host.

Unicode emoji would otherwise be drawn from the twemoji CDN, and any page that
references an external script, stylesheet, font or image fails the build.
"""

import logging
import re
from urllib.parse import urlsplit

from material.extensions.emoji import to_svg as material_to_svg
from pymdownx.emoji import to_alt
from selectolax.lexbor import LexborHTMLParser

log = logging.getLogger("mkdocs.plugins.diary")

# Elements and attributes through which a browser fetches something on view.
LOADING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "prefetch", "manifest"}
# Inline scripts that pull code from a URL when they run: `import(...)`,
# `import ... from`, or a script/stylesheet URL built into a string.
INLINE_LOAD = re.compile(
    r"""(?:\bimport\s*\(|\bimport\s[^;]*?\bfrom)\s*["'](https?://[^"']+)"""
    r"""|["'](https?://[^"'\s]+\.(?:m?js|css))(?:[?#][^"']*)?["']"""
)


def offline_emoji(index, shortname, alias, uc, alt, title, category, options, md):
    """Inline SVG for theme icons; the plain character for Unicode emoji."""
    if uc:
        return to_alt(index, shortname, alias, uc, alt, title, category, options, md)
    return material_to_svg(index, shortname, alias, uc, alt, title, category, options, md)


def keep_emoji_local(config):
    emoji = config.mdx_configs.get("pymdownx.emoji")
    if emoji is not None:
        emoji["emoji_generator"] = offline_emoji


def external_loads(html, own_host):
    """Yield every URL in `html` that the browser would fetch from another host."""
    tree = LexborHTMLParser(html)
    for tag, attributes in LOADING_ATTRIBUTES.items():
        for node in tree.css(tag):
            for attribute in attributes:
                yield from _foreign(node.attributes.get(attribute), own_host)
    for node in tree.css("script:not([src])"):
        for groups in INLINE_LOAD.findall(node.text()):
            yield from _foreign("".join(groups), own_host)
    for node in tree.css("link[href]"):
        rels = set((node.attributes.get("rel") or "").lower().split())
        if rels & LOADING_LINK_RELS:
            yield from _foreign(node.attributes.get("href"), own_host)


def _foreign(value, own_host):
    for candidate in (value or "").split(","):
        url = candidate.strip().split(" ")[0]
        host = urlsplit(url).netloc
        if host and host != own_host:
            yield url


def report_external_loads(output, page, config):
    own_host = urlsplit(config.site_url or "").netloc
    for url in external_loads(output, own_host):
        log.error(f"docs/{page.file.src_uri}: loads {url} from a third-party host; ship the file with the site instead")
