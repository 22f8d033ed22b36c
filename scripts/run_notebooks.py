#!/usr/bin/env python3
"""Execute the diary's notebooks in fresh kernels and write an execution report.

A notebook is skipped when its code cells, kernel, pinned notebook dependencies
and every local file it read last time (modules it imported, data files it
opened) are unchanged since its last successful run. Outputs are written back
into the notebook only when it succeeds; a failing cell exits non-zero with the
notebook and cell named, and the report records the failure. With --check
nothing runs: it lists the notebooks whose outputs are older than their inputs
and exits non-zero if there are any.
"""

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from diary.freshness import said, stale_notebooks
from diary.report import REPORT
from diary.runner import find_notebooks, load_json, run_one, write_json


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: every .ipynb under docs/)")
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="the docs folder (default: docs/)")
    parser.add_argument("--cache", type=Path, help="where cache keys are kept (default: .cache/notebooks.json)")
    parser.add_argument("--force", action="store_true", help="run every notebook, cached or not")
    parser.add_argument("--timeout", type=int, default=300, help="seconds one cell may take (default: 300)")
    parser.add_argument("--check", action="store_true",
                        help="run nothing; list notebooks whose outputs are older than their inputs, fail if any")
    args = parser.parse_args(argv)

    docs = args.docs.resolve()
    report_path = docs / REPORT
    report = load_json(report_path, {"notebooks": {}})
    if args.check:
        return check(docs, report["notebooks"])
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
        took = f" in {record['duration_s']:.1f} s" if "duration_s" in record and not record.get("cache_hit") else ""
        if record["status"] == "elsewhere":
            status, took = "skipped", f" (not run here: {record['reason']})"
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


def check(docs, report):
    stale = stale_notebooks(docs, report)
    for name, reasons in stale.items():
        print(said(name, reasons), file=sys.stderr)
    if stale:
        print(f"{len(stale)} notebook(s) to run again: make notebooks", file=sys.stderr)
        return 1
    print("every notebook's outputs are as new as their inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
