"""Every crawl setting, grouped and commented (Scrapy reads this module through scrapy.cfg).

Override per run with `scrapy crawl ... -s NAME=VALUE`; `tidings crawl` sets the output
paths itself. The environment is read here and nowhere else in crawler/.
"""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

BOT_NAME = "tidings"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"


def _version() -> str:
    try:
        return importlib.metadata.version("tidings")
    except importlib.metadata.PackageNotFoundError:
        return "dev"  # running from a source checkout


# --- identity --------------------------------------------------------------------------
# Site owners read this in their logs: say who you are and how to reach you.
USER_AGENT = os.environ.get(
    "TIDINGS_USER_AGENT",
    f"tidings/{_version()} (news dataset crawler; set TIDINGS_USER_AGENT to include your contact URL)",
)

# --- politeness --------------------------------------------------------------------------
ROBOTSTXT_OBEY = True  # as RFC 9309 says: see crawler/robots.py
TIDINGS_ROBOTS_RETRY_SECONDS = 600.0  # a robots.txt that failed (5xx, network) disallows all until asked again
TIDINGS_ROBOTS_MAX_CRAWL_DELAY = 60.0  # a larger Crawl-delay is honoured as this many seconds
# AutoThrottle adapts the delay per site to its response times; it never goes below DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # about one request in flight per site
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16  # across all sites
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many asyncio tasks for the output of every callback, and ours yield one item
# (no item pipeline) or a listing's requests, handled synchronously: the default, 100, cost the
# bare spider 40 % of its time on the 2,000-page local site (benchmarks/crawl.py)
CONCURRENT_ITEMS = 1

# --- robustness --------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # a news page or feed is far smaller; bigger is a mistake or a trap
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2  # 3 tries in all, for 5xx, 408, 429 and network errors
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # a dead page is data (archived, then a reject), not a crawler error
TIDINGS_RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry, doubled for each next one
TIDINGS_RETRY_BACKOFF_MAX = 60.0
# an article still failing that way after its retries is requested again by this many crawls in all
TIDINGS_PENDING_MAX_CRAWLS = 3
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 10
COMPRESSION_ENABLED = True  # gzip/deflate/br/zstd decoded for the spiders; archived as transferred
COOKIES_ENABLED = True  # consent walls and load balancers set cookies; see OfflineCookiesMiddleware
HTTPCACHE_ENABLED = False  # conditional GET is done by IncrementalMiddleware, which archives every fetch

# --- safety ------------------------------------------------------------------------------
# A link in a feed is data from the web: http(s) only, public addresses only unless the source
# declares the host or sets allow_private (crawler/urlpolicy.py, docs/crawling.md). The resolver
# refuses private answers for undeclared names, so DNS rebinding cannot slip past the check.
TWISTED_DNS_RESOLVER = "crawler.urlpolicy.PolicyResolver"
DOWNLOAD_HANDLERS = {"file": None, "s3": None, "ftp": None, "data": None}  # never read local files or buckets
# Both listen on localhost and run code sent to them: never wanted in a scheduled crawler.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- our middlewares and extensions -----------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # with --frontier only: the outermost, so its process_exception sees only fetches that failed for good
    "crawler.frontier.FrontierLeases": 1,
    # before anything else: a refused URL (scheme, private address, every redirect hop) is never sent
    "crawler.urlpolicy.UrlPolicyMiddleware": 10,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.Rfc9309RobotsTxtMiddleware": 100,  # where Scrapy's sits
    # first in, last out: skips seen articles before robots.txt is even consulted, and sees
    # the final response after redirects and retries
    "crawler.middlewares.IncrementalMiddleware": 50,
    "crawler.middlewares.RetryBackoffMiddleware": 560,  # right after RetryMiddleware (550) in requests
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.middlewares.OfflineCookiesMiddleware": 700,
    # with --frontier only: spaces requests to a host across all workers, right before sending
    "crawler.frontier.SharedDomainDelay": 950,
}
SPIDER_MIDDLEWARES = {
    # with --frontier only: the outermost, so that it sees a callback's (or errback's) output last
    "crawler.frontier.FrontierLeases": 1,
}
EXTENSIONS = {
    "crawler.archive.WarcArchive": 100,
    "crawler.frontier.FrontierIdle": 200,  # with --frontier only
}

# --- output ------------------------------------------------------------------------------
# `tidings crawl --output DIR` sets all four; `scrapy crawl` uses TIDINGS_OUTPUT or ./output
TIDINGS_OUTPUT = os.environ.get("TIDINGS_OUTPUT", "output")
TIDINGS_WARC_DIR = str(Path(TIDINGS_OUTPUT) / "warc")
TIDINGS_STATE_DB = str(Path(TIDINGS_OUTPUT) / "state" / "crawl.sqlite")
# a marker per WARC file whose pages are not in the dataset yet: the next `tidings crawl` cleans them
TIDINGS_WARC_UNCLEANED_DIR = str(Path(TIDINGS_OUTPUT) / "state" / "uncleaned")
TIDINGS_WARC_MAX_BYTES = 1024 * 1024 * 1024  # rotate WARC files at about 1 GB
# or after this many responses (0: no limit): a closed file can be cleaned while the crawl goes on
TIDINGS_WARC_MAX_RESPONSES = 250
# every this many responses (and at each file's end) the archive signals the part of the file written
# since the last (warc_written): `tidings crawl` cleans each part while the crawl goes on (0: whole files)
TIDINGS_WARC_PART_RESPONSES = 32

# --- shared frontier (tidings crawl --frontier redis://HOST:PORT/DB; see crawler/frontier.py) ---
# `tidings crawl --frontier` sets TIDINGS_FRONTIER and the scrapy-redis scheduler settings
TIDINGS_FRONTIER = ""
TIDINGS_FRONTIER_PREFIX = "tidings"  # Redis keys: tidings:news:requests, tidings:news:seen, ...
TIDINGS_FRONTIER_LISTING_TTL = 120  # seconds a fetched feed/sitemap/section is not fetched again by any worker
TIDINGS_FRONTIER_IDLE = 10.0  # a worker stops once the queue is empty and no worker was busy this long; 0: never
# a popped request is leased to its worker until handled; a killed worker's go back to the queue
# once its lease (renewed every quarter of it) is this many seconds old, or when it restarts
TIDINGS_FRONTIER_LEASE = 30.0
TIDINGS_FRONTIER_POLL = 0.5  # seconds between two looks at the shared queue of a worker with nothing to do
# TIDINGS_FRONTIER_DOMAIN_DELAY: seconds between two requests to one host across all workers [DOWNLOAD_DELAY]
TIDINGS_WORKER_ID = ""  # in WARC file names and per-worker state; `tidings crawl --worker-id` [host name]

# --- logging -----------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("TIDINGS_CRAWL_LOG_LEVEL", "INFO")
