"""Cleaning on a Dask cluster: `tidings clean INPUTS --engine dask [--scheduler tcp://HOST:PORT]`.

The same run as cleaning/pipeline.run, split by input shard instead of by slice:

1. plan (client): readers.plan_shards lists the input files and groups them into shards
   (each WARC file its own); only paths and sizes, never page bytes, go to the workers;
2. late hints (workers): each WARC's hints that refer to a response in another archive,
   merged on the client in name order, as iter_inputs merges them (small; scattered once);
3. clean (workers): each worker reads its own shard (readers.read_shard), runs the per-page
   steps (pipeline.clean_shard) and writes the shard's articles, rejects and signatures
   into a staging folder of the output;
4. commit (client): shards.commit over signatures and ids, in shard order, a group of about
   config.slice_pages pages at a time, each one atomic snapshot; a killed run resumes after
   its last committed group.

The result equals `--engine local` (same rows, ids, duplicate_of) for any number of workers
and any input order. The output folder must be on storage every worker and the client see
(the same path): a local disk for a LocalCluster, a shared file system on a cluster.
docs/distributed.md shows Slurm (dask-jobqueue), Kubernetes and plain scheduler addresses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cleaning.config import CleaningConfig
from cleaning.errors import ConfigError
from cleaning.inputs.readers import InputShard, late_hints_of, merge_late_hints, plan_shards, read_shard
from cleaning.shards import ShardResult, commit
from cleaning.storage.snapshot import Store
from cleaning.summary import RunSummary, run_key
from cleaning.workers import DASK_PRELOAD, start_forkserver

__all__ = ["INSTALL_HINT", "dask_client", "run_dask"]

logger = logging.getLogger(__name__)

INSTALL_HINT = "--engine dask needs Dask: pip install 'tidings[dask]'"


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, workers: int | None = None) -> Iterator[Any]:
    """Join the cluster at scheduler, or start a LocalCluster of workers processes (one thread each)."""
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    # the in-process scheduler and client log each connection at INFO: keep them under our level
    level = max(logging.WARNING, logging.getLogger().getEffectiveLevel())
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(level)
    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        with client:
            yield client
        return
    n_workers = workers or os.cpu_count() or 1
    _preload_forkserver()
    with (
        dask.config.set(_LOCAL_CLUSTER_CONFIG),
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,  # processes with one thread each: the steps are CPU-bound Python (the GIL)
            processes=True,
            # None still binds the scheduler's HTTP server to 8787 and warns when another cluster holds it
            dashboard_address=":0",
            silence_logs=logging.WARNING,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


# A LocalCluster's workers fork from a server that imported and warmed the steps once (as the local
# engine's pool does) instead of each starting a fresh interpreter and importing them on its
# first task: 1.5-2 s less before the first page on 2 workers, and a faster stop. Workers
# skip Dask's statistical profiler (a stack sample every 10 ms, under the GIL of the task).
# Its housekeeping runs less often: an event-loop health tick every 20 ms and a psutil system
# sample every 500 ms, in the scheduler, each nanny and each worker, cost an idle 2-worker
# cluster 85 ms of CPU per second (45 in this process, 20 per worker); every second and
# every 5 s, 11 ms, CPU the workers' pages get instead on a machine the cluster fills.
_LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.disk": False,
}
_PRELOAD = DASK_PRELOAD


def _preload_forkserver() -> None:
    """Have the forkserver import Dask and the steps before it forks the workers (no-op once it runs)."""
    import dask
    from distributed.utils import get_mp_context

    with dask.config.set(_LOCAL_CLUSTER_CONFIG):
        get_mp_context()  # Dask sets its own preload list the first time: ours replaces it
    multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOAD)


def _late_hints(warc: Path, max_bytes: int) -> dict[str, list[dict[str, Any]]]:
    return late_hints_of(warc, max_bytes=max_bytes)


def _clean(
    task: Sequence[InputShard], folder: Path, source: str | None, late: dict[str, Any], config: CleaningConfig
) -> ShardResult:
    """On a worker: read the task's own files, run the per-page steps, stage the results in folder."""
    from cleaning.pipeline import clean_shard  # the steps: imported on the workers, never by the client

    items = itertools.chain.from_iterable(
        read_shard(unit, source=source, late=late, max_bytes=config.max_input_bytes) for unit in _merge(task)
    )
    return clean_shard(items, folder, config)


def _weight(unit: InputShard) -> int:
    """A unit's share of the work: its bytes (at least 1)."""
    total = 0
    for file in unit.files or (unit.path,):
        with contextlib.suppress(OSError):
            total += file.stat().st_size
    return max(total, 1)


def _merge(units: Sequence[InputShard]) -> list[InputShard]:
    """Consecutive units of one folder as one (its manifests read once per task, not once per unit)."""
    merged: list[InputShard] = []
    for unit in units:
        last = merged[-1] if merged else None
        if (
            last is not None
            and unit.files
            and last.files
            and (last.path, last.manifests) == (unit.path, unit.manifests)
        ):
            merged[-1] = dataclasses.replace(last, files=last.files + unit.files)
        else:
            merged.append(unit)
    return merged


def plan_tasks(units: Sequence[InputShard], workers: int, *, max_files: int = 256) -> list[list[InputShard]]:
    """Group consecutive units into tasks whose sizes shrink as the run nears its end (guided self-scheduling).

    A task is at most max_files files or 64 MiB (what one worker holds in memory), and about
    1/(2 x workers) of what is left, but no less than 1/(32 x workers) of the whole: big
    tasks first while there is plenty to do, small ones last, so that every worker stays
    busy until the end and no worker is left with one long task while the others wait.
    """
    weights = [_weight(u) for u in units]
    remaining = sum(weights)
    floor = remaining / (32 * max(workers, 1))
    tasks: list[list[InputShard]] = []
    current: list[InputShard] = []
    size = files = 0
    for unit, weight in zip(units, weights, strict=True):
        target = min(max(remaining / (2 * max(workers, 1)), floor), _MAX_TASK_BYTES)
        if current and (size + weight > target or files + len(unit.files) > max_files):
            tasks.append(current)
            remaining -= size
            current, size, files = [], 0, 0
        current.append(unit)
        size += weight
        files += len(unit.files)
    if current:
        tasks.append(current)
    return tasks


_UNIT_FILES = 16  # files of a folder per unit of the plan: what a killed run's progress counts
_MAX_TASK_BYTES = 64 * 1024 * 1024


def run_dask(
    inputs: Sequence[Path],
    output: Path,
    config: CleaningConfig,
    *,
    source: str | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    shard_files: int = 256,
) -> RunSummary:
    """Clean inputs into the dataset at output on a Dask cluster; return what was done (as pipeline.run).

    The plan splits the inputs into units (each WARC file its own, up to 16 other files of
    one folder); tasks group consecutive units, up to shard_files files (plan_tasks). Tasks
    run largest first; their results are committed in plan order.
    """
    started = time.perf_counter()
    if scheduler is None:  # the LocalCluster workers' server imports Dask and the steps while this process starts
        start_forkserver(_PRELOAD)
    # absolute paths: the workers may not share this process's working directory
    inputs = [Path(os.path.abspath(p)) for p in inputs]
    output = Path(os.path.abspath(output))
    store = Store(output)
    summary = RunSummary(output=output)
    key = "dask-" + run_key(inputs, config, source)
    current = store.current()
    record = (current.manifest.runs.get(key) or {}) if current else {}
    done = int(record.get("units", 0))
    # inputs the killed run committed: the summary counts them as the local engine does
    summary.pages = summary.resumed_from = int(record.get("pages", 0))
    units, warcs = plan_shards(inputs, max_files=min(shard_files, _UNIT_FILES))
    if done:
        logger.info("resuming run %s after %d committed units", key, done)
    with dask_client(scheduler, workers=config.workers if config.workers > 1 else None) as client:
        from dask.distributed import as_completed  # dask_client said what to install if it is missing

        found = client.gather(client.map(_late_hints, warcs, max_bytes=config.max_input_bytes, pure=False))
        late = merge_late_hints(found)
        shared_late = client.scatter(late, broadcast=True) if late else {}
        workers = max(1, sum(client.nthreads().values()))
        tasks = plan_tasks(units[done:], workers, max_files=shard_files)
        store.staging.mkdir(parents=True, exist_ok=True)
        # largest first: the longest tasks start while every worker is free
        order = sorted(range(len(tasks)), key=lambda n: -sum(_weight(u) for u in tasks[n]))
        futures = {}
        for rank, number in enumerate(order):
            future = client.submit(
                _clean,
                tasks[number],
                store.new_staging(),
                source=source,
                late=shared_late,
                config=config,
                pure=False,
                retries=1,
                priority=len(order) - rank,
            )
            futures[future] = number
        finished: dict[int, ShardResult] = {}
        group: list[ShardResult] = []
        position, next_task = done, 0
        with tqdm(
            desc="cleaning", unit="unit", total=len(units), initial=done, file=sys.stderr, disable=not progress
        ) as bar:
            for future in as_completed(futures):
                finished[futures.pop(future)] = future.result()
                future.release()
                while next_task in finished:  # commit in plan order: a killed run resumes after a prefix
                    group.append(finished.pop(next_task))
                    position += len(tasks[next_task])
                    bar.update(len(tasks[next_task]))
                    next_task += 1
                    last = next_task == len(tasks)
                    if last or sum(r.pages for r in group) >= config.slice_pages:
                        pages = summary.pages + sum(r.pages for r in group)
                        progress_record: dict[str, object] | None = (
                            None if last else {"units": position, "pages": pages}
                        )
                        _commit(output, group, config, summary, run=(key, progress_record))
                        group = []
        if not tasks:  # everything was committed by the killed run: close its record
            _commit(output, [], config, summary, run=(key, None))
    summary.seconds = time.perf_counter() - started
    for reason, count in sorted(summary.rejects.items()):
        logger.info("cleaning/rejected/%s: %d", reason, count)
    return summary


def _commit(
    output: Path,
    group: list[ShardResult],
    config: CleaningConfig,
    summary: RunSummary,
    *,
    run: tuple[str, dict[str, object] | None],
) -> None:
    stats = commit(output, group, config, run=run)
    summary.add(sum(r.pages for r in group), sum(r.articles for r in group), stats)
