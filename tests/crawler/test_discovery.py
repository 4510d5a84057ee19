"""Feed and sitemap parsing, and the dates that decide max_age_days: pure functions, no Scrapy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crawler.entries import Entry, is_too_old, parse_date
from crawler.feeds import parse_feed
from crawler.sitemaps import parse_sitemap

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "news"
BASE = "http://news.test"


def _read(name: str) -> bytes:
    return (SITE / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


def test_rss2_entries_carry_their_metadata() -> None:
    entries = parse_feed(_read("rss.xml"), BASE + "/rss.xml")
    assert [e.url for e in entries][:2] == [f"{BASE}/tech/2026/11/chip-lab.html", f"{BASE}/tech/1999/01/old-story.html"]
    chip = entries[0]
    assert chip.title == "Chipmaker opens Shatin lab"
    assert chip.authors == ("Mei Chan",)
    assert chip.categories == ("Semiconductors",)
    assert chip.description == "A new research lab."  # escaped HTML made plain
    assert chip.hints()["published"] == "Fri, 20 Nov 2026 09:30:00 +0800"  # as given: cleaning parses it
    assert chip.published_at == dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)


def test_atom_takes_the_alternate_link_and_both_dates() -> None:
    entry, outage = parse_feed(_read("atom.xml"), BASE + "/atom.xml")
    assert entry.url == f"{BASE}/world/2026/11/ferry-fares.html"  # not the enclosure link
    assert outage.url == f"{BASE}/world/2026/11/outage.html"  # a link with no rel is the alternate
    assert outage.hints() == {"title": "Power outage hits Kowloon", "modified": "2026-11-20T18:00:00+08:00"}
    assert entry.authors == ("Lee Ka-wai",)
    assert entry.categories == ("Transport",)
    assert entry.hints()["modified"] == "2026-11-19T09:15:00+08:00"
    assert entry.description == "Fares go up in January."


def test_rss1_rdf_reads_dublin_core() -> None:
    (entry,) = parse_feed(_read("rdf.xml"), BASE + "/rdf.xml")
    assert entry.title == "繁體新聞"
    assert entry.authors == ("陳大文",)
    assert entry.categories == ("本地",)
    assert entry.hints()["published"] == "2026-11-18T10:00:00"  # dc:date, as given: no offset invented


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("news@example.com (Jane Doe)", ("Jane Doe",)),
        ("news@example.com", ()),
        ("Jane Doe", ("Jane Doe",)),
    ],
)
def test_rss_author_forms(author: str, expected: tuple[str, ...]) -> None:
    feed = f"<rss><channel><item><link>{BASE}/a</link><author>{author}</author></item></channel></rss>"
    (entry,) = parse_feed(feed.encode(), BASE)
    assert entry.authors == expected


def test_relative_links_guid_fallback_and_junk() -> None:
    feed = b"""<rss><channel>
      <item><link>/relative.html</link></item>
      <item><guid>http://news.test/from-guid</guid></item>
      <item><guid isPermaLink="false">tag:abc</guid></item>
      <item><title>no link at all</title></item>
    </channel></rss>"""
    assert [e.url for e in parse_feed(feed, BASE + "/feeds/rss.xml")] == [f"{BASE}/relative.html", f"{BASE}/from-guid"]
    assert parse_feed(b"<html><body>not a feed</body></html>", BASE) == []
    assert parse_feed(b"\x00\xff garbage", BASE) == []
    assert parse_feed(b"", BASE) == []


def test_entities_are_not_expanded() -> None:
    evil = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <rss><channel><item><link>https://news.test/a</link><title>&x;</title></item></channel></rss>"""
    entries = parse_feed(evil, BASE)
    assert all("root:" not in (e.title or "") for e in entries)


def test_news_sitemap_and_index() -> None:
    sitemap = parse_sitemap(_read("news-sitemap.xml"), BASE)
    gbk, chip = sitemap.entries
    assert gbk.title == "简体新闻"
    assert gbk.tags == ("人工智能", "政策")
    assert gbk.hints()["published"] == "2026-11-18T11:00:00+08:00"
    assert chip.hints() == {"modified": "2026-11-20"}  # a day only: no midnight invented
    index = parse_sitemap(_read("sitemap_index.xml"), BASE)
    assert [c.url for c in index.sitemaps] == [f"{BASE}/sitemap-recent.xml.gz", f"{BASE}/sitemap-1998.xml"]
    assert not index.entries
    assert parse_sitemap(b"<html/>", BASE) == parse_sitemap(b"", BASE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 20 Nov 2026 09:30:00 +0800", dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)),
        ("2026-11-20T09:30:00Z", dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)),
        ("2026-11-20", dt.datetime(2026, 11, 20)),
        ("yesterday-ish", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: dt.datetime | None) -> None:
    assert parse_date(text) == expected


def test_is_too_old_uses_the_source_timezone_for_naive_dates() -> None:
    now = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)
    # 2026-11-21 07:30 in Hong Kong is 2026-11-20 23:30 UTC: 24.5 hours before now
    entry = Entry(url="u", published="2026-11-21T07:30:00")
    assert is_too_old(entry, max_age_days=1, timezone="Asia/Hong_Kong", now=now)
    assert not is_too_old(entry, max_age_days=1, timezone="UTC", now=now)
    assert not is_too_old(Entry(url="u"), max_age_days=1, timezone=None, now=now)  # undated: keep
    assert not is_too_old(entry, max_age_days=None, timezone=None, now=now)
