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

import dataclasses
from collections.abc import Iterator, Sequence

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

__all__ = ["DOCS", "Gathered", "bands_table", "docs_schema", "gather", "signature_array", "signatures_of"]

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


def _scan(txn: Transaction, entries: Sequence[FileEntry], columns: list[str]) -> Iterator[tuple[FileEntry, pa.Table]]:
    for entry in entries:
        handle = pq.ParquetFile(txn.path(entry), pre_buffer=False)
        for batch in handle.iter_batches(batch_size=_SCAN_ROWS, columns=columns):
            yield entry, pa.Table.from_batches([batch])


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
            asked = pa.array(np.unique(bands[:, band]))
            for _, table in _scan(txn, txn.entries(BANDS, [f"{band:02d}"]), ["band_hash", "key"]):
                hits = table.filter(pc.is_in(table.column("band_hash"), value_set=asked))
                if hits.num_rows:
                    wanted_keys.append(hits.column("key").to_numpy())
    keys = pa.array(np.unique(np.concatenate(wanted_keys)) if wanted_keys else np.zeros(0, np.uint64))
    ids = pa.array(new.docs["id"].tolist(), type=pa.large_string())
    hashes = pa.array(new.docs["content_hash"].tolist(), type=pa.large_string())

    docs = txn.entries(DOCS)
    canonicals: list[pa.Array] = []
    for _, table in _scan(txn, docs, ["id", "key", "content_hash", "canonical"]):
        touched = pc.or_(
            pc.or_(pc.is_in(table.column("id"), value_set=ids), pc.is_in(table.column("key"), value_set=keys)),
            pc.is_in(table.column("content_hash"), value_set=hashes),
        )
        found = table.filter(touched)
        if found.num_rows:
            canonicals.append(found.column("canonical").combine_chunks())
    clusters = pa.array(
        sorted(set().union(*(c.to_pylist() for c in canonicals))) if canonicals else [], type=pa.large_string()
    )
    parts: list[pa.Table] = []
    files: dict[str, set[str]] = {}
    schema = docs_schema(num_perm)
    for entry, table in _scan(txn, docs, schema.names):
        keep = pc.or_(
            pc.is_in(table.column("canonical"), value_set=clusters), pc.is_in(table.column("id"), value_set=ids)
        )
        found = table.filter(keep)
        if found.num_rows:
            parts.append(found)
            files.setdefault(entry.path, set()).update(found.column("id").to_pylist())
    rows = pa.concat_tables(parts) if parts else schema.empty_table()
    in_cluster = pc.is_in(rows.column("canonical"), value_set=clusters)
    # rows of the entries' own ids outside the touched clusters are replaced: they leave the index
    members = rows.filter(pc.or_(in_cluster, pc.is_in(rows.column("id"), value_set=ids)))
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
    meta = rows.select(["id", "month", "fetched_at", "origin"]).to_pandas()
    return Gathered(index=index, stored=stored, rows=meta, files=files)
