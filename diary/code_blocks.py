"""Code blocks a keyboard can scroll before the theme has set them up.

With the theme's `content.lazy`, a code block gets its copy button, and its
`tabindex` when it is wider than the page, only once it comes into view: that
spares a long notebook's page most of its start-up work. Until then a wide
block would be out of a keyboard's reach, so every block leaves the build
focusable, and the theme takes the `tabindex` off those that do not scroll as
it sets each one up. Listed under `markdown_extensions` as `diary.code_blocks`;
notebook cells get the same attribute where they are restyled.
"""

import re

from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor

FOCUSABLE = 'tabindex="0"'
# pymdownx.highlight writes `<pre …><span></span><code …>`; the <code> is the element that scrolls.
BLOCK_CODE = re.compile(r"(<pre\b[^>]*>(?:<span></span>)?<code)(?=[\s>])(?![^>]*\btabindex=)")


def focusable(html):
    """The HTML with each block's <code> in the keyboard's tab order."""
    return BLOCK_CODE.sub(rf"\1 {FOCUSABLE}", html)


class FocusableCode(Postprocessor):
    def run(self, text):
        return focusable(text)


class CodeBlocks(Extension):
    def extendMarkdown(self, md):
        # After the raw-HTML postprocessor (30) has put the highlighted blocks back in.
        md.postprocessors.register(FocusableCode(md), "diary_focusable_code", 5)


def makeExtension(**kwargs):
    return CodeBlocks(**kwargs)
