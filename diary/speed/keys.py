"""Every cache key, derived from the inputs its kind of entry declares.

Each kind of entry names, in INPUTS, everything its value is made from;
`derive` refuses a missing or an extra input, so a key cannot silently leave
one out. Every key also covers the code that makes the values: the diary
package itself, the installed packages' versions and the Python version
(`environment`). Values are written canonically: a dataclass (the page model)
by all of its fields, so a field added to the page model changes every key
that takes a page model, with no other edit.
"""

import dataclasses
import datetime
import hashlib
import json
import os
import platform
import sys
from pathlib import Path

import diary
from diary.speed import compat

INPUTS = {
    # Markdown converted to HTML, table of contents and anchors (speed/markdown.py).
    "markdown": ("markdown", "src_uri", "url", "settings", "files"),
    # A notebook converted by mkdocs-jupyter (speed/notebooks.py), and a stylesheet its HTML shares.
    "notebook-html": ("notebook", "options"),
    "notebook-style": ("css",),
    # A converted notebook finished into the diary's page body (diary/notebooks.py).
    "notebook-page": ("html", "src_uri", "record", "bibliography", "site", "saved"),
    # Material's search entries for one page (speed/search.py).
    "search": ("content", "url", "title", "toc", "meta"),
    # The terms of one page's search entries, for the prebuilt index (diary/search.py, speed/search.py).
    "search-terms": ("entries", "separator", "pipeline"),
    # A theme template compiled by Jinja, and a page written out through the theme (speed/theme.py).
    "template-code": ("template", "source"),
    "theme": ("site", "pages", "content", "url", "title", "canonical_url", "edit_url", "inclusion", "toc",
              "meta", "neighbours", "ancestors", "tags"),
    # detect-secrets' findings in one file (diary/secrets.py).
    "secret-scan": ("file", "content"),
    # The link-preview image (diary/social.py).
    "social-card": ("title", "description"),
    # What a `--dirty` build needs of the build before it (speed/incremental.py).
    "incremental": ("site_dir",),
    # A page's last or first commit, as the git-dates plugin finds it, and the feeds plugin's
    # `git log` for a page (speed/history.py).
    "git-dates": ("head", "file", "first", "options"),
    "feed-dates": ("head", "file", "options"),
    # pandoc's formatting of a batch of citations and their references (speed/citations.py).
    "citations": ("blocks", "bibliography", "style"),
}


def derive(kind, environment, **inputs):
    """The key of an entry of `kind` made from `inputs` by the code in `environment`."""
    declared = INPUTS[kind]
    if set(inputs) != set(declared):
        missing, extra = set(declared) - set(inputs), set(inputs) - set(declared)
        raise TypeError(f"{kind} key: missing {sorted(missing)}, not declared {sorted(extra)}")
    text = json.dumps([kind, environment, [canonical(inputs[name]) for name in declared]],
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# A long text stands in a key by its hash: writing out whole pages was a fifth of a warm build.
LONG = 512


def canonical(value):
    """`value` as plain JSON data, the same for equal values (long texts and bytes by their
    hash, tagged so that no other value can come out the same)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: canonical(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(canonical(item) for item in value)
    if isinstance(value, bytes):
        return ["\0bytes", hashlib.sha256(value).hexdigest()]
    if isinstance(value, str) and len(value) > LONG:
        return ["\0text", hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if callable(value):  # a setting such as an emoji generator, by its qualified name
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def digest(value):
    """A short hash of a canonical value, for inputs shared by many keys."""
    text = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def environment():
    """What every key shares: the diary's own code, the engine running it (mkdocs or properdocs),
    every installed package's version, Python's."""
    package = Path(diary.__file__).parent
    code = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".jinja", ".js")):
        code.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest({"code": code.hexdigest(), "engine": compat.engine(), "packages": installed(),
                   "python": platform.python_version()})


def installed():
    """Every installed distribution, by its metadata folder's name (name and version, e.g.
    mkdocs-1.6.1.dist-info): reading each one's metadata would cost a build a fifth of a second."""
    names = set()
    for folder in sys.path:
        try:
            names.update(name for name in os.listdir(folder or ".") if name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return sorted(names)
