"""Code blocks leave the build in a keyboard's reach, with the site's own Markdown settings."""

import markdown
import pytest
from mkdocs.config import load_config
from selectolax.lexbor import LexborHTMLParser

from conftest import ROOT

pytestmark = pytest.mark.unit

PAGE = '''\
Inline `#!python x = 1` stays out of the tab order.

```python
print("<pre><code>")
```

```python linenums="1" title="step.py"
loss = model(batch)
loss.backward()
```

    an indented block

<pre><code>written as HTML</code></pre>
'''


def converted(text):
    config = load_config(str(ROOT / "mkdocs.yml"))
    html = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs).convert(text)
    return LexborHTMLParser(html)


def test_every_code_block_is_focusable_and_nothing_else():
    tree = converted(PAGE)
    blocks = tree.css("pre > code")
    assert len(blocks) == 4
    assert [code.attributes.get("tabindex") for code in blocks] == ["0"] * 4
    assert [node.tag for node in tree.css("[tabindex]")] == ["code"] * 4  # not inline code, nor line numbers
    assert '<pre><code>' in blocks[0].text()  # the code's own text is left alone


def test_a_block_that_already_has_a_tabindex_keeps_it():
    tree = converted('<pre><code tabindex="-1">kept out</code></pre>\n')
    assert tree.css_first("pre > code").attributes["tabindex"] == "-1"
