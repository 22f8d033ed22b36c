"""What is new: the newest notes and the most recently revised pages, for the home page.

`<!-- diary:latest-notes -->` becomes a list of the newest published quick notes
(the blog's posts), by the date each was created; `<!-- diary:recently-updated -->`
a list of the other pages and notebooks revised most recently, by the
`date.updated` in their front matter (`updated` in a notebook's diary
metadata), or by their own date when they give no revision. Both lists are
worked out from the page models alone, never from git or the clock, so a build
with the cache on or off and a `--dirty` rebuild under `make serve` (git dates
off) show the same lists; a save that changes a date changes a page model,
which rebuilds every page. A page that gives no date at all is left out of the
revised list: its git history says when its file changed, not whether its
content did.
"""

import posixpath

MARKERS = {
    "latest-notes": "<!-- diary:latest-notes -->",
    "recently-updated": "<!-- diary:recently-updated -->",
}
LIMIT = 5


def posts_folder(config):
    """Where the blog keeps its posts ('notes/posts/'), or None without the blog."""
    blog = config.plugins.get("material/blog")
    if blog is None or not blog.config.enabled:
        return None
    return blog.config.post_dir.format(blog=blog.config.blog_dir).strip("/") + "/"


def newest_notes(models, posts, limit=LIMIT):
    """The `limit` newest dated notes under `posts`, newest first, then by title."""
    if posts is None:
        return []
    notes = [
        _entry(src_uri, model, model.date, "")
        for src_uri, model in models.items()
        if src_uri.startswith(posts) and model.date is not None
    ]
    return _newest(notes, limit)


def recently_updated(models, posts, shown_on, limit=LIMIT):
    """The `limit` pages and notebooks (not notes, not the page `shown_on`) with the latest
    revision date, or their own date when they give none; newest first, a page added on a day
    before those revised on it, then by title."""
    pages = []
    for src_uri, model in models.items():
        if src_uri == shown_on or (posts and src_uri.startswith(posts)) or model.kind == "script":
            continue
        when = model.updated or model.date
        if when is not None:
            pages.append(_entry(src_uri, model, when, "updated" if model.updated else "added"))
    return _newest(pages, limit)


def _entry(src_uri, model, when, how):
    return {"src_uri": src_uri, "title": model.title or posixpath.basename(src_uri), "summary": model.summary,
            "date": when, "how": how}


def _newest(entries, limit):
    return sorted(entries, key=lambda e: (-e["date"].toordinal(), e["how"] == "updated", e["title"],
                                          e["src_uri"]))[:limit]


def insert_latest(markdown, page, config, models, templates):
    """Each of this module's markers as its list, linked relative to the page that shows it."""
    if not any(marker in markdown for marker in MARKERS.values()):
        return markdown
    posts = posts_folder(config)
    here = posixpath.dirname(page.file.src_uri)
    lists = {
        "latest-notes": newest_notes(models, posts),
        "recently-updated": recently_updated(models, posts, page.file.src_uri),
    }
    template = templates.get_template("latest.md.jinja")
    for name, marker in MARKERS.items():
        if marker in markdown:
            entries = [{**entry, "link": posixpath.relpath(entry["src_uri"], here or "."),
                        "title": _link_text(entry["title"])} for entry in lists[name]]
            markdown = markdown.replace(marker, template.render(kind=name, entries=entries))
    return markdown


def _link_text(title):
    """A title safe inside [...]: brackets escaped."""
    return title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
