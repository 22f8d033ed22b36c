"""What the diary knows about its own files: notebooks, notes and scripts.

Not a hook itself: the hooks, `scripts/` and the tests import it, so that
reading a notebook (and saying clearly why one cannot be read), and finding a
page's title, summary, date and tags, is written once.
"""

import ast
import datetime
import functools
import json
import re
import warnings
from pathlib import Path

import nbformat
import yaml

HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.DOTALL)
REPORT = "execution-report.json"


class DiaryFileError(Exception):
    """A file the site cannot use; the message is one line naming the file and the problem."""


def read_notebook(path, name=None):
    """Read and validate a notebook, or raise DiaryFileError with a one-line reason.

    Several hooks read the same notebook in one build; the parsed notebook is
    kept until the file changes. Treat it as read-only (copy it to change it).
    """
    stat = Path(path).stat()
    notebook, problem = _parse_notebook(str(path), stat.st_mtime_ns, stat.st_size)
    if problem:
        raise DiaryFileError(f"{name or path}: {problem}")
    return notebook


@functools.lru_cache(maxsize=256)
def _parse_notebook(path, mtime_ns, size):
    """(notebook, None), or (None, what is wrong with it); the stat values only key the cache."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, f"line {line}: not UTF-8 (byte {error.start}); save it as UTF-8"
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
    if not isinstance(content, dict) or "cells" not in content or "nbformat" not in content:
        return None, "JSON but not a notebook (no 'cells' or 'nbformat')"
    try:
        with warnings.catch_warnings():  # nbformat warns about ids that older tools leave out
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        return None, f"not a valid notebook: {_schema_problem(error)}"
    except Exception as error:  # nbformat raises bare errors for very old or odd formats
        return None, f"not a readable notebook: {error}"
    return notebook, None


def _schema_problem(error):
    """The most specific thing a notebook schema error says, with the cell numbered from 1."""
    path = list(error.absolute_path)
    instance = error.instance if isinstance(error.instance, dict) else {}
    if len(path) == 2 and path[0] == "cells" and instance.get("cell_type") not in ("markdown", "code", "raw"):
        return f"cell {path[1] + 1}: unknown cell_type {instance.get('cell_type')!r} (use markdown, code or raw)"
    specific = [e for e in (error.context or []) if "is not one of" in e.message]
    detail = specific[0] if specific else error
    message = detail.message if len(detail.message) <= 120 else detail.message[:117] + "..."
    if len(path) >= 2 and path[0] == "cells":
        field = f" {detail.absolute_path[-1]}" if specific else ""
        return f"cell {path[1] + 1}{field}: {message}"
    return f"{'/'.join(map(str, path)) or 'top level'}: {message}"


def notebook_info(notebook, name="notebook"):
    """Title, summary, date and tags of a notebook, from its first heading and `diary` metadata."""
    meta = notebook.metadata.get("diary", {})
    markdown = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    title = HEADING.search(markdown)
    return {
        "title": title.group(1) if title else None,
        "summary": meta.get("summary") or first_paragraph(markdown),
        "date": parse_date(meta.get("date"), name),
        "tags": list(meta.get("tags", [])),
        "draft": bool(meta.get("draft")),
    }


def read_markdown_info(path, name):
    """markdown_info of a file, kept until the file changes: listings and "cited on" read every
    page on every build, and `mkdocs serve` builds on every save."""
    stat = Path(path).stat()
    info, problem = _markdown_file_info(str(path), stat.st_mtime_ns, stat.st_size, name)
    if problem:
        raise DiaryFileError(problem)
    return dict(info)


@functools.lru_cache(maxsize=4096)
def _markdown_file_info(path, mtime_ns, size, name):
    try:
        return markdown_info(Path(path).read_text(encoding="utf-8"), name), None
    except DiaryFileError as error:
        return None, str(error)


def markdown_info(text, name="page"):
    """Title, summary, date and tags of a Markdown page, from front matter and its first H1."""
    match = FRONT_MATTER.match(text)
    try:
        meta = (yaml.safe_load(match.group(1)) or {}) if match else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark else ""
        raise DiaryFileError(f"{name}:{line}: front matter is not valid YAML") from None
    if not isinstance(meta, dict):
        raise DiaryFileError(f"{name}: front matter must be 'key: value' lines, not a {type(meta).__name__}")
    body = text[match.end():] if match else text
    title = meta.get("title") or (HEADING.search(body).group(1) if HEADING.search(body) else None)
    return {
        "title": title,
        "summary": meta.get("description") or first_paragraph(body),
        "date": parse_date(meta.get("date"), name),
        "tags": list(meta.get("tags", [])),
        "draft": bool(meta.get("draft")),
    }


def script_info(text, name):
    """Title and summary of a Python script or module, from its docstring."""
    try:
        docstring = ast.get_docstring(ast.parse(text)) or ""
    except SyntaxError:
        docstring = ""
    lines = docstring.strip().splitlines()
    return {"title": name, "summary": lines[0] if lines else "", "date": None, "tags": [], "draft": False}


def first_paragraph(markdown):
    """The first paragraph of prose: not a heading, list, table, HTML, code or math block."""
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if block and not re.match(r"[#>|<`$\-*!]|\d+\.|\[\^", block):
            return " ".join(block.split())
    return ""


def parse_date(value, name):
    """A date from front matter or metadata (date object or YYYY-MM-DD), else None.

    A blog post's `date: {created: ..., updated: ...}` gives its creation date;
    every date in it must be valid.
    """
    if isinstance(value, dict):
        dates = {key: parse_date(item, name) for key, item in value.items()}
        return dates.get("created")
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date) or value is None:
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise DiaryFileError(f"{name}: date {value!r} is not a date (use YYYY-MM-DD)") from None


def load_report(docs_dir):
    """The committed execution report, {notebook path relative to docs: record}."""
    path = Path(docs_dir) / REPORT
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["notebooks"]


# What a published notebook keeps; anything else in its metadata may describe
# the author's machine (paths, user and host names, editor state, widget state).
PUBLISHED_NOTEBOOK_METADATA = {"kernelspec", "language_info", "diary"}
PUBLISHED_CELL_METADATA = {"tags", "jupyter"}


def published_notebook(notebook):
    """A copy fit to publish and the metadata keys it left out, e.g. ['metadata.widgets']."""
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    removed = sorted(f"metadata.{key}" for key in set(copy.metadata) - PUBLISHED_NOTEBOOK_METADATA)
    copy.metadata = {key: value for key, value in copy.metadata.items() if key in PUBLISHED_NOTEBOOK_METADATA}
    for number, cell in enumerate(copy.cells, start=1):
        extra = set(cell.metadata) - PUBLISHED_CELL_METADATA
        removed += [f"cell {number} metadata.{key}" for key in sorted(extra)]
        cell.metadata = {key: value for key, value in cell.metadata.items() if key in PUBLISHED_CELL_METADATA}
    return copy, removed
