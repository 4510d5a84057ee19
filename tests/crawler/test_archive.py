"""The WARC writer on its own: record pairs, hints beside their response, rotation, fetch errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.archive import FETCH_ERROR_FIELD, HINTS_FIELD, HINTS_META, WARC_FIELDS, WarcArchive, WarcRotator
from tests.crawler.conftest import fields, read_warc


class _Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value


def _archive(directory: Path, max_bytes: int = 1 << 30) -> WarcArchive:
    rotator = WarcRotator(directory, max_bytes=max_bytes, info={"software": "test"})
    return WarcArchive(rotator, SimpleNamespace(stats=_Stats()))  # type: ignore[arg-type]


def _fetch(archive: WarcArchive, n: int, body: bytes = b"<html><body>hello</body></html>") -> None:
    url = f"http://news.test/2026/11/story-{n}.html"
    request = Request(
        url,
        meta={HINTS_META: {"source": "s", "role": "article", "title": f"Story {n}"}},
        headers={"User-Agent": "tidings-test"},
    )
    response = HtmlResponse(
        url,
        status=200,
        body=body,
        request=request,
        headers={"Content-Type": "text/html", "Transfer-Encoding": "chunked", "Set-Cookie": ["a=1", "b=2"]},
    )
    archive.response_downloaded(response, request, spider=None)  # type: ignore[arg-type]


def test_pairs_hints_and_failures_are_written(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    _fetch(archive, 1)
    archive.fetch_failed("http://gone.test/x", "dns", "DNS lookup failed", "s")
    archive.spider_closed(spider=None)  # type: ignore[arg-type]
    records = read_warc(tmp_path)
    assert [r.type for r in records] == ["warcinfo", "response", "request", "metadata", "metadata"]
    response, request, hints, failure = records[1:]
    assert response.status == 200
    assert response.payload == b"<html><body>hello</body></html>"
    assert "Transfer-Encoding" not in response.http_headers  # Twisted de-chunked the body already
    assert request.http_headers["Host"] == "news.test"
    assert request.http_headers["User-Agent"] == "tidings-test"
    assert hints.headers["WARC-Concurrent-To"] == response.headers["WARC-Record-ID"]
    assert fields(hints) == {HINTS_FIELD: {"source": "s", "role": "article", "title": "Story 1"}}
    assert failure.headers["Content-Type"] == WARC_FIELDS
    assert fields(failure)[FETCH_ERROR_FIELD] == {
        "url": "http://gone.test/x",
        "error": "dns",
        "detail": "DNS lookup failed",
        "source": "s",
    }
    assert not list(tmp_path.glob("*.open"))


def test_repeated_headers_stay_separate(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    _fetch(archive, 1)
    archive.spider_closed(spider=None)  # type: ignore[arg-type]
    warc = next(tmp_path.glob("*.warc.gz"))
    from warcio.archiveiterator import ArchiveIterator

    with open(warc, "rb") as handle:
        response = next(r for r in ArchiveIterator(handle) if r.rec_type == "response")
        cookies = [value for name, value in response.http_headers.headers if name == "Set-Cookie"]
        assert cookies == ["a=1", "b=2"]


def test_rotation_keeps_each_hints_record_in_its_response_file(tmp_path: Path) -> None:
    archive = _archive(tmp_path, max_bytes=2000)
    for n in range(12):
        _fetch(archive, n, body=bytes(range(256)) * 8)  # incompressible enough to fill files
    archive.spider_closed(spider=None)  # type: ignore[arg-type]
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) > 2
    assert archive.crawler.stats.values["tidings/warc/files"] == [str(f) for f in files]
    records = read_warc(tmp_path)
    ids = {r.headers["WARC-Record-ID"]: r.file for r in records if r.type == "response"}
    hints = [r for r in records if r.type == "metadata" and HINTS_FIELD in fields(r)]
    assert len(hints) == 12
    assert all(ids[h.headers["WARC-Concurrent-To"]] == h.file for h in hints)
    assert all(read_warc_first_type(f) == "warcinfo" for f in files)


def read_warc_first_type(path: Path) -> str:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as handle:
        return str(next(iter(ArchiveIterator(handle))).rec_type)


def test_each_record_is_on_disk_before_its_url_can_be_marked_seen(tmp_path: Path) -> None:
    from crawler.recovery import archived_urls

    archive = _archive(tmp_path)
    _fetch(archive, 1)
    _fetch(archive, 2)
    # not closed: what a kill -9 right now would leave, read by another process
    [open_file] = tmp_path.glob("*.warc.gz.open")
    copy = tmp_path / "copy.warc.gz"
    copy.write_bytes(open_file.read_bytes())
    archive.spider_closed(spider=None)  # type: ignore[arg-type]
    assert archived_urls(copy, retry_statuses={503}) == {
        "http://news.test/2026/11/story-1.html",
        "http://news.test/2026/11/story-2.html",
    }


def test_a_file_is_marked_uncleaned_from_its_first_record(tmp_path: Path) -> None:
    from crawler.recovery import uncleaned_warcs, unmark_cleaned

    markers = tmp_path / "uncleaned"
    warc = tmp_path / "warc"
    rotator = WarcRotator(warc, max_bytes=1 << 30, info={"software": "test"}, uncleaned=markers)
    archive = WarcArchive(rotator, SimpleNamespace(stats=_Stats()))  # type: ignore[arg-type]
    _fetch(archive, 1)
    assert [m.name + ".open" for m in markers.iterdir()] == [p.name for p in warc.iterdir()]
    assert uncleaned_warcs(warc, markers) == []  # still being written
    archive.spider_closed(spider=None)  # type: ignore[arg-type]
    [closed] = warc.glob("*.warc.gz")
    assert uncleaned_warcs(warc, markers) == [closed]
    unmark_cleaned(markers, [closed])
    assert uncleaned_warcs(warc, markers) == []
