"""What the diary knows about its own files: notebooks, notes and scripts.

Not a hook itself: the hooks, `scripts/` and the tests import it, so that
reading a notebook (and saying clearly why one cannot be read), and finding a
page's title, summary, date and tags, is written once.
"""

import ast
import datetime
import json
import re
from pathlib import Path

import nbformat
import yaml

HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.DOTALL)
REPORT = "execution-report.json"


class DiaryFileError(Exception):
    """A file the site cannot use; the message is one line naming the file and the problem."""


def read_notebook(path, name=None):
    """Read and validate a notebook, or raise DiaryFileError with a one-line reason."""
    name = name or str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise DiaryFileError(f"{name}: not UTF-8 (byte {error.start}); save it as UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DiaryFileError(
            f"{name}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
        raise DiaryFileError(f"{name}: JSON but not a notebook (no 'cells' or 'nbformat')")
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "top level"
        raise DiaryFileError(f"{name}: not a valid notebook at {where}: {error.message}") from None
    except Exception as error:  # nbformat raises bare errors for very old or odd formats
        raise DiaryFileError(f"{name}: not a readable notebook: {error}") from None
    return notebook


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
    }


def markdown_info(text, name="page"):
    """Title, summary, date and tags of a Markdown page, from front matter and its first H1."""
    match = FRONT_MATTER.match(text)
    try:
        meta = (yaml.safe_load(match.group(1)) or {}) if match else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark else ""
        raise DiaryFileError(f"{name}:{line} front matter is not valid YAML") from None
    body = text[match.end():] if match else text
    title = meta.get("title") or (HEADING.search(body).group(1) if HEADING.search(body) else None)
    return {
        "title": title,
        "summary": meta.get("description") or first_paragraph(body),
        "date": parse_date(meta.get("date"), name),
        "tags": list(meta.get("tags", [])),
    }


def script_info(text, name):
    """Title and summary of a Python script or module, from its docstring."""
    try:
        docstring = ast.get_docstring(ast.parse(text)) or ""
    except SyntaxError:
        docstring = ""
    lines = docstring.strip().splitlines()
    return {"title": name, "summary": lines[0] if lines else "", "date": None, "tags": []}


def first_paragraph(markdown):
    """The first paragraph of prose: not a heading, list, table, HTML, code or math block."""
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if block and not re.match(r"[#>|<`$\-*!]|\d+\.|\[\^", block):
            return " ".join(block.split())
    return ""


def parse_date(value, name):
    """A date from front matter or metadata (date object or YYYY-MM-DD), else None."""
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
