"""Benchmark this project's configuration against a stock one on a large synthetic diary.

Makes the diary (scripts/bench_diary.py) in a temporary directory, then, in one
run, measures both configurations: cold and warm builds with peak memory,
edit-to-reload in `mkdocs serve` (the project's as `make serve` runs it) for
an essay's text, a notebook's text, and an essay's title, tags, summary and
citations, HTML bytes per page type, site and search index size, first-visit
transfer and search latency in Chromium, and Lighthouse scores; each timing and
score is the median of three runs. Prints one table with the
project/stock ratio beside the issue's target for each figure.

    python scripts/bench.py                   # 400 essays, 150 notebooks
    python scripts/bench.py --essays 40 --notebooks 10 --no-lighthouse
    python scripts/bench.py --essays 2000 --notebooks 40 --search-only   # search figures of a big diary
"""

import argparse
import shutil
import tempfile
from pathlib import Path

from diary import chromium
from diary.bench.diary import make_diary
from diary.bench.measure import CONFIGS, builds, in_browser, reloads, sizes, table

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=400)
    parser.add_argument("--notebooks", type=int, default=150)
    parser.add_argument("--notes", type=int, default=40)
    parser.add_argument("--cold-runs", type=int, default=3, help="cold builds per configuration (median)")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm builds per configuration (median)")
    parser.add_argument("--edits", type=int, default=3, help="saves per page kind in mkdocs serve (median)")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page (median)")
    parser.add_argument("--no-lighthouse", dest="lighthouse_runs", action="store_const", const=0)
    parser.add_argument("--keep", metavar="DIR", help="make the diary in DIR and keep it")
    parser.add_argument("--search-only", action="store_true",
                        help="one cold build per configuration, then sizes and search figures only")
    parser.add_argument("--search-queries", type=int, metavar="N",
                        help="time the first query over N of the committed queries (default: all of them)")
    args = parser.parse_args(argv)
    if args.lighthouse_runs and not shutil.which("npm"):
        parser.error("Lighthouse comes from npm, which is not installed (apt-get install -y npm), or pass --no-lighthouse")
    executable = str(chromium.find() or "")
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="diary-bench-"))
    try:
        print(f"making a diary of {args.essays} essays, {args.notebooks} notebooks, {args.notes} notes in {workdir}", flush=True)
        diary = make_diary(workdir / "diary", args.essays, args.notebooks, args.notes)
        results = {name: {} for name in CONFIGS}
        for step, name in enumerate(("stock", "project"), start=1):
            site = workdir / f"site-{name}"
            print(f"[{step}/2] {name}: builds", flush=True)
            results[name].update(builds(diary, name, site, 1 if args.search_only else args.cold_runs,
                                          0 if args.search_only else args.warm_runs))
            results[name].update(sizes(site))
            if not args.search_only:
                print(f"[{step}/2] {name}: edit-to-reload in mkdocs serve", flush=True)
                results[name].update(reloads(diary, name, args.edits))
            lighthouse_runs = 0 if args.search_only else args.lighthouse_runs
            print(f"[{step}/2] {name}: Chromium{' and Lighthouse' if lighthouse_runs else ''}", flush=True)
            results[name].update(in_browser(site, executable, lighthouse_runs, ROOT / ".cache" / "lighthouse",
                                            args.search_queries, args.search_only))
        print()
        print(table(results))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
