"""The stored dedup index: a commit reads the clusters its entries link with, not every band candidate's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cleaning.config import CleaningConfig
from cleaning.duplicates.dedup import Entries, mark_entries
from cleaning.shards import _dedup
from cleaning.storage.index_store import gather
from cleaning.storage.snapshot import Store

CONFIG = CleaningConfig().dedup
WIDTH = CONFIG.num_perm


def _entries(ids: list[str], sigs: np.ndarray) -> tuple[Entries, pd.DataFrame]:
    docs = pd.DataFrame(
        {
            "id": pd.Series(ids, dtype=object),
            "content_hash": pd.Series([f"hash-{i}" for i in ids], dtype=object),
            "published_at": pd.Series(
                pd.to_datetime([f"2025-01-{1 + n:02d}" for n in range(len(ids))], utc=True), dtype="datetime64[us, UTC]"
            ),
        }
    )
    meta = pd.DataFrame(
        {
            "id": ids,
            "month": "2025-01",
            "fetched_at": pd.to_datetime(["2025-02-01"] * len(ids), utc=True),
            "origin": [f"in.jsonl:{i}" for i in ids],
        }
    )
    return Entries(docs=docs, signatures=sigs.astype(np.uint32)), meta


def _signature(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 2**32 - 1, WIDTH, dtype=np.uint64).astype(np.uint32)


def test_gather_reads_only_the_clusters_of_similar_stored_rows(tmp_path: Path) -> None:
    a, b, c, d = (_signature(s) for s in range(4))
    b[:] = a
    b[100:] = _signature(10)[100:]  # b copies 100 of a's 128 values: one cluster with a
    d[:] = c
    d[110:] = _signature(11)[110:]  # d copies c: another cluster
    store = Store(tmp_path / "out")
    entries, meta = _entries(["aaaa", "bbbb", "cccc", "dddd"], np.stack([a, b, c, d]))
    with store.lock():
        txn = store.begin()
        duplicate_of, _, _ = _dedup(txn, entries, meta, CONFIG)
        txn.commit()
    assert duplicate_of == [None, "aaaa", None, "cccc"]

    # new: x shares only the first band (6 values) with a, so it is a candidate but not similar;
    # y copies 120 of c's values. Only c's cluster is needed.
    x, y = _signature(20), c.copy()
    x[: CONFIG.rows] = a[: CONFIG.rows]
    y[120:] = _signature(21)[120:]
    new, _ = _entries(["xxxx", "yyyy"], np.stack([x, y]))
    txn = store.begin()
    found = gather(txn, new, CONFIG)
    assert sorted(found.index.docs["id"]) == ["cccc", "dddd"]

    # and marking against that part gives what the whole index gives
    whole = gather(txn, Entries(new.docs, new.signatures), CONFIG, also=["aaaa"])
    assert {"aaaa", "bbbb", "cccc", "dddd"} == set(whole.index.docs["id"])
    part = mark_entries(new, index=found.index, stored=found.stored, config=CONFIG)
    full = mark_entries(new, index=whole.index, stored=whole.stored, config=CONFIG)
    assert part[:2] == full[:2]
    # y, published before c, becomes its cluster's canonical; x stays alone
    assert part[:2] == ([None, None], {"cccc": "yyyy", "dddd": "yyyy"})
