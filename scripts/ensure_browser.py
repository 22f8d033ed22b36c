#!/usr/bin/env python3
"""Find a Chromium for the browser tests, installing one when none is found.

Order: $CHROMIUM, then Debian's /usr/bin/chromium; if neither exists, install
Debian's `chromium` package when running as root, else Playwright's own build
(which needs a network that reaches Playwright's download host).
"""

import argparse
import sys

from diary import chromium


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report; exit 1 if no system Chromium is found"
    )
    args = parser.parse_args(argv)
    browser = chromium.find()
    if browser is None and not args.check:
        chromium.install()
        browser = chromium.find()
    if browser is None:
        print("No system Chromium found" + ("" if args.check else "; the tests use Playwright's build"))
        return 1 if args.check else 0
    print(f"Chromium: {browser}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
