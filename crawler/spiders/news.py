"""All three discovery methods in one crawl: what `tidings crawl` runs."""

from __future__ import annotations

from typing import ClassVar

from crawler.spiders.feeds import FeedSpider
from crawler.spiders.sections import SectionSpider
from crawler.spiders.sitemaps import SitemapSpider

__all__ = ["NewsSpider"]


class NewsSpider(FeedSpider, SitemapSpider, SectionSpider):
    """Crawl feeds, sitemaps and sections of every selected source, sharing one duplicate filter."""

    name = "news"
    methods: ClassVar[tuple[str, ...]] = ("feeds", "sitemaps", "sections")
