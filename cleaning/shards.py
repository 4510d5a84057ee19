"""Streaming runs: clean a shard of pages into staged files, then commit shards atomically.

Two functions carry a run (docs/design.md, "Shards and commits"):

- finish_shard(articles, rejects, folder, config) -> ShardResult: after the per-page steps
  of one shard, keep the newest fetch per id, gather the texts' fingerprints (content hash
  and MinHash signature: computed with each batch by the workers, dedup.with_fingerprints,
  or here) and write three Parquet files into folder: articles, rejects and signatures.
  It reads no stored state, so any process (a Dask worker) can run it.
- commit(output, shards, config) -> CommitStats: under the output's lock, over signatures
  and ids only (never texts): newest fetch per id against the stored rows, duplicates
  against the stored index (storage/index_store.gather reads only the touched clusters),
  the rejects rules, then one atomic snapshot holding articles, rejects and index together.

cleaning/pipeline.run streams its input through both, a slice of `slice_pages` pages at a
time, and records in each commit how far the run got, so a killed run resumes there.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import itertools
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cleaning import __version__
from cleaning.config import CleaningConfig, DedupConfig
from cleaning.duplicates.dedup import Entries, fingerprint_articles, mark_entries
from cleaning.duplicates.index import doc_keys, index_params
from cleaning.duplicates.minhash import EMPTY, band_hashes
from cleaning.ids import article_id, keep_newest_per_id
from cleaning.metadata.urls import canonicalize
from cleaning.schema import ARTICLE_SCHEMA, REJECT_COLUMNS, REJECT_SCHEMA, RejectReason, Stage
from cleaning.step import printable_detail
from cleaning.storage.compact import STATS_COLUMNS, auto_compact
from cleaning.storage.dataset import FETCH_FAILURES, to_table
from cleaning.storage.index_store import (
    BANDS,
    DOCS,
    LAYOUT,
    LINKS,
    REJECT_KEYS,
    band_run,
    docs_schema,
    drop_stale_reject_keys,
    find_docs,
    find_origins,
    gather,
    link_runs,
    read_run,
    reject_keys_path,
    run_parts,
    signature_array,
    signatures_of,
    upgrade_index,
)
from cleaning.storage.readme import write_readme
from cleaning.storage.snapshot import STATE, Store, Transaction, read_file, read_groups
from cleaning.storage.upgrade import upgrade_schema

__all__ = ["CommitStats", "ShardResult", "article_stats", "commit", "finish_shard", "month_of", "upgrade_legacy"]

logger = logging.getLogger(__name__)

_SIGNATURE_COLUMNS = ["id", "origin", "url", "source", "fetched_at", "published_at", "content_hash", "signature"]
_REBUILD_ROWS = 20_000


@dataclasses.dataclass(frozen=True)
class ShardResult:
    """One cleaned shard, staged for commit: folder holds articles/rejects/signatures.parquet.

    Or tables holds those three tables (finish_shard(..., in_memory=True)), when the process
    that finished the shard commits it: the commit then reads no files.
    """

    folder: Path
    pages: int
    articles: int
    rejects: int
    tables: dict[str, pa.Table] | None = dataclasses.field(default=None, compare=False, repr=False)


@dataclasses.dataclass
class CommitStats:
    """What a commit did."""

    inserted: int = 0
    replaced: int = 0  # stored rows the commit changed
    unchanged: int = 0  # stored rows written again exactly as they were (the same input cleaned again)
    kept_existing: int = 0
    removed: int = 0  # stored articles whose input this commit rejected (or gave another id)
    total: int = 0
    duplicates: int = 0
    rejects: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    languages: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    version: int = 0


def month_of(published: pd.Series) -> list[str]:
    """The articles partition of each publication time: 'YYYY-MM' (UTC), or 'undated'."""
    times = pd.to_datetime(published, utc=True)
    return ["undated" if pd.isna(t) else f"{t.year:04d}-{t.month:02d}" for t in times]


def _superseded(rows: pd.DataFrame, detail: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": rows["origin"].astype(object),
            "url": rows["url"].astype(object),
            "source": rows["source"].astype(object),
            "stage": str(Stage.DEDUP),
            "reason": str(RejectReason.SUPERSEDED),
            "detail": detail,
            "fetched_at": pd.to_datetime(rows["fetched_at"], utc=True),
            "tidings_version": __version__,
        }
    )


def finish_shard(
    articles: pd.DataFrame,
    rejects: pd.DataFrame,
    folder: Path,
    config: CleaningConfig,
    *,
    pages: int,
    in_memory: bool = False,
) -> ShardResult:
    """Stage a cleaned shard: newest fetch per id, fingerprints, and the three files in folder.

    in_memory: keep the three tables in the result instead of writing them (the caller commits it).
    """
    if not in_memory:
        folder.mkdir(parents=True, exist_ok=True)
    articles = articles.sort_values(["id", "origin"], kind="stable").reset_index(drop=True)
    newest = keep_newest_per_id(articles)
    articles = newest.kept
    if len(newest.rejected):
        rejected = newest.rejected
        rejects = pd.concat(
            [rejects, _superseded(rejected, "a newer fetch of the same URL is in this run")], ignore_index=True
        )
    entries = fingerprint_articles(articles, config.dedup)
    table = to_table(
        articles.assign(content_hash=entries.docs["content_hash"].to_numpy(), duplicate_of=None), ARTICLE_SCHEMA
    )
    if len(rejects):  # every path to the rejects dataset passes here: details are printable text
        rejects = rejects.assign(
            detail=pd.Series([printable_detail(d) for d in rejects["detail"]], index=rejects.index, dtype=object)
        )
    staged = {
        "articles": table,
        "rejects": to_table(rejects if len(rejects) else pd.DataFrame(columns=REJECT_COLUMNS), REJECT_SCHEMA),
        "signatures": table.select(_SIGNATURE_COLUMNS[:-1]).append_column(
            "signature", signature_array(entries.signatures)
        ),
    }
    if not in_memory:
        for name, data in staged.items():
            pq.write_table(data, folder / f"{name}.parquet", compression="zstd")
    return ShardResult(
        folder=folder,
        pages=pages,
        articles=table.num_rows,
        rejects=len(rejects),
        tables=staged if in_memory else None,
    )


def _stored_newer(stored_fetched: Any, stored_origin: str, fetched: Any, origin: str) -> bool:
    """keep_newest_per_id's rule between a stored row and a new one: dated first, newest fetch, smallest origin.

    Re-cleaning the same origin replaces the stored row (a newer tidings' result wins).
    """
    if pd.isna(stored_fetched) or pd.isna(fetched):
        if pd.isna(stored_fetched) and pd.isna(fetched):
            return stored_origin < origin
        return pd.isna(fetched)
    a, b = pd.Timestamp(stored_fetched), pd.Timestamp(fetched)
    return a > b or (a == b and stored_origin < origin)


def _stored_rows(txn: Transaction, ids: Sequence[str]) -> pd.DataFrame:
    return find_docs(txn, ids, ["id", "month", "fetched_at", "origin"]).to_pandas()


def article_stats(table: pa.Table) -> dict[str, object]:
    """What a reader's filters check before opening an articles file: dates, sources, languages."""
    published = table.column("published_at")
    low, high = pc.min(published).as_py(), pc.max(published).as_py()
    return {
        "min_published": None if low is None else low.isoformat(),
        "max_published": None if high is None else high.isoformat(),
        "sources": sorted({s for s in pc.unique(table.column("source")).to_pylist() if s is not None}),
        "languages": sorted({s for s in pc.unique(table.column("language")).to_pylist() if s is not None}),
    }


def _write_articles(txn: Transaction, table: pa.Table) -> None:
    """One file per month partition, its rows sorted by id: one sort by (month, id), then slices."""
    if not table.num_rows:
        return
    keys = pa.table({"month": month_of(table.column("published_at").to_pandas()), "id": table.column("id")})
    order = pc.sort_indices(keys, sort_keys=[("month", "ascending"), ("id", "ascending")])
    months = keys.column("month").take(order).to_numpy(zero_copy_only=False)
    table = table.take(order)
    starts = [0, *(np.flatnonzero(months[1:] != months[:-1]) + 1).tolist(), len(months)]
    parts = [table.slice(start, end - start) for start, end in itertools.pairwise(starts)]
    txn.write_parts(
        "articles",
        [(str(months[start]), part, article_stats(part)) for start, part in zip(starts[:-1], parts, strict=True)],
    )


def _rewrite_articles(
    txn: Transaction, months: set[str], drop: set[str], updates: dict[str, str | None]
) -> pd.DataFrame:
    """Drop rows of ids in drop and set duplicate_of from updates in the given partitions; return dropped rows.

    Copy-on-write of the files that hold such rows, a row group at a time (memory: one group),
    with Arrow kernels over each group: no Python object per stored row.
    """
    touched = drop | set(updates)
    columns = ["id", "origin", "url", "source", "fetched_at"]
    dropped: list[pd.DataFrame] = []
    if not touched:
        return pd.DataFrame(columns=columns)
    wanted = pa.array(sorted(touched), type=pa.large_string())
    gone_ids = pa.array(sorted(drop), type=pa.large_string())
    update_ids = pa.array(list(updates), type=pa.large_string())
    update_values = pa.array(list(updates.values()), type=pa.large_string())
    position = ARTICLE_SCHEMA.get_field_index("duplicate_of")

    def rewritten(path: Path) -> Iterable[pa.Table]:
        for group in read_groups(path):
            table = group.cast(ARTICLE_SCHEMA)
            if len(gone_ids):
                gone = pc.is_in(table.column("id"), value_set=gone_ids)
                if pc.any(gone).as_py():
                    gone_rows = table.filter(gone)
                    dropped.append(gone_rows.select(columns).to_pandas().assign(fingerprint=_fingerprints(gone_rows)))
                    table = table.filter(pc.invert(gone))
            if len(update_ids):
                slot = pc.index_in(table.column("id"), value_set=update_ids)
                if slot.null_count < len(slot):
                    merged = pc.if_else(pc.is_valid(slot), update_values.take(slot), table.column("duplicate_of"))
                    table = table.set_column(position, ARTICLE_SCHEMA.field("duplicate_of"), merged)
            yield table

    for entry in txn.entries("articles", sorted(months)):
        ids = read_file(txn.path(entry), ["id"]).column("id")
        if not pc.any(pc.is_in(ids, value_set=wanted)).as_py():
            continue
        path = txn.path(entry)
        txn.remove(entry)
        txn.write_stream("articles", entry.partition, rewritten(path), ARTICLE_SCHEMA, article_stats, STATS_COLUMNS)
    kept = [d for d in dropped if len(d)]
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=columns)


_UNCOMPARED = ("duplicate_of", "tidings_version")  # set by the commit, or by which tidings wrote the row


def _fingerprints(table: pa.Table) -> list[str]:
    """One digest per row of what cleaning made of the page, to tell an update from a rewrite of the same row."""
    columns = [c for c in table.column_names if c not in _UNCOMPARED]
    rows = zip(*(table.column(c).to_pylist() for c in columns), strict=True)
    return [hashlib.sha1(repr(row).encode()).hexdigest() for row in rows]


def _rewrite_docs(txn: Transaction, files: dict[str, set[str]], drop: set[str]) -> None:
    """Copy-on-write of the docs files that hold ids in drop, a row group at a time (memory: one group).

    Docs files grow to FILE_ROWS rows by compaction: read whole, one file cost a commit 100+ MiB.
    """
    gone = pa.array(sorted(drop), type=pa.large_string())

    def kept(path: Path) -> Iterator[pa.Table]:
        for table in read_groups(path):
            yield table.filter(pc.invert(pc.is_in(table.column("id"), value_set=gone)))

    for entry in list(txn.entries(DOCS)):
        if not files.get(entry.path, set()) & drop:
            continue
        path = txn.path(entry)  # resolved before remove() forgets a file staged by this commit
        schema = pq.read_schema(path)
        txn.remove(entry)
        txn.write_stream(DOCS, "all", kept(path), schema)


def _docs_rows(
    ids: list[str],
    index_docs: pd.DataFrame,
    signatures: np.ndarray,
    meta: pd.DataFrame,
    num_perm: int,
) -> pa.Table:
    position = pd.Series(np.arange(len(index_docs)), index=index_docs["id"].to_numpy())
    pos = position.reindex(ids).to_numpy().astype(np.int64)
    docs = index_docs.iloc[pos]
    info = meta.drop_duplicates("id", keep="last").set_index("id").reindex(ids)
    table = pa.table(
        {
            "id": pa.array(ids, type=pa.large_string()),
            "key": pa.array(doc_keys(ids)),
            "content_hash": pa.array(docs["content_hash"].tolist(), type=pa.large_string()),
            "published_at": pa.array(
                pd.to_datetime(docs["published_at"], utc=True), type=pa.timestamp("us", tz="UTC"), from_pandas=True
            ),
            "canonical": pa.array(docs["canonical"].tolist(), type=pa.large_string()),
            "month": pa.array(info["month"].tolist(), type=pa.large_string()),
            "fetched_at": pa.array(
                pd.to_datetime(info["fetched_at"], utc=True), type=pa.timestamp("us", tz="UTC"), from_pandas=True
            ),
            "origin": pa.array(info["origin"].tolist(), type=pa.large_string()),
            "signature": signature_array(signatures[pos]),
        },
        schema=docs_schema(num_perm),
    )
    return table.sort_by("canonical")


def _dedup(
    txn: Transaction, new: Entries, meta: pd.DataFrame, config: DedupConfig, *, remove: frozenset[str] = frozenset()
) -> tuple[list[str | None], dict[str, str | None], dict[str, str]]:
    """Mark new against the stored index and write the index changes; return duplicate_of, updates, months.

    remove names stored ids that leave the dataset: they leave the index, and what is left of
    their clusters is linked again from scratch (a removed canonical row hands over to the next).
    """
    found = gather(txn, new, config, also=sorted(remove))
    stored = found.stored[~found.stored["id"].isin(remove)] if remove else found.stored
    duplicate_of, updates, index = mark_entries(new, index=found.index, stored=stored, config=config)
    new_ids = new.docs["id"].tolist()
    changed = sorted(set(updates))
    _rewrite_docs(txn, found.files, set(new_ids) | set(changed) | remove)
    all_meta = pd.concat([found.rows[["id", "month", "fetched_at", "origin"]], meta], ignore_index=True)
    rows = _docs_rows(new_ids + changed, index.docs, index.signatures, all_meta, config.num_perm)
    if rows.num_rows:
        txn.write(DOCS, "all", rows)
        for kind, run in link_runs(rows).items():  # the clusters of these rows, by id, content hash, origin
            txn.write_run(LINKS, kind, run)
    has = (new.signatures != EMPTY).any(axis=1)
    if has.any():
        bands = band_hashes(new.signatures[has], bands=config.bands, rows=config.rows, seed=config.seed)
        txn.write_run(BANDS, "all", band_run(bands, doc_keys(new.docs["id"][has])))
    months = dict(zip(found.rows["id"], found.rows["month"], strict=True))
    return duplicate_of, updates, months


def _read(shards: Sequence[ShardResult], name: str, schema: pa.Schema | None = None) -> pa.Table:
    """The staged table name of every shard, in order (from the shard's tables, or its file)."""
    tables = [
        s.tables[name] if s.tables is not None else read_file(s.folder / f"{name}.parquet", schema=schema)
        for s in shards
    ]
    if not tables:
        assert schema is not None
        return schema.empty_table()
    return pa.concat_tables(tables)


def _origin_token(origin: str | None) -> str:
    return "n" if origin is None else f"o\0{origin}"


def _pair_token(url: str, reason: str | None) -> str:
    return f"p\0{url}\0{reason}"


def _resolved_token(url: str) -> str:
    return f"u\0{url}"


def _reject_keys(
    origins: list[str | None], urls: list[str | None], reasons: list[str | None], url_key: Callable[[str], str | None]
) -> pa.Table:
    """The key run of a rejects file: a sorted hash of each thing that can answer one of its rows.

    Its origin (the input cleaned again), its (url, reason) (the same reject in a later run),
    and for a fetch failure its canonical URL (an article of that URL arrived). A commit reads a
    rejects file only if one of its own hashes is in the file's run (docs/storage.md).
    """
    tokens = [_origin_token(o) for o in origins] + [
        _pair_token(u, r) for u, r in zip(urls, reasons, strict=True) if isinstance(u, str) and u
    ]
    for u, r in zip(urls, reasons, strict=True):
        if u is not None and r in FETCH_FAILURES and (key := url_key(u)):
            tokens.append(_resolved_token(key))
    return pa.table({"hash": pa.array(np.unique(doc_keys(tokens)), type=pa.uint64())})


def _any_in(run: pa.Table, wanted: npt.NDArray[np.uint64]) -> bool:
    """Whether a sorted run (mapped) holds one of wanted (sorted): a binary search per wanted hash."""
    for hashes, _ in run_parts(run) if len(wanted) else []:
        position = np.minimum(np.searchsorted(hashes, wanted), len(hashes) - 1)
        if (hashes[position] == wanted).any():
            return True
    return False


def _write_rejects(
    txn: Transaction, table: pa.Table, stats: dict[str, Any] | None, url_key: Callable[[str], str | None]
) -> None:
    entry = txn.write("rejects", "all", table, stats)
    columns = [table.column(n).to_pylist() for n in ("origin", "url", "reason")]
    txn.write_run(
        REJECT_KEYS, "all", _reject_keys(columns[0], columns[1], columns[2], url_key), name=Path(entry.path).stem
    )


def _rejects(
    txn: Transaction,
    new: pd.DataFrame,
    articles: pa.Table,
    resolved_origins: set[str],
    config: CleaningConfig,
    run: str | None,
) -> pd.DataFrame:
    """The rejects rules of upsert_rejects, over the stored reject files this commit touches.

    A repeated reject replaces the stored one only across runs: the files an earlier slice of
    this run wrote (stats["run"]) keep theirs, as one run over all the inputs would.
    """
    url_key = functools.partial(canonicalize, tracking_parameters=config.tracking_parameters)
    resolved_urls = {u for u in articles.column("url").to_pylist() if u}
    failing = {
        url_key(u): u
        for u, r in zip(new["url"], new["reason"], strict=True)
        if isinstance(u, str) and r in FETCH_FAILURES
    }
    failing.pop(None, None)  # type: ignore[call-overload]
    stored_urls: set[str] = set()
    if failing:  # a fetch failure of a URL the dataset already holds an article for is answered
        ids = {article_id(k, ""): k for k in failing if k}  # an article's id is that of its canonical URL
        stored_urls = {ids[i] for i in find_docs(txn, sorted(ids), ["id"]).column("id").to_pylist()}
    known = resolved_urls | stored_urls
    answered_new = [
        isinstance(u, str) and r in FETCH_FAILURES and url_key(u) in known
        for u, r in zip(new["url"], new["reason"], strict=True)
    ]
    fresh = new[~np.array(answered_new, dtype=bool)] if len(new) else new
    origins = resolved_origins | set(new["origin"])
    repeated = {(u, r) for u, r in zip(fresh["url"], fresh["reason"], strict=True) if isinstance(u, str) and u}
    # what a stored reject can be answered by, as hashes: files whose key run holds none are not read
    asked = np.unique(
        doc_keys(
            [_origin_token(o) for o in origins]
            + [_pair_token(u, r) for u, r in repeated]
            + [_resolved_token(u) for u in resolved_urls]
        )
    )
    keyed = {e.path: e for e in txn.entries(REJECT_KEYS)}
    for entry in list(txn.entries("rejects")):
        keys_entry = keyed.get(reject_keys_path(entry))
        if keys_entry is not None and not _any_in(read_run(txn.path(keys_entry)), asked):
            continue
        keys = read_file(txn.path(entry), ["origin", "url", "reason"])  # the whole row only if needed
        columns = [keys.column(n).to_pylist() for n in ("origin", "url", "reason")]
        same_run = run is not None and entry.stats.get("run") == run
        answered = [
            o in origins
            or (not same_run and (u, r) in repeated)
            or (u is not None and r in FETCH_FAILURES and url_key(u) in resolved_urls)
            for o, u, r in zip(*columns, strict=True)
        ]
        if any(answered):
            txn.remove(entry)
            table = read_file(txn.path(entry), schema=REJECT_SCHEMA)
            kept = table.filter(pc.invert(pa.array(answered, type=pa.bool_())))
            if kept.num_rows:
                _write_rejects(txn, kept, entry.stats, url_key)
        elif keys_entry is None:  # written before key runs, or by a merge: read once, then keyed
            txn.write_run(
                REJECT_KEYS,
                "all",
                _reject_keys(columns[0], columns[1], columns[2], url_key),
                name=Path(entry.path).stem,
            )
    if len(fresh):
        table = to_table(fresh, REJECT_SCHEMA).sort_by(
            [("origin", "ascending"), ("reason", "ascending"), ("url", "ascending")]
        )
        _write_rejects(txn, table, {"run": run} if run else None, url_key)
    return fresh


def _check_index(txn: Transaction, config: DedupConfig) -> None:
    """Rebuild the index from the stored texts when it was built with other parameters (or never)."""
    wanted = index_params(config)
    if txn.manifest.meta.get("dedup_params") == wanted:
        if upgrade_index(txn):
            logger.warning("moved the dedup index to layout %d (sorted runs, docs/dedup.md)", LAYOUT)
        return
    if txn.entries("articles"):
        logger.warning("dedup index was built with other parameters; rebuilding it from the stored articles")
    for entry in txn.entries(DOCS) + txn.entries(BANDS) + txn.entries(LINKS):
        txn.remove(entry)
    txn.manifest.meta["dedup_params"] = wanted
    txn.manifest.meta["index_layout"] = LAYOUT
    stored = txn.entries("articles")
    final: dict[str, str | None] = {}
    for entry in stored:
        table = read_file(txn.path(entry), ["id", "text", "published_at", "fetched_at", "origin"])
        for start in range(0, table.num_rows, _REBUILD_ROWS):
            frame = table.slice(start, _REBUILD_ROWS).to_pandas()
            entries = fingerprint_articles(frame, config)
            meta = frame[["id", "fetched_at", "origin"]].assign(month=entry.partition)
            duplicate_of, updates, _ = _dedup(txn, entries, meta, config)
            final.update(zip(frame["id"], duplicate_of, strict=True))
            final.update(updates)
    if final:
        months = {e.partition for e in stored}
        _rewrite_articles(txn, months, set(), final)


def commit(
    output: Path,
    shards: Sequence[ShardResult],
    config: CleaningConfig,
    *,
    run: tuple[str, dict[str, object] | None] | None = None,
) -> CommitStats:
    """Commit staged shards to output in one snapshot; run=(key, progress or None when the run is done)."""
    store = Store(output)
    stats = CommitStats()
    with store.lock():
        upgrade_legacy(store)
        txn = store.begin()
        try:
            upgrade_schema(txn, article_stats)
            _check_index(txn, config.dedup)
            _apply(txn, shards, config, stats, None if run is None else run[0])
            auto_compact(txn, article_stats)
            drop_stale_reject_keys(txn)
            if run is not None:
                key, progress = run
                if progress is None:
                    txn.manifest.runs.pop(key, None)
                else:
                    txn.manifest.runs[key] = progress
            snapshot = txn.commit()
        except BaseException:
            txn.discard()
            raise
    write_readme(output)
    stats.version = snapshot.manifest.version
    stats.total = snapshot.rows("articles")
    for shard in shards:
        shutil.rmtree(shard.folder, ignore_errors=True)
    # a commit's Arrow buffers are freed, but the allocator keeps the pages for reuse: hand them back,
    # so the cleaning of the next slice does not stack its peak on top of them
    pa.default_memory_pool().release_unused()
    return stats


def _apply(
    txn: Transaction, shards: Sequence[ShardResult], config: CleaningConfig, stats: CommitStats, run: str | None
) -> None:
    signatures = _read(shards, "signatures")
    articles = _read(shards, "articles", ARTICLE_SCHEMA)
    rejects = _read(shards, "rejects", REJECT_SCHEMA).to_pandas()
    reject_parts = [rejects]
    frame = signatures.drop_columns(["signature"]).to_pandas()
    frame["_row"] = np.arange(len(frame))
    frame = frame.sort_values(["id", "origin"], kind="stable")
    newest = keep_newest_per_id(frame)  # shards of one commit may share an id
    if len(newest.rejected):
        reject_parts.append(_superseded(newest.rejected, "a newer fetch of the same URL is in this run"))
    kept = newest.kept
    # every input of this commit gets its result now: the stored articles of these inputs are stale
    # (a page now rejected, or given another id) and are never a newer copy that wins over this one
    processed = set(frame["origin"]) | set(rejects["origin"])
    stale = find_origins(txn, processed, ["id", "month", "origin"]).to_pandas()
    stored = _stored_rows(txn, kept["id"].tolist()).set_index("id")
    stored_meta: dict[str, tuple[Any, str, str]] = {
        i: (f, str(o), str(m))
        for i, f, o, m in zip(stored.index, stored["fetched_at"], stored["origin"], stored["month"], strict=True)
    }
    loses = pd.Series(
        [
            i in stored_meta
            and stored_meta[i][1] not in processed
            and _stored_newer(stored_meta[i][0], stored_meta[i][1], f, o)
            for i, f, o in zip(kept["id"], kept["fetched_at"], kept["origin"], strict=True)
        ],
        index=kept.index,
        dtype=bool,
    )
    if loses.any():
        reject_parts.append(_superseded(kept[loses], "the dataset holds a newer fetch of this URL"))
    winners = kept[~loses].sort_values("id", kind="stable").reset_index(drop=True)
    rows = winners["_row"].to_numpy()
    width = config.dedup.num_perm
    entries = Entries(
        docs=pd.DataFrame(
            {
                "id": winners["id"].astype(object).to_numpy(),
                "content_hash": winners["content_hash"].astype(object).to_numpy(),
                "published_at": pd.Series(
                    pd.to_datetime(winners["published_at"], utc=True), dtype="datetime64[us, UTC]"
                ).reset_index(drop=True),
            }
        ),
        signatures=signatures_of(signatures.column("signature"), width)[rows],
    )
    months = month_of(winners["published_at"])
    meta = pd.DataFrame(
        {"id": winners["id"], "month": months, "fetched_at": winners["fetched_at"], "origin": winners["origin"]}
    )
    removed = frozenset(stale["id"]) - set(winners["id"])  # tombstones: pages that no longer give an article
    duplicate_of, updates, stored_months = _dedup(txn, entries, meta, config.dedup, remove=removed)

    replaced = [i for i in winners["id"] if i in stored_meta]
    drop = set(replaced) | removed
    touched = (
        {stored_months[i] for i in updates if i in stored_months}
        | {stored_meta[i][2] for i in replaced}
        | set(stale["month"][stale["id"].isin(removed)])
    )
    dropped = _rewrite_articles(txn, touched, drop, {k: v for k, v in updates.items() if k not in drop})
    if len(dropped):  # a pandas merge costs ~3 ms even of no rows: most commits drop none (a fresh output, new URLs)
        moved = dropped.merge(winners[["id", "origin"]], on="id", suffixes=("", "_new"))
        moved = moved[(moved["origin"] != moved["origin_new"]) & ~moved["origin"].isin(processed)]
        if len(moved):
            reject_parts.append(_superseded(moved, "a newer fetch of this URL replaced it"))
    table = articles.take(pa.array(rows, type=pa.int64()))
    position = table.schema.get_field_index("duplicate_of")
    table = table.set_column(
        position, ARTICLE_SCHEMA.field("duplicate_of"), pa.array(duplicate_of, type=pa.large_string())
    )
    if table.num_rows:
        _write_articles(txn, table)
    all_rejects = pd.concat([r for r in reject_parts if len(r)] or [rejects], ignore_index=True)
    fresh = _rejects(txn, all_rejects, table, processed, config, run)
    stats.inserted = len(winners) - len(replaced)
    before = dict(zip(dropped["id"], dropped["fingerprint"], strict=True)) if "fingerprint" in dropped else {}
    # only rows that replace a stored one are compared: a fresh output fingerprints none
    again = table.filter(pc.is_in(table.column("id"), value_set=pa.array(list(before), type=pa.large_string())))
    after = dict(zip(again.column("id").to_pylist(), _fingerprints(again), strict=True))
    stats.unchanged = sum(1 for i in replaced if i in before and before[i] == after.get(i))
    stats.replaced = len(replaced) - stats.unchanged
    stats.kept_existing = int(loses.sum())
    stats.removed = len(removed)
    stats.duplicates = sum(d is not None for d in duplicate_of)
    stats.rejects.update(fresh["reason"].tolist())
    stats.languages.update("und" if x is None else x for x in table.column("language").to_pylist())


def upgrade_legacy(store: Store) -> bool:
    """Move an output written by tidings before snapshots (one part-0.parquet per dataset) into a snapshot.

    Call it holding the lock. Every stored row is kept as it is; the dedup index is rebuilt
    from the texts by the next commit. Returns whether there was anything to upgrade.
    """
    legacy = {name: store.root / name for name in ("articles", "rejects", "index")}
    marker = {"articles": "part-0.parquet", "rejects": "part-0.parquet", "index": "docs/part-0.parquet"}
    present = {n: p for n, p in legacy.items() if not p.is_symlink() and (p / marker[n]).exists()}
    if not present:
        return False
    if store.current() is None:
        txn = store.begin()
        articles = present.get("articles")
        if articles is not None and (articles / "part-0.parquet").exists():
            handle = pq.ParquetFile(articles / "part-0.parquet")
            for batch in handle.iter_batches(batch_size=50_000):
                _write_articles(txn, pa.Table.from_batches([batch]).cast(ARTICLE_SCHEMA))
        rejects = present.get("rejects")
        if rejects is not None and (rejects / "part-0.parquet").exists():
            table = pq.read_table(rejects / "part-0.parquet").cast(REJECT_SCHEMA)
            if table.num_rows:
                txn.write("rejects", "all", table)
        txn.commit()
        logger.warning("upgraded %s to the snapshot layout (docs/storage.md)", store.root)
    parked = store.state / "legacy"
    parked.mkdir(parents=True, exist_ok=True)
    for name, path in present.items():
        target = parked / name
        if target.exists():
            shutil.rmtree(target)
        path.rename(target)
        if name != "index":
            os.symlink(f"{STATE}/current/{name}", store.root / name)
    shutil.rmtree(parked, ignore_errors=True)
    return True
