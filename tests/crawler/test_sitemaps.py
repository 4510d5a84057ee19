"""Sitemaps as Scrapy reads them (its own fixtures), and the robustness feeds need too."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy.utils.sitemap import Sitemap as ScrapySitemap

from crawler.sitemaps import parse_sitemap

SCRAPY_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scrapy-sitemaps"
BASE = "http://news.test/sitemap.xml"


@pytest.mark.parametrize("path", sorted(SCRAPY_FIXTURES.glob("*.xml")), ids=lambda p: p.stem)
def test_reads_scrapys_sitemap_fixtures_as_scrapy_does(path: Path) -> None:
    body = path.read_bytes()
    theirs = ScrapySitemap(body)
    expected = [(d["loc"].strip(), d.get("lastmod") or None) for d in theirs if d.get("loc", "").strip()]
    ours = parse_sitemap(body, BASE)
    found = ours.sitemaps if theirs.type == "sitemapindex" else ours.entries
    assert [(e.url, e.modified or e.published) for e in found] == expected
    assert not (ours.entries if theirs.type == "sitemapindex" else ours.sitemaps)


def test_entity_expansion_is_never_done() -> None:
    body = (SCRAPY_FIXTURES / "test_utils_sitemap-test_xml_entity_expansion-1.xml").read_bytes()
    assert all("root:" not in e.url for e in parse_sitemap(body, BASE).entries)


def _urlset(*locs: str) -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def test_a_stray_ampersand_or_html_entity_loses_no_later_escape() -> None:
    sitemap = parse_sitemap(
        _urlset("http://news.test/a?q=R&D", "http://news.test/caf&eacute;", "http://news.test/b?x=1&amp;y=2"), BASE
    )
    assert [e.url for e in sitemap.entries] == [
        "http://news.test/a?q=R&D",
        "http://news.test/café",
        "http://news.test/b?x=1&y=2",
    ]


def test_cdata_is_left_as_written() -> None:
    sitemap = parse_sitemap(_urlset("<![CDATA[http://news.test/a?x=1&amp;y=2]]>"), BASE)
    assert [e.url for e in sitemap.entries] == ["http://news.test/a?x=1&amp;y=2"]


def test_one_malformed_url_costs_only_its_loc() -> None:
    sitemap = parse_sitemap(
        _urlset("http://[::1/broken", "http://news.test:99999/port", "mailto:x@news.test", "/relative.html"), BASE
    )
    # other schemes reach the crawler, whose URL policy records them as blocked_url
    assert [e.url for e in sitemap.entries] == ["mailto:x@news.test", "http://news.test/relative.html"]
    assert len(sitemap.problems) == 2


def test_an_index_with_a_bad_loc_keeps_its_other_children() -> None:
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>http://[bad/sitemap.xml</loc></sitemap>
      <sitemap><loc>http://news.test/sitemap-2.xml.gz</loc><lastmod>2026-12-01T10:00:00+01:00</lastmod></sitemap>
    </sitemapindex>"""
    sitemap = parse_sitemap(index, BASE)
    assert [(e.url, e.modified) for e in sitemap.sitemaps] == [
        ("http://news.test/sitemap-2.xml.gz", "2026-12-01T10:00:00+01:00")
    ]
    assert len(sitemap.problems) == 1


def test_gzipped_sitemaps_are_read_by_the_spider_not_the_parser() -> None:
    # the spider gunzips .xml.gz bodies (crawler/spiders/sitemaps.py); the parser sees XML only
    assert parse_sitemap(gzip.compress(_urlset("http://news.test/a")), BASE).entries == ()
