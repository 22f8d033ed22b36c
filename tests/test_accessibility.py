"""Accessibility in real Chromium: axe-core over every kind of page in both palettes, and the keyboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

PAGE_KINDS = {
    "home": "",
    "essay": "essays/focus-areas/",
    "history page with math": "history/attention-and-transformers/",
    "notebook": "finetuning/lora-from-scratch/",
    "folder index": "embeddings/",
    "reading list": "reading/",
    "notes index": "notes/",
    "tags": "tags/",
    "execution report": "execution-report/",
    "not found": "no-such-page/",
}


@pytest.fixture(scope="module")
def axe():
    return Axe()


def blog_pages(page, site_url):
    """A note and a category page, whichever the notes index links first: any note may be deleted."""
    page.goto(site_url + "notes/")
    note = page.locator("article .md-post__content h2 a").first.get_attribute("href")
    category = page.locator("article .md-post__meta a[href*='category/']").first.get_attribute("href")
    return {"note": page.url + note, "note category": page.url + category}


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_violations_on_any_kind_of_page(browser, site_url, axe, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        kinds = {kind: site_url + path for kind, path in PAGE_KINDS.items()} | blog_pages(page, site_url)
        for kind, url in kinds.items():
            page.goto(url)
            page.wait_for_load_state("networkidle")
            violations = axe.run(page).response["violations"]
            serious = [(v["id"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
            if serious:
                found[kind] = serious
    finally:
        context.close()
    assert found == {}


@pytest.mark.browser
def test_search_by_keyboard_alone(tab, site_url):
    tab.page.goto(site_url + "essays/")
    tab.page.keyboard.press("/")
    query = tab.page.locator("input[data-md-component=search-query]")
    expect(query).to_be_focused()
    tab.page.keyboard.type("Kneser-Ney", delay=20)
    # The results for the whole query (their links carry its words for highlighting), not for
    # a part typed before it, and with their sections: those come in a list of their own.
    tab.page.locator(".md-search-result__item a[href*='h=kneser+ney']").first.wait_for(timeout=10000)
    tab.page.locator(".md-search-result__item article h2").first.wait_for(state="attached", timeout=10000)
    tab.page.keyboard.press("ArrowDown")
    focused = tab.page.evaluate("document.activeElement.closest('.md-search-result__item') !== null")
    assert focused, "ArrowDown should move focus into the results"
    # A result with several hits on one page also has a "more on this page" toggle to step past.
    for _ in range(4):
        target = tab.page.evaluate("document.activeElement.href || null")
        if target:
            break
        tab.page.keyboard.press("ArrowDown")
    assert target, "ArrowDown never reached a result link"
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(target.split("#")[0] + "**")
    expect(tab.page.locator("article.md-content__inner")).to_contain_text("Kneser")


@pytest.mark.browser
def test_skip_to_content_is_the_first_stop_and_works(tab, site_url):
    tab.page.goto(site_url + "essays/people-and-labs/")
    tab.page.keyboard.press("Tab")
    skip = tab.page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_visible()
    tab.page.keyboard.press("Enter")
    assert tab.page.url.endswith("#people-and-labs-that-shape-my-thinking")


@pytest.mark.browser
def test_not_found_page_offers_search(browser, site_url):
    page = browser.new_page()
    try:
        response = page.goto(site_url + "no-such-page/")
        assert response.status == 404
        assert "not in the diary" in page.locator("h1").first.inner_text()
        page.get_by_role("button", name="Search the diary").click()
        expect(page.locator("#__search")).to_be_checked()
        expect(page.locator("input[data-md-component=search-query]")).to_be_visible()
        page.keyboard.type("Kneser")
        page.locator(".md-search-result__item").first.wait_for(timeout=10000)
    finally:
        page.close()
