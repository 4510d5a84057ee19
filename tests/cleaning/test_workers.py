"""Worker processes of `tidings clean -w 2` end with the run, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted((REPO / "tests" / "fixtures" / "pages").glob("*.html"))


def _children(pid: int) -> set[int]:
    """Every living descendant of pid, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _inputs(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(count):
        page = PAGES[n % len(PAGES)].read_bytes().replace(b"</body>", f"<p>copy {n}</p></body>".encode())
        (folder / f"page-{n:04d}.html").write_bytes(page)
    return folder


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.slow
def test_kill9_of_a_run_with_workers_leaves_no_process_behind(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in", 300)
    output = tmp_path / "out"
    command = [sys.executable, "-m", "tidings", "clean", str(inputs), "-o", str(output), "-w", "2", "--no-progress"]
    run = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    # the forkserver, its two workers and the resource tracker: then the workers are cleaning
    while len(workers) < 4 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.1)
        workers = _children(run.pid)
    assert len(workers) >= 4, "the run never started its workers"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _alive(workers)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} worker process(es) outlived the killed run"
