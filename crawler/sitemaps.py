"""Read sitemap indexes, urlsets and Google News sitemaps into Entries, without Scrapy."""

from __future__ import annotations

import dataclasses
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.entries import Entry, clean_text
from crawler.markup import children, first_text, local_name, parse_xml

__all__ = ["Sitemap", "parse_sitemap"]


@dataclasses.dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: child sitemaps (from an index) and article entries (from a urlset)."""

    sitemaps: tuple[Entry, ...] = ()
    entries: tuple[Entry, ...] = ()
    problems: tuple[str, ...] = ()  # <loc>s skipped (malformed URLs): for the log, never fatal


def _absolute(base_url: str, loc: str) -> str | None:
    try:
        url = urljoin(base_url, loc.strip())
        urlsplit(url).port  # noqa: B018  raises on "http://host:port" with a bad port
    except ValueError:  # "Invalid IPv6 URL" and kin: one bad <loc> must not lose the sitemap
        return None
    return url  # other schemes too: the crawler's URL policy refuses them, recorded as blocked_url


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
    if kind not in ("sitemapindex", "urlset"):
        return Sitemap()
    found: list[Entry] = []
    problems: list[str] = []
    for number, element in enumerate(children(root, "sitemap" if kind == "sitemapindex" else "url"), start=1):
        loc = first_text(element, "loc")
        if not loc:
            continue
        url = _absolute(base_url, loc)
        if url is None:
            problems.append(f"<loc> {number} skipped: malformed URL {loc[:200]!r}")
        elif kind == "sitemapindex":
            found.append(Entry(url=url, modified=first_text(element, "lastmod")))
        else:
            found.append(_news_entry(url, first_text(element, "lastmod"), next(children(element, "news"), None)))
    if kind == "sitemapindex":
        return Sitemap(sitemaps=tuple(found), problems=tuple(problems))
    return Sitemap(entries=tuple(found), problems=tuple(problems))
