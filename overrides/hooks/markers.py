"""Fail loudly on a generated-content marker that no hook knows.

Hooks replace their own `<!-- diary:NAME -->` lines; one still present after
all of them ran is a typo or a marker for a feature that does not exist.
"""

import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

LEFTOVER = re.compile(r"<!--\s*diary:([\w-]+)\s*-->")


@event_priority(-100)  # after every hook that replaces a marker
def on_page_markdown(markdown, page, config, files):
    match = LEFTOVER.search(markdown)
    if match:
        line = markdown.count("\n", 0, match.start()) + 1
        raise PluginError(f"docs/{page.file.src_uri}: line {line}: unknown marker '{match.group(0)}'")
    return markdown
