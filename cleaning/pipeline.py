"""The cleaning recipe: the ordered steps, and run() that takes inputs to the written dataset.

Per-page steps run on batches of pages, in worker processes when workers > 1; the
corpus steps (newest copy per URL, duplicates) and the write run once, in this process,
on rows sorted by id, so the output is the same for any worker count or input order.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import dataclasses
import functools
import itertools
import logging
import multiprocessing
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from cleaning import __version__
from cleaning.config import CleaningConfig
from cleaning.duplicates.dedup import content_hash, mark_duplicates
from cleaning.duplicates.index import DedupIndex, unindexed_ids, usable_index
from cleaning.errors import SchemaError
from cleaning.extraction.boilerplate import remove_boilerplate
from cleaning.extraction.extract import extract_articles
from cleaning.extraction.rules import load_rules
from cleaning.ids import assign_ids, keep_newest_per_id
from cleaning.inputs.decoding import decode_pages
from cleaning.inputs.readers import PAGE_COLUMNS, RawPage, ReadReject, iter_inputs
from cleaning.language.detect import detect_language
from cleaning.metadata.normalize import normalize_metadata
from cleaning.metadata.urls import canonicalize
from cleaning.quality import drop_short_texts, flag_quality
from cleaning.schema import ARTICLE_COLUMNS, ARTICLE_SCHEMA, REJECT_COLUMNS, REJECT_SCHEMA, RejectReason, Stage
from cleaning.step import StepResult, reject
from cleaning.storage.dataset import (
    DatasetPaths,
    exclusive_lock,
    iter_stored_articles,
    read_columns,
    read_dedup_index,
    stored_is_newer,
    to_table,
    upsert_articles,
    upsert_rejects,
    write_dedup_index,
)

__all__ = ["RunSummary", "build_steps", "clean_pages", "run"]

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
            "detail": rejected["reject_detail"],
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
    kept = pages
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
        if len(result.rejected):
            rejected.append(result.rejected)
    rejects = (
        pd.concat([_reject_rows(r) for r in rejected], ignore_index=True)
        if rejected
        else pd.DataFrame(columns=REJECT_COLUMNS)
    )
    articles = _no_articles() if kept.empty else _article_rows(kept).reset_index(drop=True)
    return articles, rejects


def _failure_detail(error: Exception) -> str:
    cause = error.__cause__ if isinstance(error, _StepFailed) and error.__cause__ else error
    where = f"in step {error.step}: " if isinstance(error, _StepFailed) else ""
    frames = "".join(traceback.format_tb(cause.__traceback__, limit=-2)).rstrip()
    return f"{where}{type(cause).__name__}: {cause}\n{frames}"


def _clean_batch(pages: list[RawPage], config: CleaningConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean a batch; if our code fails on it, clean page by page so one bad page costs one page."""
    try:
        return clean_pages(_pages_frame(pages), config)
    except Exception as error:
        if len(pages) == 1:
            logger.exception("internal error on %s", pages[0].origin)
            frame = reject(_pages_frame(pages), Stage.EXTRACT, RejectReason.INTERNAL_ERROR, _failure_detail(error))
            return _no_articles(), _reject_rows(frame)
    parts = [_clean_batch([page], config) for page in pages]
    return (pd.concat([p[0] for p in parts], ignore_index=True), pd.concat([p[1] for p in parts], ignore_index=True))


@dataclasses.dataclass
class RunSummary:
    """What one run read, wrote and rejected."""

    output: Path
    pages: int = 0
    articles: int = 0  # articles this run produced
    inserted: int = 0
    replaced: int = 0
    kept_existing: int = 0
    total_articles: int = 0  # rows in the dataset after the run
    duplicates: int = 0  # of this run's articles, how many point at another row
    rejects: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    languages: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """Render the summary as the lines the CLI prints."""
        rate = self.pages / self.seconds if self.seconds else 0.0
        out = [
            f"pages read:  {self.pages} in {self.seconds:.1f}s ({rate:.1f} pages/s)",
            f"articles:    {self.articles} ({self.inserted} new, {self.replaced} updated, "
            f"{self.kept_existing} older than the stored copy); {self.total_articles} in the dataset",
            f"duplicates:  {self.duplicates} of this run's articles point at a canonical row",
        ]
        if self.rejects:
            reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(self.rejects.items()))
            out.append(f"rejects:     {sum(self.rejects.values())} ({reasons})")
        else:
            out.append("rejects:     0")
        if self.languages:
            out.append("languages:   " + ", ".join(f"{lang} {n}" for lang, n in self.languages.most_common()))
        out.append(f"output:      {self.output}")
        return out


def _batched(items: Iterable[RawPage], size: int) -> Iterator[list[RawPage]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _clean_all(
    pages: Iterable[RawPage], config: CleaningConfig, bar: tqdm
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    batches = _batched(pages, config.batch_size)
    if config.workers <= 1:
        for batch in batches:
            yield _clean_batch(batch, config)
            bar.update(len(batch))
        return
    context = multiprocessing.get_context("forkserver")
    # workers fork from a server that has imported the steps once, instead of each importing them
    context.set_forkserver_preload(["cleaning.pipeline"])
    with cf.ProcessPoolExecutor(max_workers=config.workers, mp_context=context) as pool:
        pending: dict[cf.Future[tuple[pd.DataFrame, pd.DataFrame]], int] = {}
        for batch in batches:
            pending[pool.submit(_clean_batch, batch, config)] = len(batch)
            if len(pending) >= 2 * config.workers:  # bounded: memory stays flat on big inputs
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    bar.update(pending.pop(future))
                    yield future.result()
        for future in cf.as_completed(pending):
            bar.update(pending[future])
            yield future.result()


def _mark_duplicates(
    paths: DatasetPaths,
    articles: pd.DataFrame,
    config: CleaningConfig,
) -> tuple[pd.DataFrame, dict[str, str | None], DedupIndex]:
    """Run dedup against the stored dataset and its index; stored rows the index lacks are re-read."""
    index = usable_index(read_dedup_index(paths.index), config.dedup)
    stored = read_columns(paths.articles, ["id", "content_hash", "published_at", "duplicate_of"])
    missing = unindexed_ids(index, stored) - set(articles["id"])
    if missing and len(index.docs):
        logger.info("dedup index lacks %d stored articles; adding them", len(missing))
    restored = iter_stored_articles(paths.articles, ["id", "text", "published_at"], ids=missing)
    # rows the upsert will not write (the stored fetch is newer) must not enter the index
    stale = pd.Series(
        stored_is_newer(paths.articles, articles["id"], articles["fetched_at"]), index=articles.index, dtype=bool
    )
    marked, updates, index = mark_duplicates(
        articles.loc[~stale], index=index, stored=stored, restored=restored, config=config.dedup
    )
    kept_as_is = articles.loc[stale].assign(
        content_hash=articles.loc[stale, "text"].map(content_hash), duplicate_of=None
    )
    return pd.concat([marked, kept_as_is]).sort_index(), updates, index


def run(
    inputs: Sequence[Path],
    output: Path,
    config: CleaningConfig,
    *,
    source: str | None = None,
    progress: bool = True,
) -> RunSummary:
    """Clean every input under inputs into the dataset at output; return what was done."""
    started = time.perf_counter()
    paths = DatasetPaths(Path(output))
    summary = RunSummary(output=paths.root)
    read_rejects: list[ReadReject] = []

    def pages() -> Iterator[RawPage]:
        for item in iter_inputs(inputs, source=source, max_bytes=config.max_input_bytes):
            if isinstance(item, ReadReject):
                read_rejects.append(item)
            else:
                summary.pages += 1
                yield item

    article_parts, reject_parts = [], []
    with tqdm(desc="cleaning", unit="page", delay=1.0, file=sys.stderr, disable=not progress) as bar:
        for articles, rejects in _clean_all(pages(), config, bar):
            article_parts.append(articles)
            reject_parts.append(rejects)
    summary.pages += len(read_rejects)

    reject_parts.append(
        pd.DataFrame(
            {
                "origin": [r.origin for r in read_rejects],
                "url": [r.url for r in read_rejects],
                "source": [r.source for r in read_rejects],
                "stage": [str(r.stage) for r in read_rejects],
                "reason": [str(r.reason) for r in read_rejects],
                "detail": [r.detail for r in read_rejects],
                "fetched_at": pd.to_datetime(pd.Series([r.fetched_at for r in read_rejects], dtype=object), utc=True),
                "tidings_version": __version__,
            }
        )
    )
    articles = pd.concat(
        [a for a in article_parts if len(a)] or [pd.DataFrame(columns=ARTICLE_COLUMNS)], ignore_index=True
    )
    articles = articles.sort_values(["id", "origin"], kind="stable").reset_index(drop=True)

    newest = keep_newest_per_id(articles)
    articles = newest.kept
    if len(newest.rejected):
        reject_parts.append(_reject_rows(newest.rejected))

    with exclusive_lock(paths.root):
        articles, updates, index = _mark_duplicates(paths, articles, config)
        stats, lost = upsert_articles(paths.articles, to_table(articles, ARTICLE_SCHEMA), duplicate_updates=updates)
        # after the articles: a run killed in between leaves an index the next run repairs
        write_dedup_index(paths.index, index)
        rejects = pd.concat(
            [r for r in reject_parts if len(r)] or [pd.DataFrame(columns=REJECT_COLUMNS)], ignore_index=True
        )
        if lost.num_rows:
            lost_frame = lost.select(["origin", "url", "source", "fetched_at"]).to_pandas()
            rejects = pd.concat(
                [
                    rejects,
                    lost_frame.assign(
                        stage=str(Stage.DEDUP),
                        reason=str(RejectReason.SUPERSEDED),
                        detail="the dataset holds a newer fetch of this URL",
                        tidings_version=__version__,
                    ),
                ],
                ignore_index=True,
            )
        written = upsert_rejects(
            paths.rejects,
            to_table(rejects, REJECT_SCHEMA),
            resolved_origins=articles["origin"],
            resolved_urls=set(articles["url"].dropna()),
            url_key=functools.partial(canonicalize, tracking_parameters=config.tracking_parameters),
        )

    summary.articles = len(articles)
    summary.inserted, summary.replaced, summary.kept_existing, summary.total_articles = (
        stats.inserted,
        stats.replaced,
        stats.kept_existing,
        stats.total,
    )
    summary.duplicates = int(articles["duplicate_of"].notna().sum())
    summary.rejects.update(written.column("reason").to_pylist())
    summary.languages.update(articles["language"].fillna("und").astype(str))
    summary.seconds = time.perf_counter() - started
    for reason, count in sorted(summary.rejects.items()):
        logger.info("cleaning/rejected/%s: %d", reason, count)
    return summary
