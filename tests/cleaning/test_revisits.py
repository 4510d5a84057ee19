"""Archives as other tools write them: wget (revisits by --warc-dedup), warcio's capture_http, ARC files.

Every archive is written from pages served on 127.0.0.1 by the real tool, then read by
iter_inputs: a revisit becomes the page it repeats, at its own date, or a revisit_unresolved
reject when its original is in none of the inputs.
"""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from warcio.capture_http import capture_http
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaning.inputs.readers import RawPage, ReadReject, iter_inputs
from cleaning.schema import RejectReason
from tidings.demo.server import DemoServer

PAGES = {
    "a.html": "<html><head><title>First story</title></head><body><p>The harbour ferry fares rise.</p></body></html>",
    "b.html": "<html><head><title>Second story</title></head><body><p>A new lab opens in Shatin.</p></body></html>",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    for name, html in PAGES.items():
        (root / name).write_text(html, "utf-8")
    return root


def _items(*paths: Path) -> tuple[list[RawPage], list[ReadReject]]:
    items = list(iter_inputs(list(paths), source="test"))
    return [i for i in items if isinstance(i, RawPage)], [i for i in items if isinstance(i, ReadReject)]


def _wget(directory: Path, name: str, urls: list[str], *extra: str) -> Path:
    command = ["wget", "--quiet", "--no-proxy", "-e", "robots=off", "--delete-after", f"--warc-file={name}"]
    subprocess.run([*command, *extra, *urls], cwd=directory, check=True, timeout=60, capture_output=True)
    return directory / f"{name}.warc.gz"


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
def test_wget_warcs_and_their_revisits(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with DemoServer(site) as server:
        urls = [f"{server.base_url}/{name}" for name in PAGES]
        first = _wget(out, "first", urls, "--warc-cdx")
        # the second crawl writes revisit records for the pages whose payload first.cdx already holds
        second = _wget(out, "second", urls, f"--warc-dedup={out / 'first.cdx'}")
    pages, rejects = _items(first)
    assert sorted(p.url for p in pages) == sorted(urls)
    assert rejects == []  # wget's own metadata and log resources are no pages and no rejects
    pages, rejects = _items(first, second)
    assert sorted(p.url for p in pages) == sorted(urls * 2)
    by_url: dict[str, list[RawPage]] = {}
    for page in pages:
        by_url.setdefault(page.url or "", []).append(page)
    for url, (original, revisit) in by_url.items():
        assert original.raw == revisit.raw, url
        assert str(second) in revisit.origin  # where the revisit is, not the original
        assert revisit.fetched_at is not None
        assert original.fetched_at is not None
        assert revisit.fetched_at >= original.fetched_at
    pages, rejects = _items(second)  # the originals are not in these inputs
    assert pages == []
    assert sorted(r.url for r in rejects) == sorted(urls)
    assert {r.reason for r in rejects} == {RejectReason.REVISIT_UNRESOLVED}


def test_warcio_capture_http(site: Path, tmp_path: Path) -> None:
    path = tmp_path / "captured.warc.gz"
    # urllib, not requests: urllib3 subclasses http.client's connection when first imported,
    # before capture_http can patch it (warcio's README says to import capture_http first)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
    with DemoServer(site) as server, capture_http(str(path)):
        for name in PAGES:
            with opener.open(f"{server.base_url}/{name}", timeout=10) as answer:
                answer.read()  # capture_http records what the client reads
        with pytest.raises(urllib.error.HTTPError):
            opener.open(f"{server.base_url}/missing.html", timeout=10)
    pages, rejects = _items(path)
    assert sorted(p.url or "" for p in pages) == sorted(f"{server.base_url}/{name}" for name in PAGES)
    assert {p.raw for p in pages} == {html.encode() for html in PAGES.values()}
    assert [r.reason for r in rejects] == [RejectReason.HTTP_ERROR]


def _revisit_warc(path: Path, *, refers_to: bool, original: bool) -> None:
    """Write a response (if original) and a revisit of it naming it by record id, or by payload digest alone."""
    body = PAGES["a.html"].encode()
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        response = writer.create_warc_record(
            "http://news.test/a.html", "response", payload=io.BytesIO(body), length=len(body), http_headers=http
        )
        if original:
            writer.write_record(response)
        digest = response.rec_headers.get_header("WARC-Payload-Digest")
        revisit = writer.create_revisit_record(
            "http://news.test/a-again.html",
            digest,
            "http://news.test/a.html",
            "2026-12-01T00:00:00Z",
            http_headers=http,
        )
        if refers_to:
            revisit.rec_headers.add_header("WARC-Refers-To", response.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(revisit)


@pytest.mark.parametrize("refers_to", [True, False], ids=["by-record-id", "by-payload-digest"])
def test_revisits_resolve_in_the_same_archive(tmp_path: Path, refers_to: bool) -> None:
    path = tmp_path / "a.warc.gz"
    _revisit_warc(path, refers_to=refers_to, original=True)
    pages, rejects = _items(path)
    assert [p.url for p in pages] == ["http://news.test/a.html", "http://news.test/a-again.html"]
    assert pages[0].raw == pages[1].raw == PAGES["a.html"].encode()
    assert rejects == []


def test_a_revisit_without_its_original_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "alone.warc.gz"
    _revisit_warc(path, refers_to=True, original=False)
    pages, (reject,) = _items(path)
    assert pages == []
    assert (reject.reason, reject.url) == (RejectReason.REVISIT_UNRESOLVED, "http://news.test/a-again.html")
    assert "urn:uuid:" in reject.detail


def _arc(records: list[tuple[str, bytes]]) -> list[bytes]:
    """ARC v1 members: a filedesc header, then one record per (url, HTTP message)."""
    fields = b"1 0 Example\nURL IP-address Archive-date Content-type Archive-length\n"
    members = [b"filedesc://test.arc 0.0.0.0 20050614070159 text/plain %d\n%s\n" % (len(fields), fields)]
    for url, message in records:
        members.append(b"%s 192.0.2.1 20050614070144 text/html %d\n%s\n" % (url.encode(), len(message), message))
    return members


@pytest.mark.parametrize("gzipped", [False, True], ids=["arc", "arc.gz"])
def test_arc_files(tmp_path: Path, gzipped: bool) -> None:
    body = PAGES["b.html"].encode()
    ok = b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    gone = b"HTTP/1.0 404 Not Found\r\nContent-Type: text/html\r\n\r\nno"
    members = _arc([("http://old.test/b.html", ok), ("http://old.test/gone.html", gone)])
    path = tmp_path / ("crawl.arc.gz" if gzipped else "crawl.arc")
    path.write_bytes(b"".join(gzip.compress(m) for m in members) if gzipped else b"".join(members))
    pages, rejects = _items(path)
    assert [(p.url, p.raw) for p in pages] == [("http://old.test/b.html", body)]
    assert pages[0].fetched_at is not None
    assert pages[0].fetched_at.year == 2005
    assert [(r.url, r.reason) for r in rejects] == [("http://old.test/gone.html", RejectReason.HTTP_ERROR)]
