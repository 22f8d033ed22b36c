"""Publish only what is finished, readable and free of secrets.

- Drafts: a page with `draft: true` in its front matter (a notebook: `draft`
  in its `diary` metadata), everything matched by `draft_docs` in mkdocs.yml
  (the `private/` folder), and any file that only drafts link to, are shown
  by `mkdocs serve` with a banner and left out of `mkdocs build` entirely.
- Input checks: front matter that is not YAML, a date that is not a date, and
  two files that would publish at the same URL fail the build, one line each.
- Secrets: every file that would be published is scanned with detect-secrets;
  each finding fails the build naming the file and line (or notebook cell).
"""

import logging
import posixpath
import re
from pathlib import Path

from diary_files import DiaryFileError, markdown_info, notebook_info, read_notebook
from mkdocs.structure.files import InclusionLevel
from secrets_scan import scan

log = logging.getLogger("mkdocs.hooks")

# Targets of Markdown links and images, and of src/href attributes in raw HTML.
REFERENCE = re.compile(r"\]\(\s*<?([^)\s>]+)|\b(?:src|href)=[\"']([^\"']+)[\"']")


def on_files(files, config):
    pages = [file for file in files.documentation_pages(inclusion=InclusionLevel.is_in_serve)]
    for file in pages:
        if file.inclusion.is_included() and is_marked_draft(file):
            file.inclusion = InclusionLevel.DRAFT
    hide_draft_only_assets(files, pages)
    report_same_url(files)
    report_secrets(files, config)
    return files


def is_marked_draft(file):
    """True for a page whose own metadata says draft; unreadable files are reported, not drafted."""
    name = f"docs/{file.src_uri}"
    try:
        if file.src_uri.endswith(".ipynb"):
            return notebook_info(read_notebook(file.abs_src_path, name), name)["draft"]
        if file.src_uri.endswith(".md"):
            return markdown_info(file.content_string, name)["draft"]
    except DiaryFileError as error:
        log.error(str(error))
    return False


def references(file):
    """Site paths (relative to docs/) that a page links to or embeds."""
    text = file.content_string if file.src_uri.endswith(".md") else ""
    if file.src_uri.endswith(".ipynb"):
        notebook = read_notebook(file.abs_src_path)
        text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    here = posixpath.dirname(file.src_uri)
    for match in REFERENCE.finditer(text):
        target = (match.group(1) or match.group(2)).split("#")[0].split("?")[0]
        if target and "://" not in target and not target.startswith(("/", "mailto:", "data:")):
            yield posixpath.normpath(posixpath.join(here, target))


def hide_draft_only_assets(files, pages):
    """Draft a static file (an image, a data file) that only draft pages refer to."""
    used_by_published, used_by_drafts = set(), set()
    for page in pages:
        try:
            targets = set(references(page))
        except DiaryFileError:
            continue  # reported by the notebook checks
        (used_by_published if page.inclusion.is_included() else used_by_drafts).update(targets)
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


def report_secrets(files, config):
    project = Path(config.config_file_path).parent
    published = [
        Path(file.abs_src_path)
        for file in files
        if file.inclusion.is_included() and file.abs_src_path and file.abs_src_path.startswith(config.docs_dir)
    ]
    for finding in scan(published, project, cache_file=project / ".cache" / "secret-scan.json"):
        log.error(
            f"{finding}; remove it, or if it is not a secret add 'pragma: allowlist secret' "
            "on that line or record it in .secrets.baseline"
        )
