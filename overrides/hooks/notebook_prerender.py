"""Convert the notebooks mkdocs-jupyter has not cached yet on every core, before the build asks.

mkdocs-jupyter converts notebooks one at a time inside the build, about half a
second each (nbconvert compiles its templates afresh for every notebook), and
caches the result. On a cold cache, such as a fresh clone or a new batch of
notebooks, this hook fills that cache first with one process per core, using
the plugin's own conversion, cache key and file format; the build then finds
every notebook ready. With one core, or a warm cache, it does nothing.

Under `mkdocs serve --dirty` (`make serve`) only the notebooks whose page is
rebuilt are converted, and the others' cache entries are marked as in use:
mkdocs-jupyter deletes every entry a build did not read, which would leave the
next full rebuild to convert every notebook again.
"""

import os
from concurrent.futures import ProcessPoolExecutor

from mkdocs.plugins import event_priority
from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path
from notebook_convert import convert_to_cache

# The plugin's options that nb2html takes, under the same names.
CONVERT_OPTIONS = (
    "kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt", "remove_tag_config",
    "highlight_extra_classes", "include_requirejs", "custom_mathjax_url",
)


@event_priority(-110)  # after mkdocs-jupyter has claimed its files, and incremental.py has chosen what to rebuild
def on_files(files, config):
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None or not plugin.config["cache"] or plugin.config["execute"]:
        return files
    jobs = [job for job in (_job(file, plugin) for file in files.documentation_pages()) if job is not None]
    jobs = [job for job, file in jobs if file.is_modified()]
    workers = min(os.cpu_count() or 1, len(jobs))
    if workers >= 2:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(convert_to_cache, jobs))
    return files


def _job(file, plugin):
    if not file.src_uri.endswith(".ipynb") or not plugin.should_include(file):
        return None
    path = _get_cache_path(plugin.config["cache_dir"], _compute_cache_key(file.abs_src_path, plugin.config, False))
    plugin._used_cache_paths.add(path)
    if path.exists():
        return None
    options = {name: plugin.config[name] for name in CONVERT_OPTIONS}
    return (file.abs_src_path, str(path), options, plugin.config["toc_depth"]), file
