"""Structural checks of the bundled demo site: it parses, decodes, links up and matches its expectations.

These tests read the files only; the crawl and clean of the site are tested end to end elsewhere.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
import tomllib
import urllib.robotparser
import zoneinfo
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree, html

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tidings" / "demo"
SITE = DEMO / "site"
EXPECTED = ROOT / "tests" / "fixtures" / "demo_expected.json"
BASE = "http://127.0.0.1:8765"  # any loopback base; the server substitutes the real one
PLACEHOLDER = "{{BASE}}"

# WHATWG encoding labels (what browsers do): gb2312 means GBK, big5 means Big5-HKSCS.
# The demo pages rely on this, so the test decodes the same way.
WHATWG_CODEC = {"utf-8": "utf-8", "gbk": "gbk", "gb2312": "gbk", "x-gbk": "gbk", "big5": "big5hkscs"}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
XML_SUFFIXES = {".xml", ".rss", ".atom"}
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?")
RFC822_DATETIME = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}")
CHINESE_DATELINE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(上午|下午)?(\d{1,2}):(\d{2})")


@cache
def routes() -> dict[str, dict]:
    return json.loads((SITE / "_routes.json").read_text(encoding="utf-8"))


@cache
def expected() -> dict:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@cache
def sources() -> list[dict]:
    text = (DEMO / "sources.toml").read_text(encoding="utf-8").replace(PLACEHOLDER, BASE)
    return tomllib.loads(text)["source"]


def site_files(*suffixes: str) -> list[Path]:
    return sorted(p for p in SITE.rglob("*") if p.is_file() and p.suffix in suffixes)


def url_path(path: Path) -> str:
    return "/" + path.relative_to(SITE).as_posix()


def served(path: Path) -> bytes:
    """The bytes the demo server sends: the placeholder replaced at byte level."""
    return path.read_bytes().replace(PLACEHOLDER.encode(), BASE.encode())


def declared_charset(path: Path) -> tuple[str, str]:
    """Return (charset, where declared): the HTTP header from _routes.json wins over the page's meta."""
    header = routes().get(url_path(path), {}).get("headers", {}).get("Content-Type", "")
    if "charset=" in header:
        return header.split("charset=")[1].strip().lower(), "header"
    match = META_CHARSET.search(path.read_bytes()[:1024])
    assert match, f"{url_path(path)} declares no charset (add <meta charset> or a Content-Type route)"
    return match.group(1).decode("ascii").lower(), "meta"


def decoded(path: Path) -> str:
    charset, _ = declared_charset(path)
    return served(path).decode(WHATWG_CODEC[charset])


def local_path(url: str, referrer: str) -> str | None:
    """Path on the demo host that url points to, or None for an in-page anchor."""
    if url.startswith("#"):
        return None
    absolute = urljoin(BASE + referrer, url)
    parts = urlsplit(absolute)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, f"{referrer} links off the demo host: {url}"
    return parts.path


def resolves(path: str) -> bool:
    route = routes().get(path)
    if route and route.get("status") in {301, 302}:
        return resolves(route["location"])
    if route and route.get("status") == 404:
        return True  # a deliberate 404: a declared route
    return (SITE / path.lstrip("/")).is_file()


def html_links(path: Path) -> list[str]:
    tree = html.fromstring(decoded(path))
    links = tree.xpath("//a/@href | //link/@href | //meta[@property='og:url']/@content")
    return [str(link) for link in links]


def xml_links(path: Path) -> list[str]:
    tree = etree.fromstring(served(path))
    rdf = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
    links: list[str] = []
    for el in tree.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        if etree.QName(el).localname in {"link", "loc"} and el.text:
            links.append(el.text)
        links += [value for key in ("href", rdf + "resource", rdf + "about") if (value := el.get(key))]
    return [link.strip() for link in links]


@pytest.mark.parametrize("path", site_files(*XML_SUFFIXES), ids=url_path)
def test_feeds_and_sitemaps_parse_as_xml(path: Path) -> None:
    root = etree.fromstring(served(path))
    assert etree.QName(root).localname in {"rss", "RDF", "feed", "urlset", "sitemapindex"}


@pytest.mark.parametrize("path", site_files(".html"), ids=url_path)
def test_html_decodes_strictly_in_its_declared_charset(path: Path) -> None:
    charset, _ = declared_charset(path)
    assert charset in WHATWG_CODEC, f"{url_path(path)}: unexpected charset {charset}"
    text = decoded(path)  # raises UnicodeDecodeError on a single bad byte
    # the server replaces bytes, not characters: that must equal replacing in the decoded text
    raw_text = path.read_bytes().decode(WHATWG_CODEC[charset])
    assert text == raw_text.replace(PLACEHOLDER, BASE)


def test_encoding_traps_are_real() -> None:
    """The pages that test charset handling really need it (else the demo shows nothing)."""
    by_charset = {p: declared_charset(p) for p in site_files(".html")}
    header_big5 = [p for p, (c, where) in by_charset.items() if c == "big5" and where == "header"]
    meta_big5 = [p for p, (c, where) in by_charset.items() if c == "big5" and where == "meta"]
    gb = [p for p, (c, _) in by_charset.items() if c in {"gbk", "gb2312"}]
    assert header_big5, "no page declares Big5 only in the HTTP header"
    assert meta_big5, "no page declares Big5 only in a meta"
    assert len(gb) >= 2, "want a gbk and a gb2312 page"
    for path in header_big5:
        assert not META_CHARSET.search(path.read_bytes()), "the header-only Big5 page must not repeat it in a meta"
    for path in [*header_big5, *meta_big5, *gb]:
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    # one gb2312 page holds GBK-only characters, one big5 page HKSCS characters
    assert any(c == "gb2312" and _fails(p, "gb2312") for p, (c, _) in by_charset.items())
    assert any(_fails(p, "big5") for p in meta_big5)


def _fails(path: Path, codec: str) -> bool:
    try:
        path.read_bytes().decode(codec)
    except UnicodeDecodeError:
        return True
    return False


@pytest.mark.parametrize("path", site_files(".html", *XML_SUFFIXES), ids=url_path)
def test_every_link_resolves_to_a_file_or_a_declared_route(path: Path) -> None:
    links = html_links(path) if path.suffix == ".html" else xml_links(path)
    referrer = url_path(path)
    broken = [link for link in links if (target := local_path(link, referrer)) and not resolves(target)]
    assert not broken, f"{referrer} links to missing pages: {broken}"


def test_routes_are_consistent() -> None:
    for path, route in routes().items():
        exists = (SITE / path.lstrip("/")).is_file()
        status = route.get("status")
        if status in {301, 302}:
            assert not exists, f"{path} redirects, so it must not also be a file"
            assert resolves(route["location"]), path
        elif status == 404:
            assert not exists, f"{path} is declared 404 but the file exists"
        else:
            assert exists, f"{path}: a route that serves the file needs the file"


def test_expectations_cover_every_page_exactly_once() -> None:
    articles = {a["path"] for a in expected()["articles"]}
    others = {n["path"] for n in expected()["non_articles"]}
    assert not articles & others
    assert 12 <= len(articles) <= 20
    for path in articles:
        assert (SITE / path.lstrip("/")).is_file(), path
        assert routes().get(path, {}).get("status") in {None, 500}, f"{path}: an article must end up served"
    for path in others:
        assert (SITE / path.lstrip("/")).is_file() or path in routes(), path
    pages = {url_path(p) for p in site_files(".html", ".txt", *XML_SUFFIXES)}
    assert not pages - articles - others, "every page needs an expectation (article or non-article)"
    names = {s["name"] for s in sources()}
    assert {a["source"] for a in expected()["articles"]} == names == set(expected()["sources"])
    for group in expected()["duplicate_groups"].values():
        assert set(group["paths"]) <= articles
        assert len(group["paths"]) >= 2
        assert {a["duplicate_group"] for a in expected()["articles"] if a["path"] in group["paths"]} != {None}


def test_expected_snippets_are_in_the_pages() -> None:
    for article in expected()["articles"]:
        text = decoded(SITE / article["path"].lstrip("/"))
        for snippet in article["must_contain"]:
            assert snippet in text, (article["path"], snippet)
        for snippet in article["must_not_contain"]:
            # boilerplate the clean must remove has to be there to remove (the tracking parameter is in the feed)
            assert snippet in text or snippet == "utm_source", (article["path"], snippet)
        assert article["title"] in text


def _page_datetimes(text: str, timezone: str) -> set[str]:
    """Every date-time the text states, in UTC ISO form; naive ones read in timezone."""
    found = set()
    for match in ISO_DATETIME.findall(text):
        value = dt.datetime.fromisoformat(match.replace(" ", "T"))
        found.add(_utc(value, timezone))
    for match in RFC822_DATETIME.findall(text):
        found.add(_utc(dt.datetime.strptime(match, "%a, %d %b %Y %H:%M:%S %z"), timezone))
    for year, month, day, half, hour, minute in CHINESE_DATELINE.findall(text):
        hour_24 = int(hour) + (12 if half == "下午" and int(hour) < 12 else 0)
        found.add(_utc(dt.datetime(int(year), int(month), int(day), hour_24, int(minute)), timezone))
    return found


def _utc(value: dt.datetime, timezone: str) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zoneinfo.ZoneInfo(timezone))
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_expected_dates_are_stated_where_the_expectations_say() -> None:
    """Each expected UTC date is what the page (or, for feed dates, a feed or sitemap) actually says."""
    zones = {s["name"]: s["timezone"] for s in sources()}
    feed_text = "\n".join(served(p).decode("utf-8") for p in site_files(*XML_SUFFIXES))
    for article in expected()["articles"]:
        page = decoded(SITE / article["path"].lstrip("/"))
        zone = zones[article["source"]]
        if article["published_source"] is None:
            assert article["published_at"] is None
            assert "missing_date" in article["flags_include"]
            assert not _page_datetimes(page, zone), f"{article['path']} is meant to be undated"
            assert article["path"] not in feed_text, "an undated page must not be in a feed that could date it"
            continue
        where = feed_text if article["published_source"] == "feed" else page
        assert article["published_at"] in _page_datetimes(where, zone), article["path"]


def _discover(source: dict) -> set[str]:
    """Paths a polite crawl of one source requests for articles: feed/sitemap/section links it may follow."""
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(served(SITE / "robots.txt").decode("utf-8").splitlines())
    pending = [local_path(u, "/") for u in (*source["feeds"], *source["sitemaps"])]
    links: set[str] = set()
    while pending:
        path = pending.pop()
        for link in xml_links(SITE / path.lstrip("/")):
            target = local_path(link, path)
            if target and target.endswith(".xml") and "sitemap" in target and target != path:
                pending.append(target)  # sitemap index -> child sitemaps
            elif target:
                links.add(target)
    for section in source["sections"]:
        page = local_path(section, "/")
        links |= {t for link in html_links(SITE / page.lstrip("/")) if (t := local_path(link, page))}
    return {
        path
        for path in links
        if any(re.search(rule, BASE + path) for rule in source["allow"])
        and not any(re.search(rule, BASE + path) for rule in source["deny"])
        and robots.can_fetch("*", BASE + path)
    }


def test_discovery_reaches_exactly_the_expected_pages() -> None:
    requested: set[str] = set()
    for source in sources():
        found = _discover(source)
        mine = {a["path"] for a in expected()["articles"] if a["source"] == source["name"]}
        # follow redirects the way the crawler will
        landed = {routes()[p]["location"] if routes().get(p, {}).get("status") in {301, 302} else p for p in found}
        assert mine <= landed, f"{source['name']}: unreachable articles {sorted(mine - landed)}"
        requested |= found | landed
    articles = {a["path"] for a in expected()["articles"]}
    fetched_others = {n["path"] for n in expected()["non_articles"] if n["fetched"]}
    never = {n["path"] for n in expected()["non_articles"] if not n["fetched"]}
    assert requested <= articles | fetched_others
    assert not requested & never
    assert "/harbourtech/2025/03/05/withdrawn-story.html" in requested  # the 404 is linked and followed


def test_site_stays_small() -> None:
    assert sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file()) < 300_000


def test_every_site_file_ships_as_package_data() -> None:
    """A file type missing from pyproject's package-data would vanish from an installed tidings."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["*"]
    unshipped = [
        url_path(p)
        for p in SITE.rglob("*")
        if p.is_file() and not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)
    ]
    assert not unshipped, f"add their suffixes to [tool.setuptools.package-data] in pyproject.toml: {unshipped}"
