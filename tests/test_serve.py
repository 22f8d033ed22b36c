"""`mkdocs serve` answers on 127.0.0.1, shows an edit after a save, and stops cleanly."""

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from conftest import free_port, mkdocs_env


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, ""


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_serve_reloads_an_edited_page_and_stops_cleanly(project_copy):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project_copy,
        env=mkdocs_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # `mkdocs serve` mounts the site under the path of site_url.
    about = f"http://127.0.0.1:{port}/ai_research/about/"
    try:
        assert wait_for(lambda: fetch(about)[0] == 200, 120), "the server never answered"
        status, html = fetch(about)
        assert "About and practicalities" in html
        marker = f"Edited while serving {time.time_ns()}"
        page = project_copy / "docs" / "about.md"
        page.write_text(page.read_text() + f"\n\n{marker}\n")
        assert wait_for(lambda: marker in fetch(about)[1], 60), "the edit never showed"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise AssertionError("mkdocs serve did not stop within 30 s of Ctrl-C")
    assert server.returncode in (0, -signal.SIGINT), output
    assert "Traceback" not in output
