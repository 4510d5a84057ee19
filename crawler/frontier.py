"""A crawl frontier shared by several crawl workers through Redis (scrapy-redis), on one machine or many.

`tidings crawl --frontier redis://HOST:PORT/DB` swaps Scrapy's in-memory scheduler for
scrapy-redis's: every worker pops from one request queue, and one seen-set decides which
requests are new. Keys live under TIDINGS_FRONTIER_PREFIX (default `tidings`), with the
spider name: `tidings:news:requests` (a sorted set, by priority), `tidings:news:seen` (a set
of request fingerprints: kept between runs, so no article is fetched twice, ever).

What this module adds to scrapy-redis:

- `FrontierDupeFilter`: feeds, sitemaps and section pages (role "listing") are meant to be
  fetched again by each crawl; they are let through once per TIDINGS_FRONTIER_LISTING_TTL
  seconds across all workers (a `SET NX EX` key per listing), so workers started together
  fetch a feed once, and the next crawl fetches it again. Article requests go to the seen-set.
- `SharedDomainDelay`: a downloader middleware that spaces the requests to one host across
  all workers (TIDINGS_FRONTIER_DOMAIN_DELAY, default DOWNLOAD_DELAY), with Redis's clock.
  Each worker also keeps Scrapy's own per-worker limits and obeys robots.txt itself.
- `FrontierIdle`: an extension that keeps a worker alive while the queue is empty but another
  worker was busy in the last TIDINGS_FRONTIER_IDLE seconds (it may still add requests);
  TIDINGS_FRONTIER_IDLE = 0 waits for requests until stopped (workers fed by `tidings schedule`).
- `seed_frontier`: push the listing requests of sources into the queue without crawling.

Requests are stored pickled (scrapy-redis's serializer): only point workers at a Redis you
trust, on a private network or with a password (`redis://:PASSWORD@HOST:PORT/DB`).
"""

from __future__ import annotations

import logging
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep

from crawler.archive import HINTS_META

__all__ = [
    "LEASE_META",
    "FrontierDupeFilter",
    "FrontierError",
    "FrontierIdle",
    "FrontierLeases",
    "LeasingScheduler",
    "SharedDomainDelay",
    "connect",
    "frontier_settings",
    "mark_seen",
    "seed_frontier",
    "worker_id",
]

logger = logging.getLogger(__name__)

INSTALL_HINT = "the Redis frontier needs scrapy-redis: pip install 'tidings[redis]'"
SPIDER = "news"


class FrontierError(Exception):
    """The frontier cannot be used: scrapy-redis missing, or Redis unreachable."""


def _require_scrapy_redis() -> None:
    try:
        import redis  # noqa: F401
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        raise FrontierError(INSTALL_HINT) from exc


def worker_id(value: str | None = None) -> str:
    """Return a worker id usable in file names: the given one, or this machine's short host name."""
    raw = value or socket.gethostname().split(".")[0] or "worker"
    return re.sub(r"[^A-Za-z0-9_]+", "_", raw).strip("_") or "worker"


def _keys(prefix: str, spider: str = SPIDER) -> dict[str, str]:
    base = f"{prefix}:{spider}"
    return {
        "queue": f"{base}:requests",
        "seen": f"{base}:seen",
        "listing": f"{base}:listing",  # + ":<fingerprint>", one key per recently fetched listing
        "slot": f"{base}:slot",  # + ":<host>", the next time a request may start on that host
        "active": f"{base}:active",  # the last time any worker did something
        "leases": f"{base}:leases",  # worker run -> when its lease expires (a sorted set, Redis's clock)
        "inflight": f"{base}:inflight",  # + ":<worker run>", the requests that run popped and has not finished
    }


def frontier_settings(url: str, *, prefix: str = "tidings", idle: float = 10.0) -> dict[str, Any]:
    """Return the Scrapy settings that make a crawl a worker of the frontier at url."""
    _require_scrapy_redis()
    keys = _keys(prefix, "%(spider)s")
    return {
        "SCHEDULER": "crawler.frontier.LeasingScheduler",
        "SCHEDULER_PERSIST": True,  # the queue and the seen-set outlive a worker, and a run
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys["queue"],
        "SCHEDULER_DUPEFILTER_KEY": keys["seen"],
        "DUPEFILTER_CLASS": "crawler.frontier.FrontierDupeFilter",
        "REDIS_URL": url,
        "TIDINGS_FRONTIER": url,
        "TIDINGS_FRONTIER_PREFIX": prefix,
        "TIDINGS_FRONTIER_IDLE": idle,
    }


def connect(url: str) -> Any:
    """Return a redis client for url, checked with a PING."""
    _require_scrapy_redis()
    import redis

    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise FrontierError(f"cannot reach the frontier at {url}: {exc}") from exc
    return client


def _is_listing(request: Request) -> bool:
    hints: dict[str, Any] = request.meta.get(HINTS_META) or {}
    return hints.get("role") == "listing"


def _fingerprint(request: Request) -> str:
    """scrapy-redis's fingerprint of a request (its method uses no state of the filter)."""
    return str(_RedisDupeFilter.request_fingerprint(None, request))


def _listing_ttl(settings: BaseSettings) -> int:
    return max(1, settings.getint("TIDINGS_FRONTIER_LISTING_TTL", 120))


def _claim_listing(server: Any, key: str, request: Request, ttl: int) -> bool:
    """Claim a listing for this round; False if another worker (or a seed) claimed it less than ttl ago."""
    return bool(server.set(f"{key}:{_fingerprint(request)}", b"1", nx=True, ex=ttl))


try:
    from scrapy_redis.dupefilter import RFPDupeFilter as _RedisDupeFilter
except ImportError:  # the [redis] extra is missing: frontier_settings() says what to install
    from scrapy.dupefilters import BaseDupeFilter as _RedisDupeFilter


class FrontierDupeFilter(_RedisDupeFilter):  # type: ignore[misc,valid-type]
    """scrapy-redis's seen-set for articles; listings pass once per TIDINGS_FRONTIER_LISTING_TTL across workers."""

    def __init__(self, server: Any, key: str, debug: bool = False, *, listing_key: str = "", ttl: int = 120) -> None:
        super().__init__(server, key, debug)
        self.listing_key = listing_key or f"{key}:listing"
        self.ttl = ttl

    @classmethod
    def from_spider(cls, spider: Spider) -> Self:
        from scrapy_redis.connection import get_redis_from_settings

        settings = spider.settings
        keys = _keys(settings.get("TIDINGS_FRONTIER_PREFIX", "tidings"), spider.name)
        return cls(
            get_redis_from_settings(settings),
            keys["seen"],
            settings.getbool("DUPEFILTER_DEBUG"),
            listing_key=keys["listing"],
            ttl=_listing_ttl(settings),
        )

    def request_seen(self, request: Request) -> bool:
        if _is_listing(request):
            return not _claim_listing(self.server, self.listing_key, request, self.ttl)
        return bool(super().request_seen(request))


# KEYS[1]: the host's slot; ARGV[1]: the delay in seconds. Returns how long to wait (seconds, as a string).
_RESERVE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local delay = tonumber(ARGV[1])
local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(at + delay), 'PX', math.ceil((at + delay - now) * 1000) + 60000)
return tostring(at - now)
"""


class SharedDomainDelay:
    """Space the requests to each host by a delay across every worker of the frontier (a Redis slot per host)."""

    def __init__(self, server: Any, slot_key: str, delay: float) -> None:
        self.server = server
        self.slot_key = slot_key
        self.delay = delay
        self._reserve = server.register_script(_RESERVE_SLOT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = settings.get("TIDINGS_FRONTIER")
        if not url:  # no frontier: Scrapy's per-worker DOWNLOAD_DELAY applies alone (no message: no warning)
            raise NotConfigured
        delay = settings.getfloat("TIDINGS_FRONTIER_DOMAIN_DELAY", settings.getfloat("DOWNLOAD_DELAY"))
        if delay <= 0:
            raise NotConfigured("TIDINGS_FRONTIER_DOMAIN_DELAY is 0")
        keys = _keys(settings.get("TIDINGS_FRONTIER_PREFIX", "tidings"), crawler.spidercls.name)
        return cls(connect(url), keys["slot"], delay)

    def wait(self, request: Request) -> float:
        """Reserve the next slot of request's host; return how long to wait for it."""
        host = urlsplit(request.url).netloc.lower()
        return float(self._reserve(keys=[f"{self.slot_key}:{host}"], args=[self.delay]))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        wait = self.wait(request)
        if wait > 0:
            await sleep(wait)


class FrontierIdle:
    """Keep a worker up while the shared queue is empty but some worker was busy in the last `idle` seconds."""

    def __init__(self, crawler: Crawler, server: Any, keys: dict[str, str], idle: float) -> None:
        self.crawler = crawler
        self.server = server
        self.active_key = keys["active"]
        self.leases_key = keys["leases"]
        self.inflight_prefix = keys["inflight"]
        self.idle = idle
        self._last_beat = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = settings.get("TIDINGS_FRONTIER")
        if not url:
            raise NotConfigured
        keys = _keys(settings.get("TIDINGS_FRONTIER_PREFIX", "tidings"), crawler.spidercls.name)
        extension = cls(crawler, connect(url), keys, settings.getfloat("TIDINGS_FRONTIER_IDLE", 10.0))
        crawler.signals.connect(extension.beat, signal=signals.spider_opened)
        crawler.signals.connect(extension.beat, signal=signals.response_received)
        crawler.signals.connect(extension.beat, signal=signals.request_scheduled)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    def beat(self, **_: Any) -> None:
        """Record that this worker is busy (at most once a second)."""
        now = time.time()
        if now - self._last_beat >= 1.0:
            self._last_beat = now
            self.server.set(self.active_key, repr(now), ex=3600)

    def spider_idle(self, spider: Spider) -> None:
        if self.idle <= 0:
            raise DontCloseSpider  # a standing worker: wait for seeds until stopped
        last = float(self.server.get(self.active_key) or 0.0)
        if time.time() - last < self.idle:
            raise DontCloseSpider  # another worker was busy a moment ago: it may add requests
        if self.in_flight():
            # some worker holds requests (this one holds none: it is idle); if it was killed,
            # they go back to the queue when its lease expires (LeasingScheduler)
            raise DontCloseSpider

    def in_flight(self) -> int:
        """How many requests the workers' leases hold."""
        owners = self.server.zrange(self.leases_key, 0, -1)
        return sum(int(self.server.hlen(f"{self.inflight_prefix}:{o.decode()}")) for o in owners)


# --- leases: a request popped by a worker that is then killed goes back to the queue ---------------

LEASE_META = "tidings_lease"  # (in-flight hash, field) of a popped request; never stored in the queue

# KEYS[1]: the queue; KEYS[2]: this run's in-flight hash. Pops the first request and records it
# as in flight, in one step: no moment where a kill loses it. Returns {request, field} or nil.
_POP_LEASED = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return false end
redis.call('ZREM', KEYS[1], popped[1])
local field = redis.sha1hex(popped[1])
redis.call('HSET', KEYS[2], field, popped[2] .. '\\n' .. popped[1])
return {popped[1], field}
"""

# KEYS[1]: the leases; ARGV[1]: this run; ARGV[2]: seconds the lease lasts. Returns nothing.
_RENEW = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) + tonumber(ARGV[2]), ARGV[1])
"""

# KEYS[1]: the leases; KEYS[2]: the queue; ARGV[1]: the in-flight prefix; ARGV[2]: this worker's
# id + ':' (its earlier runs are over: one worker id runs once at a time); ARGV[3]: this run.
# Puts back into the queue what runs whose lease expired (or earlier runs of this worker) had in
# flight. Returns how many requests went back.
_RECLAIM = """
local t = redis.call('TIME')
local now = tonumber(t[1])
local owners = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local moved = 0
for i = 1, #owners, 2 do
  local owner, expires = owners[i], tonumber(owners[i + 1])
  local earlier = string.sub(owner, 1, string.len(ARGV[2])) == ARGV[2]
  if owner ~= ARGV[3] and (expires < now or earlier) then
    local hash = ARGV[1] .. ':' .. owner
    local entries = redis.call('HVALS', hash)
    for _, entry in ipairs(entries) do
      local cut = string.find(entry, '\\n', 1, true)
      redis.call('ZADD', KEYS[2], string.sub(entry, 1, cut - 1), string.sub(entry, cut + 1))
      moved = moved + 1
    end
    redis.call('DEL', hash)
    redis.call('ZREM', KEYS[1], owner)
  end
end
return moved
"""

try:
    from scrapy_redis.scheduler import Scheduler as _RedisScheduler
except ImportError:  # the [redis] extra is missing: frontier_settings() says what to install
    _RedisScheduler = object


class LeasingScheduler(_RedisScheduler):  # type: ignore[misc,valid-type]
    """scrapy-redis's scheduler, where a popped request stays leased to this worker until it is handled.

    next_request moves the request from the queue into this run's in-flight hash (one Lua
    script); FrontierLeases clears it once the response's callback has run (or the fetch
    failed for good), and enqueue_request once a redirect or retry of it is queued. A
    lease lasts TIDINGS_FRONTIER_LEASE seconds and is renewed every quarter of that;
    expired leases (a killed worker, a lost machine) are put back into the queue by every
    worker, when it starts and at each renewal, and a worker restarted with the same id
    puts back its earlier runs' at once. A request in flight at a kill is fetched again.
    """

    def open(self, spider: Spider) -> None:
        super().open(spider)
        settings = spider.crawler.settings
        keys = _keys(settings.get("TIDINGS_FRONTIER_PREFIX", "tidings"), spider.name)
        self.lease_seconds = max(2.0, settings.getfloat("TIDINGS_FRONTIER_LEASE", 30.0))
        self.worker = worker_id(settings.get("TIDINGS_WORKER_ID") or None)
        self.run = f"{self.worker}:{uuid.uuid4().hex[:12]}"
        self.leases_key = keys["leases"]
        self.inflight_prefix = keys["inflight"]
        self.inflight_key = f"{keys['inflight']}:{self.run}"
        self._pop = self.server.register_script(_POP_LEASED)
        self._renew = self.server.register_script(_RENEW)
        self._reclaim = self.server.register_script(_RECLAIM)
        self.renew()  # registered before the first pop, so that its leases can be found
        from twisted.internet import task

        self._renewal = task.LoopingCall(self.renew)
        self._renewal.start(self.lease_seconds / 4, now=False)
        # Scrapy's engine, once idle, asks the scheduler again only every 5 s: a worker that
        # started before the others queued anything would sit out the first 5 s of the crawl
        self.crawler = spider.crawler
        self._woken: Request | None = None
        self._poll = task.LoopingCall(self.wake)
        self._poll.start(max(0.05, settings.getfloat("TIDINGS_FRONTIER_POLL", 0.5)), now=False)

    def renew(self) -> int:
        """Extend this run's lease, put back the requests of expired ones; return how many went back."""
        self._renew(keys=[self.leases_key], args=[self.run, self.lease_seconds])
        moved = int(
            self._reclaim(
                keys=[self.leases_key, self.queue.key], args=[self.inflight_prefix, f"{self.worker}:", self.run]
            )
        )
        if moved:
            logger.warning("frontier: %d request(s) a stopped worker had in flight went back to the queue", moved)
            if self.stats:
                self.stats.inc_value("crawler/frontier/reclaimed", moved)
        return moved

    def wake(self) -> None:
        """When this worker holds nothing, hand the engine a request from the queue, if there is one."""
        if self._woken is not None or self.server.hlen(self.inflight_key):
            return  # busy: the engine asks for the next request as each one finishes
        request = self._pop_leased()
        if request is not None:
            self._woken = request
            self.crawler.engine.crawl(request)  # comes back through enqueue_request, then next_request

    def next_request(self) -> Request | None:
        if self._woken is not None:
            request, self._woken = self._woken, None
            return request
        return self._pop_leased()

    def has_pending_requests(self) -> bool:
        return self._woken is not None or bool(super().has_pending_requests())

    def _pop_leased(self) -> Request | None:
        popped = self._pop(keys=[self.queue.key, self.inflight_key])
        if not popped:
            return None
        data, field = popped
        request: Request = self.queue._decode_request(data)
        request.meta[LEASE_META] = (self.inflight_key, field.decode() if isinstance(field, bytes) else field)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def enqueue_request(self, request: Request) -> bool:
        if request is self._woken:
            return True  # popped by wake(): next_request returns it
        lease = request.meta.pop(LEASE_META, None)  # a redirect or retry of a popped request
        queued = bool(super().enqueue_request(request))
        if lease is not None:  # queued (or a duplicate): the popped one is done with
            self.server.hdel(*lease)
        return queued

    def close(self, reason: str) -> None:
        for loop in (self._renewal, self._poll):
            if loop.running:
                loop.stop()
        # a stop that did not wait for what was in flight (a second Ctrl-C): back into the queue
        left = self.server.hlen(self.inflight_key)
        if left:
            logger.warning("frontier: %d request(s) still in flight at the stop went back to the queue", left)
        self.server.zadd(self.leases_key, {self.run: 0})  # expired: the next call puts them back
        self._reclaim(keys=[self.leases_key, self.queue.key], args=[self.inflight_prefix, "\n", ""])
        super().close(reason)


class FrontierLeases:
    """Clear a popped request's lease once it is handled: its callback's output consumed, or its fetch failed.

    Both a spider middleware (the response path: after the callback yielded its last
    request, so that the links of a listing are queued before its lease goes) and a
    downloader middleware (process_exception of the last, outermost one: a fetch that failed
    for good goes to its errback next). Redirects and retries clear it when queued
    (LeasingScheduler.enqueue_request).
    """

    def __init__(self, server: Any) -> None:
        self.server = server

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("TIDINGS_FRONTIER")
        if not url:
            raise NotConfigured
        return cls(connect(url))

    def release(self, request: Request | None) -> None:
        lease = request.meta.get(LEASE_META) if request is not None else None
        if lease:
            self.server.hdel(*lease)

    # spider middleware
    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        try:
            async for item in result:
                yield item
        finally:
            self.release(response.request)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        try:
            yield from result
        finally:
            self.release(response.request)

    def process_spider_exception(self, response: Response, exception: Exception, spider: Spider | None = None) -> None:
        self.release(response.request)

    # downloader middleware
    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self.release(request)


def mark_seen(url: str, urls: Iterable[str], *, prefix: str = "tidings") -> int:
    """Add GET urls (those already in a dataset) to the frontier's seen-set; return how many were new."""
    client = connect(url)
    key = _keys(prefix)["seen"]
    added = 0
    batch: list[str] = []
    for value in urls:
        batch.append(_fingerprint(Request(value)))
        if len(batch) >= 1000:
            added += int(client.sadd(key, *batch))
            batch = []
    if batch:
        added += int(client.sadd(key, *batch))
    return added


def seed_frontier(
    url: str, spider: Spider, requests: Sequence[Request], *, prefix: str = "tidings", ttl: int = 120
) -> int:
    """Push listing requests into the frontier's queue, each unless claimed less than ttl s ago; return how many."""
    from scrapy_redis import picklecompat
    from scrapy_redis.queue import PriorityQueue

    client = connect(url)
    keys = _keys(prefix, spider.name)
    queue = PriorityQueue(client, spider, keys["queue"], serializer=picklecompat)
    pushed = 0
    for request in requests:
        if _claim_listing(client, keys["listing"], request, ttl):
            queue.push(request)
            pushed += 1
    return pushed
