"""The build's worker processes: one pool, shared, below the build's priority.

The notebooks converted ahead (speed/notebooks.py) and the secret scan
(secrets.py) run in the same pool of one process per core, and jobs run in the
order they come: the build submits the conversions its pages wait for first,
and the scan it reports last after them.

On Linux the pool's processes are forked, all at its first job. No other
thread may be starting a subprocess then: the forked worker would keep that
start's status pipe open, and the thread would wait on the pipe for ever (a
cold build hung that way about once in fifty while pandoc's thread started
pandoc). So the build starts its workers before its threads (plugin.py,
_files_planned), and the pool's debug line names the threads alive when it
starts, which the tests check.

The build's own process does every page's work, one page after another, and a
cold build lasts as long as it does. So the workers run below its priority: at
equal priority a worker on each of two cores would leave the build two thirds
of one (on 2 cores, 400 essays and 150 notebooks, the whole build took 46 s
against 43 s).
"""

import logging
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor

log = logging.getLogger("mkdocs.plugins.diary.speed")

NICENESS = 5


class Workers:
    """The pool of one build (or one scan_secrets.py run), started by its first job."""

    def __init__(self):
        self.size = os.cpu_count() or 1
        self._pool = None

    def submit(self, job, *args, **kwargs):
        if self._pool is None:
            others = [thread.name for thread in threading.enumerate() if thread is not threading.current_thread()]
            log.debug(f"starting {self.size} worker processes; other threads: {', '.join(others) or 'none'}")
            self._pool = ProcessPoolExecutor(self.size, initializer=give_way_to_the_build)
        return self._pool.submit(job, *args, **kwargs)

    def close(self, cancel=False):
        """Wait for the jobs (or with `cancel`, only for those already running) and stop the processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None


def done(value):
    """A future already holding `value`: for work too small to send to the workers."""
    future = Future()
    future.set_result(value)
    return future


def give_way_to_the_build():
    """A worker's start (a ProcessPoolExecutor initializer: it runs under `spawn` too)."""
    if hasattr(os, "nice"):  # POSIX; elsewhere the workers share the cores evenly
        os.nice(NICENESS)
