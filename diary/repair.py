"""Notebooks as Colab, Kaggle, VS Code and Jupyter really save them.

Tools write notebooks the format's schema refuses although every viewer shows
them: Colab keeps a `metadata` key on stream outputs and saves widget models
without the `state` wrapper nbconvert indexes, some editors leave out cell ids,
execution counts or cell metadata, or copy a cell with its id. `repair` mends
those in the notebook's JSON before it is read, from the schema nbformat ships
(which keys each cell and output may and must have), and says what it did in
words for the build's log. What it cannot mend is left for validation to name.
Everything it adds is derived from the file (no random ids), so a repaired
notebook is the same in every build.
"""

import json
import re
import warnings
from collections import defaultdict
from functools import cache
from importlib import resources

import nbformat

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
NEWEST_MINOR = 5
# What a missing required key becomes: the value Jupyter itself writes for "nothing".
EMPTY = {"metadata": dict, "source": str, "outputs": list, "execution_count": lambda: None, "data": dict,
         "text": str, "name": lambda: "stdout", "traceback": list, "ename": str, "evalue": str}


@cache
def _schema(minor):
    text = resources.files(nbformat).joinpath(f"v4/nbformat.v4.{minor}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)["definitions"]


def _shape(minor, kind):
    """(allowed keys, required keys) of one cell or output kind in the 4.`minor` schema, or None."""
    definition = _schema(minor).get(kind)
    if definition is None:
        return None
    return set(definition["properties"]), list(definition.get("required", []))


class Repairs:
    """What was mended, grouped so that the log says each kind once with the cells it touched."""

    def __init__(self):
        self.cells = defaultdict(list)
        self.whole = []

    def cell(self, what, number):
        if number not in self.cells[what]:
            self.cells[what].append(number)

    def said(self):
        parts = list(self.whole)
        for what, numbers in self.cells.items():
            shown = ", ".join(map(str, numbers[:8])) + (f" and {len(numbers) - 8} more" if len(numbers) > 8 else "")
            parts.append(f"{what} (cell{'s' if len(numbers) > 1 else ''} {shown})")
        return parts


def repair(content):
    """(`content` mended, the repairs made in words); `content` is a notebook's parsed JSON, changed in place."""
    repairs = Repairs()
    content = _to_version_4(content, repairs)
    minor = _minor(content, repairs)
    for number, cell in enumerate(content.get("cells", []), start=1):
        if isinstance(cell, dict):
            _mend_cell(cell, number, minor, repairs)
    if minor >= 5:
        _mend_ids(content["cells"], repairs)
    _mend_metadata(content, repairs)
    return content, repairs.said()


def _to_version_4(content, repairs):
    major = content.get("nbformat")
    if isinstance(major, int) and major < 4:
        with warnings.catch_warnings():  # nbformat warns of the cell ids its conversion makes up
            warnings.simplefilter("ignore")
            upgraded = nbformat.reads(json.dumps(content), as_version=4)
        upgraded.metadata.pop("orig_nbformat", None)
        for number, cell in enumerate(upgraded.cells, start=1):
            cell.id = f"cell-{number}"  # in place of the random ones the conversion made
        repairs.whole.append(f"converted from nbformat {major} to 4")
        return json.loads(json.dumps(upgraded))
    return content


def _minor(content, repairs):
    """The schema the notebook is read against: 4.5 when it carries cell ids (4.5 introduced them)."""
    minor = content.get("nbformat_minor")
    if not isinstance(minor, int) or content.get("nbformat") != 4:
        return NEWEST_MINOR
    if minor > NEWEST_MINOR:
        repairs.whole.append(f"nbformat 4.{minor} read as 4.{NEWEST_MINOR}, the newest this site knows")
        minor = content["nbformat_minor"] = NEWEST_MINOR
    elif minor < 5 and any(isinstance(cell, dict) and "id" in cell for cell in content.get("cells", [])):
        repairs.whole.append(f"marked nbformat 4.5, as its cell ids need (it said 4.{minor})")
        minor = content["nbformat_minor"] = 5
    return minor


def _mend_cell(cell, number, minor, repairs):
    shape = _shape(minor, f"{cell.get('cell_type')}_cell")
    if shape is None:
        return  # an unknown cell type: validation names it
    allowed, required = shape
    _fit(cell, allowed, [key for key in required if key != "id"], number, "", repairs)  # ids: _mend_ids
    for output in cell.get("outputs", []) if isinstance(cell.get("outputs"), list) else []:
        if isinstance(output, dict):
            kind = output.get("output_type")
            output_shape = _shape(minor, kind) if kind in ("stream", "display_data", "execute_result", "error") else None
            if output_shape is not None:
                _fit(output, *output_shape, number, f"{kind} outputs", repairs)


def _fit(node, allowed, required, number, where, repairs):
    """Drop the keys the schema does not allow and add the ones it requires."""
    for key in sorted(set(node) - allowed):
        del node[key]
        repairs.cell(f"'{key}' dropped from {where or 'a cell'}", number)
    for key in required:
        if key not in node and key in EMPTY:
            node[key] = EMPTY[key]()
            repairs.cell(f"missing '{key}' added{' to ' + where if where else ''}", number)


def _mend_ids(cells, repairs):
    """Missing, malformed or repeated cell ids get ids made from the cell's position."""
    taken = {cell.get("id") for cell in cells if isinstance(cell, dict)}
    seen = set()
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        current = cell.get("id")
        if isinstance(current, str) and CELL_ID.match(current) and current not in seen:
            seen.add(current)
            continue
        what = ("missing cell id added" if current is None else
                "repeated cell id replaced" if current in seen else "malformed cell id replaced")
        new, suffix = f"cell-{number}", 1
        while new in taken or new in seen:
            new, suffix = f"cell-{number}-{suffix}", suffix + 1
        cell["id"] = new
        seen.add(new)
        repairs.cell(what, number)


def _mend_metadata(content, repairs):
    metadata = content.get("metadata")
    if not isinstance(metadata, dict):
        return
    widgets = metadata.get("widgets")
    state = widgets.get(WIDGET_STATE) if isinstance(widgets, dict) else None
    if isinstance(state, dict) and "state" not in state:
        # Colab saves the widget models themselves where nbformat expects {"state": {models}, versions}.
        models = {key: value for key, value in state.items() if isinstance(value, dict)}
        widgets[WIDGET_STATE] = {"state": models, "version_major": 2, "version_minor": 0}
        repairs.whole.append(f"{len(models)} widget models put under 'state', where Jupyter keeps them")
    kernelspec = metadata.get("kernelspec")
    if isinstance(kernelspec, dict) and "name" in kernelspec and "display_name" not in kernelspec:
        kernelspec["display_name"] = str(kernelspec["name"])
        repairs.whole.append("kernelspec given the display_name it lacked (its name)")
