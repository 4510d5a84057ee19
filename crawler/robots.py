"""robots.txt as RFC 9309 reads it, replacing Scrapy's RobotsTxtMiddleware (which allows all on any failure).

- 2xx: the rules of the first 500 KiB (RFC 9309 2.5: at least 500 kibibytes must be parsed);
- 4xx: no rules, everything allowed (2.3.1.3);
- 5xx or a network error: everything disallowed (2.3.1.4), asked again after
  TIDINGS_ROBOTS_RETRY_SECONDS; the next crawl asks again in any case;
- Crawl-delay: requests to the host are spaced by it (at most TIDINGS_ROBOTS_MAX_CRAWL_DELAY seconds).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.failures import RobotsUnavailable, describe_exception

__all__ = ["MAX_ROBOTS_BYTES", "Rfc9309RobotsTxtMiddleware"]

logger = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 500 * 1024
_ROBOTS_META = "tidings_robots"


class _DisallowAll:
    """The rules of a host whose robots.txt could not be read: nothing may be fetched, until retry_at."""

    def __init__(self, code: str, why: str, retry_at: float) -> None:
        self.code = code
        self.why = why
        self.retry_at = retry_at

    def allowed(self, url: str, user_agent: Any) -> bool:
        return False


class Rfc9309RobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware with RFC 9309's failure rules, a 500 KiB parse limit and Crawl-delay per host."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.retry_seconds = crawler.settings.getfloat("TIDINGS_ROBOTS_RETRY_SECONDS", 600.0)
        self.max_crawl_delay = crawler.settings.getfloat("TIDINGS_ROBOTS_MAX_CRAWL_DELAY", 60.0)
        self._delays: dict[str, float] = {}  # netloc -> Crawl-delay seconds
        self._next_send: dict[str, float] = {}  # netloc -> monotonic time the next request may go
        self._received: dict[int, int] = {}  # id(robots request) -> bytes received so far
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)

    def _bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        if not request.meta.get(_ROBOTS_META):
            return
        total = self._received.get(id(request), 0) + len(data)
        self._received[id(request)] = total
        if total > MAX_ROBOTS_BYTES:
            # the first 500 KiB are all RFC 9309 asks to read: stop there and parse what came
            self._received.pop(id(request), None)
            raise StopDownload(fail=False)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        parser = await self.robot_parser(request)
        if isinstance(parser, _DisallowAll):
            self._stats.inc_value("robotstxt/unavailable")
            raise RobotsUnavailable(
                parser.code, f"{parser.why}: RFC 9309 disallows the whole host until it can be read"
            )
        self.process_request_2(parser, request)
        await self._space(urlparse_cached(request).netloc)

    async def _space(self, netloc: str) -> None:
        delay = self._delays.get(netloc)
        if not delay:
            return
        now = time.monotonic()
        start = max(now, self._next_send.get(netloc, now))
        self._next_send[netloc] = start + delay  # reserved before waiting: concurrent requests queue up
        if start > now:
            await sleep(start - now)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        url = urlparse_cached(request)
        netloc = url.netloc
        known = self._parsers.get(netloc)
        if isinstance(known, _DisallowAll) and known.retry_at <= time.monotonic():
            del self._parsers[netloc]  # ask again: the server may be back
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots = Request(
                f"{url.scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True, _ROBOTS_META: True},
                callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots)  # type: ignore[union-attr]
                await self._parse_robots(response, netloc, request)
            except Exception as exc:
                self._robots_error(exc, netloc)
            finally:
                self._received.pop(id(robots), None)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        while isinstance(parser, Deferred):
            # each waiter reads the settled parser back from the table (_settle stores it before it
            # fires): a Deferred hands its result to the first waiter's future only and None to the
            # next ones (Twisted's asFuture), which Scrapy reads as "no rules": requests that were
            # waiting for robots.txt together were let through unchecked
            await maybe_deferred_to_future(parser)
            parser = self._parsers[netloc]
        return parser

    def _settle(self, netloc: str, parser: Any) -> None:
        pending = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(pending, Deferred):
            pending.callback(parser)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if response.status >= 500:
            logger.info("robots.txt of %s answered %d: disallow all, ask again later", netloc, response.status)
            why = f"robots.txt answered {response.status}"
            self._settle(netloc, _DisallowAll(f"robots_http_{response.status}", why, self._retry_at()))
            return
        if response.status >= 400:
            self._settle(netloc, None)  # unavailable: no rules
            return
        parser = build_from_crawler(self._parserimpl, self.crawler, response.body[:MAX_ROBOTS_BYTES])
        delay = self._crawl_delay(parser, request)
        if delay:
            self._delays[netloc] = min(delay, self.max_crawl_delay)
            logger.info("robots.txt of %s asks a Crawl-delay of %ss", netloc, delay)
        self._settle(netloc, parser)

    def _crawl_delay(self, parser: RobotParser, request: Request) -> float | None:
        rules = getattr(parser, "rp", None)  # Protego, Scrapy's default parser, knows Crawl-delay
        if rules is None or not hasattr(rules, "crawl_delay"):
            return None
        agent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
        agent = agent.decode("latin-1") if isinstance(agent, bytes) else str(agent)
        delay = rules.crawl_delay(agent)
        return float(delay) if delay else None

    def _retry_at(self) -> float:
        return time.monotonic() + self.retry_seconds

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not isinstance(exc, IgnoreRequest):
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        code, detail = describe_exception(exc)
        logger.info("robots.txt of %s unreachable (%s): disallow all, ask again later", netloc, detail)
        self._settle(netloc, _DisallowAll(code, f"robots.txt unreachable ({detail})", self._retry_at()))
