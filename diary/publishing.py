"""Publish only what is finished, readable and free of secrets.

- Drafts: a page with `draft: true` in its front matter (a notebook: `draft`
  in its `diary` metadata), everything matched by `draft_docs` in mkdocs.yml
  (the `private/` folder), and any file that only drafts link to, are shown
  by `mkdocs serve` with a banner and left out of `mkdocs build` entirely.
- Input checks: a page, notebook or script that cannot be read (front matter
  that is not YAML, a date off the calendar, tags that are not a list, ...), a
  note filed under a category the blog does not allow, and two files that
  would publish at the same URL stop the build, one line each.
- Secrets: every file that would be published is scanned with detect-secrets
  (diary/secrets.py); each finding fails the build naming the file and line
  (or notebook cell).
- Personal data in notebook outputs (diary/personal.py): each place is named
  in the build's output and the build goes on; with `personal_data: refuse`
  (what `make deploy` builds with) what the notebook's metadata does not allow
  fails it.
"""

import logging
import posixpath
from pathlib import Path
from typing import NamedTuple

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import InclusionLevel

from diary import secrets
from diary.sources import DiaryFileError

log = logging.getLogger("mkdocs.plugins.diary")


def check_readable(files, pages):
    """Stop the build at the first page, notebook or script that cannot be read, naming it and the problem
    (before anything is written, so nothing is half-published)."""
    for file in files.documentation_pages(inclusion=InclusionLevel.is_in_serve):
        try:
            pages.model(file)
        except DiaryFileError as error:
            raise PluginError(str(error)) from None


def check_categories(files, pages, config):
    """A quick note filed under a category mkdocs.yml does not allow, named with the ones it does."""
    blog = config.plugins.get("material/blog")
    if blog is None or not blog.config.categories or not blog.config.categories_allowed:
        return
    posts = posixpath.normpath(blog.config.post_dir.format(blog=blog.config.blog_dir)) + "/"
    allowed = blog.config.categories_allowed
    for file in files.documentation_pages(inclusion=InclusionLevel.is_in_serve):
        if not file.src_uri.startswith(posts):
            continue
        for category in pages.model(file).categories:
            if category not in allowed:
                raise PluginError(f"docs/{file.src_uri}: category {category!r} is not one the notes allow"
                                  f" ({', '.join(allowed)}; mkdocs.yml, blog: categories_allowed)")


def mark_drafts(files, pages):
    """Draft every page whose own metadata says so."""
    for file in files.documentation_pages(inclusion=InclusionLevel.is_in_serve):
        model = pages.model(file)
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


def published(files, config):
    """The files from docs/ the site publishes (drafts out): what the secret scan reads."""
    return [file for file in files
            if file.inclusion.is_included() and file.abs_src_path and file.abs_src_path.startswith(config.docs_dir)]


class PublishedScan(NamedTuple):
    scan: secrets.Scan
    files: list  # what was scanned, for the notebooks' own allowances


def scan_published(published, config, workers, memory, digest=None, quick=False):
    """Start scanning the `published` files on the build's `workers` (a PublishedScan, for
    report_secrets). `memory` keeps earlier results of unchanged files, by their content's
    `digest`, and `quick` skips lines no detector could report (secrets.scan)."""
    project = Path(config.config_file_path).parent
    return PublishedScan(secrets.start([Path(file.abs_src_path) for file in published], project, workers,
                                       memory, digest, quick), published)


def report_secrets(started, config, pages, refuse_personal_data):
    """What the PublishedScan `started` found: secrets fail the build; personal data is reported,
    and fails it when `refuse_personal_data` unless the notebook allows that kind."""
    project = Path(config.config_file_path).parent
    by_path = {Path(file.abs_src_path).resolve(): file for file in started.files}
    for finding in started.scan.findings():
        if not finding.personal:
            log.error(f"{finding}; remove it, or if it is not a secret add 'pragma: allowlist secret' "
                      "on that line or record it in .secrets.baseline")
        elif finding.kind in _allowed_personal_data(by_path.get((project / finding.file).resolve()), pages):
            continue
        elif refuse_personal_data:
            log.error(f"{finding}; make deploy does not publish it: clear the output, or allow it with"
                      f" \"allow_personal_data\": [\"{finding.kind}\"] in the notebook's diary metadata")
        else:
            log.info(f"{finding}: make deploy refuses it unless the output is cleared or the notebook's"
                     " diary metadata allows it (allow_personal_data)")


def _allowed_personal_data(file, pages):
    try:
        model = pages.model(file) if file is not None else None
    except DiaryFileError:
        return ()  # reported by the input checks
    return model.personal_data if model is not None else ()
