"""Mark exact and near duplicates: one canonical row per cluster, the others point to it.

Exact duplicates share a content_hash; near duplicates share an LSH band of their MinHash
signatures and an estimated Jaccard similarity of at least the threshold. Both kinds of
link join clusters (connected components); a cluster's canonical row is its earliest
published article (undated last, ties by id), whatever the order the rows came in.

The index (DedupIndex) remembers every stored article's signature, band hashes and
cluster, so a run compares its articles with the whole dataset without rereading texts.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

from cleaning.config import DedupConfig
from cleaning.duplicates.index import DedupIndex, band_rows, doc_keys, utc
from cleaning.duplicates.minhash import EMPTY, band_hashes, content_hashes, estimated_jaccard, fingerprints, signatures
from cleaning.errors import SchemaError
from cleaning.step import require_columns

__all__ = [
    "SIGNATURE",
    "Entries",
    "content_hash",
    "fingerprint_articles",
    "mark_duplicates",
    "mark_entries",
    "near_duplicate_pairs",
    "with_fingerprints",
]

logger = logging.getLogger(__name__)

_SIGNATURE_BATCH = 2048  # texts per signature batch: bounds memory on a rebuild


def content_hash(text: str) -> str:
    """Return the SHA-1 of text with case, width, punctuation and spacing normalized."""
    return content_hashes([text])[0]


@dataclasses.dataclass(frozen=True)
class Entries:
    """Signatures of articles not yet in the index (this run's, and stored rows it lacks).

    What a shard worker hands the commit: dedup runs over these, never over texts.
    """

    docs: pd.DataFrame  # id, content_hash, published_at
    signatures: npt.NDArray[np.uint32]


_Entries = Entries


SIGNATURE = "signature"  # with_fingerprints' column: a row's MinHash signature as little-endian uint32 bytes


def with_fingerprints(articles: pd.DataFrame, config: DedupConfig) -> pd.DataFrame:
    """Return articles (text) with their content_hash and SIGNATURE columns, which fingerprint_articles then reads.

    A text's fingerprints depend on that text alone, not on the texts hashed with it, so the
    workers compute them with each batch of pages and the process that stages the shard
    (finish_shard, serial) only gathers them.
    """
    hashes, sigs = fingerprints(
        articles["text"].tolist(),
        num_perm=config.num_perm,
        word_ngram=config.word_ngram,
        char_ngram=config.char_ngram,
        seed=config.seed,
    )
    return articles.assign(content_hash=hashes, **{SIGNATURE: [row.tobytes() for row in sigs.astype("<u4")]})


def fingerprint_articles(articles: pd.DataFrame, config: DedupConfig) -> Entries:
    """Return the content hashes and MinHash signatures of articles (id, text, published_at).

    Those of with_fingerprints when every row has them, else computed from the texts.
    """
    if len(articles) and SIGNATURE in articles and articles[SIGNATURE].notna().all():
        signatures = np.frombuffer(b"".join(articles[SIGNATURE]), dtype="<u4").astype(np.uint32)
        docs = pd.DataFrame(
            {
                "id": articles["id"].astype(object).to_numpy(),
                "content_hash": articles["content_hash"].astype(object).reset_index(drop=True),
                "published_at": utc(articles["published_at"]),
            }
        )
        return Entries(docs, signatures.reshape(len(articles), config.num_perm))
    return _entries(articles, config)


def _entries(articles: pd.DataFrame, config: DedupConfig) -> _Entries:
    hashes: list[str] = []
    sigs = []
    # batch by batch: the texts are read once and never copied all at once
    for start in range(0, len(articles), _SIGNATURE_BATCH):
        batch_hashes, batch_signatures = fingerprints(
            articles["text"].iloc[start : start + _SIGNATURE_BATCH].tolist(),
            num_perm=config.num_perm,
            word_ngram=config.word_ngram,
            char_ngram=config.char_ngram,
            seed=config.seed,
        )
        hashes += batch_hashes
        sigs.append(batch_signatures)
    docs = pd.DataFrame(
        {
            "id": articles["id"].astype(object).to_numpy(),
            "content_hash": pd.Series(hashes, dtype=object),
            "published_at": utc(articles["published_at"]),
        }
    )
    return _Entries(docs, np.concatenate(sigs) if sigs else np.zeros((0, config.num_perm), dtype=np.uint32))


def _concat_entries(parts: list[_Entries], config: DedupConfig) -> _Entries:
    if not parts:
        return _entries(pd.DataFrame({"id": [], "text": [], "published_at": []}), config)
    return _Entries(
        pd.concat([p.docs for p in parts], ignore_index=True), np.concatenate([p.signatures for p in parts])
    )


class _Forest:
    """Union-find over row positions; parents start at each row's previous cluster."""

    def __init__(self, parent: npt.NDArray[np.int64]) -> None:
        self.parent = parent

    def find(self, node: int) -> int:
        parent = self.parent
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def roots(self) -> npt.NDArray[np.int64]:
        parent = self.parent.copy()
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                return parent
            parent = grand


def _candidate_pairs(
    seeds: npt.NDArray[np.int64],
    bands: npt.NDArray[np.uint64],
    rows: pd.DataFrame,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return (low, high) position pairs of a seed and another row (band_hash, pos) sharing a band hash."""
    width = bands.shape[1]
    row_hashes, row_pos = rows["band_hash"].to_numpy(), rows["pos"].to_numpy()
    if bands.dtype != np.uint64 or row_hashes.dtype != np.uint64 or row_pos.dtype != np.int64:
        return _merged_candidate_pairs(seeds, bands, rows)
    # a sort and two binary searches: a pandas merge costs milliseconds of frame overhead per commit
    query_hashes, query_seeds = bands.reshape(-1), np.repeat(seeds.astype(np.int64), width)
    order = np.argsort(row_hashes, kind="stable")
    sorted_hashes = row_hashes[order]
    first = np.searchsorted(sorted_hashes, query_hashes, side="left")
    counts = np.searchsorted(sorted_hashes, query_hashes, side="right") - first
    total = int(counts.sum())
    # the k-th hit of a query is sorted row first + k
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    seed = np.repeat(query_seeds, counts)
    pos = row_pos[order[np.repeat(first, counts) + offsets]]
    return _unique_pairs(seed, pos)


def _merged_candidate_pairs(
    seeds: npt.NDArray[np.int64],
    bands: npt.NDArray[np.uint64],
    rows: pd.DataFrame,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """_candidate_pairs through a pandas merge, for band hash or position columns of another dtype."""
    width = bands.shape[1]
    queries = pd.DataFrame({"band_hash": bands.reshape(-1), "seed": np.repeat(seeds, width)})
    hits = queries.merge(rows, on="band_hash", how="inner")
    hits = hits[hits["seed"] != hits["pos"]]
    low = np.minimum(hits["seed"].to_numpy(), hits["pos"].to_numpy())
    high = np.maximum(hits["seed"].to_numpy(), hits["pos"].to_numpy())
    pairs = np.unique(np.stack([low, high], axis=1), axis=0) if len(low) else np.zeros((0, 2), dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def _unique_pairs(
    seed: npt.NDArray[np.int64], pos: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return the distinct (low, high) pairs of seed and pos positions that differ, sorted."""
    other = seed != pos
    low = np.minimum(seed[other], pos[other])
    high = np.maximum(seed[other], pos[other])
    pairs = np.unique(np.stack([low, high], axis=1), axis=0) if len(low) else np.zeros((0, 2), dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def _confirmed_pairs(
    sig: npt.NDArray[np.uint32],
    asking: npt.NDArray[np.int64],
    rows: pd.DataFrame,
    config: DedupConfig,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int]:
    """Return the candidate pairs whose estimated Jaccard reaches the threshold, and how many candidates there were."""
    left, right = _candidate_pairs(
        asking, band_hashes(sig[asking], bands=config.bands, rows=config.rows, seed=config.seed), rows
    )
    similar = estimated_jaccard(sig, left, right) >= config.threshold
    return left[similar], right[similar], len(left)


def _band_hits(
    stored: pd.DataFrame,
    wanted: npt.NDArray[np.uint64],
    key_position: pd.Series,
) -> pd.DataFrame:
    """Return (band_hash, pos) of the stored band rows whose hash is wanted and whose key is still indexed."""
    hits = stored[np.isin(stored["band_hash"].to_numpy(), wanted)]
    pos = key_position.reindex(hits["key"].to_numpy())
    found = pos.notna().to_numpy()
    return pd.DataFrame(
        {"band_hash": hits["band_hash"].to_numpy()[found], "pos": pos.to_numpy()[found].astype(np.int64)}
    )


def near_duplicate_pairs(texts: list[str], *, config: DedupConfig) -> list[tuple[int, int]]:
    """Return the (i, j) index pairs, i < j, of texts that LSH finds and the Jaccard estimate confirms."""
    sig = signatures(
        texts, num_perm=config.num_perm, word_ngram=config.word_ngram, char_ngram=config.char_ngram, seed=config.seed
    )
    bands = band_hashes(sig, bands=config.bands, rows=config.rows, seed=config.seed)
    positions = np.flatnonzero((sig != EMPTY).any(axis=1))
    all_bands = pd.DataFrame({"band_hash": bands[positions].reshape(-1), "pos": np.repeat(positions, config.bands)})
    left, right, _ = _confirmed_pairs(sig, positions, all_bands, config)
    return list(zip(left.tolist(), right.tolist(), strict=True))


def mark_duplicates(
    articles: pd.DataFrame,
    *,
    index: DedupIndex,
    stored: pd.DataFrame,
    restored: Iterable[pd.DataFrame],
    config: DedupConfig,
) -> tuple[pd.DataFrame, dict[str, str | None], DedupIndex]:
    """Point every exact or near duplicate at its cluster's canonical row, across runs.

    Reads:   id, text, published_at (stored: id, duplicate_of of the dataset before this run;
             restored: id, text, published_at of stored rows the index lacks, in batches)
    Writes:  content_hash, duplicate_of
    Rejects: nothing (a duplicate is marked, never dropped)
    Returns: the articles; new duplicate_of values for stored rows whose canonical changed;
             the index to write after the dataset
    """
    require_columns(articles, "id", "text", "published_at", step="mark_duplicates")
    if articles["id"].duplicated().any():
        raise SchemaError("mark_duplicates needs one row per id; run keep_newest_per_id first")
    new = _entries(articles, config)
    back = _concat_entries(
        [_entries(batch[~batch["id"].isin(articles["id"])], config) for batch in restored if len(batch)], config
    )
    duplicate_of, updates, new_index = mark_entries(new, index=index, stored=stored, restored=back, config=config)
    marked = articles.assign(
        content_hash=new.docs["content_hash"].to_numpy(),
        duplicate_of=pd.Series(duplicate_of, index=articles.index, dtype=object),
    )
    return marked, updates, new_index


def mark_entries(
    new: Entries,
    *,
    index: DedupIndex,
    stored: pd.DataFrame,
    restored: Entries | None = None,
    config: DedupConfig,
) -> tuple[list[str | None], dict[str, str | None], DedupIndex]:
    """mark_duplicates over signatures: return duplicate_of for each entry, stored rows' updates, the new index.

    index may hold only part of the stored dataset: every stored row sharing a content hash or a
    band hash with an entry, or an id, and the whole cluster of each (storage/index_store.py
    gathers them); stored then lists those rows. The result is the same as with the whole index.
    """
    back = restored if restored is not None else _concat_entries([], config)

    # stored rows replaced by this run, or gone from the dataset, leave the index, and
    # the rest of their old clusters is linked again from scratch
    old = index.docs
    gone = old["id"].isin(new.docs["id"]) | old["id"].isin(back.docs["id"]) | ~old["id"].isin(stored["id"])
    broken = old["canonical"].isin(old.loc[gone, "canonical"])
    kept_old = (~gone).to_numpy()
    universe = pd.concat(
        [old.loc[kept_old, ["id", "content_hash", "published_at"]], new.docs, back.docs], ignore_index=True
    )
    sig = np.concatenate([index.signatures[kept_old], new.signatures, back.signatures])
    n_old = int(kept_old.sum())
    positions = np.arange(len(universe), dtype=np.int64)
    is_seed = np.concatenate([broken[~gone].to_numpy(), np.ones(len(universe) - n_old, dtype=bool)])

    # every untouched old cluster starts as one tree; seeds start alone
    old_labels = pd.Series(np.arange(n_old), index=old.loc[kept_old, "canonical"].to_numpy())
    first_of_label = old_labels.groupby(level=0).transform("min").to_numpy()
    parent = positions.copy()
    parent[:n_old] = np.where(is_seed[:n_old], positions[:n_old], first_of_label)
    forest = _Forest(parent)

    # exact: everything sharing a content_hash with a seed joins it
    hashes = universe["content_hash"]
    touched = hashes.isin(hashes[is_seed])
    codes, _ = pd.factorize(hashes[touched])
    members = positions[touched.to_numpy()]
    first_member = np.full(codes.max() + 1 if len(codes) else 0, len(universe), dtype=np.int64)
    np.minimum.at(first_member, codes, members)
    for a, b in zip(first_member[codes].tolist(), members.tolist(), strict=True):
        if a != b:
            forest.union(a, b)

    # near: one representative per content_hash asks the band table, then the pairs are confirmed
    representative = ~hashes.duplicated().to_numpy()
    has_signature = (sig != EMPTY).any(axis=1)
    answering = representative & has_signature
    asking = positions[is_seed & answering]
    new_bands = band_hashes(sig[n_old:], bands=config.bands, rows=config.rows, seed=config.seed)
    asked = band_hashes(sig[asking], bands=config.bands, rows=config.rows, seed=config.seed).reshape(-1)
    old_answering = answering[:n_old]
    key_position = pd.Series(positions[:n_old][old_answering], index=doc_keys(old.loc[kept_old, "id"][old_answering]))
    new_answering = answering[n_old:]
    rows = pd.concat(
        [
            _band_hits(index.bands, asked, key_position),
            pd.DataFrame(
                {
                    "band_hash": new_bands[new_answering].reshape(-1),
                    "pos": np.repeat(positions[n_old:][new_answering], config.bands),
                }
            ),
        ],
        ignore_index=True,
    )
    left, right, candidates = _confirmed_pairs(sig, asking, rows, config)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        forest.union(a, b)

    # canonical: earliest published, undated last, ties by id
    roots = forest.roots()
    published = utc(universe["published_at"])
    order = (
        pd.DataFrame({"undated": published.isna(), "published": published, "id": universe["id"]})
        .sort_values(["undated", "published", "id"], kind="stable")
        .index.to_numpy()
    )
    canonical_pos = pd.Series(order, index=roots[order]).groupby(level=0).first()
    ids: list[str] = universe["id"].tolist()
    canonical: list[str] = [ids[p] for p in canonical_pos.reindex(roots).to_numpy().tolist()]
    duplicate_of: list[str | None] = [c if c != i else None for c, i in zip(canonical, ids, strict=True)]
    logger.info(
        "dedup: %d of %d articles point at a canonical row (%d near pairs confirmed of %d candidates)",
        sum(d is not None for d in duplicate_of),
        len(universe),
        len(left),
        candidates,
    )

    n_new = len(new.docs)
    previous = {i: (None if pd.isna(d) else d) for i, d in zip(stored["id"], stored["duplicate_of"], strict=True)}
    updates = {
        row_id: dup
        for row_id, dup in zip(
            ids[:n_old] + ids[n_old + n_new :], duplicate_of[:n_old] + duplicate_of[n_old + n_new :], strict=True
        )
        if row_id in previous and previous[row_id] != dup
    }
    gone_keys = doc_keys(old.loc[gone.to_numpy(), "id"])
    new_index = DedupIndex(
        docs=universe.assign(canonical=canonical),
        signatures=sig,
        bands=pd.concat(
            [
                index.bands[~index.bands["key"].isin(gone_keys)] if len(gone_keys) else index.bands,
                band_rows(
                    new_bands[has_signature[n_old:]], doc_keys(universe["id"].iloc[n_old:][has_signature[n_old:]])
                ),
            ],
            ignore_index=True,
        ),
        params=index.params,
    )
    return duplicate_of[n_old : n_old + n_new], updates, new_index
