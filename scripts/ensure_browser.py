#!/usr/bin/env python3
"""Find a Chromium for the browser tests, installing one when none is found.

Order: $CHROMIUM, then Debian's /usr/bin/chromium; if neither exists, install
Debian's `chromium` package when running as root, else Playwright's own build
(which needs a network that reaches Playwright's download host).
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


def find_browser():
    """Path of a usable Chromium, or None. Playwright's own build is found by Playwright itself."""
    for candidate in (os.environ.get("CHROMIUM"), SYSTEM_CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def install_browser():
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing Debian's chromium package ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    else:
        print("Installing Playwright's Chromium ...", flush=True)
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report; exit 1 if no system Chromium is found"
    )
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None and not args.check:
        install_browser()
        browser = find_browser()
    if browser is None:
        print("No system Chromium found" + ("" if args.check else "; the tests use Playwright's build"))
        return 1 if args.check else 0
    print(f"Chromium: {browser}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
