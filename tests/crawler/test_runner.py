"""The crawl runner: settings (politeness, safety, overrides), cookies offline, WARC files left open by a kill."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from scrapy.downloadermiddlewares import cookies as scrapy_cookies
from scrapy.settings import Settings

from crawler.middlewares import OfflineCookiesMiddleware
from tests.crawler.conftest import run_crawl, write_sources
from tidings.crawl import crawl_settings
from tidings.demo.server import DemoServer


def test_politeness_and_safety_defaults(tmp_path: Path) -> None:
    settings = crawl_settings(tmp_path)
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 64 * 1024 * 1024
    assert "TIDINGS_USER_AGENT" in settings.get("USER_AGENT") or "+" in settings.get("USER_AGENT")
    assert settings.get("TIDINGS_WARC_DIR") == str(tmp_path / "warc")
    assert settings.get("TIDINGS_STATE_DB") == str(tmp_path / "state" / "crawl.sqlite")


def test_overrides_win_over_the_project_settings(tmp_path: Path) -> None:
    settings = crawl_settings(tmp_path, {"DOWNLOAD_DELAY": "0", "TIDINGS_WARC_DIR": ""})
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.get("TIDINGS_WARC_DIR") == ""


def test_cookies_use_the_bundled_public_suffix_list() -> None:
    # from_crawler reads only the settings; a real Crawler would need a running reactor
    crawler = SimpleNamespace(settings=Settings({"COOKIES_ENABLED": True}))
    OfflineCookiesMiddleware.from_crawler(crawler)  # type: ignore[arg-type]
    assert scrapy_cookies._split_domain.suffix_list_urls == ()
    # answered from the snapshot shipped with tldextract, with no download attempt
    assert scrapy_cookies._is_public_domain("co.uk")
    assert not scrapy_cookies._is_public_domain("bbc.co.uk")


def test_warc_files_left_open_by_a_killed_crawl_are_recovered(tmp_path: Path) -> None:
    from crawler.recovery import recover_open_warcs

    (tmp_path / "tidings-20261122000000000-00001-host.warc.gz.open").write_bytes(b"partial")
    (tmp_path / "tidings-20261121000000000-00001-host.warc.gz").write_bytes(b"closed")
    recovered = recover_open_warcs(tmp_path)
    assert [p.name for p in recovered] == ["tidings-20261122000000000-00001-host.warc.gz"]
    assert recovered[0].read_bytes() == b"partial"
    assert not list(tmp_path.glob("*.open"))


def test_archived_urls_reads_a_cut_file_up_to_its_damaged_record(tmp_path: Path) -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from crawler.recovery import archived_urls

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n, status in enumerate(["200 OK", "301 Moved", "503 Unavailable", "404 Not Found", "200 OK"]):
        body = b"<html>page</html>" * 50
        writer.write_record(
            writer.create_warc_record(
                f"http://news.test/{n}",
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1"),
            )
        )
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(buffer.getvalue()[:-30])  # the last record cut short, as a kill -9 leaves it
    # final answers only: a redirect or a status worth retrying is fetched again
    assert archived_urls(path, retry_statuses={503}) == {"http://news.test/0", "http://news.test/3"}


def test_retry_backoff_doubles_and_honours_retry_after() -> None:
    from scrapy import Request
    from scrapy.http import Response

    from crawler.middlewares import RetryBackoffMiddleware

    backoff = RetryBackoffMiddleware(base=2.0, maximum=60.0)
    assert backoff.delay(Request("http://a/x")) == 0  # a first try never waits
    assert [backoff.delay(Request("http://a/x", meta={"retry_times": n})) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff.delay(Request("http://a/x", meta={"retry_times": 9})) == 60.0  # capped

    failed = Request("http://a/x")
    backoff.process_response(failed, Response("http://a/x", status=503, headers={"Retry-After": "30"}))
    retry = failed.replace(meta={**failed.meta, "retry_times": 1})  # what RetryMiddleware sends next
    assert backoff.delay(retry) == 30.0
    dated = Request("http://a/y")
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    backoff.process_response(dated, Response("http://a/y", status=429, headers={"Retry-After": past}))
    assert backoff.delay(dated.replace(meta={**dated.meta, "retry_times": 1})) == 2.0  # a date in the past asks nothing


def test_a_crawl_without_archive_or_state_runs(tmp_path: Path, server: DemoServer) -> None:
    # the bare spider of benchmarks/crawl.py: empty settings switch the WARC archive and the state off
    sources = write_sources(tmp_path / "sources.toml", server.base_url)
    output = tmp_path / "output"
    result = run_crawl(sources, output, "--no-clean", "-s", "TIDINGS_WARC_DIR=", "-s", "TIDINGS_STATE_DB=")
    assert result.returncode == 0, result.stderr
    assert any(request.path.startswith("/tech/") for request in server.requests)
    assert not list(output.glob("**/*.warc.gz"))
    assert not list(output.glob("**/*.sqlite"))
