"""The scheduler: intervals, the crawl command, and restart behaviour (one catch-up run, never two at once)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.crawler.conftest import REPO
from tidings.schedule import crawl_command, parse_interval


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("1.5h", 5400)])
def test_parse_interval(text: str, seconds: int) -> None:
    assert parse_interval(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "30", "5 minutes", "0m", "-1h"])
def test_parse_interval_rejects_junk(text: str) -> None:
    with pytest.raises(ValueError, match="not an interval"):
        parse_interval(text)


def test_crawl_command_uses_absolute_paths(tmp_path: Path) -> None:
    command = crawl_command(Path("sources.toml"), Path("out"), names=["a", "b"])
    assert command[:4] == [sys.executable, "-m", "tidings", "crawl"]
    assert command[command.index("--sources") + 1] == str(Path("sources.toml").resolve())
    assert command[command.index("--output") + 1] == str(Path("out").resolve())
    assert command.count("--source") == 2


# The job stands in for a crawl: it appends its start time to a file, then takes a while.
_SCHEDULER = """
import datetime as dt, sys
from pathlib import Path
from tidings.schedule import run_schedule
stand_in = "import sys, time; open(sys.argv[1], 'a').write(f'{time.time()}\\\\n'); time.sleep(0.3)"
job = [sys.executable, "-c", stand_in, sys.argv[2]]
run_schedule(job, Path(sys.argv[1]), dt.timedelta(seconds=float(sys.argv[3])))
"""


def _start(output: Path, runs: Path, every: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _SCHEDULER, str(output), str(runs), str(every)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _runs(path: Path) -> list[float]:
    return [float(line) for line in path.read_text().split()] if path.exists() else []


def _wait_for(path: Path, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(_runs(path)) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_restart_makes_up_missed_runs_exactly_once(tmp_path: Path) -> None:
    output, runs, every = tmp_path / "output", tmp_path / "runs.txt", 3.0
    first = _start(output, runs, every)
    _wait_for(runs, 1, timeout=20)
    first.send_signal(signal.SIGKILL)  # no clean shutdown: the job store alone must carry the schedule
    first.communicate(timeout=20)
    (started,) = _runs(runs)  # the first run starts at once, the next was not due yet

    time.sleep(2 * every + 0.5)  # two runs missed while stopped
    restarted_at = time.time()
    second = _start(output, runs, every)
    try:
        _wait_for(runs, 2, timeout=20)
        time.sleep(every)
        after_restart = [t for t in _runs(runs) if t >= restarted_at]
    finally:
        second.send_signal(signal.SIGTERM)
        _, stderr = second.communicate(timeout=20)
    assert second.returncode == 0, stderr
    catch_up, *regular = after_restart
    assert catch_up - restarted_at < 5  # made up at once, not at the next interval
    # every later run is on the interval's grid (started + k * every): a second catch-up would not be
    for run in regular:
        phase = (run - started) % every
        assert min(phase, every - phase) < 0.4, "the missed runs must coalesce into a single catch-up run"
    log = (output / "state" / "schedule.log").read_text()
    assert log.count("run started") == len(_runs(runs))


def test_a_second_scheduler_on_the_same_output_is_refused(tmp_path: Path) -> None:
    output, runs = tmp_path / "output", tmp_path / "runs.txt"
    first = _start(output, runs, 60)
    try:
        _wait_for(runs, 1, timeout=20)
        second = _start(output, tmp_path / "other.txt", 60)
        _, stderr = second.communicate(timeout=20)
        assert second.returncode != 0
        assert "a scheduler is already running" in stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=20)
    assert not os.path.exists(tmp_path / "other.txt")
