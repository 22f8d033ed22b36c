"""Zoomable figures without a lightbox in every page's <head>.

mkdocs-glightbox puts its stylesheet and script in the <head> of every page,
where both hold up the first paint (and most pages have no figure to zoom),
and starts the lightbox from an inline script at the end of <body> that needs
the library already loaded. After the plugin has written a page, the two tags
come out and the plugin's options stay as JSON; docs/javascripts/lightbox.js
fetches the library when a reader first points at, focuses or clicks a figure.
If the plugin's markup ever changes, the build stops here rather than shipping
a page whose lightbox is half removed.
"""

import json
import re

from mkdocs.exceptions import PluginError

ASSETS = re.compile(
    r'<link href="[^"]*assets/stylesheets/glightbox\.min\.css" rel="stylesheet">'
    r'|<script src="[^"]*assets/javascripts/glightbox\.min\.js"></script>'
)
START = re.compile(
    r'<script id="init-glightbox">const lightbox = GLightbox\((\{[^<]*?\})\);\s*'
    r'document\$\.subscribe\(\(\)=>\{ lightbox\.reload\(\); \}\);\s*</script>'
)


def load_on_demand(output, page, config):
    if "glightbox" not in config.plugins or page.meta.get("glightbox", True) is False:
        return output
    output, removed = ASSETS.subn("", output)
    start = START.search(output)
    if removed != 2 or start is None:
        raise PluginError(
            f"{page.file.src_uri}: mkdocs-glightbox's tags are not the ones diary/lightbox.py expects; update it"
        )
    options = json.dumps(json.loads(start.group(1)))
    tag = f'<script id="glightbox-options" type="application/json">{options}</script>'
    return output[: start.start()] + tag + output[start.end() :]
