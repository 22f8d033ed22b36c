"""Reading the author's files: notebooks, Markdown front matter, scripts, dates.

Everything here is a plain function of a file's text, with no MkDocs in it:
the plugin, `make notebooks` and the tests all read files this way, and a file
that cannot be used raises DiaryFileError with one line naming it and the
problem.
"""

import ast
import datetime
import json
import re
import warnings

import nbformat
import yaml

HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.DOTALL)


class DiaryFileError(Exception):
    """A file the site cannot use; the message is one line naming the file and the problem."""


def parse_notebook(data, name):
    """A validated notebook from a file's bytes, or DiaryFileError with a one-line reason."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DiaryFileError(f"{name}: line {line}: not UTF-8 (byte {error.start}); save it as UTF-8") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise DiaryFileError(f"{name}: not valid JSON at {where}: {error.msg}") from None
    if not isinstance(content, dict) or "cells" not in content or "nbformat" not in content:
        raise DiaryFileError(f"{name}: JSON but not a notebook (no 'cells' or 'nbformat')")
    try:
        with warnings.catch_warnings():  # nbformat warns about ids that older tools leave out
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise DiaryFileError(f"{name}: not a valid notebook: {_schema_problem(error)}") from None
    except Exception as error:  # nbformat raises bare errors for very old or odd formats
        raise DiaryFileError(f"{name}: not a readable notebook: {error}") from None
    return notebook


def read_notebook(path, name=None):
    """parse_notebook of a file on disk."""
    with open(path, "rb") as handle:
        return parse_notebook(handle.read(), name or str(path))


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


def markdown_cells(notebook):
    """A notebook's Markdown cells as one Markdown text."""
    return "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def front_matter(text, name):
    """(front matter as a dict, body) of a Markdown page."""
    match = FRONT_MATTER.match(text)
    try:
        meta = (yaml.safe_load(match.group(1)) or {}) if match else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark else ""
        raise DiaryFileError(f"{name}:{line}: front matter is not valid YAML") from None
    if not isinstance(meta, dict):
        raise DiaryFileError(f"{name}: front matter must be 'key: value' lines, not a {type(meta).__name__}")
    return meta, text[match.end():] if match else text


def first_heading(markdown):
    match = HEADING.search(markdown)
    return match.group(1) if match else None


def first_paragraph(markdown):
    """The first paragraph of prose: not a heading, list, table, HTML, code or math block."""
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if block and not re.match(r"[#>|<`$\-*!]|\d+\.|\[\^", block):
            return " ".join(block.split())
    return ""


def script_summary(text):
    """The first line of a Python script's docstring, or ''."""
    try:
        docstring = ast.get_docstring(ast.parse(text)) or ""
    except SyntaxError:
        docstring = ""
    lines = docstring.strip().splitlines()
    return lines[0] if lines else ""


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
