"""The cleaning recipe: the ordered steps, and run() that takes inputs to the written dataset.

Per-page steps run on batches of pages, in worker processes when workers > 1. A run
streams its inputs in slices of config.slice_pages: each slice is cleaned into staged
files (clean_shard), then committed (cleaning/shards.commit: newest copy per URL and
duplicates against the stored dataset, over ids and signatures, in one atomic snapshot).
Duplicates are connected components, so the output is the same for any slice size,
worker count or input order.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import dataclasses
import functools
import itertools
import logging
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from cleaning import __version__
from cleaning.config import CleaningConfig
from cleaning.duplicates.dedup import with_fingerprints
from cleaning.errors import SchemaError
from cleaning.extraction.boilerplate import remove_boilerplate
from cleaning.extraction.extract import extract_articles
from cleaning.extraction.rules import load_rules
from cleaning.ids import assign_ids
from cleaning.inputs.decoding import decode_pages
from cleaning.inputs.files import display_path
from cleaning.inputs.progress import InputProgress
from cleaning.inputs.readers import (
    PAGE_COLUMNS,
    InputShard,
    RawPage,
    ReadReject,
    absolute,
    inflate,
    inflated_size,
    iter_inputs,
    late_hints_of,
    merge_late_hints,
    read_shard,
)
from cleaning.inputs.warc import PartUnreadable, hints_in_part, read_warc_part
from cleaning.language.detect import detect_language
from cleaning.metadata.normalize import normalize_metadata
from cleaning.quality import drop_short_texts, flag_quality
from cleaning.schema import ARTICLE_COLUMNS, REJECT_COLUMNS, RejectReason, Stage
from cleaning.shards import ShardResult, commit, finish_shard
from cleaning.step import StepResult, printable_detail, reject
from cleaning.storage.memory import use_system_pool
from cleaning.storage.snapshot import Store
from cleaning.summary import RunSummary, run_key
from cleaning.workers import STEPS_PRELOAD, start_forkserver, worker_pool

__all__ = [
    "PartResult",
    "RunSummary",
    "build_steps",
    "clean_file",
    "clean_items",
    "clean_pages",
    "clean_part",
    "clean_shard",
    "cleaning_pool",
    "finish_parts",
    "run",
    "run_key",
    "start_workers",
]

logger = logging.getLogger(__name__)

Step = Callable[[pd.DataFrame], StepResult]

# computed by the corpus steps, after the per-page steps
_CORPUS_COLUMNS = ("content_hash", "duplicate_of")


def build_steps(config: CleaningConfig) -> list[tuple[str, Step]]:
    """Return the per-page steps in order, each bound to its settings from config."""
    rules = load_rules(config.boilerplate_rules)  # cached: read once per process
    return [
        ("decode_pages", decode_pages),
        (
            "extract_articles",
            functools.partial(
                extract_articles,
                timeout=config.extraction_timeout,
                include_comments=config.include_comments,
                rules=rules,
            ),
        ),
        ("remove_boilerplate", functools.partial(remove_boilerplate, rules=rules)),
        (
            "normalize_metadata",
            functools.partial(
                normalize_metadata,
                default_timezone=config.default_timezone,
                tracking_parameters=config.tracking_parameters,
            ),
        ),
        ("assign_ids", assign_ids),
        (
            "detect_language",
            functools.partial(
                detect_language,
                default_chinese_script=config.default_chinese_script,
                prefix_chars=config.language_prefix_chars,
                seed=config.language_seed,
                detector=config.language_detector,
            ),
        ),
        ("flag_quality", functools.partial(flag_quality, short_text_chars=config.short_text_chars)),
        ("drop_short_texts", functools.partial(drop_short_texts, min_text_chars=config.min_text_chars)),
    ]


def _pages_frame(pages: Sequence[RawPage]) -> pd.DataFrame:
    return pd.DataFrame(
        {column: [getattr(page, column) for page in pages] for column in PAGE_COLUMNS},
        dtype=object,
    )


def _reject_rows(rejected: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": rejected["origin"],
            "url": rejected["url"],
            "source": rejected["source"],
            "stage": rejected["reject_stage"],
            "reason": rejected["reject_reason"],
            "detail": [printable_detail(d) for d in rejected["reject_detail"]],
            "fetched_at": pd.to_datetime(rejected["fetched_at"], utc=True),
            "tidings_version": __version__,
        }
    )


def _article_rows(articles: pd.DataFrame) -> pd.DataFrame:
    keep = [c for c in ARTICLE_COLUMNS if c not in _CORPUS_COLUMNS and c != "tidings_version"]
    return articles[keep].assign(tidings_version=__version__)


class _StepFailed(Exception):
    """A step raised: carries the step's name to the reject detail (the cause is chained)."""

    def __init__(self, step: str) -> None:
        super().__init__(step)
        self.step = step


def _no_articles() -> pd.DataFrame:
    return pd.DataFrame(columns=[c for c in ARTICLE_COLUMNS if c not in _CORPUS_COLUMNS])


def clean_pages(pages: pd.DataFrame, config: CleaningConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the per-page steps on a frame of pages; return (articles, rejects) rows."""
    # Column labels as plain objects, not pandas' Arrow strings: every column a step adds
    # would otherwise rebuild an Arrow index and its hash table (most of a step's fixed cost)
    kept = pages.set_axis(pd.Index(pages.columns, dtype=object), axis=1)
    rejected = []
    for name, step in build_steps(config):
        if kept.empty:  # every page was rejected: later steps need not handle empty frames
            break
        try:
            result = step(kept)
        except Exception as exc:
            raise _StepFailed(name) from exc
        if len(result.kept) + len(result.rejected) != len(kept):
            raise SchemaError(
                f"step {name!r} lost rows: {len(kept)} in, {len(result.kept)} kept + "
                f"{len(result.rejected)} rejected; a step must keep or reject every row"
            )
        kept = result.kept
        if kept.columns.dtype != object:  # a step's concat or constructor made Arrow labels again
            kept = kept.set_axis(pd.Index(kept.columns, dtype=object), axis=1)
        if len(result.rejected):
            rejected.append(result.rejected)
    rejects = (
        pd.concat([_reject_rows(r) for r in rejected], ignore_index=True)
        if rejected
        else pd.DataFrame(columns=REJECT_COLUMNS)
    )
    if kept.empty:
        return _no_articles(), rejects
    articles = _article_rows(kept).reset_index(drop=True)
    return articles.set_axis(pd.Index(list(articles.columns)), axis=1), rejects  # the usual str labels


def _failure_detail(error: Exception) -> str:
    cause = error.__cause__ if isinstance(error, _StepFailed) and error.__cause__ else error
    where = f"in step {error.step}: " if isinstance(error, _StepFailed) else ""
    frames = "".join(traceback.format_tb(cause.__traceback__, limit=-2)).rstrip()
    return f"{where}{type(cause).__name__}: {cause}\n{frames}"


def _clean_batch(pages: list[RawPage], config: CleaningConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean a batch; if our code fails on it, clean page by page so one bad page costs one page.

    Pages a reader left gzipped are decompressed first; one that cannot be is the reject the reader would have made.
    """
    if any(page.gzipped for page in pages):
        inflated = [inflate(page, config.max_input_bytes) for page in pages]
        unusable = [item for item in inflated if isinstance(item, ReadReject)]
        articles, rejects = _clean_batch([item for item in inflated if isinstance(item, RawPage)], config)
        if not unusable:
            return articles, rejects
        found = [r for r in (rejects, _read_reject_rows(unusable)) if len(r)]
        return articles, pd.concat(found, ignore_index=True)
    if not pages:
        return _no_articles(), pd.DataFrame(columns=REJECT_COLUMNS)
    try:
        return clean_pages(_pages_frame(pages), config)
    except Exception as error:
        if len(pages) == 1:
            logger.exception("internal error on %s", pages[0].origin)
            frame = reject(_pages_frame(pages), Stage.EXTRACT, RejectReason.INTERNAL_ERROR, _failure_detail(error))
            return _no_articles(), _reject_rows(frame)
    parts = [_clean_batch([page], config) for page in pages]
    return (pd.concat([p[0] for p in parts], ignore_index=True), pd.concat([p[1] for p in parts], ignore_index=True))


def _fingerprinted_batch(pages: list[RawPage], config: CleaningConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """_clean_batch, with each article's fingerprints (with_fingerprints): a run's workers compute them, not it."""
    articles, rejects = _clean_batch(pages, config)
    return (with_fingerprints(articles, config.dedup) if len(articles) else articles), rejects


def _batched(items: Iterable[RawPage], size: int) -> Iterator[list[RawPage]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


_TAIL_MIN = 4  # pages: the fewest in a batch of a stream's tail (a batch costs about 11 ms besides its pages)


def _tail_batches(pages: Sequence[RawPage], size: int, workers: int) -> list[list[RawPage]]:
    """The batches of the last pages of a stream: largest pages first, in batches that shrink toward the end.

    Workers take batches as they free up, which balances them everywhere but at the end: there
    one worker would still run the last big batch, or a big page (a page's cost grows with its
    bytes), while the others idle. So each tail batch takes the largest pages left until it holds
    1/(2 x workers) of the bytes left (at least _TAIL_MIN pages, at most size). Which batch a page
    is in changes no row, only the time.
    """
    # what each page will weigh (a gzipped one: decompressed); stable sort: ties keep input order
    order = collections.deque(sorted(((inflated_size(page), page) for page in pages), key=lambda item: -item[0]))
    left = sum(weight for weight, _ in order)
    batches = []
    while order:
        target = left / (2 * workers)
        held, first = order.popleft()
        batch = [first]
        while order and len(batch) < size and (len(batch) < _TAIL_MIN or held < target):
            weight, page = order.popleft()
            batch.append(page)
            held += weight
        batches.append(batch)
        left -= held
    return batches


_PRELOAD = STEPS_PRELOAD  # what the worker processes' server imports (the steps, warmed) before it forks them


class _Cleaner:
    """Runs the per-page steps on a stream of pages, in worker processes when workers > 1, in input order."""

    def __init__(self, config: CleaningConfig, bar: tqdm, pool: cf.ProcessPoolExecutor | None = None) -> None:
        self.config = config
        self.bar = bar
        self.pool = pool  # a pool given is the caller's to shut down (close() leaves it)
        self.owned = pool is None
        self.starting: threading.Thread | None = None
        self.closing: threading.Thread | None = None
        if pool is None and config.workers > 1:
            # workers fork from a server that has imported the steps once, instead of each importing them
            self.pool = worker_pool(config.workers, preload=_PRELOAD)
            self.start()

    def start(self) -> None:
        """Start the pool's workers on a thread, at once: this process goes on reading while they fork.

        A pool starts a worker per task it cannot give to an idle one, and waits for each to
        fork (about 30 ms each, through the server): on this process's thread, that delayed
        the first batch by as much.
        """
        if self.pool is None or self.starting is not None:
            return
        pool, workers = self.pool, max(1, self.config.workers)

        def start() -> None:
            with contextlib.suppress(RuntimeError):  # the pool was shut down first (a run that failed early)
                for _ in range(workers):
                    pool.submit(os.getpid)

        self.starting = threading.Thread(target=start, name="pool-start", daemon=True)
        self.starting.start()

    def release(self) -> None:
        """Shut an owned pool down in the background: its workers exit while this process commits the last slice."""
        if self.pool is not None and self.owned and self.closing is None:
            self.closing = threading.Thread(target=self.pool.shutdown, name="pool-shutdown", daemon=True)
            self.closing.start()

    def close(self) -> None:
        if self.starting is not None:
            self.starting.join()
        if self.pool is not None and self.owned:
            if self.closing is not None:
                self.closing.join()
            self.pool.shutdown(cancel_futures=True)

    def clean(self, pages: Iterable[RawPage]) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        """Yield (articles, rejects) per batch, in input order but for the tail (_tail_batches: largest first)."""
        if self.pool is None:
            for batch in _batched(pages, self.config.batch_size):
                yield _fingerprinted_batch(batch, self.config)
                self.bar.update(len(batch))
            return
        pool, size, workers = self.pool, self.config.batch_size, max(1, self.config.workers)
        self.start()  # a pool given: its workers start now, all of them
        pending: collections.deque[tuple[cf.Future[tuple[pd.DataFrame, pd.DataFrame]], int]] = collections.deque()
        # read, not sent: the tail once the stream ends. It grows to workers x size pages as pages
        # are sent, so that the first batch goes as soon as it is read
        ahead: collections.deque[RawPage] = collections.deque()
        sent = 0
        for page in pages:
            ahead.append(page)
            if len(ahead) < size + min(sent, workers * size):
                continue
            batch = [ahead.popleft() for _ in range(size)]
            sent += size
            pending.append((pool.submit(_fingerprinted_batch, batch, self.config), size))
            if len(pending) >= 2 * workers:  # bounded: memory stays flat on big inputs
                future, count = pending.popleft()  # in input order: a slice holds the same pages in every run
                yield future.result()
                self.bar.update(count)
        for batch in _tail_batches(ahead, size, workers):  # at most (workers + 1) x size pages, all sent now
            pending.append((pool.submit(_fingerprinted_batch, batch, self.config), len(batch)))
        while pending:
            future, count = pending.popleft()
            yield future.result()
            self.bar.update(count)


def _read_reject_rows(read_rejects: Sequence[ReadReject]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": [r.origin for r in read_rejects],
            "url": [r.url for r in read_rejects],
            "source": [r.source for r in read_rejects],
            "stage": [str(r.stage) for r in read_rejects],
            "reason": [str(r.reason) for r in read_rejects],
            "detail": [printable_detail(r.detail) for r in read_rejects],
            "fetched_at": pd.to_datetime(pd.Series([r.fetched_at for r in read_rejects], dtype=object), utc=True),
            "tidings_version": __version__,
        }
    )


def clean_items(items: Iterable[RawPage | ReadReject], config: CleaningConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean input items in this process and write nothing: (articles, rejects) rows, duplicates not marked.

    What `tidings extract` prints; a run (run, clean_shard) also dedups and stores.
    """
    read_rejects: list[ReadReject] = []
    pages: list[RawPage] = []
    for item in items:
        (read_rejects if isinstance(item, ReadReject) else pages).append(item)  # type: ignore[arg-type]
    articles, rejects = _clean_batch(pages, config) if pages else (_no_articles(), pd.DataFrame(columns=REJECT_COLUMNS))
    parts = [r for r in (rejects, _read_reject_rows(read_rejects)) if len(r)]
    return articles, pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=REJECT_COLUMNS)


def clean_shard(
    items: Iterable[RawPage | ReadReject], folder: Path, config: CleaningConfig, *, bar: tqdm | None = None
) -> ShardResult:
    """Clean one shard of input items into staged files in folder (what a Dask worker calls; no stored state).

    Commit the result with cleaning.shards.commit(output, [results...], config).
    """
    cleaner = _Cleaner(dataclasses.replace(config, workers=1), bar or tqdm(disable=True))
    return _clean_slice(cleaner, items, folder, config)


def _clean_slice(
    cleaner: _Cleaner,
    items: Iterable[RawPage | ReadReject],
    folder: Path,
    config: CleaningConfig,
    *,
    in_memory: bool = False,
) -> ShardResult:
    read_rejects: list[ReadReject] = []
    count = 0

    def pages() -> Iterator[RawPage]:
        nonlocal count
        for item in items:
            count += 1
            if isinstance(item, ReadReject):
                read_rejects.append(item)
            else:
                yield item

    article_parts, reject_parts = [], []
    for articles, rejects in cleaner.clean(pages()):
        if len(articles):
            article_parts.append(articles)
        if len(rejects):
            reject_parts.append(rejects)
    if count < config.slice_pages:  # the input's last slice: no more pages for the workers
        cleaner.release()
    reject_parts.append(_read_reject_rows(read_rejects))
    articles = pd.concat(article_parts or [_no_articles()], ignore_index=True)
    rejects = pd.concat(
        [r for r in reject_parts if len(r)] or [pd.DataFrame(columns=REJECT_COLUMNS)], ignore_index=True
    )
    return finish_shard(articles, rejects, folder, config, pages=count, in_memory=in_memory)


def clean_file(
    path: Path,
    folder: Path,
    config: CleaningConfig,
    late: dict[str, list[dict[str, Any]]] | None = None,
    *,
    pool: cf.ProcessPoolExecutor | None = None,
    nice: int = 0,
    late_from: Sequence[Path] = (),
) -> ShardResult:
    """Clean one input file (a WARC) into staged files in folder; late: hints from other archives.

    In this process (what a worker of `tidings crawl` runs on a WARC file to clean whole,
    tidings/pipelined.py), or with pool (cleaning_pool), the batches of its pages cleaned by
    the pool's workers in input order while this process reads the file.
    late_from: archives (in name order) to read the late hints from first, instead of late.
    nice > 0 lowers this process's CPU priority to at least that niceness first (for good).
    """
    if nice > 0:
        os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0)))
    if late_from:
        late = merge_late_hints([late_hints_of(p, max_bytes=config.max_input_bytes) for p in late_from])
    items = read_shard(InputShard(0, absolute(path)), late=late, max_bytes=config.max_input_bytes)
    if pool is None:
        return clean_shard(items, folder, config)
    return _clean_slice(_Cleaner(config, tqdm(disable=True), pool), items, folder, config)


@dataclasses.dataclass(frozen=True)
class PartResult:
    """One part of an archive cleaned by clean_part: its rows pickled in rows (None: read the whole file instead)."""

    rows: Path | None
    items: int  # pages and rejects read


def _part_bytes(names: Sequence[Path], start: int, end: int) -> bytes:
    """Bytes start to end of the first of names that exists (a file still written, then its final name)."""
    for name in names:
        try:
            with open(name, "rb") as handle:
                handle.seek(start)
                return handle.read(end - start)
        except FileNotFoundError:
            continue
    raise FileNotFoundError(names[-1])


Part = tuple[Sequence[Path], int, int]  # where a part of an archive is (names, the last the final one), start, end


def _late_in(parts: Sequence[Part], limit: int) -> dict[str, list[dict[str, Any]]]:
    """The hints records in parts (given in archive order), by the record they refer to, in that order."""
    late: dict[str, list[dict[str, Any]]] = {}
    for names, start, end in parts:
        for record_id, found in hints_in_part(_part_bytes(names, start, end), max_bytes=limit).items():
            late.setdefault(record_id, []).extend(found)
    return late


def _frames(rows: Path) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    with open(rows, "rb") as handle:
        articles, rejects = pickle.load(handle)  # written by clean_part of this run
    return articles, rejects


def clean_part(
    names: Sequence[Path],
    start: int,
    end: int,
    folder: Path,
    config: CleaningConfig,
    late_parts: Sequence[Part] = (),
    *,
    patch: PartResult | None = None,
    nice: int = 0,
) -> PartResult:
    """Clean bytes start to end of an archive being written (read_warc_part) into a rows file in folder.

    names: where the archive is, the last its final name (the origins'). finish_parts turns the
    parts of one archive into its staged shard, the one clean_file stages for the whole file.
    late_parts: the later parts that hold hints for responses of this one (late hints), in
    archive order. patch: this part as cleaned before those hints came; then only its pages
    that late_parts hold hints for are cleaned again, and their rows replace theirs in patch.
    A part that only the whole file reads right (PartUnreadable, or gone) gives rows=None.
    """
    if nice > 0:
        os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0)))
    path = absolute(names[-1])
    if patch is not None and patch.rows is None:
        return patch  # read with the whole file
    try:
        late = _late_in(late_parts, config.max_input_bytes)
        items = read_warc_part(
            path,
            _part_bytes(names, start, end),
            start,
            default_source=display_path(path.resolve().parent.name),  # as read_warc's caller names it
            late=late,
            max_bytes=config.max_input_bytes,
            only=None if patch is None else set(late),
        )
    except (PartUnreadable, OSError) as exc:
        logger.debug("part %d-%d of %s: read with the whole file: %s", start, end, path, exc)
        return PartResult(None, 0)
    pages = [item for item in items if isinstance(item, RawPage)]
    cleaned = [_clean_batch(batch, config) for batch in _batched(pages, config.batch_size)]
    read_rejects = [item for item in items if isinstance(item, ReadReject)]
    articles = [a for a, _ in cleaned if len(a)]
    rejects = [r for _, r in cleaned if len(r)] + ([_read_reject_rows(read_rejects)] if read_rejects else [])
    count = len(items)
    if patch is not None and patch.rows is not None:  # the pages read again replace theirs
        again = {item.origin for item in items}
        old_articles, old_rejects = _frames(patch.rows)
        kept = [
            [f for f in (g[~g["origin"].isin(again)] for g in old) if len(f)] for old in (old_articles, old_rejects)
        ]
        articles, rejects, count = kept[0] + articles, kept[1] + rejects, patch.items
    folder.mkdir(parents=True, exist_ok=True)
    rows = folder / f"part-{start:015d}.pickle"
    with open(rows, "wb") as handle:
        pickle.dump((articles, rejects), handle, protocol=pickle.HIGHEST_PROTOCOL)
    return PartResult(rows, count)


def finish_parts(parts: Sequence[PartResult], folder: Path, config: CleaningConfig, *, nice: int = 0) -> ShardResult:
    """Stage the parts of one archive, in file order, as clean_file stages the whole file."""
    if nice > 0:
        os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0)))
    article_parts: list[pd.DataFrame] = []
    reject_parts: list[pd.DataFrame] = []
    for part in parts:
        assert part.rows is not None
        found = _frames(part.rows)
        article_parts += found[0]
        reject_parts += found[1]
    articles = pd.concat(article_parts or [_no_articles()], ignore_index=True)
    rejects = pd.concat(reject_parts or [pd.DataFrame(columns=REJECT_COLUMNS)], ignore_index=True)
    return finish_shard(articles, rejects, folder, config, pages=sum(part.items for part in parts))


def cleaning_pool(workers: int) -> cf.ProcessPoolExecutor:
    """Return a pool of workers processes forked from the server that imported and warmed the steps."""
    return worker_pool(workers, preload=_PRELOAD)


def start_workers(config: CleaningConfig) -> None:
    """Start the server that config's worker processes fork from, without waiting for it.

    The server imports and warms the steps (about 3 s of CPU: cleaning/warmup.py) while this
    process goes on: run() calls it first thing, a crawl before it crawls, so that the warm-up
    takes a core the crawl leaves idle. No-op with one worker (the steps run in this process)
    and once a server runs.
    """
    if config.workers > 1:
        start_forkserver(_PRELOAD)


def run(
    inputs: Sequence[Path],
    output: Path,
    config: CleaningConfig,
    *,
    source: str | None = None,
    progress: bool = True,
) -> RunSummary:
    """Clean every input under inputs into the dataset at output; return what was done.

    The run commits a slice of config.slice_pages inputs at a time; killed, the same
    command resumes after the last committed slice.
    """
    started = time.perf_counter()
    start_workers(config)  # the workers' server imports the steps while this process counts and reads inputs
    use_system_pool()  # a run's memory stays flat over many commits (cleaning/storage/memory.py)
    output = Path(output)
    summary = RunSummary(output=output)
    finished = False
    tracker: InputProgress | None = None
    with tqdm(disable=True) as bar:  # the tracker shows progress by input read
        cleaner = _Cleaner(config, bar)  # its workers fork while this process reads the stored state, counts inputs
        try:
            store = Store(output)
            key = run_key(inputs, config, source)
            current = store.current()
            done = int((current.manifest.runs.get(key) or {}).get("items", 0)) if current else 0
            if done:
                logger.info("resuming run %s after %d committed inputs", key, done)
            tracker = InputProgress(inputs, enabled=progress)  # counts the files first: a total and an ETA
            # gzipped pages are decompressed by the batch that cleans them (_clean_batch): in the workers
            pages = iter_inputs(inputs, source=source, max_bytes=config.max_input_bytes, gunzip=False)
            read = tracker.track(pages)
            items = itertools.islice(read, done, None)
            summary.pages = summary.resumed_from = done
            position = done
            while True:
                chunk = itertools.islice(items, config.slice_pages)
                store.staging.mkdir(parents=True, exist_ok=True)
                # committed by this process: the staged tables need not go through files
                shard = _clean_slice(cleaner, chunk, store.new_staging(), config, in_memory=True)
                position += shard.pages
                last = shard.pages < config.slice_pages
                stats = commit(output, [shard], config, run=(key, None if last else {"items": position}))
                summary.add(shard.pages, shard.articles, stats)
                if last:
                    finished = True
                    break
        finally:
            cleaner.close()
            if tracker is not None:
                tracker.close(finished=finished)
    summary.seconds = time.perf_counter() - started
    for reason, count in sorted(summary.rejects.items()):
        logger.info("cleaning/rejected/%s: %d", reason, count)
    return summary
