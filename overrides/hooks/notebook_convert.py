"""The worker of notebook_prerender.py, in a module of its own so worker processes can import it by name."""

import json
import os

from mkdocs_jupyter import convert
from mkdocs_jupyter.plugin import _get_nb_toc_tokens


def convert_to_cache(job):
    """What mkdocs-jupyter's own render writes on a cache miss, written ahead of time."""
    source, target, options, toc_depth = job
    body = convert.nb2html(source, execute=False, **options)
    toc_tokens, title = _get_nb_toc_tokens(source, toc_depth)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"content": body, "toc_tokens": toc_tokens, "title": title}))
