"""A synthetic output root (articles, rejects, run history) with known anomalies, for the report's tests and benchmark.

Built with numpy and pyarrow arrays (no per-row Python), so a million rows take seconds.
The last RECENT_DAYS of data hold three planted anomalies:
  - source "collapsing" publishes a tenth of its usual articles;
  - source "redesigned" keeps publishing, but its texts shrink to a fifth;
  - reject reason "http_error" grows tenfold.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA
from cleaning.storage.runs import append_run

__all__ = ["COLLAPSING", "LAST_DAY", "REDESIGNED", "SOURCES", "write_synthetic"]

SOURCES = ("harbour", "wanqu", "weigang", "collapsing", "redesigned", "pearl", "kowloon", "lantau")
COLLAPSING, REDESIGNED = "collapsing", "redesigned"
LANGUAGES = {"harbour": "en", "wanqu": "zh-Hans", "weigang": "zh-Hant"}
LAST_DAY = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
DAYS = 120
_FLAGS = ("short_text", "missing_date", "truncated", "mixed_language")
_RULES = ("editor_line", "qr_promo", "share_prompt", "original_title")
_REASONS = ("not_an_article", "no_text", "http_error", "text_too_short")
_US_PER_DAY = 86_400_000_000


def _strings(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(str), type=pa.large_string())


def _lists(rng: np.random.Generator, n: int, vocabulary: tuple[str, ...], share: float) -> pa.Array:
    """A list column where a share of rows hold one value of vocabulary, the others an empty list."""
    has = rng.random(n) < share
    offsets = np.concatenate([[0], np.cumsum(has)]).astype(np.int32)
    values = _strings(np.array(vocabulary)[rng.integers(0, len(vocabulary), int(has.sum()))])
    return pa.ListArray.from_arrays(pa.array(offsets), values).cast(pa.list_(pa.large_string()))


def _days(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, DAYS, n)  # days before LAST_DAY: 0 is the last day


def _articles(rng: np.random.Generator, n: int) -> pa.Table:
    weights = np.array([8, 6, 6, 4, 4, 3, 2, 1], dtype=float)
    source_index = rng.choice(len(SOURCES), n, p=weights / weights.sum())
    sources = np.array(SOURCES)[source_index]
    days_ago = _days(rng, n)
    # the collapsing source moves 90% of its recent articles into the weeks before
    moved = (sources == COLLAPSING) & (days_ago < 7) & (rng.random(n) < 0.9)
    days_ago[moved] = rng.integers(7, DAYS, int(moved.sum()))
    last_us = int(LAST_DAY.timestamp() * 1_000_000)
    published = last_us - days_ago * _US_PER_DAY + rng.integers(0, _US_PER_DAY // 2, n)
    chars = np.maximum(rng.lognormal(7.2, 0.5, n).astype(np.int64), 30)
    chars[(sources == REDESIGNED) & (days_ago < 7)] //= 5
    language = np.array([LANGUAGES.get(s, "en") for s in SOURCES])[source_index]
    ids = np.char.zfill(np.arange(n).astype(str), 16)
    duplicate = rng.random(n) < 0.05
    duplicate_of = np.where(duplicate, ids[rng.integers(0, n, n)], None)
    duplicate_of[duplicate & (duplicate_of == ids)] = None
    undated = rng.random(n) < 0.03
    columns = {
        "id": _strings(ids),
        "url": _strings(np.char.add("https://example.org/a/", ids)),
        "source": _strings(sources),
        "site_name": _strings(sources),
        "title": pa.array(np.where(rng.random(n) < 0.01, None, "A headline"), type=pa.large_string()),
        "authors": _lists(rng, n, ("Chan Tai Man", "Amy Lee"), 0.7),
        "editors": _lists(rng, n, ("Editor",), 0.1),
        "published_at": pa.array(np.where(undated, None, published), type=pa.timestamp("us", tz="UTC")),
        "published_offset_minutes": pa.array(np.full(n, 480, dtype=np.int32)),
        "published_precision": _strings(rng.choice(["second", "minute", "day"], n, p=[0.6, 0.3, 0.1])),
        "published_source": _strings(rng.choice(["json_ld", "meta", "time_element", "feed", "url"], n)),
        "modified_at": pa.nulls(n, pa.timestamp("us", tz="UTC")),
        "language": _strings(language),
        "language_confidence": pa.array(rng.random(n)),
        "secondary_script_share": pa.array(np.zeros(n)),
        "text": pa.array(["Body text."], type=pa.large_string()).take(pa.array(np.zeros(n, dtype=np.int32))),
        "text_chars": pa.array(chars),
        "description": pa.nulls(n, pa.large_string()),
        "categories": _lists(rng, n, ("tech", "business"), 0.8),
        "tags": _lists(rng, n, ("ai",), 0.5),
        "image_url": pa.nulls(n, pa.large_string()),
        "content_hash": _strings(ids),
        "duplicate_of": pa.array(duplicate_of, type=pa.large_string()),
        "quality_flags": _lists(rng, n, _FLAGS, 0.1),
        "boilerplate_rules": _lists(rng, n, _RULES, 0.3),
        "encoding": _strings(np.full(n, "utf-8")),
        "fetched_at": pa.array(published + _US_PER_DAY // 2, type=pa.timestamp("us", tz="UTC")),
        "origin": _strings(np.char.add("crawl.warc.gz@", np.arange(n).astype(str))),
        "tidings_version": _strings(np.full(n, "0.1.0")),
    }
    return pa.table(columns, schema=ARTICLE_SCHEMA)


def _rejects(rng: np.random.Generator, n: int) -> pa.Table:
    days_ago = _days(rng, n)
    reasons = np.array(_REASONS)[rng.choice(len(_REASONS), n, p=[0.7, 0.15, 0.05, 0.1])]
    # http_error: ten times as many in the last week
    extra = (days_ago < 7) & (rng.random(n) < 0.3)
    reasons[extra] = "http_error"
    stage = np.where(np.isin(reasons, ["not_an_article", "http_error"]), "read", "extract")
    last_us = int(LAST_DAY.timestamp() * 1_000_000)
    columns = {
        "origin": _strings(np.char.add("crawl.warc.gz@r", np.arange(n).astype(str))),
        "url": pa.nulls(n, pa.large_string()),
        "source": _strings(np.array(SOURCES)[rng.integers(0, len(SOURCES), n)]),
        "stage": _strings(stage),
        "reason": _strings(reasons),
        "detail": pa.nulls(n, pa.large_string()),
        "fetched_at": pa.array(last_us - days_ago * _US_PER_DAY, type=pa.timestamp("us", tz="UTC")),
        "tidings_version": _strings(np.full(n, "0.1.0")),
    }
    return pa.table(columns, schema=REJECT_SCHEMA)


def write_synthetic(root: Path, articles: int, *, runs: int = 30, seed: int = 0) -> Path:
    """Write a synthetic output root with articles rows, a tenth as many rejects, and runs runs; return root."""
    rng = np.random.default_rng(seed)
    for name, table in (("articles", _articles(rng, articles)), ("rejects", _rejects(rng, articles // 10))):
        (root / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, root / name / "part-0.parquet", compression="zstd")
    for i in range(runs):
        started = LAST_DAY - dt.timedelta(days=4 * (runs - i))
        append_run(
            root,
            {
                "run_id": f"{i:032x}",
                "command": "crawl",
                "status": "ok",
                "started_at": started,
                "ended_at": started + dt.timedelta(minutes=5),
                "seconds": 300.0,
                "pages_read": 1000,
                "articles": 800,
                "articles_new": 700,
                "articles_updated": 100,
                "articles_total": articles,
                "duplicates": 40,
                "rejects": 200,
                "rejects_by_reason": {"not_an_article": 150, "http_error": 50},
                "languages": {"en": 500, "zh-Hans": 300},
                "fetched": 1200,
                "not_modified": 30,
                "fetch_errors": 5,
                "robots_skipped": 2,
                "seen_skipped": 400,
                "tidings_version": "0.1.0",
            },
        )
    return root
