"""Outputs older than their inputs.

When `make notebooks` runs a notebook it records in the execution report a
content hash of everything the run read: the notebook's code cells and kernel,
and every file under the project it opened (a local module it imported, a data
file, a page of the diary it indexed). Anything can compare those with the
files as they are now: the build, so a stale notebook says so on its page and
in the report; `make notebooks CHECK=1`, which lists stale notebooks and fails;
and `make deploy`, which will not publish stale outputs unless the author says
ALLOW_STALE=1. A notebook with no recorded inputs (never run here, or run
elsewhere) is not called stale: nothing says what it read.
"""

import hashlib
import logging
from pathlib import Path

from diary.sources import DiaryFileError, read_notebook

log = logging.getLogger("mkdocs.plugins.diary")
# Where a run's opened files do not count as its inputs: the tools, caches and output.
NOT_INPUTS = (".venv", ".cache", "site", ".git")


def digest(data):
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode("utf-8")).hexdigest()


def code_digest(notebook):
    """What of the notebook itself decides its outputs: its code cells, in order, and its kernel."""
    parts = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    parts.append((notebook.metadata.get("kernelspec") or {}).get("name", "python3"))
    return digest("\0".join(parts))


def source_of(path):
    """A bytecode file stands for the module source it was compiled from."""
    if path.parent.name == "__pycache__" and path.suffix == ".pyc":
        return path.parent.parent / (path.name.split(".")[0] + ".py")
    return path


def inputs_of_run(notebook, opened, notebook_path, project):
    """The record of what a run read: {"code": digest, "files": {path under the project: digest}}."""
    files = {}
    for line in sorted(set(opened)):
        path = source_of(Path(line))
        try:
            relative = path.relative_to(project)
        except ValueError:
            continue
        if path == notebook_path or not path.is_file() or relative.parts[0] in NOT_INPUTS:
            continue
        files[relative.as_posix()] = digest(path.read_bytes())
    return {"code": code_digest(notebook), "files": files}


def changes(record, notebook, project):
    """Why the notebook's outputs are older than their inputs, in words; empty when they are not."""
    inputs = record.get("inputs") if isinstance(record, dict) else None
    if not isinstance(inputs, dict):
        return []
    reasons = [] if inputs.get("code") == code_digest(notebook) else ["its code cells changed"]
    for relative, recorded in sorted((inputs.get("files") or {}).items()):
        path = Path(project) / relative
        if not path.is_file():
            reasons.append(f"{relative} is gone")
        elif digest(path.read_bytes()) != recorded:
            reasons.append(f"{relative} changed")
    return reasons


def stale_in(notebooks, report, project):
    """{src_uri: reasons} of the stale ones among `notebooks` ({src_uri: notebook}), each logged once."""
    stale = {}
    for src_uri, notebook in sorted(notebooks.items()):
        reasons = changes(report.get(src_uri, {}), notebook, project)
        if reasons:
            log.info(said(src_uri, reasons))
            stale[src_uri] = reasons
    return stale


def stale_notebooks(docs, report):
    """{notebook path under docs/: reasons} of every stale notebook in `report` (the scripts' check)."""
    docs = Path(docs)
    stale = {}
    for name, record in sorted(report.items()):
        path = docs / name
        if not path.is_file():
            continue
        try:
            notebook = read_notebook(path, f"docs/{name}")
        except DiaryFileError:
            continue  # the build names it
        reasons = changes(record, notebook, docs.parent)
        if reasons:
            stale[name] = reasons
    return stale


def said(name, reasons):
    return f"docs/{name}: outputs older than their inputs: {', '.join(reasons)}"
