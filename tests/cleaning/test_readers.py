"""Readers: every input format, every reject path, the crawler's WARC metadata contract."""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import importlib.util
import io
import json
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaning.inputs.decoding import decode_bytes
from cleaning.inputs.readers import RawPage, ReadReject, inflate, inflated_size, iter_inputs
from cleaning.inputs.warc import FETCH_ERROR_TYPE, HINTS_TYPE, WARC_FIELDS
from cleaning.schema import RejectReason
from crawler.archive import FETCH_ERROR_FIELD, HINTS_FIELD, warc_fields

FIXTURES = Path(__file__).parent.parent / "fixtures"
ZH_HANT = "香港特別行政區政府今日公佈創新科技發展藍圖，數碼港與科學園將聯合推動人工智能產業。"
ZH_HANS = "香港科技园今日公布人工智能发展报告，多家初创企业获得新一轮融资。"


def html_page(body: str) -> str:
    return f"<html><head><title>t</title></head><body><p>{body}</p></body></html>"


def read(*paths: Path | str, source: str | None = None) -> list[RawPage | ReadReject]:
    return list(iter_inputs(list(paths), source=source))


def pages_of(items: Iterable[RawPage | ReadReject]) -> list[RawPage]:
    return [i for i in items if isinstance(i, RawPage)]


def rejects_of(items: Iterable[RawPage | ReadReject]) -> list[ReadReject]:
    return [i for i in items if isinstance(i, ReadReject)]


class Warc:
    """Build a WARC file record by record with warcio's own writer."""

    def __init__(self, path: Path, *, gzip_records: bool = True) -> None:
        self.path = path
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gzip_records)

    def response(
        self,
        url: str,
        body: bytes,
        *,
        status: str = "200 OK",
        headers: Iterable[tuple[str, str]] = (),
        date: str = "2025-05-14T01:02:03Z",
        record_type: str = "response",
    ) -> str:
        http = StatusAndHeaders(status, list(headers), protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            url,
            record_type,
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    def metadata(self, url: str, payload: Any, content_type: str, **headers: str) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        warc_headers = {k.replace("_", "-"): v for k, v in headers.items()}
        record = self.writer.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type=content_type,
            warc_headers_dict=warc_headers,
        )
        self.writer.write_record(record)

    def request(self, url: str) -> None:
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        self.writer.write_record(
            self.writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0, http_headers=http)
        )

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(self.buffer.getvalue())
        return self.path


def zstd_compress(data: bytes) -> bytes:
    zstd = pytest.importorskip("backports.zstd")
    return bytes(zstd.compress(data))


def html_headers(charset: str | None = None, **extra: str) -> list[tuple[str, str]]:
    content_type = "text/html" + (f"; charset={charset}" if charset else "")
    return [("Content-Type", content_type), *((k.replace("_", "-"), v) for k, v in extra.items())]


# --- WARC -------------------------------------------------------------------------------


def test_warc_response_gzip_content_encoding_and_header_charset(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "crawl" / "a.warc.gz")
    body = html_page(ZH_HANT).encode("big5")
    warc.response(
        "https://news.example.hk/a",
        gzip.compress(body),
        headers=html_headers("big5", Content_Encoding="gzip"),
        date="2025-05-14T01:02:03.5Z",
    )
    [page] = read(warc.save())
    assert isinstance(page, RawPage)
    assert page.raw == body
    assert (page.url, page.declared_charset, page.media_type, page.source) == (
        "https://news.example.hk/a",
        "big5",
        "html",
        "crawl",
    )
    assert page.fetched_at == dt.datetime(2025, 5, 14, 1, 2, 3, 500000, tzinfo=dt.UTC)
    assert page.origin == f"{warc.path}@0"
    assert decode_bytes(page.raw, page.declared_charset).text == html_page(ZH_HANT)


def test_warc_chunked_transfer_encoding(tmp_path: Path) -> None:
    body = html_page("chunked body").encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:])) + b"0\r\n\r\n"
    warc = Warc(tmp_path / "a.warc", gzip_records=False)
    warc.response("https://e.com/c", chunked, headers=html_headers(Transfer_Encoding="chunked"))
    [page] = read(warc.save())
    assert isinstance(page, RawPage)
    assert page.raw == body


def test_warc_gbk_and_big5_bodies_without_header_charset(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    warc.response("https://e.com/gbk", html_page(ZH_HANS * 3).encode("gbk"), headers=html_headers())
    warc.response("https://e.com/big5", html_page(ZH_HANT * 3).encode("big5"), headers=html_headers())
    pages = pages_of(read(warc.save()))
    assert [p.declared_charset for p in pages] == [None, None]
    decoded = [decode_bytes(p.raw, p.declared_charset) for p in pages]
    assert [d.encoding for d in decoded] == ["gb18030", "big5hkscs"]
    assert ZH_HANS in decoded[0].text
    assert ZH_HANT in decoded[1].text
    offsets = [int(p.origin.rsplit("@", 1)[1]) for p in pages]
    assert offsets[0] == 0
    assert offsets[1] > 0


def test_warc_rejects_http_errors_redirects_and_non_html(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    warc.response("https://e.com/gone", b"<p>missing</p>", status="404 Not Found", headers=html_headers())
    warc.response("https://e.com/boom", b"", status="503 Service Unavailable", headers=html_headers())
    warc.response(
        "https://e.com/old", b"", status="301 Moved Permanently", headers=html_headers(Location="https://e.com/new")
    )
    warc.response(
        "https://e.com/feed",
        b'<?xml version="1.0"?><rss><channel/></rss>',
        headers=[("Content-Type", "application/rss+xml")],
    )
    warc.response("https://e.com/logo.png", b"\x89PNG", headers=[("Content-Type", "image/png")])
    warc.response(
        "https://e.com/sitemap", b'<?xml version="1.0"?>\n<urlset xmlns="x"></urlset>', headers=html_headers()
    )  # a sitemap served as text/html
    items = read(warc.save())
    assert all(isinstance(i, ReadReject) for i in items)
    got = [(i.url, i.reason, i.detail) for i in rejects_of(items)]
    assert got == [
        ("https://e.com/gone", RejectReason.HTTP_ERROR, "HTTP 404 Not Found"),
        ("https://e.com/boom", RejectReason.HTTP_ERROR, "HTTP 503 Service Unavailable"),
        ("https://e.com/old", RejectReason.NOT_AN_ARTICLE, "redirect to https://e.com/new"),
        ("https://e.com/feed", RejectReason.NOT_AN_ARTICLE, "application/rss+xml payload"),
        ("https://e.com/logo.png", RejectReason.NOT_AN_ARTICLE, "image/png payload"),
        ("https://e.com/sitemap", RejectReason.NOT_AN_ARTICLE, "a feed or sitemap served as text/html"),
    ]
    assert all(i.fetched_at == dt.datetime(2025, 5, 14, 1, 2, 3, tzinfo=dt.UTC) for i in rejects_of(items))


def test_warc_skips_request_and_warcinfo_records_and_reads_a_revisit_as_its_original(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    warc.writer.write_record(warc.writer.create_warcinfo_record("a.warc.gz", {"software": "test"}))
    warc.request("https://e.com/a")
    warc.response("https://e.com/a", html_page("body").encode(), headers=html_headers())
    revisit = warc.writer.create_revisit_record(
        "https://e.com/a", digest="sha1:AAAA", refers_to_uri="https://e.com/a", refers_to_date="2025-05-14T01:02:03Z"
    )
    warc.writer.write_record(revisit)
    items = read(warc.save())
    assert [type(i) for i in items] == [RawPage, RawPage]  # the revisit names the response by URI and date
    assert [i.url for i in items] == ["https://e.com/a", "https://e.com/a"]
    assert items[0].raw == items[1].raw


def test_warc_text_plain_and_untyped_binary_are_not_articles(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    warc.response("https://e.com/robots.txt", b"User-agent: *", headers=[("Content-Type", "text/plain")])
    warc.response("https://e.com/blob", b"\x00\x01binary")
    warc.response("https://e.com/page", html_page("untyped but HTML").encode())
    robots, blob, page = read(warc.save())
    assert isinstance(robots, ReadReject)
    assert (robots.reason, robots.detail) == (RejectReason.NOT_AN_ARTICLE, "text/plain payload")
    assert isinstance(blob, ReadReject)
    assert blob.reason == RejectReason.NOT_AN_ARTICLE
    assert isinstance(page, RawPage)
    assert page.media_type == "html"


@pytest.mark.parametrize("encoding", ["br", "zstd", "x-gzip", "deflate"])
def test_warc_other_content_encodings(tmp_path: Path, encoding: str) -> None:
    body = html_page(ZH_HANT).encode("utf-8")
    compressed = {
        "br": lambda b: pytest.importorskip("brotli").compress(b),
        "zstd": zstd_compress,
        "x-gzip": gzip.compress,
        "deflate": zlib.compress,
    }[encoding](body)
    warc = Warc(tmp_path / "a.warc.gz")
    warc.response("https://e.com/a", compressed, headers=html_headers("utf-8", Content_Encoding=encoding))
    warc.response("https://e.com/b", b"\x00 not compressed", headers=html_headers(Content_Encoding="gzip"))
    page, broken = read(warc.save())
    assert isinstance(page, RawPage)
    assert page.raw == body
    assert isinstance(broken, ReadReject)
    assert broken.reason == RejectReason.UNREADABLE
    assert broken.detail.startswith("payload: gzip body cannot be decompressed")


@pytest.mark.parametrize("hints_first", [True, False])
def test_warc_hints_attach_before_or_after_the_response(tmp_path: Path, hints_first: bool) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    hints = {
        "source": "hk-news",
        "timezone": "Asia/Hong_Kong",
        "role": "article",
        "title": "Feed title",
        "published": "Tue, 07 Dec 2021 09:14:58 +0800",
        "authors": ["陳大文"],
        "categories": ["科技"],
    }
    if hints_first:
        warc.metadata("https://e.com/a", hints, HINTS_TYPE)
    warc.response("https://e.com/a", html_page("body").encode(), headers=html_headers())
    warc.response("https://e.com/b", html_page("other").encode(), headers=html_headers())
    if not hints_first:
        warc.metadata("https://e.com/a", hints, HINTS_TYPE)
    first, second = read(warc.save())
    assert isinstance(first, RawPage)
    assert isinstance(second, RawPage)
    assert (first.source, first.timezone) == ("hk-news", "Asia/Hong_Kong")
    assert first.hints == {
        "title": "Feed title",
        "published": "Tue, 07 Dec 2021 09:14:58 +0800",
        "authors": ["陳大文"],
        "categories": ["科技"],
    }
    assert (second.hints, second.timezone, second.source) == (None, None, tmp_path.name)


def test_warc_hints_prefer_the_record_they_refer_to(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    old = warc.response(
        "https://e.com/a", html_page("old").encode(), headers=html_headers(), date="2025-01-01T00:00:00Z"
    )
    new = warc.response("https://e.com/a", html_page("new").encode(), headers=html_headers())
    warc.metadata("https://e.com/a", {"title": "Old title"}, HINTS_TYPE, WARC_Refers_To=old)
    warc.metadata("https://e.com/a", {"title": "New title"}, HINTS_TYPE, WARC_Concurrent_To=new)
    warc.metadata("https://e.com/a", {"title": "Unbound title"}, HINTS_TYPE)
    pages = pages_of(read(warc.save(), source="given"))
    assert [p.hints for p in pages] == [{"title": "Old title"}, {"title": "New title"}]
    assert [p.source for p in pages] == ["given", "given"]  # the argument beats the hints


def test_crawler_layout_request_response_pairs_and_late_hints(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "crawl" / "tidings-20250514-00001-host.warc.gz")
    warc.writer.write_record(warc.writer.create_warcinfo_record("x.warc.gz", {"software": "tidings"}))
    body = gzip.compress(html_page(ZH_HANT).encode("big5"))
    http = StatusAndHeaders("200 OK", html_headers("big5", Content_Encoding="gzip"), protocol="HTTP/1.1")
    response = warc.writer.create_warc_record(
        "https://e.com/a", "response", payload=io.BytesIO(body), length=len(body), http_headers=http
    )
    request = warc.writer.create_warc_record(
        "https://e.com/a",
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders("GET /a HTTP/1.1", [("Host", "e.com")], is_http_request=True),
    )
    warc.writer.write_request_response_pair(request, response)
    record_id = str(response.rec_headers.get_header("WARC-Record-ID"))
    warc.metadata(
        "https://e.com/a",
        {"source": "hk", "role": "article", "title": "From the feed"},
        HINTS_TYPE,
        WARC_Refers_To=record_id,
    )
    warc.response("https://e.com/b", html_page("another").encode(), headers=html_headers())
    # found again in a sitemap later in the crawl: the last hints record holds everything
    warc.metadata(
        "https://e.com/a",
        {"source": "hk", "role": "article", "title": "From the feed", "published": "2025-05-14T09:00:00+08:00"},
        HINTS_TYPE,
        WARC_Refers_To=record_id,
    )
    warc.save()
    write(tmp_path / "crawl" / "tidings-20250514-00002-host.warc.gz.open", b"still being written")
    page, other = read(tmp_path / "crawl")
    assert isinstance(page, RawPage)
    assert page.hints == {"title": "From the feed", "published": "2025-05-14T09:00:00+08:00"}
    assert (page.source, page.declared_charset) == ("hk", "big5")
    assert decode_bytes(page.raw, page.declared_charset).text == html_page(ZH_HANT)
    assert isinstance(other, RawPage)
    assert other.hints is None


def test_late_hints_in_a_later_archive(tmp_path: Path) -> None:
    first = Warc(tmp_path / "crawl" / "tidings-1.warc.gz")
    article = first.response("https://e.com/a", html_page("body").encode(), headers=html_headers())
    first.metadata("https://e.com/a", {"source": "hk", "title": "From the feed"}, HINTS_TYPE, WARC_Refers_To=article)
    first.save()
    second = Warc(tmp_path / "crawl" / "tidings-2.warc.gz")  # written after a file rotation
    second.response("https://e.com/b", html_page("other").encode(), headers=html_headers())
    second.metadata(
        "https://e.com/a",
        {"source": "hk", "title": "From the feed", "published": "2025-05-14"},
        HINTS_TYPE,
        WARC_Refers_To=article,
    )
    second.save()
    page, other = read(tmp_path / "crawl")
    assert isinstance(page, RawPage)
    assert page.hints == {"title": "From the feed", "published": "2025-05-14"}
    assert isinstance(other, RawPage)
    assert other.hints is None
    # read alone, the first archive has only its own hints
    [alone] = read(first.path)
    assert isinstance(alone, RawPage)
    assert alone.hints == {"title": "From the feed"}


def test_warc_fields_metadata_records_as_the_crawler_writes_them(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    article = warc.response("https://e.com/a", html_page("story").encode(), headers=html_headers())
    hints = {"source": "hk", "title": "From the feed", "published": "Thu, 03 Dec 2026 09:30:00 CET"}
    warc.metadata("https://e.com/a", warc_fields(HINTS_FIELD, hints), WARC_FIELDS, WARC_Concurrent_To=article)
    # Heritrix's own metadata (outlinks) is neither hints nor a page
    warc.metadata("https://e.com/a", b"outlink: https://e.com/b L a/@href\r\n", WARC_FIELDS)
    failure = {"url": "https://e.com/dead", "error": "dns", "detail": "no such host", "source": "hk"}
    warc.metadata("https://e.com/dead", warc_fields(FETCH_ERROR_FIELD, failure), WARC_FIELDS)
    warc.metadata("https://e.com/x", b"tidings-hints: {not json\r\n", WARC_FIELDS)
    page, fetch_error, bad = read(warc.save())
    assert isinstance(page, RawPage)
    assert page.hints == {"title": "From the feed", "published": "Thu, 03 Dec 2026 09:30:00 CET"}
    assert isinstance(fetch_error, ReadReject)
    assert (fetch_error.reason, fetch_error.url) == (RejectReason.FETCH_ERROR, "https://e.com/dead")
    assert isinstance(bad, ReadReject)
    assert bad.reason == RejectReason.UNREADABLE


def test_warc_listing_role_and_fetch_error_records(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    warc.response("https://e.com/section", html_page("links").encode(), headers=html_headers())
    warc.metadata("https://e.com/section", {"role": "listing", "source": "hk"}, HINTS_TYPE)
    warc.metadata(
        "https://e.com/dead",
        {"url": "https://e.com/dead", "error": "dns_error", "detail": "no such host", "source": "hk"},
        FETCH_ERROR_TYPE,
    )
    warc.metadata("https://e.com/x", b"{not json", HINTS_TYPE)
    listing, fetch_error, bad = read(warc.save())
    assert isinstance(listing, ReadReject)
    assert isinstance(fetch_error, ReadReject)
    assert isinstance(bad, ReadReject)
    assert (listing.reason, listing.detail, listing.source) == (RejectReason.NOT_AN_ARTICLE, "listing page", "hk")
    assert (fetch_error.reason, fetch_error.detail, fetch_error.url, fetch_error.source) == (
        RejectReason.FETCH_ERROR,
        "dns_error: no such host",
        "https://e.com/dead",
        "hk",
    )
    assert fetch_error.origin.startswith(f"{warc.path}@")
    assert fetch_error.origin != listing.origin
    assert bad.reason == RejectReason.UNREADABLE
    assert "hints" in bad.detail


@pytest.mark.parametrize("cut", [1, 30, 80, 200, 400, 700])
def test_truncated_warc_gz_yields_what_it_read_then_one_reject(tmp_path: Path, cut: int) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    for n in range(3):
        warc.response(f"https://e.com/{n}", html_page(f"page {n} " * 50).encode(), headers=html_headers())
    path = warc.save()
    path.write_bytes(path.read_bytes()[:-cut])
    items = read(path)
    *pages, last = items
    assert 1 <= len(pages) <= 2
    assert [p.url for p in pages_of(pages)] == [f"https://e.com/{n}" for n in range(len(pages))]
    assert isinstance(last, ReadReject)
    assert last.reason == RejectReason.UNREADABLE
    assert "truncated" in last.detail


def test_truncated_uncompressed_warc_rejects_the_cut_record(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "a.warc", gzip_records=False)
    for n in range(2):
        warc.response(f"https://e.com/{n}", html_page(f"page {n} " * 50).encode(), headers=html_headers())
    path = warc.save()
    path.write_bytes(path.read_bytes()[:-100])
    first, cut = read(path)
    assert isinstance(first, RawPage)
    assert isinstance(cut, ReadReject)
    assert cut.reason == RejectReason.UNREADABLE
    assert cut.url == "https://e.com/1"


def test_warc_gzipped_as_one_stream(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "plain.warc", gzip_records=False)
    for n in range(3):  # varied text: the cut below must fall after the first record
        body = " ".join(str(n * 7919 + i * i) for i in range(150))
        warc.response(f"https://e.com/{n}", html_page(body).encode(), headers=html_headers())
    warc.metadata("https://e.com/1", {"title": "one"}, HINTS_TYPE)
    data = gzip.compress(warc.buffer.getvalue())
    whole = write(tmp_path / "in" / "whole.warc.gz", data)
    items = read(whole)
    assert [p.url for p in pages_of(items)] == ["https://e.com/0", "https://e.com/1", "https://e.com/2"]
    assert [p.hints for p in pages_of(items)] == [None, {"title": "one"}, None]
    whole.write_bytes(data[: len(data) // 2])
    *pages, last = read(whole)
    assert pages
    assert all(isinstance(p, RawPage) for p in pages)
    assert isinstance(last, ReadReject)
    assert last.reason == RejectReason.UNREADABLE


def test_garbage_with_a_warc_name_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "x.warc.gz").write_bytes(b"this is not an archive at all")
    (tmp_path / "y.warc").write_bytes(b"WARC/1.0\r\nnonsense\r\n\r\n")
    items = read(tmp_path)
    assert [(type(i), i.reason) for i in items] == [(ReadReject, RejectReason.UNREADABLE)] * 2


# --- files ------------------------------------------------------------------------------


def test_seeds_read_as_expected(tmp_path: Path) -> None:
    items = read(FIXTURES / "seeds")
    assert [type(i) for i in items] == [RawPage] * 3
    plain, dated, post = pages_of(items)
    assert (plain.media_type, plain.source, plain.front_matter) == ("text", "seeds", None)
    assert plain.raw.startswith("Power of AI: Hong Kong’s".encode())
    assert dated.media_type == "text"
    assert dated.raw.startswith(b" date 2025-05-14 Exploring")
    assert post.media_type == "html"
    assert post.front_matter is not None
    assert post.front_matter["date"] == "Tue, 07 Dec 2021 09:14:58 GMT"
    assert post.front_matter["categories"] == ["金融", "新浪财经", "新浪财经－国內"]
    assert post.front_matter["headimg"] == "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"
    assert post.front_matter["title"].startswith("_香港科创新机遇_")
    assert b"---" not in post.raw[:10]
    assert post.raw.lstrip().startswith(b"<div>")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_html_files_gzipped_and_plain(tmp_path: Path) -> None:
    write(tmp_path / "site" / "a.html", html_page("A"))
    write(tmp_path / "site" / "b.htm.gz", gzip.compress(html_page("B").encode()))
    write(tmp_path / "site" / "sub" / "c.xhtml", html_page("C"))
    items = read(tmp_path / "site")
    assert [(Path(p.origin).name, p.media_type, p.source) for p in pages_of(items)] == [
        ("a.html", "html", "site"),
        ("b.htm.gz", "html", "site"),
        ("c.xhtml", "html", "site"),
    ]
    assert pages_of(items)[1].raw == html_page("B").encode()


def test_posts_yaml_toml_markdown_and_bad_front_matter(tmp_path: Path) -> None:
    write(
        tmp_path / "p" / "1.md", "---\ntitle: Hello\ndate: 2024-03-01 10:00:00\ntags: [a, b]\n---\n# Heading\n\nText.\n"
    )
    write(tmp_path / "p" / "2.md", '+++\ntitle = "TOML"\ndate = 2024-03-02T08:00:00+08:00\n+++\n<p>x</p>\n')
    write(tmp_path / "p" / "3.markdown", "Just *markdown*, no front matter.\n")
    write(tmp_path / "p" / "4.md", "---\ntitle: [unclosed\n---\nbody\n")
    write(tmp_path / "p" / "5.md", "---\ntitle: no end\n")
    write(tmp_path / "p" / "6.txt", "\n\n---\n- a list\n- not a mapping\n---\nbody\n")
    write(tmp_path / "p" / "7.txt", "---\nA text that opens with a rule.\n")
    items = read(tmp_path / "p")
    yaml_post, toml_post, bare, ruled_text = pages_of(items)
    assert (ruled_text.media_type, ruled_text.front_matter) == ("text", None)
    assert yaml_post.front_matter == {"title": "Hello", "date": dt.datetime(2024, 3, 1, 10, 0), "tags": ["a", "b"]}
    assert (yaml_post.media_type, yaml_post.raw) == ("markdown", b"# Heading\n\nText.\n")
    assert toml_post.front_matter == {"title": "TOML", "date": dt.datetime(2024, 3, 2, 0, 0, tzinfo=dt.UTC)}
    assert (toml_post.media_type, toml_post.raw) == ("html", b"<p>x</p>\n")
    assert (bare.media_type, bare.front_matter) == ("markdown", None)
    bad = rejects_of(items)
    assert [(Path(r.origin).name, r.reason) for r in bad] == [
        ("4.md", RejectReason.UNREADABLE),
        ("5.md", RejectReason.UNREADABLE),
        ("6.txt", RejectReason.UNREADABLE),
    ]
    assert all(r.detail.startswith("front matter: ") for r in bad)
    assert "no closing ---" in bad[1].detail
    assert "mapping" in bad[2].detail


def test_jsonl_pages_hints_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "url": "https://e.com/1",
                "html": html_page(ZH_HANT),
                "fetched_at": "2025-05-14T09:00:00+08:00",
                "source": "hk",
                "timezone": "Asia/Hong_Kong",
                "title": "T",
                "authors": ["A"],
                "extra": 1,
            }
        ),
        "",
        "{broken json",
        json.dumps({"url": "https://e.com/3"}),
        json.dumps({"url": "https://e.com/4", "html": "<p>x</p>", "fetched_at": "yesterday"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"url": "https://e.com/7", "html": "<p>list</p>", "role": "listing"}),
    ]
    path = write(tmp_path / "dump" / "pages.jsonl.gz", gzip.compress("\n".join(lines).encode()))
    items = read(path)
    first = items[0]
    assert isinstance(first, RawPage)
    assert first.origin == f"{path}:1"
    assert decode_bytes(first.raw, first.declared_charset).text == html_page(ZH_HANT)
    assert (first.url, first.source, first.timezone) == ("https://e.com/1", "hk", "Asia/Hong_Kong")
    assert first.fetched_at == dt.datetime(2025, 5, 14, 1, 0, tzinfo=dt.UTC)
    assert first.hints == {"title": "T", "authors": ["A"]}
    rejects = items[1:]
    assert [(r.origin.rsplit(":", 1)[1], r.reason) for r in rejects] == [
        ("3", RejectReason.UNREADABLE),
        ("4", RejectReason.UNREADABLE),
        ("5", RejectReason.UNREADABLE),
        ("6", RejectReason.UNREADABLE),
        ("7", RejectReason.NOT_AN_ARTICLE),
    ]
    assert rejects[0].detail.startswith("line 3: ")
    assert rejects[1].url == "https://e.com/3"


def test_jsonl_in_a_folder_is_read_but_a_manifest_is_not_a_page(tmp_path: Path) -> None:
    write(
        tmp_path / "in" / "dump.jsonl",  # saved by an editor that writes a BOM
        codecs.BOM_UTF8 + json.dumps({"url": "https://e.com/j", "html": "<p>j</p>"}).encode() + b"\r\n",
    )
    write(tmp_path / "in" / "saved" / "hk_2025_05_14.html.gz", gzip.compress(html_page("saved").encode()))
    write(tmp_path / "in" / "saved" / "other.html", html_page("no manifest line"))
    write(
        tmp_path / "in" / "saved" / "pages.jsonl",
        "\n".join(
            [
                json.dumps(
                    {
                        "file": "hk_2025_05_14.html.gz",
                        "url": "https://e.com/s",
                        "fetched_at": "2025-05-14T02:00:00Z",
                        "source": "hk",
                        "timezone": "Asia/Hong_Kong",
                    }
                ),
                json.dumps({"file": "missing.html", "url": "https://e.com/m"}),
                json.dumps({"url": "https://e.com/no-file"}),
            ]
        ),
    )
    items = read(tmp_path / "in")
    manifest_rejects = [(r.reason, r.detail) for r in rejects_of(items)]
    assert manifest_rejects == [
        (RejectReason.UNREADABLE, "pages.jsonl line 2: no such file missing.html"),
        (RejectReason.UNREADABLE, "pages.jsonl line 3: needs a 'file' (path relative to the manifest)"),
    ]
    jsonl, saved, other = pages_of(items)
    assert jsonl.url == "https://e.com/j"
    assert jsonl.source == "in"
    assert (saved.url, saved.source, saved.timezone) == ("https://e.com/s", "hk", "Asia/Hong_Kong")
    assert saved.fetched_at == dt.datetime(2025, 5, 14, 2, 0, tzinfo=dt.UTC)
    assert (other.url, other.source) == (None, "in")
    # a file argument still finds the manifest beside it; its default source is the parent folder
    [single] = read(tmp_path / "in" / "saved" / "hk_2025_05_14.html.gz")
    assert isinstance(single, RawPage)
    assert (single.url, single.source) == ("https://e.com/s", "hk")
    listed = read(tmp_path / "in" / "saved" / "pages.jsonl")  # a manifest by name: the pages it lists
    assert [(type(i).__name__, i.url) for i in listed] == [
        ("ReadReject", "https://e.com/m"),
        ("ReadReject", "https://e.com/no-file"),
        ("RawPage", "https://e.com/s"),
    ]
    [plain] = read(tmp_path / "in" / "saved" / "other.html")
    assert isinstance(plain, RawPage)
    assert plain.source == "saved"


def test_unsupported_hidden_missing_and_corrupt_gzip(tmp_path: Path) -> None:
    write(tmp_path / "in" / "data.csv", "a,b")
    write(tmp_path / "in" / "notes.pdf.gz", gzip.compress(b"%PDF"))
    write(tmp_path / "in" / "README", "no suffix")
    write(tmp_path / "in" / ".hidden.html", html_page("hidden"))
    write(tmp_path / "in" / ".git" / "x.html", html_page("hidden folder"))
    write(tmp_path / "in" / "broken.html.gz", b"\x1f\x8b\x08\x00garbage")
    lines = "".join(json.dumps({"url": f"https://e.com/{n}", "html": f"<p>{n * n}</p>"}) + "\n" for n in range(5000))
    write(tmp_path / "in" / "broken.jsonl.gz", gzip.compress(lines.encode())[:-30])
    items = read(tmp_path / "in", tmp_path / "absent")
    got = [
        (Path(i.origin).name, i.reason, i.detail if i.reason != RejectReason.UNREADABLE else "")
        for i in rejects_of(items)
    ]
    assert got == [
        ("README", RejectReason.UNSUPPORTED_FORMAT, "no reader for files without a suffix"),
        ("broken.html.gz", RejectReason.UNREADABLE, ""),
        (got[2][0], RejectReason.UNREADABLE, ""),
        ("data.csv", RejectReason.UNSUPPORTED_FORMAT, "no reader for .csv"),
        ("notes.pdf.gz", RejectReason.UNSUPPORTED_FORMAT, "no reader for .pdf.gz"),
        ("absent", RejectReason.UNREADABLE, ""),
    ]
    assert got[2][0].startswith("broken.jsonl.gz:")
    assert len(pages_of(items)) >= 1  # the lines before the damage are kept
    assert all(i.source == "in" for i in items if i.origin.startswith(str(tmp_path / "in")))


def test_gzipped_pages_left_compressed_inflate_to_what_the_reader_yields(tmp_path: Path) -> None:
    body = html_page("A story in many words. " * 50).encode()
    write(tmp_path / "in" / "page.html.gz", gzip.compress(body))
    write(tmp_path / "in" / "members.htm.gz", gzip.compress(body[:100]) + gzip.compress(body[100:]) + b"\0" * 16)
    write(tmp_path / "in" / "garbage.html.gz", b"\x1f\x8b\x08\x00garbage")
    write(tmp_path / "in" / "cut.html.gz", gzip.compress(body)[:-30])
    wrong = bytearray(gzip.compress(body))
    wrong[-1] ^= 0x7F  # the trailer's length no longer matches
    write(tmp_path / "in" / "length.html.gz", bytes(wrong))
    write(tmp_path / "in" / "bomb.html.gz", gzip.compress(b"<p>" + b"A" * 4096))
    write(tmp_path / "in" / "empty.html.gz", b"")
    write(tmp_path / "in" / "post.md.gz", gzip.compress(b"---\ntitle: A post\n---\nThe body of the post.\n"))
    write(tmp_path / "in" / "plain.html", body)
    manifest = {"file": "page.html.gz", "url": "https://e.com/a", "fetched_at": "2025-05-14T08:00:00Z"}
    write(tmp_path / "in" / "pages.jsonl", json.dumps(manifest) + "\n")
    limit = 3000  # under the bomb's size once decompressed, over every other page's

    direct = list(iter_inputs([tmp_path / "in"], max_bytes=limit))
    left = list(iter_inputs([tmp_path / "in"], max_bytes=limit, gunzip=False))

    assert [Path(i.origin).name for i in left] == [Path(i.origin).name for i in direct]
    still = {Path(i.origin).name for i in left if isinstance(i, RawPage) and i.gzipped}
    # every gzipped HTML page whose file could be read, whatever its bytes; the post was read whole
    assert still == {
        "bomb.html.gz",
        "cut.html.gz",
        "garbage.html.gz",
        "length.html.gz",
        "members.htm.gz",
        "page.html.gz",
    }
    assert [i if isinstance(i, ReadReject) else inflate(i, limit) for i in left] == direct
    reasons = {Path(i.origin).name: i.reason for i in direct if isinstance(i, ReadReject)}
    assert reasons == {
        "bomb.html.gz": RejectReason.TOO_LARGE,
        "cut.html.gz": RejectReason.UNREADABLE,
        "empty.html.gz": RejectReason.EMPTY_INPUT,
        "garbage.html.gz": RejectReason.UNREADABLE,
        "length.html.gz": RejectReason.UNREADABLE,
    }
    page = next(i for i in left if isinstance(i, RawPage) and i.origin.endswith("page.html.gz"))
    assert (page.url, inflated_size(page)) == ("https://e.com/a", len(body))


def test_reading_is_deterministic_and_sorted(tmp_path: Path) -> None:
    for name in ["b/2.html", "a/10.html", "a/9.html", "c.html"]:
        write(tmp_path / "in" / name, html_page(name))
    first = read(tmp_path / "in")
    assert [Path(p.origin).relative_to(tmp_path / "in").as_posix() for p in first] == [
        "a/10.html",
        "a/9.html",
        "b/2.html",
        "c.html",
    ]
    assert read(tmp_path / "in") == first


_SUFFIXES = [".warc", ".warc.gz", ".html", ".htm.gz", ".md", ".txt", ".jsonl", ".jsonl.gz", ".xyz"]


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), suffix=st.sampled_from(_SUFFIXES), gzipped=st.booleans())
def test_junk_files_never_raise(data: bytes, suffix: str, gzipped: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"junk{suffix}"
        path.write_bytes(gzip.compress(data) if gzipped else data)
        items = read(path)
    assert all(isinstance(i, RawPage | ReadReject) for i in items)
    assert items, "every input ends as a page or a reject"
    if suffix == ".xyz":
        empty = not data and not gzipped
        assert [i.reason for i in rejects_of(items)] == [
            RejectReason.EMPTY_INPUT if empty else RejectReason.UNSUPPORTED_FORMAT
        ]


# --- the mixed fixture folder -------------------------------------------------------------

INPUTS = FIXTURES / "inputs"


def test_fixture_inputs_match_their_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_inputs", FIXTURES / "build_inputs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert built == sorted(p.relative_to(INPUTS) for p in INPUTS.rglob("*") if p.is_file())
    for relative in built:
        assert (tmp_path / relative).read_bytes() == (INPUTS / relative).read_bytes(), relative


def test_fixture_inputs_read_as_expected() -> None:
    items = read(INPUTS)
    warc = "crawl/tidings-20250514023000-00000-fixture.warc.gz"
    got = [
        (
            Path(i.origin).relative_to(INPUTS).as_posix().split("@")[0],
            type(i).__name__,
            getattr(i, "reason", None),
            getattr(i, "detail", None),
            i.source,
        )
        for i in items
    ]
    assert got == [
        (warc, "RawPage", None, None, "example-hk"),
        (warc, "ReadReject", RejectReason.NOT_AN_ARTICLE, "listing page", "example-hk"),
        (warc, "ReadReject", RejectReason.NOT_AN_ARTICLE, "application/rss+xml payload", "inputs"),
        (
            warc,
            "ReadReject",
            RejectReason.NOT_AN_ARTICLE,
            "redirect to https://news.example.hk/tech/cyberport-funding",
            "inputs",
        ),
        (warc, "ReadReject", RejectReason.HTTP_ERROR, "HTTP 404 Not Found", "inputs"),
        (warc, "ReadReject", RejectReason.FETCH_ERROR, "timeout: no response in 30 s", "example-hk"),
        ("dump.jsonl:1", "RawPage", None, None, "inputs"),
        ("dump.jsonl:2", "ReadReject", RejectReason.UNREADABLE, got[7][3], "inputs"),
        ("notes.csv", "ReadReject", RejectReason.UNSUPPORTED_FORMAT, "no reader for .csv", "inputs"),
        ("posts/2025-05-14-cyberport-ai-lab.md", "RawPage", None, None, "inputs"),
        ("saved/cleaneval.html", "RawPage", None, None, "inputs"),
        ("saved/example-hk_2025_05_14.html.gz", "RawPage", None, None, "example-sci"),
    ]
    article, jsonl, post, cleaneval, saved = pages_of(items)
    decoded = [decode_bytes(p.raw, p.declared_charset, media_type=p.media_type) for p in pages_of(items)]
    assert [d.encoding for d in decoded] == ["big5hkscs", "utf-8", "utf-8", "gb18030", "gb18030"]
    assert not any(d.replaced or "\ufffd" in d.text for d in decoded)
    assert "數碼港一家人工智能初創企業今日宣布完成新一輪融資" in decoded[0].text
    assert (article.timezone, article.hints and article.hints["authors"]) == ("Asia/Hong_Kong", ["陳大文"])
    assert jsonl.hints == {"title": "Hiring"}
    assert post.media_type == "markdown"
    assert post.front_matter is not None
    assert post.front_matter["date"] == dt.datetime(2025, 5, 14, 2, 0, tzinfo=dt.UTC)
    assert decoded[3].wrapper_url == "http://www.example.cn/startup/2005-03-21/1.html"
    assert decoded[3].text.startswith("<html>")
    assert (saved.url, saved.timezone) == ("https://sci.example.hk/ai-forum", "Asia/Hong_Kong")
    assert saved.fetched_at == dt.datetime(2025, 5, 14, 8, 0, tzinfo=dt.UTC)
    assert "香港科学园今日举办人工智能论坛" in decoded[4].text
    assert cleaneval.url is None
