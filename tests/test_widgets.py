"""Saved widget state becomes static HTML; what cannot be drawn shows the text Jupyter saved."""

import nbformat
import pytest
from selectolax.lexbor import LexborHTMLParser

from diary.widgets import STATE, VIEW, render_views, saved

pytestmark = pytest.mark.unit


def model(name, **state):
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "state": state}


def page_with(models, view, text="IntSlider(value=3)"):
    """The saved notebook and the HTML nbconvert makes of its one widget output."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {STATE: {"state": models, "version_major": 2, "version_minor": 0}}
    nb.cells = [nbformat.v4.new_code_cell("w", outputs=[nbformat.v4.new_output(
        "display_data", data={VIEW: {"model_id": view, "version_major": 2, "version_minor": 0}, "text/plain": text})])]
    html = (f'<div class="jupyter-widgets jp-OutputArea-output" id="random-uuid"><script type="text/javascript">'
            f"var element = document.getElementById('random-uuid');</script>"
            f'<script type="{VIEW}">{{"model_id": "{view}", "version_major": 2, "version_minor": 0}}</script></div>')
    tree = LexborHTMLParser(f"<body>{html}</body>")
    render_views(tree, saved(nb))
    return tree


def test_a_tqdm_bar_is_its_label_a_progress_bar_and_its_counts():
    models = {
        "box": model("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_bar", "IPY_MODEL_right"]),
        "left": model("HTMLModel", value="model.safetensors: 100%"),
        "bar": model("FloatProgressModel", min=0, max=548, value=548, bar_style="success"),
        "right": model("HTMLModel", value=" 548M/548M [00:02&lt;00:00, 211MB/s]"),
    }
    tree = page_with(models, "box")
    output = tree.css_first(".diary-widget-output")
    assert output.text() == "model.safetensors: 100% 548M/548M [00:02<00:00, 211MB/s]"
    bar = output.css_first("progress")
    assert (bar.attributes["max"], bar.attributes["value"], bar.attributes["data-style"]) == ("548", "548", "success")
    assert "id" not in output.attributes  # nbconvert's random id would differ in every build
    assert tree.css_first("script") is None


def test_a_slider_and_a_dropdown_show_their_saved_values_and_cannot_be_moved():
    models = {
        "box": model("VBoxModel", children=["IPY_MODEL_slider", "IPY_MODEL_menu"]),
        "slider": model("IntSliderModel", description="rank", min=1, max=64, step=1, value=8),
        "menu": model("DropdownModel", description="optimiser", _options_labels=["sgd", "adam"], index=1),
    }
    output = page_with(models, "box").css_first(".diary-widget-output")
    slider = output.css_first("input[type=range]")
    assert (slider.attributes["value"], slider.attributes["aria-label"]) == ("8", "rank")
    assert "disabled" in slider.attributes and output.css_first("output").text() == "8"
    assert output.css_first("option[selected]").text() == "adam"
    assert "disabled" in output.css_first("select").attributes


def test_an_unknown_widget_shows_the_text_form_saved_with_it():
    tree = page_with({"plot": model("FigureModel", data=[1, 2])}, "plot", text="FigureWidget({'data': [1, 2]})")
    assert tree.css_first(".diary-widget-output pre").text() == "FigureWidget({'data': [1, 2]})"


def test_a_box_that_contains_itself_is_drawn_once():
    tree = page_with({"box": model("HBoxModel", children=["IPY_MODEL_box", "IPY_MODEL_label"]),
                      "label": model("LabelModel", value="epoch 3")}, "box")
    assert tree.css_first(".diary-widget-output").text() == "epoch 3"
