"""`scripts/run_notebooks.py`: real kernels, a cache that notices what matters, a report, clear failures."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "run_notebooks.py"

pytestmark = pytest.mark.build  # real kernels


def notebook(path, *cells):
    """Write a notebook whose cells are ("md", text) or ("code", text)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        for kind, text in cells
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def run(project, *args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--docs", str(project / "docs"), *args],
        capture_output=True, text=True, timeout=300,
    )


def report(project):
    return json.loads((project / "docs" / "execution-report.json").read_text())["notebooks"]


def statuses(result):
    """{notebook: 'ok' | 'cached' | 'failed'} from the per-notebook lines the script prints."""
    lines = [line.split() for line in (result.stdout + result.stderr).splitlines()]
    return {words[1]: words[0] for words in lines if len(words) >= 2 and words[0] in ("ok", "cached", "failed")}


@pytest.fixture
def project(tmp_path):
    docs = tmp_path / "docs"
    (docs / "topic").mkdir(parents=True)
    (docs / "topic" / "helpers.py").write_text("def double(x):\n    return 2 * x\n")
    (docs / "topic" / "numbers.txt").write_text("1 2 3\n")
    notebook(docs / "topic" / "uses-files.ipynb",
             ("md", "# Uses files"),
             ("code", "from helpers import double\nprint(double(21))"),
             ("code", "print(sum(map(int, open('numbers.txt').read().split())))"))
    notebook(docs / "topic" / "plain.ipynb", ("md", "# Plain\n\nFirst words."), ("code", "print('plain')"))
    return tmp_path


def test_help_describes_the_tool():
    result = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "--force" in result.stdout and "execution report" in result.stdout


def test_first_run_executes_everything_and_writes_outputs_and_report(project):
    result = run(project)
    assert result.returncode == 0, result.stderr
    assert statuses(result) == {"docs/topic/uses-files.ipynb": "ok", "docs/topic/plain.ipynb": "ok"}
    executed = nbformat.read(project / "docs/topic/uses-files.ipynb", 4)
    assert executed.cells[1].outputs[0]["text"] == "42\n"
    assert executed.cells[2].outputs[0]["text"] == "6\n"
    record = report(project)["topic/uses-files.ipynb"]
    assert record["status"] == "ok" and record["cache_hit"] is False
    assert record["last_success"] and record["duration_s"] > 0
    assert record["python"].count(".") == 2 and "nbclient" in record["packages"]


def test_cache_skips_unchanged_and_reruns_on_what_matters(project):
    assert run(project).returncode == 0
    second = run(project)
    assert statuses(second) == {"docs/topic/uses-files.ipynb": "cached", "docs/topic/plain.ipynb": "cached"}
    assert report(project)["topic/plain.ipynb"]["cache_hit"] is True

    # Only Markdown changed: still cached.
    plain = project / "docs/topic/plain.ipynb"
    nb = nbformat.read(plain, 4)
    nb.cells[0].source = "# Plain\n\nOther words entirely."
    nbformat.write(nb, plain)
    assert statuses(run(project))["docs/topic/plain.ipynb"] == "cached"

    # A code cell changed: re-run.
    nb.cells[1].source = "print('plainer')"
    nbformat.write(nb, plain)
    third = statuses(run(project))
    assert third == {"docs/topic/uses-files.ipynb": "cached", "docs/topic/plain.ipynb": "ok"}

    # The local module it imports changed: --check says so and fails; a run brings the new result.
    assert run(project, "--check").returncode == 0
    assert report(project)["topic/uses-files.ipynb"]["inputs"]["files"].keys() == {
        "docs/topic/helpers.py", "docs/topic/numbers.txt"}
    (project / "docs/topic/helpers.py").write_text("def double(x):\n    return x + x + 1\n")
    checked = run(project, "--check")
    assert checked.returncode == 1
    assert ("docs/topic/uses-files.ipynb: outputs older than their inputs: docs/topic/helpers.py changed"
            in checked.stderr)
    assert statuses(run(project))["docs/topic/uses-files.ipynb"] == "ok"
    assert run(project, "--check").returncode == 0
    assert nbformat.read(project / "docs/topic/uses-files.ipynb", 4).cells[1].outputs[0]["text"] == "43\n"

    # The data file it reads changed: re-run.
    (project / "docs/topic/numbers.txt").write_text("10 20\n")
    assert statuses(run(project))["docs/topic/uses-files.ipynb"] == "ok"
    assert statuses(run(project))["docs/topic/uses-files.ipynb"] == "cached"

    # --force runs everything.
    forced = statuses(run(project, "--force"))
    assert set(forced.values()) == {"ok"}


def test_a_failing_cell_exits_non_zero_naming_notebook_and_cell(project):
    assert run(project).returncode == 0
    broken = project / "docs/topic/broken.ipynb"
    notebook(broken, ("md", "# Broken"), ("code", "x = 1"), ("code", "x / 0"))
    before = broken.read_text()
    result = run(project)
    assert result.returncode == 1
    assert "docs/topic/broken.ipynb: cell 3 failed: ZeroDivisionError: division by zero" in result.stderr
    assert "Traceback" not in result.stderr
    record = report(project)["topic/broken.ipynb"]
    assert record["status"] == "failed" and "cell 3" in record["error"]
    assert broken.read_text() == before  # a failed run never overwrites the notebook
    # The others are unaffected and stay cached.
    assert statuses(result)["docs/topic/plain.ipynb"] == "cached"


def test_a_notebook_that_is_not_json_is_reported_not_crashed_on(project):
    (project / "docs/topic/garbled.ipynb").write_text("{ not json")
    result = run(project)
    assert result.returncode == 1
    assert "docs/topic/garbled.ipynb: not valid JSON at line 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_notebook_run_elsewhere_is_skipped_with_its_reason_and_keeps_its_outputs(project):
    path = project / "docs" / "topic" / "needs-a-gpu.ipynb"
    notebook(path, ("md", "# Needs a GPU"), ("code", "raise SystemExit('no GPU here')"))
    nb = nbformat.read(path, 4)
    nb.metadata["diary"] = {"not_run_here": "trains for six hours on an A100"}
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="loss 0.12\n")]
    nbformat.write(nb, path)
    result = run(project, str(path))
    assert result.returncode == 0, result.stderr
    assert "skipped  docs/topic/needs-a-gpu.ipynb (not run here: trains for six hours on an A100)" in result.stdout + result.stderr
    assert report(project)["topic/needs-a-gpu.ipynb"] == {"status": "elsewhere", "reason": "trains for six hours on an A100"}
    assert nbformat.read(path, 4).cells[1].outputs[0].text == "loss 0.12\n"
