"""Follow the article links of section (listing) pages, a few levels deep."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from crawler.spiders.base import SourceSpider

__all__ = ["SectionSpider"]

_DEPTH = "tidings_depth"
_PREFIX = "tidings_section"


def _section_prefix(url: str) -> str:
    """Return the URL up to the last '/' of its path: links under it belong to the section."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


class SectionSpider(SourceSpider):
    """Fetch each section page and the article links on it.

    An article link is on the section's host, matches allow and no deny. With depth > 1,
    the other links under the section's path (pagination, sub-sections) are followed as
    listings, up to depth levels. Without allow patterns every link under the section's
    path is taken as an article: give allow patterns for sections.
    """

    name = "sections"
    methods: ClassVar[tuple[str, ...]] = ("sections",)

    def parse_sections(self, response: Response) -> Iterator[scrapy.Request]:
        if self.not_modified(response) or not isinstance(response, TextResponse):
            return
        source = self.source_of(response)
        depth = int(response.meta.get(_DEPTH, 1))
        prefix = response.meta.get(_PREFIX) or _section_prefix(response.url)
        host = urlsplit(response.url).netloc
        for link in LinkExtractor(unique=True).extract_links(response):
            url = link.url
            if urlsplit(url).netloc != host or link.nofollow or source.is_denied(url):
                continue
            if source.allow:
                if source.is_article_url(url):
                    yield self.article_request(url, source)
                elif depth < source.depth and url.startswith(prefix):
                    yield self.listing_request(url, source, self.parse_sections, **{_DEPTH: depth + 1, _PREFIX: prefix})
            elif url.startswith(prefix) and url.rstrip("/") != prefix.rstrip("/"):
                yield self.article_request(url, source)
