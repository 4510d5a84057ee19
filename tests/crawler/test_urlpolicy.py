"""The URL policy and robots.txt (RFC 9309), against sites on 127.0.0.1 whose feeds link where they must not.

No test sends traffic anywhere but 127.0.0.1: refused URLs are refused before any
connection, and a second loopback server stands for "an undeclared port" and counts what it gets.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import tidings
from crawler.archive import FETCH_ERROR_FIELD
from crawler.sources import parse_sources
from crawler.urlpolicy import UrlPolicy, is_public_address
from tests.crawler.conftest import metadata, read_warc, run_crawl
from tidings.demo.server import DemoServer

ARTICLE = "<html><head><title>{title}</title></head><body><article><p>{text}</p></article></body></html>"
HOSTILE_LINKS = [
    "http://169.254.169.254/latest/user-data",
    "http://10.1.2.3/internal.html",
    "http://192.168.0.1/router.html",
    "http://[::1]/v6-loopback.html",
    "http://[fe80::1]/v6-link-local.html",
    "http://224.0.0.1/multicast.html",
    "http://0.0.0.0/unspecified.html",
    "s3://bucket/key",
    "file:///etc/passwd",
    "ftp://127.0.0.1/file.txt",
    "data:text/html,hi",
]


def rss(links: list[str]) -> str:
    items = "".join(f"<item><title>t</title><link>{link.replace('&', '&amp;')}</link></item>" for link in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'


def urlset(links: list[str]) -> str:
    entries = "".join(f"<url><loc>{link.replace('&', '&amp;').replace('<', '&lt;')}</loc></url>" for link in links)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def make_site(root: Path, links: list[str], routes: dict[str, object], robots: str = "User-agent: *\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "feed.xml").write_text(rss(links), encoding="utf-8")
    # feed parsing drops links that are not http(s); a sitemap's <loc> reaches the crawler as written
    (root / "sitemap.xml").write_text(urlset(links), encoding="utf-8")
    (root / "robots.txt").write_text(robots, encoding="utf-8")
    (root / "story.html").write_text(ARTICLE.format(title="Story", text="A story on the declared host. " * 20))
    (root / "_routes.json").write_text(json.dumps(routes), encoding="utf-8")
    return root


def sources_file(path: Path, feed: str, extra: str = "") -> Path:
    path.write_text(f'[[source]]\nname = "hostile"\nfeeds = ["{feed}"]\n{extra}', encoding="utf-8")
    return path


def feed_and_sitemap(path: Path, base: str) -> Path:
    return sources_file(path, f"{base}/feed.xml", f'sitemaps = ["{base}/sitemap.xml"]\n')


# --- the rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
    ],
)
def test_public_addresses_are_told_apart(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_a_declared_private_host_and_port_is_allowed_and_nothing_else() -> None:
    (source,) = parse_sources('[[source]]\nname = "s"\nfeeds = ["http://127.0.0.1:8080/feed.xml"]\n')
    policy = UrlPolicy.from_sources([source])
    loopback = ipaddress.ip_address("127.0.0.1")
    assert policy.address_refusal("http://127.0.0.1:8080/a.html", loopback, "s") is None
    refusal = policy.address_refusal("http://127.0.0.1:9090/a.html", loopback, "s")
    assert refusal is not None
    assert "loopback" in refusal
    assert "127.0.0.1:9090 is not a declared URL" in refusal
    metadata_ip = ipaddress.ip_address("169.254.169.254")
    assert "link-local" in (policy.address_refusal("http://169.254.169.254/", metadata_ip, "s") or "")
    mapped = ipaddress.ip_address("::ffff:10.0.0.1")
    assert policy.address_refusal("http://[::ffff:10.0.0.1]/", mapped, "s") is not None
    for url in ("file:///etc/passwd", "s3://bucket/key", "ftp://example.com/", "data:,x", "gopher://x/"):
        assert "http and https only" in (policy.scheme_refusal(url) or ""), url


def test_allow_private_opens_private_addresses_for_that_source_only() -> None:
    text = (
        '[[source]]\nname = "intranet"\nfeeds = ["https://news.example.com/feed.xml"]\nallow_private = true\n'
        '[[source]]\nname = "public"\nfeeds = ["https://example.org/feed.xml"]\n'
    )
    policy = UrlPolicy.from_sources(parse_sources(text))
    private = ipaddress.ip_address("10.0.0.7")
    assert policy.address_refusal("http://wiki.corp/a", private, "intranet") is None
    assert policy.address_refusal("http://wiki.corp/a", private, "public") is not None
    assert policy.allows_private_name("anything.example")  # some source allows private answers


def test_allow_private_must_be_a_boolean() -> None:
    with pytest.raises(ValueError, match="allow_private"):
        parse_sources('[[source]]\nname = "s"\nfeeds = ["https://e.com/f"]\nallow_private = "yes"\n')


# --- a crawl of a site whose feed links everywhere ------------------------------------------------


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("hostile-crawl")
    bystander = make_site(root / "bystander", [], {})
    with DemoServer(bystander) as other:
        undeclared = f"{other.base_url}/story.html"  # another port on 127.0.0.1: not declared
        named = f"http://localhost:{other.port}/story.html"  # a name that resolves to loopback
        links = [
            *HOSTILE_LINKS,
            undeclared,
            named,
            "{{BASE}}/to-other-port",
            "{{BASE}}/to-metadata",
            "{{BASE}}/story.html",
        ]
        routes = {
            "/to-other-port": {"status": 302, "location": undeclared},
            "/to-metadata": {"status": 301, "location": "http://169.254.169.254/latest/meta-data/"},
        }
        site = make_site(root / "site", links, routes)
        with DemoServer(site) as server:
            sources = feed_and_sitemap(root / "sources.toml", server.base_url)
            result = run_crawl(sources, root / "output")
            served = [r.path for r in server.requests]
        bystander_requests = [r.path for r in other.requests]
    return {
        "result": result,
        "base": server.base_url,
        "served": served,
        "bystander": bystander_requests,
        "records": read_warc(root / "output" / "warc"),
        "rejects": tidings.load_rejects(root / "output"),
        "articles": tidings.load(root / "output"),
        "undeclared": undeclared,
        "named": named,
    }


def test_the_declared_site_is_crawled(hostile_crawl: dict[str, object]) -> None:
    assert hostile_crawl["result"].returncode == 0, hostile_crawl["result"].stderr  # type: ignore[attr-defined]
    articles = hostile_crawl["articles"]
    assert isinstance(articles, pd.DataFrame)
    assert articles["url"].tolist() == [f"{hostile_crawl['base']}/story.html"]


def test_nothing_was_sent_to_an_undeclared_port(hostile_crawl: dict[str, object]) -> None:
    # neither the direct link, the name resolving to loopback, nor the redirect reached it
    assert hostile_crawl["bystander"] == []


def test_every_refused_url_is_a_blocked_url_reject_with_its_reason(hostile_crawl: dict[str, object]) -> None:
    rejects = hostile_crawl["rejects"]
    assert isinstance(rejects, pd.DataFrame)
    refused = rejects[rejects["reason"] == "blocked_url"]
    blocked = dict(zip(refused["url"], refused["detail"], strict=True))
    expected = {
        *HOSTILE_LINKS,
        hostile_crawl["undeclared"],
        hostile_crawl["named"],
        "http://169.254.169.254/latest/meta-data/",  # the redirect target, refused at its hop
    }
    assert set(blocked) == expected
    assert "link-local" in blocked["http://169.254.169.254/latest/user-data"]
    assert "http and https only" in blocked["s3://bucket/key"]
    assert "http and https only" in blocked["file:///etc/passwd"]
    assert "is not a declared URL of the source" in blocked[hostile_crawl["undeclared"]]
    assert "resolves to the loopback address" in blocked[hostile_crawl["named"]]


def test_refused_urls_leave_no_response_in_the_archive(hostile_crawl: dict[str, object]) -> None:
    records = hostile_crawl["records"]
    responses = {r.url for r in records if r.type == "response"}  # type: ignore[attr-defined]
    base = str(hostile_crawl["base"])
    assert all(url.startswith(base) for url in responses), responses
    errors = metadata(records, FETCH_ERROR_FIELD)  # type: ignore[arg-type]
    assert {e["error"] for e in errors} == {"blocked_url"}


# --- robots.txt ---------------------------------------------------------------------------------


def _crawl_with_robots(tmp_path: Path, robots: str | None, routes: dict[str, object], *args: str) -> dict[str, object]:
    site = make_site(tmp_path / "site", ["{{BASE}}/story.html", "{{BASE}}/secret/a.html"], routes, robots or "")
    shutil.copy(site / "story.html", site / "secret.html")
    (site / "secret").mkdir()
    shutil.copy(site / "story.html", site / "secret" / "a.html")
    with DemoServer(site) as server:
        sources = sources_file(tmp_path / "sources.toml", f"{server.base_url}/feed.xml")
        result = run_crawl(sources, tmp_path / "output", *args)
        requests = server.requests
    return {"result": result, "requests": requests}


def test_requests_waiting_together_for_robots_txt_are_all_checked(tmp_path: Path) -> None:
    # three feeds of one host start at once: all three wait for its robots.txt, and the two it
    # disallows must stay unfetched, not only the first waiter's
    site = make_site(tmp_path / "site", ["{{BASE}}/story.html"], {}, "User-agent: *\nDisallow: /secret/\n")
    with DemoServer(site) as server:
        feeds = ", ".join(f'"{server.base_url}{path}"' for path in ("/feed.xml", "/secret/one.xml", "/secret/two.xml"))
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "hostile"\nfeeds = [{feeds}]\n', encoding="utf-8")
        run_crawl(sources, tmp_path / "output")
        paths = [r.path for r in server.requests]
    assert "/story.html" in paths
    assert not [path for path in paths if path.startswith("/secret/")], paths


def test_robots_txt_answering_500_disallows_everything(tmp_path: Path) -> None:
    crawl = _crawl_with_robots(tmp_path, None, {"/robots.txt": {"status": 500}})
    paths = {r.path for r in crawl["requests"]}  # type: ignore[attr-defined]
    assert paths == {"/robots.txt"}
    rejects = tidings.load_rejects(tmp_path / "output")
    assert "robots_http_500" in " ".join(rejects["detail"].dropna())


def test_robots_txt_answering_404_allows_everything(tmp_path: Path) -> None:
    crawl = _crawl_with_robots(tmp_path, None, {"/robots.txt": {"status": 404}})
    paths = {r.path for r in crawl["requests"]}  # type: ignore[attr-defined]
    assert {"/feed.xml", "/story.html", "/secret/a.html"} <= paths


def test_robots_txt_rules_in_the_first_500_kib_of_a_huge_file_are_obeyed(tmp_path: Path) -> None:
    padding = "# padding\n" * 40_000  # 400 KB of comments, then the rule, then megabytes more
    robots = f"User-agent: *\n{padding}Disallow: /secret/\n" + "# more\n" * 500_000
    crawl = _crawl_with_robots(tmp_path, robots, {})
    paths = [r.path for r in crawl["requests"]]  # type: ignore[attr-defined]
    assert "/story.html" in paths
    assert "/secret/a.html" not in paths


def test_crawl_delay_is_honoured_per_host(tmp_path: Path) -> None:
    crawl = _crawl_with_robots(tmp_path, "User-agent: *\nCrawl-delay: 1.5\n", {})
    times = sorted(r.at for r in crawl["requests"] if r.path != "/robots.txt")  # type: ignore[attr-defined]
    assert len(times) == 3  # feed, story, secret
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1.4, gaps
