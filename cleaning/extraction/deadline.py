"""A per-page time limit that works in the main thread (SIGALRM) and in worker threads (Dask's).

Both interrupt Python code between bytecodes, so a page whose extraction runs past the
limit is stopped the same way whichever thread runs it: the local engine's processes run
pages in their main thread, a Dask worker in a thread of its pool. Neither interrupts one
long C call (a regular expression, an lxml parse) before it returns.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import signal
import threading
import time
from collections.abc import Iterator

__all__ = ["Timeout", "deadline"]


class Timeout(BaseException):
    """Raised when the time is up; a BaseException so that no `except Exception` inside the extractor eats it."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise Timeout inside the block once it has run for seconds (0: no limit)."""
    if seconds <= 0:
        yield
    elif threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:
        with _thread_timer(seconds):
            yield


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise Timeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = [ctypes.c_ulong, ctypes.py_object]


class _Watch:
    """One thread that raises Timeout in the threads whose time is up (CPython's PyThreadState_SetAsyncExc).

    One for the process, started on first use, instead of a threading.Timer per page: a timer
    thread started and stopped for each page cost about 150 us of CPU, two thread switches under the GIL.
    """

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.due: dict[object, tuple[float, int]] = {}  # a block's token -> (when its time is up, its thread)
        self.fired: set[object] = set()
        self.until = math.inf  # when the watching thread wakes next (inf: when told)
        self.pid = 0

    def arm(self, seconds: float) -> object:
        token = object()
        due = time.monotonic() + seconds
        with self.lock:
            if self.pid != os.getpid():  # first use, or a forked child: threads do not survive a fork
                self.pid, self.due, self.fired, self.until = os.getpid(), {}, set(), math.inf
                threading.Thread(target=self._watch, name="page-deadline", daemon=True).start()
            self.due[token] = (due, threading.get_ident())
            if due < self.until:  # the watching thread would wake too late: wake it now
                self.lock.notify()
        return token

    def disarm(self, token: object) -> bool:
        """Forget token's block; say whether its Timeout was raised."""
        with self.lock:
            self.due.pop(token, None)
            if token in self.fired:
                self.fired.discard(token)
                return True
        return False

    def _watch(self) -> None:
        with self.lock:
            while True:
                now = time.monotonic()
                for token, (due, thread) in list(self.due.items()):
                    if due <= now:
                        del self.due[token]
                        self.fired.add(token)
                        _set_async_exc(thread, Timeout)
                self.until = min((due for due, _ in self.due.values()), default=math.inf)
                self.lock.wait(None if self.until == math.inf else self.until - now)


_WATCH = _Watch()


@contextlib.contextmanager
def _thread_timer(seconds: float) -> Iterator[None]:
    """Off the main thread: the watching thread raises Timeout in this one once seconds have passed."""
    token = _WATCH.arm(seconds)
    try:
        yield
    finally:
        if _WATCH.disarm(token):  # raised after the block was done but not yet delivered: withdraw it
            _set_async_exc(threading.get_ident(), ctypes.py_object())  # NULL clears a pending exception
