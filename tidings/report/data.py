"""The report's figures: every number aggregated by DuckDB over the Parquet datasets, never a Python loop.

The datasets are opened with pyarrow.dataset on their folders (articles/, rejects/, runs/),
so the report reads whatever files the storage layer keeps there, and DuckDB scans them
with projection pushdown: the report never loads `text`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA, RUN_SCHEMA

__all__ = ["TOP_SOURCES", "ReportData", "collect"]

TOP_SOURCES = 12  # sources shown by name; the rest are summed as "(other)"
RECENT_DAYS = 7  # the window anomalies look at, against the BASELINE_DAYS before it
BASELINE_DAYS = 28
OTHER = "(other)"
FIELDS = ("title", "authors", "published_at", "site_name", "description", "categories", "tags", "image_url")


def _open(directory: Path, schema: pa.Schema) -> ds.Dataset:
    """The Parquet files under directory as one dataset (an empty one of schema when there are none)."""
    if directory.is_dir():
        dataset = ds.dataset(directory, format="parquet")
        if dataset.files:
            return dataset
    return ds.dataset(schema.empty_table())


@dataclasses.dataclass
class ReportData:
    """The aggregated figures the charts are drawn from: small frames, one per chart."""

    totals: dict[str, object]
    per_day: pd.DataFrame  # source, day, articles
    languages: pd.DataFrame  # source, language, articles
    precision: pd.DataFrame  # source, precision, articles
    date_sources: pd.DataFrame  # source, date_source, articles
    missing: pd.DataFrame  # source, field, share
    text_length: pd.DataFrame  # source, q05, q25, median, q75, q95, articles
    text_weekly: pd.DataFrame  # source, week, median_chars, articles
    flags: pd.DataFrame  # source, flag, articles
    rejects: pd.DataFrame  # reason, stage, rejects
    rejects_daily: pd.DataFrame  # day, reason, rejects
    rejects_by_source: pd.DataFrame  # source, reason, rejects
    cluster_sizes: pd.DataFrame  # size, clusters
    cross_script: pd.DataFrame  # pair, pairs
    rules: pd.DataFrame  # source, rule, articles
    runs: pd.DataFrame  # the run history, oldest first
    source_windows: pd.DataFrame  # source, recent, baseline_weekly, recent_median, baseline_median
    reason_windows: pd.DataFrame  # reason, recent, baseline_weekly


def _connect(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("articles_all", _open(root / "articles", ARTICLE_SCHEMA))
    con.register("rejects_all", _open(root / "rejects", REJECT_SCHEMA))
    con.register("runs", _open(root / "runs", RUN_SCHEMA))
    # sources beyond the TOP_SOURCES largest are grouped, so no chart grows without bound
    con.execute(
        f"""
        CREATE TEMP TABLE top_sources AS
        SELECT coalesce(source, '(none)') AS source FROM articles_all
        GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {TOP_SOURCES}
        """
    )
    named = "coalesce(source, '(none)')"
    label = f"CASE WHEN {named} IN (SELECT source FROM top_sources) THEN {named} ELSE '{OTHER}' END"
    con.execute(
        f"""
        CREATE TEMP VIEW articles AS
        SELECT *, {label} AS src,
               CASE WHEN published_at <= coalesce(fetched_at, now()) + INTERVAL 1 DAY
                    THEN CAST(date_trunc('day', published_at) AS DATE) END AS day
        FROM articles_all
        """
    )
    con.execute(f"CREATE TEMP VIEW rejects AS SELECT *, {label} AS src FROM rejects_all")
    return con


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    row = con.execute(
        """
        SELECT count(*), count(DISTINCT source), count(*) FILTER (WHERE duplicate_of IS NOT NULL),
               min(day), max(day)
        FROM articles
        """
    ).fetchone()
    assert row is not None
    rejects = con.execute("SELECT count(*) FROM rejects").fetchone()
    runs = con.execute("SELECT count(*), max(ended_at) FROM runs").fetchone()
    assert rejects is not None
    assert runs is not None
    return {
        "articles": row[0],
        "sources": row[1],
        "duplicates": row[2],
        "first_day": row[3],
        "last_day": row[4],
        "rejects": rejects[0],
        "runs": runs[0],
        "last_run": runs[1],
    }


def _windows(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per source and per reject reason: the last RECENT_DAYS of data against the BASELINE_DAYS before."""
    bounds = f"""
        WITH b AS (SELECT max(day) AS last FROM articles),
        w AS (
            SELECT src, text_chars,
                   day > b.last - INTERVAL {RECENT_DAYS} DAY AS recent,
                   day > b.last - INTERVAL {RECENT_DAYS + BASELINE_DAYS} DAY AS in_scope
            FROM articles, b
        )
    """
    sources = _df(
        con,
        bounds
        + f"""
        SELECT src AS source,
               count(*) FILTER (WHERE recent) AS recent,
               count(*) FILTER (WHERE in_scope AND NOT recent) * {RECENT_DAYS} / {BASELINE_DAYS} AS baseline_weekly,
               median(text_chars) FILTER (WHERE recent) AS recent_median,
               median(text_chars) FILTER (WHERE in_scope AND NOT recent) AS baseline_median
        FROM w WHERE in_scope GROUP BY src ORDER BY src
        """,
    )
    reasons = _df(
        con,
        f"""
        WITH d AS (SELECT reason, CAST(date_trunc('day', fetched_at) AS DATE) AS day FROM rejects
                   WHERE fetched_at IS NOT NULL),
        b AS (SELECT max(day) AS last FROM d)
        SELECT reason,
               count(*) FILTER (WHERE day > b.last - INTERVAL {RECENT_DAYS} DAY) AS recent,
               count(*) FILTER (WHERE day <= b.last - INTERVAL {RECENT_DAYS} DAY
                                  AND day > b.last - INTERVAL {RECENT_DAYS + BASELINE_DAYS} DAY)
                   * {RECENT_DAYS} / {BASELINE_DAYS} AS baseline_weekly
        FROM d, b GROUP BY reason ORDER BY reason
        """,
    )
    return sources, reasons


def collect(root: Path) -> ReportData:
    """Aggregate everything the report shows from the datasets under root."""
    con = _connect(Path(root))
    try:
        missing_columns = ", ".join(
            f"avg(CASE WHEN {f} IS NULL {'OR len(' + f + ') = 0' if f in ('authors', 'categories', 'tags') else ''}"
            f" THEN 1.0 ELSE 0.0 END) AS {f}"
            for f in FIELDS
        )
        missing = _df(con, f"SELECT src AS source, {missing_columns} FROM articles GROUP BY src ORDER BY src")
        missing = missing.melt(id_vars="source", var_name="field", value_name="share")
        source_windows, reason_windows = _windows(con)
        return ReportData(
            totals=_totals(con),
            per_day=_df(
                con,
                "SELECT src AS source, day, count(*) AS articles FROM articles WHERE day IS NOT NULL"
                " GROUP BY ALL ORDER BY day, source",
            ),
            languages=_df(
                con,
                "SELECT src AS source, coalesce(language, 'und') AS language, count(*) AS articles"
                " FROM articles GROUP BY ALL ORDER BY source, articles DESC",
            ),
            precision=_df(
                con,
                "SELECT src AS source, coalesce(published_precision, 'none') AS precision, count(*) AS articles"
                " FROM articles GROUP BY ALL ORDER BY source, precision",
            ),
            date_sources=_df(
                con,
                "SELECT src AS source, coalesce(published_source, 'none') AS date_source, count(*) AS articles"
                " FROM articles GROUP BY ALL ORDER BY source, date_source",
            ),
            missing=missing,
            text_length=_df(
                con,
                """
                SELECT src AS source, quantile_cont(text_chars, 0.05) AS q05, quantile_cont(text_chars, 0.25) AS q25,
                       median(text_chars) AS median, quantile_cont(text_chars, 0.75) AS q75,
                       quantile_cont(text_chars, 0.95) AS q95, count(*) AS articles
                FROM articles GROUP BY src ORDER BY src
                """,
            ),
            text_weekly=_df(
                con,
                "SELECT src AS source, CAST(date_trunc('week', day) AS DATE) AS week,"
                " median(text_chars) AS median_chars, count(*) AS articles"
                " FROM articles WHERE day IS NOT NULL GROUP BY ALL ORDER BY week, source",
            ),
            flags=_df(
                con,
                "SELECT src AS source, flag, count(*) AS articles FROM"
                " (SELECT src, unnest(quality_flags) AS flag FROM articles) GROUP BY ALL ORDER BY source, flag",
            ),
            rejects=_df(
                con,
                "SELECT reason, stage, count(*) AS rejects FROM rejects GROUP BY ALL ORDER BY rejects DESC, reason",
            ),
            rejects_daily=_df(
                con,
                "SELECT CAST(date_trunc('day', fetched_at) AS DATE) AS day, reason, count(*) AS rejects"
                " FROM rejects WHERE fetched_at IS NOT NULL GROUP BY ALL ORDER BY day, reason",
            ),
            rejects_by_source=_df(
                con,
                "SELECT src AS source, reason, count(*) AS rejects FROM rejects GROUP BY ALL ORDER BY source, reason",
            ),
            cluster_sizes=_df(
                con,
                "SELECT size, count(*) AS clusters FROM (SELECT duplicate_of, count(*) + 1 AS size"
                " FROM articles_all WHERE duplicate_of IS NOT NULL GROUP BY duplicate_of)"
                " GROUP BY size ORDER BY size",
            ),
            cross_script=_df(
                con,
                """
                SELECT coalesce(c.language, 'und') || ' ~ ' || coalesce(d.language, 'und') AS pair, count(*) AS pairs
                FROM articles_all d JOIN articles_all c ON d.duplicate_of = c.id
                GROUP BY ALL ORDER BY pairs DESC, pair
                """,
            ),
            rules=_df(
                con,
                "SELECT src AS source, rule, count(*) AS articles FROM"
                " (SELECT src, unnest(boilerplate_rules) AS rule FROM articles) GROUP BY ALL"
                " ORDER BY articles DESC, rule, source",
            ),
            runs=_df(
                con,
                """
                SELECT started_at, command, worker, status, seconds, pages_read, articles, articles_new,
                       articles_updated, duplicates, rejects, fetched, not_modified, fetch_errors, robots_skipped,
                       seen_skipped
                FROM runs ORDER BY started_at, run_id
                """,
            ),
            source_windows=source_windows,
            reason_windows=reason_windows,
        )
    finally:
        con.close()
