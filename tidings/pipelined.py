"""Pipelined cleaning for `tidings crawl`: the WARC files the crawl has closed are cleaned while it goes on.

Scrapy takes about one core; the other cleans. The archive (crawler/archive.py) rotates its
files every TIDINGS_WARC_MAX_RESPONSES responses and signals each closed file
(`warc_closed`); a closed file is complete, so a worker process cleans it into staged files
(cleaning.pipeline.clean_file), one file at a time while the crawl runs. Nothing is
committed during the crawl. When the crawl ends, finish() cleans what is left (the last
file, files still queued, files of a killed earlier crawl): this process reads them and
all config.workers processes clean their batches (with one worker, this process cleans
them itself, beside the worker finishing its file); then finish() commits every file's
staged rows in the order of the files, a group of about config.slice_pages pages at a
time, each group one atomic snapshot whose files are unmarked (crawler/recovery.py) once
it is in. A crawl killed before that leaves the dataset as it was and every file marked:
the next crawl cleans them.

The rows equal those of one `tidings clean` of the same files in one process: a file's
pages depend on other archives only through late hints (hints written into a later file
when a URL turned up again after its page was fetched). The archive signals such a file
(`warc_amended`); its early result is dropped and it is cleaned again at the end, with the
late hints of the files from the first one cleaned at the end on (the crawler writes hints
only after their response, so earlier files hold none for it). Duplicates, newest copy
per URL and ids are decided at commit, over all shards, as a run's slices are.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import queue
import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from cleaning.config import CleaningConfig
from cleaning.inputs.readers import late_hints_of, merge_late_hints
from cleaning.pipeline import clean_file, cleaning_pool
from cleaning.shards import ShardResult, commit
from cleaning.storage.snapshot import Store
from cleaning.summary import RunSummary, run_key
from crawler.failures import warc_amended, warc_closed
from crawler.recovery import unmark_cleaned

__all__ = ["PipelinedCleaner"]

logger = logging.getLogger(__name__)

_NICE = 10  # the niceness of the worker that cleans during the crawl


class PipelinedCleaner:
    """Clean each WARC file a crawl closes in a worker process while the crawl runs; finish() commits them all."""

    def __init__(self, output: Path, config: CleaningConfig) -> None:
        self.output = Path(output)
        self.config = config
        self.store = Store(self.output)
        self.pool = cleaning_pool(max(1, config.workers))
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self._early: dict[Path, cf.Future[ShardResult]] = {}  # files submitted during the crawl
        self._amended: set[Path] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self._wake = threading.Event()
        self._feeder = threading.Thread(target=self._feed, name="pipelined-cleaning", daemon=True)
        self._feeder.start()

    def connect(self, crawler: Crawler) -> None:
        """Listen to the archive of crawler for closed and amended WARC files."""
        crawler.signals.connect(self.closed, signal=warc_closed)
        crawler.signals.connect(self.amended, signal=warc_amended)

    def closed(self, path: Path) -> None:
        """A WARC file is complete: queue it (called in the crawl's thread, returns at once)."""
        self._queue.put(Path(path))

    def amended(self, path: Path) -> None:
        """Late hints for responses in this closed file went to a later file: clean it again at the end."""
        with self._lock:
            self._amended.add(Path(path))

    def _feed(self) -> None:
        """Hand the queued files to the pool one at a time: the crawl keeps its core."""
        while (path := self._queue.get()) is not None:
            with self._lock:
                if self._stopped:
                    return
                self._wake.clear()
                # niced: the crawl keeps its core when the machine has none to spare
                future = self.pool.submit(clean_file, path, self._staging(), self.config, nice=_NICE)
                self._early[path] = future
            future.add_done_callback(lambda _: self._wake.set())
            self._wake.wait()  # until the file is cleaned, or finish() stops the feeding

    def _staging(self) -> Path:
        self.store.staging.mkdir(parents=True, exist_ok=True)
        return self.store.new_staging()

    def _stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._wake.set()
        self._queue.put(None)
        self._feeder.join()

    def close(self) -> None:
        """Stop feeding and end the worker processes (what finish() has not committed stays marked)."""
        self._stop()
        self.pool.shutdown(cancel_futures=True)

    def finish(self, files: Sequence[Path], markers: Path) -> RunSummary:
        """Clean what the crawl did not, commit all of files (in this order), unmark them; return the summary.

        summary.seconds counts from the end of the crawl.
        """
        started = time.perf_counter()
        self._stop()
        files = [Path(f) for f in files]
        summary = RunSummary(output=self.output)
        try:
            wanted = set(files)
            with self._lock:
                early = {p: f for p, f in self._early.items() if p in wanted and p not in self._amended}
                dropped = [f for p, f in self._early.items() if p not in early]
            results: dict[Path, cf.Future[ShardResult]] = dict(early)
            rest = [f for f in files if f not in early]
            logger.info(
                "cleaning: %d WARC file(s) cleaned during the crawl, %d now (%d amended by late hints)",
                len(early),
                len(rest),
                len(self._amended & set(rest)),  # early holds no amended file
            )
            late = self._late_hints(files, rest) if rest else {}
            for future in dropped:  # cleaned before late hints came: drop what it staged
                if future.exception() is None:
                    shutil.rmtree(future.result().folder, ignore_errors=True)
            # this process reads and the pool's workers clean the batches; with one worker (which may be
            # finishing a file of the crawl) this process cleans: the core Scrapy had is free now
            pool = self.pool if self.config.workers > 1 else None
            for path in rest:
                done: cf.Future[ShardResult] = cf.Future()
                done.set_result(clean_file(path, self._staging(), self.config, late, pool=pool))
                results[path] = done
            for future in results.values():
                future.exception()
            self._commit(files, results, summary, markers)
        finally:
            self.pool.shutdown(cancel_futures=True)
        summary.seconds = time.perf_counter() - started
        for reason, count in sorted(summary.rejects.items()):
            logger.info("cleaning/rejected/%s: %d", reason, count)
        return summary

    def _late_hints(self, files: Sequence[Path], rest: Sequence[Path]) -> dict[str, list[dict[str, Any]]]:
        """Late hints for the files in rest: those of the files from the first of rest on, in name order."""
        ordered = sorted(files, key=lambda p: p.name)
        first = min(ordered.index(p) for p in rest)
        # read here: with one worker, it may still be cleaning a file of the crawl
        limit = self.config.max_input_bytes
        return merge_late_hints([late_hints_of(path, max_bytes=limit) for path in ordered[first:]])

    def _commit(
        self, files: Sequence[Path], results: dict[Path, cf.Future[ShardResult]], summary: RunSummary, markers: Path
    ) -> None:
        """Commit the shards in the order of files, about config.slice_pages pages per snapshot; unmark each group."""
        key = "crawl-" + run_key(files, self.config, None)
        group: list[tuple[Path, ShardResult]] = []
        for number, path in enumerate(files):
            group.append((path, results[path].result()))
            last = number == len(files) - 1
            if last or sum(shard.pages for _, shard in group) >= self.config.slice_pages:
                shards = [shard for _, shard in group]
                stats = commit(self.output, shards, self.config, run=(key, None if last else {"files": number + 1}))
                summary.add(sum(s.pages for s in shards), sum(s.articles for s in shards), stats)
                unmark_cleaned(markers, [p for p, _ in group])  # committed: from now on a kill loses none of these
                group = []
