"""Publish only what is finished, readable and free of secrets.

- Drafts: a page with `draft: true` in its front matter (a notebook: `draft`
  in its `diary` metadata), everything matched by `draft_docs` in mkdocs.yml
  (the `private/` folder), and any file that only drafts link to, are shown
  by `mkdocs serve` with a banner and left out of `mkdocs build` entirely.
- Input checks: front matter that is not YAML, a date that is not a date, and
  two files that would publish at the same URL fail the build, one line each.
- Secrets: every file that would be published is scanned with detect-secrets
  (diary/secrets.py); each finding fails the build naming the file and line
  (or notebook cell).
"""

import logging
from pathlib import Path

from mkdocs.structure.files import InclusionLevel

from diary.secrets import scan
from diary.sources import DiaryFileError

log = logging.getLogger("mkdocs.plugins.diary")


def mark_drafts(files, pages):
    """Draft every page whose own metadata says so; report pages that cannot be read."""
    for file in files.documentation_pages(inclusion=InclusionLevel.is_in_serve):
        try:
            model = pages.model(file)
        except DiaryFileError as error:
            log.error(str(error))
            continue
        if model is not None and model.draft and file.inclusion.is_included():
            file.inclusion = InclusionLevel.DRAFT


def hide_draft_only_assets(files, pages):
    """Draft a static file (an image, a data file) that only draft pages refer to."""
    used_by_published, used_by_drafts = set(), set()
    for page in files.documentation_pages(inclusion=InclusionLevel.is_in_serve):
        try:
            model = pages.model(page)
        except DiaryFileError:
            continue  # reported above
        if model is not None:
            (used_by_published if page.inclusion.is_included() else used_by_drafts).update(model.links)
    for path in used_by_drafts - used_by_published:
        file = files.get_file_from_path(path)
        if file is not None and not file.is_documentation_page() and file.inclusion.is_included():
            file.inclusion = InclusionLevel.DRAFT


def report_same_url(files):
    """Two published files at one URL: one would silently overwrite the other."""
    by_destination = {}
    for file in files:
        if not file.inclusion.is_included():
            continue
        other = by_destination.setdefault(file.dest_uri, file)
        if other is not file:
            log.error(
                f"docs/{other.src_uri} and docs/{file.src_uri} would both publish at "
                f"{file.url or './'}; rename or move one of them"
            )


def report_secrets(files, config, memory, digest=None):
    """Scan every published file from docs/; `memory` keeps earlier results of unchanged files,
    by their content's `digest`."""
    project = Path(config.config_file_path).parent
    published = [
        Path(file.abs_src_path)
        for file in files
        if file.inclusion.is_included() and file.abs_src_path and file.abs_src_path.startswith(config.docs_dir)
    ]
    for finding in scan(published, project, memory, digest):
        log.error(
            f"{finding}; remove it, or if it is not a secret add 'pragma: allowlist secret' "
            "on that line or record it in .secrets.baseline"
        )
