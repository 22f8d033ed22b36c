"""A large synthetic diary for the benchmark, next to a stock configuration of the same stack.

The diary is this project's own (config, overrides, every real page and
notebook) grown to size: N essays with citations, math, code and tables,
M notebooks copied from the real ones with their outputs and figures, and
dated notes. Text is drawn from the real pages' vocabulary with a fixed seed,
so the same sizes always give the same diary. The result is a git
repository with one commit, as the author's checkout is.
"""

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

# The diary the synthetic one grows from: the project's checkout, where the package is installed from.
ROOT = Path(__file__).resolve().parents[2]
COPY_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
NOTEBOOK_FOLDERS = ["embeddings", "finetuning", "langchain", "history"]
CATEGORIES = ["Alignment and safety", "Interpretability", "Scaling", "World models", "Tooling"]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@localhost",
}
MATH = [
    r"$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V$$",
    r"$$\begin{aligned} h_t &= \tanh(W_h h_{t-1} + W_x x_t) \\ y_t &= W_y h_t \end{aligned}$$",
    r"$$P(w_i \mid w_{i-1}) = \frac{\max(c(w_{i-1} w_i) - d, 0)}{c(w_{i-1})} + \lambda(w_{i-1}) P_{\mathrm{cont}}(w_i)$$",
]

# The stock configuration: the same five packages with their documented defaults,
# plus only what the same pages need to build (footnotes for mkdocs-bibtex,
# arithmatex for the math). Notebooks only, as in the project, so both build
# the same set of pages.
STOCK_CONFIG = """\
site_name: A research diary (stock)
site_url: {site_url}
theme:
  name: material
plugins:
  - search
  - mkdocs-jupyter:
      include: ["*.ipynb"]
  - bibtex:
      bib_file: docs/references.bib
markdown_extensions:
  - footnotes
  - tables
  - admonition
  - attr_list
  - md_in_html
  - toc:
      permalink: true
  - pymdownx.arithmatex:
      generic: true
  - pymdownx.highlight
  - pymdownx.superfences
"""


def vocabulary(docs):
    """Words of the real pages, weighted by use, so generated text reads (and indexes) like the diary."""
    text = " ".join(path.read_text(encoding="utf-8") for path in docs.rglob("*.md"))
    text = re.sub(r"\[@[^\]]*\]|`[^`]*`|<[^>]+>|\$[^$]*\$|\(http[^)]*\)", " ", text)
    return [w for w in re.findall(r"[A-Za-z][a-z'-]{2,}", text) if not w.endswith("-")]


def bib_keys(docs):
    return re.findall(r"^@\w+\{([^,\s]+),", (docs / "references.bib").read_text(encoding="utf-8"), re.M)


def sentence(rng, words):
    body = " ".join(rng.choice(words) for _ in range(rng.randint(9, 22)))
    return body[0].upper() + body[1:] + "."


def paragraph(rng, words, keys, cite=True):
    sentences = [sentence(rng, words) for _ in range(rng.randint(3, 6))]
    if cite:
        at = rng.randrange(len(sentences))
        sentences[at] = sentences[at][:-1] + f" [@{rng.choice(keys)}]."
    return " ".join(sentences)


def essay(rng, words, keys, number):
    title = f"Essay {number}: " + " ".join(rng.choice(words) for _ in range(4))
    tags = sorted({rng.choice(words).lower() for _ in range(3)})
    parts = [
        "---",
        f"description: {sentence(rng, words)}",
        "tags:", *[f"  - \"{tag}\"" for tag in tags],
        "---", "", f"# {title}", "",
        paragraph(rng, words, keys),
    ]
    for section in range(rng.randint(3, 5)):
        parts += ["", f"## {' '.join(rng.choice(words) for _ in range(3)).capitalize()} {section + 1}", ""]
        parts += [paragraph(rng, words, keys, cite=rng.random() < 0.7) for _ in range(rng.randint(2, 4))]
        if section == 0:
            parts += ["", rng.choice(MATH), "", f"Here $d_k = {rng.randint(16, 128)}$ and $n$ grows."]
        if section == 1:
            parts += ["", "```python", f"def score_{number}(counts, total):",
                      "    return {word: count / total for word, count in counts.items()}", "```"]
        if section == 2:
            parts += ["", "| model | year | parameters |", "| --- | --- | --- |"]
            parts += [f"| {rng.choice(words)} | {rng.randint(2013, 2026)} | {rng.randint(1, 900)}M |"
                      for _ in range(4)]
    return "\n".join(parts) + "\n"


def note(rng, words, keys, number):
    day = f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}"
    return "\n".join([
        "---", "date:", f"  created: {day}", "categories:", f"  - {rng.choice(CATEGORIES)}",
        f"description: {sentence(rng, words)}", "---", "",
        f"# Note {number}: {' '.join(rng.choice(words) for _ in range(4))}", "",
        paragraph(rng, words, keys), "", "<!-- more -->", "",
        paragraph(rng, words, keys), "", paragraph(rng, words, keys, cite=False), "",
    ])


def notebook_copy(source, rng, words, number):
    """A real notebook under a new title and summary, outputs and figures kept."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    title = f"Notebook {number}: " + " ".join(rng.choice(words) for _ in range(4))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            cell["source"] = re.sub(r"^# .*$", f"# {title}", text, count=1, flags=re.M)
            break
    nb["metadata"].setdefault("diary", {})["summary"] = sentence(rng, words)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def copy_project(target):
    for name in ("mkdocs.yml", ".secrets.baseline"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("docs", "overrides"):
        shutil.copytree(ROOT / name, target / name, ignore=COPY_IGNORE)


def grow(target, essays, notebooks, notes, seed=7):
    docs = target / "docs"
    rng = random.Random(seed)
    words, keys = vocabulary(docs), bib_keys(docs)
    for number in range(1, essays + 1):
        (docs / "essays" / f"bench-essay-{number:03d}.md").write_text(essay(rng, words, keys, number))
    sources = sorted(docs.glob("*/*.ipynb"))
    for number in range(1, notebooks + 1):
        folder = docs / NOTEBOOK_FOLDERS[number % len(NOTEBOOK_FOLDERS)]
        text = notebook_copy(sources[number % len(sources)], rng, words, number)
        (folder / f"bench-notebook-{number:03d}.ipynb").write_text(text, encoding="utf-8")
    for number in range(1, notes + 1):
        (docs / "notes" / "posts" / f"bench-note-{number:03d}.md").write_text(note(rng, words, keys, number))


def commit(target):
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Synthetic diary"]):
        subprocess.run(["git", *args], cwd=target, env=env, check=True)


def make_diary(target, essays, notebooks, notes):
    """The project's diary grown to size in `target`, plus `mkdocs-stock.yml` beside its own config."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    copy_project(target)
    grow(target, essays, notebooks, notes)
    (target / ".gitignore").write_text("site*/\n.cache/\n")
    (target / "mkdocs-stock.yml").write_text(STOCK_CONFIG.format(site_url="!ENV [SITE_URL, 'http://127.0.0.1:8000/']"))
    commit(target)
    return target
