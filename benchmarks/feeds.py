"""Agreement of tidings' feed reading with feedparser on feedparser's own test corpus.

Usage:
    python benchmarks/feeds.py [CORPUS_DIR ...] [--show 20]

CORPUS_DIR holds feed files as feedparser's repository keeps them (tests/wellformed,
tests/illformed, ...: each file starts with a comment holding `Header: name: value` lines,
the HTTP headers it is served with). The default is the licensed subset in
tests/fixtures/feedparser/. Every file is read by feedparser.parse (the reference) and by
crawler.feeds.parse_feed (what the crawler requests and writes as hints); entry dates go
through cleaning.metadata.dates.parse_date, as cleaning reads them from the hints.

An entry is comparable when feedparser gives it an http(s) link; for those it counts
entries found (the same link at the same position), titles (whitespace collapsed, HTML
reduced to text) and dates (published, else updated) equal to the minute in UTC. Feeds
with a bozo exception still count: a crawler meets such feeds.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import html
import re
import sys
from pathlib import Path
from typing import Any

import feedparser
from feedparser.datetimes import _parse_date as feedparser_date

from cleaning.metadata.dates import parse_date
from crawler.entries import Entry
from crawler.feeds import parse_feed

_HEADER = re.compile(rb"^Header:\s+([^:]+):(.*)$", re.M)
_BASE = "http://127.0.0.1:8097/feed.xml"  # what a corpus file without Content-Location is served as
_DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "feedparser"


def _headers(data: bytes) -> dict[str, str]:
    comment = data.split(b"-->", 1)[0] if data.lstrip().startswith((b"<!--", b"<?xml")) else b""
    return {k.decode().strip().lower(): v.decode("latin-1").strip() for k, v in _HEADER.findall(comment)}


def _text(value: str | None) -> str | None:
    if not value:
        return None
    text = re.sub(r"<[^>]*>", " ", value) if "<" in value else value
    return " ".join(html.unescape(text).split()) or None


def _reference_title(entry: Any) -> str | None:
    detail = entry.get("title_detail") or {}
    value = entry.get("title")
    if detail.get("type") == "text/plain":
        return " ".join(value.split()) or None if value else None
    return _text(value)


def _utc(parsed: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC) if parsed else None
    except (OverflowError, OSError, ValueError):  # feedparser keeps year 9999 +99:99 as a struct_time
        return None


def _reference_date(entry: Any) -> dt.datetime | None:
    return _utc(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed"))


def _our_date(entry: Entry) -> dt.datetime | None:
    found = parse_date(entry.published) or parse_date(entry.modified)
    return found.at.replace(second=0, microsecond=0) if found else None


def compare(path: Path) -> dict[str, Any]:
    """Compare the two readings of one corpus file."""
    data = path.read_bytes()
    headers = _headers(data)
    base = headers.get("content-location", _BASE)
    reference = feedparser.parse(data, response_headers={"content-location": base, **headers})
    wanted = [e for e in reference.entries if str(e.get("link", "")).startswith(("http://", "https://"))]
    try:
        ours = parse_feed(data, base, content_type=headers.get("content-type"))  # type: ignore[call-arg]
    except TypeError:  # the parser before HTTP headers were consulted
        ours = parse_feed(data, base)
    except Exception as exc:
        return {"path": path, "crashed": f"{type(exc).__name__}: {exc}", "wanted": len(wanted), "cmp": []}
    found = {e.url: e for e in ours}
    rows = []
    for entry in wanted:
        mine = found.get(entry["link"])
        ref_date = _reference_date(entry)
        rows.append(
            {
                "link": mine is not None,
                "title": mine is not None and (mine.title or None) == _reference_title(entry),
                "date": mine is not None
                and (ref_date.replace(second=0) if ref_date else None) == (_our_date(mine) if mine else None),
                "dated": ref_date is not None,
                "ref": (entry["link"], _reference_title(entry), ref_date),
                "ours": (mine.url, mine.title, mine.published or mine.modified) if mine else None,
            }
        )
    return {"path": path, "crashed": None, "wanted": len(wanted), "cmp": rows}


def raw_dates(path: Path) -> list[str]:
    """Return the dates the entries of one corpus file write, as written."""
    data = path.read_bytes()
    headers = _headers(data)
    parsed = feedparser.parse(data, response_headers={"content-location": _BASE, **headers})
    keys = ("published", "updated", "created")
    return [v for e in parsed.entries for k in keys if isinstance(v := dict.get(e, k), str) and v.strip()]


def compare_date(text: str) -> tuple[bool, Any, Any]:
    """Compare feedparser's reading of one date string with cleaning's, to the minute in UTC."""
    instant = _utc(feedparser_date(text))
    reference = instant.replace(second=0) if instant else None
    found = parse_date(text)
    ours = found.at.replace(second=0, microsecond=0) if found else None
    return reference == ours, reference, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="*", default=[_DEFAULT])
    parser.add_argument("--dates", type=Path, help="a file of date strings, one a line, also compared")
    parser.add_argument("--show", type=int, default=15, help="print this many disagreements per field")
    args = parser.parse_args()
    files = sorted(p for d in args.corpus for p in d.rglob("*.xml"))
    results = [compare(p) for p in files]
    rows = [row for r in results for row in r["cmp"]]
    crashed = [r for r in results if r["crashed"]]
    print(f"{len(files)} feeds, {len(rows)} comparable entries, {len(crashed)} feeds crashed our parser")
    for field in ("link", "title", "date"):
        agree = sum(row[field] for row in rows)
        print(f"  {field:6} agree {agree}/{len(rows)} = {agree / max(len(rows), 1):.2%}")
    dated = [row for row in rows if row["dated"]]
    agree = sum(row["date"] for row in dated)
    print(f"  date (entries feedparser dates) agree {agree}/{len(dated)} = {agree / max(len(dated), 1):.2%}")
    everything = sum(row["link"] and row["title"] and row["date"] for row in rows)
    print(f"  all three agree {everything}/{len(rows)} = {everything / max(len(rows), 1):.2%}")
    entry_dates = [(text, *compare_date(text)) for p in files for text in raw_dates(p)]
    agree = sum(same for _, same, _, _ in entry_dates)
    print(f"  date strings of all entries agree {agree}/{len(entry_dates)} = {agree / max(len(entry_dates), 1):.2%}")
    dates = list(entry_dates)
    if args.dates:
        listed = [(t, *compare_date(t)) for t in args.dates.read_text("utf-8").splitlines() if t.strip()]
        agree = sum(same for _, same, _, _ in listed)
        print(f"  date strings of {args.dates.name} agree {agree}/{len(listed)} = {agree / max(len(listed), 1):.2%}")
        dates += listed
    for text, same, reference, ours in dates:
        if not same:
            print(f"date string {text!r}: feedparser {reference}, ours {ours}")
    for field in ("link", "title", "date"):
        shown = 0
        for result in results:
            for row in result["cmp"]:
                if not row[field] and shown < args.show:
                    shown += 1
                    print(f"{field} differs in {result['path']}: feedparser {row['ref']!r}, ours {row['ours']!r}")
    for result in crashed[: args.show]:
        print(f"crashed on {result['path']}: {result['crashed']}", file=sys.stderr)


if __name__ == "__main__":
    main()
