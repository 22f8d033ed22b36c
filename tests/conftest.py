"""Shared fixtures: copies of the real project, built with the real mkdocs, served on 127.0.0.1,
driven in real Chromium.

Every test carries one marker for what it needs: `unit` (nothing but Python),
`build` (the mkdocs CLI on a copy of the project, or git, serve, deploy) or
`browser` (a built site in Chromium); a test without one fails.

Builds share work the way an author's machine does: one cold build of the
project fills a cache (.cache/diary) that each project copy starts from, so a
test pays only for what it changes. Tests of the cache itself start from none.
With pytest-xdist the workers share that cache and the reference site through
a lock.
"""

import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from filelock import FileLock

import mkdocs_process
import site_server
from diary import chromium
from diary.bench.measure import answers_ctrl_c  # noqa: F401  (the servers the tests stop with Ctrl-C)

ROOT = Path(__file__).resolve().parent.parent
COPY_IGNORE = shutil.ignore_patterns(".venv", "site", ".git", ".cache", ".pytest_cache", "__pycache__", "*.egg-info")
TIERS = ("unit", "build", "browser")
BROWSER_FIXTURES = {"browser", "tab", "site_url"}
BUILD_FIXTURES = {"built_site", "served_site", "project_copy", "warm_cache", "reference_site", "pristine_copy"}

# `make serve` turns git dates and feeds off (see the Makefile).
SERVE_ENV = {"DIARY_HISTORY": "false"}
# Builds compared byte for byte share a build time: the feeds and the sitemap carry it.
SAME_TIME = {"SOURCE_DATE_EPOCH": "1764547200"}
# The processes the tests' `mkdocs` runs are forked from (see tests/mkdocs_process.py).
_FORKED = multiprocessing.get_context("forkserver")
_FORKED.set_forkserver_preload(mkdocs_process.PRELOAD)

# Where the built site is served in tests: under the same path as on GitHub Pages.
# Material's instant navigation only takes over links whose full URL (port
# included) is in the sitemap, so the test build uses this address as site_url.
SITE_PATH = site_server.SITE_PATH


# The longest tests go first, so no worker is left with one of them at the end.
LONGEST = ("test_search.py", "test_accessibility.py", "test_speed.py", "test_incremental.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: LONGEST.index(item.path.name) if item.path.name in LONGEST else len(LONGEST))


def pytest_runtest_setup(item):
    """Each test says what it needs, and only browser tests get a browser, only build tests a build."""
    tiers = [tier for tier in TIERS if item.get_closest_marker(tier)]
    fixtures = set(item.fixturenames)
    if len(tiers) != 1:
        pytest.fail(f"marked {tiers or 'with none'} of {TIERS}: give it exactly one", pytrace=False)
    if fixtures & BROWSER_FIXTURES and tiers != ["browser"]:
        pytest.fail(f"uses a browser but is marked {tiers[0]}", pytrace=False)
    if fixtures & BUILD_FIXTURES and tiers == ["unit"]:
        pytest.fail("builds the site but is marked unit", pytrace=False)


def mkdocs_env(**extra):
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", **extra}


def run_mkdocs(*args, cwd=ROOT, timeout=300, env=None, engine="mkdocs"):
    """Run the real mkdocs (or properdocs) CLI; return the completed process (output merged).
    mkdocs runs in a process of its own forked from one that has imported it already
    (tests/mkdocs_process.py); properdocs, or a run whose PYTHONPATH differs (it is read as an
    interpreter starts), in a fresh interpreter."""
    if engine != "mkdocs" or "PYTHONPATH" in (env or {}):
        return subprocess.run([sys.executable, "-m", engine, *args], cwd=cwd, env=mkdocs_env(**(env or {})),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    with tempfile.TemporaryDirectory() as scratch:
        output = os.path.join(scratch, "output")
        process = _FORKED.Process(target=mkdocs_process.run,
                                  args=(list(args), str(cwd), mkdocs_env(**(env or {})), output))
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(["mkdocs", *args], timeout)
        with open(output, encoding="utf-8", errors="replace") as handle:
            return subprocess.CompletedProcess(["mkdocs", *args], process.exitcode, handle.read())


def build(project, site, *args, env=None):
    """A strict build of `project` into `site`, which must succeed; returns its output."""
    result = run_mkdocs("build", "--strict", "--site-dir", str(site), *args, cwd=project, env=env)
    assert result.returncode == 0, result.stdout
    return result.stdout


def site_files(site):
    """{path: bytes} of every file in a built site."""
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def assert_same_site(site, expected):
    """Every file of `site` is byte for byte the one in `expected`, and no file is missing or extra."""
    got, want = site_files(site), site_files(expected)
    assert sorted(got) == sorted(want)
    differing = [path for path in want if got[path] != want[path]]
    assert differing == [], f"{len(differing)} files differ, first {differing[:10]}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Diary Tests",
    "GIT_AUTHOR_EMAIL": "tests@localhost",
    "GIT_COMMITTER_NAME": "Diary Tests",
    "GIT_COMMITTER_EMAIL": "tests@localhost",
}


def wait_until(predicate, seconds):
    """Whether `predicate()` came true within `seconds`, asked four times a second."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def git(project, *args):
    """Run git in `project` as the tests' author; return its output."""
    result = subprocess.run(
        ["git", *args], cwd=project, env={**os.environ, **GIT_IDENTITY}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# The copies' commits all have one date, so copies built apart show the same git dates.
COMMIT_DATE = "2026-11-30T12:00:00+00:00"


def commit_all(project, message):
    git(project, "add", "-A")
    subprocess.run(["git", "commit", "--quiet", "-m", message], cwd=project, check=True,
                   env={**os.environ, **GIT_IDENTITY, "GIT_AUTHOR_DATE": COMMIT_DATE, "GIT_COMMITTER_DATE": COMMIT_DATE})


def copy_project(copy, cache=None):
    """A clone-like copy of the project at `copy`, its own git repository, without builds;
    with the diary's cache copied from `cache` if given, else with none."""
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    git(copy, "init", "--quiet", "--initial-branch", "main")
    commit_all(copy, "diary")
    if cache is not None:
        shutil.copytree(cache, copy / ".cache" / "diary")
    return copy


def _shared(tmp_path_factory, worker_id, name, make):
    """A directory made once for all xdist workers of this run: `make(path)` fills it."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # the run's own folder, above each worker's
    path = root / name
    with FileLock(str(root / f"{name}.lock")):
        if not (path / ".done").exists():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir()
            make(path)
            (path / ".done").touch()
    return path


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory, worker_id):
    """The diary's cache after one build of the project as it is committed."""
    def make(path):
        project = copy_project(path / "project")
        build(project, path / "site")
        shutil.copytree(project / ".cache" / "diary", path / "cache")

    return _shared(tmp_path_factory, worker_id, "warm-cache", make) / "cache"


@pytest.fixture(scope="session")
def reference_site(tmp_path_factory, worker_id):
    """The project built with no cache at all (DIARY_CACHE=off): what every cached build must equal."""
    def make(path):
        project = copy_project(path / "project")
        build(project, path / "site", env={"DIARY_CACHE": "off", **SAME_TIME})

    return _shared(tmp_path_factory, worker_id, "reference-site", make) / "site"


@pytest.fixture
def project_copy(tmp_path, warm_cache):
    """A throw-away copy of the project to break or edit, starting from the warm cache."""
    return copy_project(tmp_path / "project", cache=warm_cache)


@pytest.fixture
def pristine_copy(tmp_path):
    """A copy of the project with no cache at all, for the tests of the cache."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def served_site(tmp_path_factory, worker_id, warm_cache):
    """(site, port): the project built once for the whole run for being served at SITE_PATH on
    127.0.0.1:port, where one server process (tests/site_server.py) serves it to every worker."""
    def make(path):
        port = free_port()
        project = copy_project(path / "project", cache=warm_cache)
        build(project, path / "site", env={"SITE_URL": f"http://127.0.0.1:{port}{SITE_PATH}"})
        run = os.getpid() if worker_id == "master" else os.getppid()  # the server lives as long as the run
        server = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("site_server.py")), str(path / "site"), str(port), str(run)],
            stdout=subprocess.PIPE, text=True,
        )
        assert server.stdout.readline().strip() == "serving"
        (path / "port").write_text(str(port))

    path = _shared(tmp_path_factory, worker_id, "served-site", make)
    return path / "site", int((path / "port").read_text())


@pytest.fixture(scope="session")
def built_site(served_site):
    """The project's site, built strictly (for being served at SITE_PATH)."""
    return served_site[0]


@pytest.fixture(scope="session")
def site_port(served_site):
    return served_site[1]


@pytest.fixture(scope="session")
def site_url(served_site):
    """Base URL of the built site, served on 127.0.0.1 as GitHub Pages serves a project site."""
    return f"http://127.0.0.1:{served_site[1]}{SITE_PATH}"


@pytest.fixture(scope="session")
def browser():
    """Real Chromium through Playwright. In CI a missing browser fails the run."""
    from playwright.sync_api import Error, sync_playwright

    executable = chromium.find()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(executable) if executable else None, args=chromium.ARGS
            )
        except Error as error:
            if os.environ.get("CI"):
                pytest.fail(f"Chromium is required in CI and could not start: {error}")
            pytest.skip(f"no Chromium could start (run `make browser`): {error}")
        yield browser
        browser.close()


class PageRecorder:
    """A browser tab that remembers its requests and console errors."""

    def __init__(self, page):
        self.page = page
        self.requests = []
        self.console_errors = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def foreign_requests(self):
        return [
            url
            for url in self.requests
            if not url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:"))
        ]


@pytest.fixture
def tab(browser):
    context = browser.new_context(color_scheme="light", viewport={"width": 1280, "height": 900})
    recorder = PageRecorder(context.new_page())
    yield recorder
    context.close()
