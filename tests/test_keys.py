"""Cache keys come from declared inputs only, and cover everything those inputs are."""

import dataclasses
import datetime
import re
from pathlib import Path

import pytest

from diary.pages import PageModel
from diary.speed import compat, keys

pytestmark = pytest.mark.unit

PACKAGE = Path(keys.__file__).resolve().parents[1]


def a_model(**changes):
    fields = dict(kind="page", title="Attention", summary="What attention is.", date=datetime.date(2026, 11, 1),
                  tags=("attention",), categories=(), draft=False, elsewhere="", personal_data=(),
                  citations=("vaswani2017attention",),
                  headings=("# Attention",),
                  excerpt="", links=(), markers=(), gathers=False)
    return PageModel(**{**fields, **changes})


def test_a_key_refuses_an_input_its_kind_does_not_declare_or_one_it_leaves_out():
    with pytest.raises(TypeError, match="missing .*'content'"):
        keys.derive("secret-scan", "env", file="docs/a.md")
    with pytest.raises(TypeError, match="not declared .*'extra'"):
        keys.derive("secret-scan", "env", file="docs/a.md", content="x", extra=1)


def test_every_kind_of_entry_the_code_keeps_is_declared():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""(?:\b(?:layer|speed|self)\.(?:key|memo|memory)|\bstore\.(?:get|put|forget))"""
                               r"""\(\s*["']([\w-]+)["']""", text))
    assert used and used <= set(keys.INPUTS), used - set(keys.INPUTS)


def test_every_input_and_the_code_change_the_key():
    base = dict(file="docs/a.md", content="abc")
    key = keys.derive("secret-scan", "env", **base)
    assert keys.derive("secret-scan", "env", **base) == key
    assert keys.derive("secret-scan", "env", **{**base, "content": "abd"}) != key
    assert keys.derive("secret-scan", "env", **{**base, "file": "docs/b.md"}) != key
    assert keys.derive("secret-scan", "other code", **base) != key
    assert keys.derive("social-card", "env", title="docs/a.md", description="abc") != key


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, datetime.date):
        return value + datetime.timedelta(days=1)
    if isinstance(value, tuple):
        return value + ("changed",)
    return f"{value} (changed)"


def test_every_field_of_the_page_model_is_in_its_digest():
    model = a_model()
    for field in dataclasses.fields(PageModel):
        other = dataclasses.replace(model, **{field.name: changed(getattr(model, field.name))})
        assert keys.digest(other) != keys.digest(model), field.name


def test_a_field_added_to_the_page_model_changes_its_digest_with_no_other_edit():
    # The page model grows a field, as it will when pages start showing something new to each other.
    Grown = dataclasses.make_dataclass("Grown", [("reading_time", int, dataclasses.field(default=0))],
                                       bases=(PageModel,), frozen=True)
    fields = {field.name: getattr(a_model(), field.name) for field in dataclasses.fields(PageModel)}
    short, long = Grown(**fields, reading_time=2), Grown(**fields, reading_time=9)
    assert keys.digest(short) != keys.digest(long)
    assert keys.canonical(short)["reading_time"] == 2


def test_the_environment_covers_the_diarys_code_and_the_engine_running_it():
    environment = keys.environment()
    assert environment == keys.environment()
    assert any(name.startswith("mkdocs-1.6.1.") for name in keys.installed())
    assert compat.engine() in ("mkdocs", "properdocs")


def test_the_installed_versions_are_the_tested_ones():
    """The pins in requirements.txt and the versions compat.py was tested with move together."""
    assert compat.mismatch() is None
    pins = dict(line.split("==") for line in (PACKAGE.parent / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    for name, version in compat.TESTED.items():
        assert pins[name] == version, name
