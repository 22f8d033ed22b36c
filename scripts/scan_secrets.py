#!/usr/bin/env python3
"""Scan files for secrets (API keys, tokens, private keys, passwords) before they are committed.

The same scan fails `mkdocs build`; this command is what the pre-commit hook
runs. It prints one line per finding (file, line or notebook cell, kind),
never the secret itself, and exits 1 if there is any. After reviewing that
every finding is a false positive, `--update-baseline` records them in
.secrets.baseline so they are allowed from then on.
"""

import argparse
import sys
from pathlib import Path

from diary.secrets import record_in_baseline, scan


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="files to scan (default: everything under docs/)")
    parser.add_argument("--update-baseline", action="store_true",
                        help="record the findings as reviewed false positives in .secrets.baseline")
    parser.add_argument("--project", type=Path, default=Path.cwd(),
                        help="the diary's folder, where .secrets.baseline is (default: the current folder)")
    args = parser.parse_args(argv)
    project = args.project.resolve()
    files = args.files or sorted(p for p in (project / "docs").rglob("*") if p.is_file())
    # Personal data in outputs is the build's and make deploy's to report, not a reason to refuse a commit.
    findings = [f for f in scan([p for p in files if p.is_file()], project) if not f.personal]
    if args.update_baseline:
        record_in_baseline(findings, project)
        print(f"{len(findings)} finding(s) recorded in .secrets.baseline")
        return 0
    for finding in findings:
        print(f"{finding}; remove it, or mark a false positive with 'pragma: allowlist secret'"
              " or in .secrets.baseline")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
