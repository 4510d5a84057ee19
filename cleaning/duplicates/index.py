"""The dedup index: what the stored dataset looks like to dedup, without its texts.

dataset.py reads and writes it (OUTPUT/index/); dedup.py uses and updates it. See docs/dedup.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

from cleaning.config import DedupConfig
from cleaning.errors import ConfigError

__all__ = ["DedupIndex", "band_rows", "doc_keys", "index_params", "unindexed_ids", "usable_index", "utc"]

logger = logging.getLogger(__name__)


def utc(values: pd.Series) -> pd.Series:
    """Return values as a UTC timestamp series with a fresh 0..n-1 index."""
    return pd.Series(pd.to_datetime(values, utc=True), dtype="datetime64[us, UTC]").reset_index(drop=True)


def doc_keys(ids: Iterable[str]) -> npt.NDArray[np.uint64]:
    """Return a stable 64-bit key per article id (the band table stores keys, not strings)."""
    digests = b"".join(hashlib.blake2b(i.encode("utf-8"), digest_size=8).digest() for i in ids)
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def index_params(config: DedupConfig) -> dict[str, str]:
    """Return everything that shapes a signature, as stored with the index."""
    params = {name: str(value) for name, value in dataclasses.asdict(config).items()}
    # bumped when the shingling or hashing code changes what a signature means
    params["scheme"] = "oph-splitmix64-t2s-v2"
    return params


@dataclasses.dataclass(frozen=True)
class DedupIndex:
    """What the stored dataset looks like to dedup: one row per article, and its band hashes.

    docs:       id, content_hash, published_at (UTC), canonical (id of the cluster's canonical row)
    signatures: one uint32 MinHash row per docs row, same order
    bands:      band, band_hash (uint64, band number mixed in), key (doc_keys of the id)
    params:     index_params of the config that built it
    """

    docs: pd.DataFrame
    signatures: npt.NDArray[np.uint32]
    bands: pd.DataFrame
    params: dict[str, str]

    @classmethod
    def empty(cls, config: DedupConfig) -> DedupIndex:
        """Return an index that holds nothing, built for config."""
        return cls(
            docs=pd.DataFrame(
                {
                    "id": pd.Series([], dtype=object),
                    "content_hash": pd.Series([], dtype=object),
                    "published_at": pd.Series([], dtype="datetime64[us, UTC]"),
                    "canonical": pd.Series([], dtype=object),
                }
            ),
            signatures=np.zeros((0, config.num_perm), dtype=np.uint32),
            bands=band_rows(np.zeros((0, config.bands), dtype=np.uint64), np.zeros(0, dtype=np.uint64)),
            params=index_params(config),
        )


def usable_index(index: DedupIndex | None, config: DedupConfig) -> DedupIndex:
    """Return index when it was built with config; otherwise an empty one (the caller rebuilds it)."""
    if config.bands * config.rows > config.num_perm or min(config.bands, config.rows, config.num_perm) < 1:
        raise ConfigError(
            f"dedup: bands ({config.bands}) x rows ({config.rows}) must be at most num_perm ({config.num_perm}),"
            " all positive"
        )
    if min(config.word_ngram, config.char_ngram) < 1 or not 0 < config.threshold <= 1:
        raise ConfigError("dedup: word_ngram and char_ngram must be positive and threshold in (0, 1]")
    if index is None:
        return DedupIndex.empty(config)
    wanted = index_params(config)
    if index.params != wanted:
        changed = sorted(k for k in wanted.keys() | index.params.keys() if wanted.get(k) != index.params.get(k))
        logger.warning(
            "dedup index was built with other parameters (%s); rebuilding it from the stored articles",
            ", ".join(f"{k}: {index.params.get(k)} -> {wanted.get(k)}" for k in changed),
        )
        return DedupIndex.empty(config)
    return index


def unindexed_ids(index: DedupIndex, stored: pd.DataFrame) -> set[str]:
    """Return the ids of stored articles the index lacks or holds another version of.

    After a run killed between the dataset write and the index write, these are that run's
    articles; after a parameter change (an empty index), all of them.
    """
    indexed = index.docs.set_index("id")
    mine = stored.set_index("id")
    shared = mine.index.intersection(indexed.index)
    ours, theirs = utc(indexed.loc[shared, "published_at"]), utc(mine.loc[shared, "published_at"])
    same_date = (ours.to_numpy() == theirs.to_numpy()) | (ours.isna().to_numpy() & theirs.isna().to_numpy())
    same = same_date & (indexed.loc[shared, "content_hash"].to_numpy() == mine.loc[shared, "content_hash"].to_numpy())
    return set(mine.index.difference(indexed.index)) | set(shared[~same])


def band_rows(bands: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64]) -> pd.DataFrame:
    """Return the band table rows (band, band_hash, key) of signatures' band hashes."""
    count, width = bands.shape
    return pd.DataFrame(
        {
            "band": np.tile(np.arange(width, dtype=np.uint8), count),
            "band_hash": bands.reshape(-1),
            "key": np.repeat(keys, width),
        }
    )
