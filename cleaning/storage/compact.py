"""Compaction: merge the small files that many commits leave into few large ones.

Every commit adds a file per articles month it touches, one rejects file, one index docs
file and one file per band. commit() merges a partition's small files when it holds more
than AUTO_FILES of them (cost: that partition only); `tidings compact OUT` merges every
partition into as few files as FILE_ROWS allows and drops band rows of replaced articles
(after upgrading an output of an older layout or schema: storage/upgrade.py).
Rows never change: a reader sees the same rows before and after.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaning.storage.index_store import (
    DOCS,
    LINKS,
    REJECT_KEYS,
    RUNS,
    drop_stale_reject_keys,
    link_runs,
    read_run,
    run_parts,
    upgrade_index,
)
from cleaning.storage.snapshot import FileEntry, Store, Transaction, read_file, read_groups
from cleaning.storage.upgrade import upgrade_schema

__all__ = ["AUTO_FILES", "CompactStats", "auto_compact", "compact"]

AUTO_FILES = 16  # a partition with more files than this is compacted by the commit that adds one
FILE_ROWS = 250_000  # rows per file written by compaction (a docs row is small, an article is not)
_DOCS_RANGE_ROWS = 8_192  # docs rows merged in memory at once (~650 bytes each; 32,768 took a merge +55 MiB)
RUN_ROWS = 4_000_000  # rows per sorted run of bands or links (16-40 bytes a row)
_RUN_RANGE_ROWS = 262_144  # run rows sorted in memory at once by a merge (a whole run took +32 MiB at 650,000)
_TEXTS = ("articles", "rejects")  # merged a row group at a time, in manifest order
STATS_COLUMNS = ("published_at", "source", "language")  # what article_stats reads


@dataclasses.dataclass
class CompactStats:
    """Files of the snapshot before and after a compaction."""

    files_before: int = 0
    files_after: int = 0
    version: int = 0
    added_columns: list[str] = dataclasses.field(default_factory=list)  # by a schema upgrade: null in older rows


def _partitions(txn: Transaction) -> dict[tuple[str, str, str | None], list[FileEntry]]:
    # rejects files of one run stay apart from other runs' (shards._rejects tells them apart)
    groups: dict[tuple[str, str, str | None], list[FileEntry]] = {}
    for entry in txn.manifest.files:
        groups.setdefault((entry.table, entry.partition, entry.stats.get("run")), []).append(entry)
    return groups


def _row_groups(paths: list[Path]) -> Iterator[pa.Table]:
    for path in paths:
        yield from read_groups(path)


def _files(source: Iterator[pa.Table], rows: int) -> Iterator[Iterator[pa.Table]]:
    """Group the tables of source, in order, into output files of at most `rows` rows (a bigger table alone).

    Each file's tables come lazily, so memory holds one table: write one file before asking for the next.
    """
    pending = next(source, None)

    def one_file() -> Iterator[pa.Table]:
        nonlocal pending
        written = 0
        while pending is not None and (not written or written + pending.num_rows <= rows):
            yield pending
            written += pending.num_rows
            pending = next(source, None)

    while pending is not None:
        yield one_file()


def _write_files(
    txn: Transaction,
    table: str,
    partition: str,
    source: Iterator[pa.Table],
    schema: pa.Schema,
    stats: Callable[[pa.Table], dict[str, object]] | None,
    run: str | None = None,
) -> None:
    """Write the tables of source, in order, as files of at most FILE_ROWS rows (memory: one table)."""
    for parts in _files(source, FILE_ROWS):
        if stats is not None:
            txn.write_stream(table, partition, parts, schema, stats, STATS_COLUMNS)
        else:
            txn.write_stream(table, partition, parts, schema, lambda _: {"run": run} if run else {})


def _stream_merge(
    txn: Transaction,
    table: str,
    partition: str,
    entries: list[FileEntry],
    stats: Callable[[pa.Table], dict[str, object]] | None,
) -> None:
    """Concatenate the files of a partition of texts a row group at a time (memory: one row group)."""
    schema = pq.read_schema(txn.path(entries[0]))
    source = _row_groups([txn.path(e) for e in entries])  # resolved before remove() forgets staged files
    for entry in entries:
        txn.remove(entry)
    _write_files(txn, table, partition, source, schema, stats, entries[0].stats.get("run"))


def _docs_ranges(handles: list[pq.ParquetFile], pieces: int) -> Iterator[pa.Table]:
    """The rows of docs files (each sorted by canonical), sorted by canonical, one range of canonicals at a time.

    Canonicals are ids (hex digests): ranges of their first four hex digits hold about equal rows;
    row-group statistics skip the groups outside a range.
    """
    bounds: list[str | None] = [None, *(f"{i * 65536 // pieces:04x}" for i in range(1, pieces)), None]
    for low, high in itertools.pairwise(bounds):
        parts = []
        for handle in handles:
            position = handle.schema_arrow.get_field_index("canonical")
            for group in range(handle.metadata.num_row_groups):
                column = handle.metadata.row_group(group).column(position).statistics
                known = column is not None and column.has_min_max
                if known and ((high is not None and column.min >= high) or (low is not None and column.max < low)):
                    continue
                rows = handle.read_row_group(group, use_threads=False)  # see read_groups
                canonical = rows.column("canonical")
                inside = pc.and_kleene(
                    pc.greater_equal(canonical, low) if low is not None else pc.is_valid(canonical),
                    pc.less(canonical, high) if high is not None else pc.is_valid(canonical),
                )
                parts.append(rows.filter(inside))
        if parts:
            yield pa.concat_tables(parts).sort_by("canonical")


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
    if table in RUNS:
        _merge_runs(txn, table, partition, entries, keep)
        return
    # docs rows stay sorted by canonical so that a commit's reads skip row groups
    handles = [pq.ParquetFile(txn.path(e), pre_buffer=False) for e in entries]
    for entry in entries:
        txn.remove(entry)
    pieces = max(1, -(-sum(e.rows for e in entries) // _DOCS_RANGE_ROWS))
    _write_files(txn, table, partition, _docs_ranges(handles, pieces), handles[0].schema_arrow, None)


def _merge_runs(
    txn: Transaction,
    table: str,
    partition: str,
    entries: list[FileEntry],
    keep: Callable[[pa.Table], pa.Table] | None,
) -> None:
    """Merge sorted runs into runs of at most RUN_ROWS rows, one range of hashes at a time (memory: one range).

    Hashes are uniform 64-bit values, so equal ranges of the hash space hold about equal rows;
    a range of about _RUN_RANGE_ROWS rows is sorted in memory and written as one record batch
    of the output run (runs are read a batch at a time: index_store.run_parts).
    """
    # mapped, and resolved before remove() forgets staged files
    parts = [p for e in entries for p in run_parts(read_run(txn.path(e)))]
    for entry in entries:
        txn.remove(entry)
    total = sum(len(hashes) for hashes, _ in parts)
    pieces = max(1, -(-total // _RUN_RANGE_ROWS))
    bounds = [2**64 * i // pieces for i in range(pieces + 1)]

    def ranges() -> Iterator[pa.Table]:
        for low, high in itertools.pairwise(bounds):
            sliced = []
            for values, run in parts:
                first = int(np.searchsorted(values, np.uint64(low), "left"))
                last = len(values) if high >= 2**64 else int(np.searchsorted(values, np.uint64(high), "left"))
                if last > first:
                    sliced.append(run.slice(first, last - first))
            if not sliced:
                continue
            merged = pa.concat_tables(sliced, promote_options="none")
            if keep is not None:
                merged = keep(merged)
            if merged.num_rows:
                yield merged.sort_by(merged.column_names[0])

    for file_ranges in _files(ranges(), RUN_ROWS):
        txn.write_run_stream(table, partition, file_ranges)


def auto_compact(txn: Transaction, stats: Callable[[pa.Table], dict[str, object]]) -> None:
    """Merge the small files of every partition that holds more than AUTO_FILES files."""
    for (table, partition, _), entries in _partitions(txn).items():
        if len(entries) <= AUTO_FILES or table == REJECT_KEYS:  # one key run per rejects file, never merged
            continue
        # tiered: the smallest files merge (two at least, then each next one no larger than
        # those before it together), up to FILE_ROWS rows: a row is rewritten log-many times, a merge costs
        # what it merges (not the partition) and its memory (docs merge in memory) stays bounded
        limit = RUN_ROWS if table in RUNS else FILE_ROWS
        small: list[FileEntry] = []
        for entry in sorted(entries, key=lambda e: e.rows):
            gathered = sum(e.rows for e in small)
            if small and (gathered + entry.rows > limit or (len(small) > 1 and entry.rows > gathered)):
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
        upgrade_index(txn)
        result.files_before = len(txn.manifest.files)
        result.added_columns = upgrade_schema(txn, article_stats)
        docs = txn.entries(DOCS)
        keys = (
            pa.concat_arrays([read_file(txn.path(e), ["key"]).column("key").combine_chunks() for e in docs])
            if docs
            else pa.array([], type=pa.uint64())
        )

        def live_bands(table: pa.Table) -> pa.Table:
            return table.filter(pc.is_in(table.column("key"), value_set=keys))

        for (table, partition, _), entries in _partitions(txn).items():
            if table in (LINKS, REJECT_KEYS):
                continue
            if len(entries) > 1 or table == "index/bands":
                _merge(
                    txn,
                    table,
                    partition,
                    entries,
                    article_stats if table == "articles" else None,
                    live_bands if table == "index/bands" else None,
                )
        _relink(txn)
        drop_stale_reject_keys(txn)  # merged rejects files get their key runs from the next commit
        result.files_after = len(txn.manifest.files)
        result.version = txn.commit().manifest.version
    return result


def _relink(txn: Transaction) -> None:
    """Write the links afresh from the docs (dropping links superseded since), a docs file at a time."""
    for entry in txn.entries(LINKS):
        txn.remove(entry)
    for entry in txn.entries(DOCS):
        docs = read_file(txn.path(entry), ["id", "content_hash", "origin", "canonical"])
        for kind, run in link_runs(docs).items():
            txn.write_run(LINKS, kind, run)
    for (table, partition, _), entries in _partitions(txn).items():
        if table == LINKS and len(entries) > 1:
            _merge_runs(txn, table, partition, entries, None)
