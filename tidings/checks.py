"""Exit codes of the command line, and the checks a command makes before it starts work.

A run that would fail on its output (a file in the way, no write permission, a dataset of
another schema) says so in one line before it reads a single input, not after.
"""

from __future__ import annotations

import contextlib
import enum
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cleaning.errors import ConfigError
from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA
from cleaning.storage.snapshot import Store
from cleaning.storage.upgrade import incompatible_columns, rebuild_hint
from crawler.sources import Source, SourcesError, load_sources, select_sources

__all__ = ["ExitCode", "check_output", "check_sources", "incompatible_columns"]


class ExitCode(enum.IntEnum):
    """The exit codes of every tidings command (README, "Exit codes")."""

    OK = 0
    FAILED = 1  # the run failed: an error, an I/O problem, a bug
    USAGE = 2  # a bad command line, setting, sources file or output folder: nothing was done
    NOTHING = 3  # the run finished, but produced nothing: no pages found, all rejected, or every fetch failed
    LOCKED = 75  # EX_TEMPFAIL: another crawl holds the output's crawl lock; try again later
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT); committed work is kept, the same command resumes


def _stored_files(output: Path, table: str) -> list[Path]:
    """One Parquet file of the table (the first of the snapshot, or the pre-snapshot part-0.parquet)."""
    with contextlib.suppress(OSError, ValueError, KeyError):
        snapshot = Store(output).current()
        if snapshot is not None:
            return snapshot.paths(table)[:1]
    folder = output / table
    if folder.is_dir() and not folder.is_symlink():
        return sorted(folder.rglob("*.parquet"))[:1]
    return []


def _check_schema(output: Path) -> None:
    for table, schema in (("articles", ARTICLE_SCHEMA), ("rejects", REJECT_SCHEMA)):
        for path in _stored_files(output, table):
            try:
                stored = pq.read_schema(path)
            except (OSError, pa.ArrowInvalid) as exc:
                raise ConfigError(
                    f"output {output} holds {path}, which is not Parquet tidings can read: {exc}"
                ) from exc
            problems = incompatible_columns(stored, schema)
            if problems:
                raise ConfigError(
                    f"{output / table} holds a dataset of another schema ({', '.join(problems[:3])}); "
                    f"{rebuild_hint(output)}, or choose another --output"
                )


def check_output(output: Path, *, dataset: bool = True) -> None:
    """Raise ConfigError, with one line naming the fix, if output cannot take a tidings dataset.

    Checks that no file is in the way (output itself or a folder above it), that the
    folder can be created and written, and (dataset=True) that a dataset already in it has
    this tidings' schema. Creates output when it does not exist.
    """
    output = Path(output)
    for folder in [output, *output.parents]:
        if os.path.lexists(folder) and not folder.is_dir():
            where = "is a file" if folder == output else f"is under a file, {folder}"
            raise ConfigError(f"output {output} {where}; choose a folder for --output")
        if folder.is_dir():
            break
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe = output / f".tidings-probe-{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"cannot write to output {output}: {exc.strerror or exc}; choose a writable --output"
        ) from exc
    if dataset:
        _check_schema(output)


def check_sources(sources: Path | Sequence[Source], names: Sequence[str] | None = None) -> list[Source]:
    """Load (a path) and select the named sources; raise ConfigError naming the file, source and field."""
    try:
        loaded = load_sources(sources) if isinstance(sources, str | Path) else list(sources)
        return select_sources(loaded, names or None)
    except SourcesError as exc:
        raise ConfigError(str(exc)) from exc
