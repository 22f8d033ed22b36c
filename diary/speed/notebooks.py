"""Convert each notebook once per change, and the ones not kept yet on every core.

mkdocs-jupyter converts notebooks one at a time inside the build, about half a
second each (nbconvert compiles its templates afresh for every notebook), and
its own cache (switched off in mkdocs.yml) writes entries in place and reads
them without a check, so a killed build or a second build at the same time
could leave one that crashes every later build. Here a conversion is kept in
the store, keyed by the notebook's bytes and the plugin's options, and given
to the page in place of the plugin's own render. Before the pages are built,
the notebooks not kept yet are converted with one process per core (started
the platform's way: `fork` on Linux, `spawn` on macOS and Windows), so a cold
build or a new batch of notebooks does not convert them one by one.
"""

import hashlib
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from diary.speed import compat

log = logging.getLogger("mkdocs.plugins.diary.speed")


def _key(layer, path, options):
    return layer.key("notebook-html", notebook=hashlib.sha256(Path(path).read_bytes()).hexdigest(), options=options)


def convert_ahead(layer, files, plugin, only_modified):
    """Convert, on every core, the notebooks this build renders that the store does not hold yet."""
    options = compat.notebook_options(plugin)
    if options is None:
        return
    jobs = []
    for file in files.documentation_pages():
        if not file.src_uri.endswith(".ipynb") or not compat.is_converted_by(plugin, file):
            continue
        if only_modified and not file.is_modified():
            continue
        key = _key(layer, file.abs_src_path, options)
        if layer.store.get("notebook-html", key) is None:
            jobs.append((key, file.abs_src_path))
    workers = min(os.cpu_count() or 1, len(jobs))
    if workers < 2:
        return  # the pages convert their own notebooks as they are built
    with ProcessPoolExecutor(workers) as pool:
        futures = [(key, pool.submit(compat.convert_notebook, path, options)) for key, path in jobs]
        for key, future in futures:
            try:
                layer.store.put("notebook-html", key, future.result())
            except Exception as error:  # the page converts it again and reports what is wrong
                log.debug(f"converting a notebook ahead failed: {error}")
    log.debug(f"converted {len(jobs)} notebooks ahead on {workers} processes")


def reuse(layer, page, plugin):
    """Give a notebook page a render that takes its conversion from the store, or converts and keeps it."""
    options = compat.notebook_options(plugin)
    if options is None or not page.file.src_uri.endswith(".ipynb") or not compat.is_converted_by(plugin, page.file):
        return

    def render(convert, config, files):
        key = _key(layer, page.file.abs_src_path, options)
        kept = layer.store.get("notebook-html", key)
        if kept is None:
            kept = compat.convert_notebook(page.file.abs_src_path, options)
            layer.store.put("notebook-html", key, kept)
        compat.show_converted_notebook(page, kept, options)

    compat.replace_render(page, render)
