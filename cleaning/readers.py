"""Turn input files (WARC, HTML, front-matter posts, plain text, JSONL) into raw page records.

Readers never raise on bad data: a file or record that cannot be used is yielded as a
ReadReject with its reason, and reading goes on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cleaning.schema import RejectReason, Stage

__all__ = ["PAGE_COLUMNS", "RawPage", "ReadReject", "iter_inputs"]

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class RawPage:
    """One page as archived: bytes plus what the archive says about them."""

    origin: str  # "path/file.warc.gz@1234" (record offset) or the file path
    raw: bytes  # the payload, transfer and content encodings removed
    media_type: str  # "html", "markdown" or "text": how the payload is to be read
    url: str | None = None
    source: str | None = None
    declared_charset: str | None = None  # from the HTTP Content-Type header
    fetched_at: dt.datetime | None = None  # tz-aware UTC
    front_matter: Mapping[str, Any] | None = None  # parsed YAML/TOML front matter
    hints: Mapping[str, Any] | None = None  # what the feed or sitemap said of the page
    timezone: str | None = None  # the source's timezone, for dates with no offset


@dataclasses.dataclass(frozen=True)
class ReadReject:
    """An input that could not be read into a page."""

    origin: str
    reason: RejectReason
    detail: str = ""
    url: str | None = None
    source: str | None = None
    fetched_at: dt.datetime | None = None
    stage: Stage = Stage.READ


PAGE_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(RawPage))

_TEXT_SUFFIXES = {".txt"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def _read_file(path: Path, source: str | None) -> Iterator[RawPage | ReadReject]:
    name = path.name.lower()
    origin = str(path)
    try:
        data = path.read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
            name = name[:-3]
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield ReadReject(origin, RejectReason.UNREADABLE, f"{type(exc).__name__}: {exc}", source=source)
        return
    suffix = Path(name).suffix
    if suffix in _HTML_SUFFIXES:
        yield RawPage(origin=origin, raw=data, media_type="html", source=source)
    elif suffix in _TEXT_SUFFIXES:
        yield RawPage(origin=origin, raw=data, media_type="text", source=source)
    else:
        yield ReadReject(origin, RejectReason.UNSUPPORTED_FORMAT, f"no reader for {suffix or 'files without a suffix'}", source=source)


def iter_inputs(paths: Sequence[Path], *, source: str | None = None) -> Iterator[RawPage | ReadReject]:
    """Yield a page or a reject for every input under paths (files, or folders read recursively)."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            for file in files:
                yield from _read_file(file, source or path.name)
        elif path.exists():
            yield from _read_file(path, source or path.parent.name)
        else:
            yield ReadReject(str(path), RejectReason.UNREADABLE, "no such file or folder", source=source)
