"""Anomalies the report calls out: what changed in the last days of data, against the weeks before.

Each rule compares the last RECENT_DAYS of the data (by publication day for articles, by
fetch day for rejects) with the weekly average of the BASELINE_DAYS before them, so a
dataset cleaned from an old archive is judged by its own calendar, not by today's date.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from tidings.report.data import BASELINE_DAYS, RECENT_DAYS, ReportData

__all__ = ["Anomaly", "find_anomalies"]

COLLAPSE = 0.3  # a source publishing under 30% of its usual weekly articles has collapsed
MIN_WEEKLY = 5.0  # ... when it usually publishes at least this many a week
TEXT_COLLAPSE = 0.5  # median text length halved: extraction probably broke
MIN_RECENT_TEXTS = 3
JUMP = 3.0  # a reject reason at 3x its usual weekly count has jumped
MIN_JUMP = 10
RUN_JUMP = 2.0  # the last run's reject share at twice the median of the runs before it
MIN_RUNS = 3


@dataclasses.dataclass(frozen=True)
class Anomaly:
    kind: str  # source_collapsed, text_collapsed, rejects_jumped, run_failed, run_rejects_jumped
    subject: str  # the source, reject reason or run it is about
    message: str


def _sources(windows: pd.DataFrame) -> list[Anomaly]:
    found = []
    for row in windows.to_dict("records"):  # one row per source: at most TOP_SOURCES + 1
        source: Any = row["source"]
        usual, recent = float(row["baseline_weekly"]), int(row["recent"])
        if usual >= MIN_WEEKLY and recent < COLLAPSE * usual:
            found.append(
                Anomaly(
                    "source_collapsed",
                    str(source),
                    f"{source}: {recent} articles in the last {RECENT_DAYS} days of data, against"
                    f" {usual:.0f} a week in the {BASELINE_DAYS} days before ({recent / usual - 1:+.0%}).",
                )
            )
        before: Any = row["baseline_median"]
        now: Any = row["recent_median"]
        if pd.notna(before) and pd.notna(now) and recent >= MIN_RECENT_TEXTS and now < TEXT_COLLAPSE * before:
            found.append(
                Anomaly(
                    "text_collapsed",
                    str(source),
                    f"{source}: median text length fell to {now:.0f} characters in the last {RECENT_DAYS}"
                    f" days, from {before:.0f} ({now / before - 1:+.0%}): did a redesign break extraction?",
                )
            )
    return found


def _reasons(windows: pd.DataFrame) -> list[Anomaly]:
    if not len(windows) or windows["baseline_weekly"].sum() == 0:
        return []  # no history before the recent window: nothing to compare with
    found = []
    for row in windows.to_dict("records"):  # one row per reject reason
        reason: Any = row["reason"]
        usual, recent = float(row["baseline_weekly"]), int(row["recent"])
        if recent >= MIN_JUMP and recent > JUMP * max(usual, 1.0):
            found.append(
                Anomaly(
                    "rejects_jumped",
                    str(reason),
                    f"rejects for {reason} jumped to {recent} in the last {RECENT_DAYS} days of fetches,"
                    f" against {usual:.1f} a week before.",
                )
            )
    return found


def _runs(runs: pd.DataFrame) -> list[Anomaly]:
    if not len(runs):
        return []
    found = []
    last: Any = runs.iloc[-1]
    when = pd.Timestamp(last["started_at"]).strftime("%Y-%m-%d %H:%M UTC")
    if last["status"] != "ok":
        found.append(Anomaly("run_failed", when, f"the last run ({last['command']}, {when}) failed."))
    read = runs["pages_read"].astype("float64")
    share = runs["rejects"].astype("float64") / read.where(read > 0)
    before = share.iloc[:-1].dropna()
    latest: Any = share.iloc[-1]
    if len(before) >= MIN_RUNS and pd.notna(latest):
        usual = float(before.median())
        if latest > RUN_JUMP * max(usual, 0.01) and last["rejects"] >= MIN_JUMP:
            found.append(
                Anomaly(
                    "run_rejects_jumped",
                    when,
                    f"the last run ({when}) rejected {latest:.0%} of the pages it read,"
                    f" against a median of {usual:.0%} over the {len(before)} runs before.",
                )
            )
    return found


def find_anomalies(data: ReportData) -> list[Anomaly]:
    """Every anomaly in the data, sources first, then rejects, then runs."""
    return _sources(data.source_windows) + _reasons(data.reason_windows) + _runs(data.runs)
