"""Read sources.toml into typed Source objects: which sites to crawl, where to start, what an article URL looks like.

    [[source]]
    name = "example-tech"
    feeds = ["https://example.com/rss.xml"]             # RSS 2.0, RSS 1.0 (RDF), Atom
    sitemaps = ["https://example.com/news-sitemap.xml"]  # sitemap index, urlset, news sitemaps, .xml.gz
    sections = ["https://example.com/tech/"]             # listing pages whose links are articles
    allow = ['/\\d{4}/\\d{2}/']                          # article URL patterns (regex, searched)
    deny = ['/video/']
    timezone = "Asia/Hong_Kong"                          # for dates without an offset
    max_age_days = 30                                    # skip older feed/sitemap entries
    depth = 1                                            # section levels to follow (1: the section pages only)
    allow_private = false                                # fetch private/loopback addresses (intranet sources)

Validation errors name the file, the source and the field, and say what is expected.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Source", "SourcesError", "load_sources", "parse_sources", "select_sources"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_URL_LISTS = ("feeds", "sitemaps", "sections")
_KNOWN = {"name", *_URL_LISTS, "allow", "deny", "timezone", "max_age_days", "depth", "allow_private"}
_MAX_DEPTH = 5


class SourcesError(ValueError):
    """The sources file is missing, unreadable or invalid; the message names file, source and field."""


@dataclasses.dataclass(frozen=True)
class Source:
    """One site to crawl, as declared in sources.toml."""

    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    timezone: str | None = None
    max_age_days: float | None = None
    depth: int = 1
    allow_private: bool = False  # may fetch loopback/private/link-local addresses (see crawler/urlpolicy.py)

    def is_denied(self, url: str) -> bool:
        """Say whether url matches a deny pattern."""
        return any(re.search(pattern, url) for pattern in self.deny)

    def is_article_url(self, url: str) -> bool:
        """Say whether url matches the allow patterns (any, or none given) and no deny pattern."""
        if self.is_denied(url):
            return False
        return not self.allow or any(re.search(pattern, url) for pattern in self.allow)

    def start_urls(self, method: str) -> tuple[str, ...]:
        """Return the entry URLs of one discovery method: feeds, sitemaps or sections."""
        urls: tuple[str, ...] = getattr(self, method)
        return urls


class _Checker:
    """Collects the context (file, source, field) that every error message names."""

    def __init__(self, origin: str, index: int, name: str | None) -> None:
        self.origin = origin
        self.where = f"source {name!r}" if name else f"source #{index + 1}"

    def fail(self, field: str, problem: str) -> SourcesError:
        return SourcesError(f"{self.origin}: {self.where}, field {field!r}: {problem}")

    def url_list(self, entry: Mapping[str, Any], field: str) -> tuple[str, ...]:
        value = entry.get(field, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, "must be a list of URL strings")
        for url in value:
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                raise self.fail(field, f"{url!r} is not an absolute http(s) URL")
        return tuple(value)

    def patterns(self, entry: Mapping[str, Any], field: str) -> tuple[str, ...]:
        value = entry.get(field, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, "must be a list of regular expressions (strings)")
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.fail(field, f"{pattern!r} is not a valid regular expression ({exc})") from exc
        return tuple(value)


def _parse_source(entry: Any, index: int, origin: str) -> Source:
    if not isinstance(entry, dict):
        raise SourcesError(f"{origin}: source #{index + 1} must be a table ([[source]])")
    name = entry.get("name")
    check = _Checker(origin, index, name if isinstance(name, str) else None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise check.fail("name", "is required: letters, digits, '.', '_' or '-', starting with a letter or digit")
    unknown = sorted(set(entry) - _KNOWN)
    if unknown:
        raise check.fail(unknown[0], f"unknown field; known fields: {', '.join(sorted(_KNOWN))}")
    urls = {field: check.url_list(entry, field) for field in _URL_LISTS}
    if not any(urls.values()):
        raise check.fail("feeds", "a source needs at least one of feeds, sitemaps or sections")

    timezone = entry.get("timezone")
    if timezone is not None:
        if not isinstance(timezone, str):
            raise check.fail("timezone", "must be an IANA zone name such as 'Asia/Hong_Kong'")
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise check.fail("timezone", f"{timezone!r} is not a known IANA zone name") from exc

    max_age = entry.get("max_age_days")
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int | float) or max_age <= 0):
        raise check.fail("max_age_days", "must be a positive number of days")

    depth = entry.get("depth", 1)
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= _MAX_DEPTH:
        raise check.fail("depth", f"must be an integer from 1 to {_MAX_DEPTH}")

    allow_private = entry.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise check.fail("allow_private", "must be true or false")

    return Source(
        name=name,
        allow_private=allow_private,
        **urls,
        allow=check.patterns(entry, "allow"),
        deny=check.patterns(entry, "deny"),
        timezone=timezone,
        max_age_days=float(max_age) if max_age is not None else None,
        depth=depth,
    )


def parse_sources(text: str, origin: str = "sources.toml") -> list[Source]:
    """Parse and validate the text of a sources file; origin names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: not valid TOML ({exc})") from exc
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{origin}: no [[source]] tables; see sources.example.toml")
    extra = sorted(set(data) - {"source"})
    if extra:
        raise SourcesError(f"{origin}: unknown top-level key {extra[0]!r}; only [[source]] tables are read")
    sources = [_parse_source(entry, index, origin) for index, entry in enumerate(entries)]
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise SourcesError(f"{origin}: source {source.name!r}, field 'name': used twice; names must be unique")
        seen.add(source.name)
    return sources


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read the sources file ({exc})") from exc
    return parse_sources(text, str(path))


def select_sources(sources: Sequence[Source], names: Iterable[str] | None) -> list[Source]:
    """Keep the sources named in names (all when names is empty); unknown names raise."""
    wanted = [n for n in (names or []) if n]
    if not wanted:
        return list(sources)
    by_name = {s.name: s for s in sources}
    missing = [n for n in wanted if n not in by_name]
    if missing:
        raise SourcesError(f"unknown source {missing[0]!r}; known sources: {', '.join(sorted(by_name))}")
    return [by_name[n] for n in dict.fromkeys(wanted)]
