"""`mkdocs serve` answers on 127.0.0.1, shows an edit after a save, and stops cleanly.

Like `make serve`, the server rebuilds only what a save changes (--dirty, with
overrides/hooks/incremental.py) and keeps caches between saves, so the second
test checks that a page added while serving reaches everything that shows it:
other pages' navigation, the search index, the folder listing, "cited on" in
the reading list and the tags page.
"""

import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import SERVE_ENV, answers_ctrl_c, free_port, mkdocs_env, wait_until
from diary.search import read_entries

pytestmark = pytest.mark.build


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, ""


def start_server(project, port):
    """`mkdocs serve` as `make serve` runs it: rebuilding only what a save changes."""
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env=mkdocs_env(**SERVE_ENV),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=answers_ctrl_c,
    )


def stop_server(server):
    server.send_signal(signal.SIGINT)
    try:
        output, _ = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        raise AssertionError("mkdocs serve did not stop within 30 s of Ctrl-C")
    return output


def test_serve_reloads_an_edited_page_and_stops_cleanly(project_copy):
    port = free_port()
    server = start_server(project_copy, port)
    # `mkdocs serve` mounts the site under the path of site_url.
    about = f"http://127.0.0.1:{port}/ai_research/about/"
    try:
        assert wait_until(lambda: fetch(about)[0] == 200, 120), "the server never answered"
        status, html = fetch(about)
        assert "About and practicalities" in html
        marker = f"Edited while serving {time.time_ns()}"
        page = project_copy / "docs" / "about.md"
        page.write_text(page.read_text() + f"\n\n{marker}\n")
        assert wait_until(lambda: marker in fetch(about)[1], 60), "the edit never showed"
    finally:
        output = stop_server(server)
    assert server.returncode in (0, -signal.SIGINT), output
    assert "Traceback" not in output


def test_a_new_page_reaches_navigation_listing_search_citations_and_tags_on_reload(project_copy):
    port = free_port()
    base = f"http://127.0.0.1:{port}/ai_research/"
    server = start_server(project_copy, port)
    try:
        assert wait_until(lambda: fetch(base)[0] == 200, 120), "the server never answered"
        assert "Good, I. J." in fetch(base + "reading/")[1]
        stamp = time.time_ns()
        title, tag, word = f"Unseen species {stamp}", f"revised-{stamp}", f"zyzzogeton{stamp}"
        essay = project_copy / "docs" / "essays" / "unseen-species.md"
        essay.write_text(
            f"---\ndescription: A short essay.\ntags:\n  - {tag}\n---\n\n# {title}\n\n"
            f"Good-Turing estimates [@good1953population] still surprise me, {word}.\n"
        )
        assert wait_until(lambda: title in fetch(base + "essays/unseen-species/")[1], 60), "the new page never showed"

        sibling = fetch(base + "essays/focus-areas/")[1]
        assert title in sibling, "another essay's navigation misses the new page"
        assert title in fetch(base + "essays/")[1], "the essays listing misses the new page"
        docs = read_entries(lambda path: fetch(base + "search/" + path)[1])
        hits = [doc["location"] for doc in docs if word in doc["text"]]
        assert hits and all(location.startswith("essays/unseen-species/") for location in hits), hits
        reading = fetch(base + "reading/")[1]
        entry = reading.split('id="bib-good1953population"', 1)[1].split("<h4", 1)[0]
        assert re.search(r'href="[./]*essays/unseen-species/"', entry), "'cited on' misses the new citation"
        tags = fetch(base + "tags/")[1]
        assert tag in tags and title in tags, "the tags page misses the new tag"
    finally:
        stop_server(server)
