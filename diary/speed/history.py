"""Ask git for a page's dates once per commit, not once per build.

The git-dates plugin runs `git log` twice for every page on every build, and
the feeds plugin once or twice more for each page without dates of its own: a
third of a warm build on a large diary. Their answers depend only on the
history, that is on the commit checked out (HEAD), the file and the plugins'
options, so they are kept under those. A page git does not know yet gets the
build's date and is never kept; in a shallow clone, whose history can still
deepen, nothing is.

The feeds plugin asks one page at a time, as each page is built. On a build
with nothing kept, its questions are asked ahead, a few at a time in threads
while the pages are built (git does the work, in its own processes), so that
each page finds its answer kept.
"""

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from diary.speed import compat


def head(config):
    """The commit checked out, or None: not a repository, or a shallow one."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD", "--is-shallow-repository"], capture_output=True,
                                text=True, cwd=Path(config.config_file_path).parent, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split()
    if result.returncode != 0 or lines[1:] != ["false"]:
        return None
    return lines[0]


def give_git_dates(layer, files, config):
    """Before the git-dates plugin's on_files: hand it every page's dates if all of them are kept."""
    plugin = config.plugins.get(compat.GIT_DATES)
    if plugin is None or layer.head is None or not compat.git_dates_asked(plugin):
        return
    dated = compat.dated_files(plugin, files)
    last, first = {}, {}
    for path, src_uri in dated.items():
        last[path] = layer.store.get("git-dates", _key(layer, plugin, src_uri, first=False))
        first[path] = layer.store.get("git-dates", _key(layer, plugin, src_uri, first=True))
        if last[path] is None or first[path] is None:
            return  # one page is new to the record: the plugin asks git about them all, at once
    if dated:
        compat.give_git_dates(plugin, last, first)


def keep_git_dates(layer, files, config):
    """After the git-dates plugin's on_files: keep what it found for pages git knows."""
    plugin = config.plugins.get(compat.GIT_DATES)
    if plugin is None or layer.head is None or not compat.git_dates_asked(plugin):
        return
    dated = compat.dated_files(plugin, files)
    for found, first in zip(compat.git_dates_found(plugin), (False, True)):
        for path, value in found.items():
            if path in dated and value[0]:  # no commit: the build's date, not history
                layer.store.put("git-dates", _key(layer, plugin, dated[path], first=first), list(value))


def _key(layer, plugin, src_uri, first):
    return layer.key("git-dates", head=layer.head, file=src_uri, first=first, options=dict(plugin.config))


GIT_THREADS = 4


def ask_feed_dates_ahead(layer, files, config):
    """Start asking git the feeds plugin's questions that have no kept answer, for every page it
    dates; a thread pool, or None when there is nothing to ask."""
    plugin = config.plugins.get("rss")
    if plugin is None or layer.head is None or not plugin.config.enabled or compat.feed_git(plugin) is None:
        return None
    git, project = compat.feed_git(plugin), Path(config.config_file_path).parent
    questions = [(path, query) for path in compat.feed_pages(plugin, files) for query in compat.FEED_GIT_QUERIES
                 if not _feed_kept(layer, project, path, query)]
    if not questions:
        return None
    pool = ThreadPoolExecutor(GIT_THREADS, thread_name_prefix="diary-git")
    for path, query in questions:
        pool.submit(git.log, path, **query)  # through the memo below: kept for the page to find
    return pool


def route_feed_dates(layer, config):
    """The feeds plugin's `git log` for a page, kept per commit (an empty answer, for a file git
    does not know, is an answer too: it stays the same until a commit changes HEAD)."""
    plugin = config.plugins.get("rss")
    if plugin is None or layer.head is None or not plugin.config.enabled:
        return
    project = Path(config.config_file_path).parent

    def memo(path, options, run):
        relative = _in_project(project, path)
        if relative is None:
            return run()  # outside the project: not its history
        return layer.memo("feed-dates", run, head=layer.head, file=relative, options=options)

    compat.route_feed_git_log(plugin, memo)


def _feed_kept(layer, project, path, options):
    relative = _in_project(project, path)
    return relative is not None and layer.store.has(
        "feed-dates", layer.key("feed-dates", head=layer.head, file=relative, options=options))


def _in_project(project, path):
    try:
        return Path(path).resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return None
