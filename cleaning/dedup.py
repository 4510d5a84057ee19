"""Mark exact and near duplicates: one canonical row per cluster, the others point to it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd

from cleaning.step import require_columns

__all__ = ["content_hash", "mark_exact_duplicates"]

_NON_WORD = re.compile(r"[\W_]+")


def content_hash(text: str) -> str:
    """Return the SHA-1 of text with case, width, punctuation and spacing normalized."""
    normalized = _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return hashlib.sha1(normalized.encode("utf-8")).hexdigest()


def _canonical_order(frame: pd.DataFrame) -> pd.DataFrame:
    # earliest published first, undated last, ties by id: the same winner whatever the input order
    return frame.assign(_undated=frame["published_at"].isna()).sort_values(
        ["_undated", "published_at", "id"], kind="stable"
    )


def mark_exact_duplicates(articles: pd.DataFrame, *, known: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """Point every article whose normalized text was seen before at its cluster's canonical row.

    Reads:   id, text, published_at (and known: id, content_hash, published_at, duplicate_of)
    Writes:  content_hash, duplicate_of
    Returns: the articles, and new duplicate_of values for known rows whose canonical changed
    """
    require_columns(articles, "id", "text", "published_at", step="mark_exact_duplicates")
    hashed = articles.assign(content_hash=articles["text"].map(content_hash))
    pool = pd.concat(
        [hashed[["id", "content_hash", "published_at"]].assign(_known=False),
         known[["id", "content_hash", "published_at"]].assign(_known=True)],
        ignore_index=True,
    ).drop_duplicates("id", keep="first")
    canonical = _canonical_order(pool).groupby("content_hash", sort=False)["id"].first()
    winner = pool["content_hash"].map(canonical)
    duplicate_of = winner.where(winner != pool["id"], None)
    by_id = dict(zip(pool["id"], duplicate_of, strict=True))
    marked = hashed.assign(duplicate_of=hashed["id"].map(by_id).astype(object).where(hashed["id"].map(by_id).notna(), None))
    old = dict(zip(known["id"], known["duplicate_of"], strict=True))
    updates = {i: by_id[i] for i in known["id"] if i in by_id and by_id[i] != old.get(i)}
    return marked, updates
