"""Compaction: merge the small files that many commits leave into few large ones.

Every commit adds a file per articles month it touches, one rejects file, one index docs
file and one file per band. commit() merges a partition's small files when it holds more
than AUTO_FILES of them (cost: that partition only); `tidings compact OUT` merges every
partition into as few files as FILE_ROWS allows and drops band rows of replaced articles.
Rows never change: a reader sees the same rows before and after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaning.storage.snapshot import FileEntry, Store, Transaction

__all__ = ["AUTO_FILES", "CompactStats", "auto_compact", "compact"]

AUTO_FILES = 16  # a partition with more files than this is compacted by the commit that adds one
FILE_ROWS = 250_000  # rows per file written by compaction (a band or docs row is small, an article is not)
_SORT = {"index/docs": "canonical", "index/bands": "band_hash"}
_TEXTS = ("articles", "rejects")  # merged a row group at a time, in manifest order
STATS_COLUMNS = ("published_at", "source", "language")  # what article_stats reads


@dataclasses.dataclass
class CompactStats:
    """Files of the snapshot before and after a compaction."""

    files_before: int = 0
    files_after: int = 0
    version: int = 0


def _partitions(txn: Transaction) -> dict[tuple[str, str, str | None], list[FileEntry]]:
    # rejects files of one run stay apart from other runs' (shards._rejects tells them apart)
    groups: dict[tuple[str, str, str | None], list[FileEntry]] = {}
    for entry in txn.manifest.files:
        groups.setdefault((entry.table, entry.partition, entry.stats.get("run")), []).append(entry)
    return groups


def _row_groups(paths: list[Path]) -> Iterator[pa.Table]:
    for path in paths:
        handle = pq.ParquetFile(path, pre_buffer=False)
        for group in range(handle.metadata.num_row_groups):
            yield handle.read_row_group(group)


def _stream_merge(
    txn: Transaction,
    table: str,
    partition: str,
    entries: list[FileEntry],
    stats: Callable[[pa.Table], dict[str, object]] | None,
) -> None:
    """Concatenate the files of a partition of texts a row group at a time (memory: one row group)."""
    schema = pq.read_schema(txn.path(entries[0]))
    run = entries[0].stats.get("run")
    source = _row_groups([txn.path(e) for e in entries])  # resolved before remove() forgets staged files
    for entry in entries:
        txn.remove(entry)
    pending = next(source, None)

    def chunk() -> Iterator[pa.Table]:
        nonlocal pending
        written = 0
        while pending is not None and (not written or written + pending.num_rows <= FILE_ROWS):
            yield pending
            written += pending.num_rows
            pending = next(source, None)

    while pending is not None:
        if stats is not None:
            txn.write_stream(table, partition, chunk(), schema, stats, STATS_COLUMNS)
        else:
            txn.write_stream(table, partition, chunk(), schema, lambda _: {"run": run} if run else {})


def _merge(
    txn: Transaction,
    table: str,
    partition: str,
    entries: list[FileEntry],
    stats: Callable[[pa.Table], dict[str, object]] | None,
    keep: Callable[[pa.Table], pa.Table] | None = None,
) -> None:
    if table in _TEXTS:
        _stream_merge(txn, table, partition, entries, stats)
        return
    # index rows are small and sorted (band_hash, canonical) so that a commit's reads skip row groups
    parts = [pq.read_table(txn.path(e)) for e in entries]
    merged = pa.concat_tables(parts, promote_options="none")
    if keep is not None:
        merged = keep(merged)
    merged = merged.sort_by(_SORT[table])
    for entry in entries:
        txn.remove(entry)
    for start in range(0, merged.num_rows, FILE_ROWS):
        txn.write(table, partition, merged.slice(start, FILE_ROWS))


def auto_compact(txn: Transaction, stats: Callable[[pa.Table], dict[str, object]]) -> None:
    """Merge the small files of every partition that holds more than AUTO_FILES files."""
    for (table, partition, _), entries in _partitions(txn).items():
        if len(entries) <= AUTO_FILES:
            continue
        # tiered: the smallest files merge, up to FILE_ROWS rows, so a partition is rewritten
        # log-many times and a merge's memory (index tables are merged in memory) stays bounded
        small: list[FileEntry] = []
        for entry in sorted(entries, key=lambda e: e.rows):
            if small and sum(e.rows for e in small) + entry.rows > FILE_ROWS:
                break
            small.append(entry)
        if len(small) > 1:
            _merge(txn, table, partition, small, stats if table == "articles" else None)


def compact(output: Path) -> CompactStats:
    """Merge every partition of output into few files in one commit; return the file counts."""
    from cleaning.shards import article_stats, upgrade_legacy  # shards imports this module

    store = Store(Path(output))
    result = CompactStats()
    with store.lock():
        upgrade_legacy(store)
        txn = store.begin()
        result.files_before = len(txn.manifest.files)
        docs = txn.entries("index/docs")
        keys = (
            pa.concat_arrays([pq.read_table(txn.path(e), columns=["key"]).column("key").combine_chunks() for e in docs])
            if docs
            else pa.array([], type=pa.uint64())
        )

        def live_bands(table: pa.Table) -> pa.Table:
            return table.filter(pc.is_in(table.column("key"), value_set=keys))

        for (table, partition, _), entries in _partitions(txn).items():
            if len(entries) > 1 or table == "index/bands":
                _merge(
                    txn,
                    table,
                    partition,
                    entries,
                    article_stats if table == "articles" else None,
                    live_bands if table == "index/bands" else None,
                )
        result.files_after = len(txn.manifest.files)
        result.version = txn.commit().manifest.version
    return result
