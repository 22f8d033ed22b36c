"""Worker processes give way to the build.

The build's own process does every page's work, one page after another, and a
cold build lasts as long as it does. The notebooks converted ahead in worker
processes are needed only as their pages come, so the workers run below the
build's priority: at equal priority a worker on each of two cores
would leave the build two thirds of one (on 2 cores, 400 essays and 150
notebooks, the whole build took 46 s against 43 s).
"""

import os

NICENESS = 5


def give_way_to_the_build():
    """A worker's start (a ProcessPoolExecutor initializer: it runs under `spawn` too)."""
    if hasattr(os, "nice"):  # POSIX; elsewhere the workers share the cores evenly
        os.nice(NICENESS)
