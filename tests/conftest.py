"""Shared fixtures: the real site built once, served on 127.0.0.1, driven in real Chromium."""

import functools
import os
import shutil
import socket
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "overrides" / "hooks")]

from ensure_browser import find_browser  # noqa: E402

COPY_IGNORE = shutil.ignore_patterns(".venv", "site", ".git", ".cache", ".pytest_cache", "__pycache__")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]


# `make serve` turns git dates and feeds off (see the Makefile).
SERVE_ENV = {"DIARY_HISTORY": "false"}


def mkdocs_env(**extra):
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", **extra}


def run_mkdocs(*args, cwd=ROOT, timeout=300, env=None):
    """Run the real mkdocs CLI; return the completed process (output merged)."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        env=mkdocs_env(**(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Where the built site is served in tests: under the same path as on GitHub Pages.
# Material's instant navigation only takes over links whose full URL (port
# included) is in the sitemap, so the test build uses this address as site_url.
SITE_PATH = "/ai_research/"


@pytest.fixture(scope="session")
def site_port():
    return free_port()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, site_port):
    """The project's site, built strictly into a temporary directory."""
    site = tmp_path_factory.mktemp("built") / "site"
    site_url = f"http://127.0.0.1:{site_port}{SITE_PATH}"
    result = run_mkdocs("build", "--strict", "--site-dir", str(site), env={"SITE_URL": site_url})
    assert result.returncode == 0, result.stdout
    return site


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Diary Tests",
    "GIT_AUTHOR_EMAIL": "tests@localhost",
    "GIT_COMMITTER_NAME": "Diary Tests",
    "GIT_COMMITTER_EMAIL": "tests@localhost",
}


def git(project, *args):
    """Run git in `project` as the tests' author; return its output."""
    result = subprocess.run(
        ["git", *args], cwd=project, env={**os.environ, **GIT_IDENTITY}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def copy_project(copy):
    """A clone-like copy of the project at `copy`, its own git repository, without caches or builds."""
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    git(copy, "init", "--quiet", "--initial-branch", "main")
    git(copy, "add", "-A")
    git(copy, "commit", "--quiet", "-m", "diary")
    return copy


@pytest.fixture
def project_copy(tmp_path):
    """A throw-away copy of the project to break or edit."""
    return copy_project(tmp_path / "project")


class _SubPathHandler(SimpleHTTPRequestHandler):
    """Static files under SITE_PATH, as GitHub Pages serves a project site; 404 elsewhere."""

    def translate_path(self, path):
        if not path.startswith(SITE_PATH):
            return "/nonexistent"
        return super().translate_path("/" + path[len(SITE_PATH):])

    def send_error(self, code, message=None, explain=None):
        """Answer a missing path with the site's own 404 page, as GitHub Pages does."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site, site_port):
    """Base URL of the built site served by a static file server on 127.0.0.1."""
    handler = functools.partial(_SubPathHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{site_port}{SITE_PATH}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Real Chromium through Playwright. In CI a missing browser fails the run."""
    from playwright.sync_api import Error, sync_playwright

    executable = find_browser()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(executable) if executable else None, args=CHROMIUM_ARGS
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
