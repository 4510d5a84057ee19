"""The only module that reads or writes Parquet: the articles and rejects datasets and side tables.

Each dataset is a folder holding one file, `part-0.parquet`. A write streams the old file
into a hidden temporary file beside it (Parquet readers skip names starting with '.'),
adds the new rows, then renames it over the old one: a run killed at any moment leaves
the previous dataset readable and intact.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import functools
import json
import logging
import os
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from cleaning.duplicates.index import DedupIndex
from cleaning.errors import SchemaError
from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA
from cleaning.storage.snapshot import FileEntry, Store

__all__ = [
    "FETCH_FAILURES",
    "DatasetPaths",
    "UpsertStats",
    "exclusive_lock",
    "iter_stored_articles",
    "load_articles",
    "load_rejects",
    "read_articles",
    "read_columns",
    "read_dedup_index",
    "read_table",
    "stored_is_newer",
    "to_table",
    "upsert_articles",
    "upsert_rejects",
    "write_dedup_index",
    "write_table",
]

PART = "part-0.parquet"
# reject reasons that say "this URL could not be fetched": a later article of the URL answers them
FETCH_FAILURES = frozenset({"http_error", "fetch_error"})
_BATCH_ROWS = 2048
_READ_BUFFER = 1 << 20  # bytes read from the file at a time when streaming it
_LIST_TYPES = (pa.ListType, pa.LargeListType)

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class DatasetPaths:
    """Where each dataset of one output root lives."""

    root: Path

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def rejects(self) -> Path:
        return self.root / "rejects"

    @property
    def index(self) -> Path:
        """Side tables kept beside the dataset (the near-duplicate index)."""
        return self.root / "index"

    @property
    def warc(self) -> Path:
        return self.root / "warc"

    @property
    def state(self) -> Path:
        return self.root / "state"


@dataclasses.dataclass(frozen=True)
class UpsertStats:
    """What an upsert did."""

    inserted: int
    replaced: int
    kept_existing: int  # new rows not written because the stored row is newer
    total: int


@contextlib.contextmanager
def exclusive_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on an output root so two runs never write it at once."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".tidings.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def to_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Convert a frame to a table of exactly schema's columns, in order, with its types."""
    missing = [name for name in schema.names if name not in frame.columns]
    if missing:
        raise SchemaError(f"cannot write {schema.metadata[b'tidings_dataset'].decode()}: missing columns {missing}")
    arrays = []
    for field in schema:
        values = frame[field.name]
        if isinstance(field.type, _LIST_TYPES):
            values = [None if v is None else [str(x) for x in v] for v in values]
            arrays.append(pa.array(values, type=field.type))
        elif pa.types.is_timestamp(field.type):
            series = pd.to_datetime(values, utc=True)
            arrays.append(pa.array(series, type=field.type, from_pandas=True))
        elif _arrow_strings(values) and (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            # pandas' Arrow-backed strings (a run's text columns) are cast as they are: through a list,
            # a Python object per value was built and encoded again (6 ms for zyte's 91 texts)
            converted = pa.array(values.array, type=field.type)
            arrays.append(converted.combine_chunks() if isinstance(converted, pa.ChunkedArray) else converted)
        else:
            arrays.append(pa.array(list(values), type=field.type, from_pandas=True))
    table = pa.Table.from_arrays(arrays, schema=schema)
    table.validate(full=True)
    return table


def _arrow_strings(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _part(directory: Path) -> Path:
    return directory / PART


def _check_schema(path: Path, schema: pa.Schema) -> None:
    stored = pq.read_schema(path)
    if stored.names != schema.names or stored.types != schema.types:
        raise SchemaError(
            f"{path} was written with another schema; move it away or rebuild it (expected columns {schema.names})"
        )


def write_table(directory: Path, batches: Iterable[pa.RecordBatch | pa.Table], schema: pa.Schema) -> int:
    """Atomically replace the dataset in directory with batches; return the rows written."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(f".{PART}.tmp-*"):  # left by a killed run; callers hold the lock
        stale.unlink(missing_ok=True)
    tmp = directory / f".{PART}.tmp-{os.getpid()}"
    rows = 0
    try:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for batch in batches:
                if batch.num_rows:
                    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
                    writer.write_table(table.cast(schema))
                    rows += batch.num_rows
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, _part(directory))
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        tmp.unlink(missing_ok=True)
    return rows


def _stored_batches(directory: Path, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    path = _part(directory)
    if not path.exists():
        return
    _check_schema(path, schema)
    # pyarrow pre-buffers column chunks of many row groups ahead by default (~0.5 GiB on a
    # 100,000-article Chinese dataset); reading one row group at a time bounds the upsert's memory
    yield from pq.ParquetFile(path, pre_buffer=False, buffer_size=_READ_BUFFER).iter_batches(batch_size=_BATCH_ROWS)


def read_columns(directory: Path, columns: list[str], schema: pa.Schema = ARTICLE_SCHEMA) -> pd.DataFrame:
    """Read some columns of a stored dataset (an empty frame of those columns when none is stored)."""
    path = _part(directory)
    if not path.exists():
        return schema.empty_table().select(columns).to_pandas()
    _check_schema(path, schema)
    return pq.read_table(path, columns=columns).to_pandas()


def read_table(directory: Path, schema: pa.Schema) -> pa.Table:
    """Read a whole stored dataset as an Arrow table (empty when none is stored)."""
    path = _part(directory)
    if not path.exists():
        return schema.empty_table()
    _check_schema(path, schema)
    return pq.read_table(path)


def upsert_articles(
    directory: Path,
    new: pa.Table,
    *,
    duplicate_updates: Mapping[str, str | None] | None = None,
) -> tuple[UpsertStats, pa.Table]:
    """Write new articles, replacing stored rows with the same id unless the stored row is newer.

    The newest fetch wins; on equal fetch times the new row wins, so cleaning the same
    input again (say, with a newer tidings) replaces the stored row with the new result.
    duplicate_updates sets duplicate_of on stored rows (their cluster's canonical changed).
    Returns the stats and the new rows that lost to a newer stored row.
    """
    stored_fetched = _stored_fetch_times(directory)
    newer = _newer(stored_fetched, new.column("id").to_pylist(), new.column("fetched_at").to_pylist())
    losers = [i for i, stays in enumerate(newer) if stays]
    lost = new.take(pa.array(losers, type=pa.int64()))
    winners = new.filter(pc.invert(pc.is_in(new.column("id"), value_set=lost.column("id")))) if losers else new
    winners = winners.sort_by("id")
    replaced_ids = pa.array(
        [i for i in winners.column("id").to_pylist() if i in stored_fetched], type=pa.large_string()
    )
    # pandas hands missing values over as NaN; the column holds ids or nulls
    updates = {key: value if isinstance(value, str) else None for key, value in (duplicate_updates or {}).items()}

    def batches() -> Iterator[pa.RecordBatch | pa.Table]:
        for batch in _stored_batches(directory, ARTICLE_SCHEMA):
            table = pa.Table.from_batches([batch])
            if len(replaced_ids):
                table = table.filter(pc.invert(pc.is_in(table.column("id"), value_set=replaced_ids)))
            if updates:
                ids = table.column("id").to_pylist()
                if any(i in updates for i in ids):
                    current = table.column("duplicate_of").to_pylist()
                    merged = [updates.get(i, c) if i in updates else c for i, c in zip(ids, current, strict=True)]
                    position = table.schema.get_field_index("duplicate_of")
                    table = table.set_column(
                        position, ARTICLE_SCHEMA.field("duplicate_of"), pa.array(merged, type=pa.large_string())
                    )
            yield table
        yield winners

    total = write_table(directory, batches(), ARTICLE_SCHEMA)
    stats = UpsertStats(
        inserted=winners.num_rows - len(replaced_ids),
        replaced=len(replaced_ids),
        kept_existing=lost.num_rows,
        total=total,
    )
    return stats, lost


def upsert_rejects(
    directory: Path,
    new: pa.Table,
    *,
    resolved_origins: Iterable[str],
    resolved_urls: Collection[str] = frozenset(),
    url_key: Callable[[str], str | None] = lambda url: url,
) -> pa.Table:
    """Write this run's rejects, dropping those that this run answered; return the new rows written.

    A failed fetch (FETCH_FAILURES) of a URL that now has an article (compared through
    url_key, e.g. a canonicalizer: the 500 before a 200) is answered, whether stored or
    new. A stored reject also goes when this run processed its origin again, or when this
    run rejects the same URL for the same reason again (a feed refetched every crawl keeps
    one row, the newest). Other rejects of a URL with an article (a malformed input line,
    a superseded fetch) are about that input, not the URL, and stay.
    """

    def fetch_answered(table: pa.Table) -> list[bool]:
        return [
            url is not None and reason in FETCH_FAILURES and url_key(url) in resolved_urls
            for url, reason in zip(table.column("url").to_pylist(), table.column("reason").to_pylist(), strict=True)
        ]

    fresh = new.filter(pc.invert(pa.array(fetch_answered(new), type=pa.bool_())))
    origins = set(resolved_origins) | set(new.column("origin").to_pylist())
    urls, reasons = fresh.column("url").to_pylist(), fresh.column("reason").to_pylist()
    repeated = {(url, reason) for url, reason in zip(urls, reasons, strict=True) if url}

    def answered(table: pa.Table) -> list[bool]:
        columns = (table.column(name).to_pylist() for name in ("origin", "url", "reason"))
        return [
            origin in origins or (url, reason) in repeated or fetched
            for (origin, url, reason), fetched in zip(zip(*columns, strict=True), fetch_answered(table), strict=True)
        ]

    def batches() -> Iterator[pa.RecordBatch | pa.Table]:
        for batch in _stored_batches(directory, REJECT_SCHEMA):
            table = pa.Table.from_batches([batch])
            yield table.filter(pc.invert(pa.array(answered(table), type=pa.bool_())))
        yield fresh.sort_by([("origin", "ascending"), ("reason", "ascending"), ("url", "ascending")])

    write_table(directory, batches(), REJECT_SCHEMA)
    return fresh


def _to_frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas(
        types_mapper={pa.large_string(): pd.StringDtype("pyarrow"), pa.string(): pd.StringDtype("pyarrow")}.get
    )
    for field in table.schema:
        if isinstance(field.type, _LIST_TYPES):
            frame[field.name] = pd.Series(
                [None if v is None else list(v) for v in frame[field.name]], index=frame.index, dtype=object
            )
    return frame


Moment = str | dt.datetime | pd.Timestamp


def _utc(moment: Moment) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _month_overlaps(partition: str, since: pd.Timestamp | None, until: pd.Timestamp | None) -> bool:
    if partition == "undated":
        return since is None and until is None
    start = pd.Timestamp(f"{partition}-01", tz="UTC")
    end = start + pd.offsets.MonthBegin(1)
    return (since is None or end > since) and (until is None or start < until)


def _pruned(
    entry: FileEntry,
    since: pd.Timestamp | None,
    until: pd.Timestamp | None,
    sources: set[str] | None,
    languages: set[str] | None,
) -> bool:
    if not _month_overlaps(entry.partition, since, until):
        return True
    stats = entry.stats
    if sources is not None and "sources" in stats and not sources & set(stats["sources"]):
        return True
    return languages is not None and "languages" in stats and not languages & set(stats["languages"])


def _article_filter(
    since: pd.Timestamp | None,
    until: pd.Timestamp | None,
    sources: set[str] | None,
    languages: set[str] | None,
    duplicates: bool,
) -> pc.Expression | None:
    parts = []
    if since is not None:
        parts.append(pc.field("published_at") >= pa.scalar(since.to_pydatetime(), pa.timestamp("us", tz="UTC")))
    if until is not None:
        parts.append(pc.field("published_at") < pa.scalar(until.to_pydatetime(), pa.timestamp("us", tz="UTC")))
    if sources is not None:
        parts.append(pc.field("source").isin(pa.array(sorted(sources), type=pa.large_string())))
    if languages is not None:
        parts.append(pc.field("language").isin(pa.array(sorted(languages), type=pa.large_string())))
    if not duplicates:
        parts.append(pc.field("duplicate_of").is_null())
    return functools.reduce(lambda a, b: a & b, parts) if parts else None


def read_articles(
    root: Path,
    *,
    columns: list[str] | None = None,
    duplicates: bool = True,
    since: Moment | None = None,
    until: Moment | None = None,
    sources: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> pa.Table:
    """Read the live articles of an output root as an Arrow table, sorted by id.

    Filters push down: files of months outside [since, until) or without the wanted
    sources or languages are not opened, and row groups are pruned by their statistics.
    since is inclusive, until exclusive; with either, undated articles are left out.
    """
    start = None if since is None else _utc(since)
    end = None if until is None else _utc(until)
    wanted_sources = None if sources is None else set(sources)
    wanted_languages = None if languages is None else set(languages)
    snapshot = Store(Path(root)).current()
    if snapshot is None:  # an output of tidings before snapshots, or nothing yet
        paths = [p for p in [_part(DatasetPaths(Path(root)).articles)] if p.exists()]
    else:
        paths = [
            snapshot.path(e)
            for e in snapshot.entries("articles")
            if not _pruned(e, start, end, wanted_sources, wanted_languages)
        ]
    wanted = list(ARTICLE_SCHEMA.names if columns is None else columns)
    projection = wanted if "id" in wanted else [*wanted, "id"]
    dataset = ds.dataset(paths, schema=ARTICLE_SCHEMA, format="parquet")
    table = dataset.to_table(
        columns=projection, filter=_article_filter(start, end, wanted_sources, wanted_languages, duplicates)
    )
    table = table.sort_by("id")
    return table.select(wanted)


def load_articles(
    root: Path,
    *,
    duplicates: bool = True,
    columns: list[str] | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    sources: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Load the articles dataset of an output root: tz-aware timestamps, lists, Arrow strings (see read_articles)."""
    return _to_frame(
        read_articles(
            root,
            columns=columns,
            duplicates=duplicates,
            since=since,
            until=until,
            sources=sources,
            languages=languages,
        )
    )


def load_rejects(root: Path) -> pd.DataFrame:
    """Load the rejects dataset of an output root."""
    snapshot = Store(Path(root)).current()
    if snapshot is None:
        return _to_frame(read_table(DatasetPaths(Path(root)).rejects, REJECT_SCHEMA))
    table = ds.dataset(snapshot.paths("rejects"), schema=REJECT_SCHEMA, format="parquet").to_table()
    return _to_frame(table.sort_by([("origin", "ascending"), ("reason", "ascending"), ("url", "ascending")]))


# -- the near-duplicate index (OUTPUT/index/): written after the articles, read before dedup --

_INDEX_DOCS = "docs"
_INDEX_BANDS = "bands"


def _index_schemas(params: Mapping[str, str], num_perm: int, generation: str) -> tuple[pa.Schema, pa.Schema]:
    # both tables carry the same generation: a run killed between the two renames is detected
    metadata = {"tidings_dedup_params": json.dumps(dict(params), sort_keys=True), "tidings_generation": generation}
    docs = pa.schema(
        [
            pa.field("id", pa.large_string(), nullable=False),
            pa.field("content_hash", pa.large_string(), nullable=False),
            pa.field("published_at", pa.timestamp("us", tz="UTC")),
            pa.field("canonical", pa.large_string(), nullable=False),
            pa.field("signature", pa.binary(4 * num_perm), nullable=False),
        ],
        metadata=metadata,
    )
    bands = pa.schema(
        [
            pa.field("band", pa.uint8(), nullable=False),
            pa.field("band_hash", pa.uint64(), nullable=False),
            pa.field("key", pa.uint64(), nullable=False),
        ],
        metadata=metadata,
    )
    return docs, bands


def write_dedup_index(directory: Path, index: DedupIndex) -> None:
    """Atomically replace the near-duplicate index in directory (call it after the articles are written)."""
    generation = uuid.uuid4().hex
    docs_schema, bands_schema = _index_schemas(index.params, index.signatures.shape[1], generation)
    signatures = np.ascontiguousarray(index.signatures, dtype="<u4")
    signature_array = pa.Array.from_buffers(
        pa.binary(signatures.shape[1] * 4), len(signatures), [None, pa.py_buffer(signatures.tobytes())]
    )
    docs = pa.table(
        {
            "id": pa.array(index.docs["id"].tolist(), type=pa.large_string()),
            "content_hash": pa.array(index.docs["content_hash"].tolist(), type=pa.large_string()),
            "published_at": pa.array(
                pd.to_datetime(index.docs["published_at"], utc=True),
                type=pa.timestamp("us", tz="UTC"),
                from_pandas=True,
            ),
            "canonical": pa.array(index.docs["canonical"].tolist(), type=pa.large_string()),
            "signature": signature_array,
        },
        schema=docs_schema,
    )
    bands = pa.Table.from_pandas(index.bands[["band", "band_hash", "key"]], schema=bands_schema, preserve_index=False)
    write_table(directory / _INDEX_BANDS, [bands], bands_schema)
    write_table(directory / _INDEX_DOCS, [docs], docs_schema)


def read_dedup_index(directory: Path) -> DedupIndex | None:
    """Read the near-duplicate index, or None when there is none or it cannot be used (it is then rebuilt)."""
    docs_path, bands_path = _part(directory / _INDEX_DOCS), _part(directory / _INDEX_BANDS)
    if not docs_path.exists() or not bands_path.exists():
        return None
    try:
        docs_meta = pq.read_schema(docs_path).metadata or {}
        bands_meta = pq.read_schema(bands_path).metadata or {}
        if docs_meta.get(b"tidings_generation") != bands_meta.get(b"tidings_generation"):
            logger.warning("dedup index in %s is incomplete (a run stopped while writing it); rebuilding it", directory)
            return None
        params = json.loads(docs_meta[b"tidings_dedup_params"])
        docs = pq.read_table(docs_path)
        width = docs.schema.field("signature").type.byte_width // 4
        column = docs.column("signature").combine_chunks()
        signatures = (
            np.frombuffer(column.buffers()[1], dtype="<u4", count=len(docs) * width, offset=column.offset * width * 4)
            .reshape(len(docs), width)
            .astype(np.uint32)
            if len(docs)
            else np.zeros((0, width), dtype=np.uint32)
        )
        frame = docs.drop_columns(["signature"]).to_pandas()
        bands = pq.read_table(bands_path).to_pandas()
    except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
        logger.warning("dedup index in %s cannot be read (%s); rebuilding it", directory, exc)
        return None
    for column_name in ("id", "content_hash", "canonical"):
        frame[column_name] = frame[column_name].astype(object)
    return DedupIndex(docs=frame, signatures=signatures, bands=bands, params=params)


def _stored_fetch_times(directory: Path) -> dict[str, Any]:
    stored = read_columns(directory, ["id", "fetched_at"])
    return dict(zip(stored["id"], stored["fetched_at"], strict=True))


def _newer(stored_fetched: Mapping[str, Any], ids: Iterable[str], fetched: Iterable[Any]) -> list[bool]:
    return [
        row_id in stored_fetched
        and pd.notna(stored_fetched[row_id])
        and (
            fetched_at is None or pd.isna(fetched_at) or pd.Timestamp(stored_fetched[row_id]) > pd.Timestamp(fetched_at)
        )
        for row_id, fetched_at in zip(ids, fetched, strict=True)
    ]


def stored_is_newer(directory: Path, ids: Iterable[str], fetched: Iterable[object]) -> list[bool]:
    """For each (id, fetched_at), say whether the stored row of that id is a newer fetch (it stays)."""
    return _newer(_stored_fetch_times(directory), ids, fetched)


def iter_stored_articles(directory: Path, columns: list[str], *, ids: Iterable[str]) -> Iterator[pd.DataFrame]:
    """Yield the given columns of the stored articles whose id is in ids, a batch at a time."""
    wanted = pa.array(sorted(set(ids)), type=pa.large_string())
    if not len(wanted):
        return
    for batch in _stored_batches(directory, ARTICLE_SCHEMA):
        table = pa.Table.from_batches([batch]).select(columns)
        table = table.filter(pc.is_in(table.column("id"), value_set=wanted))
        if table.num_rows:
            yield table.to_pandas()
