"""Follow every recent entry of RSS 2.0, RSS 1.0 and Atom feeds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import scrapy
from scrapy.http import Response
from scrapy.utils.gz import gunzip

from crawler.feeds import read_feed
from crawler.spiders.base import SourceSpider

__all__ = ["FeedSpider"]

_GZIP_MAGIC = b"\x1f\x8b"


class FeedSpider(SourceSpider):
    """Fetch each source's feeds, then each entry's article page."""

    name = "feeds"
    methods: ClassVar[tuple[str, ...]] = ("feeds",)

    def parse_feeds(self, response: Response) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        body = response.body
        if body.startswith(_GZIP_MAGIC):  # a .xml.gz file, not Content-Encoding
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        feed = read_feed(body, response.url, content_type=content_type)  # the HTTP charset counts
        for problem in feed.problems:
            self.crawler.stats.inc_value("crawler/feed/problems")
            self.logger.info("feed %s: %s", response.url, problem)
        entries = list(feed.entries)
        if not entries:
            self.crawler.stats.inc_value("crawler/feed/empty")
            self.logger.warning("no entries in feed %s (status %d)", response.url, response.status)
        yield from self.article_requests(entries, self.source_of(response))
