"""`tidings clean` and `crawl` start their workers' server before the CLI's imports (tidings/_early.py)."""

from __future__ import annotations

import pytest

from cleaning.workers import DASK_PRELOAD, STEPS_PRELOAD
from tidings._early import preload_for


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-m", "clean", "in", "-o", "out", "--engine", "dask", "-w", "2"], DASK_PRELOAD),
        (["/venv/bin/tidings", "-v", "clean", "in", "--engine=dask"], DASK_PRELOAD),
        (["tidings", "clean", "in", "-w", "2"], STEPS_PRELOAD),
        (["tidings", "clean", "in", "-w2"], STEPS_PRELOAD),
        (["tidings", "clean", "in", "--workers=3", "--engine", "local"], STEPS_PRELOAD),
        # no worker processes here, or on a cluster of their own: nothing to start
        (["tidings", "clean", "in", "-w", "1"], None),
        (["tidings", "clean", "in"], None),
        (["tidings", "clean", "in", "--engine", "dask", "--scheduler", "tcp://10.0.0.5:8786"], None),
        # a crawl cleans in a worker process while it crawls, unless it cleans nothing or cleans after
        (["tidings", "crawl", "--sources", "s.toml"], STEPS_PRELOAD),
        (["-m", "-v", "crawl", "--sources", "s.toml", "-w", "2"], STEPS_PRELOAD),
        (["tidings", "crawl", "--sources", "s.toml", "--no-clean"], None),
        (["tidings", "crawl", "--frontier", "redis://h/0", "--seed-only"], None),
        (["tidings", "crawl", "--sources", "s.toml", "--no-pipeline"], None),
        (["tidings", "crawl", "--sources", "s.toml", "--no-pipeline", "-w", "2"], STEPS_PRELOAD),
        (["tidings", "clean", "in", "-w", "two"], None),
        (["tidings", "clean", "in", "-w"], None),
        # another program that imports tidings
        (["/usr/bin/pytest", "clean", "-w", "2"], None),
        ([], None),
    ],
)
def test_only_a_clean_or_crawl_with_worker_processes_starts_their_server_early(
    argv: list[str], expected: list[str] | None
) -> None:
    assert preload_for(argv) == expected


def test_the_server_started_early_imports_the_cli_that_each_worker_runs_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaning.workers
    from tidings._early import start_workers_early

    started: list[list[str]] = []
    monkeypatch.setattr(cleaning.workers, "start_forkserver", started.append)
    start_workers_early(["tidings", "clean", "in", "-w", "2"])
    start_workers_early(["tidings", "clean", "in"])  # no workers: no server
    assert started == [[*STEPS_PRELOAD, "tidings.cli"]]
