"""Search finds what the author wrote: recall@5 over the committed query set, in the site's real search."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text(encoding="utf-8"))
TOP = 5


def search(page, query, base_path):
    """Type a query into the search box; return [(page path, [section anchors])] for the top results."""
    box = page.locator("input[data-md-component=search-query]")
    # The search listens for key presses: fill in all but the last character, then type it.
    box.fill(query[:-1])
    box.press(query[-1])
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function(
        "query => document.querySelector('.md-search-result__meta').textContent.trim() !== 'Type to start searching'"
        " && document.querySelector('input[data-md-component=search-query]').value === query",
        arg=query, timeout=10000,
    )
    # Results for the query typed so far can still be arriving from the worker: read them once
    # they have stayed the same for 200 ms (three equal readings 100 ms apart).
    readings = []
    for _ in range(50):
        page.wait_for_timeout(100)
        readings.append(page.evaluate(
            "() => document.querySelector('.md-search-result__meta').textContent + ' ' +"
            " [...document.querySelectorAll('.md-search-result__item a')].map(a => a.href).join(' ')"
        ))
        if len(readings) >= 3 and readings[-1] == readings[-2] == readings[-3]:
            break
    results = []
    for item in page.locator(".md-search-result__item").all()[:TOP]:
        links = [urlsplit(href) for href in item.locator("a").evaluate_all("els => els.map(e => e.href)")]
        path = links[0].path.removeprefix(base_path)
        results.append((path, [link.fragment for link in links if link.fragment]))
    assert meta.count() == 1
    return results


@pytest.mark.unit
def test_the_query_set_is_big_enough_and_varied():
    assert len(QUERIES) >= 40
    assert sum(1 for q in QUERIES if "heading" in q) >= 10


@pytest.mark.browser
def test_recall_at_5_is_complete(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(site_url)
        page.keyboard.press("/")
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
    finally:
        context.close()


@pytest.mark.build
def test_notebooks_are_indexed_for_what_a_reader_searches(project_copy):
    import base64
    import json

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
    index = json.loads((project_copy / "out/search/search_index.json").read_text())
    docs = {d["location"]: d for d in index["docs"] if d["location"].startswith("embeddings/probing-outputs/")}
    section = docs["embeddings/probing-outputs/#fitting-the-probe"]["text"]
    assert "fit_linear_probe" in section                      # code, filed under its heading
    assert "probe accuracy: excellent" in section             # a short printed result
    assert "quintessential" in section                        # a table
    everything = " ".join(d["text"] for d in docs.values())
    for noise in ("In [", "Copied!", "ZeroDivisionError", "Traceback", "iVBOR", "0.599", "IntSlider", "Figure size"):
        assert noise not in everything, noise
