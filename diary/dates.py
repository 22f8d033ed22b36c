"""Let a page that git does not know yet build cleanly with today's date.

mkdocs-git-revision-date-localized falls back to the build time for a file
with no history, but asks the clock twice (updated, then created) and warns
that the creation date comes after the update, which strict mode turns into a
failed build: a new, uncommitted page would stop `mkdocs serve`
(timvink/mkdocs-git-revision-date-localized-plugin#111). The warning is
dropped for untracked files only; for tracked files it still means something.
"""

import logging
import re
import subprocess
from pathlib import Path

PLUGIN_LOGGER = "mkdocs.plugins.mkdocs_git_revision_date_localized_plugin.plugin"
CLOCK_QUIRK = re.compile(r"First revision timestamp is older than last revision timestamp for page (.+?)\. ")


class UntrackedPageClockQuirk(logging.Filter):
    def __init__(self, docs_dir):
        super().__init__()
        self.docs_dir = Path(docs_dir)

    def filter(self, record):
        match = CLOCK_QUIRK.search(record.getMessage())  # the plugin prefixes its name
        return not (match and not is_tracked(self.docs_dir / match.group(1)))


def is_tracked(path):
    result = subprocess.run(["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent, capture_output=True)
    return result.returncode == 0
