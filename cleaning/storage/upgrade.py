"""Schema upgrades: an output written by a tidings with fewer columns gets this tidings' columns.

When the schema gains a column, the next commit into an older output (a clean, a crawl's clean,
`tidings compact OUT`) rewrites each articles and rejects file that lacks it, a row group at a
time, with the column as nulls: every row and value is kept. `tidings clean INPUTS -o OUT
--rebuild` then computes the new columns from the pages (docs/storage.md, "Schema upgrades").
The manifest records the schema it holds (meta "schema"), so an upgraded output is checked once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cleaning.errors import SchemaError
from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA
from cleaning.storage.snapshot import FileEntry, Transaction, read_groups

__all__ = ["SCHEMA_KEY", "incompatible_columns", "rebuild_hint", "schema_fingerprint", "upgrade_schema"]

logger = logging.getLogger(__name__)

SCHEMA_KEY = "schema"  # in the manifest's meta: schema_fingerprint() of the columns its files hold
_STATS_COLUMNS = ("published_at", "source", "language")  # what article_stats reads

Stats = Callable[[pa.Table], dict[str, object]]


def schema_fingerprint() -> str:
    """A short digest of the names and types of the articles and rejects columns."""
    digest = hashlib.sha1()
    for schema in (ARTICLE_SCHEMA, REJECT_SCHEMA):
        digest.update(repr([(f.name, str(f.type)) for f in schema]).encode())
    return digest.hexdigest()[:16]


def incompatible_columns(stored: pa.Schema, wanted: pa.Schema) -> list[str]:
    """Name the stored columns that this tidings cannot read as wanted says (missing columns are fine: nulls)."""
    problems = []
    for field in stored:
        if field.name not in wanted.names:
            problems.append(f"{field.name} (not a tidings column)")
        elif not field.type.equals(wanted.field(field.name).type):
            problems.append(f"{field.name} ({field.type}, expected {wanted.field(field.name).type})")
    return problems


def rebuild_hint(output: Path) -> str:
    """The command that replaces an output's dataset by one of this tidings' schema, built from its inputs."""
    return f"rebuild it with `tidings clean [INPUTS...] -o {output} --rebuild` (it reads {output}/warc again)"


def _widened(path: Path, schema: pa.Schema) -> Iterator[pa.Table]:
    for table in read_groups(path):
        arrays = [
            table.column(f.name) if f.name in table.column_names else pa.nulls(table.num_rows, f.type) for f in schema
        ]
        yield pa.Table.from_arrays(arrays, schema=schema)


def _upgrade_entry(txn: Transaction, entry: FileEntry, schema: pa.Schema, stats: Stats | None) -> list[str]:
    stored = pq.read_schema(txn.path(entry))
    if stored.names == schema.names and stored.types == schema.types:
        return []
    problems = incompatible_columns(stored, schema)
    if problems:
        raise SchemaError(
            f"{txn.store.root / entry.table} holds columns this tidings cannot read ({', '.join(problems[:3])}); "
            + rebuild_hint(txn.store.root)
        )
    path = txn.path(entry)
    txn.remove(entry)
    keep = dict(entry.stats)
    txn.write_stream(
        entry.table,
        entry.partition,
        _widened(path, schema),
        schema,
        stats or (lambda _: keep),
        _STATS_COLUMNS if stats else (),
    )
    return [name for name in schema.names if name not in stored.names]


def upgrade_schema(txn: Transaction, article_stats: Stats) -> list[str]:
    """Give every articles and rejects file of txn this tidings' columns (added ones null); return those added.

    Raises SchemaError, naming the rebuild command, for a column of another type or an unknown column.
    """
    wanted = schema_fingerprint()
    if txn.manifest.meta.get(SCHEMA_KEY) == wanted:
        return []
    added: set[str] = set()
    for table, schema, stats in (("articles", ARTICLE_SCHEMA, article_stats), ("rejects", REJECT_SCHEMA, None)):
        for entry in list(txn.entries(table)):
            added.update(f"{table}.{name}" for name in _upgrade_entry(txn, entry, schema, stats))
    txn.manifest.meta[SCHEMA_KEY] = wanted
    if added:
        logger.warning(
            "upgraded %s to this tidings' columns: added %s, null in the rows written before; %s to compute them",
            txn.store.root,
            ", ".join(sorted(added)),
            rebuild_hint(txn.store.root),
        )
    return sorted(added)
