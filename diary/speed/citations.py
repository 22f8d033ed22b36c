"""Run pandoc once per batch of citations, not once per build.

mkdocs-bibtex formats every page's citations and references by running pandoc
with the bibliography and the CSL style, a fifth of a second each; on a small
diary that is a third of a warm build. The result of each run is kept, keyed
by the citations it was given, the bibliography and the style (and, as every
key, pandoc's version among the installed packages).
"""

from diary.speed import compat


def reuse(layer, config):
    bibtex = config.plugins.get("bibtex")
    if bibtex is None or bibtex.registry is None:
        return

    def memo(blocks, bibliography, style, run):
        return layer.memo("citations", run, blocks=blocks, bibliography=bibliography, style=style)

    compat.route_pandoc(bibtex.registry, memo)


def leave(config):
    bibtex = config.plugins.get("bibtex")
    if bibtex is not None and bibtex.registry is not None:
        compat.route_pandoc(bibtex.registry, None)
