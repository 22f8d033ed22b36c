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

from diary.repair import repair

HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.DOTALL)


class DiaryFileError(Exception):
    """A file the site cannot use; the message is one line naming the file and the problem."""


def parse_notebook(data, name):
    """(a validated notebook, the repairs it needed in words) from a file's bytes, or DiaryFileError."""
    if not data.strip():
        raise DiaryFileError(f"{name}: the file is empty (a notebook is JSON with 'cells'); save it again or delete it")
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as some Windows editors write, is not content
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DiaryFileError(f"{name}: line {line}: not UTF-8 (byte {error.start}); save it as UTF-8") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise DiaryFileError(f"{name}: not valid JSON at {where}: {error.msg}") from None
    if not isinstance(content, dict) or "cells" not in content and "worksheets" not in content \
            or "nbformat" not in content:
        raise DiaryFileError(f"{name}: JSON but not a notebook (no 'cells' or 'nbformat')")
    try:
        content, repairs = repair(content)
        with warnings.catch_warnings():  # nbformat warns about what repair has already mended
            warnings.simplefilter("ignore")
            notebook = nbformat.v4.to_notebook(content)  # as nbformat.reads leaves it: sources as text
            nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise DiaryFileError(f"{name}: not a valid notebook: {_schema_problem(error)}") from None
    except Exception as error:  # nbformat raises bare errors for very old or odd formats
        raise DiaryFileError(f"{name}: not a readable notebook: {error}") from None
    return notebook, repairs


def read_notebook(path, name=None):
    """The notebook of parse_notebook for a file on disk."""
    with open(path, "rb") as handle:
        return parse_notebook(handle.read(), name or str(path))[0]


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


class _NotACalendarDate(ValueError):
    def __init__(self, value, line):
        super().__init__(value)
        self.value, self.line = value, line


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's own loader, except that a date-shaped value that is no calendar date says where it is."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise _NotACalendarDate(node.value, node.start_mark.line) from None


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp)


def front_matter(text, name):
    """(front matter as a dict, body) of a Markdown page."""
    match = FRONT_MATTER.match(text)
    try:
        meta = (yaml.load(match.group(1), _FrontMatterLoader) or {}) if match else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark else ""
        raise DiaryFileError(f"{name}:{line}: front matter is not valid YAML") from None
    except _NotACalendarDate as error:  # the front matter starts on the file's second line
        raise DiaryFileError(f"{name}: line {error.line + 2}: {error.value} is not a date on the calendar"
                             " (use YYYY-MM-DD)") from None
    if not isinstance(meta, dict):
        raise DiaryFileError(f"{name}: front matter must be 'key: value' lines, not a {type(meta).__name__}")
    return meta, text[match.end():] if match else text


def _kind(value):
    return {dict: "mapping", list: "list", str: "string", bool: "true/false value"}.get(type(value), "number")


def text_field(meta, key, name):
    """A metadata value that must be text (a title, a summary), or None."""
    value = meta.get(key)
    if value is None or isinstance(value, str):
        return value
    raise DiaryFileError(f"{name}: {key} must be text, not a {_kind(value)}")


def list_field(meta, key, name):
    """A metadata value that must be a list of words (tags, categories), as a tuple."""
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        raise DiaryFileError(f"{name}: {key} must be a list, as in '{key}: [{value}]', not a single string")
    if not isinstance(value, list) or not all(isinstance(item, (str, int, float)) for item in value):
        raise DiaryFileError(f"{name}: {key} must be a list of words, not a {_kind(value)}")
    return tuple(str(item) for item in value)


def flag_field(meta, key, name):
    """A metadata value that must be true or false (YAML's yes/no/on/off are booleans too)."""
    value = meta.get(key, False)
    if isinstance(value, bool):
        return value
    raise DiaryFileError(f"{name}: {key} must be true or false, not {value!r}")


def mapping_field(meta, key, name, example):
    """A metadata value that must be a mapping of its own (a notebook's `diary` metadata), or {}."""
    value = meta.get(key, {})
    if isinstance(value, dict):
        return value
    raise DiaryFileError(f"{name}: metadata '{key}' must be a mapping ({example}), not a {_kind(value)}")


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


def parse_updated(value, name):
    """When a page was last revised, from its front matter's `date: {created: ..., updated: ...}`
    (the blog's form, which the feeds read too), else None."""
    if isinstance(value, dict):
        parse_date(value, name)  # every date in it must be valid
        return parse_date(value.get("updated"), name)
    return None


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
