"""Downloader middlewares: skip articles fetched before, revalidate listings, back off on retries, cookies offline."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
from pathlib import Path
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import cookies as scrapy_cookies
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import sleep

from crawler.archive import HINTS_META
from crawler.failures import AlreadySeen
from crawler.state import CrawlState

__all__ = ["IncrementalMiddleware", "OfflineCookiesMiddleware", "RetryBackoffMiddleware"]

logger = logging.getLogger(__name__)


def _role(request: Request) -> str | None:
    hints: dict[str, Any] = request.meta.get(HINTS_META) or {}
    role = hints.get("role")
    return role if isinstance(role, str) else None


def _first_url(request: Request) -> str:
    redirects: list[str] = request.meta.get("redirect_urls") or []
    return redirects[0] if redirects else request.url


class IncrementalMiddleware:
    """Never fetch an article URL twice across crawls; send conditional GETs for feeds and listings.

    Articles are marked seen once they answered 2xx or a final 4xx; one that failed in a way
    that may pass (a RETRY_HTTP_CODES status, a network error, after RetryMiddleware's own
    retries) is kept pending, and the spiders request it again at the next crawls. Listings
    keep their ETag and Last-Modified, sent back as If-None-Match / If-Modified-Since; they
    are stored only when the crawl finishes, as the articles a listing names are fetched
    by then: a crawl killed or stopped halfway gets every listing in full next time.
    """

    def __init__(self, state: CrawlState, crawler: Crawler) -> None:
        self.state = state
        self.crawler = crawler
        self.retry_statuses = frozenset(int(s) for s in crawler.settings.getlist("RETRY_HTTP_CODES"))
        self._validators: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("TIDINGS_STATE_DB")
        if not path:
            raise NotConfigured("TIDINGS_STATE_DB is empty: every crawl fetches everything")
        middleware = cls(CrawlState(Path(path)), crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        role = _role(request)
        if role == "article" and self.state.is_seen(request.url):
            self.crawler.stats.inc_value("crawler/skipped/seen")
            raise AlreadySeen(f"fetched by an earlier crawl: {request.url}")
        conditional = b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers
        if role == "listing" and not conditional:
            etag, last_modified = self.state.validators(_first_url(request))
            if etag:
                request.headers[b"If-None-Match"] = etag
            if last_modified:
                request.headers[b"If-Modified-Since"] = last_modified

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        role = _role(request)
        if role == "article" and response.status in self.retry_statuses:
            self._keep_pending(request, f"http_{response.status}")
        elif role == "article" and (response.status < 300 or response.status >= 400):
            self.state.mark_seen({_first_url(request), request.url, response.url})
        elif role == "listing" and response.status == 200:
            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            self._validators[_first_url(request)] = (
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None,
            )
        elif role == "listing" and response.status == 304:
            self.crawler.stats.inc_value("crawler/not_modified")
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        # reached after RetryMiddleware gave up; IgnoreRequest (robots.txt, seen) is no failure to retry
        if _role(request) == "article" and not isinstance(exception, IgnoreRequest):
            self._keep_pending(request, type(exception).__name__)

    def _keep_pending(self, request: Request, error: str) -> None:
        hints: dict[str, Any] = request.meta.get(HINTS_META) or {}
        self.state.add_pending(_first_url(request), str(hints.get("source", "")), hints, error)
        self.crawler.stats.inc_value("crawler/pending")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason == "finished":
            for url, (etag, last_modified) in self._validators.items():
                self.state.store_validators(url, etag, last_modified)
        self.state.close()


_RETRY_AFTER = "tidings_retry_after"


class RetryBackoffMiddleware:
    """Wait before each retry, doubling the wait every time (RetryMiddleware itself retries at once).

    A Retry-After header (seconds, or an HTTP date) on the failed response, as 429 and 503
    answers carry, is honoured when it asks for longer, up to TIDINGS_RETRY_BACKOFF_MAX.
    """

    def __init__(self, base: float, maximum: float) -> None:
        self.base = base
        self.maximum = maximum

    def delay(self, request: Request) -> float:
        """Return how long to wait before sending request (0 for a first try)."""
        retries = int(request.meta.get("retry_times", 0))
        if not retries:
            return 0.0
        asked = float(request.meta.get(_RETRY_AFTER, 0.0))
        return float(min(self.maximum, max(self.base * 2.0 ** (retries - 1), asked)))

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        # runs before RetryMiddleware (a lower priority number) copies the request for the retry
        value = response.headers.get(b"Retry-After")
        if value:
            request.meta[_RETRY_AFTER] = _retry_after_seconds(value.decode("latin-1"))
        return response

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        base = crawler.settings.getfloat("TIDINGS_RETRY_BACKOFF_BASE")
        if base <= 0 or not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(base, crawler.settings.getfloat("TIDINGS_RETRY_BACKOFF_MAX"))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        wait = self.delay(request)
        if wait:
            await sleep(wait)


def _retry_after_seconds(value: str) -> float:
    """Read a Retry-After value: delta-seconds or an HTTP date; 0 when it is neither."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class OfflineCookiesMiddleware(CookiesMiddleware):
    """Scrapy's cookie handling, reading the Public Suffix List from tldextract's bundled snapshot.

    Scrapy builds its TLDExtract with default arguments, which download the list on the
    first cookie with a Domain attribute: offline that fails with an error in the log.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extractor = getattr(scrapy_cookies, "_split_domain", None)
        # a public attribute of tldextract's object; () means "use the bundled snapshot"
        if extractor is not None and hasattr(extractor, "suffix_list_urls"):
            extractor.suffix_list_urls = ()
        return super().from_crawler(crawler)
