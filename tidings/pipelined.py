"""Pipelined cleaning for `tidings crawl`: the parts of the WARC files the crawl writes are cleaned while it goes on.

Scrapy takes about one core; the other cleans. Every TIDINGS_WARC_PART_RESPONSES responses,
and when a file closes, the archive (crawler/archive.py) signals the part of the file it
wrote since the last one (`warc_written`): whole records, flushed. A worker process at
niceness 10 (the crawl keeps its core) cleans one part at a time into a rows file in the
staging folder of its file (cleaning.pipeline.clean_part, which reads the bytes itself), and
once every part of a closed file is cleaned, stages the file's shard (finish_parts), the
one cleaning the whole file gives. Nothing is committed during the crawl.

When the crawl ends, finish() cleans what is left with config.workers processes (fresh ones,
not niced; with one worker, this process and the niced worker take turns, _Shared): first
the files to clean whole (files of a killed earlier crawl, files a part of which only the
whole file reads right), then the pages of parts cleaned during the crawl that late hints
came for, then the parts not cleaned yet, in order; it stages the shards of the files whose
parts are all in, then commits every file's shard in the order of the files, a group of
about config.slice_pages pages at a time, each group one atomic snapshot whose files are
unmarked (crawler/recovery.py) once it is in. A crawl killed before that leaves the dataset
as it was and every file marked: the next crawl cleans them.

The rows equal those of one `tidings clean` of the same files in one process: a part's pages
depend on the rest of the archive only through hints written after the part, when a URL
turned up again after its page was fetched (late hints). The archive says which part they
refer to and which part holds them (`warc_amended`); the part is read again with the hints
of those parts (in archive order, as read_warc merges them), and only the pages they refer
to are cleaned again, their rows replacing the early ones. A file cleaned whole reads its
late hints from the files from it on (the crawler writes hints only after their response,
so earlier files hold none for it). Duplicates, newest copy per URL and ids are decided at
commit, over all shards, as a run's slices are.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import dataclasses
import logging
import queue
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from scrapy.crawler import Crawler

from cleaning.config import CleaningConfig
from cleaning.pipeline import Part, PartResult, clean_file, clean_part, cleaning_pool, finish_parts
from cleaning.shards import ShardResult, commit
from cleaning.storage.snapshot import Store
from cleaning.summary import RunSummary, run_key
from crawler.failures import warc_amended, warc_closed, warc_written
from crawler.recovery import OPEN_SUFFIX, unmark_cleaned

__all__ = ["PipelinedCleaner"]

logger = logging.getLogger(__name__)

_NICE = 10  # the niceness of the worker that cleans during the crawl
T = TypeVar("T")


@dataclasses.dataclass
class _Archive:
    """One WARC file of the crawl: its parts as the archive sent them, and what is cleaned of them."""

    path: Path
    folder: Path  # staging: the parts' rows files, then the file's shard
    parts: list[tuple[int, int]] = dataclasses.field(default_factory=list)  # (start, end), in file order
    cleaned: dict[int, cf.Future[PartResult]] = dataclasses.field(default_factory=dict)  # by start
    shard: cf.Future[ShardResult] | None = None
    closed: bool = False
    whole: bool = False  # to clean whole at the end
    # part start -> the later parts (file, start) that hold late hints for its responses
    late: dict[int, set[tuple[Path, int]]] = dataclasses.field(default_factory=dict)

    @property
    def names(self) -> list[Path]:
        return [self.path.with_name(self.path.name + OPEN_SUFFIX), self.path]

    def complete(self) -> bool:
        """Whether the parts are the whole closed file, from its first byte to its last."""
        if not self.closed or not self.parts or self.parts[0][0] != 0:
            return False
        if any(end != start for (_, end), (start, _) in zip(self.parts, self.parts[1:], strict=False)):
            return False
        try:
            return self.parts[-1][1] == self.path.stat().st_size
        except OSError:
            return False


class _InThisProcess(cf.Executor):
    """An executor that runs each call at once, in this process (cleaning with one worker after the crawl)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> cf.Future[T]:
        future: cf.Future[T] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to whoever waits, as a pool would
            future.set_exception(exc)
        return future


_Task = tuple[cf.Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class _Shared(cf.Executor):
    """Tasks taken in the order submitted, one at a time, by a pool of one worker and by this process (help()).

    With one worker after the crawl: the crawl's process and the worker that cleaned during the
    crawl share what is left, instead of that worker idling while this process cleans alone.
    """

    def __init__(self, pool: cf.Executor) -> None:
        self._pool = pool
        self._tasks: collections.deque[_Task] = collections.deque()
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._feed, name="pipelined-cleaning-shared", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> cf.Future[T]:
        future: cf.Future[T] = cf.Future()
        with self._ready:
            self._tasks.append((future, fn, args, kwargs))
            self._ready.notify()
        return future

    def _take(self, wait: bool) -> _Task | None:
        with self._ready:
            while wait and not self._tasks and not self._closed:
                self._ready.wait()
            return self._tasks.popleft() if self._tasks else None

    def _feed(self) -> None:
        while (task := self._take(wait=True)) is not None:
            future, fn, args, kwargs = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(self._pool.submit(fn, *args, **kwargs).result())
                except BaseException as exc:  # handed to whoever waits (a broken pool too)
                    future.set_exception(exc)

    def help(self) -> None:
        """Run the tasks not taken yet in this process, until none is left (the worker finishes its own)."""
        while (task := self._take(wait=False)) is not None:
            future, fn, args, kwargs = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except Exception as exc:  # handed to whoever waits, as a pool would
                    future.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._ready:
            self._closed = True
            if cancel_futures:
                for future, *_ in self._tasks:
                    future.cancel()
                self._tasks.clear()
            self._ready.notify_all()
        if wait:
            self._thread.join()


def _dropped(archive: _Archive) -> None:
    """Wait for what was started on archive's parts, then remove what it staged (the file is cleaned whole)."""
    futures: list[cf.Future[Any]] = [*archive.cleaned.values(), *([archive.shard] if archive.shard else [])]
    for future in futures:
        future.exception()
    shutil.rmtree(archive.folder, ignore_errors=True)


class PipelinedCleaner:
    """Clean the parts of the WARC files a crawl writes in a worker process while it runs; finish() commits them."""

    def __init__(self, output: Path, config: CleaningConfig) -> None:
        self.output = Path(output)
        self.config = config
        self.store = Store(self.output)
        self.early = cleaning_pool(1)  # starts the workers' server now: it warms up while Scrapy starts
        self._queue: queue.Queue[tuple[Path, int] | None] = queue.Queue()  # (file, part start or -1: finish)
        self._archives: dict[Path, _Archive] = {}
        self._dropped: list[_Archive] = []  # cleaned whole at the end: what was staged of their parts goes
        self._lock = threading.Lock()
        self._stopped = False
        self._wake = threading.Event()
        self._feeder = threading.Thread(target=self._feed, name="pipelined-cleaning", daemon=True)
        self._feeder.start()

    def connect(self, crawler: Crawler) -> None:
        """Listen to the archive of crawler for written, amended and closed WARC files."""
        crawler.signals.connect(self.written, signal=warc_written)
        crawler.signals.connect(self.amended, signal=warc_amended)
        crawler.signals.connect(self.closed, signal=warc_closed)

    def _archive(self, path: Path) -> _Archive:
        archive = self._archives.get(path)
        if archive is None:
            self.store.staging.mkdir(parents=True, exist_ok=True)
            archive = self._archives[path] = _Archive(path, self.store.new_staging())
        return archive

    def written(self, path: Path, start: int, end: int) -> None:
        """Bytes start to end of path are written (called in the crawl's thread, returns at once)."""
        with self._lock:
            self._archive(Path(path)).parts.append((start, end))
        self._queue.put((Path(path), start))

    def amended(self, path: Path, start: int = 0, hints_path: Path | None = None, hints_start: int = 0) -> None:
        """Late hints for responses in this part went into a later part: its pages they refer to are cleaned again.

        With no hints_path: the file is cleaned whole at the end.
        """
        with self._lock:
            archive = self._archive(Path(path))
            if hints_path is None:
                archive.whole = True
            else:
                archive.late.setdefault(start, set()).add((Path(hints_path), hints_start))

    def closed(self, path: Path) -> None:
        """A WARC file is complete: stage its shard once its parts are cleaned."""
        with self._lock:
            self._archive(Path(path)).closed = True
        self._queue.put((Path(path), -1))

    def _feed(self) -> None:
        """Hand the written parts to the niced worker one at a time: the crawl keeps its core.

        Submitting happens outside the lock: the first submit forks the worker, which waits for
        the workers' server to finish its warm-up (about 2 s), and the crawl's thread takes the
        lock for every part it writes (written()): under the lock, the crawl stood still that long.
        """
        while (item := self._queue.get()) is not None:
            path, start = item
            with self._lock:
                if self._stopped:
                    return
                archive = self._archives[path]
                task = self._next(archive, start)
            if task is None:
                continue
            function, args = task
            future = self.early.submit(function, *args, nice=_NICE)
            if start >= 0:
                archive.cleaned[start] = future  # cleaned and shard: this thread's alone until finish() joined it
            else:
                archive.shard = future
            with self._lock:
                if self._stopped:
                    return
                self._wake.clear()
            future.add_done_callback(lambda _: self._wake.set())
            self._wake.wait()  # until it is done, or finish() stops the feeding

    def _next(self, archive: _Archive, start: int) -> tuple[Callable[..., Any], tuple[Any, ...]] | None:
        """What to submit for the part of archive at start (-1: stage its shard), unless there is no point."""
        if archive.whole or start in archive.late:
            return None  # cleaned at the end
        config = self.config
        if start >= 0:
            end = dict(archive.parts)[start]
            return clean_part, (archive.names, start, end, archive.folder, config)
        parts = [archive.cleaned.get(s) for s, _ in archive.parts]
        if archive.late or not archive.complete() or not all(f and f.done() and f.exception() is None for f in parts):
            return None
        results = [f.result() for f in parts if f is not None]
        if any(r.rows is None for r in results) or not sum(r.items for r in results):
            return None  # cleaned whole at the end
        return finish_parts, (results, archive.folder, config)

    def _stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._wake.set()
        self._queue.put(None)
        self._feeder.join()

    def close(self) -> None:
        """Stop feeding and end the worker processes (what finish() has not committed stays marked)."""
        self._stop()
        self.early.shutdown(cancel_futures=True)

    def finish(self, files: Sequence[Path], markers: Path) -> RunSummary:
        """Clean what the crawl did not, commit all of files (in this order), unmark them; return the summary.

        summary.seconds counts from the end of the crawl.
        """
        started = time.perf_counter()
        self._stop()
        files = [Path(f) for f in files]
        summary = RunSummary(output=self.output)
        workers = self.config.workers
        # fresh workers, not niced; with one worker, this process and the worker that cleaned during the crawl
        pool: cf.Executor = cleaning_pool(workers) if workers > 1 else _Shared(self.early)
        try:
            shards = self._clean_rest(files, pool)
            self._commit(files, shards, summary, markers)
            for archive in self._dropped:
                _dropped(archive)
        finally:
            pool.shutdown(cancel_futures=True)
            self.early.shutdown(cancel_futures=True)
        summary.seconds = time.perf_counter() - started
        for reason, count in sorted(summary.rejects.items()):
            logger.info("cleaning/rejected/%s: %d", reason, count)
        return summary

    def _clean_rest(self, files: list[Path], pool: cf.Executor) -> dict[Path, cf.Future[ShardResult]]:
        """Clean the files to clean whole first, then the parts not cleaned yet; return each file's staged shard.

        A part cleaned during the crawl that got late hints has only the pages they refer to cleaned again.
        """
        ordered = sorted(files, key=lambda p: p.name)
        archives = {p: a for p in files if (a := self._archives.get(p)) is not None and a.complete() and not a.whole}
        late = {
            (p, s): found
            for p, a in archives.items()
            for s in a.late
            if (found := self._late_parts(a, s, ordered)) is not None
        }
        whole = [p for p in files if p not in archives or any((p, s) not in late for s in archives[p].late)]
        for path in whole:
            archives.pop(path, None)
        shards: dict[Path, cf.Future[ShardResult]] = {}
        early = sum(len(a.cleaned) for a in archives.values())

        def clean_whole(paths: Sequence[Path]) -> None:
            self._dropped += [self._archives[p] for p in paths if p in self._archives]
            for path in paths:
                # its late hints are in the files from it on (hints come after their response): the worker reads them
                late_from = ordered[ordered.index(path) :]
                shards[path] = pool.submit(clean_file, path, self._staging(), self.config, late_from=late_from)

        def submit(archive: _Archive, start: int, end: int, patch: PartResult | None = None) -> None:
            found = late.get((archive.path, start), [])
            archive.cleaned[start] = pool.submit(
                clean_part, archive.names, start, end, archive.folder, self.config, found, patch=patch
            )

        if whole:
            clean_whole(whole)  # first: a whole file is the longest task, the parts fill in around it
        patches = [(a, s, e) for a in archives.values() for s, e in a.parts if s in a.late and s in a.cleaned]
        running = [(a, s, e) for a, s, e in patches if not a.cleaned[s].done()]
        waiting = {(a.path, s) for a, s, _ in running}
        for archive, start, end in patches:  # next, so that the first files can be staged
            if (archive.path, start) not in waiting:
                submit(archive, start, end, archive.cleaned[start].result())
        for archive in archives.values():
            for start, end in archive.parts:
                if start not in archive.cleaned:
                    submit(archive, start, end)
        helping = pool.help if isinstance(pool, _Shared) else lambda: None
        helping()  # this process takes its share, then waits for what the niced worker was still cleaning
        for archive, start, end in running:
            submit(archive, start, end, archive.cleaned[start].result())
        helping()
        for path, archive in archives.items():
            results = [archive.cleaned[start].result() for start, _ in archive.parts]
            if any(r.rows is None for r in results) or not sum(r.items for r in results):
                whole.append(path)
                clean_whole([path])
            elif not archive.late and archive.shard is not None and archive.shard.exception() is None:
                shards[path] = archive.shard  # staged by the niced worker during the crawl
            else:  # this process stages it, beside the workers cleaning the next parts
                if archive.shard is not None:
                    archive.shard.exception()  # staged before late hints came: written again
                shards[path] = _InThisProcess().submit(finish_parts, results, archive.folder, self.config)
        logger.info(
            "cleaning: %d WARC file(s): %d part(s) cleaned during the crawl, %d after it, %d again for late hints; "
            "%d file(s) cleaned whole",
            len(files),
            early,
            sum(len(a.parts) for p, a in archives.items() if p not in whole) - early,
            len(patches),
            len(whole),
        )
        return shards

    def _late_parts(self, archive: _Archive, start: int, ordered: list[Path]) -> list[Part] | None:
        """Where the late hints for the part of archive at start are, in archive order (None: not all known)."""
        found = []
        for path, hints_start in archive.late[start]:
            holder = self._archives.get(path)
            ends = dict(holder.parts) if holder is not None else {}
            if holder is None or hints_start not in ends or path not in ordered:
                return None
            found.append((ordered.index(path), hints_start, holder.names, ends[hints_start]))
        return [(names, hints_start, end) for _, hints_start, names, end in sorted(found, key=lambda f: f[:2])]

    def _staging(self) -> Path:
        self.store.staging.mkdir(parents=True, exist_ok=True)
        return self.store.new_staging()

    def _commit(
        self, files: Sequence[Path], shards: dict[Path, cf.Future[ShardResult]], summary: RunSummary, markers: Path
    ) -> None:
        """Commit the shards in the order of files, about config.slice_pages pages per snapshot; unmark each group."""
        key = "crawl-" + run_key(files, self.config, None)
        group: list[tuple[Path, ShardResult]] = []
        for number, path in enumerate(files):
            group.append((path, shards[path].result()))
            last = number == len(files) - 1
            pages = sum(shard.pages for _, shard in group)
            if last or (pages >= self.config.slice_pages and not self._joins(files, shards, number, pages)):
                staged = [shard for _, shard in group]
                stats = commit(self.output, staged, self.config, run=(key, None if last else {"files": number + 1}))
                summary.add(sum(s.pages for s in staged), sum(s.articles for s in staged), stats)
                unmark_cleaned(markers, [p for p, _ in group])  # committed: from now on a kill loses none of these
                group = []

    @staticmethod
    def _joins(files: Sequence[Path], shards: dict[Path, cf.Future[ShardResult]], number: int, pages: int) -> bool:
        """Whether the last file joins the group that ends at files[number]: it is next, and small (a commit saved)."""
        return number == len(files) - 2 and shards[files[-1]].result().pages < pages // 4
