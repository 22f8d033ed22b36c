"""`scripts/bench.py` and its parts: a synthetic diary both configurations build, a table that judges targets."""

import gzip
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from diary.bench.browser import SiteServer
from diary.bench.diary import make_diary
from diary.bench.measure import CONFIGS, edit_citation, edit_essay, edit_notebook, edit_summary, edit_tag, sizes, table
from diary.pages import model_markdown

SCRIPTS = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def diary(tmp_path_factory):
    return make_diary(tmp_path_factory.mktemp("bench") / "diary", essays=3, notebooks=2, notes=2)


def mkdocs_build(diary, name, site):
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site), *CONFIGS[name]],
        cwd=diary, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True, text=True, timeout=600,
    )


@pytest.mark.build
def test_the_synthetic_diary_is_a_committed_copy_of_the_project_grown_to_size(diary):
    assert len(list((diary / "docs" / "essays").glob("bench-essay-*.md"))) == 3
    assert len(list((diary / "docs").glob("*/bench-notebook-*.ipynb"))) == 2
    assert len(list((diary / "docs" / "notes" / "posts").glob("bench-note-*.md"))) == 2
    essay = (diary / "docs" / "essays" / "bench-essay-001.md").read_text()
    assert "[@" in essay and "$$" in essay and "```python" in essay
    status = subprocess.run(["git", "status", "--porcelain"], cwd=diary, capture_output=True, text=True)
    assert status.stdout == ""


@pytest.mark.build
def test_both_configurations_build_it_and_the_figures_come_out(diary, tmp_path):
    for name in CONFIGS:
        result = mkdocs_build(diary, name, tmp_path / name)
        assert result.returncode == 0, result.stdout + result.stderr
        figures = sizes(tmp_path / name)
        assert figures["essay page HTML (kB)"] > figures["essay page HTML gzip (kB)"] > 0
        assert figures["notebook page HTML (kB)"] >= figures["notebook page HTML without images (kB)"] > 0
    stock, project = sizes(tmp_path / "stock"), sizes(tmp_path / "project")
    # The point of the exercise: notebook pages no longer carry their stylesheet.
    assert project["notebook page HTML without images (kB)"] < 0.5 * stock["notebook page HTML without images (kB)"]


@pytest.mark.build
def test_edits_replace_their_marker_instead_of_piling_up(diary):
    essay = diary / "docs" / "essays" / "bench-essay-002.md"
    notebook = next((diary / "docs").glob("*/bench-notebook-*.ipynb"))
    for marker in ("first", "second"):
        edit_essay(essay, marker)
        edit_notebook(notebook, marker)
    for path in (essay, notebook):
        text = path.read_text()
        assert "Reload marker second" in text and "Reload marker first" not in text


@pytest.mark.build
def test_each_edit_changes_its_fact_of_the_page_model_every_time(diary):
    essay = diary / "docs" / "essays" / "bench-essay-003.md"
    models = [model_markdown(essay.read_text(), "essays/bench-essay-003.md")]
    for marker in ("first", "second", "third"):
        for edit in (edit_tag, edit_summary, edit_citation):
            edit(essay, marker)
        models.append(model_markdown(essay.read_text(), "essays/bench-essay-003.md"))
        assert "Reload marker " + marker in essay.read_text()
    for before, after in zip(models, models[1:]):
        assert before.tags != after.tags and before.summary != after.summary and before.citations != after.citations
        assert len(after.tags) == len(models[0].tags) + 1  # one reload tag, the last one
    assert essay.read_text().count("Reload marker") == 1


@pytest.mark.unit
def test_the_local_server_sends_gzip_with_a_cache_lifetime(tmp_path):
    (tmp_path / "index.html").write_text("<p>" + "diary " * 500 + "</p>")
    with SiteServer(tmp_path) as server:
        request = urllib.request.Request(server.url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert "max-age" in response.headers["Cache-Control"]
            assert gzip.decompress(response.read()).decode().count("diary") == 500


@pytest.mark.unit
def test_the_local_server_compresses_ahead_and_still_serves_a_file_changed_since(tmp_path):
    page = tmp_path / "index.html"
    page.write_text("<p>" + "first " * 500 + "</p>")
    with SiteServer(tmp_path) as server:
        assert gzip.decompress(next(iter(server.server.bodies.values()))).decode().count("first") == 500
        page.write_text("<p>" + "second " * 400 + "</p>")
        request = urllib.request.Request(server.url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert gzip.decompress(response.read()).decode().count("second") == 400


@pytest.mark.unit
def test_the_table_gives_each_figure_its_ratio_and_verdict():
    results = {
        "stock": {"cold build (s)": 10.0, "warm build (s)": 8.0, "Lighthouse seo, home (higher is better)": 90,
                  "Lighthouse performance, home (higher is better)": 90},
        "project": {"cold build (s)": 5.0, "warm build (s)": 8.0, "Lighthouse seo, home (higher is better)": 97,
                    "Lighthouse performance, home (higher is better)": 97},
    }
    rows = {line.split("|")[1].strip(): line for line in table(results).splitlines()[2:]}
    assert "0.50" in rows["cold build (s)"] and "0.5x met" in rows["cold build (s)"]
    assert rows["warm build (s)"].rstrip().endswith("|  |")
    assert "NOT met" in rows["Lighthouse seo, home (higher is better)"]  # accessibility, best practices, SEO: 100
    assert rows["Lighthouse performance, home (higher is better)"].rstrip().endswith("| met |")


@pytest.mark.unit
def test_help_describes_the_benchmark():
    result = subprocess.run([sys.executable, str(SCRIPTS / "bench.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "--essays" in result.stdout and "--no-lighthouse" in result.stdout


@pytest.mark.unit
def test_without_npm_it_stops_at_once_and_says_how_to_go_on(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPTS / "bench.py"), "--essays", "1"],
                            env={**os.environ, "PATH": str(tmp_path)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "npm" in result.stderr and "--no-lighthouse" in result.stderr
