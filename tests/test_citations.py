"""References: a complete .bib, author-year citations that link and resolve, and "cited on" links."""

import re
from collections import defaultdict

import pytest
from playwright.sync_api import expect
from pybtex.database import parse_file
from selectolax.lexbor import LexborHTMLParser

from conftest import ROOT, run_mkdocs
from diary.pages import cited_keys

BIB = ROOT / "docs" / "references.bib"
VENUE_FIELDS = ("journal", "booktitle", "publisher", "institution", "howpublished", "school")
REQUIRED_KEYS = """
shannon1951prediction good1953population katz1987estimation kneser1995improved lecun1989backpropagation
schmidhuber1991curiosity hochreiter1997long lecun2006tutorial cho2014learning bahdanau2015neural
vaswani2017attention ha2018world devlin2019bert radford2019language hafner2019planet hafner2020dream
schrittwieser2020mastering olah2020zoom hu2022lora lecun2022path elhage2022toy assran2023ijepa
dettmers2023qlora mukherjee2023orca pelrine2023exploiting bardes2024vjepa templeton2024scaling
""".split()


@pytest.fixture(scope="module")
def topics():
    """The reading list's groups, as mkdocs.yml gives them to the diary plugin."""
    from mkdocs.config import load_config

    return load_config(str(ROOT / "mkdocs.yml")).plugins["diary"].config.topics


@pytest.fixture(scope="module")
def bib():
    return parse_file(str(BIB))


def built_pages(site):
    for html in sorted(site.rglob("index.html")):
        yield html, LexborHTMLParser(html.read_text(encoding="utf-8"))


@pytest.mark.unit
def test_the_brief_references_are_all_there(bib):
    assert sorted(set(REQUIRED_KEYS) - set(bib.entries)) == []


@pytest.mark.unit
def test_every_entry_is_complete(bib, topics):
    problems = []
    for key, entry in bib.entries.items():
        fields = {name.lower(): value for name, value in entry.fields.items()}
        if not entry.persons.get("author"):
            problems.append(f"{key}: no author")
        for name in ("title", "year"):
            if not fields.get(name):
                problems.append(f"{key}: no {name}")
        if not any(fields.get(name) for name in VENUE_FIELDS):
            problems.append(f"{key}: no venue")
        if not (fields.get("doi") or fields.get("url")):
            problems.append(f"{key}: neither doi nor url")
        if fields.get("eprint") and fields.get("archiveprefix", "").lower() != "arxiv":
            problems.append(f"{key}: eprint without archiveprefix = arXiv")
        if fields.get("keywords") not in topics:
            problems.append(f"{key}: keywords is not one of {list(topics)}")
    assert problems == []


@pytest.mark.unit
def test_the_seed_corrections_hold_in_the_bibliography(bib):
    muzero = bib.entries["schrittwieser2020mastering"]
    assert muzero.persons["author"][0].last_names == ["Schrittwieser"]
    assert muzero.fields["journal"] == "Nature" and muzero.fields["volume"] == "588"
    assert bib.entries["bardes2024vjepa"].fields["eprint"] == "2404.08471"
    assert bib.entries["assran2023ijepa"].fields["eprint"] == "2301.08243"
    assert "Schmidhuber" in str(bib.entries["hochreiter1997long"].persons["author"][1])


@pytest.mark.unit
def test_every_citation_in_the_sources_names_a_known_key(bib):
    unknown = {}
    for page in (ROOT / "docs").rglob("*.md"):
        missing = set(cited_keys(page.read_text(encoding="utf-8"))) - set(bib.entries)
        if missing:
            unknown[str(page.relative_to(ROOT))] = sorted(missing)
    assert unknown == {}


@pytest.mark.build
def test_citations_read_author_year_and_link_to_the_page_reference_list(built_site):
    seen = 0
    for html, tree in built_pages(built_site):
        for link in tree.css("a.citation"):
            seen += 1
            assert re.search(r"\w.*, (\d{4}[a-z]?|n\.d\.)", link.text()), (html, link.text())
            target = link.attributes["href"]
            assert target.startswith("#fn:")
            entry = tree.css_first(f'li[id="{target[1:]}"]')
            assert entry is not None, (html, target)
            assert re.search(r"https://(doi\.org|arxiv\.org|[\w.-]+)/", entry.html), (html, target)
        assert not tree.css("sup[id^='fnref:']") or html.parent.name == "404", html
    assert seen >= 40


@pytest.mark.build
def test_two_works_never_read_alike_on_any_page(built_site):
    # Pandoc adds names or a year letter to tell "Nanda et al., 2023" from "Nanda et al., 2023" only
    # among the citations it formats together; the diary formats all of them together.
    for html, tree in built_pages(built_site):
        keys_by_text = defaultdict(set)
        for link in tree.css("a.citation"):
            keys_by_text[link.text()].add(link.attributes["href"])
        assert {text: keys for text, keys in keys_by_text.items() if len(keys) > 1} == {}, html


@pytest.mark.build
def test_vaswani_reads_as_in_the_literature(built_site):
    tree = LexborHTMLParser((built_site / "history/attention-and-transformers/index.html").read_text())
    texts = [link.text() for link in tree.css("a.citation")]
    assert "Vaswani et al., 2017" in texts


@pytest.mark.build
def test_names_pandoc_keeps_as_written_show_no_markup(built_site):
    # Hoffmann et al. has "de Las Casas" among its authors; pandoc marks such names "{.nocase}".
    for page in ("reading/index.html", "essays/focus-areas/index.html"):
        text = LexborHTMLParser((built_site / page).read_text(encoding="utf-8")).body.text()
        assert "Hoffmann et al." in text or "Hoffmann, J." in text, page
        assert not re.search(r"\]\{\.[\w-]+\}", text), page


@pytest.mark.build
def test_cited_on_lists_exactly_the_pages_that_cite_each_entry(built_site):
    really_cited = defaultdict(set)
    for html, tree in built_pages(built_site):
        page = html.parent.relative_to(built_site).as_posix()
        for link in tree.css("a.citation"):
            really_cited[link.attributes["href"].removeprefix("#fn:")].add(page)

    reading = built_site / "reading"
    tree = LexborHTMLParser((reading / "index.html").read_text())
    entries = tree.css("div.bib-entry")
    assert len(entries) >= 40
    listed = {}
    for entry in entries:
        key = entry.css_first("h4").attributes["id"].removeprefix("bib-")
        links = entry.css(".bib-cited-on a")
        listed[key] = {
            (reading / link.attributes["href"]).resolve().relative_to(built_site.resolve()).as_posix()
            for link in links
        }
        assert entry.css_first("a[href^='https://']") is not None, f"{key} has no DOI/arXiv link"
    assert listed == {key: really_cited.get(key, set()) for key in listed}
    assert set(really_cited) <= set(listed)


@pytest.mark.build
def test_bibliography_is_grouped_by_topic(built_site):
    tree = LexborHTMLParser((built_site / "reading/index.html").read_text())
    headings = [h.text().rstrip("\u00b6") for h in tree.css("article h3")]
    for topic in ("History of language models", "World models and model-based RL",
                  "Interpretability", "Alignment and safety", "Fine-tuning and imitation"):
        assert topic in headings


@pytest.mark.build
def test_unknown_citation_key_fails_the_build_naming_page_and_key(project_copy):
    page = project_copy / "docs" / "essays" / "focus-areas.md"
    page.write_text(page.read_text() + "\n\nA claim with no source [@nobody2099imaginary].\n")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode != 0
    assert "essays/focus-areas.md: unknown citation key '@nobody2099imaginary'" in result.stdout


@pytest.mark.build
def test_a_bib_entry_without_a_topic_fails_the_build_naming_the_entry(project_copy):
    bib = project_copy / "docs" / "references.bib"
    bib.write_text(bib.read_text() + "\n@misc{stray2020, author = {Doe, Jane}, title = {Stray},"
                   " year = {2020}, url = {https://example.org/}}\n")
    result = run_mkdocs("build", "--strict", "--site-dir", "out", cwd=project_copy)
    assert result.returncode != 0
    assert "entry 'stray2020' has keywords ''" in result.stdout
    assert "Traceback" not in result.stdout


@pytest.mark.browser
def test_hovering_a_citation_shows_the_full_reference(tab, site_url):
    tab.page.goto(site_url + "history/attention-and-transformers/")
    tab.page.wait_for_load_state("networkidle")  # the theme has set up instant navigation
    citation = tab.page.locator("a.citation", has_text="Vaswani et al., 2017").first
    citation.hover()
    tooltip = tab.page.locator(".md-tooltip2").filter(has_text="Attention is all you need")
    tooltip.first.wait_for(state="visible", timeout=5000)
    assert "Vaswani, A." in tooltip.first.inner_text()
    citation.click()
    # The reader lands on the reference (the address itself may move on: the theme's anchor
    # tracking names the section in view).
    expect(tab.page.locator("[id='fn:vaswani2017attention']")).to_be_in_viewport()
    assert tab.foreign_requests() == []
