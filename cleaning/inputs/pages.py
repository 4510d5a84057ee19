"""The records readers produce: a raw page, or the reason an input could not become one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from cleaning.schema import RejectReason, Stage

__all__ = ["HINT_KEYS", "PAGE_COLUMNS", "RawPage", "ReadReject"]

# what a feed, sitemap or JSONL line may say of a page; RawPage.hints holds only these
HINT_KEYS = ("title", "published", "modified", "authors", "categories", "tags", "description")


@dataclasses.dataclass(frozen=True)
class RawPage:
    """One page as archived: bytes plus what the archive says about them."""

    origin: str  # "path/file.warc.gz@1234" (record offset), "path/file.jsonl:7" (line) or the file path
    raw: bytes  # the payload, transfer and content encodings removed (but gzipped's)
    media_type: str  # "html", "markdown" or "text": how the payload is to be read
    url: str | None = None
    source: str | None = None
    declared_charset: str | None = None  # from the HTTP Content-Type header
    fetched_at: dt.datetime | None = None  # tz-aware UTC
    front_matter: Mapping[str, Any] | None = None  # parsed YAML/TOML front matter
    hints: Mapping[str, Any] | None = None  # what the feed or sitemap said of the page
    timezone: str | None = None  # the source's timezone, for dates with no offset
    quality_flags: tuple[str, ...] = ()  # flags the reader already knows (encoding_replaced)
    # raw is still the gzip file a reader was asked not to decompress (readers.inflate does, where the page is cleaned)
    gzipped: bool = False


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


# a frame of pages holds inflated pages only: gzipped is not one of its columns
PAGE_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(RawPage) if f.name != "gzipped")
