"""Math typesets in Chromium from the site's own MathJax: direct loads, instant navigation, dark mode."""

import re

import pytest
from playwright.sync_api import expect


ATTENTION = "history/attention-and-transformers/"


LOADER = "assets/mathjax/startup.js"
# The menu is left out: it was a third of MathJax's bytes.
LEFT_OUT = ("tex-chtml.js", "ui/menu.js")


def assert_typeset(tab):
    page = tab.page
    page.wait_for_function(
        """() => {
          const math = document.querySelectorAll("article.md-content__inner .arithmatex");
          return math.length > 0 && [...math].every(formula => formula.querySelector("mjx-container mjx-math"));
        }""",
        timeout=20000,
    )
    text = page.locator("article.md-content__inner").inner_text()
    for raw in ("\\frac", "\\sqrt", "$$", "\\(", "\\["):
        assert raw not in text, f"raw TeX {raw!r} is visible"
    errors = page.locator("article mjx-merror").count()
    assert errors == 0, "MathJax reported a TeX error"


@pytest.mark.browser
def test_math_typesets_on_a_direct_load(tab, site_url):
    tab.page.goto(site_url + ATTENTION)
    assert_typeset(tab)
    # The attention equation is there as math, with its softmax and square root.
    assert tab.page.locator("mjx-container[display=true]").count() >= 1
    assert "softmax" in tab.page.locator("article.md-content__inner").inner_text()
    assert tab.console_errors == []
    assert tab.foreign_requests() == []
    mathjax = [url for url in tab.requests if "mathjax" in url]
    assert any(url.endswith(LOADER) for url in mathjax)
    assert not [url for url in mathjax if url.endswith(LEFT_OUT)]
    # TeX packages the page does not use load when a formula needs them.
    html = tab.page.evaluate("async () => (await MathJax.tex2chtmlPromise('\\\\boldsymbol{x} + \\\\cancel{y}')).outerHTML")
    assert "mjx-merror" not in html and "mjx-c" in html
    assert any(url.endswith("input/tex/extensions/boldsymbol.js") for url in tab.requests)
    assert tab.console_errors == []


@pytest.mark.browser
def test_printing_typesets_math_the_reader_has_not_scrolled_to(tab, site_url):
    page = tab.page
    page.goto(site_url + "history/n-gram-smoothing/")
    page.wait_for_load_state("networkidle")
    assert not [url for url in tab.requests if "/assets/mathjax/" in url]
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert_typeset(tab)
    assert tab.console_errors == []


@pytest.mark.browser
def test_math_typesets_after_instant_navigation(tab, site_url):
    tab.page.goto(site_url)
    tab.page.wait_for_load_state("networkidle")  # instant navigation starts once the sitemap is in
    # Instant navigation swaps the page in place: the marker on window survives it.
    tab.page.evaluate("window.__sameDocument = true")
    tab.page.locator("a[href$='history/']").first.click()
    tab.page.wait_for_url(re.compile(r"/history/(#.*)?$"))
    assert tab.page.evaluate("window.__sameDocument") is True
    tab.page.get_by_role("link", name="N-grams").first.click()
    tab.page.wait_for_url(re.compile(r"/history/n-grams/(#.*)?$"))
    expect(tab.page.locator("article.md-content__inner h1")).to_contain_text("N-grams")
    assert tab.page.evaluate("window.__sameDocument") is True
    assert_typeset(tab)
    tab.page.get_by_role("link", name="RNNs and LSTMs").first.click()
    tab.page.wait_for_url(re.compile(r"/history/rnns-and-lstms/(#.*)?$"))
    expect(tab.page.locator("article.md-content__inner h1")).to_contain_text("Recurrent networks")
    assert tab.page.evaluate("window.__sameDocument") is True
    assert_typeset(tab)
    assert tab.console_errors == []
    assert tab.foreign_requests() == []


@pytest.mark.browser
def test_math_loads_once_when_the_reader_moves_on_while_it_downloads(tab, site_url):
    # Hold MathJax's download until the reader has gone on to another page with
    # math: a slow network must not start a second copy (two copies break both).
    held = []
    tab.page.route("**/" + LOADER, lambda route: held.append(route))
    tab.page.goto(site_url + "history/n-grams/")
    tab.page.locator("article .arithmatex").first.scroll_into_view_if_needed()
    tab.page.wait_for_function("() => document.querySelector('script[src$=\"startup.js\"]')")
    tab.page.get_by_role("link", name="RNNs and LSTMs").first.click()
    tab.page.wait_for_url(re.compile(r"/history/rnns-and-lstms/(#.*)?$"))
    expect(tab.page.locator("article.md-content__inner h1")).to_contain_text("Recurrent networks")
    tab.page.locator("article .arithmatex").first.scroll_into_view_if_needed()
    tab.page.wait_for_timeout(500)
    for route in held:
        route.continue_()
    assert_typeset(tab)
    assert len(held) == 1, f"MathJax was requested {len(held)} times"
    assert tab.console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("path", [ATTENTION, "history/n-gram-smoothing/"])
def test_math_follows_the_text_colour_in_dark_mode(browser, site_url, path):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(site_url + path)
        assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        # MathJax is fetched once math comes near the viewport; scroll to it as a reader would.
        page.locator("article .arithmatex").first.scroll_into_view_if_needed()
        page.wait_for_selector("article mjx-container", timeout=20000)
        colours = page.evaluate(
            """() => { const math = document.querySelector("article mjx-container");
                       return [getComputedStyle(math).color, getComputedStyle(math.closest("p, div")).color]; }"""
        )
        assert colours[0] == colours[1], colours
        brightness = sum(map(int, re.findall(r"\d+", colours[0])[:3]))
        assert brightness > 400, f"math is dark on a dark page: {colours[0]}"
    finally:
        context.close()


@pytest.mark.browser
def test_math_far_below_the_fold_waits_for_the_reader(tab, site_url):
    """A notebook whose first formula is screens down does not fetch MathJax until the reader gets near it."""
    page = tab.page
    page.goto(site_url + "history/n-gram-smoothing/")
    page.wait_for_load_state("networkidle")
    first = page.locator("article .arithmatex").first
    assert first.bounding_box()["y"] > 2 * page.viewport_size["height"], "the first formula moved up; pick another page"
    assert not [url for url in tab.requests if "/assets/mathjax/" in url]
    first.scroll_into_view_if_needed()
    assert_typeset(tab)
    assert any(url.endswith(LOADER) for url in tab.requests)
    assert tab.console_errors == []


@pytest.mark.browser
def test_pages_without_math_do_not_load_mathjax(tab, site_url):
    tab.page.goto(site_url + "about/")
    tab.page.wait_for_load_state("networkidle")
    assert not [url for url in tab.requests if "/assets/mathjax/" in url]
