"""Extract the article body and trafilatura's metadata from decoded pages."""

from __future__ import annotations

from typing import Any

import pandas as pd
import trafilatura

from cleaning.schema import RejectReason, Stage
from cleaning.step import StepResult, reject, require_columns

__all__ = ["extract_articles"]


def _extract_one(decoded: str, media_type: str, url: str | None, include_comments: bool) -> tuple[str, dict[str, Any]]:
    if media_type == "text":
        lines = decoded.strip().splitlines()
        return "\n".join(line.strip() for line in lines[1:] if line.strip()), {"title": lines[0].strip() if lines else None}
    doc = trafilatura.bare_extraction(decoded, url=url, include_comments=include_comments, with_metadata=True)
    if not doc:
        return "", {}
    doc = doc.as_dict()
    return doc.get("text") or "", {k: doc.get(k) for k in ("title", "author", "date", "sitename", "categories", "tags", "description", "image")}


def extract_articles(pages: pd.DataFrame, *, timeout: float, include_comments: bool) -> StepResult:
    """Extract body text and extractor metadata.

    Reads:   decoded, media_type, url
    Writes:  text, extracted (dict of the extractor's metadata)
    Rejects: no_text, extraction_error
    """
    require_columns(pages, "decoded", "media_type", "url", step="extract_articles")
    texts, extracted = [], []
    for decoded, media_type, url in zip(pages["decoded"], pages["media_type"], pages["url"], strict=True):
        text, meta = _extract_one(decoded, media_type, url, include_comments)
        texts.append(text)
        extracted.append(meta)
    done = pages.assign(text=texts, extracted=extracted)
    empty = done["text"].str.strip().str.len() == 0
    return StepResult(done[~empty], reject(done[empty], Stage.EXTRACT, RejectReason.NO_TEXT, "extractor found no body"))
