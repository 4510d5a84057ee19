"""Name why a fetch failed with a short, stable code (dns, timeout, connection_refused, ...)."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

__all__ = ["AlreadySeen", "describe_failure", "fetch_failed", "hints_updated"]

# sent by the spiders' errback with url, error, detail, source; crawler/archive.py records it
fetch_failed = object()
# sent by a spider with url, hints when a URL found again (feed and sitemap) adds hints to a request
hints_updated = object()


class AlreadySeen(IgnoreRequest):
    """An article URL fetched by an earlier crawl: skipped on purpose, not a failure."""


# checked in order: the first matching class names the failure
_CODES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((CannotResolveHostError, twisted_error.DNSLookupError), "dns"),
    ((DownloadTimeoutError, twisted_error.TimeoutError, twisted_error.TCPTimedOutError), "timeout"),
    ((DownloadConnectionRefusedError, twisted_error.ConnectionRefusedError), "connection_refused"),
    ((DownloadCancelledError,), "cancelled"),  # mostly DOWNLOAD_MAXSIZE exceeded
    ((ResponseDataLossError,), "data_loss"),
    ((UnsupportedURLSchemeError,), "unsupported_scheme"),
    ((DownloadFailedError, twisted_error.ConnectError, twisted_error.ConnectionLost), "connection_error"),
)


def describe_failure(failure: Failure) -> tuple[str, str]:
    """Return (code, detail) for a failed request: code is short and stable, detail is for people."""
    exc = failure.value
    detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}", detail
    if isinstance(exc, IgnoreRequest):
        return ("robots_disallowed" if "robots.txt" in str(exc) else "ignored"), detail
    for classes, code in _CODES:
        if isinstance(exc, classes):
            return code, detail
    if "SSL" in type(exc).__name__ or "ssl" in str(exc).lower():
        return "tls", detail
    return "fetch_failed", detail
