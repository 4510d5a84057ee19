"""Read sitemap indexes, urlsets and Google News sitemaps into Entries, without Scrapy."""

from __future__ import annotations

import dataclasses
from urllib.parse import urljoin

from lxml import etree

from crawler.entries import Entry, clean_text
from crawler.markup import children, first_text, local_name, parse_xml

__all__ = ["Sitemap", "parse_sitemap"]


@dataclasses.dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: child sitemaps (from an index) and article entries (from a urlset)."""

    sitemaps: tuple[Entry, ...] = ()
    entries: tuple[Entry, ...] = ()


def _news_entry(url: str, lastmod: str | None, news: etree._Element | None) -> Entry:
    if news is None:
        return Entry(url=url, modified=lastmod)
    keywords = first_text(news, "keywords") or ""
    published = first_text(news, "publication_date")
    return Entry(
        url=url,
        title=clean_text(first_text(news, "title")),
        published=published,
        modified=lastmod if lastmod != published else None,
        tags=tuple(t for t in (clean_text(k) for k in keywords.split(",")) if t),
    )


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """Parse an uncompressed sitemap; an empty Sitemap when body is neither an index nor a urlset."""
    root = parse_xml(body)
    if root is None:
        return Sitemap()
    kind = local_name(root)
    if kind == "sitemapindex":
        found = []
        for element in children(root, "sitemap"):
            loc = first_text(element, "loc")
            if loc:
                found.append(Entry(url=urljoin(base_url, loc), modified=first_text(element, "lastmod")))
        return Sitemap(sitemaps=tuple(found))
    if kind != "urlset":
        return Sitemap()
    entries = []
    for element in children(root, "url"):
        loc = first_text(element, "loc")
        if not loc:
            continue
        news = next(children(element, "news"), None)
        entries.append(_news_entry(urljoin(base_url, loc), first_text(element, "lastmod"), news))
    return Sitemap(entries=tuple(entries))
