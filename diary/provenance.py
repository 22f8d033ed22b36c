"""Where a notebook's outputs came from, as far as the file itself says.

`make notebooks` records the runs it makes in the execution report; a notebook
it never ran (saved from Colab or Kaggle with its outputs, or one the author
marks as run elsewhere) still says something about its outputs: the host that
saved it, the accelerator it asked for, its kernel, and whether its execution
counts show one run from top to bottom. The page's strip shows that instead of
a run record.
"""

# The tool that saved a notebook, known by the metadata only it writes.
HOSTS = (("colab", "Colab"), ("kaggle", "Kaggle"), ("vscode", "VS Code"), ("papermill", "papermill"))
KAGGLE_ACCELERATORS = {"nvidiaTeslaT4": "T4 GPU", "nvidiaTeslaP100": "P100 GPU", "nvidiaL4": "L4 GPU",
                       "tpu1vmV38": "TPU v3-8", "none": None}


def saved(notebook):
    """What the file says of its last run, as JSON data for the page's strip."""
    metadata = notebook.metadata
    return {
        "host": next((name for key, name in HOSTS if key in metadata), None),
        "accelerator": accelerator(metadata),
        "kernel": (metadata.get("kernelspec") or {}).get("display_name")
                  or (metadata.get("language_info") or {}).get("name"),
        "counts": counts(notebook),
    }


def accelerator(metadata):
    colab = metadata.get("colab") if isinstance(metadata.get("colab"), dict) else {}
    if colab.get("gpuType"):
        return f"{colab['gpuType']} GPU" if str(colab["gpuType"]).isupper() else str(colab["gpuType"])
    if isinstance(metadata.get("accelerator"), str):
        return metadata["accelerator"]
    kaggle = metadata.get("kaggle") if isinstance(metadata.get("kaggle"), dict) else {}
    chosen = kaggle.get("accelerator")
    return KAGGLE_ACCELERATORS.get(chosen, chosen) if chosen else None


def counts(notebook):
    """How the code cells were last run: 'in order', 'out of order', or None when never."""
    numbers = [cell.get("execution_count") for cell in notebook.cells
               if cell.cell_type == "code" and cell.source.strip()]
    ran = [number for number in numbers if isinstance(number, int)]
    if not ran:
        return None
    in_order = ran == sorted(ran) and len(ran) == len(numbers) and len(set(ran)) == len(ran)
    return {"in_order": in_order, "cells": len(ran), "of": len(numbers), "last": max(ran)}
