"""The crawl's memory between runs: article URLs already fetched, and feed validators for conditional GET.

One small SQLite file (OUTPUT/state/crawl.sqlite). Losing it costs refetches, never data.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path

__all__ = ["CrawlState"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (url TEXT PRIMARY KEY, fetched_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, updated_at TEXT NOT NULL
);
"""
_COMMIT_EVERY = 200  # writes between commits: a crash loses at most a few refetches


class CrawlState:
    """Seen article URLs and listing validators, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
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
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", ((u, stamp) for u in urls if u))
        added = self._db.total_changes - before
        self._wrote(max(added, 1))
        return added

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
