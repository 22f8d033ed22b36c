#!/usr/bin/env python3
"""Execute the diary's notebooks in fresh kernels and write an execution report.

A notebook is skipped when its code cells, kernel, pinned notebook dependencies
and every local file it read last time (modules it imported, data files it
opened) are unchanged since its last successful run. Outputs are written back
into the notebook only when it succeeds; a failing cell exits non-zero with the
notebook and cell named, and the report records the failure.
"""

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from diary.report import REPORT
from diary.runner import find_notebooks, load_json, run_one, write_json


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: every .ipynb under docs/)")
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="the docs folder (default: docs/)")
    parser.add_argument("--cache", type=Path, help="where cache keys are kept (default: .cache/notebooks.json)")
    parser.add_argument("--force", action="store_true", help="run every notebook, cached or not")
    parser.add_argument("--timeout", type=int, default=300, help="seconds one cell may take (default: 300)")
    args = parser.parse_args(argv)

    docs = args.docs.resolve()
    report_path = docs / REPORT
    report = load_json(report_path, {"notebooks": {}})
    cache_path = args.cache or docs.parent / ".cache" / "notebooks.json"
    cache = load_json(cache_path, {})
    failures = []
    notebooks = find_notebooks(docs, args.notebooks)
    progress = tqdm(notebooks, unit="notebook", file=sys.stderr, disable=None)
    for path in progress:
        progress.set_description(path.name)
        name, record, entry, failure = run_one(
            path, docs, report["notebooks"].get(path.relative_to(docs).as_posix(), {}),
            cache, args.force, args.timeout,
        )
        report["notebooks"][name] = record
        if entry:
            cache[name] = entry
        else:
            cache.pop(name, None)
        status = "cached" if record.get("cache_hit") else record["status"]
        took = "" if record.get("cache_hit") else f" in {record.get('duration_s', 0):.1f} s"
        progress.write(f"{status:>6}  {path.relative_to(docs.parent)}{took}")
        if failure:
            failures.append(failure)
    if not args.notebooks:  # a full run forgets notebooks that no longer exist
        current = {path.relative_to(docs).as_posix() for path in notebooks}
        report["notebooks"] = {name: rec for name, rec in report["notebooks"].items() if name in current}
    write_json(report_path, report)
    write_json(cache_path, cache)
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
