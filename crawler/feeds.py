"""Read RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and CDF feeds into Entries with feedparser, without Scrapy.

feedparser (its corpus is the reference benchmarks/feeds.py measures against) decodes
entities, honours Atom content types, base64 content and xml:base, consults the HTTP
charset and recovers from ill-formed XML. We keep what a crawl needs of each entry; dates
stay as the feed wrote them, for cleaning to read with the parser it uses for page dates.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import io
import re
import time
from typing import Any

import feedparser

from crawler.entries import Entry, clean_text
from crawler.markup import escape_stray_ampersands, plain_text

__all__ = ["Feed", "parse_feed", "read_feed"]

# RSS <author> holds an e-mail address, optionally followed by the name in parentheses
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$")
_EMAIL = re.compile(r"^\S+@\S+$")
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';,\s]+)""", re.I)
# labels that WHATWG's Encoding standard reads as windows-1252, as browsers do
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819", "ibm819"}


@dataclasses.dataclass(frozen=True)
class Feed:
    """A parsed feed: the entries with a web link, and what went wrong on the way."""

    entries: tuple[Entry, ...] = ()
    is_feed: bool = False  # False: not a feed at all (HTML, junk, empty)
    problems: tuple[str, ...] = ()  # entries skipped, recovered XML errors: for the log, never fatal


def _get(item: Any, key: str) -> Any:
    # dict.get, not FeedParserDict.get: that maps a missing `updated` to `published`, with a DeprecationWarning
    return dict.get(item, key)


def _author(text: str | None) -> str | None:
    text = clean_text(text)
    if not text:
        return None
    match = _EMAIL_NAME.match(text)
    if match:
        return clean_text(match.group("name"))
    if _EMAIL.match(text):
        return None  # an address alone names nobody
    return text


def _authors(item: Any) -> tuple[str, ...]:
    names: list[str] = []
    people = [*(_get(item, "authors") or []), *(_get(item, "contributors") or [])]
    for person in people or [{"name": _get(item, "author")}]:
        author = _author(person.get("name") or person.get("email") if isinstance(person, dict) else None)
        if author and author not in names:
            names.append(author)
    return tuple(names)


def _categories(item: Any) -> tuple[str, ...]:
    found: list[str] = []
    for tag in _get(item, "tags") or []:
        value = clean_text(tag.get("label") or tag.get("term"))
        if value and value not in found:
            found.append(value)
    return tuple(found)


def _text(item: Any, key: str) -> str | None:
    """Return a text construct as plain text: text/plain stays as it is, (X)HTML is reduced to text."""
    value = _get(item, key)
    if not isinstance(value, str):
        return None
    kind = (_get(item, f"{key}_detail") or {}).get("type", "text/html")
    # type="text" in Atom: "vector<int>" is text, not a tag to strip
    return clean_text(value) if kind == "text/plain" else plain_text(value)


def _instant(parsed: time.struct_time | None) -> dt.datetime | None:
    if not parsed:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _entry(item: Any, version: str) -> Entry | None:
    url = clean_text(_get(item, "link"))
    if not url or not url.startswith(("http://", "https://")):
        return None
    published = clean_text(_get(item, "published")) or clean_text(_get(item, "created"))
    modified = clean_text(_get(item, "updated"))
    published_at = _instant(_get(item, "published_parsed") or _get(item, "created_parsed"))
    modified_at = _instant(_get(item, "updated_parsed"))
    if not published and version.startswith("rss"):
        # feedparser files RSS's dc:date under updated: in a news feed it is the publication date
        published, published_at, modified, modified_at = modified, modified_at, None, None
    if modified == published:
        modified, modified_at = None, None
    return Entry(
        url=url,
        title=_text(item, "title"),
        published=published,
        modified=modified,
        authors=_authors(item),
        categories=_categories(item),
        description=_text(item, "summary"),
        published_at=published_at,
        modified_at=modified_at,
    )


def _parse(body: bytes, base_url: str, content_type: str | None) -> Any:
    headers = {"content-location": base_url} | ({"content-type": content_type} if content_type else {})
    # a stream, never bytes or str: feedparser opens a str that looks like a URL or a path
    return feedparser.parse(io.BytesIO(escape_stray_ampersands(body)), response_headers=headers)


def _charset_is_latin1(content_type: str | None, encoding: str | None) -> bool:
    declared = _CHARSET.search(content_type or "")
    return (encoding or "").lower() in _LATIN1_LABELS or bool(declared and declared.group(1).lower() in _LATIN1_LABELS)


def _has_c1(items: list[Any]) -> bool:
    return any(
        isinstance(value, str) and _C1_CONTROLS.search(value)
        for item in items
        for value in (_get(item, "title"), _get(item, "summary"), _get(item, "author"))
    )


def read_feed(body: bytes, base_url: str, *, content_type: str | None = None) -> Feed:
    """Parse a feed as served at base_url with the HTTP Content-Type content_type (its charset counts).

    An entry that cannot be read is skipped with a problem noted; it never loses the feed.
    """
    parsed = _parse(body, base_url, content_type)
    if _charset_is_latin1(content_type, parsed.get("encoding")) and _has_c1(parsed.entries):
        # windows-1252 served as iso-8859-1: C1 controls are never text, read it as browsers do
        parsed = _parse(body, base_url, "application/xml; charset=windows-1252")
    problems: list[str] = []
    if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
        problems.append(f"recovered: {type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}")
    is_feed = bool(parsed.get("version")) or bool(parsed.entries)
    entries: list[Entry] = []
    for number, item in enumerate(parsed.entries, start=1):
        try:
            entry = _entry(item, str(parsed.get("version") or ""))
        except Exception as exc:  # one odd entry (a bad URL, a strange date) costs that entry only
            problems.append(f"entry {number} skipped: {type(exc).__name__}: {exc}")
            continue
        if entry is None:
            problems.append(f"entry {number} has no http(s) link")
        else:
            entries.append(entry)
    return Feed(entries=tuple(entries), is_feed=is_feed, problems=tuple(problems))


def parse_feed(body: bytes, base_url: str, *, content_type: str | None = None) -> list[Entry]:
    """Return the entries of an RSS or Atom feed that link to a page, in feed order; [] when body is not a feed."""
    return list(read_feed(body, base_url, content_type=content_type).entries)
