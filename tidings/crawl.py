"""The crawl runner: crawl the sources into WARC, then clean exactly the WARC files this crawl wrote.

Scrapy's reactor cannot restart, so `crawl()` runs once per process; `tidings schedule`
runs each crawl as a subprocess for that reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from cleaning.config import CleaningConfig
from cleaning.errors import ConfigError, TidingsError
from cleaning.pipeline import RunSummary, run
from cleaning.storage.dataset import DatasetPaths, read_columns
from crawler.sources import Source, SourcesError, load_sources, select_sources
from crawler.spiders.news import NewsSpider
from crawler.state import CrawlState
from tidings.history import recording

__all__ = [
    "BUSY_EXIT_CODE",
    "CrawlBusyError",
    "CrawlSummary",
    "crawl",
    "crawl_lock",
    "crawl_settings",
    "recover_open_warcs",
]

logger = logging.getLogger(__name__)

LOCK_FILE = "crawl.lock"
BUSY_EXIT_CODE = 75  # EX_TEMPFAIL: `tidings crawl` exits with it when another crawl holds the lock
STATE_DB = "crawl.sqlite"


class CrawlBusyError(TidingsError):
    """Another crawl holds the output's crawl lock."""


@contextlib.contextmanager
def crawl_lock(output: Path) -> Iterator[None]:
    """Hold OUTPUT/state/crawl.lock for the crawl; raise CrawlBusyError at once if another crawl has it."""
    state = DatasetPaths(output).state
    state.mkdir(parents=True, exist_ok=True)
    with open(state / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise CrawlBusyError(
                f"another crawl is writing {output} (lock {state / LOCK_FILE}); try again later"
            ) from exc
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


def crawl_settings(output: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Return crawler/settings.py with the output paths of output and the given overrides."""
    paths = DatasetPaths(output)
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(
        {
            "TIDINGS_OUTPUT": str(paths.root),
            "TIDINGS_WARC_DIR": str(paths.warc),
            "TIDINGS_STATE_DB": str(paths.state / STATE_DB),
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


def _seed_seen(output: Path) -> int:
    """Mark the URLs already in the dataset as seen, so the crawl never fetches them again."""
    paths = DatasetPaths(output)
    urls = read_columns(paths.articles, ["url"])["url"].dropna().astype(str)
    state = CrawlState(paths.state / STATE_DB)
    try:
        return state.mark_seen(urls)
    finally:
        state.close()


def recover_open_warcs(directory: Path) -> list[Path]:
    """Close WARC files a killed crawl left as `*.warc.gz.open`; return them so they get cleaned.

    Call only under the crawl lock: then no crawl is writing them. A record cut short at
    the end becomes a reject when read, the records before it are kept.
    """
    recovered = []
    for path in sorted(directory.glob("*.warc.gz.open")):
        target = path.with_name(path.name.removesuffix(".open"))
        os.replace(path, target)
        logger.warning("recovered %s, left open by an interrupted crawl", target)
        recovered.append(target)
    return recovered


def _resolve_sources(sources: Path | Sequence[Source], names: Sequence[str] | None) -> list[Source]:
    try:
        loaded = load_sources(sources) if isinstance(sources, str | Path) else list(sources)
        return select_sources(loaded, names)
    except SourcesError as exc:
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
) -> CrawlSummary:
    """Crawl the (named) sources into OUTPUT/warc, then clean the WARC files written into the dataset.

    Once per process: Scrapy's reactor cannot be restarted.
    """
    output = Path(output)
    selected = _resolve_sources(sources, names)
    files = [Path(sources)] if isinstance(sources, str | Path) else []
    with (  # a crawl refused by the lock did not run: it is not recorded
        crawl_lock(output),
        recording(output, "crawl", inputs=files, config=config, sources=names or (), config_files=files) as recorder,
    ):
        # pages a killed crawl archived (and marked seen) are cleaned now, or never
        recovered = recover_open_warcs(DatasetPaths(output).warc)
        seeded = _seed_seen(output)
        logger.info("crawl: %d source(s); %d dataset URLs newly marked seen", len(selected), seeded)
        _follow_our_log_level()
        process = CrawlerProcess(crawl_settings(output, settings))
        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, sources=selected)
        process.start()
        stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
        warc_files = recovered + [Path(p) for p in stats.get("tidings/warc/files", [])]
        recorder.crawled(stats)
        cleaning = run(warc_files, output, config, progress=progress) if clean and warc_files else None
        recorder.cleaned(cleaning)
    return CrawlSummary(stats=stats, warc_files=warc_files, cleaning=cleaning)
