"""Convert each notebook once per change, and the ones not kept yet on every core.

mkdocs-jupyter converts notebooks one at a time inside the build, about half a
second each (nbconvert compiles its templates afresh for every notebook), and
its own cache (switched off in mkdocs.yml) writes entries in place and reads
them without a check, so a killed build or a second build at the same time
could leave one that crashes every later build. Here a conversion is kept in
the store, keyed by the notebook's bytes and the plugin's options, and given
to the page in place of the plugin's own render. As the build starts, the
notebooks not kept yet go to the build's worker processes, one per core
(started the platform's way: `fork` on Linux, `spawn` on macOS and Windows), in
the order the pages are built, below the build's priority (speed/workers.py);
the build goes on with the other pages meanwhile, and a notebook's page waits
only for its own conversion. A cold build or a new batch of notebooks does not
convert them one by one, nor wait for all of them at once.
"""

import hashlib
import logging
import re
from pathlib import Path

from diary.speed import compat, keys

log = logging.getLogger("mkdocs.plugins.diary.speed")

# nbconvert writes the same 600 kB of CSS into every notebook's HTML; each such
# stylesheet is kept once, and a conversion keeps a reference to it.
STYLE = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
SHARED_STYLE = 4096


def keep(store, environment, key, converted):
    """Keep a conversion, its large stylesheets as entries of their own."""
    parts, start, content = [], 0, converted["content"]
    for match in STYLE.finditer(content):
        if len(match.group(0)) < SHARED_STYLE:
            continue
        style = keys.derive("notebook-style", environment, css=match.group(0))
        if not store.has("notebook-style", style):
            store.put("notebook-style", style, match.group(0))
        parts += [content[start:match.start()], {"style": style}]
        start = match.end()
    parts.append(content[start:])
    store.put("notebook-html", key, {**converted, "content": parts})


def convert_and_keep(store, environment, key, path, options):
    """A worker's job: convert one notebook and keep the result (the main process never holds it)."""
    keep(store, environment, key, compat.convert_notebook(path, options))


def kept(layer, key, styles):
    """The conversion kept under `key`, whole again, or None; `styles` holds the stylesheets read so far."""
    value = layer.store.get("notebook-html", key)
    if not isinstance(value, dict) or not isinstance(value.get("content"), list):
        return None
    pieces = []
    for part in value["content"]:
        if isinstance(part, dict):
            if part["style"] not in styles:
                styles[part["style"]] = layer.store.get("notebook-style", part["style"])
            part = styles[part["style"]]
        if not isinstance(part, str):
            return None  # a stylesheet went missing: convert again
        pieces.append(part)
    return {**value, "content": "".join(pieces)}


def _key(layer, path, options):
    return layer.key("notebook-html", notebook=hashlib.sha256(Path(path).read_bytes()).hexdigest(), options=options)


class Ahead:
    """Conversions running in worker processes while the build goes on."""

    def __init__(self, pending=None):
        self.pending = pending or {}

    def wait_for(self, key):
        """Block until the conversion under `key`, if one was started, is kept (or has failed)."""
        future = self.pending.pop(key, None)
        if future is None:
            return
        try:
            future.result()
        except Exception as error:  # the page converts it again and reports what is wrong
            log.debug(f"converting a notebook ahead failed: {error}")

    def close(self, cancel=False):
        """Wait for the conversions no page asked for, so they are kept before the store is looked
        over; with `cancel`, those not started yet are dropped instead."""
        for key, future in list(self.pending.items()):
            if not (cancel and future.cancel()):
                self.wait_for(key)
        self.pending = {}


def convert_ahead(layer, files, plugin, mended, only_modified, workers):
    """Start converting, on the build's `workers`, the notebooks this build renders that the store
    does not hold yet (a mended notebook from its mended copy, `mended[src_uri]`, as its page
    will); an Ahead."""
    options = compat.notebook_options(plugin)
    if options is None:
        return Ahead()
    jobs = []
    for file in files.documentation_pages():
        if not file.src_uri.endswith(".ipynb") or not compat.is_converted_by(plugin, file):
            continue
        if only_modified and not file.is_modified():
            continue
        path = mended.get(file.src_uri, file.abs_src_path)
        key = _key(layer, path, options)
        if not layer.store.has("notebook-html", key):
            jobs.append((key, path))
    if min(workers.size, len(jobs)) < 2:
        return Ahead()  # the pages convert their own notebooks as they are built
    log.debug(f"converting {len(jobs)} notebooks ahead on {workers.size} processes")
    return Ahead({key: workers.submit(convert_and_keep, layer.store, layer.environment, key, path, options)
                  for key, path in jobs})


def reuse(layer, page, plugin):
    """Give a notebook page a render that takes its conversion from the store, or converts and keeps it."""
    options = compat.notebook_options(plugin)
    if options is None or not page.file.src_uri.endswith(".ipynb") or not compat.is_converted_by(plugin, page.file):
        return

    def render(convert, config, files):
        key = _key(layer, page.file.abs_src_path, options)
        layer.ahead.wait_for(key)
        converted = kept(layer, key, layer.styles)
        if converted is None:
            converted = compat.convert_notebook(page.file.abs_src_path, options)
            keep(layer.store, layer.environment, key, converted)
        compat.show_converted_notebook(page, converted, options)

    compat.replace_render(page, render)
