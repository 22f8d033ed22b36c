"""What a `--dirty` build reads from the record: which pages a page's output links to, and which
fields of a page model a save changed (diary/speed/incremental.py)."""

import dataclasses

import pytest

from diary.pages import model_markdown
from diary.speed.incremental import SHOWN, _differing, _field_digests, _linked

pytestmark = pytest.mark.unit

URLS = {".": "index.md", "essays": "essays/index.md", "essays/a b": "essays/a b.md", "tags": "tags.md"}
SITE = "https://example.org/diary/"


def test_relative_links_resolve_against_the_page_that_holds_them():
    output = ('<a href="../">up</a> <a href=\'../a%20b/#part\'>sibling</a> <a href="../../tags/#tag:x">tag</a>'
              '<a href="#top">itself</a> <a href="../../../outside/">outside</a>')
    assert _linked(output, "essays/c/", URLS, SITE) == {"essays/index.md", "essays/a b.md", "tags.md"}
    assert _linked('<a href="essays/">essays</a>', "./", URLS, SITE) == {"essays/index.md"}


def test_links_by_the_sites_address_count_and_other_hosts_do_not():
    output = ('<a href="https://example.org/diary/essays/">x</a> <a href="/diary/tags/">y</a> '
              '<a href="https://elsewhere.org/diary/">z</a> <a href="/other/">w</a> <link href="mailto:me@example.org">')
    assert _linked(output, "404.html", URLS, SITE) == {"essays/index.md", "tags.md"}


def test_escaped_addresses_are_read_as_the_browser_reads_them():
    assert _linked('<a href="../a%20b/?q=1&amp;r=2">x</a>', "essays/c/", URLS, SITE) == {"essays/a b.md"}


def test_a_save_is_compared_field_by_field():
    before = model_markdown("---\ntags: [a]\n---\n\n# Title\n\nSummary.\n\n## Part\n", "essays/x.md")
    after = model_markdown("---\ntags: [a, b]\n---\n\n# Title\n\nSummary.\n\n## Part two\n", "essays/x.md")
    assert _differing(_field_digests(after), _field_digests(before)) == {"tags", "headings"}
    assert _differing(_field_digests(before), _field_digests(before)) == set()
    # A page generated or unreadable, or a model with a field the record does not know: not field by field.
    assert _differing(_field_digests(after), "generated") is None
    assert _differing({**_field_digests(after), "new": "1"}, _field_digests(before)) is None


def test_only_fields_of_the_page_model_are_shown_without_a_full_rebuild():
    assert set(SHOWN) <= {field.name for field in dataclasses.fields(model_markdown("# T\n", "x.md"))}
