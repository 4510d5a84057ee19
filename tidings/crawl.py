"""The crawl runner: crawl the sources into WARC, then clean exactly the WARC files this crawl wrote.

Scrapy's reactor cannot restart, so `crawl()` runs once per process; `tidings schedule`
runs each crawl as a subprocess for that reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from cleaning.config import CleaningConfig
from cleaning.errors import ConfigError, TidingsError
from cleaning.pipeline import RunSummary, run, start_workers
from cleaning.storage.dataset import DatasetPaths, read_columns
from crawler.recovery import archived_urls, recover_open_warcs, uncleaned_warcs, unmark_cleaned
from crawler.sources import Source
from crawler.spiders.news import NewsSpider
from crawler.state import CrawlState
from tidings.checks import check_sources
from tidings.history import recording
from tidings.pipelined import PipelinedCleaner

__all__ = [
    "BUSY_EXIT_CODE",
    "CrawlBusyError",
    "CrawlSummary",
    "Frontier",
    "crawl",
    "crawl_lock",
    "crawl_settings",
    "recover_open_warcs",
    "seed",
]

logger = logging.getLogger(__name__)

LOCK_FILE = "crawl.lock"
BUSY_EXIT_CODE = 75  # EX_TEMPFAIL: `tidings crawl` exits with it when another crawl holds the lock
STATE_DB = "crawl.sqlite"
UNCLEANED_DIR = "uncleaned"  # markers of the WARC files not yet cleaned (crawler/recovery.py)


class CrawlBusyError(TidingsError):
    """Another crawl holds the output's crawl lock."""


def _per_worker(name: str, worker: str | None) -> str:
    """crawl.lock -> crawl-WORKER.lock: frontier workers sharing one output each have their own lock and state."""
    if not worker:
        return name
    stem, dot, suffix = name.partition(".")
    return f"{stem}-{worker}{dot}{suffix}"


@contextlib.contextmanager
def crawl_lock(output: Path, worker: str | None = None) -> Iterator[None]:
    """Hold OUTPUT/state/crawl.lock (crawl-WORKER.lock) for the crawl; raise CrawlBusyError if another crawl has it."""
    state = DatasetPaths(output).state
    state.mkdir(parents=True, exist_ok=True)
    lock = state / _per_worker(LOCK_FILE, worker)
    with open(lock, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            hint = "; give each worker on one machine its own --worker-id" if worker else ""
            raise CrawlBusyError(f"another crawl is writing {output} (lock {lock}); try again later{hint}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclasses.dataclass
class CrawlSummary:
    """What one crawl fetched and what cleaning made of it."""

    stats: dict[str, Any]
    warc_files: list[Path]
    cleaning: RunSummary | None

    def _count(self, key: str) -> int:
        return int(self.stats.get(key, 0) or 0)

    def _prefixed(self, prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: int(v) for k, v in sorted(self.stats.items()) if k.startswith(prefix)}

    @property
    def pages_fetched(self) -> int:
        return self._count("downloader/response_count")

    @property
    def produced_nothing(self) -> bool:
        """Every fetch failed (nothing fetched, revalidated or seen before), or no article page became an article."""
        failed = sum(self._prefixed("crawler/fetch_error/").values())
        answered = self._count("item_scraped_count") + self._count("crawler/not_modified")
        if failed and not answered and not self._count("crawler/skipped/seen"):
            return True
        # listings always end as not_an_article rejects: only article pages that all failed cleaning count
        articles_fetched = self._count("item_scraped_count") > 0
        return articles_fetched and self.cleaning is not None and self.cleaning.produced_nothing

    def lines(self) -> list[str]:
        """Render the summary as the lines the CLI prints."""
        errors = self._prefixed("crawler/fetch_error/")
        error_text = ", ".join(f"{code} {n}" for code, n in errors.items()) or "none"
        seconds = float(self.stats.get("elapsed_time_seconds", 0.0) or 0.0)
        out = [
            f"fetched:     {self.pages_fetched} responses in {seconds:.1f}s "
            f"({self._count('item_scraped_count')} article pages), "
            f"{self._count('crawler/not_modified')} listings not modified",
            f"skipped:     {self._count('crawler/skipped/seen')} articles seen before, "
            f"{self._count('crawler/skipped/too_old')} too old, "
            f"{self._count('crawler/skipped/not_allowed')} not allowed, "
            f"{self._count('crawler/skipped/robots_disallowed')} disallowed by robots.txt",
            f"failures:    {error_text}",
            f"archived:    {len(self.warc_files)} WARC file(s)"
            + (f" in {self.warc_files[0].parent}" if self.warc_files else ""),
        ]
        if self.cleaning is not None:
            out += self.cleaning.lines()
        return out


def crawl_settings(output: Path, overrides: Mapping[str, Any] | None = None, *, worker: str | None = None) -> Settings:
    """Return crawler/settings.py with the output paths of output (a frontier worker's own state) and overrides."""
    paths = DatasetPaths(output)
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(
        {
            "TIDINGS_OUTPUT": str(paths.root),
            "TIDINGS_WARC_DIR": str(paths.warc),
            "TIDINGS_STATE_DB": str(paths.state / _per_worker(STATE_DB, worker)),
            "TIDINGS_WARC_UNCLEANED_DIR": str(paths.state / UNCLEANED_DIR),
            "TIDINGS_WORKER_ID": worker or "",
            "LOG_INSTALL_ROOT_HANDLER": False,  # the CLI configured logging; Scrapy's records go through it
        },
        priority="cmdline",
    )
    if overrides:
        settings.setdict(dict(overrides), priority="cmdline")
    return settings


def _follow_our_log_level() -> None:
    """Keep Scrapy's records under the level the CLI chose.

    Scrapy's logging setup sets its loggers to DEBUG (and resets their children), so a
    level on our loggers is not enough: the root handlers get the level themselves.
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if handler.level == logging.NOTSET:
            handler.setLevel(root.getEffectiveLevel())


def _seed_seen(output: Path, state_db: str, frontier: Frontier | None = None, archived: Collection[str] = ()) -> int:
    """Mark seen the URLs already in the dataset or in WARC files a killed crawl left (in the frontier too).

    An empty state_db is a crawl without incremental state (TIDINGS_STATE_DB=""): nothing to mark.
    """
    paths = DatasetPaths(output)
    urls = read_columns(paths.articles, ["url"])["url"].dropna().astype(str)
    if frontier is not None:
        from crawler.frontier import mark_seen

        mark_seen(frontier.url, urls, prefix=frontier.prefix)
    if not state_db:
        return 0
    state = CrawlState(Path(state_db))
    try:
        return state.mark_seen([*urls, *sorted(archived)])
    finally:
        state.close()


def _pick_up(output: Path, settings: Settings, worker: str | None) -> tuple[list[Path], set[str]]:
    """Return what killed crawls left: the WARC files not cleaned yet, and the URLs archived in files left open.

    Call only under the crawl lock: then no crawl is writing them.
    """
    warc = DatasetPaths(output).warc
    recovered = recover_open_warcs(warc, worker)
    retry = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
    archived = set().union(*(archived_urls(path, retry_statuses=retry) for path in recovered))
    marked = uncleaned_warcs(warc, Path(settings["TIDINGS_WARC_UNCLEANED_DIR"]), worker)
    left = sorted({*recovered, *marked}, key=lambda path: path.name)
    if left:
        logger.warning("cleaning %d WARC file(s) an interrupted crawl did not clean", len(left))
    return left, archived


@dataclasses.dataclass(frozen=True)
class Frontier:
    """A shared Redis frontier to crawl as one of several workers (crawler/frontier.py)."""

    url: str  # redis://HOST:PORT/DB
    worker: str = ""  # [this machine's short host name]
    idle: float = 10.0  # stop once the queue is empty and no worker was busy this long; 0: never
    prefix: str = "tidings"

    def settings(self) -> dict[str, Any]:
        from crawler.frontier import FrontierError, frontier_settings

        try:
            return frontier_settings(self.url, prefix=self.prefix, idle=self.idle)
        except FrontierError as exc:
            raise ConfigError(str(exc)) from exc


def _frontier_worker(frontier: Frontier | None) -> Frontier | None:
    if frontier is None:
        return None
    from crawler.frontier import FrontierError, connect, worker_id

    try:
        connect(frontier.url)
    except FrontierError as exc:
        raise ConfigError(str(exc)) from exc
    return dataclasses.replace(frontier, worker=worker_id(frontier.worker))


def seed(sources: Path | Sequence[Source], frontier: Frontier, *, names: Sequence[str] | None = None) -> int:
    """Push the feeds, sitemaps and sections of the (named) sources into the frontier, for its workers to crawl."""
    from crawler.frontier import FrontierError, seed_frontier

    selected = check_sources(sources, names)
    settings = crawl_settings(Path("."), frontier.settings())
    spider = NewsSpider(sources=selected, settings=settings)
    try:
        return seed_frontier(
            frontier.url,
            spider,
            list(spider.seed_requests()),
            prefix=frontier.prefix,
            ttl=settings.getint("TIDINGS_FRONTIER_LISTING_TTL"),
        )
    except FrontierError as exc:
        raise ConfigError(str(exc)) from exc


def crawl(
    sources: Path | Sequence[Source],
    output: Path,
    config: CleaningConfig,
    *,
    names: Sequence[str] | None = None,
    settings: Mapping[str, Any] | None = None,
    clean: bool = True,
    progress: bool = True,
    frontier: Frontier | None = None,
    pipeline: bool = True,
) -> CrawlSummary:
    """Crawl the (named) sources into OUTPUT/warc, and clean the WARC files written into the dataset.

    With pipeline, each WARC file the crawl closes is cleaned by a worker process while the
    crawl goes on, and the rest once it ends (tidings/pipelined.py); without, all of them
    after the crawl. Either way the rows are those of `tidings clean` over the same files.

    With a frontier, this process is one worker of a crawl shared through Redis: it pops
    requests from the shared queue, and cleans the WARC files it wrote itself.
    Once per process: Scrapy's reactor cannot be restarted.
    """
    output = Path(output)
    selected = check_sources(sources, names)
    frontier = _frontier_worker(frontier)
    worker = frontier.worker if frontier else None
    overrides = {**(frontier.settings() if frontier else {}), **(settings or {})}
    files = [Path(sources)] if isinstance(sources, str | Path) else []
    with (  # a crawl refused by the lock did not run: it is not recorded
        crawl_lock(output, worker),
        recording(
            output, "crawl", inputs=files, config=config, sources=names or (), config_files=files, worker=worker
        ) as recorder,
    ):
        scrapy_settings = crawl_settings(output, overrides, worker=worker)
        # pages a killed crawl archived (and marked seen) are cleaned now, or never
        left, archived = _pick_up(output, scrapy_settings, worker)
        seeded = _seed_seen(output, scrapy_settings["TIDINGS_STATE_DB"], frontier, archived)
        logger.info("crawl: %d source(s); %d dataset URLs newly marked seen", len(selected), seeded)
        _follow_our_log_level()
        markers = Path(scrapy_settings["TIDINGS_WARC_UNCLEANED_DIR"])
        # the cleaning workers warm up (and, pipelined, clean closed files) on the core Scrapy leaves idle
        pipelined = PipelinedCleaner(output, config) if clean and pipeline else None
        if clean and not pipeline:
            start_workers(config)
        try:
            process = CrawlerProcess(scrapy_settings)
            crawler = process.create_crawler(NewsSpider)
            if pipelined is not None:
                pipelined.connect(crawler)
            process.crawl(crawler, sources=selected)
            process.start()
            stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
            warc_files = left + [Path(p) for p in stats.get("tidings/warc/files", [])]
            recorder.crawled(stats)
            cleaning = None
            if pipelined is not None and warc_files:
                cleaning = pipelined.finish(warc_files, markers)  # unmarks each group of files it commits
            elif clean and warc_files:
                cleaning = run(warc_files, output, config, progress=progress)
                # committed: from now on a kill loses none of these pages
                unmark_cleaned(markers, warc_files)
        finally:
            if pipelined is not None:
                pipelined.close()
        recorder.cleaned(cleaning)
    return CrawlSummary(stats=stats, warc_files=warc_files, cleaning=cleaning)
