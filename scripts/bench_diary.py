#!/usr/bin/env python3
"""Make a large synthetic diary for the benchmark, next to a stock configuration of the same stack.

    python scripts/bench_diary.py /tmp/diary --essays 400 --notebooks 150
"""

import argparse
from pathlib import Path

from diary.bench.diary import make_diary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="empty directory to create the diary in")
    parser.add_argument("--essays", type=int, default=400)
    parser.add_argument("--notebooks", type=int, default=150)
    parser.add_argument("--notes", type=int, default=40)
    args = parser.parse_args(argv)
    if Path(args.target).exists() and any(Path(args.target).iterdir()):
        parser.error(f"{args.target} is not empty")
    make_diary(args.target, args.essays, args.notebooks, args.notes)
    print(f"{args.target}: {args.essays} essays, {args.notebooks} notebooks, {args.notes} notes")


if __name__ == "__main__":
    main()
