"""`tidings export`: the articles (or rejects) of an output as CSV or JSON Lines, for tools that read no Parquet."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from cleaning.storage.dataset import Moment, load_rejects, read_articles

__all__ = ["FORMATS", "export", "json_line", "plain_value"]

FORMATS = ("csv", "jsonl")
_BATCH_ROWS = 4096


def plain_value(value: Any) -> Any:
    """A JSON-ready form of one cell: ISO 8601 times (UTC), lists as lists, NaN as null."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    return value


def json_line(row: Mapping[str, Any]) -> str:
    """One row as a line of JSON (UTF-8 text kept as is, keys in column order)."""
    return json.dumps({k: plain_value(v) for k, v in row.items()}, ensure_ascii=False)


def _csv_cell(value: Any) -> Any:
    value = plain_value(value)
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)  # one cell: a JSON array of strings
    return "" if value is None else value


def _rows(table: pa.Table) -> Iterator[dict[str, Any]]:
    for batch in table.to_batches(max_chunksize=_BATCH_ROWS):
        yield from batch.to_pylist()


def _write(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], handle: IO[str], fmt: str) -> int:
    count = 0
    if fmt == "jsonl":
        for row in rows:
            handle.write(json_line(row) + "\n")
            count += 1
        return count
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in columns])
        count += 1
    return count


@contextlib.contextmanager
def _destination(path: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written beside its final name and renamed into place (never half a file)."""
    if path is None:
        yield sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _rejects_table(root: Path) -> pa.Table:
    return pa.Table.from_pandas(load_rejects(root), preserve_index=False)


def export(
    root: Path,
    destination: Path | None,
    *,
    fmt: str,
    rejects: bool = False,
    duplicates: bool = True,
    columns: list[str] | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    sources: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> int:
    """Write the live articles of root (filtered as tidings.load filters), or its rejects, as fmt; return the rows.

    destination None is stdout. Times are ISO 8601 in UTC; in CSV a list column is a JSON array in one cell.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if rejects:
        table = _rejects_table(root)
        if columns:
            table = table.select(columns)
    else:
        table = read_articles(
            root,
            columns=columns,
            duplicates=duplicates,
            since=since,
            until=until,
            sources=sources,
            languages=languages,
        )
    with _destination(destination) as handle:
        return _write(_rows(table), table.column_names, handle, fmt)
