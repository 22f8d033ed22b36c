"""Serve MathJax from the site itself.

The MathJax 3 build comes from the `django-static-mathjax` package that the
set-up installs. Rather than its all-in-one `tex-chtml.js` (1.2 MB, a third
of it the right-click menu), the site ships the components the diary's math
needs, which MathJax's own loader fetches: TeX input (with the extensions it
loads on demand, such as \\boldsymbol or \\cancel), CommonHTML output with its
fonts, and hidden MathML for screen readers. `docs/javascripts/mathjax.js`
starts it on pages that contain math.

MathJax's lazy typesetting was tried and left out: math it has not yet
typeset carries empty MathML, so a screen reader would find nothing there.
"""

from pathlib import Path

import mathjax
from mkdocs.structure.files import File

DEST = "assets/mathjax"
# The loader, then what it fetches: core by itself, the font data for the output, and the
# components docs/javascripts/mathjax.js names.
LOADER = "startup.js"
COMPONENTS = ("core", "input/tex", "output/chtml", "output/chtml/fonts/tex", "a11y/assistive-mml")
EXTENSIONS = "input/tex/extensions"
# Every extension in one file: only a page that asks for all of them would load it.
LEFT_OUT = {"all-packages.js"}
FONTS = "output/chtml/fonts/woff-v2"


def mathjax_root():
    """The es5 folder of the installed MathJax build."""
    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def shipped_files(root):
    """Paths, relative to `root`, of the MathJax files the site ships."""
    yield LOADER
    for component in COMPONENTS:
        yield f"{component}.js"
    for folder, pattern in ((EXTENSIONS, "*.js"), (FONTS, "*.woff")):
        for path in sorted((root / folder).glob(pattern)):
            if path.name not in LEFT_OUT:
                yield path.relative_to(root).as_posix()


def add(files, config):
    root = mathjax_root()
    for relative in shipped_files(root):
        files.append(File.generated(config, f"{DEST}/{relative}", abs_src_path=str(root / relative)))
