"""The speed layer: work kept between builds, and `--dirty` builds that rebuild only what changed.

Nothing the site shows depends on it. Switched off (`cache: false` for the
plugin, or DIARY_CACHE=off), or switched off by itself because an installed
package is not a version its reaches into other packages were tested with
(speed/compat.py), every build does all its work the packages' own way, and a
`--dirty` build rebuilds everything; a test builds the site both ways and
compares every file.

Switched on, it keeps in the store (speed/store.py) what was worked out for
unchanged inputs: converted Markdown (speed/markdown.py) and notebooks
(speed/notebooks.py), finished notebook pages, search entries
(speed/search.py), pages written through the theme (speed/theme.py), pandoc's
citations (speed/citations.py), git's dates per commit (speed/history.py), the
secret scan's findings and the preview card, each under a key from the inputs
its kind declares (speed/keys.py); and under `--dirty` it decides what a save
changed (speed/incremental.py).
"""

import contextlib
import logging
import os
import re
from pathlib import Path

from mkdocs.utils import clean_directory

from diary.speed import citations, compat, history, incremental, keys, markdown, notebooks, search, theme
from diary.speed.store import Store

log = logging.getLogger("mkdocs.plugins.diary.speed")

OFF = ("off", "0", "false", "no")
ENV_TAG = re.compile(r"!ENV\s*\[?\s*([A-Za-z_][A-Za-z0-9_]*)")


def start(config, options, dirty, environment, process):
    """The speed layer for this build: on, or off with one INFO line saying why.
    `environment()` gives the digest of the code every key covers; `process` is a dict the
    plugin keeps for the life of the process (the builds of one `mkdocs serve`)."""
    if not options.cache or os.environ.get("DIARY_CACHE", "on").strip().lower() in OFF:
        return Off(dirty)
    problem = compat.mismatch()
    if problem:
        log.info(f"diary: speed layer off for this build: {problem}; every page is built afresh")
        return Off(dirty)
    root = Path(config.config_file_path).parent / options.cache_dir
    store = Store(root, options.cache_max_mb * 1024 * 1024, options.cache_max_age_days * 86400)
    layer = On(store, config, dirty, environment())
    layer.memory_of_process = process
    return layer


class Off:
    """No cache at all: every build does all its work; a --dirty build rebuilds everything."""

    site = ""
    trusts_file_times = False
    quick_secret_scan = False

    def __init__(self, dirty):
        self.dirty = dirty

    def memo(self, kind, compute, **inputs):
        return compute()

    def memory(self, kind):
        return None

    def reuse_history(self, config):
        citations.leave(config)  # a registry `mkdocs serve` kept from a build with the layer on

    def give_git_dates(self, files, config):
        pass

    def keep_git_dates(self, files, config):
        pass

    def plan(self, files, config, pages, mended, stale, workers):
        if self.dirty:
            clean_directory(config.site_dir)

    def ask_git_ahead(self, files, config):
        pass

    def keep_skipped(self, files, config):
        pass

    def reuse_notebook(self, page, config):
        pass

    def reuse_markdown(self, page, markdown, config, files):
        pass

    def reuse_theme(self, env, config, files):
        return env

    def before_search(self, page, config):
        pass

    def after_search(self, page, config):
        pass

    def keep_theme_output(self, page, output):
        pass

    def search_index(self, index, frequencies):
        return search.build_afresh(index, frequencies)

    def finish(self, config, pages):
        pass

    def abandon(self):
        pass


class Memory:
    """One kind of entry, by its inputs: what a feature hands to code that knows nothing of caching."""

    def __init__(self, layer, kind):
        self.layer, self.kind = layer, kind

    def get(self, **inputs):
        return self.layer.store.get(self.kind, self.layer.key(self.kind, **inputs))

    def put(self, value, **inputs):
        self.layer.store.put(self.kind, self.layer.key(self.kind, **inputs), value)


class On:
    """Work kept in the store and, under --dirty, only what a save changed rebuilt."""

    def __init__(self, store, config, dirty, environment):
        self.store, self.dirty, self.environment = store, dirty, environment
        self.site = keys.digest(site_inputs(config))
        self.head = history.head(config)
        self._shared, self._search, self._kept, self._pending = {}, {}, {}, {}
        self.styles = {}  # notebook stylesheets read in this build
        self.ahead = notebooks.Ahead()  # notebooks being converted in worker processes
        self.git_ahead = None  # threads asking git the feeds plugin's questions
        self.full = True
        self.incremental = incremental.Incremental(self, config) if dirty else None
        self._counting = contextlib.ExitStack()  # what this build warns from its plan on
        self._warnings = None
        # A --dirty build goes by modification times already; a plain build reads every file.
        self.trusts_file_times = dirty
        # detect-secrets analyzes only the lines its plugins could report (compat.secret_candidates).
        self.quick_secret_scan = True

    # Keys and entries -------------------------------------------------------------------------------

    def key(self, kind, **inputs):
        return keys.derive(kind, self.environment, **inputs)

    def shared(self, name, compute):
        """The digest of an input many keys of this build share, computed once."""
        if name not in self._shared:
            self._shared[name] = keys.digest(compute())
        return self._shared[name]

    @contextlib.contextmanager
    def counting_warnings(self):
        """Count what MkDocs and its plugins log at WARNING or above inside the block: work that
        warned is never kept, so a strict build reports it every time."""
        counter = _WarningCounter()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(counter)
        try:
            yield counter
        finally:
            logger.removeHandler(counter)

    def memo(self, kind, compute, **inputs):
        """compute() kept under its inputs: computed only when no entry holds it."""
        key = self.key(kind, **inputs)
        value = self.store.get(kind, key)
        if value is None:
            with self.counting_warnings() as warnings:
                value = compute()
            if warnings.count == 0:
                self.store.put(kind, key, value)
        return value

    def memory(self, kind):
        return Memory(self, kind)

    # The build's steps ------------------------------------------------------------------------------

    def reuse_history(self, config):
        citations.reuse(self, config)
        history.route_feed_dates(self, config)

    def give_git_dates(self, files, config):
        history.give_git_dates(self, files, config)

    def keep_git_dates(self, files, config):
        history.keep_git_dates(self, files, config)

    def plan(self, files, config, pages, mended, stale, workers):
        if self.incremental:
            self._warnings = self._counting.enter_context(self.counting_warnings())
            self.full = self.incremental.plan(files, config, pages, stale)
        plugin = config.plugins.get("mkdocs-jupyter")
        if plugin is not None:
            self.ahead = notebooks.convert_ahead(self, files, plugin, mended, not self.full, workers)

    def ask_git_ahead(self, files, config):
        self.git_ahead = history.ask_feed_dates_ahead(self, files, config)

    def keep_skipped(self, files, config):
        if self.incremental:
            self.incremental.keep_skipped(files, config)

    def reuse_notebook(self, page, config):
        plugin = config.plugins.get("mkdocs-jupyter")
        if plugin is not None:
            notebooks.reuse(self, page, plugin)

    def reuse_markdown(self, page, markdown_text, config, files):
        markdown.reuse(self, page, markdown_text, config, files)

    def reuse_theme(self, env, config, files):
        if self.incremental:  # first: the theme's keys take in the listings the tags link to
            self.incremental.collect(files, config)
        env, self._kept, self._pending = theme.reuse(self, env, config, files)
        return env

    def before_search(self, page, config):
        self._search[page.file.src_uri] = search.before(self, page, config)

    def after_search(self, page, config):
        state = self._search.pop(page.file.src_uri, None)
        if state is not None:
            search.after(self, page, config, state)

    def keep_theme_output(self, page, output):
        theme.keep(self, page, output, self._kept, self._pending)
        if self.incremental:
            self.incremental.note_output(page, output)

    def search_index(self, index, frequencies):
        return search.build_index(self, self.memory_of_process, index, frequencies)

    def finish(self, config, pages):
        self.ahead.close()  # every page is built: what is left was not asked for
        self._stop_git(cancel=False)
        self._counting.close()
        if self.incremental:
            # A page that warned is not warned of again by a build that skips it: after a warning
            # (a failure under strict), the next build is a full one.
            self.incremental.finish(config, pages, keep=self._warnings is not None and self._warnings.count == 0)
        if self.full:  # a save under `make serve` does not need the whole store looked over
            self.store.evict()

    def abandon(self):
        """The build failed: stop the conversions and git questions no page will ask for."""
        self.ahead.close(cancel=True)
        self._stop_git(cancel=True)
        self._counting.close()

    def _stop_git(self, cancel):
        if self.git_ahead is not None:
            self.git_ahead.shutdown(wait=True, cancel_futures=cancel)
            self.git_ahead = None


class _WarningCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


def site_inputs(config):
    """What every page of a build shares: mkdocs.yml and the environment variables it reads,
    the addresses it is given, and every file under overrides/."""
    text = Path(config.config_file_path).read_text(encoding="utf-8")
    overrides = Path(config.theme.custom_dir) if config.theme.custom_dir else None
    return {
        "mkdocs.yml": text,
        "environment": {name: os.environ.get(name) for name in sorted(set(ENV_TAG.findall(text)))},
        "addresses": [config.site_url, config.repo_url, config.edit_uri],
        "overrides": {
            path.relative_to(overrides).as_posix(): path.read_bytes()
            for path in sorted(overrides.rglob("*")) if path.is_file()
        } if overrides else {},
    }
