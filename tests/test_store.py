"""The cache store on its own: entries written whole or not at all, anything unreadable a miss, a size bound."""

import os
import time

import pytest

from diary.speed import store as store_module
from diary.speed.store import Store

pytestmark = pytest.mark.unit

MB = 1024 * 1024


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "cache", max_bytes=10 * MB, max_age=30 * 86400)


def entry_files(store):
    return sorted(path for path in store.root.glob("*/*/*"))


def test_a_kept_value_comes_back_as_it_was(store):
    store.put("markdown", "ab12", {"content": "<p>Kneser-Ney</p>", "toc": [], "anchors": ["x"]})
    store.put("social-card", "cd34", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert store.get("markdown", "ab12") == {"content": "<p>Kneser-Ney</p>", "toc": [], "anchors": ["x"]}
    assert store.get("social-card", "cd34") == b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    assert store.get("markdown", "ef56") is None


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],
    lambda data: b"",
    lambda data: os.urandom(len(data)),
    lambda data: data[:-1],
])
def test_a_damaged_entry_is_a_miss_and_is_removed(store, damage):
    store.put("search", "ab12", [{"location": "essays/", "text": "t", "title": "T"}])
    [path] = entry_files(store)
    path.write_bytes(damage(path.read_bytes()))
    assert store.get("search", "ab12") is None
    assert not path.exists()


def test_an_entry_moved_under_another_key_or_kind_is_a_miss(store):
    store.put("theme", "ab12", "<html>one</html>")
    [path] = entry_files(store)
    elsewhere = store.root / "theme" / "ab" / "ab99"
    path.rename(elsewhere)
    assert store.get("theme", "ab99") is None
    store.put("theme", "ab12", "<html>one</html>")
    other_kind = store.root / "search" / "ab" / "ab12"
    other_kind.parent.mkdir(parents=True)
    entry_files(store)[0].rename(other_kind)
    assert store.get("search", "ab12") is None


def test_a_write_that_fails_halfway_leaves_the_old_entry_and_no_temporary_file(store, monkeypatch):
    store.put("markdown", "ab12", {"content": "old"})

    def interrupted(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.os, "replace", interrupted)
    store.put("markdown", "ab12", {"content": "new"})  # does not raise: the build goes on without it
    monkeypatch.undo()
    assert store.get("markdown", "ab12") == {"content": "old"}
    assert [path.name for path in entry_files(store)] == ["ab12"]


def test_a_store_that_cannot_be_written_is_only_a_slower_build(tmp_path):
    (tmp_path / "cache").write_text("a file where the cache folder would go")
    blocked = Store(tmp_path / "cache", max_bytes=MB, max_age=86400)
    blocked.put("markdown", "ab12", {"content": "x"})
    assert blocked.get("markdown", "ab12") is None
    blocked.evict()


def test_eviction_drops_stale_entries_then_the_least_recently_used_beyond_the_bound(tmp_path):
    small = Store(tmp_path / "cache", max_bytes=3000, max_age=30 * 86400)
    now = time.time()
    for number in range(6):
        small.put("theme", f"{number:02d}aa", os.urandom(1000))  # about 1 kB each: random bytes do not compress
        os.utime(small.root / "theme" / f"{number:02d}" / f"{number:02d}aa", (now - 600 + number, now - 600 + number))
    stale = small.root / "theme" / "05" / "05aa"
    os.utime(stale, (now - 31 * 86400, now - 31 * 86400))
    small.get("theme", "00aa")  # used just now: the most recent of all
    small.evict(now=now)
    left = {path.name for path in entry_files(small)}
    assert "05aa" not in left, "unused for longer than max_age"
    assert small.size() <= 3000
    assert "00aa" in left and "04aa" in left and "01aa" not in left


def test_eviction_removes_orphaned_temporary_files_only(store):
    store.put("markdown", "ab12", {"content": "x"})
    folder = store.root / "markdown" / "ab"
    orphan, in_flight = folder / ".ab34.999.tmp", folder / ".ab56.998.tmp"
    orphan.write_bytes(b"half an entry")
    in_flight.write_bytes(b"being written")
    old = time.time() - 2 * store_module.ORPHANED_SECONDS
    os.utime(orphan, (old, old))
    store.evict()
    assert not orphan.exists() and in_flight.exists()
    assert store.get("markdown", "ab12") == {"content": "x"}
