"""tidings: news feeds to a clean, trustworthy dataset.

>>> import tidings
>>> articles = tidings.load("output", duplicates=False)
>>> tidings.identify_language("佢哋今日冇返工").language
'yue'
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from cleaning import __version__
from cleaning.language.detect import LanguageGuess, identify_language
from cleaning.storage.dataset import Moment, load_articles, load_rejects
from cleaning.storage.runs import load_runs as _load_runs

__all__ = ["LanguageGuess", "__version__", "identify_language", "load", "load_rejects", "load_runs"]


def load(
    output: str | Path = "output",
    *,
    duplicates: bool = True,
    columns: list[str] | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    sources: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Load the live articles written to output (one consistent snapshot), sorted by id.

    Timestamps are tz-aware UTC, list columns hold Python lists, strings are
    pyarrow-backed. duplicates=False keeps only canonical rows (duplicate_of is null).
    The filters are read from the files' statistics, so only matching files are opened:
    since <= published_at < until (undated articles then left out), source in sources,
    language in languages; columns reads only those columns.

    >>> tidings.load("output", since="2025-05-01", sources=["rthk"], columns=["id", "title"])  # doctest: +SKIP
    """
    return load_articles(
        Path(output),
        duplicates=duplicates,
        columns=columns,
        since=since,
        until=until,
        sources=sources,
        languages=languages,
    )


def load_runs(output: str | Path = "output") -> pd.DataFrame:
    """Load the run history of output: one row per `tidings clean` / `tidings crawl`, oldest first.

    rejects_by_reason and languages are dicts of counts; see output/README.md for every column.
    """
    return _load_runs(Path(output))
