"""A per-page time limit that works in the main thread (SIGALRM) and in worker threads (Dask's).

Both interrupt Python code between bytecodes, so a page whose extraction runs past the
limit is stopped the same way whichever thread runs it: the local engine's processes run
pages in their main thread, a Dask worker in a thread of its pool. Neither interrupts one
long C call (a regular expression, an lxml parse) before it returns.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
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


@contextlib.contextmanager
def _thread_timer(seconds: float) -> Iterator[None]:
    """Off the main thread: a timer thread raises Timeout in this one (CPython's PyThreadState_SetAsyncExc)."""
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"inside": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["inside"]:
                state["fired"] = True
                _set_async_exc(target, Timeout)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["inside"] = False
            fired = state["fired"]
        if fired:  # raised after the block was done but not yet delivered: withdraw it
            _set_async_exc(target, ctypes.py_object())  # NULL clears a pending exception
