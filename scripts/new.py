#!/usr/bin/env python3
"""Start a new diary entry: a quick note, an essay or a notebook, as a draft.

The file gets a slug from its title, today's date, front matter (title,
summary, tags, draft: true) and a place where the site picks it up by itself:
notes in the blog, essays in the Essays section, notebooks in their topic
folder's section and listing. It is never written over an existing file.
Remove `draft: true` (in a notebook, the `draft` entry of its `diary`
metadata) when it is ready to publish.
"""

import argparse
import datetime
import sys
from pathlib import Path

import nbformat
import yaml
from pymdownx.slugs import slugify

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ["Alignment and safety", "Hallucination and grounding", "Interpretability", "Scaling",
              "World models", "Tooling"]
NOTEBOOK_FOLDERS = ["langchain", "finetuning", "embeddings", "history"]
make_slug = slugify(case="lower")


def front_matter(fields):
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n"


def note(args, slug, today):
    path = args.docs / "notes" / "posts" / f"{today.isoformat()}-{slug}.md"
    meta = {"title": args.title, "date": {"created": today}, "categories": [args.category],
            "tags": args.tags, "description": args.summary, "draft": True}
    body = f"\n# {args.title}\n\n{args.summary}\n\n<!-- more -->\n\n"
    return path, front_matter(meta) + body


def essay(args, slug, today):
    path = args.docs / "essays" / f"{slug}.md"
    meta = {"title": args.title, "description": args.summary, "tags": args.tags, "draft": True}
    body = f"\n# {args.title}\n\n{args.summary}\n"
    return path, front_matter(meta) + body


def notebook(args, slug, today):
    path = args.docs / args.folder / f"{slug}.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["diary"] = {"summary": args.summary, "date": today.isoformat(), "tags": args.tags, "draft": True}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {args.title}\n\n{args.summary}"),
                nbformat.v4.new_code_cell("")]
    return path, nbformat.writes(nb) + "\n"


KINDS = {"note": note, "essay": essay, "notebook": notebook}


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(KINDS), help="what to start")
    parser.add_argument("title", help="the entry's title, in words")
    parser.add_argument("--summary", required=True, help="one-sentence summary (the description and feed text)")
    parser.add_argument("--tags", default="", help="comma-separated tags, e.g. interpretability,probing")
    parser.add_argument("--category", choices=CATEGORIES, help="a note's focus area (required for notes)")
    parser.add_argument("--folder", choices=NOTEBOOK_FOLDERS, help="a notebook's topic folder (required for notebooks)")
    parser.add_argument("--date", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.kind == "note" and not args.category:
        parser.error("a note needs --category")
    if args.kind == "notebook" and not args.folder:
        parser.error("a notebook needs --folder")
    if not args.summary.strip():
        parser.error("the summary must say what the entry is about")
    args.tags = [make_slug(tag.strip(), "-") for tag in args.tags.split(",") if tag.strip()]
    return args


def main(argv=None):
    args = parse(argv)
    slug = make_slug(args.title, "-")
    if not slug:
        print(f"new: cannot make a file name from the title {args.title!r}", file=sys.stderr)
        return 2
    path, text = KINDS[args.kind](args, slug, args.date or datetime.date.today())
    if path.exists():
        print(f"new: {path.relative_to(args.docs.parent)} already exists; not overwriting it", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(path.relative_to(args.docs.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
