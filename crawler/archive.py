"""Write every response, good or bad, to rotating WARC files, with the hints and failures cleaning needs.

Records, per fetched URL (the contract cleaning/inputs/readers.py reads):

- `request` + `response` (warcio's write_request_response_pair), the body as transferred:
  captured on `response_downloaded`, before HttpCompressionMiddleware decodes it;
- a `metadata` record right after the response, `WARC-Concurrent-To` its record id, typed
  `application/warc-fields` as Heritrix writes its metadata (so cdxj-indexer and pywb never
  index it as a capture of the page) and holding one field, `tidings-hints: {JSON}`: source,
  timezone, role, and what the feed/sitemap said.
  When a URL already fetched is found again (in a second feed or sitemap) with more to
  say, a later hints record refers to the same response and holds all hints merged: the
  last hints record of a response is the most complete;
- for a request that got no response at all, a `metadata` record `application/warc-fields`
  holding `tidings-fetch-error: {"url", "error", "detail", "source"}`.

Archives of tidings before these records were warc-fields held the JSON alone, typed
`application/vnd.tidings.hints+json` and `application/vnd.tidings.fetch-error+json`;
cleaning reads both.

Files are `tidings-<timestamp>-<serial>-<host>.warc.gz` (WARC 1.1 annex naming), written
as `*.warc.gz.open` and renamed when closed, each starting with a `warcinfo` record. Every
record is flushed to the operating system as soon as it is written, before the response
reaches IncrementalMiddleware, which marks its URL seen; a marker in TIDINGS_WARC_UNCLEANED_DIR
says the file's pages still have to be cleaned (crawler/recovery.py).
"""

from __future__ import annotations

import datetime as dt
import http
import io
import json
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.failures import fetch_failed, hints_updated, warc_amended, warc_closed, warc_written
from crawler.recovery import OPEN_SUFFIX, mark_uncleaned
from crawler.urlpolicy import peer_refusal

__all__ = ["FETCH_ERROR_FIELD", "HINTS_FIELD", "WARC_FIELDS", "WarcArchive", "WarcRotator", "warc_fields"]

logger = logging.getLogger(__name__)

WARC_FIELDS = "application/warc-fields"
HINTS_FIELD = "tidings-hints"
FETCH_ERROR_FIELD = "tidings-fetch-error"
HINTS_META = "tidings_hints"  # Request.meta key the spiders put hints under
_SOFTWARE = "tidings (Scrapy + warcio)"
# Twisted de-chunks bodies; a kept Transfer-Encoding header would make readers de-chunk again
_DROPPED_HEADERS = {b"transfer-encoding"}


def warc_fields(name: str, data: dict[str, Any]) -> bytes:
    """Return an application/warc-fields block of one field, name: data as one line of JSON."""
    # JSON escapes line breaks inside strings: the value stays on one line, as a field must
    return f"{name}: {json.dumps(data, ensure_ascii=False, sort_keys=True)}\r\n".encode()


class WarcRotator:
    """Append records to gzipped WARC files under a directory, starting a new file past max_bytes or max_responses.

    on_close is called with each file's final path once it is closed (complete, safe to read).
    on_part is called with (final path, start, end) at the first flush after every part_responses
    responses of a file, and when it closes: the bytes start to end hold whole records, flushed.
    """

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int,
        max_responses: int = 0,
        info: dict[str, str],
        prefix: str = "tidings",
        host: str = "",
        uncleaned: Path | None = None,
        on_close: Callable[[Path], None] | None = None,
        part_responses: int = 0,
        on_part: Callable[[Path, int, int], None] | None = None,
    ) -> None:
        self.directory = directory
        self.uncleaned = uncleaned  # where to mark each file as not cleaned yet (None: no markers)
        self.max_bytes = max_bytes
        self.max_responses = max_responses  # 0: no limit
        self.on_close = on_close
        self._responses = 0  # in the current file
        self.part_responses = part_responses  # 0: no parts, only whole files
        self.on_part = on_part
        self._part_start = 0  # where the current part of the current file starts
        self._part_count = 0  # responses in it
        self.info = info
        self.prefix = prefix
        # the crawl host of the annex naming: a frontier worker puts its worker id there
        self.host = host or socket.gethostname().split(".")[0] or "localhost"
        self.closed_files: list[Path] = []
        self._serial = 0
        self._file: IO[bytes] | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None

    def writer(self, *, rotate: bool = True) -> WARCWriter:
        """Return the writer of the current file, opening a new one (with its warcinfo) if needed.

        rotate=False keeps the current file even past max_bytes: a response's hints record
        must land in the same file as the response.
        """
        if rotate and self._writer is not None and self._file is not None and self._full():
            self.close()
        if self._writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._file, self._path = self._create()
            name = self._path.name
            self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
            self._writer.write_record(self._writer.create_warcinfo_record(name, self.info))
        return self._writer

    def _full(self) -> bool:
        assert self._file is not None
        return self._file.tell() >= self.max_bytes or 0 < self.max_responses <= self._responses

    @property
    def current(self) -> Path | None:
        """The final name of the file being written (None between files)."""
        return self._path

    @property
    def part(self) -> tuple[Path, int] | None:
        """The current file's final name and the offset its current part starts at (None between files)."""
        return None if self._path is None else (self._path, self._part_start)

    def counted(self) -> None:
        """Count one response written to the current file (for max_responses and part_responses)."""
        self._responses += 1
        self._part_count += 1

    def _end_part(self) -> None:
        assert self._file is not None
        assert self._path is not None
        end = self._file.tell()
        if end > self._part_start:
            start, self._part_start, self._part_count = self._part_start, end, 0
            if self.on_part is not None:
                self.on_part(self._path, start, end)

    def _create(self) -> tuple[IO[bytes], Path]:
        while True:
            self._serial += 1
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")[:17]
            path = self.directory / f"{self.prefix}-{stamp}-{self._serial:05d}-{self.host}.warc.gz"
            try:
                # exclusive create: a name is never reused, even by a crawl in another process
                handle = open(path.with_name(path.name + OPEN_SUFFIX), "xb")  # noqa: SIM115 (closed in close())
            except FileExistsError:
                continue
            if self.uncleaned is not None:
                mark_uncleaned(self.uncleaned, path)
            return handle, path

    def flush(self) -> None:
        """Hand what was written to the operating system: a kill -9 from now on loses none of it."""
        if self._file is not None:
            self._file.flush()
            if 0 < self.part_responses <= self._part_count:
                self._end_part()

    def close(self) -> None:
        """Close the current file and drop its `.open` suffix."""
        if self._file is None or self._path is None:
            return
        self._file.flush()
        self._end_part()
        self._file.close()
        os.replace(self._path.with_name(self._path.name + OPEN_SUFFIX), self._path)
        closed = self._path
        self.closed_files.append(closed)
        self._file = self._writer = self._path = None
        self._responses = self._part_start = self._part_count = 0
        if self.on_close is not None:
            self.on_close(closed)


def _http_headers(response: Response) -> StatusAndHeaders:
    try:
        reason = http.HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    pairs = [
        (key.decode("latin-1"), value.decode("latin-1"))
        for key, values in response.headers.items()
        if key.lower() not in _DROPPED_HEADERS
        for value in values
    ]
    return StatusAndHeaders(f"{response.status} {reason}", pairs, protocol=response.protocol or "HTTP/1.1")


def _request_headers(request: Request) -> StatusAndHeaders:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = [("Host", parts.netloc)]
    pairs += [
        (key.decode("latin-1"), value.decode("latin-1")) for key, values in request.headers.items() for value in values
    ]
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", pairs, is_http_request=True)


class WarcArchive:
    """Scrapy extension: archive every downloaded response, its hints, and every fetch failure."""

    def __init__(self, rotator: WarcRotator, crawler: Crawler) -> None:
        self.rotator = rotator
        self.crawler = crawler
        # requested URL -> (response URL, record id, (file, part start)) of its archived responses, for late hints
        self._responses: dict[str, list[tuple[str, str, tuple[Path, int]]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        directory = crawler.settings.get("TIDINGS_WARC_DIR")
        if not directory:
            raise NotConfigured("TIDINGS_WARC_DIR is empty: archiving is off")
        info = {
            "software": _SOFTWARE,
            "format": "WARC File Format 1.1",
            "http-header-user-agent": str(crawler.settings.get("USER_AGENT")),
            "robots": "obey" if crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        }
        rotator = WarcRotator(
            Path(directory),
            max_bytes=crawler.settings.getint("TIDINGS_WARC_MAX_BYTES"),
            max_responses=crawler.settings.getint("TIDINGS_WARC_MAX_RESPONSES"),
            info=info,
            host=crawler.settings.get("TIDINGS_WORKER_ID", ""),
            uncleaned=Path(marks) if (marks := crawler.settings.get("TIDINGS_WARC_UNCLEANED_DIR")) else None,
            part_responses=crawler.settings.getint("TIDINGS_WARC_PART_RESPONSES"),
        )
        archive = cls(rotator, crawler)
        rotator.on_close = archive._closed
        rotator.on_part = archive._written
        crawler.signals.connect(archive.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(archive.fetch_failed, signal=fetch_failed)
        crawler.signals.connect(archive.hints_updated, signal=hints_updated)
        crawler.signals.connect(archive.spider_closed, signal=signals.spider_closed)
        return archive

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if peer_refusal(self.crawler, request, response):
            return  # came from an address the URL policy refuses (DNS changed): recorded as blocked_url instead
        writer = self.rotator.writer()
        ip = getattr(response, "ip_address", None)
        response_record = writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),
            http_headers=_http_headers(response),
            warc_headers_dict={"WARC-IP-Address": str(ip)} if ip else None,
        )
        body = request.body or b""
        request_record = writer.create_warc_record(
            request.url,
            "request",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=_request_headers(request),
        )
        writer.write_request_response_pair(request_record, response_record)
        self.rotator.counted()
        self.crawler.stats.inc_value("tidings/warc/responses")

        hints = request.meta.get(HINTS_META)
        if hints is None and urlsplit(request.url).path == "/robots.txt":
            hints = {"role": "listing"}  # fetched by RobotsTxtMiddleware: never an article
        if hints is not None:
            record_id = response_record.rec_headers.get_header("WARC-Record-ID")
            self._write_hints(response.url, record_id, hints)
            first_url = (request.meta.get("redirect_urls") or [request.url])[0]
            part = self.rotator.part
            assert part is not None  # the writer above opened it
            self._responses.setdefault(first_url, []).append((response.url, record_id, part))
        self.rotator.flush()  # before IncrementalMiddleware marks the URL seen

    def _write_hints(self, url: str, record_id: str, hints: dict[str, Any]) -> None:
        writer = self.rotator.writer(rotate=False)
        payload = warc_fields(HINTS_FIELD, hints)
        writer.write_record(
            writer.create_warc_record(
                url,
                "metadata",
                payload=io.BytesIO(payload),
                length=len(payload),
                warc_content_type=WARC_FIELDS,
                warc_headers_dict={"WARC-Concurrent-To": record_id},
            )
        )

    def hints_updated(self, url: str, hints: dict[str, Any]) -> None:
        amended = set()
        for response_url, record_id, part in self._responses.get(url, []):
            self._write_hints(response_url, record_id, hints)
            self.crawler.stats.inc_value("tidings/warc/late_hints")
            written = self.rotator.part
            assert written is not None  # _write_hints opened a file if none was
            if part != written:  # a part sent: whoever read it has to read it again with these
                amended.add((part, written))
        self.rotator.flush()
        for (path, start), (hints_path, hints_start) in sorted(amended):
            self.crawler.signals.send_catch_log(
                warc_amended, path=path, start=start, hints_path=hints_path, hints_start=hints_start
            )

    def fetch_failed(self, url: str, error: str, detail: str, source: str | None) -> None:
        writer = self.rotator.writer()
        payload = warc_fields(FETCH_ERROR_FIELD, {"url": url, "error": error, "detail": detail, "source": source})
        # a length given: without one warcio buffers the payload in a temporary file it never closes
        writer.write_record(
            writer.create_warc_record(
                url, "metadata", payload=io.BytesIO(payload), length=len(payload), warc_content_type=WARC_FIELDS
            )
        )
        self.rotator.flush()
        self.crawler.stats.inc_value(f"tidings/fetch_error/{error}")

    def _written(self, path: Path, start: int, end: int) -> None:
        self.crawler.signals.send_catch_log(warc_written, path=path, start=start, end=end)

    def _closed(self, path: Path) -> None:
        self.crawler.signals.send_catch_log(warc_closed, path=path)

    def spider_closed(self, spider: Spider) -> None:
        self.rotator.close()
        files = [str(path) for path in self.rotator.closed_files]
        self.crawler.stats.set_value("tidings/warc/files", files)
        logger.info("wrote %d WARC file(s) to %s", len(files), self.rotator.directory)
