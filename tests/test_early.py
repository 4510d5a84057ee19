"""`tidings clean` starts its workers' server before the CLI's imports (tidings/_early.py)."""

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
        (["tidings", "crawl", "--sources", "s.toml", "-w", "2"], None),
        (["tidings", "clean", "in", "-w", "two"], None),
        (["tidings", "clean", "in", "-w"], None),
        # another program that imports tidings
        (["/usr/bin/pytest", "clean", "-w", "2"], None),
        ([], None),
    ],
)
def test_only_a_clean_with_worker_processes_starts_their_server_early(
    argv: list[str], expected: list[str] | None
) -> None:
    assert preload_for(argv) == expected
