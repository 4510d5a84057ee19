"""What every source-driven spider shares: reading sources.toml, building requests with hints, recording failures."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.archive import HINTS_META
from crawler.entries import Entry, is_too_old
from crawler.failures import AlreadySeen, BlockedUrl, describe_failure, fetch_failed, hints_updated
from crawler.sources import Source, SourcesError, load_sources, select_sources
from crawler.state import CrawlState

__all__ = ["SourceSpider"]

SOURCE_META = "tidings_source"


class SourceSpider(scrapy.Spider):
    """Start from the entry URLs of the selected sources, for the discovery methods this spider knows.

    Arguments (`scrapy crawl NAME -a sources=sources.toml -a source=NAME[,NAME]`):
    sources is the path of the sources file (or a list of Source objects), source
    optionally restricts the crawl to some of them.
    """

    methods: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        sources: str | Path | Sequence[Source] | None = None,
        source: str | Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if sources is None:
            raise SourcesError(f"spider {self.name!r} needs a sources file: -a sources=sources.toml")
        loaded = load_sources(sources) if isinstance(sources, str | Path) else list(sources)
        names = source.split(",") if isinstance(source, str) else source
        self.sources = {s.name: s for s in select_sources(loaded, names)}
        # every source of the file: a shared frontier hands this worker requests another worker seeded
        self.known_sources = {s.name: s for s in loaded}
        self.started_at = dt.datetime.now(dt.UTC)
        # hints of each article requested so far; a URL found again (feed and sitemap) adds what it knows
        self._article_hints: dict[str, dict[str, Any]] = {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.seed_requests():
            yield request
        for request in self.pending_requests():
            yield request

    def seed_requests(self) -> Iterator[scrapy.Request]:
        """Request the entry URLs (feeds, sitemaps, sections) of every selected source."""
        for source in self.sources.values():
            for method in self.methods:
                for url in source.start_urls(method):
                    yield self.listing_request(url, source, getattr(self, f"parse_{method}"))

    def pending_requests(self) -> Iterator[scrapy.Request]:
        """Request again the articles earlier crawls failed to fetch (5xx, timeouts): feeds may drop them."""
        path = self.settings.get("TIDINGS_STATE_DB")
        if not path or not Path(path).exists():
            return
        state = CrawlState(Path(path))
        try:
            pending = state.pending(list(self.sources), max_attempts=self.settings.getint("TIDINGS_PENDING_MAX_CRAWLS"))
        finally:
            state.close()
        # a shared frontier has these in its seen-set already: only this worker knows they failed
        shared = bool(self.settings.get("TIDINGS_FRONTIER"))
        for url, name, hints in pending:
            self.crawler.stats.inc_value("crawler/pending/retried")
            request = self.article_request(url, self.sources[name], hints=hints)
            yield request.replace(dont_filter=True) if shared else request

    # --- requests -------------------------------------------------------------------------

    def _hints(self, source: Source, role: str) -> dict[str, Any]:
        return {"source": source.name, "timezone": source.timezone, "role": role}

    def listing_request(self, url: str, source: Source, callback: Any, **meta: Any) -> scrapy.Request:
        """Request a feed, sitemap or listing page: archived with role "listing", revalidated next crawl."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.record_failure,
            meta={
                HINTS_META: self._hints(source, "listing"),
                SOURCE_META: source.name,
                "handle_httpstatus_list": [304],
                **meta,
            },
        )

    def article_request(
        self, url: str, source: Source, entry: Entry | None = None, *, hints: dict[str, Any] | None = None
    ) -> scrapy.Request:
        """Request an article page, carrying what the feed or sitemap said of it (entry, or hints as stored)."""
        hints = self._hints(source, "article") | (entry.hints() if entry else {}) | (hints or {})
        known = self._article_hints.get(url)
        if known is not None:
            # the first request is the one fetched (the second is a duplicate): enrich its hints,
            # the same dict its meta holds, which the archive reads once the response is in
            added = {key: value for key, value in hints.items() if key not in known}
            known.update(added)
            hints = known
            if added:
                self.crawler.signals.send_catch_log(signal=hints_updated, url=url, hints=known)
        else:
            self._article_hints[url] = hints
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.record_failure,
            meta={HINTS_META: hints, SOURCE_META: source.name},
        )

    def article_requests(self, entries: Sequence[Entry], source: Source) -> Iterator[scrapy.Request]:
        """Request every entry that looks like an article of source and is recent enough."""
        for entry in entries:
            if not source.is_article_url(entry.url):
                self.crawler.stats.inc_value("crawler/skipped/not_allowed")
            elif is_too_old(entry, max_age_days=source.max_age_days, timezone=source.timezone, now=self.started_at):
                self.crawler.stats.inc_value("crawler/skipped/too_old")
            else:
                yield self.article_request(entry.url, source, entry)

    def source_of(self, response: Response) -> Source:
        """Return the Source a response was fetched for."""
        return self.known_sources[response.meta[SOURCE_META]]

    # --- callbacks --------------------------------------------------------------------------

    def not_modified(self, response: Response) -> bool:
        """Say whether a listing answered 304: nothing new behind it since the last crawl."""
        if response.status == 304:
            self.logger.debug("not modified since the last crawl: %s", response.url)
            return True
        return False

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        """Report the article; crawler/archive.py has already stored the response as fetched."""
        yield {"url": response.url, "source": response.meta[SOURCE_META], "status": response.status}

    def record_failure(self, failure: Failure) -> None:
        """Record a request that produced no usable response, so it reaches the rejects dataset."""
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, AlreadySeen):
            return
        error, detail = describe_failure(failure)
        if isinstance(failure.value, IgnoreRequest) and not isinstance(failure.value, BlockedUrl):
            # never sent (robots.txt said no): nothing was fetched, so nothing is archived or rejected
            self.crawler.stats.inc_value(f"crawler/skipped/{error}")
            self.logger.info("%s: %s", error, request.url)
            return
        self.crawler.stats.inc_value(f"crawler/fetch_error/{error}")
        if isinstance(failure.value, HttpError):
            # the error response is archived already; cleaning rejects it as http_error
            self.logger.info("%s for %s", error, request.url)
            return
        # INFO: a failed fetch is data (a fetch-error record, then a reject), counted in the summary
        self.logger.info("fetch failed (%s) for %s: %s", error, request.url, detail)
        self.crawler.signals.send_catch_log(
            signal=fetch_failed,
            url=request.url,
            error=error,
            detail=detail,
            source=request.meta.get(SOURCE_META),
        )
