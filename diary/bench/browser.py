"""What a reader's browser sees of a built site: transfer on a first visit, search latency, Lighthouse.

The site is served the way GitHub Pages serves it (HTTP/1.1, gzip, a ten-minute
Cache-Control) from a small local server, and measured in the system Chromium
driven by Playwright. Lighthouse is npm's `lighthouse`, installed once into
.cache/ and pointed at the same Chromium.
"""

import gzip
import json
import mimetypes
import os
import shutil
import statistics
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LIGHTHOUSE = "lighthouse@12.2.3"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Nothing but the local server resolves, so no measurement can lean on another host.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
]
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml", "application/xml")

# Notes whether the search worker's latest answer was a partial one (results by title, the text on
# its way): the diary's worker may answer a query twice, Material's answers once.
ANSWERS_JS = """(() => {
  const RESULT = 3, Native = window.Worker
  window.benchPartial = false
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args)
      this.addEventListener("message", ({ data }) => {
        if (data && data.type === RESULT) window.benchPartial = Boolean(data.data && data.data.partial)
      })
    }
  }
})()"""

# Type a query into Material's search box; the milliseconds until its result list shows a first
# result, and until it shows the final answer (the same for an answer given once), or nulls.
SEARCH_JS = """async (query) => {
  const input = document.querySelector(".md-search__input");
  const list = document.querySelector(".md-search-result__list");
  input.focus();
  return await new Promise((resolve) => {
    const start = performance.now();
    let first = null;
    setTimeout(() => resolve([first, null]), 60000);  // no result in a minute: counted as missing
    const seen = new MutationObserver(() => {
      if (!list.children.length) return;
      first ??= performance.now() - start;
      if (!window.benchPartial) { seen.disconnect(); resolve([first, performance.now() - start]); }
    });
    seen.observe(list, { childList: true });
    input.value = query;
    input.dispatchEvent(new KeyboardEvent("keyup", { key: query.slice(-1), bubbles: true }));
  });
}"""


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files with gzip and caching headers, as a CDN-fronted static host sends them."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out at once, as a real host sends them: with Nagle's algorithm on, the
    # body of every small response waited for the browser's delayed acknowledgement (40 ms).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") or not compressible(path):
            return super().send_head()
        body = self.server.compressed(path)
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0])
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        try:
            self.wfile.write(body)
        except ConnectionError:
            pass  # the browser moved on (e.g. Lighthouse stops loading after its measurement)
        return None


class QuietServer(ThreadingHTTPServer):
    """Serves `root` with every compressible file's gzip body made before the first request.

    A static host's edge keeps compressed bodies; compressing per request here would charge the
    measurement for Python compressing a search piece on the same two cores the browser runs on
    (28 ms for a 60 kB piece, at 2,000 essays)."""

    def __init__(self, address, handler, root):
        super().__init__(address, handler)
        files = [path for path in Path(root).rglob("*") if path.is_file() and compressible(path)]
        with ThreadPoolExecutor(os.cpu_count()) as pool:  # zlib lets go of the GIL
            self.bodies = dict(zip(map(version, files), pool.map(gzip_body, files)))

    def handle_error(self, request, client_address):
        pass  # dropped connections are normal when a page or Lighthouse stops early

    def compressed(self, path):
        """The gzip body of `path`; made now if the file is new or changed since the start (two
        threads asking at once would both make the same body, so no lock is needed)."""
        key = version(path)
        if key not in self.bodies:
            self.bodies[key] = gzip_body(path)
        return self.bodies[key]


def compressible(path):
    return (mimetypes.guess_type(path.name)[0] or "").startswith(COMPRESSIBLE)


def version(path):
    stat = path.stat()
    return path, stat.st_mtime_ns, stat.st_size


def gzip_body(path):
    return gzip.compress(path.read_bytes(), 6)


class SiteServer:
    """Serve `root` on 127.0.0.1 in a thread; use as a context manager."""

    def __init__(self, root):
        self.server = QuietServer(("127.0.0.1", 0), partial(GzipHandler, directory=str(root)), root)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def launch(playwright, executable):
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def first_visit(browser, url):
    """Bytes on the wire (bodies as sent, gzip where the server used it) for a first visit to `url`."""
    context = browser.new_context()
    page = context.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(url, wait_until="networkidle")
    total = sum(request.sizes()["responseBodySize"] for request in responses)
    context.close()
    return total


def search_latency(browser, url, queries):
    """Milliseconds from typing to the final answer: the first query right after load, then the median
    of the rest."""
    context = browser.new_context()
    context.add_init_script(ANSWERS_JS)
    page = context.new_page()
    page.goto(url, wait_until="load")
    times = [page.evaluate(SEARCH_JS, query)[1] for query in queries]
    context.close()
    return times[0], statistics.median(times[1:])


def is_search(url):
    """Whether a request is the search's: its worker, or anything under search/ (the index and its pieces)."""
    path = url.split("?", 1)[0]
    return "/search/" in path or "/javascripts/workers/" in path


def first_queries(browser, url, queries):
    """p50 milliseconds from the last keystroke to the first result, and to the final answer (the
    first screen of results with their text), each query typed into a page just opened in a fresh
    browser (nothing cached, the page's load event just fired)."""
    times = []
    for query in queries:
        context = browser.new_context()
        context.add_init_script(ANSWERS_JS)
        page = context.new_page()
        page.goto(url, wait_until="load")
        times.append(page.evaluate(SEARCH_JS, query))
        context.close()
    answered = [time for time in times if None not in time]
    if len(answered) < len(times):
        print(f"  {len(times) - len(answered)} of {len(times)} queries showed no answer within a minute", flush=True)
    if not answered:
        return float("nan"), float("nan")
    return tuple(statistics.median(column) for column in zip(*answered))


def search_bytes_before_query(browser, url):
    """Bytes on the wire for search on a first visit to `url`, once the page has loaded everything
    it loads by itself, before the reader types anything."""
    context = browser.new_context()
    page = context.new_page()
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))  # the worker's requests too
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)
    total = sum(body_bytes(request) for request in finished if is_search(request.url))
    context.close()
    return total


def body_bytes(request):
    """A response's bytes on the wire; Chromium reports none for a worker's own script, so its
    Content-Length stands in."""
    response = request.response()
    length = int(response.headers.get("content-length", 0)) if response else 0
    return max(request.sizes()["responseBodySize"], length)


def lighthouse_cli(cache):
    """The Lighthouse CLI, installed into `cache` from npm on first use."""
    cli = Path(cache) / "node_modules" / ".bin" / "lighthouse"
    if not cli.exists():
        if not shutil.which("npm"):
            raise RuntimeError("Lighthouse needs npm (apt-get install -y npm)")
        print(f"installing {LIGHTHOUSE} into {cache} ...", flush=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(cache), LIGHTHOUSE],
                       check=True, stdout=subprocess.DEVNULL)
    return cli


def lighthouse(cli, executable, url, runs):
    """Median score (0-100) per category over `runs` runs of Lighthouse's default (mobile) audit."""
    scores = {category: [] for category in CATEGORIES}
    for _ in range(runs):
        result = subprocess.run(
            [str(cli), url, "--output=json", "--output-path=stdout", "--quiet",
             f"--only-categories={','.join(CATEGORIES)}",
             "--chrome-flags=--headless=new " + " ".join(f'"{arg}"' if " " in arg else arg for arg in CHROMIUM_ARGS)],
            env={**os.environ, "CHROME_PATH": executable}, capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"lighthouse {url} failed: {result.stderr.strip()[-300:]}")
        report = json.loads(result.stdout)
        for category in CATEGORIES:
            scores[category].append(round(100 * (report["categories"][category]["score"] or 0)))
    return {category: statistics.median(values) for category, values in scores.items()}
