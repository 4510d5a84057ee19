"""Feed reading against feedparser's own corpus, and the cases real feeds broke the old reader on."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest

from benchmarks.feeds import compare, compare_date
from cleaning.metadata.dates import parse_date
from crawler.feeds import parse_feed, read_feed

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "feedparser"
BASE = "http://news.test/feeds/rss.xml"


def _rss(*items: str, head: str = "") -> bytes:
    return f"<?xml version='1.0'?>{head}<rss version='2.0'><channel>{''.join(items)}</channel></rss>".encode()


@pytest.mark.parametrize("path", sorted(CORPUS.rglob("*.xml")), ids=lambda p: str(p.relative_to(CORPUS)))
def test_agrees_with_feedparser_on_its_corpus(path: Path) -> None:
    result = compare(path)
    assert result["crashed"] is None
    for row in result["cmp"]:
        assert row["link"], row
        assert row["title"], row
        assert row["date"], row


def test_dates_of_the_corpus_entries_read_as_feedparser_reads_them() -> None:
    from benchmarks.feeds import raw_dates

    strings = [text for path in sorted(CORPUS.rglob("*.xml")) for text in raw_dates(path)]
    assert len(strings) > 40
    assert [s for s in strings if not compare_date(s)[0]] == []


def test_a_stray_ampersand_or_html_entity_loses_no_later_escape() -> None:
    feed = _rss(
        "<item><title>Q&A &hellip; caf&eacute;</title><link>http://news.test/a?x=1&amp;y=2</link></item>",
        "<item><title>R&amp;D &lt;3</title><link>http://news.test/b?p=1&amp;q=2</link></item>",
    )
    first, second = parse_feed(feed, BASE)
    assert (first.url, second.url) == ("http://news.test/a?x=1&y=2", "http://news.test/b?p=1&q=2")
    assert first.title == "Q&A … café"
    assert second.title == "R&D <3"


def test_atom_text_titles_stay_text_and_xml_base_resolves_links() -> None:
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://news.test/world/">
      <entry><title type="text">vector&lt;int&gt; in C++</title><link href="2026/a.html"/>
        <updated>2026-11-20T10:00:00+01:00</updated></entry>
      <entry xml:base="/tech/"><title type="html">&lt;b&gt;Bold&lt;/b&gt; move</title><link href="b.html"/></entry>
    </feed>"""
    first, second = parse_feed(feed, "http://other.test/atom.xml")
    assert (first.url, first.title) == ("http://news.test/world/2026/a.html", "vector<int> in C++")
    assert (second.url, second.title) == ("http://news.test/tech/b.html", "Bold move")
    assert first.hints()["modified"] == "2026-11-20T10:00:00+01:00"


def test_base64_atom_content() -> None:
    encoded = base64.b64encode(b"Example <b>Atom</b> summary").decode()
    feed = f"""<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>
      <title mode="base64">{base64.b64encode(b"Example <b>Atom</b>").decode()}</title>
      <link rel="alternate" type="text/html" href="http://news.test/a.html"/>
      <summary type="text/html" mode="base64">{encoded}</summary></entry></feed>""".encode()
    (entry,) = parse_feed(feed, BASE)
    # an Atom 0.3 title with no type is text: its "<b>" is text too
    assert (entry.title, entry.description) == ("Example <b>Atom</b>", "Example Atom summary")


def test_one_malformed_url_costs_only_its_entry() -> None:
    feed = _rss(
        "<item><title>bad</title><link>http://[::1/broken</link></item>",
        "<item><title>good</title><link>http://news.test/good.html</link></item>",
    )
    parsed = read_feed(feed, BASE)
    assert [e.url for e in parsed.entries] == ["http://news.test/good.html"]
    assert any("entry 1" in problem for problem in parsed.problems)


def test_the_http_charset_is_consulted_and_windows_1252_read_as_browsers_do() -> None:
    feed = "<rss version='2.0'><channel><item><title>\u201cQuoted\u201d – caf\u00e9</title>"
    feed += "<link>http://news.test/q.html</link></item></channel></rss>"
    body = feed.encode("windows-1252")
    (entry,) = parse_feed(body, BASE, content_type="text/xml; charset=iso-8859-1")
    assert entry.title == "\u201cQuoted\u201d – caf\u00e9"
    gbk = feed.replace("caf\u00e9", "新闻").encode("gbk")
    (entry,) = parse_feed(gbk, BASE, content_type="application/rss+xml; charset=gbk")
    assert entry.title == "\u201cQuoted\u201d – 新闻"


def test_not_a_feed() -> None:
    for body in (b"<html><body>not a feed</body></html>", b"\x00\xff garbage", b""):
        assert parse_feed(body, BASE) == []
        assert not read_feed(body, BASE).is_feed


def test_feedparser_never_opens_what_the_body_names(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(_rss("<item><link>http://news.test/leak</link></item>"))
    assert parse_feed(str(secret).encode(), BASE) == []


@pytest.mark.parametrize(
    ("text", "expected_utc", "offset"),
    [
        ("Thu, 03 Dec 2026 09:30:00 CET", dt.datetime(2026, 12, 3, 8, 30), 60),
        ("Thu, 03 Dec 2026 09:30:00 JST", dt.datetime(2026, 12, 3, 0, 30), 540),
        ("Thu, 03 Dec 2026 09:30:00 +02:00", dt.datetime(2026, 12, 3, 7, 30), 120),
        ("Thu, 03 Dec 2026 09:30:00 GMT+8", dt.datetime(2026, 12, 3, 1, 30), 480),
        ("Thu, 03 Jul 2026 09:30:00 EDT", dt.datetime(2026, 7, 3, 13, 30), -240),
        ("Thu, 03 Dec 2026 09:30:00 CST", dt.datetime(2026, 12, 3, 15, 30), -360),  # RFC 822: US Central
        ("Thu, 03 Dec 26 09:30 PT", dt.datetime(2026, 12, 3, 17, 30), -480),
        ("Thu, 03 Dec 2026 09:30:00 Europe/Paris", dt.datetime(2026, 12, 3, 8, 30), 60),
        ("Sun Jul 15 01:16:00 +0000 2012", dt.datetime(2012, 7, 15, 1, 16), 0),
        ("Sun Jan  4 16:29:06 2004", dt.datetime(2004, 1, 4, 16, 29, 6), None),
    ],
)
def test_rfc822_feed_dates_keep_their_zone(text: str, expected_utc: dt.datetime, offset: int | None) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.at == expected_utc.replace(tzinfo=dt.UTC)
    assert parsed.offset == offset


def test_rfc822_dates_without_a_zone_are_read_in_the_source_zone() -> None:
    hong_kong = dt.timezone(dt.timedelta(hours=8))
    parsed = parse_date("Thu, 03 Dec 2026 09:30:00 -0000", timezone=hong_kong)
    assert parsed is not None
    assert parsed.at == dt.datetime(2026, 12, 3, 1, 30, tzinfo=dt.UTC)
    # an abbreviation that names no one zone (IST: India, Ireland, Israel) is read in the source's zone
    india = parse_date("Thu, 03 Dec 2026 09:30:00 IST", timezone=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert india is not None
    assert india.at == dt.datetime(2026, 12, 3, 4, 0, tzinfo=dt.UTC)
    # a broken zone or time is no date at all, not a date read as UTC
    assert parse_date("Sun, 16 Dec 2012 11:47:32 +zz:00") is None
    assert parse_date("Sun, 16 Dec 2012 1:2:3:4 GMT") is None
