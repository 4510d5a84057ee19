"""Find a page's printed dateline: in the header between headline and body, or atop the body.

Old portal layouts state the date nowhere but in the visible header ("2005年03月21日 11:21
来源：…", "发布时间：2022-02-13 04:22:18"); press releases state it in the first paragraph
("HONG KONG SAR - Media OutReach Newswire - 14 May 2025"). Dates further down the body are
events the article tells of, not its publication, and are not taken.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Sequence

from cleaning.dates import FoundDate, ParsedDate, find_dates

__all__ = ["TextDates", "article_lines", "text_dates"]

_BODY_TOP_LINES = 4  # a dateline sits in the first paragraphs
_LINE_CHARS = 300  # and near the start of its paragraph
_HEADER_LINES = 12  # at most this many lines between headline and body are header


@dataclasses.dataclass
class TextDates:
    """Candidate dates from the visible page and the body, strongest first."""

    published: list[ParsedDate] = dataclasses.field(default_factory=list)
    modified: list[ParsedDate] = dataclasses.field(default_factory=list)
    header_lines: list[str] = dataclasses.field(default_factory=list)


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _find_line(lines: Sequence[str], needle: str) -> int | None:
    key = _key(needle)
    if len(key) < 4:
        return None
    return next((i for i, line in enumerate(lines) if key in _key(line)), None)


def _body_start(lines: Sequence[str], text_lines: Sequence[str]) -> int | None:
    # the first substantial body line: table-layout extractions start with empty cells
    for line in text_lines[:5]:
        if len(_key(line)) >= 8:
            found = _find_line(lines, _key(line)[:16])
            if found is not None:
                return found
    return None


def article_lines(lines: Sequence[str], text_lines: Sequence[str], *, after: int = 6) -> list[str]:
    """Return the page lines from the body's first line to a few lines past its last one,
    where bylines and editor lines the extractor dropped still sit.
    """
    start = _body_start(lines, text_lines)
    if start is None:
        return []
    end = start
    for line in reversed(text_lines[-5:]):
        if len(_key(line)) >= 8:
            found = _find_line(lines[start:], _key(line)[:12])
            if found is not None:
                end = start + found
                break
    return list(lines[start:end + after + 1])


def _header_windows(lines: Sequence[str], text_lines: Sequence[str], titles: Sequence[str]) -> list[tuple[int, int]]:
    body = _body_start(lines, text_lines)
    windows = []
    for title in titles:
        key = _key(title)[:12]
        if len(key) < 4:
            continue
        # the headline is the line that is the title, not a related-links entry quoting it
        hits = sorted((len(_key(line)) - len(_key(title)), i) for i, line in enumerate(lines) if key in _key(line))
        for _, head in hits[:2]:
            end = body if body is not None and 0 < body - head <= _HEADER_LINES else head + _HEADER_LINES
            windows.append((max(0, head - 3), min(len(lines), end + 1)))
    if body is not None:
        windows.append((max(0, body - _HEADER_LINES // 2), body + 1))
    return list(dict.fromkeys(windows))


def _published(found: Sequence[FoundDate]) -> list[ParsedDate]:
    labelled = [f.date for f in found if f.label == "published"]
    plain = [f.date for f in found if not f.label]
    return labelled + plain


def text_dates(page_lines: Sequence[str], text_lines: Sequence[str], titles: Sequence[str], tz: dt.tzinfo) -> TextDates:
    """Return the dates the page prints for itself, strongest first.

    Order: labelled then unlabelled dates in the header window; labelled dates atop the body;
    labelled dates anywhere else in the page; unlabelled datelines atop the body.
    """
    result = TextDates()
    header: list[FoundDate] = []
    for start, end in _header_windows(page_lines, text_lines, titles):
        header = find_dates("\n".join(page_lines[start:end]), timezone=tz)
        if header:
            result.header_lines = list(page_lines[start:end])
            break
    top = find_dates("\n".join(line[:_LINE_CHARS] for line in text_lines[:_BODY_TOP_LINES]), timezone=tz)
    elsewhere = [f for f in find_dates("\n".join(page_lines), timezone=tz) if f.label == "published"]
    result.published = (
        _published(header)
        + [f.date for f in top if f.label == "published"]
        + [f.date for f in elsewhere]
        + [f.date for f in top if not f.label]
    )
    result.modified = [f.date for f in header + top if f.label == "modified"]
    return result
