"""The real `mkdocs` command line, run in a process forked from one that has already imported it.

A fresh interpreter spends about a second importing MkDocs, Material and the
plugins (nbconvert and jupytext above all) before it reads mkdocs.yml, and the
suite runs `mkdocs` over a hundred times. multiprocessing's forkserver imports
them once, in a process of its own with nothing else running in it; each run is
a new process forked from it that sets its folder and environment, sends its
output to a file and calls MkDocs' own command-line entry point, exactly as
`python -m mkdocs` would.
"""

import os
import sys

PRELOAD = [
    __name__,
    "mkdocs.__main__",
    "mkdocs.commands.build",
    "material.plugins.search.plugin",
    "material.plugins.blog.plugin",
    "material.plugins.tags.plugin",
    "mkdocs_jupyter.plugin",
    "mkdocs_bibtex.plugin",
    "mkdocs_rss_plugin.plugin",
    "mkdocs_git_revision_date_localized_plugin.plugin",
    "mkdocs_glightbox.plugin",
    "diary.plugin",
]


def run(args, cwd, env, output):
    """In the forked process: `mkdocs ARGS` in `cwd` with `env`, stdout and stderr into `output`."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    handle = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    sys.argv = ["mkdocs", *args]
    from mkdocs.__main__ import cli

    try:
        cli(prog_name="mkdocs")
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)
