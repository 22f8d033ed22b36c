"""Search finds what the author wrote: recall@5 over the committed query set, in the site's real search."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import expect

from diary.search import entries_in

QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text(encoding="utf-8"))
TOP = 5


# Counts the queries the page sends the search worker and marks when the latest is answered in
# full (a superseded query gets no answer; a partial one, by titles, is counted apart), so a test
# reads the results of the query it typed.
COUNT_ANSWERS = """(() => {
  const QUERY = 2, RESULT = 3, Native = window.Worker
  window.searchAnswers = { asked: 0, answered: 0, partial: 0 }
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args)
      this.addEventListener("message", ({ data }) => {
        if (data && data.type === RESULT) {
          if (data.data.partial) window.searchAnswers.partial = window.searchAnswers.asked
          else window.searchAnswers.answered = window.searchAnswers.asked
        }
      })
    }
    postMessage(message, ...rest) {
      if (message && message.type === QUERY) window.searchAnswers.asked++
      return super.postMessage(message, ...rest)
    }
  }
})()"""


@pytest.fixture
def page(browser, site_url):
    """The home page in a fresh browser context, the search box focused, the worker's answers counted."""
    context = browser.new_context()
    context.add_init_script(COUNT_ANSWERS)
    page = context.new_page()
    page.goto(site_url)
    page.keyboard.press("/")
    yield page
    context.close()


def search(page, query, base_path):
    """Type a query into the search box; return [(page path, [section anchors])] for the top results.
    The page must have been opened with COUNT_ANSWERS as an init script."""
    box = page.locator("input[data-md-component=search-query]")
    meta = page.locator(".md-search-result__meta")
    if box.input_value() == query:  # asked again: the theme sends no query, the results shown are its own
        return _top_results(page, base_path)
    asked = page.evaluate("window.searchAnswers.asked")
    # The search listens for key presses: fill in all but the last character, then type it.
    box.fill(query[:-1])
    box.press(query[-1])
    page.wait_for_function(
        "([query, asked]) => window.searchAnswers.asked > asked"
        " && window.searchAnswers.answered === window.searchAnswers.asked"
        " && document.querySelector('input[data-md-component=search-query]').value === query",
        arg=[query, asked], timeout=10000,
    )
    # The theme draws the answer on its next frames.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert meta.count() == 1
    return _top_results(page, base_path)


def _top_results(page, base_path):
    results = []
    for item in page.locator(".md-search-result__item").all()[:TOP]:
        links = [urlsplit(href) for href in item.locator("a").evaluate_all("els => els.map(e => e.href)")]
        path = links[0].path.removeprefix(base_path)
        results.append((path, [link.fragment for link in links if link.fragment]))
    return results


@pytest.mark.unit
def test_the_query_set_is_big_enough_and_varied():
    assert len(QUERIES) >= 40
    assert sum(1 for q in QUERIES if "heading" in q) >= 10


@pytest.mark.browser
def test_recall_at_5_is_complete(page, site_url):
    base_path = urlsplit(site_url).path
    misses = []
    for case in QUERIES:
        results = search(page, case["query"], base_path)
        pages = [path for path, _ in results]
        found = case["page"] in pages
        if found and "heading" in case:
            found = case["heading"] in results[pages.index(case["page"])][1]
        if not found:
            misses.append(f"{case['query']!r}: wanted {case['page']}#{case.get('heading', '')}, got {results}")
    recall = 1 - len(misses) / len(QUERIES)
    print(f"recall@{TOP}: {recall:.1%} over {len(QUERIES)} queries")
    assert misses == [], f"recall@{TOP} = {recall:.1%}\n" + "\n".join(misses)


@pytest.mark.build
def test_notebooks_are_indexed_for_what_a_reader_searches(project_copy):
    import base64

    import nbformat

    from conftest import run_mkdocs

    out = nbformat.v4.new_output
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Probing outputs\n\nWhat gets indexed."),
        nbformat.v4.new_markdown_cell("## Fitting the probe"),
        nbformat.v4.new_code_cell("def fit_linear_probe(features):\n    return features", outputs=[
            out("stream", text="probe accuracy: excellent on held-out words\n"),
            out("display_data", data={"text/html": "<table><tr><th>layer</th><th>accuracy</th></tr>"
                                                    "<tr><td>quintessential</td><td>0.91</td></tr></table>"}),
            out("display_data", data={"image/png": png, "text/plain": "<Figure size 600x350>"}),
            out("stream", text=" ".join(str(i * 0.001) for i in range(600)) + "\n"),
            out("display_data", data={"text/html": "<div class='widget-area'>IntSlider(value=3)</div>"}),
            out("error", ename="ZeroDivisionError", evalue="division by zero",
                traceback=["Traceback (most recent call last)", "ZeroDivisionError: division by zero"]),
        ]),
    ]
    nbformat.write(nb, project_copy / "docs/embeddings/probing-outputs.ipynb")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    docs = {d["location"]: d for d in entries_in(project_copy / "out")
            if d["location"].startswith("embeddings/probing-outputs/")}
    section = docs["embeddings/probing-outputs/#fitting-the-probe"]["text"]
    assert "fit_linear_probe" in section                      # code, filed under its heading
    assert "probe accuracy: excellent" in section             # a short printed result
    assert "quintessential" in section                        # a table
    everything = " ".join(d["text"] for d in docs.values())
    for noise in ("In [", "Copied!", "ZeroDivisionError", "Traceback", "iVBOR", "0.599", "IntSlider", "Figure size"):
        assert noise not in everything, noise


# The prebuilt index (diary/search.py) and its worker --------------------------------------------

BUDGET = 50_000  # bytes fetched for search before the reader's first query


@pytest.mark.browser
def test_a_first_visit_fetches_little_for_search_and_the_first_query_fetches_pieces(browser, site_url):
    from diary.bench.browser import body_bytes, is_search

    context = browser.new_context()
    context.add_init_script(COUNT_ANSWERS)
    page = context.new_page()
    fetched = []  # the page's requests and its search worker's
    context.on("requestfinished", lambda request: fetched.append((request.url, body_bytes(request))))
    try:
        page.goto(site_url + "essays/safety-issues/", wait_until="networkidle")
        page.wait_for_timeout(500)
        before = [(url, size) for url, size in fetched if is_search(url)]
        assert sum(size for _, size in before) <= BUDGET, before
        assert not any("/search/terms/" in url or "/search/pages" in url for url, _ in before), before
        # Material's small config, and the table of pieces the worker fetched by itself, once each.
        for name in ("search_index.json", "manifest.json"):
            assert [url for url, _ in before if url.split("?")[0].endswith("/search/" + name)] != [], name
        assert len({url for url, _ in before}) == len(before), before
        count = len(fetched)
        page.keyboard.press("/")
        results = search(page, "scalable oversight", urlsplit(site_url).path)
        assert ("essays/safety-issues/", ["scalable-oversight"]) in [(p, a[:1]) for p, a in results], results
        after = [url for url, _ in fetched[count:]]
        assert any("/search/terms/" in url for url in after) and any("/search/pages/" in url for url in after)
        assert not any(url.split("?")[0].endswith(("search_index.json", "manifest.json")) for url in after)
    finally:
        context.close()


# Run in the search worker: its requests for pages' entries wait until the test releases them,
# with `release(true)` to send them on, `release(false)` to fail them as a lost connection does.
HOLD_ENTRIES = """() => {
  const fetchNow = self.fetch
  self.heldEntries = []
  self.fetch = (url, ...rest) => String(url).includes("/search/pages/")
    ? new Promise(resolve => self.heldEntries.push(send => resolve(send ? fetchNow(url, ...rest) : Response.error())))
    : fetchNow(url, ...rest)
}"""
LINKS = "links => links.map(link => new URL(link.href).pathname + new URL(link.href).hash)"
SECTION_OR_TEXT = ".md-search-result__item article :is(h2, p:not(.md-search-result__terms))"


def hold_entries(page):
    """The page's search worker, its requests for pages' entries held (HOLD_ENTRIES)."""
    page.wait_for_function("() => window.searchAnswers.asked > 0")  # the worker is running
    [worker] = [worker for worker in page.workers if "/workers/" in worker.url]
    worker.evaluate(HOLD_ENTRIES)
    return worker


def partial_answer(page, query):
    """Type `query` and wait for the answer by titles; [[the links of each result]]."""
    box = page.locator("input[data-md-component=search-query]")
    box.fill(query[:-1])
    box.press(query[-1])
    page.wait_for_function("() => window.searchAnswers.partial === window.searchAnswers.asked", timeout=10000)
    expect(page.locator(".md-search-result__item").first).to_be_visible()
    return result_links(page)


def result_links(page):
    """[[the path and anchor of each link of a result]] for the results shown."""
    return [item.locator("a.md-search-result__link").evaluate_all(LINKS)
            for item in page.locator(".md-search-result__item").all()]


@pytest.mark.browser
def test_a_first_query_lists_pages_by_title_then_their_sections_and_the_keyboard_keeps_its_place(page, site_url):
    """While the pages' entries are on their way the reader already has the list, in its final order
    and count; the entries then add each page's matching sections, and a reader who has stepped into
    the list stays on the result they were on."""
    worker = hold_entries(page)
    titles = partial_answer(page, "scalable oversight")
    meta = page.locator(".md-search-result__meta").inner_text()
    assert all(len(item) == 1 and "#" not in item[0] for item in titles), titles  # pages alone, no sections
    assert titles[0] == [urlsplit(site_url).path + "essays/safety-issues/"], titles
    # No section (h2) and no text yet; a page's missing words are shown as they will be.
    assert page.locator(SECTION_OR_TEXT).count() == 0
    assert worker.evaluate("self.heldEntries.length") > 0, "no page's entries were asked for"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("new URL(document.activeElement.href).pathname")
    assert [second] == titles[1]
    worker.evaluate("self.heldEntries.forEach(release => release(true))")
    page.wait_for_function("() => window.searchAnswers.answered === window.searchAnswers.asked", timeout=10000)
    # Sections, some folded under "more on this page", with their text and its marks.
    expect(page.locator(".md-search-result__item article h2").first).to_be_attached()
    expect(page.locator(".md-search-result__item article p mark").first).to_be_attached()
    assert page.locator(".md-search-result__meta").inner_text() == meta
    final = result_links(page)
    assert [item[0] for item in final] == [item[0] for item in titles]  # the same pages, in the same order
    assert urlsplit(site_url).path + "essays/safety-issues/#scalable-oversight" in final[0], final
    focused = page.evaluate("document.activeElement.href || document.activeElement.tagName")
    assert urlsplit(focused).path == second, f"focus went to {focused}, not back to {second}"


@pytest.mark.browser
def test_a_page_whose_entries_cannot_be_loaded_stays_listed_by_its_title(page):
    worker = hold_entries(page)
    titles = partial_answer(page, "scalable oversight")
    worker.evaluate("self.heldEntries.forEach(release => release(false))")
    page.wait_for_function("() => window.searchAnswers.answered === window.searchAnswers.asked", timeout=10000)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    final = result_links(page)
    assert final == titles
    assert page.locator(SECTION_OR_TEXT).count() == 0


@pytest.mark.browser
def test_the_bench_times_the_first_result_and_the_text_shown(browser, site_url):
    from diary.bench.browser import first_queries

    first, shown = first_queries(browser, site_url + "essays/", ["scalable oversight", "kneser"])
    assert 0 < first <= shown < 60_000


@pytest.mark.browser
def test_the_search_answers_before_the_page_has_handed_its_worker_the_index(browser, site_url):
    """The worker fetches its own table as it starts: a reader who types while the page's main thread
    is still busy (here: the theme's search_index.json never arrives) still gets results, with
    suggestions."""
    context = browser.new_context()
    context.add_init_script(COUNT_ANSWERS)
    page = context.new_page()
    held = []
    page.route("**/search/search_index.json", lambda route: held.append(route))
    try:
        page.goto(site_url)
        page.keyboard.press("/")
        results = search(page, "superpos", urlsplit(site_url).path)
        assert any(path.startswith("essays/") for path, _ in results), results
        assert page.locator(".md-search__suggest").inner_text().startswith("superposition")
        assert held, "the theme's own index request was not held"
    finally:
        for route in held:
            route.abort()
        context.close()


@pytest.mark.browser
def test_results_mark_the_words_and_the_page_opened_highlights_them(page, site_url):
    search(page, "Kneser-Ney", urlsplit(site_url).path)
    marks = page.locator(".md-search-result__item mark")
    assert marks.count() > 0 and marks.first.inner_text().lower() in ("kneser", "ney")
    link = page.locator(".md-search-result__item a[href*='history/n-grams/']").first
    assert "h=kneser+ney" in link.get_attribute("href")
    link.click()
    page.wait_for_url("**/history/n-grams/**")
    page.locator("mark[data-md-highlight]").first.wait_for(timeout=10000)
    assert page.locator("mark[data-md-highlight]").count() > 1


@pytest.mark.browser
def test_suggestions_complete_the_last_word_from_titles(page, site_url):
    search(page, "superpos", urlsplit(site_url).path)
    suggestion = page.locator(".md-search__suggest")
    page.wait_for_function("() => document.querySelector('.md-search__suggest').textContent.length > 0",
                           timeout=10000)
    assert suggestion.inner_text().startswith("superposition")


@pytest.mark.unit
def test_the_separator_reads_as_javascript_reads_it():
    from diary.search import separator

    split = separator(r'[\s\u200b\-_,:!=\[\]()"`/]+|\.(?!\d)|&[lg]t;').split
    assert [t for t in split("build_vocabulary os.path 3.14 n-gram a\u00a0b x&lt;y") if t] == [
        "build", "vocabulary", "os", "path", "3.14", "n", "gram", "a", "b", "x", "y"]
    assert separator(r"\d").pattern == "[0-9]"  # JavaScript's \d is ASCII digits only


@pytest.mark.unit
def test_index_terms_follow_materials_tokenizer_and_stop_words():
    from diary.search import frequencies, separator

    split = separator(r"[\s\-]+").split
    entries = [{"location": "a/", "title": "The <code>Kneser-Ney</code> estimate",
                "text": "<p>Counts and the counts</p><pre>x &gt; y</pre>", "tags": ["n-grams"]}]
    counted = frequencies(entries, split, ["stopWordFilter"])
    assert counted == [{"title": {"kneser": 1, "ney": 1, "estimate": 1},
                        "text": {"counts": 2, "x": 1, "&gt;": 1, "y": 1},
                        "tags": {"n": 1, "grams": 1}}]


@pytest.mark.unit
def test_the_prebuilt_index_is_deterministic_and_in_pieces(monkeypatch):
    import json

    from diary import search as index

    monkeypatch.setattr(index, "PIECE_BYTES", 200)
    config = {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"],
              "fields": {"title": {"boost": 1000}, "text": {"boost": 1}, "tags": {"boost": 1000000}}}
    docs = [{"location": f"p{n}/", "title": f"Page {n}", "text": f"<p>alpha beta word{n} zeta</p>"} for n in range(30)]
    docs.insert(1, {"location": "p0/#part", "title": "Part", "text": "<p>alpha again</p>", "boost": 2})
    material = {"config": config, "docs": docs}
    split = index.separator(config["separator"]).split
    counted = [index.frequencies(entries, split, config["pipeline"]) for entries in index.group_pages(docs)]
    files = index.build(material, counted)
    assert files == index.build(json.loads(json.dumps(material)), counted)
    stub = json.loads(files["search_index.json"])  # what Material's script fetches: no documents
    assert stub["docs"] == [] and stub["config"]["separator"] == config["separator"]
    manifest = json.loads(files["manifest.json"])["config"]["diary"]  # what the worker fetches
    assert stub["config"]["diary"] == {"version": manifest["version"]}
    assert manifest["documents"] == 31 and len(manifest["terms"]) > 3
    assert manifest["terms"] == sorted(manifest["terms"])
    pieces = [json.loads(files[f"terms/{n:03d}.json"]) for n in range(len(manifest["terms"]))]
    assert [piece[0][0] for piece in pieces] == manifest["terms"]
    rows = {row[0]: row for piece in pieces for row in piece}
    assert rows["alpha"][2][:4] == [0, 1, 1, 1]  # text: document 0 once, then document 1 (gap 1) once
    assert "the" not in rows and "again" in rows
    assert json.loads(files["pages.json"])[:2] == [["p0/", "Page 0"], ["p1/", "Page 1"]]
    assert manifest["pages"] == [2] + [1] * 29 and manifest["boosts"] == {"1": 2}
    assert json.loads(files["pages/0000.json"]) == docs[:2]
    assert index.read_entries(lambda path: files[path]) == docs


@pytest.mark.unit
def test_a_save_updates_the_kept_postings_to_what_a_fresh_build_makes():
    import copy

    from diary import search as index
    from diary.speed import search as kept

    class Layer:
        def memo(self, kind, compute, **inputs):
            return compute()

    config = {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"],
              "fields": {"title": {"boost": 1000}, "text": {"boost": 1}, "tags": {"boost": 1000000}}}
    docs = []
    for n in range(40):
        docs.append({"location": f"p{n}/", "title": f"Page {n}", "text": f"<p>alpha beta word{n} zeta</p>"})
        if n % 3 == 0:
            docs.append({"location": f"p{n}/#s", "title": "Section", "text": f"<p>gamma word{n + 1}</p>"})

    def frequencies(entries):
        return index.frequencies(entries, index.separator(config["separator"]).split, config["pipeline"])

    process = {}
    first = {"config": config, "docs": docs}
    assert kept.build_index(Layer(), process, first, frequencies) == kept.build_afresh(first, frequencies)
    postings = process["search-index"].postings
    saved = copy.deepcopy(docs)
    saved[4]["text"] = "<p>alpha omega, a word new to the diary</p>"  # page 3, same number of entries
    saved[10]["title"] = "Gamma retitled"
    second = {"config": config, "docs": saved}
    assert kept.build_index(Layer(), process, second, frequencies) == kept.build_afresh(second, frequencies)
    assert process["search-index"].postings is postings  # taken out and put back, not made afresh
    grown = copy.deepcopy(saved)
    grown.insert(6, {"location": "p4/#new", "title": "New section", "text": "<p>delta</p>"})
    third = {"config": config, "docs": grown}
    assert kept.build_index(Layer(), process, third, frequencies) == kept.build_afresh(third, frequencies)
