"""Strict mode: broken links and anchors fail the build and name the file."""

import pytest

from conftest import run_mkdocs

pytestmark = pytest.mark.build


def build_with(project, page, extra):
    path = project / "docs" / page
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + extra + "\n", encoding="utf-8")
    return run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project)


def test_link_to_a_missing_page_fails_and_names_the_file(project_copy):
    result = build_with(project_copy, "about.md", "See [the lost page](no-such-page.md).")
    assert result.returncode != 0
    assert "about.md" in result.stdout and "no-such-page.md" in result.stdout
    assert "Aborted" in result.stdout


def test_link_to_a_missing_anchor_fails_and_names_the_file(project_copy):
    result = build_with(
        project_copy, "essays/index.md", "See [a missing section](../about.md#no-such-heading)."
    )
    assert result.returncode != 0
    assert "essays/index.md" in result.stdout and "no-such-heading" in result.stdout


def test_page_left_out_of_the_navigation_fails(project_copy):
    (project_copy / "docs" / "stray.md").write_text("# Stray\n\nNot in the navigation.\n")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode != 0
    assert "stray.md" in result.stdout


def test_snippet_with_a_missing_file_fails(project_copy):
    result = build_with(project_copy, "about.md", '--8<-- "no-such-snippet.md"')
    assert result.returncode != 0
    assert "no-such-snippet.md" in result.stdout
