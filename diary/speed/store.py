"""Cache entries on disk: atomic writes, validated reads, and a size bound.

An entry lives at `<root>/<kind>/<key[:2]>/<key>`: a header line naming the
store's format, the entry's kind and key, the form of its value (text, bytes or
JSON), its length and a BLAKE2 digest, then the value itself. Writing goes to a
temporary file in the same folder that is then renamed over the entry, so a
reader sees the whole of an old or a new entry, never half of one. A read that
finds anything else (an empty, truncated or garbled file, an entry for another
key) treats it as a miss and removes it; a failed write (a full disk) is
skipped. Neither ever stops a build: without its cache the build is only
slower.

Each hit touches the entry's modification time; `evict` then drops entries no
build has used for `max_age` seconds, and beyond that the least recently used
until the store fits in `max_bytes`.
"""

import contextlib
import hashlib
import json
import logging
import os
import time
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.diary.speed")

FORMAT = b"diary-cache-2"
# Temporary files older than this belong to a build that was killed mid-write.
ORPHANED_SECONDS = 3600


class Store:
    def __init__(self, root, max_bytes, max_age):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.max_age = max_age

    def _path(self, kind, key):
        return self.root / kind / key[:2] / key

    def get(self, kind, key):
        """The value kept for (kind, key), or None."""
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        value = _decode(data, kind, key)
        if value is None:
            log.debug(f"unreadable cache entry {path} removed")
            _remove(path)
            return None
        try:
            os.utime(path)
        except OSError:
            pass  # evicted by another build meanwhile: the value is still good
        return value

    def has(self, kind, key):
        """Whether an entry is there, without reading it (a damaged one is still a miss when read)."""
        return self._path(kind, key).is_file()

    def put(self, kind, key, value):
        """Keep `value` (bytes, or anything JSON can write) for (kind, key)."""
        path = self._path(kind, key)
        temporary = path.with_name(f".{key}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(_encode(kind, key, value))
            os.replace(temporary, path)
        except OSError as error:
            log.debug(f"cache entry {path} not written: {error}")
            _remove(temporary)

    def forget(self, kind, key):
        _remove(self._path(kind, key))

    def evict(self, now=None):
        """Drop stale entries, then the least recently used beyond the size bound."""
        now = time.time() if now is None else now
        entries = []
        for path in self.root.glob("*/*/*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.name.startswith("."):
                if now - stat.st_mtime > ORPHANED_SECONDS:
                    _remove(path)
                continue
            if now - stat.st_mtime > self.max_age:
                _remove(path)
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            _remove(path)
            total -= size

    def size(self):
        return sum(path.stat().st_size for path in self.root.glob("*/*/*") if path.is_file())


def _remove(path):
    with contextlib.suppress(OSError):  # gone already, or never could be written
        path.unlink()


def _encode(kind, key, value):
    if isinstance(value, bytes):
        form, payload = b"bytes", value
    elif isinstance(value, str):
        form, payload = b"text", value.encode("utf-8", "surrogatepass")
    else:
        form, payload = b"json", json.dumps(value, separators=(",", ":")).encode("utf-8")
    header = b" ".join([FORMAT, kind.encode(), key.encode(), form, str(len(payload)).encode(), _digest(payload)])
    return header + b"\n" + payload


def _decode(data, kind, key):
    header, _, payload = data.partition(b"\n")
    fields = header.split(b" ")
    if len(fields) != 6 or fields[:3] != [FORMAT, kind.encode(), key.encode()]:
        return None
    form, length, digest = fields[3:]
    if length != str(len(payload)).encode() or digest != _digest(payload):
        return None
    try:
        if form == b"bytes":
            return payload
        if form == b"text":
            return payload.decode("utf-8", "surrogatepass")
        return json.loads(payload) if form == b"json" else None
    except ValueError:
        return None


def _digest(payload):
    return hashlib.blake2b(payload, digest_size=16).hexdigest().encode()
