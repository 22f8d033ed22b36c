"""A notebook's outputs are older than their inputs exactly when something its last run read has changed."""

from pathlib import Path

import nbformat
import pytest

from diary.freshness import changes, inputs_of_run, said, stale_notebooks

pytestmark = pytest.mark.unit


def a_notebook(code="print(open('data.txt').read())"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Reads a file"), nbformat.v4.new_code_cell(code)]
    return nb


@pytest.fixture
def project(tmp_path):
    (tmp_path / "docs/topic").mkdir(parents=True)
    (tmp_path / "docs/topic/data.txt").write_text("1 2 3\n")
    (tmp_path / "docs/essays").mkdir()
    (tmp_path / "docs/essays/index.md").write_text("# Essays\n")
    (tmp_path / ".venv/lib").mkdir(parents=True)
    (tmp_path / ".venv/lib/numpy.py").write_text("")
    return tmp_path


def record_of_a_run(project, nb):
    opened = [str(project / "docs/topic/data.txt"), str(project / "docs/essays/index.md"),
              str(project / ".venv/lib/numpy.py"), str(project / "docs/topic/reads.ipynb"), "/usr/lib/python3/os.py"]
    return {"status": "ok", "inputs": inputs_of_run(nb, opened, project / "docs/topic/reads.ipynb", project)}


def test_a_run_records_the_project_files_it_read_and_nothing_else(project):
    record = record_of_a_run(project, a_notebook())
    assert sorted(record["inputs"]["files"]) == ["docs/essays/index.md", "docs/topic/data.txt"]


def test_unchanged_inputs_are_fresh_and_a_markdown_edit_is_not_an_input(project):
    nb = a_notebook()
    record = record_of_a_run(project, nb)
    nb.cells[0].source = "# Reads a file, and says so"
    assert changes(record, nb, project) == []


def test_each_changed_input_is_named(project):
    nb = a_notebook()
    record = record_of_a_run(project, nb)
    (project / "docs/essays/index.md").write_text("# Essays\n\nOne more.\n")
    (project / "docs/topic/data.txt").unlink()
    nb.cells[1].source += "\nprint('more')"
    assert changes(record, nb, project) == ["its code cells changed", "docs/essays/index.md changed",
                                            "docs/topic/data.txt is gone"]


def test_a_notebook_with_no_recorded_inputs_is_not_called_stale(project):
    assert changes({}, a_notebook(), project) == []
    assert changes({"status": "ok", "last_success": "2026-11-01"}, a_notebook(), project) == []


def test_the_scripts_check_reads_the_report_and_the_notebooks_on_disk(project):
    nb = a_notebook()
    nbformat.write(nb, project / "docs/topic/reads.ipynb")
    report = {"topic/reads.ipynb": record_of_a_run(project, nb), "topic/gone.ipynb": {"inputs": {"code": "x"}}}
    assert stale_notebooks(project / "docs", report) == {}
    (project / "docs/topic/data.txt").write_text("4 5 6\n")
    stale = stale_notebooks(project / "docs", report)
    assert stale == {"topic/reads.ipynb": ["docs/topic/data.txt changed"]}
    assert said("topic/reads.ipynb", stale["topic/reads.ipynb"]) == (
        "docs/topic/reads.ipynb: outputs older than their inputs: docs/topic/data.txt changed")


def test_the_reports_own_digests_are_not_secrets_but_a_leak_in_it_is(project):
    import json

    from diary.secrets import scan

    nb = a_notebook()
    record = record_of_a_run(project, nb)
    record["error"] = "docs/topic/reads.ipynb: cell 2 failed: KeyError: hf_" + "kQ3xZ9vLmN2pR7tY5wB8cD1fG4hJ6sA0eU"
    report = project / "docs/execution-report.json"
    report.write_text(json.dumps({"notebooks": {"topic/reads.ipynb": record}}, indent=2))
    findings = [str(finding) for finding in scan([report], project)]
    assert findings == ["docs/execution-report.json: line 12: possible secret (Hugging Face Token)"]
