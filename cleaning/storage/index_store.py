"""The dedup index inside a snapshot: read only the parts a batch of new documents needs.

Two tables (docs/storage.md, docs/dedup.md):

- `index/docs/all/`: one row per stored article: id, key (doc_keys), content_hash,
  published_at, canonical (the id of its cluster's canonical row), month (the articles
  partition that holds it), fetched_at, origin, signature (num_perm uint32, little-endian).
- `index/bands/NN/`: one folder per LSH band: (band_hash, key) rows, each file sorted by
  band_hash. Rows of a replaced article may linger until compaction: they only add
  candidates, which the signature comparison then rejects.

gather() reads, for a batch of new entries, the stored rows that share a band hash, a
content hash or an id with one of them, then every member of those rows' clusters: that is
all mark_entries needs to give the result a whole index would. Memory grows with the
touched clusters, and each table is scanned a file (or row group) at a time.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterator, Sequence
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
from cleaning.duplicates.minhash import EMPTY, band_hashes
from cleaning.storage.snapshot import FileEntry, Transaction

__all__ = ["DOCS", "Gathered", "bands_table", "docs_schema", "find_docs", "gather", "signature_array", "signatures_of"]

DOCS = "index/docs"
BANDS = "index/bands"
_SCAN_ROWS = 65_536


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


def bands_table(bands: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64], band: int) -> pa.Table:
    order = np.argsort(bands[:, band], kind="stable")
    return pa.table({"band_hash": pa.array(bands[order, band]), "key": pa.array(keys[order])})


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
        handle = pq.ParquetFile(txn.path(entry), pre_buffer=False)
        groups = range(handle.metadata.num_row_groups) if sorted_by is None else _groups(handle, sorted_by, wanted)
        for group in groups:
            yield entry, handle.read_row_group(group, columns=columns)


def find_docs(txn: Transaction, ids: Sequence[str], columns: list[str]) -> pa.Table:
    """Return columns (not the signature) of the docs rows whose id is in ids, matching 64-bit keys first."""
    wanted_keys = pa.array(np.unique(doc_keys(ids)) if len(ids) else np.zeros(0, np.uint64))
    wanted_ids = pa.array(list(ids), type=pa.large_string())
    parts = [docs_schema(1).empty_table().select(columns)]
    for entry in txn.entries(DOCS):
        handle = pq.ParquetFile(txn.path(entry), pre_buffer=False)
        for group in range(handle.metadata.num_row_groups):
            hit = pc.is_in(handle.read_row_group(group, columns=["key"]).column("key"), value_set=wanted_keys)
            if pc.any(hit).as_py():  # only then the other columns of the group
                found = handle.read_row_group(group, columns=columns).filter(hit)
                parts.append(found.filter(pc.is_in(found.column("id"), value_set=wanted_ids)))
    return pa.concat_tables(parts)


@dataclasses.dataclass(frozen=True)
class Gathered:
    """The part of the stored index that a batch of new entries touches."""

    index: DedupIndex  # docs, signatures, bands of the touched clusters
    stored: pd.DataFrame  # id, duplicate_of of those rows (as stored now)
    rows: pd.DataFrame  # id, month, fetched_at, origin of those rows, and the stored rows of the entries' ids
    files: dict[str, set[str]]  # docs file path -> ids in it that gather() read


def gather(txn: Transaction, new: Entries, config: DedupConfig) -> Gathered:
    """Read what mark_entries needs to mark new against the whole stored index."""
    num_perm = config.num_perm
    sig = new.signatures
    has = (sig != EMPTY).any(axis=1)
    wanted_keys: list[npt.NDArray[np.uint64]] = []
    if has.any():
        bands = band_hashes(sig[has], bands=config.bands, rows=config.rows, seed=config.seed)
        for band in range(config.bands):
            unique = np.unique(bands[:, band])
            asked = pa.array(unique)
            folder = txn.entries(BANDS, [f"{band:02d}"])
            for entry in folder:  # band hashes first; a group's keys only when one of them matched
                handle = pq.ParquetFile(txn.path(entry), pre_buffer=False)
                for group in _groups(handle, "band_hash", unique.tolist()):
                    hit = pc.is_in(handle.read_row_group(group, columns=["band_hash"]).column(0), value_set=asked)
                    if pc.any(hit).as_py():
                        keys = handle.read_row_group(group, columns=["key"]).column(0).filter(hit)
                        wanted_keys.append(keys.to_numpy())
    # rows sharing a band hash, an id (its key) or a content hash with an entry: keys and hashes only
    keys = pa.array(np.unique(np.concatenate([*wanted_keys, doc_keys(new.docs["id"])])))
    hashes = pa.array(new.docs["content_hash"].tolist(), type=pa.large_string())
    docs = txn.entries(DOCS)
    canonicals: list[pa.Array] = []
    for _, table in _scan(txn, docs, ["key", "content_hash", "canonical"]):
        touched = pc.or_(
            pc.is_in(table.column("key"), value_set=keys), pc.is_in(table.column("content_hash"), value_set=hashes)
        )
        if pc.any(touched).as_py():
            canonicals.append(table.column("canonical").filter(touched).combine_chunks())
    wanted = sorted(set().union(*(c.to_pylist() for c in canonicals))) if canonicals else []
    clusters = pa.array(wanted, type=pa.large_string())
    # then every member of their clusters; docs files are sorted by canonical, so row-group
    # statistics skip the groups (and their signatures) that hold none of them
    parts: list[pa.Table] = []
    files: dict[str, set[str]] = {}
    schema = docs_schema(num_perm)
    for entry, table in _scan(txn, docs, schema.names, sorted_by="canonical", wanted=wanted):
        found = table.filter(pc.is_in(table.column("canonical"), value_set=clusters))
        if found.num_rows:
            parts.append(found)
            files.setdefault(entry.path, set()).update(found.column("id").to_pylist())
    # the stored row of an entry's id is among them (its key matched, its cluster was read)
    members = pa.concat_tables(parts) if parts else schema.empty_table()
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
