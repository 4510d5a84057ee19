"""End-to-end crawls of the fixture site on 127.0.0.1: discovery, archive, failures, incremental re-crawl."""

from __future__ import annotations

import dataclasses
import gzip
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from crawler.archive import FETCH_ERROR_FIELD, HINTS_FIELD, WARC_FIELDS
from tests.crawler.conftest import (
    FIXTURE_SITE,
    REPO,
    RETRY_BACKOFF,
    Record,
    closed_port,
    fields,
    metadata,
    read_warc,
    run_crawl,
    write_sources,
)
from tidings.demo.server import DemoServer, ServedRequest

ARTICLES = {
    "/tech/2026/11/chip-lab.html",  # RSS 2.0 and the news sitemap and the section
    "/tech/2026/11/flaky.html",  # RSS 2.0; 500 once, then 200
    "/tech/2026/11/moved.html",  # RSS 2.0; 301 to moved-new.html
    "/tech/2026/11/moved-new.html",
    "/tech/2026/11/missing.html",  # RSS 2.0; 404
    "/world/2026/11/ferry-fares.html",  # Atom, and the gzipped sitemap of the index
    "/world/2026/11/big5-story.html",  # RSS 1.0
    "/world/2026/11/gbk-story.html",  # news sitemap
    "/tech/2026/11/section-only.html",  # section page
    "/tech/2026/11/page-two-story.html",  # section page 2 (depth 2)
    "/world/2026/11/outage.html",  # Atom; 500 three times: pending, fetched by the second crawl
}
NEW_ARTICLE = "/tech/2026/11/brand-new.html"


@dataclasses.dataclass
class TwoCrawls:
    site: Path
    base: str
    refused_feed: str
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    first_records: list[Record]
    second_records: list[Record]
    first_requests: list[ServedRequest]
    second_requests: list[ServedRequest]
    output: Path
    first_output: Path  # a copy of output as the first crawl left it


def _paths(requests: list[ServedRequest]) -> list[str]:
    return [r.path for r in requests]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> TwoCrawls:
    """Crawl the site, add one article to its RSS feed, crawl again into the same output."""
    root = tmp_path_factory.mktemp("crawl")
    site = Path(shutil.copytree(FIXTURE_SITE, root / "site"))
    output = root / "output"
    with DemoServer(site) as server:
        refused_feed = f"http://127.0.0.1:{closed_port()}/feed.xml"
        sources = write_sources(root / "sources.toml", server.base_url, [refused_feed])
        first = run_crawl(sources, output)
        first_records = read_warc(output / "warc")
        first_warcs = set((output / "warc").glob("*.warc.gz"))
        first_requests = server.requests
        first_output = Path(shutil.copytree(output, root / "first-output"))

        chip_lab = (site / "tech/2026/11/chip-lab.html").read_text(encoding="utf-8")
        article = chip_lab.replace("Chipmaker opens Shatin lab", "Brand new campus")
        article = article.replace("chip laboratory", "campus")
        (site / NEW_ARTICLE.lstrip("/")).write_text(article, encoding="utf-8")
        rss = site / "rss.xml"
        rss.write_text(
            rss.read_text(encoding="utf-8").replace(
                "<item>", f"<item><title>Brand new</title><link>{{{{BASE}}}}{NEW_ARTICLE}</link></item>\n    <item>", 1
            ),
            encoding="utf-8",
        )
        second = run_crawl(sources, output)
        second_records = [r for r in read_warc(output / "warc") if r.file not in first_warcs]
        second_requests = server.requests[len(first_requests) :]
    return TwoCrawls(
        site,
        server.base_url,
        refused_feed,
        first,
        second,
        first_records,
        second_records,
        first_requests,
        second_requests,
        output,
        first_output,
    )


def test_crawls_succeed(crawls: TwoCrawls) -> None:
    assert crawls.first.returncode == 0, crawls.first.stderr[-2000:]
    assert crawls.second.returncode == 0, crawls.second.stderr[-2000:]


def test_feeds_sitemaps_and_sections_find_every_article(crawls: TwoCrawls) -> None:
    fetched = {p for p in _paths(crawls.first_requests) if re.search(r"/\d{4}/\d{2}/", p)}
    assert fetched == ARTICLES
    # the sitemap index's gzipped child was read; its 1998 child was skipped as too old
    assert "/sitemap-recent.xml.gz" in _paths(crawls.first_requests)
    assert "/sitemap-1998.xml" not in _paths(crawls.first_requests)
    # depth 2: the section's page 2 was followed, page 3 was not
    assert "/tech/page/2.html" in _paths(crawls.first_requests)
    assert "/tech/page/3.html" not in _paths(crawls.first_requests)


def test_old_and_denied_entries_are_skipped(crawls: TwoCrawls) -> None:
    paths = _paths(crawls.first_requests)
    assert "/tech/1999/01/old-story.html" not in paths  # max_age_days
    assert "/video/2026/11/clip.html" not in paths  # deny
    assert "/about.html" not in paths  # a section link that is not an article


def test_robots_txt_is_obeyed_and_nothing_is_recorded_for_the_refused_url(crawls: TwoCrawls) -> None:
    assert "/robots.txt" in _paths(crawls.first_requests)
    assert not any(p.startswith("/private/") for p in _paths(crawls.first_requests))
    # never requested, so neither archived nor a fetch error: the crawl summary counts it as skipped
    errors = {e["url"] for e in metadata(crawls.first_records, FETCH_ERROR_FIELD)}
    assert f"{crawls.base}/private/2026/11/secret.html" not in errors
    assert not [r for r in crawls.first_records if "/private/" in (r.url or "")]
    assert "1 disallowed by robots.txt" in crawls.first.stderr + crawls.first.stdout


def test_a_refused_connection_becomes_a_fetch_error_record(crawls: TwoCrawls) -> None:
    errors = {e["url"]: e for e in metadata(crawls.first_records, FETCH_ERROR_FIELD)}
    assert errors[crawls.refused_feed]["error"] == "connection_refused"
    assert errors[crawls.refused_feed]["detail"]


def _responses(records: list[Record], base: str, path: str) -> list[Record]:
    return [r for r in records if r.type == "response" and r.url == base + path]


def test_error_responses_and_redirects_are_archived(crawls: TwoCrawls) -> None:
    records, base = crawls.first_records, crawls.base
    assert [r.status for r in _responses(records, base, "/tech/2026/11/missing.html")] == [404]
    assert [r.status for r in _responses(records, base, "/world/2026/11/outage.html")] == [500, 500, 500]
    assert [r.status for r in _responses(records, base, "/tech/2026/11/flaky.html")] == [500, 200]
    flaky = [r for r in crawls.first_requests if r.path == "/tech/2026/11/flaky.html"]
    assert flaky[1].at - flaky[0].at >= RETRY_BACKOFF  # the retry waited (RetryBackoffMiddleware)
    moved = _responses(records, base, "/tech/2026/11/moved.html")
    assert [r.status for r in moved] == [301]
    assert moved[0].http_headers["Location"] == "/tech/2026/11/moved-new.html"
    assert [r.status for r in _responses(records, base, "/tech/2026/11/moved-new.html")] == [200]
    # a 404 answer is not a failed fetch: no fetch-error record duplicates its response record
    errors = {e["url"] for e in metadata(records, FETCH_ERROR_FIELD)}
    assert f"{base}/tech/2026/11/missing.html" not in errors


def test_gzip_responses_are_archived_as_transferred(crawls: TwoCrawls) -> None:
    (rss,) = _responses(crawls.first_records, crawls.base, "/rss.xml")
    assert rss.http_headers["Content-Encoding"] == "gzip"
    assert "Transfer-Encoding" not in rss.http_headers
    original = (FIXTURE_SITE / "rss.xml").read_bytes().replace(b"{{BASE}}", crawls.base.encode())
    assert gzip.decompress(rss.payload) == original


@pytest.mark.parametrize("path", ["/world/2026/11/big5-story.html", "/world/2026/11/gbk-story.html"])
def test_big5_and_gbk_pages_are_archived_byte_exact(crawls: TwoCrawls, path: str) -> None:
    (record,) = _responses(crawls.first_records, crawls.base, path)
    original = (FIXTURE_SITE / path.lstrip("/")).read_bytes().replace(b"{{BASE}}", crawls.base.encode())
    body = gzip.decompress(record.payload) if record.http_headers.get("Content-Encoding") == "gzip" else record.payload
    assert body == original
    if "big5" in path:
        assert record.http_headers["Content-Type"] == "text/html; charset=big5"


def test_every_response_of_the_source_has_a_hints_record_right_after_it(crawls: TwoCrawls) -> None:
    records = crawls.first_records
    for index, record in enumerate(records):
        if record.type != "response" or record.url.endswith("/robots.txt"):
            continue
        # write_request_response_pair writes the request after the response; the hints follow
        hints_record = records[index + 2]
        assert hints_record.type == "metadata", record.url
        assert hints_record.headers["Content-Type"] == WARC_FIELDS
        assert HINTS_FIELD in fields(hints_record)
        assert hints_record.headers["WARC-Concurrent-To"] == record.headers["WARC-Record-ID"]
        assert hints_record.url == record.url


def test_feed_metadata_reaches_the_hints(crawls: TwoCrawls) -> None:
    latest = {}  # the last hints record of a response holds all that was learnt about it
    for record in crawls.first_records:
        if record.type == "metadata" and HINTS_FIELD in fields(record):
            latest[record.headers["WARC-Concurrent-To"]] = fields(record)[HINTS_FIELD]
    hints = [h for h in latest.values() if "source" in h]  # robots.txt has none
    by_title = {h.get("title"): h for h in hints}
    chip = by_title["Chipmaker opens Shatin lab"]  # in the RSS feed, the sitemap and the section: merged
    assert chip["authors"] == ["Mei Chan"]
    assert chip["categories"] == ["Semiconductors"]
    assert chip["description"] == "A new research lab."
    assert chip["published"] == "Fri, 20 Nov 2026 09:30:00 +0800"  # as the feed wrote it: cleaning parses it
    assert chip["timezone"] == "Asia/Hong_Kong"
    assert chip["role"] == "article"
    gbk = by_title["简体新闻"]  # news sitemap
    assert gbk["published"] == "2026-11-18T11:00:00+08:00"
    assert gbk["tags"] == ["人工智能", "政策"]
    roles = Counter(h["role"] for h in hints)
    assert roles["listing"] == 8  # 3 feeds (the refused one never answered), 3 sitemaps, 2 section pages


def test_warc_files_are_valid_and_named_per_the_annex(crawls: TwoCrawls) -> None:
    files = sorted((crawls.output / "warc").iterdir())
    assert files
    assert all(re.fullmatch(r"tidings-\d{17}-\d{5}-[\w-]+\.warc\.gz", f.name) for f in files)
    for file in files:
        check = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", "-v", str(file)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "digest pass" in check.stdout
        assert "digest failed" not in check.stdout
    first = [r for r in crawls.first_records if r.file == crawls.first_records[0].file]
    assert first[0].type == "warcinfo"


def test_second_crawl_fetches_only_the_new_article(crawls: TwoCrawls) -> None:
    requests = crawls.first_requests + crawls.second_requests
    article_paths = [p for p in _paths(requests) if re.search(r"/\d{4}/\d{2}/", p)]
    retried = {"/tech/2026/11/flaky.html", "/world/2026/11/outage.html"}  # answered 500 before 200
    twice = {p for p, n in Counter(article_paths).items() if n > 1 and p not in retried}
    assert not twice, f"fetched twice: {twice}"
    second_articles = [p for p in _paths(crawls.second_requests) if re.search(r"/\d{4}/\d{2}/", p)]
    assert sorted(second_articles) == [NEW_ARTICLE, "/world/2026/11/outage.html"]


def test_an_article_that_kept_failing_is_tried_again_by_the_next_crawl(crawls: TwoCrawls) -> None:
    # its feed did not change (304), yet the second crawl fetched it: it was kept pending
    assert {r.path: r.status for r in crawls.second_requests}["/atom.xml"] == 304
    (outage,) = _responses(crawls.second_records, crawls.base, "/world/2026/11/outage.html")
    assert outage.status == 200
    index = crawls.second_records.index(outage)
    hints = fields(crawls.second_records[index + 2])[HINTS_FIELD]
    assert hints["title"] == "Power outage hits Kowloon"  # the feed's hints were kept with it


def test_second_crawl_revalidates_listings(crawls: TwoCrawls) -> None:
    statuses = {r.path: r.status for r in crawls.second_requests}
    assert statuses["/rss.xml"] == 200  # it changed
    for path in ["/atom.xml", "/rdf.xml", "/news-sitemap.xml", "/sitemap_index.xml", "/tech/"]:
        assert statuses[path] == 304, path
    revalidated = [r for r in crawls.second_requests if r.path == "/atom.xml"]
    assert "If-None-Match" in revalidated[0].headers
    assert "fetched:" in crawls.second.stderr


def _cleaning_reads_warc(output: Path) -> bool:
    from cleaning.storage.dataset import load_rejects

    rejects = load_rejects(output)
    return not (rejects["reason"] == "unsupported_format").any()


def test_live_crawl_and_offline_clean_of_its_archive_give_the_same_rows(crawls: TwoCrawls, tmp_path: Path) -> None:
    from cleaning.storage.dataset import load_articles

    assert _cleaning_reads_warc(crawls.first_output)
    live = load_articles(crawls.first_output).drop(columns=["origin"])
    again = load_articles(_clean_offline(crawls.first_output, tmp_path / "offline")).drop(columns=["origin"])
    assert len(live) >= 7
    assert live.sort_values("id").reset_index(drop=True).equals(again.sort_values("id").reset_index(drop=True))


@pytest.mark.parametrize(
    ("responses", "part", "workers"),
    [
        (2, 32, "2"),  # a file every 2 responses, each one part: most get late hints in a later file
        (6, 2, "2"),  # parts of 2 responses: late hints in a later part of the same file, or a later file
        (6, 1, "1"),  # parts of 1 response, the rest cleaned by this process
    ],
)
def test_a_crawl_that_cleans_its_closed_files_while_crawling_gives_the_rows_of_one_offline_clean(
    server: DemoServer, tmp_path: Path, responses: int, part: int, workers: str
) -> None:
    from cleaning.storage.dataset import load_articles, load_rejects

    output = tmp_path / "output"
    sources = write_sources(tmp_path / "sources.toml", server.base_url, [])
    settings = ["-s", f"TIDINGS_WARC_MAX_RESPONSES={responses}", "-s", f"TIDINGS_WARC_PART_RESPONSES={part}"]
    crawled = run_crawl(sources, output, "-v", "--workers", workers, *settings)
    assert crawled.returncode == 0, crawled.stderr
    warcs = sorted((output / "warc").glob("*.warc.gz"))
    assert len(warcs) >= 4
    counts = re.search(r"cleaning: (\d+) WARC file\(s\): .*; (\d+) file\(s\) cleaned whole", crawled.stderr)
    assert counts, crawled.stderr
    assert int(counts.group(2)) < len(warcs) // 2  # most files were cleaned by parts
    assert not list((output / "state" / "uncleaned").glob("*"))  # every file committed and unmarked
    offline = _clean_offline(output, tmp_path / "offline")

    def rows(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
        return frame.sort_values(key).reset_index(drop=True)

    live, again = load_articles(output), load_articles(offline)
    assert len(live) >= 7
    assert rows(live, ["id"]).equals(rows(again, ["id"]))
    key = ["origin", "url", "reason", "detail"]
    assert rows(load_rejects(output), key).equals(rows(load_rejects(offline), key))


def _clean_offline(crawled: Path, output: Path) -> Path:
    """Clean a crawl's WARC files with `tidings clean` (one process) into output."""
    warcs = sorted((crawled / "warc").glob("*.warc.gz"))
    clean = subprocess.run(
        [sys.executable, "-m", "tidings", "clean", *map(str, warcs), "--output", str(output), "--no-progress"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert clean.returncode == 0, clean.stderr
    return output


def test_a_crawl_that_cleans_with_two_workers_gives_the_rows_of_one(server: DemoServer, tmp_path: Path) -> None:
    from cleaning.storage.dataset import load_articles

    output = tmp_path / "output"
    crawled = run_crawl(write_sources(tmp_path / "sources.toml", server.base_url, []), output, "--workers", "2")
    assert crawled.returncode == 0, crawled.stderr
    live = load_articles(output).drop(columns=["origin"])
    again = load_articles(_clean_offline(output, tmp_path / "offline")).drop(columns=["origin"])
    assert len(live) >= 7
    assert live.sort_values("id").reset_index(drop=True).equals(again.sort_values("id").reset_index(drop=True))
