"""Snapshots of an output root: immutable Parquet files, a manifest, one atomic switch per commit.

An output root looks like this (docs/storage.md has the why and the numbers):

    OUT/articles -> .tidings/current/articles        plain folders of Parquet files: any reader
    OUT/rejects  -> .tidings/current/rejects         (pandas, Polars, DuckDB) sees exactly the live rows
    OUT/.tidings/current -> snapshots/00000042        swapped by one rename: the commit
    OUT/.tidings/snapshots/00000042/manifest.json     every file of the snapshot, its rows and statistics,
                                                      the progress of unfinished runs, the dedup parameters
    OUT/.tidings/snapshots/00000042/articles/2025-05/part-<uuid>.parquet    (partition: month published)
    OUT/.tidings/snapshots/00000042/rejects/all/part-<uuid>.parquet
    OUT/.tidings/snapshots/00000042/index/docs/all/part-<uuid>.parquet      (the dedup index)
    OUT/.tidings/snapshots/00000042/index/bands/all/part-<uuid>.arrow       (band table, sorted runs)
    OUT/.tidings/snapshots/00000042/index/links/id/part-<uuid>.arrow        (id, content, origin -> cluster)

Files are never modified: a commit writes new files into a staging folder, builds the next
snapshot folder out of hard links (to the files it keeps and to the new ones), writes its
manifest, renames the folder into place and swaps the `current` link. Articles, rejects and
the dedup index of a commit therefore become visible together, and a process killed at any
moment leaves the previous snapshot whole. A reader that resolved `current` keeps a
consistent set of files; the last KEEP_SNAPSHOTS snapshots stay on disk for such readers.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cleaning.workers import process_alive

__all__ = ["FileEntry", "Manifest", "Snapshot", "Store", "Transaction", "read_file", "read_groups"]

logger = logging.getLogger(__name__)

STATE = ".tidings"
FORMAT = "tidings-snapshots-1"
KEEP_SNAPSHOTS = 4  # the current one and three before it, for readers still reading them
PUBLIC_TABLES = ("articles", "rejects")  # linked from the output root
_ROW_GROUP = 32_768
# index docs rows carry a 512-byte signature: small groups let a commit read only the clusters it touches, and
# a commit holds one group while it reads (one commit into 93,000 stored rows: +50-69 MiB with 8,192, +20-38 with 1,024)
_ROW_GROUPS = {"index/docs": 1_024}
# threads that encode a commit's new files (Transaction.write_parts); each thread's allocator arena
# stays with the process, so a few, not one per file
_WRITERS = min(4, os.cpu_count() or 1)
# bytes a new file's writer gathers before each write to disk: Parquet and Arrow IPC writers make a write
# (and a seek to tell the position) per page, header and footer part, ~35 system calls for a small
# articles file; through the buffer, a file of up to this size is one write (the bytes are the same)
_WRITE_BUFFER = 1 << 20


def _new_file(path: Path) -> pa.NativeFile:
    """A file opened for writing through a _WRITE_BUFFER buffer (close it, or use it in a with block)."""
    return pa.output_stream(str(path), compression=None, buffer_size=_WRITE_BUFFER)


def read_groups(
    path: Path, columns: Sequence[str] | None = None, groups: Iterable[int] | None = None
) -> Iterator[pa.Table]:
    """The row groups of a Parquet file (or those named), one at a time, decoded on the calling thread.

    Commits read and rewrite files this way: memory holds one group. Arrow's threaded decoding
    gives every decoding thread its own allocator arena; a commit into 40,000 stored rows
    peaked 70 MiB above its start with it, 28 MiB without (benchmarks/streaming.py, docs/storage.md).
    """
    handle = pq.ParquetFile(path, pre_buffer=False)
    wanted = range(handle.metadata.num_row_groups) if groups is None else groups
    for group in wanted:
        yield handle.read_row_group(group, columns=None if columns is None else list(columns), use_threads=False)


def read_file(path: Path, columns: Sequence[str] | None = None, schema: pa.Schema | None = None) -> pa.Table:
    """Read a whole Parquet file (or some columns), decoded on the calling thread (see read_groups)."""
    return pq.read_table(path, columns=None if columns is None else list(columns), schema=schema, use_threads=False)


@dataclasses.dataclass(frozen=True)
class FileEntry:
    """One Parquet file of a snapshot: where it is (relative to the snapshot folder), its rows, its statistics."""

    path: str
    rows: int
    stats: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def table(self) -> str:
        return self.path.rsplit("/", 2)[0]

    @property
    def partition(self) -> str:
        return self.path.rsplit("/", 2)[1]


@dataclasses.dataclass
class Manifest:
    """What a snapshot holds."""

    version: int = 0
    files: list[FileEntry] = dataclasses.field(default_factory=list)
    runs: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # unfinished runs: where they stopped
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "version": self.version,
                "files": [{"path": f.path, "rows": f.rows, "stats": f.stats} for f in self.files],
                "runs": self.runs,
                "meta": self.meta,
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} manifest: {data.get('format')!r}")
        return cls(
            version=data["version"],
            files=[FileEntry(**f) for f in data["files"]],
            runs=data["runs"],
            meta=data["meta"],
        )


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """A committed, immutable state of an output root."""

    folder: Path
    manifest: Manifest

    def entries(self, table: str, partitions: Iterable[str] | None = None) -> list[FileEntry]:
        wanted = None if partitions is None else set(partitions)
        return [f for f in self.manifest.files if f.table == table and (wanted is None or f.partition in wanted)]

    def path(self, entry: FileEntry) -> Path:
        return self.folder / entry.path

    def paths(self, table: str, partitions: Iterable[str] | None = None) -> list[Path]:
        return [self.path(e) for e in self.entries(table, partitions)]

    def rows(self, table: str) -> int:
        return sum(e.rows for e in self.entries(table))


class Store:
    """The snapshots of one output root."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.state = self.root / STATE
        self.snapshots = self.state / "snapshots"
        self.staging = self.state / "staging"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the output's commit lock: commits of several processes serialize on it."""
        self.state.mkdir(parents=True, exist_ok=True)
        with open(self.state / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def current(self) -> Snapshot | None:
        """Return the committed snapshot, or None when the root holds none yet."""
        link = self.state / "current"
        if link.is_symlink():
            folder = (self.state / os.readlink(link)).resolve()
        elif link.is_dir():  # the output was copied without its links (shutil.copytree, cp -r)
            folder = link
        else:
            return None
        return Snapshot(folder, Manifest.from_json((folder / "manifest.json").read_text(encoding="utf-8")))

    def begin(self, base: Snapshot | None = None) -> Transaction:
        """Start a transaction on base (by default the current snapshot); commit it under lock()."""
        return Transaction(self, self.current() if base is None else base)

    def new_staging(self) -> Path:
        folder = self.staging / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        folder.mkdir(parents=True)
        return folder

    def clean_up(self) -> None:
        """Remove what killed processes left (call it holding the lock) and snapshots past KEEP_SNAPSHOTS."""
        if self.staging.exists():
            for folder in self.staging.iterdir():
                pid = folder.name.split("-", 1)[0]
                if pid.isdigit() and not process_alive(int(pid)):
                    shutil.rmtree(folder, ignore_errors=True)
        if not self.snapshots.exists():
            return
        current = self.current()
        version = current.manifest.version if current else 0
        for folder in self.snapshots.iterdir():
            stale = folder.name.startswith(".tmp-") and not process_alive(_pid_of(folder.name))
            old = folder.name.isdigit() and (int(folder.name) <= version - KEEP_SNAPSHOTS or int(folder.name) > version)
            if stale or old:
                shutil.rmtree(folder, ignore_errors=True)


def _pid_of(name: str) -> int:
    part = name.removeprefix(".tmp-").split("-", 1)[0]
    return int(part) if part.isdigit() else -1


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Transaction:
    """Files added and removed on top of a base snapshot, made visible at once by commit()."""

    def __init__(self, store: Store, base: Snapshot | None) -> None:
        self.store = store
        self.base = base
        self.manifest = Manifest(
            version=base.manifest.version if base else 0,
            files=list(base.manifest.files) if base else [],
            runs=dict(base.manifest.runs) if base else {},
            meta=dict(base.manifest.meta) if base else {},
        )
        self._staging: Path | None = None
        self._new: dict[str, Path] = {}

    @property
    def staging(self) -> Path:
        if self._staging is None:
            self._staging = self.store.new_staging()
        return self._staging

    def entries(self, table: str, partitions: Iterable[str] | None = None) -> list[FileEntry]:
        """The files of table as this transaction sees them (base plus added, less removed)."""
        wanted = None if partitions is None else set(partitions)
        return [f for f in self.manifest.files if f.table == table and (wanted is None or f.partition in wanted)]

    def path(self, entry: FileEntry) -> Path:
        if entry.path in self._new:
            return self._new[entry.path]
        assert self.base is not None
        return self.base.path(entry)

    def write(self, table: str, partition: str, data: pa.Table, stats: Mapping[str, Any] | None = None) -> FileEntry:
        """Write data as a new file of table/partition; return its entry (visible after commit)."""
        return self.write_parts(table, [(partition, data, stats)])[0]

    def write_parts(
        self, table: str, parts: Sequence[tuple[str, pa.Table, Mapping[str, Any] | None]]
    ) -> list[FileEntry]:
        """Write each (partition, data, stats) as write() does, the files encoded on threads; entries in order.

        pyarrow encodes and compresses with the GIL released: a commit's one file per month
        partition (21 small files for cwced-zh's 35 pages, 1.2-2 ms each) is written on both
        cores instead of one. The files and the manifest are those of write() called in order.
        """
        staging = self.staging  # made here, not by the threads at once
        names = [f"part-{uuid.uuid4().hex}.parquet" for _ in parts]
        row_group = _ROW_GROUPS.get(table, _ROW_GROUP)

        def encode(name: str, data: pa.Table) -> None:
            with _new_file(staging / name) as sink:
                pq.write_table(data, sink, compression="zstd", row_group_size=row_group)

        threads = min(_WRITERS, len(parts))
        if threads > 1:
            with cf.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="write") as pool:
                list(pool.map(encode, names, [data for _, data, _ in parts]))
        else:
            for name, (_, data, _) in zip(names, parts, strict=True):
                encode(name, data)
        entries = []
        for name, (partition, data, stats) in zip(names, parts, strict=True):
            entry = FileEntry(f"{table}/{partition}/{name}", data.num_rows, dict(stats or {}))
            self._new[entry.path] = staging / name
            self.manifest.files.append(entry)
            entries.append(entry)
        return entries

    def write_run(self, table: str, partition: str, data: pa.Table, *, name: str | None = None) -> FileEntry:
        """Write data as a new uncompressed Arrow IPC file of one record batch, for readers to memory-map.

        name (without suffix) names the file after another one (a rejects file's key run).
        """
        name = f"{name or f'part-{uuid.uuid4().hex}'}.arrow"
        staged = self.staging / name
        with _new_file(staged) as sink, pa.ipc.new_file(sink, data.schema) as writer:
            writer.write_table(data.combine_chunks())
        entry = FileEntry(f"{table}/{partition}/{name}", data.num_rows)
        self._new[entry.path] = staged
        self.manifest.files.append(entry)
        return entry

    def write_run_stream(self, table: str, partition: str, parts: Iterable[pa.Table]) -> FileEntry:
        """Write parts, each sorted and after the one before, as one Arrow IPC run of a record batch each."""
        name = f"part-{uuid.uuid4().hex}.arrow"
        staged = self.staging / name
        rows = 0
        with _new_file(staged) as sink:
            writer: pa.ipc.RecordBatchFileWriter | None = None
            for part in parts:
                if writer is None:
                    writer = pa.ipc.new_file(sink, part.schema)
                writer.write_table(part.combine_chunks(), max_chunksize=max(1, part.num_rows))
                rows += part.num_rows
            assert writer is not None, "write_run_stream needs one part at least"
            writer.close()
        entry = FileEntry(f"{table}/{partition}/{name}", rows)
        self._new[entry.path] = staged
        self.manifest.files.append(entry)
        return entry

    def write_stream(
        self,
        table: str,
        partition: str,
        parts: Iterable[pa.Table],
        schema: pa.Schema,
        stats: Callable[[pa.Table], Mapping[str, Any]] | None = None,
        stats_columns: Sequence[str] = (),
    ) -> FileEntry | None:
        """Write parts one after another as one new file (memory: one part); None when they hold no rows.

        stats, if given, is computed from the file's stats_columns read back (small columns only).
        """
        name = f"part-{uuid.uuid4().hex}.parquet"
        staged = self.staging / name
        rows = 0
        with _new_file(staged) as sink, pq.ParquetWriter(sink, schema, compression="zstd") as writer:
            for part in parts:
                if part.num_rows:
                    writer.write_table(part.cast(schema), row_group_size=_ROW_GROUPS.get(table, _ROW_GROUP))
                    rows += part.num_rows
        if not rows:
            staged.unlink()
            return None
        summary = stats(read_file(staged, stats_columns)) if stats else {}
        entry = FileEntry(f"{table}/{partition}/{name}", rows, dict(summary))
        self._new[entry.path] = staged
        self.manifest.files.append(entry)
        return entry

    def adopt(self, table: str, partition: str, staged: Path, rows: int, stats: Mapping[str, Any]) -> FileEntry:
        """Add a Parquet file already written (by a shard worker) under the output's staging folder."""
        entry = FileEntry(f"{table}/{partition}/part-{uuid.uuid4().hex}.parquet", rows, dict(stats))
        self._new[entry.path] = staged
        self.manifest.files.append(entry)
        return entry

    def replace_all(self, other: Snapshot) -> None:
        """Make this transaction hold exactly other's files and dedup parameters (a snapshot of another root).

        other must be on the same file system (commit hard-links its files). Unfinished runs are
        forgotten: they resumed against a dataset that is gone.
        """
        for entry in list(self.manifest.files):
            self.remove(entry)
        for entry in other.manifest.files:
            self.manifest.files.append(entry)
            self._new[entry.path] = other.path(entry)
        self.manifest.runs = {}
        self.manifest.meta = dict(other.manifest.meta)

    def remove(self, entry: FileEntry) -> None:
        self.manifest.files.remove(entry)
        self._new.pop(entry.path, None)

    def _assemble(self, tmp: Path) -> list[Path]:
        """Lay out the next snapshot in tmp, its files (moved or linked) and manifest; return the commit's new files."""
        made: set[Path] = set()
        for table in (*PUBLIC_TABLES, "index/docs", "index/bands", "index/links"):
            (tmp / table).mkdir(parents=True, exist_ok=True)
        new = []
        for entry in self.manifest.files:
            target = tmp / entry.path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            source = self.path(entry)
            if self._staging is not None and source.parent == self._staging:
                # this transaction's own file: moved, not linked, so that removing the staging
                # folder afterwards has no file to unlink (the folder is this transaction's alone)
                os.rename(source, target)
            else:
                os.link(source, target)
            if entry.path in self._new:
                new.append(target)  # the same file as the one staged (or adopted)
        (tmp / "manifest.json").write_text(self.manifest.to_json(), encoding="utf-8")
        return new

    def commit(self) -> Snapshot:
        """Make every change visible at once; call it holding the store's lock."""
        store = self.store
        store.snapshots.mkdir(parents=True, exist_ok=True)
        current = store.current()
        if (current.manifest.version if current else 0) != (self.base.manifest.version if self.base else 0):
            raise RuntimeError("the output changed since this transaction began; begin it under the lock")
        self.manifest.version += 1
        tmp = store.snapshots / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        tmp.mkdir()
        try:
            synced = self._assemble(tmp)
            # the new files and the manifest on disk before the rename names them, in one round of
            # parallel syncs (the journal commits concurrent syncs at once): the manifest waited
            # for the files' round before, one more round trip to the disk per commit
            with cf.ThreadPoolExecutor(max_workers=16) as pool:
                list(pool.map(_fsync_file, [*synced, tmp / "manifest.json"]))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        final = store.snapshots / f"{self.manifest.version:08d}"
        if final.exists():  # a commit killed between its rename and its switch left it: it was never current
            shutil.rmtree(final)
        os.rename(tmp, final)
        _fsync_dir(store.snapshots)
        link = store.state / f".current-{os.getpid()}"
        link.unlink(missing_ok=True)
        os.symlink(f"snapshots/{final.name}", link)
        current_path = store.state / "current"
        if current_path.is_dir() and not current_path.is_symlink():  # a copied output: its links became folders
            shutil.rmtree(current_path)
        os.replace(link, current_path)  # the commit
        _fsync_dir(store.state)
        for table in PUBLIC_TABLES:
            public = store.root / table
            if public.is_dir() and not public.is_symlink() and not (public / "part-0.parquet").exists():
                shutil.rmtree(public)  # a copy of a snapshot's folder (see above), now stale
            if not public.is_symlink() and not public.exists():
                os.symlink(f"{STATE}/current/{table}", public)
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
        store.clean_up()
        snapshot = store.current()
        assert snapshot is not None
        return snapshot

    def discard(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
