"""A Chromium for the browser tests and the benchmark: found on the machine, or installed.

Order: $CHROMIUM, then Debian's /usr/bin/chromium, then any `chromium` on the
PATH; if there is none, Debian's `chromium` package is installed when running
as root, else Playwright's own build (which needs a network that reaches
Playwright's download host).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
# What a headless Chromium needs here: no sandbox as root, and none of the
# background traffic a machine with a closed network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]


def find():
    """Path of a usable Chromium, or None. Playwright's own build is found by Playwright itself."""
    for candidate in (os.environ.get("CHROMIUM"), SYSTEM_CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def install():
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing Debian's chromium package ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    else:
        print("Installing Playwright's Chromium ...", flush=True)
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
