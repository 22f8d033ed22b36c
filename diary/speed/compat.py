"""Every reach of the speed layer into another package's internals, and the versions it was tested with.

MkDocs has no event for "this page's Markdown is already converted",
mkdocs-jupyter none for "this notebook is already converted", mkdocs-bibtex
none for "pandoc already formatted these citations", Material's search none
for "these are this page's entries", Material's tags plugin none for "these
pages, built before, carry these tags and hold these listings", nbconvert no
way to keep its compiled templates from one notebook to the next, and
detect-secrets no way to skip the lines none of its plugins can report; and
MkDocs checks links to anchors only from the pages it renders, so a page a
--dirty build skips must be given the links it was built with. The speed layer
gets those effects through the internals below, and nowhere else. They are
known to work with the versions in TESTED; with any other version installed
`mismatch()` says so, and the speed layer switches itself off for the build
(one INFO line), which then does all its work the packages' own way, only
slower.
"""

import functools
import json
import os
import re
from importlib import metadata
from pathlib import Path

import jinja2
import mkdocs
from mkdocs.structure.toc import get_toc

# The engine runs as `mkdocs` or, when built with ProperDocs (the maintained
# MkDocs 1.x fork), as `properdocs` under the name `mkdocs`.
TESTED = {
    "mkdocs": "1.6.1",
    "properdocs": "1.6.7",
    "mkdocs-material": "9.8.2",
    "mkdocs-jupyter": "0.26.3",
    "mkdocs-bibtex": "4.4.0",
    "nbconvert": "7.17.2",
    "mkdocs-git-revision-date-localized-plugin": "1.6.0",
    "mkdocs-rss-plugin": "1.17.3",
    "detect-secrets": "1.5.0",
}
ENGINES = ("mkdocs", "properdocs")


def engine():
    """The distribution that is really running the build: mkdocs or properdocs."""
    return mkdocs.__name__


def installed(name):
    """The installed version of distribution `name`, or None."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def mismatch():
    """Why the installed versions are not the tested ones, or None when they are."""
    for name in [engine(), *(name for name in TESTED if name not in ENGINES)]:
        version = installed(name)
        if version != TESTED[name]:
            return f"{name} {version or 'is not installed'} is not the version it was tested with ({TESTED[name]})"
    return None


# MkDocs: a page's Markdown conversion -----------------------------------------------------------

def converted_markdown(page):
    """What Page.render leaves on the page, as JSON data."""
    return {
        "content": page.content,
        "toc": toc_tokens(page.toc),
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids),
        "links": anchor_links(page),
    }


def show_converted_markdown(page, kept, files):
    page.content = kept["content"]
    page.toc = get_toc(kept["toc"])
    page._title_from_render = kept["title"]
    page.present_anchor_ids = set(kept["anchors"])
    restore_anchor_links(page, kept["links"], files)


def anchor_links(page):
    """The links to other pages' anchors that rendering the page found, {src_uri: {anchor: link}}:
    MkDocs checks them against the targets' anchors once every page is built."""
    return {file.src_uri: links for file, links in (page.links_to_anchors or {}).items()}


def restore_anchor_links(page, links, files):
    """Give the page its links to anchors (anchor_links) without rendering it. MkDocs checks a
    page's links only into pages rendered in the same build, so a page a --dirty build skips is
    checked against the pages it rebuilds, as a full build would check it."""
    targets = ((files.get_file_from_path(uri), anchors) for uri, anchors in links.items())
    page.links_to_anchors = {file: anchors for file, anchors in targets if file is not None}


def replace_render(page, render):
    """Have MkDocs call `render(convert, config, files)` instead of the page's own render (`convert`)."""
    convert = page.render
    page.render = lambda config, files: render(convert, config, files)


def toc_tokens(toc):
    """A table of contents as the tokens MkDocs makes it from."""
    return [{"name": item.title, "id": item.id, "level": item.level, "children": toc_tokens(item.children)}
            for item in toc]


def freeze_modified(files, also=()):
    """A --dirty build asks each page twice whether its source is newer than its output (to read
    it, then to write it); a save in between has MkDocs write a page it never read, and the
    search plugin crash on it. Both answers are made the one true when the build began; the
    pages in `also` (by src_uri) are rebuilt as if their source were newer."""
    for file in files:
        modified = file.is_modified() or file.src_uri in also
        file.is_modified = lambda modified=modified: modified


# mkdocs-jupyter: a notebook's conversion ---------------------------------------------------------

# The plugin's options that its conversion takes, under the names nb2html takes them.
CONVERT_OPTIONS = (
    "kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt", "remove_tag_config",
    "highlight_extra_classes", "include_requirejs", "custom_mathjax_url",
)


def notebook_options(plugin):
    """mkdocs-jupyter's options that decide a conversion, or None when it executes notebooks
    (a run's outputs are not a function of the file)."""
    if plugin.config["execute"]:
        return None
    options = {name: plugin.config[name] for name in CONVERT_OPTIONS}
    return {"convert": options, "toc_depth": plugin.config["toc_depth"],
            "ignore_h1_titles": plugin.config["ignore_h1_titles"]}


class _CompiledTemplates(jinja2.BytecodeCache):
    """nbconvert compiles its templates afresh for every notebook, a third of each conversion;
    this process keeps the compiled code (Jinja checks it against the template's source)."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def _compile_templates_once():
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = TemplateExporter._create_environment
    if getattr(create, "diary_compiled", None) is not None:
        return
    compiled = _CompiledTemplates()

    def create_environment(exporter):
        environment = create(exporter)
        environment.bytecode_cache = compiled
        return environment

    create_environment.diary_compiled = compiled
    TemplateExporter._create_environment = create_environment


class _LexborSoup:
    """What nbconvert's HTML exporter asks of BeautifulSoup (`select`, `attrs`, `str`), on lexbor.
    The exporter parses each notebook's whole HTML with Python's html.parser only to add alt text
    and tabindex to a few elements, a third of each conversion; lexbor does it in a fiftieth of the
    time. The two serialize the same page with attributes and blank lines in other places, so the
    choice must be the same for every build (parse_notebook_html_with_lexbor)."""

    def __init__(self, markup, features=None):
        from selectolax.lexbor import LexborHTMLParser

        self.tree = LexborHTMLParser(f"<body>{markup}</body>")

    def select(self, selector):
        return self.tree.body.css(selector)

    def __str__(self):
        return self.tree.body.inner_html


def parse_notebook_html_with_lexbor():
    """Have nbconvert's HTML exporter parse with lexbor (_LexborSoup), with the nbconvert it was
    tested with. Every build does this before its first conversion, with the speed layer on or off,
    so both publish the same bytes; worker processes started by `spawn` do it for themselves."""
    if installed("nbconvert") == TESTED["nbconvert"]:
        from nbconvert.exporters import html

        html.BeautifulSoup = _LexborSoup


def convert_notebook(path, options):
    """What mkdocs-jupyter's render computes for a notebook, as JSON data (run in worker processes too)."""
    from mkdocs_jupyter import convert
    from mkdocs_jupyter.plugin import _get_nb_toc_tokens

    _compile_templates_once()
    parse_notebook_html_with_lexbor()
    content = convert.nb2html(path, execute=False, **options["convert"])
    tokens, title = _get_nb_toc_tokens(path, options["toc_depth"])
    return {"content": content, "toc_tokens": tokens, "title": title}


def show_converted_notebook(page, kept, options):
    """Set on the page what mkdocs-jupyter's render would."""
    page.content = kept["content"]
    page.toc = get_toc(kept["toc_tokens"])
    if kept["title"] is not None and not options["ignore_h1_titles"]:
        page.title = kept["title"]


def is_converted_by(plugin, file):
    return plugin.should_include(file)


# mkdocs-bibtex: pandoc's formatting of citations -----------------------------------------------

def route_pandoc(registry, memo):
    """Send mkdocs-bibtex's pandoc runs through `memo(blocks, bibliography, style, run)`, which
    calls run() only for what it does not hold; memo=None gives the registry its own back."""
    registry.__dict__.pop("_process_with_pandoc", None)
    original = getattr(type(registry), "_process_with_pandoc", None)
    if memo is None or original is None:
        return

    def process(citation_blocks):
        blocks = [str(block) for block in citation_blocks]
        with open(registry.csl_file, "rb") as style:
            inline, references = memo(blocks, registry.bib_data_bibtex, style.read(),
                                      lambda: list(original(registry, citation_blocks)))
        return inline, references

    registry._process_with_pandoc = process


# The git-dates and feeds plugins: `git log` per page -----------------------------------------------

GIT_DATES = "git-revision-date-localized"


def dated_files(plugin, files):
    """{absolute path: path under the project} of the pages the git-dates plugin asks git about."""
    from mkdocs_git_revision_date_localized_plugin.exclude import exclude

    return {
        str(Path(file.abs_src_path).absolute()): file.src_uri
        for file in files.documentation_pages(inclusion=lambda _: True)
        if file.abs_src_path and not getattr(file, "generated_by", None)
        and not exclude(file.src_path, plugin.config.get("exclude", []))
    }


def git_dates_asked(plugin):
    """Whether the git-dates plugin will look every page up in git in its on_files."""
    return bool(plugin.config.get("enabled") and plugin.config.get("enable_parallel_processing")
                and not plugin.is_serve_dirty_build)


def give_git_dates(plugin, last, first):
    """Hand the plugin every page's (commit, time) of its last and first commit, so it asks git for none."""
    plugin.last_revision_commits = {path: tuple(value) for path, value in last.items()}
    plugin.created_commits = {path: tuple(value) for path, value in first.items()}


def git_dates_found(plugin):
    """(last, first): what the plugin's own on_files found, {absolute path: (commit, time)}."""
    return plugin.last_revision_commits, plugin.created_commits


def route_feed_git_log(plugin, memo):
    """Send the feeds plugin's `git log` calls through `memo(path, options, run)`."""
    util = getattr(plugin, "util", None)
    if util is not None and util.git_is_valid and not isinstance(util.repo, _KeptLog):
        util.repo = _KeptLog(util.repo, memo)


# The two `git log` queries the feeds plugin makes for a page whose front matter gives no dates
# (mkdocs_rss_plugin.util.Util.get_file_dates): its creation, and its last change.
FEED_GIT_QUERIES = (
    {"n": 1, "date": "short", "format": "%at", "diff_filter": "AR"},
    {"n": 1, "date": "short", "format": "%at"},
)


def feed_pages(plugin, files):
    """The pages the feeds plugin dates, as their absolute paths, in the order they are built."""
    return [file.abs_src_path for file in files.documentation_pages()
            if file.abs_src_path and plugin.match_path_pattern.match(file.src_uri)]


def feed_git(plugin):
    """The feeds plugin's git command object (routed through `route_feed_git_log`), or None."""
    util = getattr(plugin, "util", None)
    return util.repo if util is not None and util.git_is_valid else None


class _KeptLog:
    """GitPython's command object (it takes no new attributes), with `log` answered by `memo`."""

    def __init__(self, git, memo):
        self._git, self._memo = git, memo

    def log(self, path, **options):
        return self._memo(path, options, lambda: self._git.log(path, **options))

    def __getattr__(self, name):
        return getattr(self._git, name)


# Material's search: one page's entries -----------------------------------------------------------

def search_index(config):
    plugin = config.plugins.get("material/search")
    return getattr(plugin, "search_index", None)


def search_entries(index):
    return index.entries


def replace_search_entries(config, entries):
    """Make `entries` the whole index the search plugin writes, also under `--dirty`."""
    plugin = config.plugins.get("material/search")
    plugin.search_index.entries = entries
    # Material keeps the last index to patch it under --dirty; this list is already whole.
    plugin.search_index_prev = None


# Material's tags plugin: the pages a --dirty build skips ------------------------------------------

def _tags_plugin(config):
    plugin = config.plugins.get("material/tags")
    if plugin is None or not plugin.config.enabled or plugin.mappings is None:
        return None
    return plugin


def page_tags(config, page):
    """The tags the tags plugin reads from the page's metadata (None without the plugin)."""
    plugin = _tags_plugin(config)
    return None if plugin is None else page.meta.get(plugin.config.tags_name_property)


def give_tags(config, skipped, order):
    """The tags plugin maps a page to its tags as its on_page_markdown reads them, so under --dirty
    it knows only the pages being rebuilt; a tags page rebuilt then would list those alone. Map the
    skipped pages too ([(page, tags)]), then order every mapping as a full build reads the pages
    (`order`, their urls): the listings sort by title, and pages of one title stay in that order."""
    plugin = _tags_plugin(config)
    if plugin is None:
        return
    name = plugin.config.tags_name_property
    for page, tags in skipped:
        if tags and plugin.filter(page.file):
            meta, page.meta = page.meta, {name: tags}
            try:
                plugin.mappings.add(page, "")
            finally:
                page.meta = meta
    position = {url: number for number, url in enumerate(order)}
    plugin.mappings.data = dict(sorted(plugin.mappings.data.items(),
                                       key=lambda item: position.get(item[0], len(position))))


def give_listings(config, files, page, markdown):
    """A page's tags link to the listings (tags pages) that show them, which the plugin learns from
    each listing page's Markdown; a page rebuilt without them would show its tags unlinked. Read a
    skipped listing page's Markdown (front matter removed) as the plugin would, after it has filled
    the listings of the pages being rebuilt (on_env)."""
    plugin = _tags_plugin(config)
    if plugin is not None:
        plugin.on_page_markdown(markdown, page=page, config=config, files=files)


def tag_references(config, page):
    """What the tags plugin gives the page's template as its tags (in on_page_context), as JSON
    data: each tag's name, whether it is hidden, and the listings it links to."""
    plugin = _tags_plugin(config)
    if plugin is None or not plugin.config.tags or not plugin.filter(page.file):
        return None
    mapping = plugin.mappings.get(page)
    if not mapping:
        return None
    return [[tag.name, tag.hidden, [[link.title, link.url] for link in tag.links]] for tag in plugin.listings & mapping]


# Material's blog: its generated pages ------------------------------------------------------------

def is_blog_view(file):
    return getattr(file, "generated_by", None) == "material/blog"


def keep_blog_views_unmodified(files):
    """The blog writes its archive and category pages' sources afresh on every build, so MkDocs
    would count them as modified under --dirty; they change only with a post."""
    for file in files.documentation_pages(inclusion=lambda _: True):
        if is_blog_view(file):
            os.utime(file.abs_src_path, ns=(0, 0))


# detect-secrets: a file's scan, over the lines a plugin could report only ------------------------

def secret_candidates(filename):
    """[(guards, pattern)]: see _candidates; the same for every file of a type, and the plugins set up
    for the scan."""
    from detect_secrets.settings import get_plugins
    from detect_secrets.util.filetype import determine_file_type

    plugins = tuple(json.dumps(plugin.json(), sort_keys=True) for plugin in get_plugins())
    return _candidates(determine_file_type(filename), plugins)


@functools.lru_cache(maxsize=64)
def _candidates(file_type, plugins):
    """[(guards, pattern)]: a line must match some pattern for one of the configured plugins (as
    `plugins` describes them) to report anything in it, in a file of `file_type`; None when a plugin is of a kind
    not known here. The guards are cheap tests the pattern cannot match without (_guards).

    A regex detector reports only matches of its denylist; a high-entropy plugin only quoted runs of
    its charset, and only those whose entropy passes its limit, which takes more than 2**limit
    characters; the keyword plugin only matches of its regexes for the file's type.
    """
    from detect_secrets.plugins import keyword
    from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.settings import get_plugins

    patterns = []
    for plugin in get_plugins():
        kind = type(plugin)
        if isinstance(plugin, HighEntropyStringsPlugin) and kind.analyze_string is HighEntropyStringsPlugin.analyze_string:
            shortest = int(2 ** plugin.entropy_limit) + 1
            patterns.append(re.compile(r"([\'\"])([{}]{{{},}})(\1)".format(re.escape(plugin.charset), shortest)))
        elif isinstance(plugin, keyword.KeywordDetector) and kind is keyword.KeywordDetector:
            by_type = keyword.REGEX_BY_FILETYPE.get(file_type, keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
            patterns.extend(by_type)
        elif isinstance(plugin, RegexBasedDetector) and kind.analyze_line is BasePlugin.analyze_line and (
                kind.analyze_string is RegexBasedDetector.analyze_string or kind is JwtTokenDetector):
            patterns.extend(plugin.denylist)  # the JWT detector keeps only the well-formed of these
        else:
            return None
    return [(_guards(pattern), pattern) for pattern in patterns]


def _guards(pattern):
    """Regexes of literal words: every match of `pattern` contains one word of each (strongest first)."""
    try:
        required = _necessary(re._parser.parse(pattern.pattern, pattern.flags))
    except (AttributeError, re.error):
        return ()
    flags = pattern.flags & (re.IGNORECASE | re.ASCII)
    return tuple(re.compile("|".join(map(re.escape, sorted(words))), flags)
                 for words in sorted(required, key=_strength, reverse=True))


def _strength(words):
    return min(map(len, words))


def _necessary(items):
    """Sets of literal strings: every match of the parsed regex `items` contains one string of each
    set. Reads Python's own parse of a regex; what it does not know (a range, a lookaround) it passes
    over, which only makes the sets fewer."""
    constants = re._constants
    required, run = [], ""
    for op, argument in items:
        if op is constants.LITERAL:
            run += chr(argument)
            continue
        if run:
            required.append({run})
            run = ""
        if op is constants.IN and all(kind is constants.LITERAL for kind, _ in argument):
            required.append({chr(code) for _, code in argument})
        elif op is constants.SUBPATTERN and not argument[1] and not argument[2]:  # a group with no inline flags
            required += _necessary(argument[3])
        elif op is constants.BRANCH:
            # One set per branch, the best; any branch may be the one that matches.
            best = [max(reversed(_necessary(branch)), key=_strength, default=None) for branch in argument[1]]
            if None not in best:
                required.append(set().union(*best))
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and argument[0] >= 1:
            required += _necessary(argument[2])
    if run:
        required.append({run})
    return [words for words in required if all(words) and not any("\n" in word for word in words)]


def scan_candidate_lines(filename):
    """What detect-secrets' scan_file finds in a file, in its order, analyzing only the lines some
    plugin could report (secret_candidates); the file's other lines stay in every line's context."""
    from detect_secrets.core import scan
    from detect_secrets.settings import get_plugins
    from detect_secrets.util.code_snippet import get_code_snippet

    patterns = secret_candidates(filename)
    if patterns is None:
        yield from scan.scan_file(filename)
        return
    if scan._is_filtered_out(required_filter_parameters=["filename"], filename=filename):
        return
    try:
        for lines in scan._get_lines_from_file(filename):
            found = False
            # A guard's words are plain text, so one missing from the whole file is missing from each line.
            text = "".join(lines)
            active = [(guards, pattern) for guards, pattern in patterns if all(guard.search(text) for guard in guards)]
            for number, raw in enumerate(lines, start=1):
                line = raw.rstrip()
                if not any(all(guard.search(line) for guard in guards) and pattern.search(line)
                           for guards, pattern in active):
                    continue  # no plugin reports anything here: scan_file would find nothing either
                context = get_code_snippet(lines=lines, line_number=number)
                if scan._is_filtered_out(required_filter_parameters=["line"], filename=filename, line=line,
                                         context=context):
                    continue
                for plugin in get_plugins():
                    for secret in scan._scan_line(plugin=plugin, filename=filename, line=line, line_number=number,
                                                  context=context):
                        if not scan._is_filtered_out(required_filter_parameters=["context"],
                                                     filename=secret.filename, secret=secret.secret_value,
                                                     plugin=plugin, line=line, context=context):
                            found = True
                            yield secret
            if found:
                break
    except IOError:
        return

