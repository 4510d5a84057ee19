"""`tidings extract FILE|URL`: clean one saved page (or every page of one archive) or one URL, store nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.message
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd

from cleaning.config import CleaningConfig
from cleaning.inputs.readers import RawPage, ReadReject, iter_inputs
from cleaning.pipeline import clean_items
from cleaning.schema import RejectReason

__all__ = ["extract", "fetch_page", "is_url"]

_TIMEOUT = 30.0


def is_url(target: str) -> bool:
    """Whether target names an http(s) URL rather than a file."""
    return target.lower().startswith(("http://", "https://"))


def _user_agent() -> str:
    from crawler.settings import USER_AGENT  # the crawl's own identification (TIDINGS_USER_AGENT)

    return str(USER_AGENT)


def fetch_page(url: str, *, max_bytes: int, timeout: float = _TIMEOUT) -> RawPage | ReadReject:
    """GET url once (redirects followed); the page, or a reject saying why there is none (http_error, fetch_error)."""
    now = dt.datetime.now(dt.UTC)
    request = urllib.request.Request(url, headers={"User-Agent": _user_agent(), "Accept": "text/html,*/*;q=0.8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
            final_url, headers = response.geturl(), response.headers
    except urllib.error.HTTPError as exc:
        return ReadReject(url, RejectReason.HTTP_ERROR, f"HTTP {exc.code} {exc.reason}", url=url, fetched_at=now)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return ReadReject(url, RejectReason.FETCH_ERROR, f"{type(exc).__name__}: {reason}", url=url, fetched_at=now)
    if len(body) > max_bytes:
        return ReadReject(url, RejectReason.TOO_LARGE, f"more than {max_bytes:,} bytes", url=url, fetched_at=now)
    if not body:
        return ReadReject(url, RejectReason.EMPTY_INPUT, "empty response body", url=final_url, fetched_at=now)
    message = headers if isinstance(headers, email.message.Message) else email.message.Message()
    return RawPage(
        origin=url,
        raw=body,
        media_type="html",
        url=final_url,
        source=urllib.parse.urlsplit(final_url).hostname,
        declared_charset=message.get_content_charset(),
        fetched_at=now,
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): None if _missing(v) else v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _missing(value: Any) -> bool:
    if isinstance(value, list | tuple | dict):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def extract(
    target: str, config: CleaningConfig, *, source: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Clean target (a file or an http(s) URL) as a run would; return (articles, rejects) as plain rows."""
    if is_url(target):
        item = fetch_page(target, max_bytes=config.max_input_bytes)
        if source and isinstance(item, RawPage):
            item = dataclasses.replace(item, source=source)
        items: list[RawPage | ReadReject] = [item]
    else:
        items = list(iter_inputs([Path(target)], source=source, max_bytes=config.max_input_bytes))
    articles, rejects = clean_items(items, config)
    return _records(articles), _records(rejects)
