"""Turn input files (WARC, HTML, front-matter posts, plain text, JSONL) into raw page records.

Readers never raise on bad data: a file or record that cannot be used is yielded as a
ReadReject with its reason, and reading goes on. Folders are read recursively in sorted
order, hidden files and folders skipped; a folder's `pages.jsonl` manifest gives the URL
and fetch time of the saved pages beside it.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import gzip
import io
import logging
import os
import traceback
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cleaning.config import CleaningConfig
from cleaning.inputs.files import (
    TooLarge,
    display_path,
    file_problem,
    gunzip_capped,
    open_regular,
    read_capped,
    walk_files,
)
from cleaning.inputs.pages import HINT_KEYS, PAGE_COLUMNS, RawPage, ReadReject
from cleaning.inputs.posts import body_media_type, has_front_matter, split_post
from cleaning.inputs.revisits import is_archive_name
from cleaning.inputs.structured import clean_strings, load_json
from cleaning.inputs.warc import keep_wanted_captures, late_hints, read_warc
from cleaning.schema import QualityFlag, RejectReason

__all__ = [
    "MANIFEST_NAME",
    "PAGE_COLUMNS",
    "InputShard",
    "RawPage",
    "ReadReject",
    "absolute",
    "inflate",
    "inflated_size",
    "iter_inputs",
    "late_hints_of",
    "merge_late_hints",
    "parse_utc",
    "plan_shards",
    "read_shard",
]

logger = logging.getLogger(__name__)

MANIFEST_NAME = "pages.jsonl"
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_TEXT_SUFFIXES = {".txt"}
_IN_PROGRESS = ".open"
_DAMAGED = (OSError, EOFError, zlib.error)  # gzip.BadGzipFile is an OSError
DEFAULT_MAX_BYTES = CleaningConfig.max_input_bytes
_REPLACED = (QualityFlag.ENCODING_REPLACED.value,)


@dataclasses.dataclass(frozen=True)
class _Known:
    """What a manifest line says of a saved page."""

    url: str | None = None
    fetched_at: dt.datetime | None = None
    source: str | None = None
    timezone: str | None = None


def parse_utc(value: Any) -> dt.datetime | None:
    """Parse an ISO 8601 fetch time to aware UTC; a time without offset is taken as UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 string, got {value!r}")
    parsed = dt.datetime.fromisoformat(value.strip())
    # crawlers log fetch times in UTC; a page's local zone (RawPage.timezone) is for its own dates
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _optional_str(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string, got {type(value).__name__}")
    return value or None


def _lines(handle: io.BufferedIOBase, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line number, line); a line longer than limit is yielded as None, read past in chunks."""
    number = 0
    while line := handle.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := handle.readline(limit)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def _json_lines(path: Path, limit: int) -> Iterator[tuple[int, dict[str, Any] | Exception, bool]]:
    """Yield (line number, object or the error that line raised, surrogates replaced); blank lines are skipped."""
    with open_regular(path) as raw:
        handle: io.BufferedIOBase = gzip.GzipFile(fileobj=raw) if path.name.lower().endswith(".gz") else raw
        for number, line in _lines(handle, limit):
            if line is None:
                yield number, TooLarge(limit), False
                continue
            if not line.strip():
                continue
            try:
                item, replaced = clean_strings(load_json(line.removeprefix(codecs.BOM_UTF8) if number == 1 else line))
                if not isinstance(item, dict):
                    raise ValueError(f"expected a JSON object, got {type(item).__name__}")
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                yield number, exc, False
            else:
                yield number, item, replaced


def _read_manifest(
    manifest: Path, source: str | None, limit: int = DEFAULT_MAX_BYTES
) -> tuple[dict[Path, _Known], list[ReadReject]]:
    known: dict[Path, _Known] = {}
    rejects: list[ReadReject] = []

    def rejected(number: int, detail: str, url: str | None = None) -> None:
        rejects.append(
            ReadReject(
                f"{display_path(manifest)}:{number}",
                RejectReason.UNREADABLE,
                f"{MANIFEST_NAME} line {number}: {detail}",
                url=url,
                source=source,
            )
        )

    number = 0
    try:
        for number, item, _ in _json_lines(manifest, limit):
            if isinstance(item, Exception):
                rejected(number, str(item))
                continue
            try:
                file = _optional_str(item, "file")
                if not file:
                    raise ValueError("needs a 'file' (path relative to the manifest)")
                target = Path(os.path.normpath(manifest.parent / file))
                entry = _Known(
                    _optional_str(item, "url"),
                    parse_utc(item.get("fetched_at")),
                    _optional_str(item, "source"),
                    _optional_str(item, "timezone"),
                )
            except ValueError as exc:
                rejected(number, str(exc), item.get("url") if isinstance(item.get("url"), str) else None)
                continue
            if not os.path.lexists(target):
                rejected(number, f"no such file {file}", entry.url)
                continue
            known[target] = entry
    except _DAMAGED as exc:
        rejected(number + 1, f"{type(exc).__name__}: {exc}")
    return known, rejects


def _jsonl_item(
    item: dict[str, Any] | Exception,
    origin: str,
    number: int,
    source: str | None,
    default_source: str,
    replaced: bool,
) -> RawPage | ReadReject:
    if isinstance(item, Exception):
        reason = RejectReason.TOO_LARGE if isinstance(item, TooLarge) else RejectReason.UNREADABLE
        return ReadReject(origin, reason, f"line {number}: {item}", source=source or default_source)
    url = item.get("url") if isinstance(item.get("url"), str) else None
    try:
        html = item.get("html")
        if not url or not isinstance(html, str):
            raise ValueError("needs 'url' and 'html' strings")
        fetched_at = parse_utc(item.get("fetched_at"))
        page_source = source or _optional_str(item, "source") or default_source
        timezone = _optional_str(item, "timezone")
    except ValueError as exc:
        return ReadReject(
            origin, RejectReason.UNREADABLE, f"line {number}: {exc}", url=url, source=source or default_source
        )
    if item.get("role") == "listing":
        return ReadReject(
            origin, RejectReason.NOT_AN_ARTICLE, "listing page", url=url, source=page_source, fetched_at=fetched_at
        )
    hints = {key: item[key] for key in HINT_KEYS if item.get(key) is not None}
    return RawPage(
        origin=origin,
        raw=html.encode("utf-8"),  # lone surrogates were replaced when the line was read
        media_type="html",
        url=url,
        source=page_source,
        declared_charset="utf-8",
        fetched_at=fetched_at,
        hints=hints or None,
        timezone=timezone,
        quality_flags=_REPLACED if replaced else (),
    )


def _read_jsonl(path: Path, source: str | None, default_source: str, limit: int) -> Iterator[RawPage | ReadReject]:
    number = 0
    name = display_path(path)
    try:
        for number, item, replaced in _json_lines(path, limit):
            yield _jsonl_item(item, f"{name}:{number}", number, source, default_source, replaced)
    except _DAMAGED as exc:
        yield ReadReject(
            f"{name}:{number + 1}",
            RejectReason.UNREADABLE,
            f"file damaged after line {number}: {type(exc).__name__}: {exc}",
            source=source or default_source,
        )
        return
    if not number:
        yield ReadReject(name, RejectReason.EMPTY_INPUT, "no JSON lines", source=source or default_source)


def _unusable(exc: Exception, origin: str, url: str | None, source: str | None, fetched_at: Any) -> ReadReject:
    """The reject of a file that could not be read or decompressed (damaged, or too large once decompressed)."""
    return ReadReject(
        origin,
        RejectReason.TOO_LARGE if isinstance(exc, TooLarge) else RejectReason.UNREADABLE,
        str(exc) if isinstance(exc, TooLarge) else f"{type(exc).__name__}: {exc}",
        url=url,
        source=source,
        fetched_at=fetched_at,
    )


def _read_document(
    path: Path, inner: str, known: _Known, source: str | None, default_source: str, limit: int, gunzip: bool = True
) -> Iterator[RawPage | ReadReject]:
    """Read an HTML page, a post or a text file (each optionally gzipped)."""
    page_source = source or known.source or default_source
    origin = display_path(path)
    suffix = Path(inner).suffix
    # nothing here depends on an HTML page's bytes (a post's front matter or a text's media type does):
    # a gzipped one can be decompressed where it is cleaned (inflate)
    deferred = not gunzip and suffix in _HTML_SUFFIXES and path.name.lower().endswith(".gz")
    try:
        with open_regular(path) as handle:
            # a .gz file is read whole but capped: gzip's ratio bounds it at ~1000 x the cap
            data = read_capped(handle, limit)
        if path.name.lower().endswith(".gz") and not deferred:
            data = gunzip_capped(data, limit)
    except (*_DAMAGED, TooLarge) as exc:
        yield _unusable(exc, origin, known.url, page_source, known.fetched_at)
        return
    page = RawPage(
        origin=origin,
        raw=data,
        media_type="html",
        url=known.url,
        source=page_source,
        fetched_at=known.fetched_at,
        timezone=known.timezone,
        gzipped=deferred,
    )
    # a .txt file opening with a --- rule and no closing one is plain text, not a broken post
    if (suffix in _MARKDOWN_SUFFIXES and has_front_matter(data)) or (
        suffix in _TEXT_SUFFIXES and has_front_matter(data, closed=True)
    ):
        try:
            post = split_post(data)
        except ValueError as exc:
            yield ReadReject(
                origin,
                RejectReason.UNREADABLE,
                f"front matter: {exc}",
                url=known.url,
                source=page_source,
                fetched_at=known.fetched_at,
            )
            return
        page = dataclasses.replace(
            page,
            raw=post.body,
            media_type=body_media_type(post.body),
            front_matter=post.front_matter,
            quality_flags=_REPLACED if post.replaced else (),
        )
    elif suffix in _MARKDOWN_SUFFIXES:
        page = dataclasses.replace(page, media_type=body_media_type(data))
    elif suffix in _TEXT_SUFFIXES:
        page = dataclasses.replace(page, media_type="text")
    yield page


def inflate(page: RawPage, limit: int = DEFAULT_MAX_BYTES) -> RawPage | ReadReject:
    """A page read with gunzip=False as the reader would have yielded it decompressed: the page, or its reject.

    Where the page is cleaned (a worker process) rather than where the inputs are read: gzip
    decompression was most of reading a folder of .html.gz pages, on the one process that
    feeds every worker. A page not gzipped is returned as it is.
    """
    if not page.gzipped:
        return page
    try:
        return dataclasses.replace(page, raw=gunzip_capped(page.raw, limit), gzipped=False)
    except (*_DAMAGED, TooLarge) as exc:
        return _unusable(exc, page.origin, page.url, page.source, page.fetched_at)
    except Exception as exc:  # a bug: this page alone is lost, and says so (as _read_file does)
        logger.warning("internal error decompressing %s: %s: %s", page.origin, type(exc).__name__, exc)
        frames = "".join(traceback.format_tb(exc.__traceback__, limit=-2)).rstrip()
        return ReadReject(
            page.origin,
            RejectReason.INTERNAL_ERROR,
            f"reading stopped after 0 items: {type(exc).__name__}: {exc}\n{frames}",
            source=page.source,
        )


def inflated_size(page: RawPage) -> int:
    """Bytes of the page once decompressed, as its gzip trailer says (the last member's, mod 2**32): an estimate."""
    if not page.gzipped or len(page.raw) < 18:  # 10 bytes of header, 8 of trailer
        return len(page.raw)
    return int.from_bytes(page.raw[-4:], "little")


_Late = dict[str, list[dict[str, Any]]]


def _is_warc(path: Path) -> bool:
    return is_archive_name(path.name)  # WARC, or legacy ARC


def _dispatch(
    path: Path, known: _Known, source: str | None, default_source: str, late: _Late, limit: int, gunzip: bool = True
) -> Iterator[RawPage | ReadReject]:
    name = path.name.lower()
    inner = name.removesuffix(".gz")
    suffix = Path(inner).suffix
    if suffix in (".warc", ".arc"):
        yield from read_warc(path, source=source, default_source=default_source, late=late, max_bytes=limit)
    elif suffix == ".jsonl":
        yield from _read_jsonl(path, source, default_source, limit)
    elif suffix in _HTML_SUFFIXES | _MARKDOWN_SUFFIXES | _TEXT_SUFFIXES:
        yield from _read_document(path, inner, known, source, default_source, limit, gunzip)
    else:
        what = suffix + name[len(inner) :] or "files without a suffix"
        yield ReadReject(
            display_path(path),
            RejectReason.UNSUPPORTED_FORMAT,
            f"no reader for {what}",
            source=source or known.source or default_source,
        )


def _read_file(
    path: Path, known: _Known, source: str | None, default_source: str, late: _Late, limit: int, gunzip: bool = True
) -> Iterator[RawPage | ReadReject]:
    """Read one input file; whatever it is or does, it ends as pages and rejects, never an exception."""
    page_source = source or known.source or default_source
    if os.path.isdir(path):  # a folder the walk could not list
        yield ReadReject(display_path(path), RejectReason.UNREADABLE, "folder cannot be listed", source=page_source)
        return
    problem = file_problem(path)
    if problem is not None:
        yield ReadReject(display_path(path), problem.reason, problem.detail, url=known.url, source=page_source)
        return
    yielded = 0
    try:
        for item in _dispatch(path, known, source, default_source, late, limit, gunzip):
            yielded += 1
            yield item
    except Exception as exc:  # a reader bug: this file alone is lost, and says so
        logger.warning("internal error reading %s: %s: %s", display_path(path), type(exc).__name__, exc)
        logger.debug("internal error reading %s", display_path(path), exc_info=True)
        frames = "".join(traceback.format_tb(exc.__traceback__, limit=-2)).rstrip()
        yield ReadReject(
            display_path(path),
            RejectReason.INTERNAL_ERROR,
            f"reading stopped after {yielded} items: {type(exc).__name__}: {exc}\n{frames}",
            source=page_source,
        )


def _visible_files(root: Path) -> list[Path]:
    files = []
    for path in walk_files(root):
        if path.name.endswith(_IN_PROGRESS):
            # the WARC convention for a file still being written: read it once it is closed
            logger.info("skipping %s: still being written", display_path(path))
            continue
        files.append(path)
    return files


def _read_folder(
    root: Path, files: list[Path], source: str | None, late: _Late, limit: int, gunzip: bool = True
) -> Iterator[RawPage | ReadReject]:
    default_source = display_path(root.resolve().name)
    known: dict[Path, _Known] = {}
    for manifest in (f for f in files if f.name == MANIFEST_NAME):
        if file_problem(manifest) is not None:
            continue  # rejected as itself below
        entries, rejects = _read_manifest(manifest, source or default_source, limit)
        known.update(entries)
        yield from rejects
    for file in files:
        if file.name != MANIFEST_NAME or file_problem(file) is not None:
            entry = known.get(Path(os.path.normpath(file)), _Known())
            yield from _read_file(file, entry, source, default_source, late, limit, gunzip)


def _read_single(
    path: Path, source: str | None, late: _Late, limit: int, gunzip: bool = True
) -> Iterator[RawPage | ReadReject]:
    default_source = display_path(path.resolve().parent.name)
    manifest = path.parent / MANIFEST_NAME
    if path.name == MANIFEST_NAME and file_problem(path) is None:  # a manifest given by name: read its pages
        entries, rejects = _read_manifest(path, source or default_source, limit)
        yield from rejects
        for file, entry in sorted(entries.items()):
            yield from _read_file(file, entry, source, default_source, late, limit, gunzip)
        return
    known = _read_manifest(manifest, source, limit)[0] if file_problem(manifest) is None else {}
    entry = known.get(Path(os.path.normpath(path)), _Known())
    yield from _read_file(path, entry, source, default_source, late, limit, gunzip)


def _late_hints(warcs: list[Path], limit: int) -> _Late:
    """Collect, over all archives, the hints that refer to a response in another archive."""
    if len(warcs) < 2:
        return {}
    late: _Late = {}
    for warc in warcs:  # in name order: the crawler's names sort by time, later refines earlier
        try:
            found_late = late_hints(warc, max_bytes=limit)
        except Exception:  # the archive is read (and rejected) again on its own
            logger.debug("no late hints from %s", display_path(warc), exc_info=True)
            continue
        for record_id, found in found_late.items():
            late.setdefault(record_id, []).extend(found)
    return keep_wanted_captures(late)


def absolute(path: Path | str) -> Path:
    """The path as origins name it: absolute, not resolved (a link stays the name it was given)."""
    return Path(os.path.abspath(path))


def iter_inputs(
    paths: Sequence[Path | str], *, source: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, gunzip: bool = True
) -> Iterator[RawPage | ReadReject]:
    """Yield a page or a reject for every input under paths (files, or folders read recursively).

    Origins are absolute paths, however the inputs were given.
    The source of a page is the source argument, else what the archive's hints or the
    manifest say, else the name of the input folder (the parent folder of a file argument).
    Only regular files are opened; max_bytes caps what one input may hold after decompression.
    gunzip=False leaves a gzipped HTML page compressed (RawPage.gzipped): inflate(page, max_bytes)
    then gives what this would have yielded for it, a page or a reject.
    """
    inputs = [(path, _visible_files(path) if path.is_dir() else None) for path in map(absolute, paths)]
    warcs = [
        f
        for path, files in inputs
        for f in (files if files is not None else [path])
        if _is_warc(f) and file_problem(f) is None
    ]
    late = _late_hints(sorted(warcs, key=lambda p: p.name), max_bytes)
    for path, files in inputs:
        if files is not None:
            yield from _read_folder(path, files, source, late, max_bytes, gunzip)
        elif os.path.lexists(path):
            yield from _read_single(path, source, late, max_bytes, gunzip)
        else:
            yield ReadReject(display_path(path), RejectReason.UNREADABLE, "no such file or folder", source=source)


# --- shards: the same inputs, split for workers that read their own part (cleaning/distributed.py) ---


@dataclasses.dataclass(frozen=True)
class InputShard:
    """Part of a run's inputs that one worker reads itself: files of one input folder, or one input given by name.

    Reading every shard of a plan (read_shard, with the plan's late hints) yields the same
    pages and rejects as iter_inputs over the inputs, in the same order.
    """

    index: int  # position in the plan
    path: Path  # the input as given: a folder, or a file (which may be missing)
    files: tuple[Path, ...] = ()  # of a folder: the part of its files this shard reads
    manifests: tuple[Path, ...] = ()  # of a folder: its manifests, read by each of its shards
    first: bool = True  # of a folder: the shard that reports its manifests' rejects


def plan_shards(
    paths: Sequence[Path | str], *, max_files: int = 256, max_bytes: int = 64 * 1024 * 1024
) -> tuple[list[InputShard], list[Path]]:
    """Split inputs into shards (each WARC file its own, other files up to max_files or max_bytes); list the WARCs.

    Reads only directory listings and file sizes, never contents.
    """
    shards: list[InputShard] = []
    warcs: list[Path] = []
    for path in map(absolute, paths):
        if not path.is_dir():
            if _is_warc(path) and file_problem(path) is None:
                warcs.append(path)
            shards.append(InputShard(len(shards), path))
            continue
        files = _visible_files(path)
        manifests = tuple(f for f in files if f.name == MANIFEST_NAME and file_problem(f) is None)
        warcs += [f for f in files if _is_warc(f) and file_problem(f) is None]
        parts = _parts([f for f in files if f not in manifests], max_files, max_bytes)
        shards += [
            InputShard(len(shards) + n, path, tuple(part), manifests, n == 0) for n, part in enumerate(parts or [[]])
        ]
    return shards, sorted(warcs, key=lambda p: p.name)


def _parts(files: list[Path], max_files: int, max_bytes: int) -> list[list[Path]]:
    """Group files in order: up to max_files or max_bytes each, every WARC file alone (it holds many pages)."""
    parts: list[list[Path]] = []
    part: list[Path] = []
    size = 0
    for file in files:
        try:
            file_size = file.stat().st_size
        except OSError:
            file_size = 0
        if part and (_is_warc(file) or len(part) >= max_files or size + file_size > max_bytes):
            parts.append(part)
            part, size = [], 0
        part.append(file)
        size += file_size
        if _is_warc(file):
            parts.append(part)
            part, size = [], 0
    if part:
        parts.append(part)
    return parts


def read_shard(
    shard: InputShard, *, source: str | None = None, late: _Late | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawPage | ReadReject]:
    """Yield the pages and rejects of one shard; late holds the plan's hints across archives (late_hints_of)."""
    late = late or {}
    path = shard.path
    if not path.is_dir():
        if os.path.lexists(path):
            yield from _read_single(path, source, late, max_bytes)
        else:
            yield ReadReject(display_path(path), RejectReason.UNREADABLE, "no such file or folder", source=source)
        return
    default_source = display_path(path.resolve().name)
    known: dict[Path, _Known] = {}
    for manifest in shard.manifests:
        entries, rejects = _read_manifest(manifest, source or default_source, max_bytes)
        known.update(entries)
        if shard.first:
            yield from rejects
    for file in shard.files:
        entry = known.get(Path(os.path.normpath(file)), _Known())
        yield from _read_file(file, entry, source, default_source, late, max_bytes)


def late_hints_of(warc: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> _Late:
    """The hints in one archive that may refer to a response in another (merge with merge_late_hints)."""
    try:
        return dict(late_hints(warc, max_bytes=max_bytes))
    except Exception:  # the archive is read (and rejected) again on its own
        logger.debug("no late hints from %s", display_path(warc), exc_info=True)
        return {}


def merge_late_hints(found: Sequence[_Late]) -> _Late:
    """Merge late_hints_of of every archive of a plan, given in the plan's (name) order, as iter_inputs does."""
    if len(found) < 2:
        return {}
    late: _Late = {}
    for one in found:
        for record_id, hints in one.items():
            late.setdefault(record_id, []).extend(hints)
    return keep_wanted_captures(late)
