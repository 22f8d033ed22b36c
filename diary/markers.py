"""Fail loudly on a generated-content marker that no feature knows.

Listings, the newest notes and pages, the bibliography and the execution report replace their own
`<!-- diary:NAME -->` lines; one still present after all of them ran is a typo
or a marker for a feature that does not exist.
"""

import re

from mkdocs.exceptions import PluginError

LEFTOVER = re.compile(r"<!--\s*diary:([\w-]+)\s*-->")


def check(markdown, page):
    match = LEFTOVER.search(markdown)
    if match:
        line = markdown.count("\n", 0, match.start()) + 1
        raise PluginError(f"docs/{page.file.src_uri}: line {line}: unknown marker '{match.group(0)}'")
