"""Serve MathJax from the site itself.

The MathJax 3 build comes from the `django-static-mathjax` package that the
set-up installs; only the TeX-to-CHTML component and its web fonts are copied
into `assets/mathjax/`. `docs/javascripts/mathjax.js` loads it on pages that
contain math.
"""

from pathlib import Path

import mathjax
from mkdocs.structure.files import File

DEST = "assets/mathjax"
COMPONENT = "tex-chtml.js"
FONTS = "output/chtml/fonts/woff-v2"


def mathjax_root():
    """The es5 folder of the installed MathJax build."""
    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def shipped_files(root):
    """Paths, relative to `root`, of the MathJax files the site ships."""
    yield COMPONENT
    for font in sorted((root / FONTS).glob("*.woff")):
        yield font.relative_to(root).as_posix()


def add(files, config):
    root = mathjax_root()
    for relative in shipped_files(root):
        files.append(File.generated(config, f"{DEST}/{relative}", abs_src_path=str(root / relative)))
