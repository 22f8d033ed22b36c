"""Shared by the hooks that keep work in .cache/ between builds: file names from content keys,
digests of the configuration and of the hooks and templates, and a count of the warnings a piece of work logs (work
that warned is never kept)."""

import contextlib
import hashlib
import logging
from importlib.metadata import version
from pathlib import Path


def cache_file(config, folder, parts, suffix):
    """.cache/<folder>/<ab>/<key><suffix> under the project, the key a hash of the text `parts`."""
    key = hashlib.sha256()
    for part in parts:
        key.update(part.encode("utf-8"))
        key.update(b"\0")
    digest = key.hexdigest()
    return Path(config.config_file_path).parent / ".cache" / folder / digest[:2] / f"{digest}{suffix}"


class WarningCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


@contextlib.contextmanager
def counting_warnings():
    """Count what MkDocs and its plugins log at WARNING or above inside the block."""
    counter = WarningCounter()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)


def overrides_digest(config):
    """A hash of every file under overrides/ (hooks, templates), computed once per build."""
    digest = getattr(config, "_diary_overrides_digest", None)
    if digest is None:
        overrides = Path(config.config_file_path).parent / "overrides"
        hashed = hashlib.sha256()
        for path in sorted(p for p in overrides.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            hashed.update(path.read_bytes())
        digest = config._diary_overrides_digest = hashed.hexdigest()
    return digest


def config_digest(config):
    """A hash of what every page of a build shares: mkdocs.yml, the addresses it is given, the
    theme and MkDocs versions, and overrides/."""
    hashed = hashlib.sha256(Path(config.config_file_path).read_bytes())
    for value in (config.site_url, config.repo_url, config.edit_uri, version("mkdocs-material"), version("mkdocs"),
                  overrides_digest(config)):
        hashed.update(f"{value}\0".encode("utf-8"))
    return hashed.hexdigest()
