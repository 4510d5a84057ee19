"""Flag quality problems, repair what is repairable, reject what is too short to use."""

from __future__ import annotations

import pandas as pd

from cleaning.schema import QualityFlag, RejectReason, Stage
from cleaning.step import StepResult, add_flags, require_columns, split

__all__ = ["drop_short_texts", "flag_quality"]


def flag_quality(articles: pd.DataFrame, *, short_text_chars: int) -> StepResult:
    """Flag doubtful articles.

    Reads:   text, published_at, title, quality_flags
    Writes:  quality_flags, text_chars
    Rejects: nothing
    """
    require_columns(articles, "text", "published_at", "quality_flags", step="flag_quality")
    chars = articles["text"].str.len()
    new = [
        ([QualityFlag.MISSING_DATE.value] if pd.isna(date) else []) + ([QualityFlag.SHORT_TEXT.value] if n < short_text_chars else [])
        for date, n in zip(articles["published_at"], chars, strict=True)
    ]
    return StepResult(articles.assign(text_chars=chars, quality_flags=add_flags(articles["quality_flags"], new)), articles.iloc[0:0])


def drop_short_texts(articles: pd.DataFrame, *, min_text_chars: int) -> StepResult:
    """Reject articles whose body is too short to use.

    Reads:   text
    Writes:  nothing
    Rejects: text_too_short
    """
    require_columns(articles, "text", step="drop_short_texts")
    chars = articles["text"].str.len()
    return split(articles, chars >= min_text_chars, stage=Stage.FILTER, reason=RejectReason.TEXT_TOO_SHORT,
                 detail=[f"{n} characters" for n in chars])
