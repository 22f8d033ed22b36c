"""Folder indexes and navigation that follow the files, not a hand-kept list.

A folder whose `index.md` heads a section of the navigation gets every
published notebook and page saved in that folder added to that section (drafts
are left out), and the line
`<!-- diary:listing -->` in the index becomes a table of the folder's
notebooks, notes and scripts with their title, summary, date and tags, read
from the files themselves. Adding a notebook to a folder needs no other edit.
"""

import posixpath
from pathlib import Path

from diary_files import DiaryFileError, markdown_info, notebook_info, read_notebook, script_info
from mkdocs.plugins import event_priority

MARKER = "<!-- diary:listing -->"
LISTED = (".ipynb", ".md", ".py")
PAGES = (".ipynb", ".md")


@event_priority(-50)  # after the publishing hook has marked drafts
def on_files(files, config):
    published = {file.src_uri for file in files.documentation_pages() if file.src_uri.endswith(PAGES)}
    config.nav = extend_sections(config.nav or [], published)
    return files


def nav_paths(nav):
    """Every page path named anywhere in a (raw) nav configuration."""
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            yield from nav_paths(value)
        elif isinstance(value, str):
            yield value


def extend_sections(nav, published):
    """Append to each folder's section the published pages of that folder missing from the nav."""
    named = set(nav_paths(nav))
    return [_extend(item, published, named) for item in nav]


def _extend(item, published, named):
    if not isinstance(item, dict):
        return item
    (title, value), = item.items()
    if not isinstance(value, list):
        return item
    value = [_extend(child, published, named) for child in value]
    folder = next((posixpath.dirname(p) for p in value if isinstance(p, str) and p.endswith("/index.md")), None)
    if folder:
        for path in sorted(p for p in published if posixpath.dirname(p) == folder and p not in named):
            value.append(path)
            named.add(path)
    return {title: value}


def on_page_markdown(markdown, page, config, files):
    if is_blog_listing(page, config):
        # The notes index, archive and category pages only repeat excerpts of posts that
        # are indexed themselves; indexing them too would list each note four times.
        page.meta["search"] = {"exclude": True}
    if MARKER not in markdown:
        return markdown
    folder = posixpath.dirname(page.file.src_uri)
    entries = folder_entries(files, folder, page.file.src_uri)
    template = config.theme.get_env().get_template("partials/listing.md.jinja")
    return markdown.replace(MARKER, template.render(entries=entries))


def is_blog_listing(page, config):
    blog = config.plugins.get("material/blog")
    if blog is None:
        return False
    root = blog.config.blog_dir.strip("/") + "/"
    posts = blog.config.post_dir.format(blog=blog.config.blog_dir).strip("/") + "/"
    return page.file.src_uri.startswith(root) and not page.file.src_uri.startswith(posts)


def folder_entries(files, folder, index):
    """Listing entries for the files directly inside `folder`, newest first, then by title."""
    entries = []
    for file in files:
        if posixpath.dirname(file.src_uri) != folder or file.src_uri == index or not file.inclusion.is_included():
            continue
        extension = posixpath.splitext(file.src_uri)[1]
        if extension not in LISTED:
            continue
        try:
            info = file_info(file, extension)
        except DiaryFileError:
            continue  # the publishing checks report it
        kind = {".ipynb": "Notebook", ".md": "Note", ".py": "Script"}[extension]
        entries.append({**info, "kind": kind, "link": posixpath.basename(file.src_uri)})
    return sorted(entries, key=lambda e: (-(e["date"].toordinal() if e["date"] else 0), e["title"] or ""))


def file_info(file, extension):
    name = f"docs/{file.src_uri}"
    if extension == ".ipynb":
        info = notebook_info(read_notebook(file.abs_src_path, name), name)
    elif extension == ".md":
        info = markdown_info(Path(file.abs_src_path).read_text(encoding="utf-8"), name)
    else:
        info = script_info(Path(file.abs_src_path).read_text(encoding="utf-8"), posixpath.basename(file.src_uri))
    info["title"] = info["title"] or posixpath.basename(file.src_uri)
    return info
