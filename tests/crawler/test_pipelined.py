"""tidings/pipelined.py without a crawl: what the crawl's thread waits for while parts are handed out."""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tidings.pipelined
from cleaning.config import CleaningConfig
from tidings.pipelined import PipelinedCleaner


class _SlowToStart(cf.Executor):
    """An executor whose first submit waits until released (as a worker forked from a server still warming up)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls: list[tuple[Any, ...]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        self.entered.set()
        self.release.wait()
        self.calls.append((fn, args[1], kwargs))  # the part's start
        future: cf.Future[Any] = cf.Future()
        future.set_result(None)
        return future


def test_the_crawl_thread_never_waits_for_a_worker_that_is_still_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = _SlowToStart()
    monkeypatch.setattr(tidings.pipelined, "cleaning_pool", lambda workers: pool)
    cleaner = PipelinedCleaner(tmp_path / "output", CleaningConfig())
    archive = tmp_path / "output" / "warc" / "a.warc.gz"
    try:
        cleaner.written(archive, 0, 100)
        assert pool.entered.wait(30)  # the feeder is inside submit, held there
        later = threading.Thread(target=lambda: [cleaner.written(archive, 100, 200), cleaner.closed(archive)])
        later.start()
        later.join(30)
        assert not later.is_alive(), "written() waited for the worker to start"
    finally:
        pool.release.set()
        cleaner.close()
    assert pool.calls[0][1:] == (0, {"nice": 10})  # the first part, to the niced worker


def test_with_one_worker_the_rest_is_shared_between_the_worker_and_this_process() -> None:
    worker = cf.ThreadPoolExecutor(1, thread_name_prefix="worker")  # stands in for the niced worker process
    shared = tidings.pipelined._Shared(worker)
    ran: list[tuple[int, str]] = []
    here = threading.current_thread().name
    took = threading.Event()  # the worker took a task: until then this process holds its first one

    def task(n: int) -> int:
        ran.append((n, threading.current_thread().name))
        if threading.current_thread().name == here:
            took.wait()
        else:
            took.set()
        if n == 3:
            raise ValueError("bad part")
        return n * n

    try:
        futures = [shared.submit(task, n) for n in range(40)]
        shared.help()
        assert [f.result() for f in futures if f is not futures[3]] == [n * n for n in range(40) if n != 3]
        assert isinstance(futures[3].exception(), ValueError)  # handed to whoever waits
    finally:
        shared.shutdown()
        worker.shutdown()
    assert sorted(n for n, _ in ran) == list(range(40))  # each task once
    assert {name == here for _, name in ran} == {True, False}  # both took their share
