"""Compaction: merge the small files that many commits leave into few large ones.

Every commit adds a file per articles month it touches, one rejects file, one index docs
file and one file per band. commit() merges a partition's small files when it holds more
than AUTO_FILES of them (cost: that partition only); `tidings compact OUT` merges every
partition into as few files as FILE_ROWS allows and drops band rows of replaced articles.
Rows never change: a reader sees the same rows before and after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaning.storage.snapshot import FileEntry, Store, Transaction

__all__ = ["AUTO_FILES", "CompactStats", "auto_compact", "compact"]

AUTO_FILES = 16  # a partition with more files than this is compacted by the commit that adds one
FILE_ROWS = 250_000  # rows per file written by compaction (a band or docs row is small, an article is not)
_SORT = {"articles": "id", "rejects": "origin", "index/docs": "canonical", "index/bands": "band_hash"}


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


def _merge(
    txn: Transaction,
    table: str,
    partition: str,
    entries: list[FileEntry],
    stats: Callable[[pa.Table], dict[str, object]] | None,
    keep: Callable[[pa.Table], pa.Table] | None = None,
) -> None:
    parts = [pq.read_table(txn.path(e)) for e in entries]
    merged = pa.concat_tables(parts, promote_options="none")
    if keep is not None:
        merged = keep(merged)
    merged = merged.sort_by(_SORT[table])
    for entry in entries:
        txn.remove(entry)
    run = entries[0].stats.get("run")
    for start in range(0, merged.num_rows, FILE_ROWS):
        chunk = merged.slice(start, FILE_ROWS)
        txn.write(table, partition, chunk, stats(chunk) if stats else ({"run": run} if run else None))


def auto_compact(txn: Transaction, stats: Callable[[pa.Table], dict[str, object]]) -> None:
    """Merge the small files of every partition that holds more than AUTO_FILES files."""
    for (table, partition, _), entries in _partitions(txn).items():
        if len(entries) <= AUTO_FILES:
            continue
        ordered = sorted(entries, key=lambda e: e.rows)
        total = sum(e.rows for e in entries)
        # tiered: large files stay, the small ones merge, so a partition is rewritten log-many times
        small = ordered[:-1] if ordered[-1].rows * 2 >= total else ordered
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
