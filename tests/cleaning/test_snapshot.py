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


def test_buffered_writes_give_the_bytes_of_unbuffered_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one part far larger than the write buffer, so the buffer fills and flushes mid-file
    monkeypatch.setattr(snapshot, "_WRITE_BUFFER", 4096)
    big = pa.table({"id": [f"id-{k}" for k in range(5000)], "text": [f"word {k} " * 20 for k in range(5000)]})
    txn = Store(tmp_path / "out").begin()
    parquet = txn.write("articles", "2026-01", big)
    streamed = txn.write_stream("articles", "2026-02", [big.slice(0, 2000), big.slice(2000)], big.schema)
    run = txn.write_run("index/links", "id", big)
    assert streamed is not None

    pq.write_table(big, tmp_path / "plain.parquet", compression="zstd", row_group_size=snapshot._ROW_GROUP)
    with pq.ParquetWriter(tmp_path / "stream.parquet", big.schema, compression="zstd") as writer:
        for part in (big.slice(0, 2000), big.slice(2000)):
            writer.write_table(part, row_group_size=snapshot._ROW_GROUP)
    with pa.OSFile(str(tmp_path / "plain.arrow"), "wb") as sink, pa.ipc.new_file(sink, big.schema) as ipc:
        ipc.write_table(big.combine_chunks())
    assert txn.path(parquet).read_bytes() == (tmp_path / "plain.parquet").read_bytes()
    assert txn.path(streamed).read_bytes() == (tmp_path / "stream.parquet").read_bytes()
    assert txn.path(run).read_bytes() == (tmp_path / "plain.arrow").read_bytes()


def test_a_commit_moves_its_own_files_and_links_the_kept_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "out")
    with store.lock():
        first = store.begin()
        kept = first.write("articles", "2026-01", _parts(1)[0][1])
        old = first.commit()
    adopted_file = store.new_staging() / "shard.parquet"  # as a shard worker stages a file
    pq.write_table(_parts(2)[1][1], adopted_file)
    with store.lock():
        second = store.begin()
        added = second.write("articles", "2026-02", _parts(2)[1][1])
        adopted = second.adopt("articles", "2026-03", adopted_file, 51, {})
        staged = second.path(added)
        linked: list[str] = []
        real_link = snapshot.os.link

        def link(source: Path, target: Path) -> None:
            linked.append(Path(target).parent.name)
            real_link(source, target)

        monkeypatch.setattr(snapshot.os, "link", link)
        new = second.commit()

    assert sorted(linked) == ["2026-01", "2026-03"]  # the new file was moved: no link, and no unlink after
    assert not staged.exists()
    assert adopted_file.exists()  # not this transaction's: linked, left to its owner
    assert new.path(adopted).read_bytes() == adopted_file.read_bytes()
    assert old.path(kept).exists()  # the snapshot before still holds its files
    assert new.path(kept).stat().st_ino == old.path(kept).stat().st_ino  # a link to the kept file, not a copy
    assert pq.read_table(new.path(added)).equals(_parts(2)[1][1])


def test_a_commit_syncs_its_new_files_and_manifest_before_the_rename_that_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "out")
    with store.lock():
        first = store.begin()
        kept = first.write("articles", "2026-01", _parts(1)[0][1])
        before = first.commit()
    adopted_file = store.new_staging() / "shard.parquet"
    pq.write_table(_parts(2)[1][1], adopted_file)
    events: list[tuple[str, int]] = []
    real_sync, real_rename = snapshot._fsync_file, snapshot.os.rename

    def sync(path: Path) -> None:
        events.append(("sync", Path(path).stat().st_ino))
        real_sync(path)

    def rename(source: Path, target: Path) -> None:
        if Path(source).name.startswith(".tmp-"):
            events.append(("rename", 0))
        real_rename(source, target)

    monkeypatch.setattr(snapshot, "_fsync_file", sync)
    monkeypatch.setattr(snapshot.os, "rename", rename)
    with store.lock():
        txn = store.begin()
        added = txn.write_parts("articles", _parts(3)[1:])
        adopted = txn.adopt("articles", "2026-04", adopted_file, 51, {})
        after = txn.commit()

    synced = [inode for what, inode in events[: events.index(("rename", 0))] if what == "sync"]
    new = [after.path(e) for e in [*added, adopted]]
    assert sorted(synced) == sorted(
        [p.stat().st_ino for p in new] + [(after.path(kept).parent.parent.parent / "manifest.json").stat().st_ino]
    )
    assert after.path(kept).stat().st_ino == before.path(kept).stat().st_ino  # kept files are not synced again


def test_a_commit_whose_sync_fails_leaves_the_snapshot_before_and_no_half_built_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "out")
    with store.lock():
        first = store.begin()
        first.write_parts("articles", _parts(2))
        before = first.commit()

    def fail(path: Path) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr(snapshot, "_fsync_file", fail)
    with store.lock():
        txn = store.begin()
        txn.write_parts("articles", _parts(3))
        with pytest.raises(OSError, match="I/O error"):
            txn.commit()
        txn.discard()
    after = store.current()
    assert after is not None
    assert after.manifest == before.manifest
    assert all(after.path(e).exists() for e in after.manifest.files)
    assert not [p for p in store.snapshots.iterdir() if p.name.startswith(".tmp-")]
