"""Folder indexes and navigation that follow the files, not a hand-kept list.

A folder whose `index.md` heads a section of the navigation gets every
published notebook and page saved in that folder added to that section (drafts
are left out), and the line `<!-- diary:listing -->` in the index becomes a
table of the folder's notebooks, notes and scripts with their title, summary,
date and tags from the page models. Adding a notebook to a folder needs no
other edit, and neither does a new folder: a folder of notebooks with no
place in the navigation becomes a section under Notebooks, headed by its own
`index.md` or, when it has none, by a generated one titled from the folder's
name that lists the folder. A file whose path has spaces or other characters
URLs cannot carry gets an escaped edit link.

A listed folder's section names at most `nav_limit` pages in the navigation,
the newest ones; the rest stay one click away on the index, in search and in
the sitemap, and still show their section as the open one. Every page carries
its section's navigation, so a 400-entry sidebar would cost 400 entries in each
of 400 pages, and nobody scans a list that long.
"""

import posixpath
import re
from urllib.parse import quote

from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page

MARKER = "<!-- diary:listing -->"
PAGES = (".ipynb", ".md")
KINDS = {"notebook": "Notebook", "page": "Note", "script": "Script"}


def add_folder_sections(files, config, under):
    """Give each folder of notebooks with no place in the nav a section in the `under` section."""
    if not config.nav:
        return  # MkDocs builds the whole navigation from the folders
    named = set(nav_paths(config.nav))
    folders = sorted({
        posixpath.dirname(file.src_uri) for file in files.documentation_pages()
        if file.src_uri.endswith(".ipynb") and file.inclusion.is_included() and file.src_uri not in named
        and posixpath.dirname(file.src_uri)
    })
    for folder in folders:
        index = f"{folder}/index.md"
        if index in named:
            continue
        if files.get_file_from_path(index) is None:
            files.append(File.generated(config, index, content=generated_index(folder)))
        config.nav = _with_section(config.nav, under, {folder_title(folder): [index]})


def folder_title(folder):
    """'reinforcement-learning' or 'Reinforcement learning' -> 'Reinforcement learning'; 'RL' stays."""
    name = re.sub(r"[-_]+", " ", posixpath.basename(folder)).strip()
    return name[:1].upper() + name[1:] if name.islower() else name


def generated_index(folder):
    title = folder_title(folder)
    return (f"---\ndescription: The notebooks in {title}, newest first.\n---\n\n# {title}\n\n"
            f"Every notebook saved in this folder, newest first.\n\n{MARKER}\n")


def _with_section(nav, under, section):
    """`nav` with `section` added to its `under` section (made last if there is none), after the
    folder sections already there."""
    for position, item in enumerate(nav):
        if isinstance(item, dict) and list(item) == [under] and isinstance(item[under], list):
            children = list(item[under])
            last_section = max((n for n, child in enumerate(children) if isinstance(child, dict)
                                and isinstance(next(iter(child.values())), list)), default=-1)
            children.insert(last_section + 1, section)
            return [*nav[:position], {under: children}, *nav[position + 1:]]
    return [*nav, {under: [section]}]


def escape_edit_links(files):
    """An edit link to a path with spaces or other characters a URL cannot carry, escaped."""
    for file in files.documentation_pages():
        if file.edit_uri and quote(file.edit_uri) != file.edit_uri:
            file.edit_uri = quote(file.edit_uri)


def extend_nav(files, config, models, limit):
    """Add each listed folder's published pages to its nav section, at most `limit` of them."""
    pages = [file for file in files.documentation_pages() if file.src_uri.endswith(PAGES)]
    chosen = set(nav_paths(config.nav or []))
    config.nav = extend_sections(config.nav or [], {file.src_uri for file in pages})
    added = set(nav_paths(config.nav)) - chosen
    left_out = list(overflow(pages, added, chosen, listed_folders(models), models, limit))
    config.nav = list(_without(config.nav, {file.src_uri for file in left_out}))
    for file in left_out:
        file.inclusion = InclusionLevel.NOT_IN_NAV


def listed_folders(models):
    return {
        posixpath.dirname(src_uri)
        for src_uri, model in models.items()
        if posixpath.basename(src_uri) == "index.md" and "listing" in model.markers
    }


def overflow(pages, added, chosen, folders, models, limit):
    """Pages added to listed folders' sections beyond `limit` (newest kept), which leave the
    navigation again. Pages the author put in the nav by hand always stay."""
    by_folder = {}
    for file in pages:
        if file.src_uri in added and posixpath.dirname(file.src_uri) in folders:
            by_folder.setdefault(posixpath.dirname(file.src_uri), []).append(file)
    for folder, members in by_folder.items():
        room = max(0, limit - sum(posixpath.dirname(path) == folder for path in chosen))
        yield from sorted(members, key=lambda file: _newest_first(file, models))[room:]


def _newest_first(file, models):
    date = models[file.src_uri].date if file.src_uri in models else None
    return (-(date.toordinal() if date else 0), file.src_uri)


def _without(nav, paths):
    for item in nav:
        if isinstance(item, dict):
            (title, value), = item.items()
            if isinstance(value, list):
                item = {title: list(_without(value, paths))}
            elif value in paths:
                continue
        elif item in paths:
            continue
        yield item


def attach_unlisted(nav, files, config):
    """Give each page left out of the navigation its folder's section, for breadcrumbs and the sidebar."""
    sections = {}
    for item in _sections(nav.items):
        index = next((c for c in item.children if c.is_page and c.file.src_uri.endswith("/index.md")), None)
        if index is not None:
            sections[posixpath.dirname(index.file.src_uri)] = item
    for file in files.documentation_pages():
        section = sections.get(posixpath.dirname(file.src_uri))
        if file.inclusion == InclusionLevel.NOT_IN_NAV and section is not None:
            # MkDocs has already made a page without a parent for each file outside the nav.
            page = file.page or Page(None, file, config)
            if page.parent is None:
                page.parent = section


def _sections(items):
    for item in items:
        if isinstance(item, Section):
            yield item
            yield from _sections(item.children)


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


def exclude_blog_listings_from_search(page, config):
    """The notes index, archive and category pages only repeat excerpts of posts that are
    indexed themselves; indexing them too would list each note four times."""
    blog = config.plugins.get("material/blog")
    if blog is None:
        return
    root = blog.config.blog_dir.strip("/") + "/"
    posts = blog.config.post_dir.format(blog=blog.config.blog_dir).strip("/") + "/"
    if page.file.src_uri.startswith(root) and not page.file.src_uri.startswith(posts):
        page.meta["search"] = {"exclude": True}


def insert_listing(markdown, page, files, models, templates):
    """The <!-- diary:listing --> marker as a table of the folder's files."""
    if MARKER not in markdown:
        return markdown
    entries = folder_entries(files, posixpath.dirname(page.file.src_uri), page.file.src_uri, models)
    return markdown.replace(MARKER, templates.get_template("listing.md.jinja").render(entries=entries))


def folder_entries(files, folder, index, models):
    """Listing entries for the published files directly inside `folder`, newest first, then by title."""
    entries = []
    for file in files:
        if posixpath.dirname(file.src_uri) != folder or file.src_uri == index or not file.inclusion.is_included():
            continue
        model = models.get(file.src_uri)
        if model is None:
            continue  # not a page, notebook or script, or one the checks report
        entries.append({
            "title": model.title or posixpath.basename(file.src_uri), "summary": model.summary,
            "date": model.date, "tags": list(model.tags), "kind": KINDS[model.kind],
            "link": posixpath.basename(file.src_uri),
        })
    return sorted(entries, key=lambda e: (-(e["date"].toordinal() if e["date"] else 0), e["title"] or ""))
