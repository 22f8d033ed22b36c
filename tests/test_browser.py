"""A reader in real Chromium: dark mode that sticks, search that finds a page, no foreign requests."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PageRecorder
from diary.search import entries_in

CONTENT = "article.md-content__inner"

# A word that appears on exactly one page of the diary.
UNIQUE_WORD = "Jacobians"


def scheme(tab):
    return tab.page.locator("body").get_attribute("data-md-color-scheme")


def switch_to_dark(tab):
    for _ in range(3):
        if scheme(tab) == "slate":
            return
        tab.page.locator("form[data-md-component=palette] label:visible").first.click()
    assert scheme(tab) == "slate"


@pytest.mark.browser
def test_dark_mode_survives_navigation(tab, site_url):
    tab.page.goto(site_url)
    assert scheme(tab) == "default"  # the context prefers light
    # The page holds transitions from its first byte (overrides/main.html); the theme lets them go.
    tab.page.wait_for_function("!document.body.hasAttribute('data-md-color-switching')", timeout=5000)
    switch_to_dark(tab)
    tab.page.get_by_role("link", name="Errata").first.click()
    tab.page.wait_for_url(re.compile(r"/errata/(#.*)?$"))
    expect(tab.page.locator(f"{CONTENT} h1")).to_have_text("Errata\u00b6")
    assert scheme(tab) == "slate"
    tab.page.reload()
    assert scheme(tab) == "slate"
    assert tab.console_errors == []
    assert tab.foreign_requests() == []


@pytest.mark.build
def test_the_unique_word_is_on_exactly_one_page(built_site):
    pages = {doc["location"].split("#")[0] for doc in entries_in(built_site) if UNIQUE_WORD in doc["text"]}
    assert len(pages) == 1, pages


@pytest.mark.browser
def test_search_finds_the_one_page_and_the_result_opens_it(tab, site_url):
    tab.page.goto(site_url)
    tab.page.keyboard.press("/")
    tab.page.locator("input[data-md-component=search-query]").press_sequentially(UNIQUE_WORD, delay=30)
    results = tab.page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15000)
    assert "1 matching document" in tab.page.locator(".md-search-result__meta").inner_text()
    results.first.locator("a").first.click()
    tab.page.wait_for_url(re.compile(r"/history/rnns-and-lstms/"))
    expect(tab.page.locator(f"{CONTENT} h1")).to_have_text("Recurrent networks and LSTMs\u00b6")
    assert UNIQUE_WORD in tab.page.locator(CONTENT).inner_text()
    assert tab.console_errors == []
    assert tab.foreign_requests() == []


PAGE_KINDS = {
    "home": "",
    "essay": "essays/llm-ceiling-and-world-models/",
    "history page with math": "history/attention-and-transformers/",
    "notebook": "finetuning/lora-from-scratch/",
    "folder index": "embeddings/",
    "reading list": "reading/",
    "execution report": "execution-report/",
}


@pytest.mark.browser
@pytest.mark.parametrize("scheme_preference", ["light", "dark"])
def test_no_page_kind_requests_anything_from_another_host(browser, site_url, scheme_preference):
    context = browser.new_context(color_scheme=scheme_preference)
    page = context.new_page()
    recorder = PageRecorder(page)
    try:
        for kind, path in PAGE_KINDS.items():
            page.goto(site_url + path)
            page.wait_for_load_state("networkidle")
            assert recorder.foreign_requests() == [], kind
        page.keyboard.press("/")
        page.locator("input[data-md-component=search-query]").press_sequentially("attention", delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        page.locator(".md-search-result__item a").first.click()
        page.wait_for_load_state("networkidle")
        assert len(recorder.requests) > 20
        assert recorder.foreign_requests() == []
        assert recorder.console_errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["home", "essay", "notebook"])
def test_a_first_visit_fetches_each_resource_once(browser, site_url, kind):
    """The theme fetches sitemap.xml again for every <link rel=alternate>; the feeds' links must not add any."""
    context = browser.new_context()
    page = context.new_page()
    recorder = PageRecorder(page)
    try:
        page.goto(site_url + PAGE_KINDS[kind])
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        repeated = sorted({url for url in recorder.requests if recorder.requests.count(url) > 1})
        assert repeated == []
        assert sum(url.endswith("/sitemap.xml") for url in recorder.requests) == 1  # instant navigation's own
    finally:
        context.close()


@pytest.mark.browser
def test_a_figure_zooms_and_its_lightbox_loads_only_when_a_reader_reaches_for_it(tab, site_url):
    page = tab.page
    page.goto(site_url + "history/")
    page.wait_for_load_state("networkidle")
    assert not [url for url in tab.requests if "glightbox" in url], "the lightbox loaded before anyone reached for a figure"
    figure = page.locator(f"{CONTENT} a.glightbox").first
    figure.click()
    # The click opens the zoomed figure in place, not the bare image file.
    slide = page.locator(".glightbox-container .gslide.current img")
    expect(slide).to_be_visible(timeout=10000)
    assert slide.get_attribute("src").endswith("timeline.svg")
    assert re.search(r"/history/(#.*)?$", page.url)
    page.keyboard.press("Escape")
    expect(page.locator(".glightbox-container")).to_have_count(0, timeout=10000)
    assert sum("glightbox.min.js" in url for url in tab.requests) == 1
    assert tab.console_errors == []
