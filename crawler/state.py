"""The crawl's memory between runs: articles fetched, articles to try again, listing validators for conditional GET.

One small SQLite file (OUTPUT/state/crawl.sqlite). Losing it costs refetches, never data.
A seen mark is committed as it is made: a crawl killed a moment later fetches none of them
again (crawler/recovery.py has the rest of the protocol).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CrawlState"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (url TEXT PRIMARY KEY, fetched_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (
    url TEXT PRIMARY KEY, source TEXT NOT NULL, hints TEXT NOT NULL, attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL, updated_at TEXT NOT NULL
);
"""
_COMMIT_EVERY = 200  # writes of validators and pending articles between commits: a crash costs a refetch


class CrawlState:
    """Seen article URLs and listing validators, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # a commit survives a killed process without an fsync; only a power cut may lose the last few
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._pending = 0

    def _wrote(self, count: int = 1) -> None:
        self._pending += count
        if self._pending >= _COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Make the writes so far durable."""
        self._db.commit()
        self._pending = 0

    def is_seen(self, url: str) -> bool:
        """Say whether an earlier crawl fetched url as an article."""
        return self._db.execute("SELECT 1 FROM seen WHERE url = ?", (url,)).fetchone() is not None

    def mark_seen(self, urls: Iterable[str], *, when: dt.datetime | None = None) -> int:
        """Remember urls as fetched; return how many were new."""
        stamp = (when or dt.datetime.now(dt.UTC)).isoformat()
        before = self._db.total_changes
        urls = [u for u in urls if u]
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", ((u, stamp) for u in urls))
        added = self._db.total_changes - before
        self._db.executemany("DELETE FROM pending WHERE url = ?", ((u,) for u in urls))
        self.commit()  # at once: a seen mark lost to a kill is an article fetched twice
        return added

    def add_pending(self, url: str, source: str, hints: dict[str, Any], error: str) -> None:
        """Remember an article that failed for a reason that may pass (5xx, timeout), to try again next crawl."""
        self._db.execute(
            "INSERT INTO pending VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(url) DO UPDATE SET "
            "attempts = attempts + 1, last_error = excluded.last_error, updated_at = excluded.updated_at",
            (url, source, json.dumps(hints, ensure_ascii=False), error, dt.datetime.now(dt.UTC).isoformat()),
        )
        self._wrote()

    def pending(self, sources: Sequence[str], *, max_attempts: int) -> list[tuple[str, str, dict[str, Any]]]:
        """Return (url, source, hints) of the articles of sources still worth another try, oldest first."""
        marks = ",".join("?" * len(sources))
        rows = self._db.execute(
            f"SELECT url, source, hints FROM pending WHERE source IN ({marks}) AND attempts < ? "  # placeholders only
            "AND url NOT IN (SELECT url FROM seen) ORDER BY updated_at, url",
            (*sources, max_attempts),
        ).fetchall()
        return [(url, source, json.loads(hints)) for url, source, hints in rows]

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """Return the (ETag, Last-Modified) last served for a listing URL."""
        row = self._db.execute("SELECT etag, last_modified FROM validators WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def store_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a listing's validators; a response without any forgets the old ones."""
        if etag is None and last_modified is None:
            self._db.execute("DELETE FROM validators WHERE url = ?", (url,))
        else:
            self._db.execute(
                "INSERT OR REPLACE INTO validators VALUES (?, ?, ?, ?)",
                (url, etag, last_modified, dt.datetime.now(dt.UTC).isoformat()),
            )
        self._wrote()

    def close(self) -> None:
        """Commit and close."""
        self.commit()
        self._db.close()
