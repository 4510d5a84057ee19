"""The run history, OUTPUT/runs/: one small Parquet file per run, appended, never rewritten.

Each run writes its own file under a unique name (start time, then a random id), into a
hidden temporary file first and renamed into place: concurrent runs never lose a row,
and a run killed while writing leaves no partial file (readers skip names starting with '.').
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from cleaning.schema import RUN_SCHEMA

__all__ = ["RUNS_DIR", "append_run", "load_runs", "read_runs"]

RUNS_DIR = "runs"
_MAP_COLUMNS = [f.name for f in RUN_SCHEMA if isinstance(f.type, pa.MapType)]


def _row_table(row: Mapping[str, Any]) -> pa.Table:
    columns = {}
    for field in RUN_SCHEMA:
        value = row.get(field.name)
        if isinstance(field.type, pa.MapType) and value is not None:
            value = sorted((str(k), int(v)) for k, v in dict(value).items())
        columns[field.name] = pa.array([value], type=field.type)
    table = pa.table(columns, schema=RUN_SCHEMA)
    table.validate(full=True)
    return table


def append_run(root: Path, row: Mapping[str, Any]) -> Path:
    """Append one run row (a mapping of RUN_SCHEMA's columns) to root/runs/; return the file written."""
    directory = Path(root) / RUNS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    table = _row_table(row)
    started = pd.Timestamp(row["started_at"]).tz_convert("UTC").strftime("%Y%m%dT%H%M%S%fZ")
    name = f"run-{started}-{row.get('run_id') or uuid.uuid4().hex}.parquet"
    tmp = directory / f".{name}.tmp-{os.getpid()}"
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, directory / name)
    finally:
        tmp.unlink(missing_ok=True)
    return directory / name


def read_runs(root: Path) -> pa.Table:
    """Read every run row of root as one Arrow table, oldest first (empty when none was recorded)."""
    directory = Path(root) / RUNS_DIR
    if not directory.is_dir():
        return RUN_SCHEMA.empty_table()
    dataset = ds.dataset(directory, schema=RUN_SCHEMA, format="parquet", exclude_invalid_files=False)
    table = dataset.to_table()
    if not table.num_rows:
        return RUN_SCHEMA.empty_table()
    return table.sort_by([("started_at", "ascending"), ("run_id", "ascending")])


def load_runs(root: Path) -> pd.DataFrame:
    """Load the run history as a DataFrame: UTC timestamps, lists, and dicts for the per-reason counts."""
    table = read_runs(root)
    frame = table.drop_columns(_MAP_COLUMNS).to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get)
    for name in ("inputs", "sources"):
        frame[name] = pd.Series([None if v is None else list(v) for v in frame[name]], dtype=object)
    for name in _MAP_COLUMNS:
        frame[name] = pd.Series([None if v is None else dict(v) for v in table.column(name).to_pylist()], dtype=object)
    return frame[list(RUN_SCHEMA.names)]
