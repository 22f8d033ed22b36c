"""What `make bench` measures, for one configuration of the synthetic diary at a time.

Cold and warm builds with peak memory, edit-to-reload in `mkdocs serve` (the
project's as `make serve` runs it) for an essay's text, a notebook's text, and
an essay's title, tags, summary and citations, HTML bytes per page type, site
and search index size, and, in Chromium, first-visit transfer, search latency
and Lighthouse scores (diary/bench/browser.py). `table` prints both configurations side by side
with their ratio and the issue's target for each figure.
"""

import gzip
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from pathlib import Path

import yaml

from diary.bench.browser import (
    SiteServer,
    first_queries,
    first_visit,
    launch,
    lighthouse,
    lighthouse_cli,
    search_bytes_before_query,
    search_latency,
)
from diary.bench.diary import bib_keys

SITE_URL = "http://127.0.0.1:8000/ai_research/"
CONFIGS = {"stock": ["-f", "mkdocs-stock.yml"], "project": ["--strict"]}
# The project side serves as `make serve` does.
SERVE_CONFIGS = {"stock": ["-f", "mkdocs-stock.yml"], "project": ["--dirty"]}
SERVE_ENV = {"stock": {}, "project": {"DIARY_HISTORY": "false"}}
ESSAY = ("docs/essays/bench-essay-007.md", "essays/bench-essay-007/")
NOTEBOOK = ("docs/embeddings/bench-notebook-004.ipynb", "embeddings/bench-notebook-004/")
INDEXES = ["essays", "embeddings", "finetuning", "langchain", "history"]
QUERIES = ["attention", "kneser", "adapter", "perplexity", "superposition", "retrieval"]
# The committed query set (tests/search_queries.yaml): the first query on a page just opened, over all of it.
QUERY_SET = Path(__file__).resolve().parents[2] / "tests" / "search_queries.yaml"
LIGHTHOUSE_PAGES = {"home": "", "essay": "essays/safety-issues/", "notebook": "embeddings/count-based-word-vectors/"}
DATA_URI = re.compile(rb"data:image/[^\"')\s]+")

# Lower is better unless noted; a figure not named here has no target. The search files on the
# server have none: a reader fetches only what a query needs (search bytes before first query).
TARGETS = {
    "cold build (s)": 0.5, "edit-to-reload, essay (s)": 0.05, "edit-to-reload, notebook (s)": 0.05,
    "edit-to-reload, essay title (s)": 0.1, "edit-to-reload, essay tag (s)": 0.1,
    "edit-to-reload, essay summary (s)": 0.1, "edit-to-reload, essay citation (s)": 0.1,
    "notebook page HTML without images (kB)": 0.15, "total site size (MB)": 0.3,
}
# Targets that are a figure of the project's own, not a ratio to stock.
ABSOLUTE = {"search, first query (ms)": 300, "search bytes before first query (kB)": 50}


def env():
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": SITE_URL}


def build(diary, name, site):
    """Wall seconds and peak resident MB of one `mkdocs build` of configuration `name`."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site), *CONFIGS[name]],
                               cwd=diary, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{name} build failed:\n{output.decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def builds(diary, name, site, cold_runs, warm_runs):
    """Median cold build (each from no cache) and its peak memory, then the median warm build."""
    cold = []
    for _ in range(max(cold_runs, 1)):
        shutil.rmtree(diary / ".cache", ignore_errors=True)
        cold.append(build(diary, name, site))
    result = {"cold build (s)": statistics.median(seconds for seconds, _ in cold),
              "peak memory, cold build (MB)": statistics.median(memory for _, memory in cold)}
    if warm_runs:
        result["warm build (s)"] = statistics.median(build(diary, name, site)[0] for _ in range(warm_runs))
    return result


def html_bytes(paths):
    """Median raw, gzipped and image-free raw kB over some HTML files."""
    data = [path.read_bytes() for path in paths]
    return (
        statistics.median(len(d) for d in data) / 1e3,
        statistics.median(len(gzip.compress(d, 6)) for d in data) / 1e3,
        statistics.median(len(DATA_URI.sub(b"", d)) for d in data) / 1e3,
    )


def sizes(site):
    essay = html_bytes(sorted(site.glob("essays/bench-essay-*/index.html")))
    notebook = html_bytes(sorted(site.glob("*/bench-notebook-*/index.html")))
    index = html_bytes([site / folder / "index.html" for folder in INDEXES])
    # Everything under search/: Material's one index, or the prebuilt index's pieces.
    search = [path.read_bytes() for path in sorted((site / "search").rglob("*")) if path.is_file()]
    total = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    return {
        "essay page HTML (kB)": essay[0], "essay page HTML gzip (kB)": essay[1],
        "notebook page HTML (kB)": notebook[0], "notebook page HTML without images (kB)": notebook[2],
        "notebook page HTML gzip (kB)": notebook[1],
        "folder index HTML (kB)": index[0], "folder index HTML gzip (kB)": index[1],
        "total site size (MB)": total / 1e6,
        "search index (kB)": sum(map(len, search)) / 1e3,
        "search index gzip (kB)": sum(len(gzip.compress(data, 6)) for data in search) / 1e3,
    }


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def wait_for(url, marker, timeout):
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        body = fetch(url)
        if body is not None and marker in body:
            return time.perf_counter() - start
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not show {marker!r} within {timeout} s")


RELOAD_LINE = re.compile(r"\n\nReload marker \S+(?: \[@(?P<key>[^\]\s]+)\]\.)?\n$")
RELOAD_TAG = re.compile(r'\n  - "reload-[^"\n]*"')


def _marked(text, marker, key=None):
    """The essay's text with its last line the reload marker, not one per edit; the line cites
    `key`, or the work it cited before, so that only the edit's own fact changes."""
    before = RELOAD_LINE.search(text)
    key = key or (before.group("key") if before else None)
    return RELOAD_LINE.sub("\n", text) + f"\nReload marker {marker}" + (f" [@{key}]." if key else "") + "\n"


def edit_essay(path, marker):
    path.write_text(_marked(path.read_text(encoding="utf-8"), marker), encoding="utf-8")


def edit_title(path, marker):
    """A change other pages show (navigation, listings, the tags page)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^# .*$", f"# Retitled {marker}", text, count=1, flags=re.MULTILINE), encoding="utf-8")


def edit_tag(path, marker):
    """A new tag (for the tags page and the folder listing) in place of the last edit's; the marker
    also goes in the text, the only sign of the save in the stock configuration, which shows no tags."""
    text = RELOAD_TAG.sub("", path.read_text(encoding="utf-8"))
    text = text.replace("\ntags:\n", f'\ntags:\n  - "reload-{marker}"\n', 1)
    path.write_text(_marked(text, marker), encoding="utf-8")


def edit_summary(path, marker):
    """The summary (front matter `description`): the folder listing shows it, the page's head too."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^description: .*$", f"description: Summed up anew, {marker}.", text, count=1,
                           flags=re.MULTILINE), encoding="utf-8")


def edit_citation(path, marker):
    """A citation of a work other pages cite and this one did not before the save (another one on
    each save): a new entry in the reading list's "cited on", not a new key for the site."""
    text = path.read_text(encoding="utf-8")
    cited = set(re.findall(r"@([^\s;\]]+)", text))
    key = next(key for key in bib_keys(path.parents[1]) if key not in cited)
    path.write_text(_marked(text, marker, key), encoding="utf-8")


def edit_notebook(path, marker):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(cell for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    source = re.sub(r"\n\nReload marker \S+$", "", "".join(cell["source"]))
    cell["source"] = f"{source}\n\nReload marker {marker}"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def free_port():
    """A port nothing listens on, so no server left from another run can answer in this one's place."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reloads(diary, name, edits):
    """Median seconds from each kind of save (an essay's text, a notebook's, an essay's title, tags,
    summary, citations) until `mkdocs serve` serves the change."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/ai_research/"
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", *SERVE_CONFIGS[name]],
        cwd=diary, env={**env(), **SERVE_ENV[name]}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, preexec_fn=answers_ctrl_c,
    )
    try:
        wait_for(base, "</html>", 900)
        time.sleep(1)  # let the file watcher settle after the first build
        result = {}
        kinds = (("essay", ESSAY, edit_essay), ("notebook", NOTEBOOK, edit_notebook), ("essay title", ESSAY, edit_title),
                 ("essay tag", ESSAY, edit_tag), ("essay summary", ESSAY, edit_summary),
                 ("essay citation", ESSAY, edit_citation))
        for label, (source, page), edit in kinds:
            times = []
            for number in range(edits):
                marker = f"{name}-{label.replace(' ', '-')}-{number}-{time.time_ns()}"
                edit(diary / source, marker)
                times.append(wait_for(base + page, marker, 900))
                time.sleep(1)
            result[f"edit-to-reload, {label} (s)"] = statistics.median(times)
        return result
    finally:
        stop(server)


def answers_ctrl_c():
    """For Popen's preexec_fn, wherever a server is stopped with Ctrl-C (here, and in the tests): a
    shell's background job (a CI runner started with `&`) ignores SIGINT, and its children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop(server):
    """Ctrl-C, as the author would; a rebuild still running (a minute for stock at 400 essays) is
    waited for, and a server that will not stop is killed."""
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def query_set(limit=None):
    """The committed queries, or `limit` of them spread evenly over the set."""
    queries = [case["query"] for case in yaml.safe_load(QUERY_SET.read_text(encoding="utf-8"))]
    if limit and limit < len(queries):
        queries = [queries[round(i * len(queries) / limit)] for i in range(limit)]
    return queries


def in_browser(site, executable, lighthouse_runs, cache, search_queries=None, search_only=False):
    from playwright.sync_api import sync_playwright

    result = {}
    with SiteServer(site) as server, sync_playwright() as playwright:
        browser = launch(playwright, executable or None)
        if not search_only:
            result["first visit, essay (kB transferred)"] = first_visit(browser, server.url + ESSAY[1]) / 1e3
            result["first visit, notebook (kB transferred)"] = first_visit(browser, server.url + NOTEBOOK[1]) / 1e3
        result["search bytes before first query (kB)"] = search_bytes_before_query(browser, server.url + ESSAY[1]) / 1e3
        first, final = first_queries(browser, server.url + ESSAY[1], query_set(search_queries))
        result["search, first query (ms)"] = first
        result["search, first query, text shown (ms)"] = final
        _, later = search_latency(browser, server.url + ESSAY[1], QUERIES)
        result["search, later queries (ms)"] = later
        browser.close()
        if lighthouse_runs:
            cli = lighthouse_cli(cache)
            for label, path in LIGHTHOUSE_PAGES.items():
                scores = lighthouse(cli, executable, server.url + path, lighthouse_runs)
                for category, score in scores.items():
                    result[f"Lighthouse {category}, {label} (higher is better)"] = score
    return result


def ratio(stock, project):
    return project / stock if stock else float("nan")


def table(results):
    lines = [f"| {'figure':<52} | {'stock':>9} | {'project':>9} | {'ratio':>6} | target |",
             f"|{'-' * 54}|{'-' * 11}|{'-' * 11}|{'-' * 8}|--------|"]
    for figure, stock in results["stock"].items():
        project = results["project"][figure]
        target = TARGETS.get(figure)
        if "Lighthouse" in figure:  # performance at least 95, the other categories 100
            goal = "met" if project >= (95 if "performance" in figure else 100) else "NOT met"
        elif figure in ABSOLUTE:
            goal = f"<= {ABSOLUTE[figure]} {'met' if project <= ABSOLUTE[figure] else 'NOT met'}"
        elif target is not None:
            goal = f"{target}x {'met' if ratio(stock, project) <= target else 'NOT met'}"
        else:
            goal = ""
        lines.append(f"| {figure:<52} | {stock:>9.2f} | {project:>9.2f} | {ratio(stock, project):>6.2f} | {goal} |")
    return "\n".join(lines)
