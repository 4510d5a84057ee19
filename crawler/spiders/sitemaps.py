"""Follow sitemap indexes and the recent URLs of urlsets and Google News sitemaps (.xml or .xml.gz)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import scrapy
from scrapy.http import Response
from scrapy.utils.gz import gunzip

from crawler.entries import is_too_old
from crawler.sitemaps import parse_sitemap
from crawler.spiders.base import SourceSpider

__all__ = ["SitemapSpider"]

_GZIP_MAGIC = b"\x1f\x8b"


class SitemapSpider(SourceSpider):
    """Fetch each source's sitemaps, the recent child sitemaps of an index, and their articles."""

    name = "sitemaps"
    methods: ClassVar[tuple[str, ...]] = ("sitemaps",)

    def parse_sitemaps(self, response: Response) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        body = response.body
        if body.startswith(_GZIP_MAGIC):  # sitemap.xml.gz is a gzip file, not Content-Encoding
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        source = self.source_of(response)
        sitemap = parse_sitemap(body, response.url)
        for problem in sitemap.problems:
            self.crawler.stats.inc_value("crawler/sitemap/problems")
            self.logger.info("sitemap %s: %s", response.url, problem)
        if not sitemap.sitemaps and not sitemap.entries:
            self.crawler.stats.inc_value("crawler/sitemap/empty")
            self.logger.warning("no URLs in sitemap %s (status %d)", response.url, response.status)
        for child in sitemap.sitemaps:
            # an index lists archives back to the site's first day: skip children not changed lately
            if is_too_old(child, max_age_days=source.max_age_days, timezone=source.timezone, now=self.started_at):
                self.crawler.stats.inc_value("crawler/skipped/too_old")
                continue
            yield self.listing_request(child.url, source, self.parse_sitemaps)
        yield from self.article_requests(sitemap.entries, source)
