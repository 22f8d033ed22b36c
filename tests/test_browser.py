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


# Every set of <body>'s palette attributes and of the attribute that holds
# colour transitions, in order, as [name, value before].
PALETTE_LOG = """
window.paletteLog = []
new MutationObserver(records => {
  for (const r of records) if (r.target === document.body) window.paletteLog.push([r.attributeName, r.oldValue])
}).observe(document, {
  attributes: true, attributeOldValue: true, subtree: true,
  attributeFilter: ["data-md-color-switching", "data-md-color-scheme", "data-md-color-primary", "data-md-color-accent"]
})
"""
HOLD = "data-md-color-switching"


def palette_changes(page):
    """The sets that changed a value, as (name, before, after), once the theme has let transitions go."""
    page.wait_for_function(f"!document.body.hasAttribute('{HOLD}')", timeout=5000)
    page.wait_for_timeout(200)
    log, final = page.evaluate(
        "[window.paletteLog, Object.fromEntries(['data-md-color-switching', 'data-md-color-scheme',"
        " 'data-md-color-primary', 'data-md-color-accent'].map(n => [n, document.body.getAttribute(n)]))]"
    )
    page.evaluate("window.paletteLog = []")
    changes = []
    for i, (name, before) in enumerate(log):
        after = next((later for other, later in log[i + 1 :] if other == name), final[name])
        if after != before:
            changes.append((name, before, after))
    return changes


def assert_held_while_colours_change(changes):
    """Transitions are held before the first colour changes and let go after the last."""
    colours = [i for i, (name, _, _) in enumerate(changes) if name != HOLD]
    assert colours, changes
    assert changes[0] == (HOLD, None, "") and changes[-1] == (HOLD, "", None), changes
    assert [i for i, change in enumerate(changes) if change[0] == HOLD] == [0, len(changes) - 1], changes


@pytest.mark.browser
def test_a_page_start_leaves_transitions_alone_unless_a_colour_changes(browser, site_url):
    # Holding transitions costs a restyle of the whole page each time it is set
    # and taken off; as a page starts with the palette it already shows, nothing
    # may touch it.
    light = browser.new_context(color_scheme="light")
    page = light.new_page()
    page.add_init_script(PALETTE_LOG)
    page.goto(site_url + "embeddings/count-based-word-vectors/")
    assert palette_changes(page) == []
    light.close()
    # A first visit from a dark system turns the page dark as it starts: with
    # transitions held, so colours switch at once instead of fading.
    dark = browser.new_context(color_scheme="dark")
    page = dark.new_page()
    page.add_init_script(PALETTE_LOG)
    page.goto(site_url + "embeddings/count-based-word-vectors/")
    changes = palette_changes(page)
    assert ("data-md-color-scheme", "default", "slate") in changes
    assert_held_while_colours_change(changes)
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    dark.close()


@pytest.mark.browser
def test_dark_mode_survives_navigation(tab, site_url):
    tab.page.add_init_script(PALETTE_LOG)
    tab.page.goto(site_url)
    assert scheme(tab) == "default"  # the context prefers light
    assert palette_changes(tab.page) == []
    switch_to_dark(tab)
    assert_held_while_colours_change(palette_changes(tab.page))
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


@pytest.mark.browser
def test_a_notebook_cells_copy_button_copies_its_code(tab, site_url):
    """The theme's copy button finds a cell's code by a selector made from the cell's id, which
    nbconvert's `cell-id=…` ids broke: every notebook cell's button copied nothing."""
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site_url + PAGE_KINDS["notebook"])
    page.wait_for_load_state("networkidle")
    cells = page.locator(f"{CONTENT} .jp-CodeCell pre > code")
    assert cells.count() > 3
    cells.last.scroll_into_view_if_needed()
    button = cells.last.locator("xpath=..").locator("button.md-code__button")
    button.click()
    expect(page.locator(".md-dialog")).to_contain_text("Copied to clipboard")
    assert page.evaluate("navigator.clipboard.readText()").strip() == cells.last.inner_text().strip()
    assert tab.console_errors == []


@pytest.mark.browser
def test_code_blocks_are_set_up_as_they_come_into_view_and_a_keyboard_reaches_them_before(tab, site_url):
    """The theme's content.lazy saves a long notebook most of its start-up work; until a block is
    set up, the tabindex the build gave it keeps a wide one in a keyboard's reach."""
    page = tab.page
    page.goto(site_url + PAGE_KINDS["notebook"])
    page.wait_for_load_state("networkidle")
    last = page.locator(f"{CONTENT} .jp-CodeCell pre > code").last
    button = last.locator("xpath=..").locator("button.md-code__button")
    assert last.evaluate("c => c.getBoundingClientRect().top > innerHeight")  # below the fold
    expect(button).to_have_count(0)
    assert last.get_attribute("tabindex") == "0"
    last.scroll_into_view_if_needed()
    expect(button).to_have_count(1)
    # Set up, a block keeps its tab stop only if it scrolls.
    scrolls = last.evaluate("c => c.scrollWidth > c.clientWidth")
    assert (last.get_attribute("tabindex") == "0") == scrolls
    assert tab.console_errors == []
