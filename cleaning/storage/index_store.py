"""The dedup index inside a snapshot: read only the parts a batch of new documents needs.

Three tables (docs/storage.md, docs/dedup.md):

- `index/docs/all/`: one row per stored article: id, key (doc_keys), content_hash,
  published_at, canonical (the id of its cluster's canonical row), month (the articles
  partition that holds it), fetched_at, origin, signature (num_perm uint32, little-endian).
  Parquet, each file sorted by canonical in small row groups.
- `index/bands/all/`: (band_hash, key) rows, every band in one table (the band number is mixed
  into the hash), each file sorted by band_hash.
- `index/links/{id,content,origin}/`: (hash, canonical) rows: the 64-bit key of a row's id,
  content hash or origin, and its cluster's canonical id, each file sorted by hash.

Bands and links are sorted runs in uncompressed Arrow IPC files: memory-mapped and
binary-searched, so a lookup of k hashes touches O(k log n) pages of a file, not the file.
Files are immutable, so an entry that a later commit supersedes (a replaced article, a row
whose canonical changed) lingers until compaction: it only adds candidates, and gather()
reads the current rows of the clusters it names.

gather() looks up, for a batch of new entries, the stored rows that share a band hash, a
content hash or an id with one of them, then reads every current member of those rows'
clusters from the docs row groups that can hold them: that is all mark_entries needs to give
the result a whole index would. Its cost follows the entries and the clusters they touch.
"""

from __future__ import annotations

import bisect
import dataclasses
import mmap
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaning.config import DedupConfig
from cleaning.duplicates.dedup import Entries
from cleaning.duplicates.index import DedupIndex, band_rows, doc_keys, index_params
from cleaning.duplicates.minhash import EMPTY, band_hashes, estimated_jaccard_between
from cleaning.storage.snapshot import FileEntry, Transaction, read_file, read_groups

__all__ = [
    "BANDS",
    "DOCS",
    "LAYOUT",
    "LINKS",
    "REJECT_KEYS",
    "Gathered",
    "band_run",
    "docs_schema",
    "drop_stale_reject_keys",
    "find_docs",
    "find_origins",
    "gather",
    "link_runs",
    "lookup",
    "lookup_pairs",
    "read_run",
    "reject_keys_path",
    "run_parts",
    "signature_array",
    "signatures_of",
    "upgrade_index",
]

DOCS = "index/docs"
BANDS = "index/bands"
LINKS = "index/links"
LINK_KINDS = ("id", "content", "origin")
REJECT_KEYS = "index/rejects"  # per rejects file (same name), the sorted hashes that can answer its rows
RUNS = (BANDS, LINKS)  # tables of sorted runs (Arrow IPC), not Parquet
LAYOUT = 2  # manifest meta "index_layout": 1 had a Parquet band folder per band and no links


def docs_schema(num_perm: int) -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", pa.large_string(), nullable=False),
            pa.field("key", pa.uint64(), nullable=False),
            pa.field("content_hash", pa.large_string(), nullable=False),
            pa.field("published_at", pa.timestamp("us", tz="UTC")),
            pa.field("canonical", pa.large_string(), nullable=False),
            pa.field("month", pa.large_string(), nullable=False),
            pa.field("fetched_at", pa.timestamp("us", tz="UTC")),
            pa.field("origin", pa.large_string(), nullable=False),
            pa.field("signature", pa.binary(4 * num_perm), nullable=False),
        ]
    )


def signature_array(signatures: npt.NDArray[np.uint32]) -> pa.Array:
    """Pack uint32 signature rows into a fixed-size binary column."""
    packed = np.ascontiguousarray(signatures, dtype="<u4")
    width = packed.shape[1] * 4
    return pa.Array.from_buffers(pa.binary(width), len(packed), [None, pa.py_buffer(packed.tobytes())])


def signatures_of(column: pa.ChunkedArray | pa.Array, num_perm: int) -> npt.NDArray[np.uint32]:
    """Unpack a fixed-size binary signature column into a (rows, num_perm) uint32 array."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not len(array):
        return np.zeros((0, num_perm), dtype=np.uint32)
    data = np.frombuffer(
        array.buffers()[1], dtype="<u4", count=len(array) * num_perm, offset=array.offset * num_perm * 4
    )
    return data.reshape(len(array), num_perm).astype(np.uint32)


def band_run(bands: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64]) -> pa.Table:
    """The band rows of signatures' band hashes (one row per doc and band), sorted by band_hash."""
    hashes = bands.reshape(-1)
    order = np.argsort(hashes, kind="stable")
    return pa.table({"band_hash": pa.array(hashes[order]), "key": pa.array(np.repeat(keys, bands.shape[1])[order])})


def _run(hashes: npt.NDArray[np.uint64], canonicals: pa.Array) -> pa.Table:
    order = np.argsort(hashes, kind="stable")
    return pa.table(
        {"hash": pa.array(hashes[order]), "canonical": canonicals.take(pa.array(order)).cast(pa.large_string())}
    )


def link_runs(docs: pa.Table) -> dict[str, pa.Table]:
    """The link rows of docs rows (id, content_hash, origin, canonical), one sorted run per kind."""
    canonical = docs.column("canonical").combine_chunks()
    return {kind: _run(doc_keys(docs.column(column).to_pylist()), canonical) for kind, column in _LINKED.items()}


_LINKED = {"id": "id", "content": "content_hash", "origin": "origin"}


def _single(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def run_parts(run: pa.Table) -> list[tuple[npt.NDArray[np.uint64], pa.Table]]:
    """The record batches of a mapped run, each sorted and after the one before, with its hash column.

    The hashes are NumPy views of the mapped file (no copy). A run written at once is one
    batch; a merge writes a run a range of hashes at a time, one batch per range.
    """
    parts = []
    for batch in run.to_batches():
        if batch.num_rows:
            parts.append((batch.column(0).to_numpy(zero_copy_only=True), pa.Table.from_batches([batch])))
    return parts


def read_run(path: Path) -> pa.Table:
    """Map a sorted run into memory: reading it touches no page until a value is used."""
    return pa.ipc.open_file(pa.memory_map(str(path))).read_all()


def _searched_parts(txn: Transaction, table: str, partition: str) -> Iterator[tuple[npt.NDArray[np.uint64], pa.Table]]:
    """The parts of every run of table/partition in turn (as run_parts), each let go once the next is asked for.

    A lookup of many hashes touches most pages of a mapped run, and mapped pages count in the
    process's RSS until they are unmapped: a commit's band lookup at 98,000 stored rows (three
    runs of 10 MB) added 28 MiB to its peak with every run mapped at once. Here the pages of a
    part are dropped from the process (MADV_DONTNEED; the page cache keeps them) before the next
    part is searched, so a lookup holds one part. The caller keeps no view of a part it was given.
    """
    for entry in txn.entries(table, [partition]):
        with open(txn.path(entry), "rb") as handle:
            if not os.fstat(handle.fileno()).st_size:
                continue
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        reader = pa.ipc.open_file(pa.py_buffer(mapped))
        for number in range(reader.num_record_batches):
            batch = reader.get_batch(number)
            if batch.num_rows:
                yield batch.column(0).to_numpy(zero_copy_only=True), pa.Table.from_batches([batch])
            mapped.madvise(mmap.MADV_DONTNEED)


def lookup(txn: Transaction, table: str, partition: str, wanted: npt.NDArray[np.uint64], value: str) -> pa.Array:
    """Values of every row of table/partition whose hash (first column) is in wanted, by binary search."""
    return lookup_pairs(txn, table, partition, wanted, value)[1]


def lookup_pairs(
    txn: Transaction, table: str, partition: str, wanted: npt.NDArray[np.uint64], value: str
) -> tuple[npt.NDArray[np.uint64], pa.Array]:
    """(hash, value) of every row of table/partition whose hash (first column) is in wanted, by binary search."""
    wanted = np.unique(np.asarray(wanted, dtype=np.uint64))
    found: list[pa.Array] = []
    matched: list[npt.NDArray[np.uint64]] = []
    for hashes, run in _searched_parts(txn, table, partition) if len(wanted) else []:
        left, right = np.searchsorted(hashes, wanted, "left"), np.searchsorted(hashes, wanted, "right")
        hit = right > left
        if not hit.any():
            continue
        starts, counts = left[hit], (right - left)[hit]
        found.append(_single(run.column(value)).take(pa.array(_expand(starts, counts))))
        matched.append(np.repeat(wanted[hit], counts))
    if not found:
        empty = pa.array([], type=pa.uint64() if value == "key" else pa.large_string())
        return np.zeros(0, dtype=np.uint64), empty
    return np.concatenate(matched), pa.concat_arrays(found)


def _groups(handle: pq.ParquetFile, column: str, wanted: Sequence[Any]) -> list[int]:
    """Row groups of handle whose min/max statistics of column admit one of wanted (sorted)."""
    meta = handle.metadata
    position = handle.schema_arrow.get_field_index(column)
    groups = []
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(position).statistics
        if stats is None or not stats.has_min_max:
            groups.append(group)
            continue
        first = bisect.bisect_left(wanted, stats.min)
        if first < len(wanted) and wanted[first] <= stats.max:
            groups.append(group)
    return groups


def _scan(
    txn: Transaction,
    entries: Sequence[FileEntry],
    columns: list[str],
    *,
    sorted_by: str | None = None,
    wanted: Sequence[Any] = (),
) -> Iterator[tuple[FileEntry, pa.Table]]:
    """Read columns of entries a row group at a time; with sorted_by, only groups that may hold wanted values."""
    for entry in entries:
        path = txn.path(entry)
        groups = None if sorted_by is None else _groups(pq.ParquetFile(path), sorted_by, wanted)
        for table in read_groups(path, columns, groups):
            yield entry, table


def _members(
    txn: Transaction,
    canonicals: Iterable[str],
    columns: list[str],
    schema: pa.Schema | None = None,
    *,
    keys: npt.NDArray[np.uint64] | None = None,
) -> tuple[pa.Table, dict[str, set[str]]]:
    """Columns of every docs row of the clusters named, and per docs file the ids read from it.

    With keys, only the rows of those clusters whose key is in keys.
    """
    parts: list[pa.Table] = []
    files: dict[str, set[str]] = {}
    for entry, found in _member_groups(txn, canonicals, list(dict.fromkeys([*columns, "id"])), keys=keys):
        parts.append(found.select(columns))
        files.setdefault(entry.path, set()).update(found.column("id").to_pylist())
    if parts:
        return pa.concat_tables(parts), files
    return (schema or docs_schema(1)).empty_table().select(columns), files


def _member_groups(
    txn: Transaction, canonicals: Iterable[str], columns: list[str], *, keys: npt.NDArray[np.uint64] | None = None
) -> Iterator[tuple[FileEntry, pa.Table]]:
    """The docs rows of the clusters named (with keys, only those whose key is in keys), a row group at a time.

    Docs files are sorted by canonical: row-group statistics skip the groups that hold none.
    """
    wanted = sorted(set(canonicals))
    clusters = pa.array(wanted, type=pa.large_string())
    read = list(dict.fromkeys([*columns, "canonical", *([] if keys is None else ["key"])]))
    only = None if keys is None else pa.array(np.unique(keys))
    for entry, table in _scan(txn, txn.entries(DOCS) if wanted else [], read, sorted_by="canonical", wanted=wanted):
        inside = pc.is_in(table.column("canonical"), value_set=clusters)
        if only is not None:
            inside = pc.and_(inside, pc.is_in(table.column("key"), value_set=only))
        found = table.filter(inside)
        if found.num_rows:
            yield entry, found


def _canonicals(txn: Transaction, kind: str, values: Iterable[str]) -> list[str]:
    return lookup(txn, LINKS, kind, doc_keys(values), "canonical").to_pylist()


def find_docs(txn: Transaction, ids: Sequence[str], columns: list[str]) -> pa.Table:
    """Return columns (not the signature) of the docs rows whose id is in ids: their links name their clusters."""
    members, _ = _members(txn, _canonicals(txn, "id", ids), list(dict.fromkeys([*columns, "id"])))
    found = members.filter(pc.is_in(members.column("id"), value_set=pa.array(list(ids), type=pa.large_string())))
    return found.select(columns)


def find_origins(txn: Transaction, origins: Iterable[str], columns: list[str]) -> pa.Table:
    """Return columns (not the signature) of the docs rows whose origin is in origins: the stored pages of inputs."""
    wanted = sorted(set(origins))
    members, _ = _members(txn, _canonicals(txn, "origin", wanted), list(dict.fromkeys([*columns, "origin"])))
    found = members.filter(pc.is_in(members.column("origin"), value_set=pa.array(wanted, type=pa.large_string())))
    return found.select(columns)


@dataclasses.dataclass(frozen=True)
class Gathered:
    """The part of the stored index that a batch of new entries touches."""

    index: DedupIndex  # docs, signatures, bands of the touched clusters
    stored: pd.DataFrame  # id, duplicate_of of those rows (as stored now)
    rows: pd.DataFrame  # id, month, fetched_at, origin of those rows, and the stored rows of the entries' ids
    files: dict[str, set[str]]  # docs file path -> ids in it that gather() read


def gather(txn: Transaction, new: Entries, config: DedupConfig, *, also: Sequence[str] = ()) -> Gathered:
    """Read what mark_entries needs to mark new against the whole stored index.

    also names stored ids whose clusters are read too (rows the commit removes: their clusters split).
    """
    num_perm = config.num_perm
    sig = new.signatures
    has = (sig != EMPTY).any(axis=1)
    keys = [doc_keys(new.docs["id"]), doc_keys(list(also))]
    if has.any():  # stored rows sharing a band hash with an entry and similar enough to link with it
        keys.append(_near(txn, sig[has], config))
    # their clusters, and those of the rows sharing an id or a content hash with an entry
    canonicals = lookup(txn, LINKS, "id", np.concatenate(keys), "canonical").to_pylist()
    canonicals += _canonicals(txn, "content", new.docs["content_hash"].tolist())
    schema = docs_schema(num_perm)
    members, files = _members(txn, canonicals, schema.names, schema)
    # the stored row of an entry's id is among them (its key matched, its cluster was read)
    member_sigs = signatures_of(members.column("signature"), num_perm)
    frame = members.select(["id", "content_hash", "published_at", "canonical"]).to_pandas()
    for name in ("id", "content_hash", "canonical"):
        frame[name] = frame[name].astype(object)
    frame["published_at"] = pd.Series(pd.to_datetime(frame["published_at"], utc=True), dtype="datetime64[us, UTC]")
    member_has = (member_sigs != EMPTY).any(axis=1)
    member_bands = band_hashes(member_sigs[member_has], bands=config.bands, rows=config.rows, seed=config.seed)
    index = DedupIndex(
        docs=frame.reset_index(drop=True),
        signatures=member_sigs,
        bands=band_rows(member_bands, doc_keys(frame["id"][member_has])),
        params=index_params(config),
    )
    stored = pd.DataFrame(
        {
            "id": frame["id"],
            "duplicate_of": [c if c != i else None for i, c in zip(frame["id"], frame["canonical"], strict=True)],
        }
    )
    meta = members.select(["id", "month", "fetched_at", "origin"]).to_pandas()
    return Gathered(index=index, stored=stored, rows=meta, files=files)


def _near(txn: Transaction, sig: npt.NDArray[np.uint32], config: DedupConfig) -> npt.NDArray[np.uint64]:
    """Keys of the stored rows that share a band hash with a signature of sig and reach the threshold with it.

    Only their clusters need reading: a stored row that shares a band but is not similar links
    nothing, and stored clusters are never linked to each other (they would be one cluster).
    Pages of one site share bands with many stored pages they do not copy; reading the whole
    cluster of each such candidate made a commit's memory and time grow with the stored rows.
    The same estimated_jaccard as mark_entries decides, on the same signatures.

    The (entry, stored key) pairs are NumPy arrays (their number grows with the stored pages of
    a site: 370,000 at 98,000 stored rows), and the candidates' signatures are compared a docs
    row group at a time: memory holds the pairs and one group, not every candidate's signature
    with pandas frames of the pairs (docs/storage.md).
    """
    bands = band_hashes(sig, bands=config.bands, rows=config.rows, seed=config.seed)
    hit_hashes, hit_keys = lookup_pairs(txn, BANDS, "all", bands.reshape(-1), "key")
    if not len(hit_hashes):
        return np.zeros(0, dtype=np.uint64)
    pair_entry, pair_key = _band_pairs(bands, hit_hashes, hit_keys.to_numpy())
    candidates = np.unique(pair_key)
    similar: list[npt.NDArray[np.uint64]] = []
    canonicals = _canonicals_of_keys(txn, candidates)
    for _, found in _member_groups(txn, canonicals, ["key", "signature"], keys=candidates):
        row_keys = found.column("key").to_numpy()
        left = np.searchsorted(pair_key, row_keys, "left")
        counts = np.searchsorted(pair_key, row_keys, "right") - left
        pairs = _expand(left, counts)
        row = np.repeat(np.arange(len(row_keys)), counts)
        row_sigs = signatures_of(found.column("signature"), config.num_perm)
        close = estimated_jaccard_between(sig, pair_entry[pairs], row_sigs, row) >= config.threshold
        similar.append(row_keys[row[close]])
    return np.unique(np.concatenate(similar)) if similar else np.zeros(0, dtype=np.uint64)


_PAIRS = 1 << 16  # (entry, stored key) pairs expanded at once before dropping repeats


def _expand(starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The positions starts[i], starts[i] + 1, ..., starts[i] + counts[i] - 1, for every i in turn."""
    return np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))


def _band_pairs(
    bands: npt.NDArray[np.uint64], hashes: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """The distinct (entry, stored key) pairs sharing a band hash, sorted by key: entry i has bands[i].

    Entries are expanded a few at a time, about _PAIRS pairs each (an entry with more is alone).
    """
    order = np.argsort(hashes, kind="stable")
    hashes, keys = hashes[order], keys[order]
    flat = bands.reshape(-1)
    left = np.searchsorted(hashes, flat, "left")
    counts = np.searchsorted(hashes, flat, "right") - left
    width = bands.shape[1]
    ends = np.cumsum(counts.reshape(bands.shape).sum(axis=1))
    entries: list[npt.NDArray[np.int64]] = []
    found: list[npt.NDArray[np.uint64]] = []
    start = 0
    while start < len(bands):
        done = int(ends[start - 1]) if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, done + _PAIRS, "right")))
        part = slice(start * width, stop * width)
        entry = np.repeat(np.repeat(np.arange(start, stop), width), counts[part])
        key = keys[_expand(left[part], counts[part])]
        order = np.lexsort((key, entry))
        entry, key = entry[order], key[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = (entry[1:] != entry[:-1]) | (key[1:] != key[:-1])
        entries.append(entry[first])
        found.append(key[first])
        start = stop
    entry, key = np.concatenate(entries), np.concatenate(found)
    order = np.argsort(key, kind="stable")
    return entry[order], key[order]


def _canonicals_of_keys(txn: Transaction, keys: npt.NDArray[np.uint64]) -> list[str]:
    return lookup(txn, LINKS, "id", keys, "canonical").to_pylist()


def reject_keys_path(entry: FileEntry) -> str:
    """The path of a rejects file's key run (cleaning/shards.py): same name, under REJECT_KEYS."""
    return f"{REJECT_KEYS}/all/{Path(entry.path).stem}.arrow"


def drop_stale_reject_keys(txn: Transaction) -> None:
    """Remove the key runs of rejects files that txn removed (rewritten, merged); a file without one is read whole."""
    live = {reject_keys_path(e) for e in txn.entries("rejects")}
    for entry in txn.entries(REJECT_KEYS):
        if entry.path not in live:
            txn.remove(entry)


def upgrade_index(txn: Transaction) -> bool:
    """Move an index of layout 1 (a Parquet band folder per band, no links) to LAYOUT in txn; say if it did.

    Reads each old file once (the band rows, the docs' id, content_hash, origin and canonical).
    """
    if txn.manifest.meta.get("index_layout") == LAYOUT:
        return False
    for entry in [e for e in txn.entries(BANDS) if not e.path.endswith(".arrow")]:
        table = read_file(txn.path(entry), ["band_hash", "key"])
        txn.remove(entry)
        if table.num_rows:
            txn.write_run(BANDS, "all", table.sort_by("band_hash"))
    for entry in txn.entries(LINKS):
        txn.remove(entry)
    for entry in txn.entries(DOCS):
        docs = read_file(txn.path(entry), [*_LINKED.values(), "canonical"])
        for kind, run in link_runs(docs).items():
            txn.write_run(LINKS, kind, run)
    txn.manifest.meta["index_layout"] = LAYOUT
    return True
