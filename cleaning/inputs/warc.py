"""Read WARC archives into pages: responses become RawPages, everything unusable a ReadReject.

The crawler's contract: a `metadata` record of type HINTS_TYPE carries what the feed or
sitemap said of the page at its WARC-Target-URI; one of type FETCH_ERROR_TYPE records a fetch
that got no response at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from cleaning.inputs.pages import HINT_KEYS, RawPage, ReadReject
from cleaning.inputs.payloads import GunzipStream, decode_content
from cleaning.schema import RejectReason

__all__ = ["FETCH_ERROR_TYPE", "HINTS_TYPE", "late_hints", "read_warc"]

logger = logging.getLogger(__name__)

HINTS_TYPE = "application/vnd.tidings.hints+json"
FETCH_ERROR_TYPE = "application/vnd.tidings.fetch-error+json"

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';,\s]+)""", re.I)
# feeds and sitemaps are often served as text/html or with no type at all
_FEED_START = re.compile(
    rb"\A(?:\s|\xef\xbb\xbf|<\?xml[^>]*>|<!--.*?-->)*<(rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.I | re.S
)
_MARKUP_START = re.compile(rb"\A(?:\s|\xef\xbb\xbf)*<[!a-z]", re.I)


@dataclasses.dataclass
class _Hints:
    """Hints records of one archive, indexed for matching to responses."""

    by_record: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    by_url: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    responses: set[str] = dataclasses.field(default_factory=set)  # record ids of this archive's responses

    def add(self, url: str | None, refers_to: list[str], hints: dict[str, Any]) -> None:
        for record_id in refers_to:
            self.by_record.setdefault(record_id, []).append(hints)
        if url and not refers_to:  # hints naming another fetch of this URL must not attach here
            self.by_url.setdefault(url, []).append(hints)

    def find(self, record_id: str | None, url: str | None) -> dict[str, Any]:
        found = self.by_record.get(record_id or "") or self.by_url.get(url or "") or []
        merged: dict[str, Any] = {}
        for hints in found:  # in archive order: a later record refines an earlier one
            merged.update(hints)
        return merged


def _header(record: ArcWarcRecord, name: str) -> str | None:
    value = record.rec_headers.get_header(name)
    return value.strip() if value else None


def _target(record: ArcWarcRecord) -> str | None:
    # some WARC/1.1 writers keep the <angle brackets> of the spec's grammar
    uri = _header(record, "WARC-Target-URI")
    return uri.removeprefix("<").removesuffix(">") if uri else None


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _warc_date(record: ArcWarcRecord) -> dt.datetime | None:
    value = _header(record, "WARC-Date")
    try:
        parsed = dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _refers_to(record: ArcWarcRecord) -> list[str]:
    names = ("warc-refers-to", "warc-concurrent-to")
    return [value.strip() for name, value in record.rec_headers.headers if name.lower() in names and value.strip()]


def _json_object(record: ArcWarcRecord) -> dict[str, Any]:
    payload = json.loads(record.content_stream().read().decode("utf-8"))
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def _payload(record: ArcWarcRecord) -> bytes:
    """Return the body with chunking and Content-Encoding removed."""
    headers = record.http_headers
    if headers is None:
        return bytes(record.raw_stream.read())
    stream = record.raw_stream
    if (headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        stream = ChunkedDataReader(stream)  # without decomp_type: warcio knows neither zstd nor x-gzip
    return decode_content(bytes(stream.read()), headers.get_header("Content-Encoding"))


def _is_single_gzip_error(exc: Exception) -> bool:
    return isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc)


def _scan_hints(stream: BinaryIO) -> _Hints:
    hints = _Hints()
    try:
        for record in ArchiveIterator(stream):
            if record.rec_type in ("response", "resource"):
                hints.responses.add(_header(record, "WARC-Record-ID") or "")
            elif record.rec_type == "metadata" and _mime(_header(record, "Content-Type")) == HINTS_TYPE:
                try:
                    hints.add(_target(record), _refers_to(record), _json_object(record))
                except ValueError:
                    continue  # reported as unreadable by the second pass
    except ArchiveLoadFailed:
        raise  # the caller tells a damaged archive from a WARC gzipped as one stream
    except Exception:  # a damaged archive is reported by the second pass
        logger.debug("hints pass stopped early", exc_info=True)
    return hints


def _collect_hints(path: Path) -> tuple[_Hints, bool]:
    """First pass: the hints records (small), so a response can meet hints stored after it.

    Also tell whether the file is one gzip stream rather than one gzip member per record.
    """
    try:
        with open(path, "rb") as stream:
            return _scan_hints(stream), False
    except ArchiveLoadFailed as exc:
        if not _is_single_gzip_error(exc):
            return _Hints(), False  # a damaged archive is reported by the second pass
    # a WARC gzipped as one stream (not member by member) reads as a plain WARC through
    # gunzip; its record offsets are then positions in the decompressed stream
    with open(path, "rb") as raw:
        try:
            return _scan_hints(GunzipStream(raw)), True  # type: ignore[arg-type]
        except ArchiveLoadFailed:
            return _Hints(), True


def _response(
    record: ArcWarcRecord, origin: Callable[[], str], source: str | None, default_source: str, hints: _Hints
) -> RawPage | ReadReject:
    """Turn a response (or resource) record into a page or a reject; origin() is called last."""
    url = _target(record)
    fetched_at = _warc_date(record)
    found = hints.find(_header(record, "WARC-Record-ID"), url)
    page_source = source or found.get("source") or default_source

    def rejected(reason: RejectReason, detail: str) -> ReadReject:
        return ReadReject(origin(), reason, detail, url=url, source=page_source, fetched_at=fetched_at)

    headers = record.http_headers
    if _mime(_header(record, "Content-Type")) == "application/http" and not (headers and headers.get_statuscode()):
        return rejected(RejectReason.UNREADABLE, "record truncated or damaged: no readable HTTP headers")
    content_type = headers.get_header("Content-Type") if headers else _header(record, "Content-Type")
    if headers is not None and record.rec_type == "response":
        status = headers.get_statuscode() or ""
        if status.startswith(("4", "5")):
            return rejected(RejectReason.HTTP_ERROR, f"HTTP {headers.statusline.strip()}")
        if status.startswith("3"):
            location = headers.get_header("Location")
            return rejected(
                RejectReason.NOT_AN_ARTICLE,
                f"redirect to {location}" if location else f"HTTP {headers.statusline.strip()}",
            )
    mime = _mime(content_type)
    if mime and mime not in _HTML_TYPES:  # text/plain too: robots.txt, ads.txt, never articles
        return rejected(RejectReason.NOT_AN_ARTICLE, f"{mime} payload")
    if found.get("role") == "listing":
        return rejected(RejectReason.NOT_AN_ARTICLE, "listing page")
    try:
        raw = _payload(record)
    except ValueError as exc:
        return rejected(RejectReason.UNREADABLE, f"payload: {exc}")
    except Exception as exc:  # the archive stream itself failed: zlib, EOF, OS errors
        return rejected(RejectReason.UNREADABLE, f"payload: {type(exc).__name__}: {exc}")
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:  # the archive ended inside this record
        return rejected(RejectReason.UNREADABLE, f"record truncated: {missing} bytes missing")
    if _FEED_START.match(raw[:2048]):
        return rejected(RejectReason.NOT_AN_ARTICLE, f"a feed or sitemap served as {mime or 'no type'}")
    if not mime and not _MARKUP_START.match(raw[:2048]):
        return rejected(RejectReason.NOT_AN_ARTICLE, "payload with no content type that is not HTML")
    charset = _CHARSET.search(content_type or "")
    page_hints = {k: v for k, v in found.items() if k in HINT_KEYS}
    return RawPage(
        origin=origin(),
        raw=raw,
        media_type="html",
        url=url,
        source=page_source,
        declared_charset=charset.group(1) if charset else None,
        fetched_at=fetched_at,
        hints=page_hints or None,
        timezone=found.get("timezone"),
    )


def _metadata(
    record: ArcWarcRecord, kind: str, origin: Callable[[], str], source: str | None, default_source: str
) -> ReadReject | None:
    """Return the reject a fetch-error record stands for, or None for well-formed hints."""
    url = _target(record)
    try:
        payload = _json_object(record)
    except ValueError as exc:
        return ReadReject(
            origin(),
            RejectReason.UNREADABLE,
            f"{kind} record: {exc}",
            url=url,
            source=source or default_source,
            fetched_at=_warc_date(record),
        )
    if kind == HINTS_TYPE:
        return None  # already attached to its response by the first pass
    detail = ": ".join(str(payload[k]) for k in ("error", "detail") if payload.get(k))
    return ReadReject(
        origin(),
        RejectReason.FETCH_ERROR,
        detail or "fetch failed",
        url=payload.get("url") or url,
        source=source or payload.get("source") or default_source,
        fetched_at=_warc_date(record),
    )


def _unread_tail(stream: BinaryIO, end: int) -> bool:
    """Tell whether non-blank bytes follow the last record warcio could parse."""
    stream.seek(end)
    while chunk := stream.read(65_536):
        if chunk.strip():
            return True
    return False


def _member_cut(records: ArchiveIterator) -> bool:
    """Tell whether the gzip member just read ended without its end-of-stream marker."""
    # warcio reads a cut member as if it were complete; zlib knows better
    decompressor = getattr(records.reader, "decompressor", None)
    return decompressor is not None and not getattr(decompressor, "eof", True)


def _record_item(
    record: ArcWarcRecord, origin: Callable[[], str], source: str | None, default_source: str, hints: _Hints
) -> RawPage | ReadReject | None:
    if record.format != "warc" or not record.rec_type:
        # warcio reads anything with five words on its first line as a legacy ARC record
        raise ValueError(f"not a WARC record (read as {record.format or 'nothing'})")
    kind = _mime(_header(record, "Content-Type"))
    if record.rec_type in ("response", "resource"):
        if (_target(record) or "").startswith(("http:", "https:", "file:")):
            return _response(record, origin, source, default_source, hints)
        return None  # dns: and other crawl bookkeeping, not pages
    if record.rec_type == "metadata" and kind in (HINTS_TYPE, FETCH_ERROR_TYPE):
        return _metadata(record, kind, origin, source, default_source)
    return None  # request, warcinfo, revisit and other metadata records describe pages; they are not pages


def late_hints(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Return the hints records of an archive that refer to responses in other archives, by record id."""
    # the crawler writes hints found late (a URL seen again in a sitemap) wherever it is
    # writing then, which after a file rotation is a later archive than the response's
    hints, _ = _collect_hints(path)
    return {rid: found for rid, found in hints.by_record.items() if rid not in hints.responses}


def read_warc(
    path: Path, *, source: str | None, default_source: str, late: Mapping[str, list[dict[str, Any]]] | None = None
) -> Iterator[RawPage | ReadReject]:
    """Yield a page or reject per response record, and a reject per fetch-error record.

    late holds hints from other archives (see late_hints); they refine this archive's own.
    """
    hints, single_gzip = _collect_hints(path)
    for record_id, found in (late or {}).items():
        if record_id in hints.responses:
            hints.by_record.setdefault(record_id, []).extend(found)
    end = 0  # where the last fully read record ends
    done = 0  # records fully read
    reported = False
    try:
        with open(path, "rb") as stream:
            gunzipped = GunzipStream(stream) if single_gzip else None
            records = ArchiveIterator(gunzipped or stream)

            def origin() -> str:
                # warcio knows a record's offset only once it has read the record to its end
                return f"{path}@{records.get_record_offset()}"

            for record in records:
                item = _record_item(record, origin, source, default_source, hints)
                offset = records.get_record_offset()
                if _member_cut(records):
                    yield ReadReject(
                        f"{path}@{offset}",
                        RejectReason.UNREADABLE,
                        f"archive truncated inside record {done + 1}",
                        url=_target(record),
                        source=source or default_source,
                    )
                    return
                end = offset + records.get_record_length()
                done += 1
                # a response cut short has been rejected as such: no second reject for the cut
                reported = isinstance(item, ReadReject) and getattr(record.raw_stream, "limit", 0) > 0
                if item is not None:
                    yield item
            # warcio also ends quietly where a record's header is cut short
            damaged = (gunzipped.cut and not reported) if gunzipped else _unread_tail(stream, end)
        if damaged:
            yield ReadReject(
                f"{path}@{end}",
                RejectReason.UNREADABLE,
                f"archive truncated or damaged after {done} records",
                source=source or default_source,
            )
    except Exception as exc:  # warcio, gzip and zlib raise many types on damaged archives
        logger.warning("stopped reading %s after %d records", path, done, exc_info=True)
        yield ReadReject(
            f"{path}@{end}",
            RejectReason.UNREADABLE,
            f"archive damaged after {done} records: {type(exc).__name__}: {' '.join(str(exc).split())}",
            source=source or default_source,
        )
