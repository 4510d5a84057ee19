"""Delta Lake (deltalake / delta-rs) on the tidings articles table: the numbers behind docs/storage.md.

Usage: python benchmarks/storage_delta.py [--stored 1000000] [--new 1000] [--folder DIR]

Builds a Delta table of --stored synthetic rows partitioned by month of publication, then
measures, beside the same operations on an empty table: append of --new rows, merge (upsert
by id) of --new rows, a filtered read (one month, two sources, three columns), optimize
(compaction) and two concurrent merges from two processes. Medians of 3 where repeated.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

from benchmarks.synthetic_rows import rows


def _with_month(table: pa.Table) -> pa.Table:
    month = pc.strftime(table.column("published_at"), format="%Y-%m")
    return table.append_column("published_month", month.cast(pa.string()))


def _merge(path: str, new: pa.Table) -> None:
    (
        DeltaTable(path)
        .merge(new, predicate="t.id = s.id", source_alias="s", target_alias="t")
        .when_matched_update_all()
        .when_not_matched_insert_all()
        .execute()
    )


def _append(path: str, new: pa.Table) -> None:
    write_deltalake(path, new, mode="append", partition_by=["published_month"])


def _timed(function, *args) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def _concurrent_merge(path: str, start: int, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        _merge(path, _with_month(rows(500, seed=start, start=start)))
        results.put(("ok", start))
    except Exception as exc:
        results.put((type(exc).__name__ + ": " + str(exc)[:200], start))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="tidings-delta-"))
    big, empty = str(folder / "big"), str(folder / "empty")
    report: dict[str, object] = {"stored": args.stored, "new": args.new}

    started = time.perf_counter()
    step = 100_000
    for offset in range(0, args.stored, step):
        write_deltalake(
            big,
            _with_month(rows(min(step, args.stored - offset), seed=offset, start=offset)),
            mode="append",
            partition_by=["published_month"],
        )
    report["build_seconds"] = time.perf_counter() - started
    report["files_before_optimize"] = len(DeltaTable(big).file_uris())
    started = time.perf_counter()
    DeltaTable(big).optimize.compact()
    report["optimize_seconds"] = time.perf_counter() - started
    DeltaTable(big).vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
    report["files_after_optimize"] = len(DeltaTable(big).file_uris())

    for name, path in (("empty", empty), ("stored", big)):
        appends, merges, replaces = [], [], []
        for attempt in range(3):
            start = 10_000_000 + attempt * 10_000 + (0 if name == "empty" else 5_000_000)
            new = _with_month(rows(args.new, seed=start, start=start))
            appends.append(_timed(_append, path, new))
            fresh = _with_month(rows(args.new, seed=start + 1, start=start + 2_000_000))
            merges.append(_timed(_merge, path, fresh))
            again = _with_month(rows(args.new, seed=7, start=attempt * 100))  # ids already stored in big
            replaces.append(_timed(_merge, path, again))
        report[f"{name}_append_seconds"] = statistics.median(appends)
        report[f"{name}_merge_new_seconds"] = statistics.median(merges)
        report[f"{name}_merge_replace_seconds"] = statistics.median(replaces)

    reads = []
    for _ in range(3):
        started = time.perf_counter()
        frame = (
            pl.scan_delta(big)
            .filter((pl.col("published_month") == "2023-05") & pl.col("source").is_in(["source-01", "source-02"]))
            .select(["id", "title", "published_at"])
            .collect()
        )
        reads.append(time.perf_counter() - started)
    report["filtered_read_seconds (polars scan_delta)"] = statistics.median(reads)
    report["filtered_read_rows"] = frame.height

    spawn = multiprocessing.get_context("spawn")  # delta-rs runs a thread pool: never fork it
    queue: multiprocessing.Queue = spawn.Queue()  # type: ignore[type-arg]
    workers = [spawn.Process(target=_concurrent_merge, args=(big, s, queue)) for s in (20_000_000, 30_000_000)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    report["concurrent_merges"] = [queue.get()[0] for _ in workers]
    report["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["disk_mib"] = sum(p.stat().st_size for p in Path(big).rglob("*") if p.is_file()) / 2**20
    print(json.dumps(report, indent=2))
    if not args.folder:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
