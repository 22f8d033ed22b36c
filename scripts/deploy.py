#!/usr/bin/env python3
"""Publish the site to the gh-pages branch, but only from a clean, tested, buildable tree.

Refuses to run with uncommitted changes (what is published must be what is
committed) or with notebook outputs older than their inputs (unless
--allow-stale), then runs a strict build that also refuses personal data in
notebook outputs the notebook does not allow, then the test suite, and calls
`mkdocs gh-deploy` only when both pass. Nothing is pushed otherwise.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from diary import report
from diary.freshness import said, stale_notebooks

ROOT = Path(__file__).resolve().parent.parent


# Personal data in outputs is only reported by a build; what is published must not carry it unallowed.
BUILD_ENV = {"NO_MKDOCS_2_WARNING": "1", "DIARY_PERSONAL_DATA": "refuse"}


def run(step, command, cwd):
    print(f"==> {step}", flush=True)
    env = {**os.environ, **BUILD_ENV}
    if subprocess.run(command, cwd=cwd, env=env).returncode != 0:
        print(f"deploy: {step} failed; nothing was deployed", file=sys.stderr)
        return False
    return True


def uncommitted(project):
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    return [line[3:] for line in status.splitlines()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true",
                        help="skip the test suite (the strict build still runs); for the tests of this script")
    parser.add_argument("--remote-name", default="origin", help="git remote to push gh-pages to (default: origin)")
    parser.add_argument("--allow-stale", action="store_true",
                        help="publish even notebooks whose outputs are older than their inputs")
    parser.add_argument("--project", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    project = args.project.resolve()

    changed = uncommitted(project)
    if changed:
        print(f"deploy: refusing to deploy with uncommitted changes ({', '.join(changed[:5])}"
              f"{', ...' if len(changed) > 5 else ''}); commit or stash them first", file=sys.stderr)
        return 1
    stale = stale_notebooks(project / "docs", report.load(project / "docs"))
    if stale and not args.allow_stale:
        for name, reasons in stale.items():
            print(said(name, reasons), file=sys.stderr)
        print("deploy: refusing to publish outputs older than their inputs; run `make notebooks`"
              " (or deploy them anyway with ALLOW_STALE=1)", file=sys.stderr)
        return 1
    mkdocs = [sys.executable, "-m", "mkdocs"]
    with tempfile.TemporaryDirectory() as scratch:  # first: it says in seconds what the tests take minutes to
        if not run("strict build", [*mkdocs, "build", "--strict", "--site-dir", scratch], project):
            return 1
    if not args.skip_tests and not run("tests", [sys.executable, "-m", "pytest", "-q"], project):
        return 1
    if not run("gh-deploy", [*mkdocs, "gh-deploy", "--strict", "--remote-name", args.remote_name], project):
        return 1
    print("deploy: published to the gh-pages branch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
