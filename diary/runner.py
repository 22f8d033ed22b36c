"""Executing the diary's notebooks for `make notebooks` (scripts/run_notebooks.py).

A notebook is skipped when its code cells, kernel, pinned notebook dependencies
and every local file it read last time (modules it imported, data files it
opened; recorded in the execution report, diary/freshness.py) are unchanged
since its last successful run. Outputs are written back
into the notebook only when it succeeds; a failure is named by notebook and
cell, and recorded in the execution report.
"""

import copy
import datetime
import json
import os
import platform
import tempfile
import time
from importlib import metadata
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from diary import freshness
from diary.sources import DiaryFileError, read_notebook

KEY_PACKAGES = ("numpy", "matplotlib", "langchain-text-splitters", "rank-bm25", "ipykernel", "nbclient")
DEPENDENCY_FILES = ("requirements.txt", "requirements-notebooks.txt")

# Runs in the kernel before the first cell: logs every file under the project
# that the notebook opens (data files, and the source or bytecode of local
# modules), so the cache can tell when one of them changes.
TRACER = """
def _diary_tracer(root, log_path):
    import os, sys
    seen = set()
    def hook(event, args):
        if event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
            return
        path = os.path.abspath(os.fsdecode(args[0]))
        if path in seen or path == log_path or not path.startswith(root + os.sep):
            return
        seen.add(path)
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(path + "\\n")
    sys.addaudithook(hook)
_diary_tracer({root!r}, {log!r})
del _diary_tracer
"""


def code_key(notebook, project):
    """Hash of what decides a run's outcome besides local files: code, kernel, pinned dependencies."""
    parts = [freshness.code_digest(notebook)]
    parts += [(project / name).read_text(encoding="utf-8") for name in DEPENDENCY_FILES if (project / name).exists()]
    return freshness.digest("\0".join(parts))


def execute(notebook, path, project, timeout):
    """Run every cell in a fresh kernel; return the project files the run opened."""
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "opened.txt"
        log.touch()
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
            resources={"metadata": {"path": str(path.parent)}},
            record_timing=False,
            coalesce_streams=True,  # one stream output per cell, however the kernel chunked it
        )

        async def install_tracer(**_):
            code = TRACER.format(root=str(project), log=str(log))
            await client.kc.execute_interactive(code, silent=True, store_history=False, timeout=60)

        client.on_notebook_start = install_tracer
        # Local sockets rather than TCP ports: nothing listens on the network.
        client.km = client.create_kernel_manager()
        client.km.transport = "ipc"
        client.km.ip = str(Path(scratch) / "kernel")
        client.execute()
        return log.read_text(encoding="utf-8").splitlines()


def failing_cell(notebook):
    """1-based number of the cell that failed: the first code cell with an error output."""
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code" and any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            return number
    return None


def package_versions():
    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def run_one(path, docs, previous, cache, force, timeout):
    """Run (or skip) one notebook; return its report record, its cache entry and a message or None."""
    project = docs.parent
    name = path.relative_to(docs).as_posix()
    shown = path.relative_to(project).as_posix()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    record = {**previous, "last_run": now, "python": platform.python_version(), "packages": package_versions()}
    try:
        notebook = copy.deepcopy(read_notebook(path, shown))  # executing changes it in place
    except DiaryFileError as error:
        return name, {**record, "status": "failed", "cache_hit": False, "error": str(error)}, None, str(error)
    diary = notebook.metadata.get("diary")
    elsewhere = diary.get("not_run_here") if isinstance(diary, dict) else None
    if elsewhere:  # the author runs it somewhere else (a GPU, an API key, hours): its outputs stay as saved
        return name, {"status": "elsewhere", "reason": str(elsewhere)}, None, None
    key = code_key(notebook, project)
    entry = cache.get(name)
    fresh = previous.get("status") == "ok" and "inputs" in previous and not freshness.changes(previous, notebook, project)
    if not force and fresh and entry and entry["key"] == key:
        return name, {**previous, "cache_hit": True}, entry, None

    started = time.monotonic()
    try:
        opened = execute(notebook, path, project, timeout)
    except CellExecutionError as error:
        cell = failing_cell(notebook)
        evalue = (error.evalue or "").strip().splitlines()
        message = f"{shown}: cell {cell} failed: {error.ename}: {evalue[0] if evalue else ''}"
    except (CellTimeoutError, DeadKernelError) as error:
        message = f"{shown}: {type(error).__name__}: {str(error).splitlines()[0]}"
    else:
        duration = round(time.monotonic() - started, 2)
        nbformat.write(notebook, path)
        record.update(status="ok", duration_s=duration, last_success=now, cache_hit=False, error=None,
                      inputs=freshness.inputs_of_run(notebook, opened, path, project))
        return name, record, {"key": key}, None
    record.update(status="failed", duration_s=round(time.monotonic() - started, 2), cache_hit=False, error=message)
    return name, record, None, message


def find_notebooks(docs, paths):
    if paths:
        return [Path(path).resolve() for path in paths]
    return sorted(p.resolve() for p in docs.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def load_json(path, default):
    """A JSON file's data; `default` when it is missing, or when it is a cache entry that a killed
    run left unreadable (the run then starts from scratch rather than failing)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except ValueError:
        if path.parent.name == ".cache":
            return default
        raise


def write_json(path, data):
    """Write only a change, through a temporary file, so a reader never sees half of it."""
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
