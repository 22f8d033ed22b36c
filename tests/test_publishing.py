"""Publishing safety: drafts and private notes stay out, secrets stop the build, notebooks lose machine metadata."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import GIT_IDENTITY, ROOT, answers_ctrl_c, free_port, mkdocs_env, run_mkdocs
from diary.freshness import inputs_of_run

pytestmark = pytest.mark.build

QUIRKS = Path(__file__).parent / "notebook-quirks"
# Fake credentials in the shapes real ones have; none of them is valid anywhere.
FAKE_AWS = "AKIA" + "QX7ZK2M4PL9WN3RT"
FAKE_HF = "hf_" + "kQ3xZ9vLmN2pR7tY5wB8cD1fG4hJ6sA0eU"
FAKE_OPENAI = "sk-proj-" + "Zx8Qw2Er5Ty7Ui9Op1As3Df6Gh4Jk0LmNbVcXz2Qa7Ws"


def write_draft_material(docs):
    (docs / "essays" / "half-finished.md").write_text(
        "---\ndescription: Not ready\ndraft: true\n---\n\n# Half-finished thoughts on grokking\n\n"
        "Zanzibarite ideas [@nanda2023progress].\n\n![sketch](grokking-sketch.svg)\n"
    )
    (docs / "essays" / "grokking-sketch.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>sketch</title></svg>'
    )
    (docs / "private").mkdir()
    (docs / "private" / "reviewer-notes.md").write_text("# Reviewer notes\n\nQuuxotic remarks.\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata["diary"] = {"summary": "Unfinished.", "date": "2026-11-01", "tags": ["wip"], "draft": True}
    nb.cells = [nbformat.v4.new_markdown_cell("# Draft notebook on sparse probing\n\nFlibbertigibbet.")]
    nbformat.write(nb, docs / "embeddings" / "sparse-probing.ipynb")


def test_drafts_and_private_notes_are_not_built(project_copy):
    write_draft_material(project_copy / "docs")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    out = project_copy / "out"
    for missing in ("essays/half-finished", "private/reviewer-notes", "embeddings/sparse-probing"):
        assert not (out / missing).exists(), missing
    assert not (out / "essays" / "grokking-sketch.svg").exists()
    assert not list(out.rglob("sparse-probing.ipynb"))
    everything = "".join(p.read_text(errors="ignore") for p in out.rglob("*") if p.suffix in (".html", ".json", ".xml"))
    for word in ("Zanzibarite", "Quuxotic", "Flibbertigibbet", "half-finished", "reviewer-notes", "sparse-probing"):
        assert word not in everything, word
    nanda = (out / "reading/index.html").read_text()
    cited_on = nanda.split('id="bib-nanda2023progress"')[1].split("</div>")[0]
    assert "Half-finished" not in cited_on


def test_drafts_are_shown_by_serve_with_a_banner(project_copy):
    write_draft_material(project_copy / "docs")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project_copy, env=mkdocs_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=answers_ctrl_c,
    )
    try:
        pages = {}
        deadline = time.monotonic() + 120
        for path in ("essays/half-finished/", "private/reviewer-notes/"):
            while time.monotonic() < deadline and path not in pages:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ai_research/{path}", timeout=5) as r:
                        pages[path] = r.read().decode()
                except OSError:
                    time.sleep(0.5)
        assert "Zanzibarite" in pages["essays/half-finished/"]
        assert "Quuxotic" in pages["private/reviewer-notes/"]
        for html in pages.values():
            assert "draft-banner" in html and "left out of the built and deployed site" in html
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_secrets_fail_the_build_naming_file_and_place_without_printing_them(project_copy):
    docs = project_copy / "docs"
    (docs / "langchain" / "setup-notes.md").write_text(
        f"---\ndescription: How I set up the client\n---\n\n# Setup notes\n\nFirst try:\n\n"
        f"```python\nclient = Client(api_key=\"{FAKE_OPENAI}\")\n```\n\naws_access_key_id = {FAKE_AWS}\n"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Calling a hosted model"),
                nbformat.v4.new_code_cell("import os\nprint(os.environ['HF_TOKEN'])",
                                          outputs=[nbformat.v4.new_output("stream", text=f"{FAKE_HF}\n")])]
    nbformat.write(nb, docs / "langchain" / "hosted-model.ipynb")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode != 0
    out = result.stdout
    assert "docs/langchain/setup-notes.md: line 10: possible secret (OpenAI API Key)" in out
    assert "docs/langchain/setup-notes.md: line 13: possible secret (AWS Access Key)" in out
    assert "docs/langchain/hosted-model.ipynb: cell 2 output, line 1: possible secret (Hugging Face Token)" in out
    for secret in (FAKE_AWS, FAKE_HF, FAKE_OPENAI):
        assert secret not in out
    assert "Traceback" not in out


def test_false_positives_pass_with_an_inline_allow_or_a_reviewed_baseline(project_copy):
    docs = project_copy / "docs"
    (docs / "essays" / "example-key.md").write_text(
        f"---\ndescription: Shows what a key looks like\n---\n\n# What a key looks like\n\n"
        f"An AWS key has this shape: `{FAKE_AWS}` <!-- pragma: allowlist secret -->\n"
    )
    (docs / "essays" / "token-shape.md").write_text(
        f"---\ndescription: Shows what a token looks like\n---\n\n# What a token looks like\n\n`{FAKE_HF}`\n"
    )
    failing = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert "docs/essays/token-shape.md: line 7: possible secret" in failing.stdout
    assert "example-key.md: line" not in failing.stdout
    reviewed = subprocess.run(
        [sys.executable, "scripts/scan_secrets.py", "--update-baseline", "docs/essays/token-shape.md"],
        cwd=project_copy, capture_output=True, text=True,
    )
    assert reviewed.returncode == 0, reviewed.stderr
    assert FAKE_HF not in (project_copy / ".secrets.baseline").read_text()
    passing = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert passing.returncode == 0, passing.stdout


def test_the_published_notebook_leaves_out_machine_metadata(project_copy):
    nb = json.loads((QUIRKS / "jupyterlab-widgets.ipynb").read_text())
    nb["metadata"]["vscode"] = {"interpreter": {"hash": "31f2aee4e71d21fbe5cf8b01ff0e069b9275f58929596ceb00d14d90e3e16cd6"}}
    nb["metadata"]["author_machine"] = {"cwd": "/home/ashioya/research/ai_research", "host": "ashioya-laptop"}
    nb["cells"][1]["metadata"]["ExecuteTime"] = {"end_time": "2026-11-20T10:00:00"}
    (project_copy / "docs/embeddings/lab-export.ipynb").write_text(json.dumps(nb))
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    assert "left out of the published copy: metadata.author_machine, metadata.vscode, metadata.widgets" in result.stdout
    published = (project_copy / "out/embeddings/lab-export/lab-export.ipynb").read_text()
    for leak in ("/home/ashioya", "ashioya-laptop", "widget-state", "interpreter", "ExecuteTime"):
        assert leak not in published
    assert json.loads(published)["cells"][1]["metadata"] == {"tags": ["demo"]}
    page = (project_copy / "out/embeddings/lab-export/index.html").read_text()
    assert "widget-state" not in page and "jupyterlab-widgets says 42" in page


def test_a_notebook_output_loading_a_cdn_script_is_reported(project_copy):
    nb = nbformat.v4.new_notebook()
    chart = '<div id="chart"></div><script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script>'
    nb.cells = [nbformat.v4.new_markdown_cell("# An interactive chart"),
                nbformat.v4.new_code_cell("fig.show()", outputs=[
                    nbformat.v4.new_output("display_data", data={"text/html": chart})])]
    nbformat.write(nb, project_copy / "docs/embeddings/interactive-chart.ipynb")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode != 0
    assert ("docs/embeddings/interactive-chart.ipynb: loads https://cdn.plot.ly/plotly-2.35.2.min.js "
            "from a third-party host") in result.stdout


@pytest.fixture
def git_project(project_copy):
    os.symlink(ROOT / ".venv", project_copy / ".venv")  # the commit hooks run the project's tools
    return project_copy, mkdocs_env(**GIT_IDENTITY)


def test_pre_commit_strips_notebook_metadata_and_blocks_secrets(git_project):
    project, env = git_project
    shutil.copy(QUIRKS / "jupyterlab-widgets.ipynb", project / "docs/embeddings/lab.ipynb")
    (project / "docs/essays/leak.md").write_text(f"# Leak\n\ntoken = {FAKE_HF}\n")
    subprocess.run(["git", "add", "-A"], cwd=project, env=env, check=True)
    result = subprocess.run(
        [str(ROOT / ".venv/bin/pre-commit"), "run", "--files", "docs/embeddings/lab.ipynb", "docs/essays/leak.md"],
        cwd=project, env={**env, "PRE_COMMIT_HOME": str(project / ".pre-commit-home")},
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0
    assert "docs/essays/leak.md: line 3: possible secret (Hugging Face Token)" in result.stdout
    assert FAKE_HF not in result.stdout
    stripped = json.loads((project / "docs/embeddings/lab.ipynb").read_text())
    assert "widgets" not in stripped["metadata"]
    assert stripped["cells"][1]["outputs"], "outputs are kept"


def gh_pages_head(remote):
    result = subprocess.run(["git", "rev-parse", "--verify", "-q", "gh-pages"], cwd=remote, capture_output=True, text=True)
    return result.stdout.strip()


def deploy(project, env, *options):
    return subprocess.run([sys.executable, "scripts/deploy.py", "--skip-tests", *options], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)


def test_deploy_refuses_uncommitted_changes_and_failed_builds(git_project, tmp_path):
    project, env = git_project
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "remote", "add", "origin", remote.as_uri()], cwd=project, env=env, check=True)
    (project / ".gitignore").write_text((project / ".gitignore").read_text() + ".pre-commit-home/\n")
    subprocess.run(["git", "commit", "-qam", "ignore"], cwd=project, env=env, check=True)

    first = deploy(project, env)
    assert first.returncode == 0, first.stdout + first.stderr
    published = gh_pages_head(remote)
    assert published

    page = project / "docs/about.md"
    page.write_text(page.read_text() + "\nSee [the missing page](nowhere.md).\n")
    dirty = deploy(project, env)
    assert dirty.returncode != 0
    assert "refusing to deploy with uncommitted changes (docs/about.md)" in dirty.stderr
    assert gh_pages_head(remote) == published

    subprocess.run(["git", "commit", "-qam", "broken link"], cwd=project, env=env, check=True)
    broken = deploy(project, env)
    assert broken.returncode != 0
    assert "strict build failed; nothing was deployed" in broken.stderr
    assert "nowhere.md" in broken.stdout + broken.stderr
    assert gh_pages_head(remote) == published

    # Outputs older than their inputs: refused, unless the author says ALLOW_STALE (here --allow-stale).
    subprocess.run(["git", "revert", "--no-edit", "HEAD"], cwd=project, env=env, check=True)
    notebook = project / "docs/embeddings/reads-the-about-page.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Reads the about page"),
                nbformat.v4.new_code_cell("print(open('../about.md').read()[:20])")]
    nbformat.write(nb, notebook)
    report_path = project / "docs/execution-report.json"
    report = json.loads(report_path.read_text())
    report["notebooks"]["embeddings/reads-the-about-page.ipynb"] = {
        "status": "ok", "inputs": inputs_of_run(nb, [str(page)], notebook, project)}
    report_path.write_text(json.dumps(report, indent=2))
    page.write_text(page.read_text() + "\nA sentence the notebook never read.\n")
    subprocess.run(["git", "add", "-A"], cwd=project, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "stale"], cwd=project, env=env, check=True)
    stale = deploy(project, env)
    assert stale.returncode != 0
    assert ("docs/embeddings/reads-the-about-page.ipynb: outputs older than their inputs: docs/about.md changed"
            in stale.stderr)
    assert "refusing to publish outputs older than their inputs" in stale.stderr
    assert gh_pages_head(remote) == published
    allowed = deploy(project, env, "--allow-stale")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert gh_pages_head(remote) != published
    published = gh_pages_head(remote)

    # Personal data in outputs: a plain build reports it, make deploy refuses it until the notebook allows it.
    hub = json.loads((QUIRKS / "colab-huggingface-hub.ipynb").read_text())
    (project / "docs/embeddings/hub.ipynb").write_text(json.dumps(hub))
    subprocess.run(["git", "add", "-A"], cwd=project, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "hub"], cwd=project, env=env, check=True)
    personal = deploy(project, env, "--allow-stale")
    assert personal.returncode != 0
    assert ("docs/embeddings/hub.ipynb: cell 7 output, line 2: personal data (Google Drive path); make deploy does"
            " not publish it: clear the output, or allow it with \"allow_personal_data\": [\"Google Drive path\"]"
            " in the notebook's diary metadata") in personal.stderr
    assert "strict build failed; nothing was deployed" in personal.stderr
    assert "ashioya.jotham@mail.test" not in personal.stdout + personal.stderr
    assert gh_pages_head(remote) == published
    hub["metadata"]["diary"]["allow_personal_data"] = ["e-mail address", "account details", "Google Drive path"]
    (project / "docs/embeddings/hub.ipynb").write_text(json.dumps(hub))
    subprocess.run(["git", "commit", "-qam", "allow"], cwd=project, env=env, check=True)
    mine = deploy(project, env, "--allow-stale")
    assert mine.returncode == 0, mine.stdout + mine.stderr
    assert gh_pages_head(remote) != published
