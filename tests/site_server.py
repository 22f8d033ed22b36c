"""Serve a built site under SITE_PATH on 127.0.0.1, as GitHub Pages serves a project site.

Run by the tests' `site_url` fixture as its own process, so that every
pytest-xdist worker drives its Chromium against the one built site on one port:

    python tests/site_server.py SITE_DIR PORT WATCHED_PID

It stops by itself once WATCHED_PID (the test run) has ended.
"""

import functools
import os
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE_PATH = "/ai_research/"


class SubPathHandler(SimpleHTTPRequestHandler):
    """Static files under SITE_PATH; anything else, and any missing file, is the site's own 404 page."""

    def translate_path(self, path):
        if not path.startswith(SITE_PATH):
            return "/nonexistent"
        return super().translate_path("/" + path[len(SITE_PATH):])

    def send_error(self, code, message=None, explain=None):
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


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def main(site, port, watched):
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(SubPathHandler, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("serving", flush=True)
    while alive(watched):
        time.sleep(0.5)
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
