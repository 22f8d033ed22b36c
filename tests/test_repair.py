"""Reading a notebook mends what tools really write, the same way every time, and refuses only what cannot be read."""

import json
from pathlib import Path

import nbformat
import pytest

from diary.sources import DiaryFileError, parse_notebook

pytestmark = pytest.mark.unit
QUIRKS = Path(__file__).parent / "notebook-quirks"


def notebook(cells, minor=5, **metadata):
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": minor}


def code(source="1", outputs=(), **extra):
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": list(outputs), "source": source,
            **extra}


def parse(content):
    return parse_notebook(json.dumps(content).encode(), "docs/n.ipynb")


def test_a_saved_notebook_needs_no_repair():
    nb, repairs = parse(notebook([code(id="a")]))
    assert repairs == [] and nb.cells[0].id == "a"


def test_missing_and_repeated_ids_are_made_from_the_cell_position():
    nb, repairs = parse(notebook([code(), code(id="x"), code(id="x"), code(id="bad id!")]))
    assert [cell.id for cell in nb.cells] == ["cell-1", "x", "cell-3", "cell-4"]
    assert repairs == ["missing cell id added (cell 1)", "repeated cell id replaced (cell 3)",
                       "malformed cell id replaced (cell 4)"]


def test_a_made_up_id_never_takes_one_the_notebook_uses():
    nb, _ = parse(notebook([code(id="cell-2"), code()]))
    assert [cell.id for cell in nb.cells] == ["cell-2", "cell-2-1"]


def test_keys_the_schema_refuses_are_dropped_and_required_ones_added():
    stream = {"output_type": "stream", "name": "stdout", "text": "hi\n", "metadata": {}}
    result = {"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {}}
    cell = code(id="a", outputs=[stream, result], collapsed=False)
    del cell["execution_count"]
    nb, repairs = parse(notebook([cell]))
    assert nb.cells[0].execution_count is None and nb.cells[0].outputs[1].execution_count is None
    assert "metadata" not in nb.cells[0].outputs[0] and "collapsed" not in nb.cells[0]
    assert repairs == ["'collapsed' dropped from a cell (cell 1)", "missing 'execution_count' added (cell 1)",
                       "'metadata' dropped from stream outputs (cell 1)",
                       "missing 'execution_count' added to execute_result outputs (cell 1)"]


def test_many_cells_with_one_repair_are_said_once_and_counted():
    stream = {"output_type": "stream", "name": "stdout", "text": "hi\n", "metadata": {}}
    _, repairs = parse(notebook([code(id=f"c{n}", outputs=[stream]) for n in range(11)]))
    assert repairs == ["'metadata' dropped from stream outputs (cells 1, 2, 3, 4, 5, 6, 7, 8 and 3 more)"]


def test_colab_widget_models_go_under_state():
    models = {"m1": {"model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls", "state": {"value": "x"}}}
    nb, repairs = parse(notebook([code(id="a")], widgets={"application/vnd.jupyter.widget-state+json": models}))
    assert nb.metadata.widgets["application/vnd.jupyter.widget-state+json"] == {
        "state": models, "version_major": 2, "version_minor": 0}
    assert repairs == ["1 widget models put under 'state', where Jupyter keeps them"]


def test_a_kernelspec_without_a_display_name_gets_its_name():
    nb, repairs = parse(notebook([code(id="a")], kernelspec={"name": "python3"}))
    assert nb.metadata.kernelspec.display_name == "python3"
    assert repairs == ["kernelspec given the display_name it lacked (its name)"]


def test_a_future_minor_version_is_read_as_the_newest_known():
    _, repairs = parse(notebook([code(id="a")], minor=9))
    assert repairs == ["nbformat 4.9 read as 4.5, the newest this site knows"]


def test_every_quirk_repairs_the_same_way_twice_into_a_valid_notebook():
    for path in sorted(QUIRKS.glob("*.ipynb")):
        first, repairs = parse_notebook(path.read_bytes(), path.name)
        again, _ = parse_notebook(path.read_bytes(), path.name)
        assert nbformat.writes(first) == nbformat.writes(again), path.name
        nbformat.validate(first)
        assert first.nbformat == 4


def test_a_byte_order_mark_is_not_content():
    nb, repairs = parse_notebook(b"\xef\xbb\xbf" + json.dumps(notebook([code(id="a")])).encode(), "docs/n.ipynb")
    assert repairs == [] and nb.cells[0].source == "1"


@pytest.mark.parametrize("data, message", [
    (b"", "docs/n.ipynb: the file is empty (a notebook is JSON with 'cells'); save it again or delete it"),
    (b"  \n", "docs/n.ipynb: the file is empty (a notebook is JSON with 'cells'); save it again or delete it"),
    (json.dumps(notebook([{"cell_type": "markdwn", "metadata": {}, "source": ""}])).encode(),
     "docs/n.ipynb: not a valid notebook: cell 1: unknown cell_type 'markdwn' (use markdown, code or raw)"),
])
def test_what_cannot_be_mended_still_says_why_in_one_line(data, message):
    with pytest.raises(DiaryFileError) as error:
        parse_notebook(data, "docs/n.ipynb")
    assert str(error.value) == message
