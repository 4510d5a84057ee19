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
import logging
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
from cleaning.pipeline import RunSummary, clean_shard, run_key
from cleaning.shards import ShardResult, commit
from cleaning.storage.snapshot import Store

__all__ = ["INSTALL_HINT", "dask_client", "run_dask"]

logger = logging.getLogger(__name__)

INSTALL_HINT = "--engine dask needs Dask: pip install 'tidings[dask]'"


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, workers: int | None = None) -> Iterator[Any]:
    """Join the cluster at scheduler, or start a LocalCluster of workers processes (one thread each)."""
    try:
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
    # processes with one thread each: the steps are CPU-bound Python (the GIL)
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            # None still binds the scheduler's HTTP server to 8787 and warns when another cluster holds it
            dashboard_address=":0",
            silence_logs=logging.WARNING,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _late_hints(warc: Path, max_bytes: int) -> dict[str, list[dict[str, Any]]]:
    return late_hints_of(warc, max_bytes=max_bytes)


def _clean(
    shard: InputShard, folder: Path, source: str | None, late: dict[str, Any], config: CleaningConfig
) -> ShardResult:
    """On a worker: read the shard's own files, run the per-page steps, stage the results in folder."""
    items = read_shard(shard, source=source, late=late, max_bytes=config.max_input_bytes)
    return clean_shard(items, folder, config)


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

    A shard is one WARC file, or up to shard_files other files (64 MiB) of one input folder.
    """
    started = time.perf_counter()
    # absolute paths: the workers may not share this process's working directory
    inputs = [Path(os.path.abspath(p)) for p in inputs]
    output = Path(os.path.abspath(output))
    store = Store(output)
    summary = RunSummary(output=output)
    key = "dask-" + run_key(inputs, config, source)
    current = store.current()
    done = int((current.manifest.runs.get(key) or {}).get("shards", 0)) if current else 0
    shards, warcs = plan_shards(inputs, max_files=shard_files)
    if done:
        logger.info("resuming run %s after %d committed shards", key, done)
    with dask_client(scheduler, workers=config.workers if config.workers > 1 else None) as client:
        found = client.gather(client.map(_late_hints, warcs, max_bytes=config.max_input_bytes, pure=False))
        late = merge_late_hints(found)
        shared_late = client.scatter(late, broadcast=True) if late else {}
        todo = shards[done:]
        store.staging.mkdir(parents=True, exist_ok=True)
        folders = [store.new_staging() for _ in todo]
        futures = client.map(
            _clean, todo, folders, source=source, late=shared_late, config=config, pure=False, retries=1
        )
        group: list[ShardResult] = []
        position = done
        with tqdm(
            desc="cleaning", unit="shard", total=len(shards), initial=done, file=sys.stderr, disable=not progress
        ) as bar:
            for number, future in enumerate(futures, start=done + 1):
                result: ShardResult = future.result()
                future.release()
                bar.update(1)
                group.append(result)
                last = number == len(shards)
                if last or sum(r.pages for r in group) >= config.slice_pages:
                    position = number
                    _commit(output, group, config, summary, run=(key, None if last else {"shards": position}))
                    group = []
        if not todo:  # everything was committed by the killed run: close its record
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
    summary.pages += sum(r.pages for r in group)
    summary.articles += sum(r.articles for r in group)
    summary.inserted += stats.inserted
    summary.replaced += stats.replaced
    summary.unchanged += stats.unchanged
    summary.kept_existing += stats.kept_existing
    summary.removed += stats.removed
    summary.duplicates += stats.duplicates
    summary.total_articles = stats.total
    summary.rejects.update(stats.rejects)
    summary.languages.update(stats.languages)
