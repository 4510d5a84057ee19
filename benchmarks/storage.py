"""Our snapshot storage at a million rows: the numbers behind docs/storage.md.

Usage:
    python -m benchmarks.storage build --folder DIR [--rows 1000000] [--step 50000]
    python -m benchmarks.storage add --folder DIR [--rows 1000] [--start N] [--copies 0.25]  (one process a call)
    python -m benchmarks.storage read --folder DIR
    python -m benchmarks.storage compact --folder DIR

build:   commits --rows synthetic cleaned rows (benchmarks/synthetic_rows.py) in commits of
         --step, as pipeline.run commits slices: finish_shard (fingerprints) then commit.
--rejects R (build, add): R reject rows (distinct inputs, one in four a fetch failure) per row.
add:     one commit of --rows new rows (distinct ids): seconds to stage (fingerprints) and to
         commit (newest-per-id, dedup against the stored index, files, snapshot), peak RSS of
         the process. Run it against an empty folder and against the built one (on a copy made
         with `cp -al`: files are never modified, so hard links keep the built one as it was).
         --copies: that share of the new rows are edited copies (one word in fifty replaced) of
         rows the build stored, so the commit reads and re-links their clusters.
read:    filtered reads (one month, two sources, three columns): tidings.load, Polars, DuckDB;
         medians of 3.
compact: tidings compact: seconds, files before and after.
Every number measures storage and dedup, not cleaning (rows are already cleaned).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

import tidings
from benchmarks.synthetic_rows import rows
from cleaning.config import CleaningConfig
from cleaning.shards import commit, finish_shard
from cleaning.storage.compact import compact
from cleaning.storage.snapshot import Store


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _with_copies(table: pa.Table, share: float, stored_rows: int, step: int) -> pa.Table:
    """Replace the texts of share of table's rows by edited copies of texts the build stored."""
    count = round(table.num_rows * share)
    if not count or not stored_rows:
        return table
    rng = np.random.default_rng(7)
    offset = int(rng.integers(0, max(1, stored_rows // step))) * step
    originals = rows(min(step, stored_rows - offset), seed=offset, start=offset).column("text").to_pylist()
    texts = table.column("text").to_pylist()
    for n, source in enumerate(rng.choice(len(originals), count, replace=False)):
        words = originals[source].split(" ")
        for position in rng.integers(0, len(words), max(1, len(words) // 50)):
            words[position] = "edited"
        texts[n] = " ".join(words)
    position = table.schema.get_field_index("text")
    return table.set_column(position, table.schema.field("text"), pa.array(texts, type=pa.large_string()))


def _rejects(count: int, start: int) -> pd.DataFrame:
    """count reject rows of distinct inputs: one in four a fetch failure (http_error), the rest too short."""
    n = np.arange(start, start + count)
    return pd.DataFrame(
        {
            "origin": [f"crawl-{i // 1000:06d}.warc.gz@{i}" for i in n],
            "url": [f"https://site-{i % 97:02d}.example/reject/{i}" for i in n],
            "source": [f"source-{i % 12:02d}" for i in n],
            "stage": ["read" if i % 4 == 0 else "filter" for i in n],
            "reason": ["http_error" if i % 4 == 0 else "text_too_short" for i in n],
            "detail": ["status 404" if i % 4 == 0 else "12 characters" for i in n],
            "fetched_at": pd.Timestamp("2025-06-01", tz="UTC") + pd.to_timedelta(n % 86_400, unit="s"),
            "tidings_version": "bench",
        }
    )


def _stage_and_commit(
    folder: Path, count: int, start: int, copies: float = 0.0, step: int = 50_000, rejects: float = 0.0
) -> dict[str, float]:
    config = CleaningConfig()
    table = rows(count, seed=start, start=start)
    if copies:
        snapshot = Store(folder).current()
        table = _with_copies(table, copies, snapshot.rows("articles") if snapshot else 0, step)
    frame = table.to_pandas()
    store = Store(folder)
    store.staging.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    rejected = _rejects(round(count * rejects), start) if rejects else frame.iloc[0:0][[]]
    shard = finish_shard(frame, rejected, store.new_staging(), config, pages=count)
    staged = time.perf_counter() - began
    del frame, table
    before = _rss_mib()
    began, cpu = time.perf_counter(), time.process_time()
    stats = commit(folder, [shard], config)
    return {
        "stage_seconds": staged,
        "commit_seconds": time.perf_counter() - began,
        "commit_cpu_seconds": time.process_time() - cpu,  # on a loaded machine, the figure to compare
        "rss_before_commit_mib": before,
        "peak_rss_mib": _rss_mib(),
        "rows_after": stats.total,
        "duplicates": stats.duplicates,
    }


def build(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    commits = []
    for offset in range(0, args.rows, args.step):
        commits.append(_stage_and_commit(args.folder, min(args.step, args.rows - offset), offset, rejects=args.rejects))
        print(json.dumps({"offset": offset, **commits[-1]}), flush=True)
    snapshot = Store(args.folder).current()
    assert snapshot is not None
    disk = sum(p.stat().st_size for p in snapshot.folder.rglob("*.parquet"))
    print(
        json.dumps(
            {
                "build_seconds": time.perf_counter() - began,
                "rows": snapshot.rows("articles"),
                "files": len(snapshot.manifest.files),
                "disk_mib": disk / 2**20,
                "peak_rss_mib": _rss_mib(),
            }
        )
    )


def add(args: argparse.Namespace) -> None:
    result = _stage_and_commit(args.folder, args.rows, args.start, args.copies, args.step, args.rejects)
    print(json.dumps({"rows": args.rows, "copies": args.copies} | result))


def read(args: argparse.Namespace) -> None:
    results: dict[str, float | int] = {}
    folder = args.folder
    readers = {
        "tidings.load": lambda: tidings.load(
            folder,
            since="2023-05-01",
            until="2023-06-01",
            sources=["source-01", "source-02"],
            columns=["id", "title", "published_at"],
        ),
        "polars": lambda: (
            pl.scan_parquet(f"{folder}/articles/2023-05/*.parquet")
            .filter(pl.col("source").is_in(["source-01", "source-02"]))
            .select(["id", "title", "published_at"])
            .collect()
        ),
        "duckdb": lambda: duckdb.sql(
            f"SELECT id, title, published_at FROM read_parquet('{folder}/articles/2023-05/*.parquet')"
            " WHERE source IN ('source-01', 'source-02')"
        ).df(),
        "tidings.load all ids": lambda: tidings.load(folder, columns=["id"]),
    }
    for name, reader in readers.items():
        times = []
        for _ in range(3):
            began = time.perf_counter()
            found = reader()
            times.append(time.perf_counter() - began)
        results[f"{name} seconds"] = statistics.median(times)
        results[f"{name} rows"] = len(found)
    results["peak_rss_mib"] = _rss_mib()
    print(json.dumps(results))


def compact_command(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    stats = compact(args.folder)
    print(
        json.dumps(
            {
                "compact_seconds": time.perf_counter() - began,
                "files_before": stats.files_before,
                "files_after": stats.files_after,
                "peak_rss_mib": _rss_mib(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["build", "add", "read", "compact"])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--step", type=int, default=50_000)
    parser.add_argument("--start", type=int, default=50_000_000)
    parser.add_argument("--copies", type=float, default=0.0, help="add: share of rows that copy stored ones")
    parser.add_argument(
        "--rejects", type=float, default=0.0, help="build, add: reject rows per article row (inputs that gave none)"
    )
    args = parser.parse_args()
    if args.rows is None:
        args.rows = 1_000_000 if args.mode == "build" else 1000
    {"build": build, "add": add, "read": read, "compact": compact_command}[args.mode](args)


if __name__ == "__main__":
    main()
