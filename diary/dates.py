"""Build cleanly with today's date where git has no history: a new page, or a copy without git.

mkdocs-git-revision-date-localized falls back to the build time for a file
with no history, but asks the clock twice (updated, then created) and warns
that the creation date comes after the update, which strict mode turns into a
failed build: a new, uncommitted page would stop `mkdocs serve`
(timvink/mkdocs-git-revision-date-localized-plugin#111). The warning is
dropped for untracked files only; for tracked files it still means something.

A copy of the diary without `.git` (GitHub's "Download ZIP", a release
tarball, or a machine without git) has no history at all: the feeds then take
their dates from the pages and the build instead of asking git, which the rss
plugin would otherwise warn about on every build (a failure under strict).
"""

import logging
import re
import subprocess
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.diary")
PLUGIN_LOGGER = "mkdocs.plugins.mkdocs_git_revision_date_localized_plugin.plugin"
CLOCK_QUIRK = re.compile(r"First revision timestamp is older than last revision timestamp for page (.+?)\. ")


class UntrackedPageClockQuirk(logging.Filter):
    def __init__(self, docs_dir):
        super().__init__()
        self.docs_dir = Path(docs_dir)

    def filter(self, record):
        match = CLOCK_QUIRK.search(record.getMessage())  # the plugin prefixes its name
        return not (match and not is_tracked(self.docs_dir / match.group(1)))


def in_git_checkout(folder):
    try:
        result = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=folder, capture_output=True, text=True)
    except FileNotFoundError:  # git is not installed
        return False
    return result.returncode == 0 and result.stdout.strip() == "true"


def without_git_history(config):
    """Outside a git checkout, the feeds stop asking git for dates; one INFO line says so."""
    if in_git_checkout(Path(config.config_file_path).parent):
        return
    rss = config.plugins.get("rss")
    if rss is not None and rss.config.use_git:
        rss.config.use_git = False
    log.info("diary: this copy has no git history: page dates fall back to the build date")


def is_tracked(path):
    result = subprocess.run(["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent, capture_output=True)
    return result.returncode == 0
