"""Every bad input in tests/bad-inputs/ fails the strict build with its one-line message and no traceback."""

import shutil
from pathlib import Path

import pytest

from conftest import run_mkdocs

CASES = sorted(path for path in (Path(__file__).parent / "bad-inputs").iterdir() if path.is_dir())


@pytest.mark.build
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_fails_with_a_clear_message(project_copy, case):
    shutil.copytree(case / "docs", project_copy / "docs", dirs_exist_ok=True)
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    expected = (case / "expected.txt").read_text(encoding="utf-8").strip()
    assert result.returncode != 0
    assert expected in result.stdout, result.stdout
    assert "Traceback" not in result.stdout


@pytest.mark.unit
def test_every_kind_of_bad_input_named_in_the_brief_has_a_case():
    assert {case.name for case in CASES} >= {
        "notebook-not-json", "notebook-not-a-notebook", "notebook-not-utf8", "front-matter-not-yaml",
        "front-matter-bad-date", "unknown-citation", "bib-does-not-parse", "missing-image",
        "missing-page", "missing-anchor", "same-url", "notebook-empty", "front-matter-off-calendar",
        "front-matter-draft-maybe", "front-matter-tags-string", "notebook-summary-list", "notes-unknown-category",
        "notebook-diary-not-mapping", "notebook-allow-personal-data-word",
    }
