"""Synthetic but realistic cleaned article rows (ARTICLE_SCHEMA) for storage benchmarks.

Texts are 1,200 characters of Zipf-distributed words (about a short news story); ids,
URLs, sources, languages, publication and fetch times vary as a crawl of 12 sources over
four years does. They measure storage (write, read, merge), not cleaning.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa

from cleaning import __version__
from cleaning.schema import ARTICLE_SCHEMA

SOURCES = [f"source-{i:02d}" for i in range(12)]
LANGUAGES = ["en", "zh-Hans", "zh-Hant", "en", "en", "yue"]
TEXT_CHARS = 1200


def rows(count: int, *, seed: int = 0, start: int = 0) -> pa.Table:
    """Return count rows; row numbers start at start (distinct ids across calls with other starts)."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocabulary = np.array(["".join(rng.choice(letters, rng.integers(2, 10))) for _ in range(20000)])
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()
    words = vocabulary[rng.choice(len(vocabulary), (count, TEXT_CHARS // 6), p=weights)]
    texts = [" ".join(w)[:TEXT_CHARS] for w in words]
    numbers = np.arange(start, start + count)
    urls = [f"https://news{n % 12:02d}.example/{n // 12}/story" for n in numbers.tolist()]
    ids = [hashlib.sha1(f"url:{u}".encode()).hexdigest()[:16] for u in urls]
    base = np.datetime64("2022-01-01T00:00:00", "us")
    published = base + rng.integers(0, 4 * 365 * 86400, count).astype("timedelta64[s]")
    fetched = published + rng.integers(60, 86400 * 3, count).astype("timedelta64[s]")
    lists = pa.array([["news"]] * count, type=pa.list_(pa.large_string()))
    columns = {
        "id": ids,
        "url": urls,
        "source": [SOURCES[n % 12] for n in numbers.tolist()],
        "site_name": [f"News {n % 12}" for n in numbers.tolist()],
        "title": [t[:60] for t in texts],
        "authors": pa.array([[f"Reporter {n % 97}"] for n in numbers.tolist()], type=pa.list_(pa.large_string())),
        "editors": pa.array([[]] * count, type=pa.list_(pa.large_string())),
        "published_at": pa.array(published, type=pa.timestamp("us", tz="UTC")),
        "published_precision": ["minute"] * count,
        "published_source": ["meta"] * count,
        "modified_at": pa.nulls(count, type=pa.timestamp("us", tz="UTC")),
        "language": [LANGUAGES[n % len(LANGUAGES)] for n in numbers.tolist()],
        "language_confidence": np.full(count, 0.99),
        "secondary_script_share": np.zeros(count),
        "text": texts,
        "text_chars": [len(t) for t in texts],
        "description": [t[60:160] for t in texts],
        "categories": lists,
        "tags": pa.array([[]] * count, type=pa.list_(pa.large_string())),
        "image_url": [None] * count,
        "content_hash": [hashlib.sha1(t.encode()).hexdigest() for t in texts],
        "duplicate_of": [None] * count,
        "quality_flags": pa.array([[]] * count, type=pa.list_(pa.large_string())),
        "boilerplate_rules": pa.array([[]] * count, type=pa.list_(pa.large_string())),
        "encoding": ["utf-8"] * count,
        "fetched_at": pa.array(fetched, type=pa.timestamp("us", tz="UTC")),
        "origin": [f"crawl-{n // 1000:05d}.warc.gz@{n}" for n in numbers.tolist()],
        "tidings_version": [__version__] * count,
    }
    for field in ARTICLE_SCHEMA:  # columns added to the schema later: null, or a zero when required
        if field.name not in columns:
            columns[field.name] = (
                pa.nulls(count, type=field.type) if field.nullable else pa.array([False] * count).cast(field.type)
            )
    arrays = [
        col if isinstance(col, pa.Array) else pa.array(col, type=field.type)
        for field, col in zip(ARTICLE_SCHEMA, (columns[name] for name in ARTICLE_SCHEMA.names), strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=ARTICLE_SCHEMA)
