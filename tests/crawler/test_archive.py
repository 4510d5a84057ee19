"""The WARC writer on its own: record pairs, hints beside their response, rotation, fetch errors."""

from __future__ import annotations

import itertools
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


def _signalled(directory: Path) -> tuple[WarcArchive, list[tuple[object, dict[str, Any]]]]:
    sent: list[tuple[object, dict[str, Any]]] = []
    rotator = WarcRotator(directory, max_bytes=1 << 30, info={"software": "test"}, part_responses=1)
    signals = SimpleNamespace(send_catch_log=lambda signal, **kwargs: sent.append((signal, kwargs)))
    archive = WarcArchive(rotator, SimpleNamespace(stats=_Stats(), signals=signals))  # type: ignore[arg-type]
    rotator.on_part = archive._written
    rotator.on_close = archive._closed
    return archive, sent


def _rows(folder: Path) -> tuple[Any, Any]:
    import pandas as pd

    articles = pd.read_parquet(folder / "articles.parquet").sort_values("origin").reset_index(drop=True)
    rejects = pd.read_parquet(folder / "rejects.parquet").sort_values("origin").reset_index(drop=True)
    return articles, rejects


def test_parts_and_late_hints_clean_to_the_rows_of_the_whole_file(tmp_path: Path) -> None:
    from cleaning.config import CleaningConfig
    from cleaning.pipeline import clean_file, clean_part, finish_parts
    from crawler.failures import warc_amended, warc_closed, warc_written

    body = (
        b"<html><head><title>Story</title></head><body><article><h1>Story</h1>"
        + (b"<p>The harbour council met on Tuesday to discuss the ferry plan for the district.</p>" * 8)
        + b"</article></body></html>"
    )
    archive, sent = _signalled(tmp_path / "warc")
    for n in range(3):
        _fetch(archive, n, body)
    # the sitemap names story 0 again, with its date: the hints go into the part being written
    archive.hints_updated("http://news.test/2026/11/story-0.html", {"published": "2026-11-02T08:00:00+08:00"})
    archive.fetch_failed("http://gone.test/x", "dns", "DNS lookup failed", "s")
    archive.spider_closed(spider=None)  # type: ignore[arg-type]
    (path,) = tmp_path.glob("warc/*.warc.gz")
    parts = [(kw["start"], kw["end"]) for signal, kw in sent if signal is warc_written]
    assert [kw["path"] for signal, kw in sent if signal is warc_closed] == [path]
    assert len(parts) == 4
    assert parts[0][0] == 0
    assert parts[-1][1] == path.stat().st_size
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(parts))
    (amended,) = [kw for signal, kw in sent if signal is warc_amended]
    assert (amended["path"], amended["start"]) == (path, parts[0][0])
    assert (amended["hints_path"], amended["hints_start"]) == (path, parts[3][0])

    config = CleaningConfig()
    names = [path]
    late = [(names, parts[3][0], parts[3][1])]
    folder = tmp_path / "parts"
    early = [clean_part(names, start, end, folder, config) for start, end in parts]  # before the late hints
    before = _rows(finish_parts(early, tmp_path / "early", config).folder)[0]
    assert before.loc[before["url"].str.endswith("story-0.html"), "published_at"].isna().all()
    patched = clean_part(names, *parts[0], folder, config, late, patch=early[0])
    staged = finish_parts([patched, *early[1:]], tmp_path / "patched", config)
    again = clean_part(names, *parts[0], tmp_path / "again", config, late)  # read with the late hints at once
    whole = clean_file(path, tmp_path / "whole", config)
    assert staged.pages == whole.pages == 4  # 3 pages and the fetch error (hints records are no item)
    for got, want in zip(_rows(staged.folder), _rows(whole.folder), strict=True):
        assert got.drop(columns=["tidings_version"], errors="ignore").equals(
            want.drop(columns=["tidings_version"], errors="ignore")
        )

    def published(folder: Path) -> str:
        articles = _rows(folder)[0]
        return str(articles.loc[articles["url"].str.endswith("story-0.html"), "published_at"].iloc[0])

    assert published(staged.folder).startswith("2026-11-02")  # the late hints' date
    assert finish_parts([again, *early[1:]], tmp_path / "direct", config).pages == 4
    assert _rows(tmp_path / "direct")[0].equals(_rows(staged.folder)[0])
