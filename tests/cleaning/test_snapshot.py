"""Transaction.write_parts: a commit's new files encoded on threads are those written one by one."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cleaning.storage import snapshot
from cleaning.storage.snapshot import Store


def _parts(count: int) -> list[tuple[str, pa.Table, dict[str, object]]]:
    return [
        (
            f"2026-{n + 1:02d}",
            pa.table(
                {"id": [f"id-{n}-{k}" for k in range(50 + n)], "text": ["word " * (k + n) for k in range(50 + n)]}
            ),
            {"rows": 50 + n},
        )
        for n in range(count)
    ]


def test_threaded_writes_give_the_files_and_entries_of_writes_one_by_one(tmp_path: Path) -> None:
    parts = _parts(7)
    one_by_one = Store(tmp_path / "serial").begin()
    serial = [one_by_one.write("articles", partition, data, stats) for partition, data, stats in parts]
    threaded = Store(tmp_path / "threaded").begin()
    entries = threaded.write_parts("articles", parts)

    assert [(e.table, e.partition, e.rows, e.stats) for e in entries] == [
        (e.table, e.partition, e.rows, e.stats) for e in serial
    ]
    assert threaded.manifest.files == entries  # in the order given
    for ours, theirs in zip(entries, serial, strict=True):
        assert threaded.path(ours).read_bytes() == one_by_one.path(theirs).read_bytes()
        assert pq.read_table(threaded.path(ours)).equals(parts[entries.index(ours)][1])


def test_a_write_that_fails_on_a_thread_leaves_the_committed_snapshot_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "out")
    with store.lock():
        first = store.begin()
        first.write_parts("articles", _parts(3))
        before = first.commit()
    written = []
    real_write = pq.write_table

    def fail_on_the_third(data: pa.Table, where: object, **options: object) -> None:
        written.append(where)
        if len(written) == 3:
            raise OSError("disk full")
        real_write(data, where, **options)

    monkeypatch.setattr(snapshot.pq, "write_table", fail_on_the_third)
    with store.lock():
        txn = store.begin()
        with pytest.raises(OSError, match="disk full"):
            txn.write_parts("articles", _parts(5))
        txn.discard()
    after = store.current()
    assert after is not None
    assert after.manifest == before.manifest
    assert all(after.path(e).exists() for e in after.manifest.files)
