"""What a feed or sitemap says about one article: the Entry, its dates, and the hints written to WARC."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import re
import zoneinfo
from typing import Any

__all__ = ["Entry", "clean_text", "is_too_old", "parse_date"]

_SPACE = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True)
class Entry:
    """One article link found in a feed or sitemap, with the metadata given beside it."""

    url: str
    title: str | None = None
    published: str | None = None  # as given by the source (RFC 822, W3C/ISO 8601, ...)
    modified: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    description: str | None = None
    # the instants the feed reader made of published and modified, when it read them (UTC)
    published_at: dt.datetime | None = dataclasses.field(default=None, compare=False)
    modified_at: dt.datetime | None = dataclasses.field(default=None, compare=False)

    def hints(self) -> dict[str, Any]:
        """Return the non-empty metadata as hints; dates as the source wrote them.

        Cleaning reads hint dates with the parser it reads page dates with, zones and offsets kept.
        """
        values: dict[str, Any] = {
            "title": self.title,
            "published": clean_text(self.published),
            "modified": clean_text(self.modified),
            "authors": list(self.authors),
            "categories": list(self.categories),
            "tags": list(self.tags),
            "description": self.description,
        }
        return {key: value for key, value in values.items() if value}


def clean_text(value: str | None) -> str | None:
    """Collapse whitespace; None for empty text."""
    if value is None:
        return None
    text = _SPACE.sub(" ", value).strip()
    return text or None


def parse_date(value: str | None) -> dt.datetime | None:
    """Parse a feed or sitemap date (RFC 822 or ISO 8601); naive when the source gave no offset."""
    text = clean_text(value)
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 822 "-0000" means "offset unknown"; parsedate_to_datetime returns it naive, as we want
    return parsed


def is_too_old(entry: Entry, *, max_age_days: float | None, timezone: str | None, now: dt.datetime) -> bool:
    """Say whether the entry is dated (published, else modified) more than max_age_days before now.

    Undated entries are never too old: we cannot tell, and cleaning will date them.
    """
    if max_age_days is None:
        return False
    date = entry.published_at or parse_date(entry.published) or entry.modified_at or parse_date(entry.modified)
    if date is None:
        return False
    if date.tzinfo is None:
        date = date.replace(tzinfo=zoneinfo.ZoneInfo(timezone) if timezone else dt.UTC)
    return now - date > dt.timedelta(days=max_age_days)
