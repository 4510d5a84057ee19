"""Read WARC archives into pages: responses become RawPages, everything unusable a ReadReject.

The crawler's contract: a `metadata` record typed application/warc-fields with a
`tidings-hints` field (JSON) carries what the feed or sitemap said of the page of the response
it is WARC-Concurrent-To; one with a `tidings-fetch-error` field records a fetch that got no
response at all. Archives written before carry the JSON alone, typed HINTS_TYPE and
FETCH_ERROR_TYPE. Other warc-fields metadata (Heritrix's outlinks, ...) is no page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from cleaning.inputs.files import TooLarge, display_path, open_regular
from cleaning.inputs.pages import HINT_KEYS, RawPage, ReadReject
from cleaning.inputs.payloads import GunzipStream, decode_content
from cleaning.inputs.revisits import capture_keys, is_arc_name, revisit_keys
from cleaning.inputs.structured import clean_strings, load_json
from cleaning.schema import RejectReason

__all__ = [
    "FETCH_ERROR_TYPE",
    "HINTS_TYPE",
    "WARC_FIELDS",
    "PartUnreadable",
    "hints_in_part",
    "keep_wanted_captures",
    "late_hints",
    "read_warc",
    "read_warc_part",
]

logger = logging.getLogger(__name__)

HINTS_TYPE = "application/vnd.tidings.hints+json"
FETCH_ERROR_TYPE = "application/vnd.tidings.fetch-error+json"
WARC_FIELDS = "application/warc-fields"
# the warc-fields field that holds each kind, as crawler/archive.py writes it
_FIELDS = {"tidings-hints": HINTS_TYPE, "tidings-fetch-error": FETCH_ERROR_TYPE}

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';,\s]+)""", re.I)
# feeds and sitemaps are often served as text/html or with no type at all
_FEED_START = re.compile(
    rb"\A(?:\s|\xef\xbb\xbf|<\?xml[^>]*>|<!--.*?-->)*<(rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.I | re.S
)
_MARKUP_START = re.compile(rb"\A(?:\s|\xef\xbb\xbf)*<[!a-z]", re.I)
_RECORD_START = re.compile(rb"\nWARC/1\.[01]\r?\n")
_NO_LIMIT = 1 << 62
_CAPTURE = "capture "  # late_hints keys of capture locations; record ids never start so
_WANTED = "wanted "  # late_hints keys of the captures an archive's revisits name


class _QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator without its multi-line stderr warning on a bad Content-Length: we reject instead."""

    INC_RECORD = ""


@dataclasses.dataclass
class _Hints:
    """Hints records of one archive, indexed for matching to responses."""

    by_record: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    by_url: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    responses: set[str] = dataclasses.field(default_factory=set)  # record ids of this archive's responses
    # where the captures a revisit may name are: key (revisits.capture_keys) -> offset in this archive
    captures: dict[str, int] = dataclasses.field(default_factory=dict)
    wanted: set[str] = dataclasses.field(default_factory=set)  # the keys this archive's revisits name
    # the same over every archive of the inputs (this one first): key -> (archive, offset)
    locations: dict[str, tuple[Path, int]] = dataclasses.field(default_factory=dict)

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


def _json_object(data: bytes) -> dict[str, Any]:
    payload, _ = clean_strings(load_json(data.decode("utf-8")))
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def _tidings_kind(record: ArcWarcRecord) -> str | None:
    """Return HINTS_TYPE or FETCH_ERROR_TYPE for a metadata record that may be tidings', else None."""
    if record.rec_type != "metadata":
        return None
    mime = _mime(_header(record, "Content-Type"))
    if mime in (HINTS_TYPE, FETCH_ERROR_TYPE):
        return mime
    return WARC_FIELDS if mime == WARC_FIELDS else None


def _tidings_metadata(record: ArcWarcRecord, limit: int) -> tuple[str, dict[str, Any]] | None:
    """Return (kind, JSON object) of a tidings metadata record; None for other metadata.

    Raises ValueError (TooLarge included) for a tidings record that cannot be read.
    """
    kind = _tidings_kind(record)
    if kind is None:
        return None
    data = record.content_stream().read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    if kind != WARC_FIELDS:
        return kind, _json_object(data)
    for line in data.split(b"\n"):
        name, colon, value = line.partition(b":")
        found = _FIELDS.get(name.strip().decode("latin-1").lower()) if colon else None
        if found:
            return found, _json_object(value.strip())
    return None


def _capped_read(stream: Any, limit: int) -> bytes:
    data = bytes(stream.read(limit + 1))
    if len(data) > limit:
        raise TooLarge(limit)
    return data


def _payload(record: ArcWarcRecord, limit: int) -> bytes:
    """Return the body with chunking and Content-Encoding removed; raise TooLarge past limit bytes."""
    headers = record.http_headers
    if headers is None:
        return _capped_read(record.raw_stream, limit)
    stream = record.raw_stream
    if (headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        stream = ChunkedDataReader(stream)  # without decomp_type: warcio knows neither zstd nor x-gzip
    # the crawler archives bodies as transferred: a gzip bomb stops at the crawl's own cap
    return decode_content(_capped_read(stream, limit), headers.get_header("Content-Encoding"), max_bytes=limit)


def _is_single_gzip_error(exc: Exception) -> bool:
    return isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc)


def _scan_hints(stream: BinaryIO, limit: int, *, arc: bool = False, offsets: bool = True) -> _Hints:
    hints = _Hints()
    try:
        records = _QuietArchiveIterator(stream, arc2warc=arc)
        for record in records:
            if record.rec_type in ("response", "resource"):
                hints.responses.add(_header(record, "WARC-Record-ID") or "")
                keys = capture_keys(record) if offsets and (_target(record) or "").startswith("http") else []
                if keys:
                    offset = records.get_record_offset()  # reads the record to its end first
                    for key in keys:
                        hints.captures.setdefault(key, offset)
            elif record.rec_type == "revisit":
                hints.wanted.update(revisit_keys(record))
            elif _tidings_kind(record) in (HINTS_TYPE, WARC_FIELDS):
                try:
                    found = _tidings_metadata(record, limit)
                except ValueError:
                    continue  # reported as unreadable by the second pass
                if found and found[0] == HINTS_TYPE:
                    hints.add(_target(record), _refers_to(record), found[1])
    except ArchiveLoadFailed:
        raise  # the caller tells a damaged archive from a WARC gzipped as one stream
    except Exception:  # a damaged archive is reported by the second pass
        logger.debug("hints pass stopped early", exc_info=True)
    return hints


def _collect_hints(path: Path, limit: int) -> tuple[_Hints, bool]:
    """First pass: the hints records (small), so a response can meet hints stored after it, and where captures are.

    Also tell whether the file is one gzip stream rather than one gzip member per record.
    """
    arc = is_arc_name(path.name)
    try:
        with open_regular(path) as stream:
            return _scan_hints(stream, limit, arc=arc), False
    except ArchiveLoadFailed as exc:
        if not _is_single_gzip_error(exc):
            return _Hints(), False  # a damaged archive is reported by the second pass
    # a WARC gzipped as one stream (not member by member) reads as a plain WARC through
    # gunzip; its record offsets are then positions in the decompressed stream
    with open_regular(path) as raw:
        try:
            # offsets there are positions in the decompressed stream: no capture is read back from it
            return _scan_hints(GunzipStream(raw), limit, arc=arc, offsets=False), True  # type: ignore[arg-type]
        except ArchiveLoadFailed:
            return _Hints(), True


def _response(
    record: ArcWarcRecord,
    origin: Callable[[], str],
    source: str | None,
    default_source: str,
    hints: _Hints,
    limit: int,
    *,
    as_of: ArcWarcRecord | None = None,
) -> RawPage | ReadReject:
    """Turn a response (or resource) record into a page or a reject; origin() is called last.

    as_of is a revisit record resolved to this one: the page is its URL, fetched at its date.
    """
    url = _target(as_of or record)
    fetched_at = _warc_date(as_of or record)
    found = hints.find(_header(as_of or record, "WARC-Record-ID"), url)
    if as_of is not None and not found:
        found = hints.find(_header(record, "WARC-Record-ID"), _target(record))
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
        raw = _payload(record, limit)
    except TooLarge as exc:
        return rejected(RejectReason.TOO_LARGE, f"payload: {exc}")
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


def _revisit(
    record: ArcWarcRecord,
    origin: Callable[[], str],
    source: str | None,
    default_source: str,
    hints: _Hints,
    limit: int,
) -> RawPage | ReadReject:
    """Resolve a revisit record to its original capture in the inputs; a revisit_unresolved reject if none is."""
    url = _target(record)
    record.content_stream().read(limit)  # to its end, for origin(): a revisit's block is headers only
    location = next((hints.locations[key] for key in revisit_keys(record) if key in hints.locations), None)
    if location is None:
        named = _header(record, "WARC-Refers-To") or _header(record, "WARC-Payload-Digest") or "nothing"
        return ReadReject(
            origin(),
            RejectReason.REVISIT_UNRESOLVED,
            f"revisit ({_header(record, 'WARC-Profile') or 'no profile'}) of a capture not in the inputs: {named}",
            url=url,
            source=source or hints.find(_header(record, "WARC-Record-ID"), url).get("source") or default_source,
            fetched_at=_warc_date(record),
        )
    path, offset = location
    with open_regular(path) as stream:
        stream.seek(offset)
        original = next(iter(_QuietArchiveIterator(stream, arc2warc=is_arc_name(path.name))))
        return _response(original, origin, source, default_source, hints, limit, as_of=record)


def _metadata(
    record: ArcWarcRecord, origin: Callable[[], str], source: str | None, default_source: str, limit: int
) -> ReadReject | None:
    """Return the reject a fetch-error record stands for, or None for well-formed hints and other metadata."""
    url = _target(record)
    try:
        found = _tidings_metadata(record, limit)
    except ValueError as exc:
        return ReadReject(
            origin(),
            RejectReason.UNREADABLE,
            f"{_tidings_kind(record)} record: {exc}",
            url=url,
            source=source or default_source,
            fetched_at=_warc_date(record),
        )
    if found is None or found[0] == HINTS_TYPE:
        return None  # not ours, or hints already attached to their response by the first pass
    payload = found[1]
    detail = ": ".join(str(payload[k]) for k in ("error", "detail") if payload.get(k))
    blocked = payload.get("error") == "blocked_url"  # refused by the crawler's URL policy, never fetched
    return ReadReject(
        origin(),
        RejectReason.BLOCKED_URL if blocked else RejectReason.FETCH_ERROR,
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
    record: ArcWarcRecord,
    origin: Callable[[], str],
    source: str | None,
    default_source: str,
    hints: _Hints,
    limit: int,
) -> RawPage | ReadReject | None:
    if record.format != "warc" or not record.rec_type:
        # warcio reads anything with five words on its first line as a legacy ARC record
        raise ValueError(f"not a WARC record (read as {record.format or 'nothing'})")
    if record.rec_headers.get_header("Content-Length") is None:
        raise ValueError(f"{record.rec_type!r} record header truncated: no Content-Length")
    if record.rec_type in ("response", "resource"):
        if (_target(record) or "").startswith(("http:", "https:", "file:")):
            return _response(record, origin, source, default_source, hints, limit)
        return None  # dns: and other crawl bookkeeping, not pages
    if record.rec_type == "revisit" and (_target(record) or "").startswith(("http:", "https:")):
        return _revisit(record, origin, source, default_source, hints, limit)
    if _tidings_kind(record) is not None:
        return _metadata(record, origin, source, default_source, limit)
    return None  # request, warcinfo and other metadata records describe pages; they are not pages


def late_hints(path: Path, *, max_bytes: int = _NO_LIMIT) -> dict[str, list[dict[str, Any]]]:
    """Return the hints records of an archive that refer to responses in other archives, by record id."""
    # the crawler writes hints found late (a URL seen again in a sitemap) wherever it is
    # writing then, which after a file rotation is a later archive than the response's
    hints, _ = _collect_hints(path, max_bytes)
    late = {rid: found for rid, found in hints.by_record.items() if rid not in hints.responses}
    # and where this archive's captures are, for revisits in other archives (see read_warc)
    late.update({_CAPTURE + key: [{"path": str(path), "offset": offset}] for key, offset in hints.captures.items()})
    late.update({_WANTED + key: [] for key in hints.wanted})
    return late


def keep_wanted_captures(late: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Drop from merged late_hints the captures no revisit of the inputs names (most of them, usually)."""
    wanted = {key.removeprefix(_WANTED) for key in late if key.startswith(_WANTED)}
    return {
        key: found
        for key, found in late.items()
        if not key.startswith((_WANTED, _CAPTURE)) or key.removeprefix(_CAPTURE) in wanted
    }


def _next_record_start(stream: BinaryIO, after: int) -> int | None:
    """Return the offset of the next line that starts a WARC record header after offset after."""
    position = after
    tail = b""
    while True:
        stream.seek(position)
        chunk = stream.read(1 << 20)
        if not chunk:
            return None
        window = tail + chunk
        match = _RECORD_START.search(window)
        if match:
            return position - len(tail) + match.start() + 1
        tail = window[-16:]
        position += len(chunk)


def _read_records(
    path: Path,
    start: int,
    single_gzip: bool,
    source: str | None,
    default_source: str,
    hints: _Hints,
    limit: int,
) -> Generator[RawPage | ReadReject, None, int | None]:
    """Yield the items of the records from offset start; return where to resume after a record that overran the file."""
    name = display_path(path)
    end = start  # where the last fully read record ends
    done = 0  # records fully read
    reported = False
    try:
        with open_regular(path) as stream:
            plain = not single_gzip and stream.read(2) != b"\x1f\x8b"
            stream.seek(start)
            gunzipped = GunzipStream(stream) if single_gzip else None
            records = _QuietArchiveIterator(gunzipped or stream, arc2warc=is_arc_name(path.name))

            def origin() -> str:
                # warcio knows a record's offset only once it has read the record to its end
                return f"{name}@{records.get_record_offset()}"

            for record in records:
                item = _record_item(record, origin, source, default_source, hints, limit)
                offset = records.get_record_offset()
                if _member_cut(records):
                    yield ReadReject(
                        f"{name}@{offset}",
                        RejectReason.UNREADABLE,
                        f"archive truncated inside record {done + 1}",
                        url=_target(record),
                        source=source or default_source,
                    )
                    return None
                end = offset + records.get_record_length()
                done += 1
                cut = getattr(record.raw_stream, "limit", 0) > 0
                # a response cut short has been rejected as such: no second reject for the cut
                reported = isinstance(item, ReadReject) and cut
                if item is not None:
                    yield item
                if cut and plain:
                    # a Content-Length past the end of the file swallowed what follows: resume
                    # at the next record header inside the swallowed bytes, if there is one
                    resume = _next_record_start(stream, offset + 1)
                    if resume is not None:
                        return resume
                    if item is None:
                        yield ReadReject(
                            f"{name}@{offset}",
                            RejectReason.UNREADABLE,
                            f"record {done} truncated: Content-Length runs past the end of the file",
                            url=_target(record),
                            source=source or default_source,
                        )
                    return None
            # warcio also ends quietly where a record's header is cut short
            damaged = (gunzipped.cut and not reported) if gunzipped else _unread_tail(stream, end)
        if damaged:
            yield ReadReject(
                f"{name}@{end}",
                RejectReason.UNREADABLE,
                f"archive truncated or damaged after {done} records",
                source=source or default_source,
            )
        elif done == 0 and start == 0:
            yield ReadReject(name, RejectReason.EMPTY_INPUT, "no WARC records", source=source or default_source)
    except Exception as exc:  # warcio, gzip and zlib raise many types on damaged archives
        # a damaged archive is data (a reject), not a problem of the run: INFO, one line
        problem = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]
        logger.info("stopped reading %s after %d records: %s", name, done, problem)
        logger.debug("stopped reading %s", name, exc_info=True)
        yield ReadReject(
            f"{name}@{end}",
            RejectReason.UNREADABLE,
            f"archive damaged after {done} records: {problem}",
            source=source or default_source,
        )
    return None


class _Counted:
    """Pass a generator's items through, counting them, and return what it returns."""

    def __init__(self) -> None:
        self.items = 0

    def __call__(self, items: Generator[RawPage | ReadReject, None, int | None]) -> Generator[Any, None, int | None]:
        while True:
            try:
                item = next(items)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            self.items += 1
            yield item


def read_warc(
    path: Path,
    *,
    source: str | None,
    default_source: str,
    late: Mapping[str, list[dict[str, Any]]] | None = None,
    max_bytes: int = _NO_LIMIT,
) -> Iterator[RawPage | ReadReject]:
    """Yield a page or reject per response record and per revisit record, and a reject per fetch-error record.

    late holds hints from other archives (see late_hints); they refine this archive's own.
    A revisit is read as the capture it names, in this archive or (by late) another one, at
    its own URL and date; a revisit_unresolved reject when no such capture is in the inputs.
    Legacy ARC files (.arc, .arc.gz) are read as warcio converts them to WARC records.
    A record longer than max_bytes (after Content-Encoding) is rejected as too_large.
    """
    hints, single_gzip = _collect_hints(path, max_bytes)
    hints.locations = {key: (path, offset) for key, offset in hints.captures.items()}
    for record_id, found in (late or {}).items():
        if record_id in hints.responses:
            hints.by_record.setdefault(record_id, []).extend(found)
        elif record_id.startswith(_CAPTURE) and found:
            where = found[0]
            hints.locations.setdefault(record_id.removeprefix(_CAPTURE), (Path(where["path"]), int(where["offset"])))
    start: int | None = 0
    counted = _Counted()
    while start is not None:
        start = yield from counted(_read_records(path, start, single_gzip, source, default_source, hints, max_bytes))
    if not counted.items:  # whole records, none of them a page (a warcinfo, a dns: lookup, a mangled target URI)
        yield ReadReject(
            display_path(path),
            RejectReason.EMPTY_INPUT,
            "no page in the archive: no response or resource record with an http(s) target",
            source=source or default_source,
        )


class PartUnreadable(Exception):
    """A part of an archive that read_warc_part cannot read as read_warc reads it in the whole file."""


def read_warc_part(
    path: Path,
    data: bytes,
    start: int,
    *,
    default_source: str,
    late: Mapping[str, list[dict[str, Any]]] | None = None,
    max_bytes: int = _NO_LIMIT,
    only: Collection[str] | None = None,
) -> list[RawPage | ReadReject]:
    """The items read_warc(path) yields for the records in data: the bytes of path from offset start on.

    data must be whole records of an archive gzipped record by record, as the crawler writes
    it (crawler/archive.py sends such parts while it writes). The responses' hints are those in
    data and, after them, late: the hints found after the part (in the same file or later ones),
    in archive order. Then the pages and rejects equal read_warc's for these records, origins
    included. Raises PartUnreadable where only the whole file reads right: a revisit (its capture
    may be elsewhere), a record cut short or damaged, bytes that are no gzip member.
    only: the record ids to read (the others are skipped).
    """
    if not data.startswith(b"\x1f\x8b"):
        raise PartUnreadable("not an archive gzipped record by record")
    name = display_path(path)
    try:
        hints = _scan_hints(io.BytesIO(data), max_bytes, offsets=False)
    except ArchiveLoadFailed as exc:
        raise PartUnreadable(str(exc)) from exc
    for record_id, found in (late or {}).items():
        if record_id in hints.responses:
            hints.by_record.setdefault(record_id, []).extend(found)
    records = _QuietArchiveIterator(io.BytesIO(data))

    def origin() -> str:
        return f"{name}@{start + records.get_record_offset()}"

    items: list[RawPage | ReadReject] = []
    end = 0
    try:
        for record in records:
            if record.rec_type == "revisit":
                raise PartUnreadable("a revisit record")
            if only is None or _header(record, "WARC-Record-ID") in only:
                item = _record_item(record, origin, None, default_source, hints, max_bytes)
            else:
                item = None
            offset = records.get_record_offset()  # reads the record to its end first
            if _member_cut(records) or getattr(record.raw_stream, "limit", 0) > 0:
                raise PartUnreadable("a record cut short")
            end = offset + records.get_record_length()
            if item is not None:
                items.append(item)
    except PartUnreadable:
        raise
    except Exception as exc:  # warcio, gzip and zlib raise many types on damaged archives
        raise PartUnreadable(f"{type(exc).__name__}: {exc}") from exc
    if end != len(data):
        raise PartUnreadable(f"{len(data) - end} bytes after the last whole record")
    return items


def hints_in_part(data: bytes, *, max_bytes: int = _NO_LIMIT) -> dict[str, list[dict[str, Any]]]:
    """The hints records in data (whole records of an archive gzipped record by record), by the record they refer to."""
    if not data.startswith(b"\x1f\x8b"):
        raise PartUnreadable("not an archive gzipped record by record")
    try:
        return _scan_hints(io.BytesIO(data), max_bytes, offsets=False).by_record
    except ArchiveLoadFailed as exc:
        raise PartUnreadable(str(exc)) from exc
