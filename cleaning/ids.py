"""Stable article ids, and one row per id when a run sees the same URL twice."""

from __future__ import annotations

import hashlib

import pandas as pd

from cleaning.schema import RejectReason, Stage
from cleaning.step import StepResult, require_columns, split

__all__ = ["article_id", "assign_ids", "keep_newest_per_id"]


def article_id(url: str | None, text: str) -> str:
    """Return 16 hex chars of SHA-1 of the canonical URL, or of the text when there is no URL."""
    key = f"url:{url}" if url else f"text:{' '.join(text.split())}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def assign_ids(articles: pd.DataFrame) -> StepResult:
    """Give each article its stable id.

    Reads:   url (canonical), text
    Writes:  id
    Rejects: nothing
    """
    require_columns(articles, "url", "text", step="assign_ids")
    ids = [
        article_id(url if isinstance(url, str) else None, text)
        for url, text in zip(articles["url"], articles["text"], strict=True)
    ]
    return StepResult(articles.assign(id=ids), articles.iloc[0:0])


def keep_newest_per_id(articles: pd.DataFrame) -> StepResult:
    """Keep one row per id: the newest fetch, ties broken by origin so any input order agrees.

    Reads:   id, fetched_at, origin
    Writes:  nothing
    Rejects: superseded (older fetches of the same URL)
    """
    require_columns(articles, "id", "fetched_at", "origin", step="keep_newest_per_id")
    if articles["id"].is_unique:  # the usual shard: nothing to choose, the same rows in id order
        kept = articles.sort_values("id", kind="stable").reset_index(drop=True)
        return StepResult(kept, kept.iloc[0:0])
    fetched = pd.to_datetime(articles["fetched_at"], utc=True)
    order = articles.assign(_fetched=fetched, _undated=fetched.isna()).sort_values(
        ["id", "_undated", "_fetched", "origin"], ascending=[True, True, False, True], kind="stable"
    )
    first = ~order["id"].duplicated(keep="first")
    result = split(
        order.drop(columns=["_fetched", "_undated"]),
        first,
        stage=Stage.DEDUP,
        reason=RejectReason.SUPERSEDED,
        detail="a newer fetch of the same URL is in this run",
    )
    return StepResult(result.kept.reset_index(drop=True), result.rejected)
