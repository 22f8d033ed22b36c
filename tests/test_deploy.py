"""`mkdocs gh-deploy` publishes into a real (local, bare) git repository."""

import pytest

from conftest import GIT_IDENTITY, git, run_mkdocs

pytestmark = pytest.mark.build


def deploy(project):
    result = run_mkdocs("gh-deploy", "--remote-name", "origin", cwd=project, env=GIT_IDENTITY)
    assert result.returncode == 0, result.stdout


def test_gh_deploy_publishes_the_site_and_a_redeploy_carries_an_edit(project_copy, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "--quiet", str(remote))
    git(project_copy, "remote", "add", "origin", remote.as_uri())

    deploy(project_copy)
    published = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split()
    for name in ("index.html", ".nojekyll", "sitemap.xml", "search/search_index.json", "404.html"):
        assert name in published
    assert git(remote, "rev-list", "--count", "gh-pages").strip() == "1"

    page = project_copy / "docs" / "about.md"
    page.write_text(page.read_text() + "\n\nA line added before the second deploy.\n")
    git(project_copy, "commit", "--quiet", "-am", "edit")
    deploy(project_copy)
    assert git(remote, "rev-list", "--count", "gh-pages").strip() == "2"
    about = git(remote, "show", "gh-pages:about/index.html")
    assert "A line added before the second deploy." in about
