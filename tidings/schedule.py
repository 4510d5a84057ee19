"""Run a crawl command periodically, one at a time, surviving restarts (APScheduler 3 + a SQLite job store).

The job lives in OUTPUT/state/schedule.sqlite. After a restart, the runs missed while
stopped collapse into one (coalesce) that starts at once; a run still going when the next
is due makes that one wait, never overlap (max_instances=1). Each crawl is a subprocess,
because Scrapy's reactor runs once per process, and takes the crawl lock itself, so a
manual `tidings crawl` and a scheduled one never write the same output together.
See docs/scheduling.md for cron and systemd-timer equivalents.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from cleaning.errors import ConfigError
from cleaning.storage.dataset import DatasetPaths

__all__ = ["JOB_ID", "crawl_command", "parse_interval", "run_crawl", "run_schedule"]

logger = logging.getLogger(__name__)

JOB_ID = "tidings-crawl"
# tidings.crawl.BUSY_EXIT_CODE, not imported: that would load Scrapy into the long-lived scheduler
BUSY_EXIT_CODE = 75
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$", re.IGNORECASE)
_SUMMARY_LINES = 12  # the tail of a crawl's stderr that is its summary


def parse_interval(text: str) -> dt.timedelta:
    """Parse '90s', '30m', '2h' or '1d' into a timedelta."""
    match = _INTERVAL.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not an interval such as 90s, 30m, 2h or 1d")
    return dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])


def crawl_command(
    sources: Path,
    output: Path,
    *,
    names: Sequence[str] = (),
    config_path: Path | None = None,
    frontier: str | None = None,
) -> list[str]:
    """Return the argv of one `tidings crawl` run, with absolute paths (the scheduler may run elsewhere).

    With a frontier, the run only seeds it (`--seed-only`): its workers do the crawling.
    """
    command = [
        sys.executable,
        "-m",
        "tidings",
        "crawl",
        "--sources",
        str(Path(sources).resolve()),
        "--output",
        str(Path(output).resolve()),
        "--no-progress",
    ]
    for name in names:
        command += ["--source", name]
    if config_path is not None:
        command += ["--config", str(Path(config_path).resolve())]
    if frontier:
        command += ["--frontier", frontier, "--seed-only"]
    return command


def _log(log_path: Path, message: str) -> None:
    logger.info("%s", message)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.writelines(f"{stamp} {line}\n" for line in message.splitlines())


def run_crawl(command: list[str], log_path: str) -> int:
    """Run one crawl as a subprocess and log its summary; the scheduled job (importable, for the job store)."""
    log = Path(log_path)
    started = time.monotonic()
    _log(log, "run started: " + " ".join(command[1:]))
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if result.returncode == BUSY_EXIT_CODE:
        _log(log, f"run skipped after {seconds:.1f}s: another crawl holds the lock")
    else:
        tail = "\n".join(result.stderr.strip().splitlines()[-_SUMMARY_LINES:])
        _log(log, f"run finished in {seconds:.1f}s with exit code {result.returncode}" + (f"\n{tail}" if tail else ""))
    return result.returncode


@contextlib.contextmanager
def _scheduler_lock(state: Path) -> Iterator[None]:
    with open(state / "schedule.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ConfigError(f"a scheduler is already running for {state.parent}; stop it first") from exc
        yield


def _install_job(scheduler: BackgroundScheduler, command: list[str], log_path: Path, every: dt.timedelta) -> None:
    """Add the crawl job if the store has none; otherwise keep its next run time (the catch-up) and update it."""
    kwargs = {"command": command, "log_path": str(log_path)}
    now = dt.datetime.now(dt.UTC)
    job = scheduler.get_job(JOB_ID)
    if job is None:
        scheduler.add_job(
            run_crawl, "interval", seconds=every.total_seconds(), id=JOB_ID, kwargs=kwargs, next_run_time=now
        )
        return
    if job.kwargs != kwargs:
        job.modify(kwargs=kwargs)
    if job.trigger.interval != every:
        due = job.next_run_time
        scheduler.reschedule_job(JOB_ID, trigger="interval", seconds=every.total_seconds())
        if due is not None and due < now + every:
            scheduler.modify_job(JOB_ID, next_run_time=due)


def run_schedule(command: list[str], output: Path, every: dt.timedelta, *, stop: threading.Event | None = None) -> None:
    """Run command now (or when due) and then every interval until stop is set, SIGINT or SIGTERM."""
    state = DatasetPaths(Path(output)).state
    state.mkdir(parents=True, exist_ok=True)
    stop = stop or threading.Event()
    with _scheduler_lock(state):
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{state / 'schedule.sqlite'}")},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            # coalesce: runs missed while stopped become one; no grace limit: that one always runs
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=dt.UTC,
        )
        scheduler.start(paused=True)  # the job store is open, nothing runs until the job is in place
        try:
            _install_job(scheduler, command, state / "schedule.log", every)
            job = scheduler.get_job(JOB_ID)
            logger.info(
                "next crawl at %s, then every %s; log: %s",
                job.next_run_time if job else "?",
                every,
                state / "schedule.log",
            )
            scheduler.resume()
            if threading.current_thread() is threading.main_thread():
                _stop_on_signals(stop)
            while not stop.wait(1.0):
                pass
        finally:
            # wait=True: a crawl in progress finishes (and releases its lock) before we exit
            scheduler.shutdown(wait=True)


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
