"""Widget outputs as they were saved: static HTML, no widget manager, no CDN.

A notebook's widgets (tqdm and Hugging Face progress bars, sliders, dropdowns)
are saved as a view in the output (`{"model_id": ...}`) and the models' last
state in the notebook's metadata. nbconvert leaves an empty element and a
script tag that only a widget manager loaded from a CDN would fill in, so the
reader sees nothing. Here each view becomes plain HTML drawn from the saved
state, styled by docs/stylesheets/notebooks.css in both palettes; a widget
this module does not know shows the text form Jupyter saved beside it.
"""

import html
import json

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
REFERENCE = "IPY_MODEL_"
BOXES = {"HBoxModel": "row", "VBoxModel": "column", "BoxModel": "column", "GridBoxModel": "row"}
PROGRESS = {"FloatProgressModel", "IntProgressModel"}
SLIDERS = {"FloatSliderModel", "IntSliderModel", "FloatLogSliderModel"}
CHOICES = {"DropdownModel", "SelectModel", "RadioButtonsModel", "ToggleButtonsModel"}
TEXTS = {"TextModel", "TextareaModel", "PasswordModel", "FloatTextModel", "IntTextModel",
         "BoundedFloatTextModel", "BoundedIntTextModel"}


def saved(notebook):
    """What the page needs of the notebook's widgets, as JSON data: each model's saved state, and the
    text form saved with each view (keyed by model id)."""
    widgets = notebook.metadata.get("widgets", {}) if isinstance(notebook.metadata.get("widgets"), dict) else {}
    state = widgets.get(STATE, {}).get("state", {}) if isinstance(widgets.get(STATE), dict) else {}
    texts = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(VIEW)
            if isinstance(view, dict) and "model_id" in view:
                texts[view["model_id"]] = output["data"].get("text/plain", "")
    return {"state": state if isinstance(state, dict) else {}, "texts": texts}


def render_views(tree, widgets):
    """Replace every widget view nbconvert left in the page with static HTML."""
    for script in tree.css(f'script[type="{VIEW}"]'):
        try:
            model_id = json.loads(script.text()).get("model_id")
        except (ValueError, AttributeError):
            model_id = None
        output = script.parent
        drawn = draw(model_id, widgets["state"], set()) if model_id else None
        if drawn is None:
            text = widgets["texts"].get(model_id, "")
            drawn = f'<pre class="diary-widget-text">{html.escape(text)}</pre>' if text else ""
        if output is not None and "jupyter-widgets" in (output.attributes.get("class") or ""):
            output.inner_html = f'<div class="diary-widget">{drawn}</div>'
            output.attrs["class"] = "jp-OutputArea-output diary-widget-output"
            del output.attrs["id"]  # nbconvert makes up a new random id in every build
        else:
            script.decompose()
    for script in tree.css(f'script[type="{STATE}"]'):
        script.decompose()


def draw(model_id, state, seen):
    """One model's static HTML, or None for a model this module cannot draw."""
    model = state.get(model_id)
    if not isinstance(model, dict) or model_id in seen:
        return None
    seen = seen | {model_id}
    name, values = model.get("model_name"), model.get("state", {})
    if not isinstance(values, dict):
        return None
    label = _label(values)
    if name in BOXES:
        children = [draw(ref.removeprefix(REFERENCE), state, seen) for ref in values.get("children", [])
                    if isinstance(ref, str)]
        inner = "".join(child for child in children if child)
        return f'<div class="diary-widget-box" data-direction="{BOXES[name]}">{inner}</div>'
    if name == "HTMLModel":
        return f'{label}<span class="diary-widget-html">{values.get("value", "")}</span>'
    if name == "LabelModel":
        return f'<span class="diary-widget-label">{_text(values.get("value"))}</span>'
    if name in PROGRESS:
        low, high, value = _number(values.get("min"), 0), _number(values.get("max"), 100), _number(values.get("value"), 0)
        style = values.get("bar_style") or "info"
        return (f'{label}<progress class="diary-widget-progress" data-style="{html.escape(str(style))}"'
                f' max="{high - low}" value="{max(0, value - low)}" aria-label="{_aria(values, "progress")}"></progress>')
    if name in SLIDERS:
        value = values.get("value")
        return (f'{label}<input class="diary-widget-slider" type="range" min="{_text(values.get("min"))}"'
                f' max="{_text(values.get("max"))}" step="{_text(values.get("step"))}" value="{_text(value)}"'
                f' aria-label="{_aria(values, "slider")}" disabled><output>{_text(value)}</output>')
    if name in CHOICES:
        options = values.get("_options_labels", [])
        index = values.get("index")
        chosen = "".join(f'<option{" selected" if number == index else ""}>{_text(option)}</option>'
                         for number, option in enumerate(options))
        return f'{label}<select class="diary-widget-choice" aria-label="{_aria(values, "choice")}" disabled>{chosen}</select>'
    if name in ("CheckboxModel", "ToggleButtonModel"):
        checked = " checked" if values.get("value") else ""
        return (f'<label class="diary-widget-check"><input type="checkbox"{checked} disabled>'
                f' {_text(values.get("description"))}</label>')
    if name == "ButtonModel":
        return f'<button class="diary-widget-button" type="button" disabled>{_text(values.get("description"))}</button>'
    if name in TEXTS:
        return (f'{label}<input class="diary-widget-input" type="text" value="{_text(values.get("value"))}"'
                f' aria-label="{_aria(values, "text")}" disabled>')
    return None


def _label(values):
    description = values.get("description")
    return f'<span class="diary-widget-description">{_text(description)}</span>' if description else ""


def _aria(values, kind):
    return _text(values.get("description") or kind)


def _text(value):
    return html.escape("" if value is None else str(value))


def _number(value, default):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else default
