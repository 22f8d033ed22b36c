"""`mkdocs gh-deploy` publishes into a real (local, bare) git repository."""

import subprocess

from conftest import mkdocs_env, run_mkdocs

IDENTITY = {
    "GIT_AUTHOR_NAME": "Diary Tests",
    "GIT_AUTHOR_EMAIL": "tests@localhost",
    "GIT_COMMITTER_NAME": "Diary Tests",
    "GIT_COMMITTER_EMAIL": "tests@localhost",
}


def git(*args, cwd):
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=mkdocs_env(**IDENTITY), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def deploy(project):
    result = run_mkdocs("gh-deploy", "--remote-name", "origin", cwd=project, env=IDENTITY)
    assert result.returncode == 0, result.stdout


def test_gh_deploy_publishes_the_site_and_a_redeploy_carries_an_edit(project_copy, tmp_path):
    remote = tmp_path / "remote.git"
    git("init", "--bare", "--quiet", str(remote), cwd=tmp_path)
    git("init", "--quiet", "--initial-branch", "main", cwd=project_copy)
    git("add", "-A", cwd=project_copy)
    git("commit", "--quiet", "-m", "diary", cwd=project_copy)
    git("remote", "add", "origin", remote.as_uri(), cwd=project_copy)

    deploy(project_copy)
    published = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()
    for name in ("index.html", ".nojekyll", "sitemap.xml", "search/search_index.json", "404.html"):
        assert name in published
    assert git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "1"

    page = project_copy / "docs" / "about.md"
    page.write_text(page.read_text() + "\n\nA line added before the second deploy.\n")
    git("commit", "--quiet", "-am", "edit", cwd=project_copy)
    deploy(project_copy)
    assert git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "2"
    about = git("show", "gh-pages:about/index.html", cwd=remote)
    assert "A line added before the second deploy." in about
