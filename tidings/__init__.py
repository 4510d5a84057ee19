"""tidings: news feeds to a clean, trustworthy dataset.

>>> import tidings
>>> articles = tidings.load("output", duplicates=False)
>>> tidings.identify_language("佢哋今日冇返工").language
'yue'
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

# first: the workers of a `tidings clean` start warming up while this process imports pandas
import tidings._early  # noqa: F401

# isort: split
import pandas as pd

from cleaning import __version__
from cleaning.errors import NoDatasetError
from cleaning.language.detect import LanguageGuess, identify_language
from cleaning.storage.dataset import Moment, load_articles
from cleaning.storage.dataset import load_rejects as _load_rejects
from cleaning.storage.runs import RUNS_DIR
from cleaning.storage.runs import load_runs as _load_runs
from cleaning.storage.snapshot import STATE

__all__ = [
    "LanguageGuess",
    "NoDatasetError",
    "__version__",
    "identify_language",
    "load",
    "load_rejects",
    "load_runs",
]


def dataset_root(output: str | Path, *, runs_only: bool = False) -> Path:
    """Return output as a Path if it holds a tidings dataset; raise NoDatasetError (a FileNotFoundError) if not.

    runs_only: an existing folder with no dataset is fine (its run history is empty).
    """
    root = Path(output)
    if runs_only and root.is_dir():
        return root
    markers = [root / STATE / "current", root / "articles" / "part-0.parquet", root / RUNS_DIR]
    if not any(os.path.lexists(marker) for marker in markers):
        what = "does not exist" if not os.path.lexists(root) else "holds no tidings dataset (no articles/ or runs/)"
        raise NoDatasetError(f"{root} {what}: give the --output folder of a tidings clean, crawl or demo")
    return root


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
        dataset_root(output),
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
    return _load_runs(dataset_root(output, runs_only=True))


def load_rejects(output: str | Path = "output") -> pd.DataFrame:
    """Load the rejects of output: one row per input that produced no article, with its reason and detail."""
    return _load_rejects(dataset_root(output))
