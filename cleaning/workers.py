"""Worker processes for the per-page steps, which end with the run that started them, even on kill -9.

A ProcessPoolExecutor's workers wait for work on a pipe that a killed parent never
closes for them (the forkserver holds them alive too), so each worker watches the process
that started the run and exits as soon as it is gone.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import multiprocessing.forkserver
import os
import select
import threading
import time

__all__ = ["DASK_PRELOAD", "STEPS_PRELOAD", "process_alive", "start_forkserver", "worker_pool"]

STEPS_PRELOAD = ["cleaning.warmup"]  # what the local engine's workers' server imports (the steps, warmed)
DASK_PRELOAD = ["distributed", "cleaning.warmup"]  # a LocalCluster's: Dask too

_POLL_SECONDS = 0.5  # without pidfd (not Linux): how often a worker looks for its run


def start_forkserver(preload: list[str]) -> None:
    """Start the server the workers fork from now, without waiting: it imports preload while this process goes on.

    Its imports (about 2 s for the steps) then overlap this process's own start instead of
    delaying the first page. No-op once a server runs (it keeps the modules it preloaded).
    """
    multiprocessing.get_context("forkserver").set_forkserver_preload(preload)
    multiprocessing.forkserver.ensure_running()


def worker_pool(workers: int, *, preload: list[str]) -> cf.ProcessPoolExecutor:
    """Return a pool of workers forked from a server that imported preload once; each dies with this process."""
    context = multiprocessing.get_context("forkserver")
    start_forkserver(preload)
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),)
    )


def _exit_with(run: int) -> None:
    threading.Thread(target=_watch, args=(run,), name="exit-with-run", daemon=True).start()


def _watch(run: int) -> None:
    try:
        handle = os.pidfd_open(run)
    except ProcessLookupError:
        os._exit(1)  # the run is gone already
    except (AttributeError, OSError):  # no pidfd: ask the kernel every half second
        while process_alive(run):
            time.sleep(_POLL_SECONDS)
        os._exit(1)
    select.select([handle], [], [])  # readable once the process has exited
    os._exit(1)


def process_alive(pid: int) -> bool:
    """Say whether a process with this id runs (one of another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
