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

__all__ = [
    "AlreadySeen",
    "BlockedUrl",
    "RobotsUnavailable",
    "describe_exception",
    "describe_failure",
    "fetch_failed",
    "hints_updated",
    "warc_amended",
    "warc_closed",
    "warc_written",
]

# sent by the spiders' errback with url, error, detail, source; crawler/archive.py records it
fetch_failed = object()
# sent by a spider with url, hints when a URL found again (feed and sitemap) adds hints to a request
hints_updated = object()
# sent by crawler/archive.py with path when a WARC file is closed: complete, safe to read
warc_closed = object()
# sent by crawler/archive.py with path, start, hints_path, hints_start when late hints for a response in a
# part already sent as warc_written (the part of path from offset start) went into the part of hints_path
# from hints_start (sent as warc_written later)
warc_amended = object()
# sent by crawler/archive.py with path, start, end every TIDINGS_WARC_PART_RESPONSES responses and when a file
# closes: bytes start to end of path (the final name; the file may still be path + ".open") are flushed,
# whole records holding those responses with their hints, readable as they are (cleaning/inputs/warc.py)
warc_written = object()


class AlreadySeen(IgnoreRequest):
    """An article URL fetched by an earlier crawl: skipped on purpose, not a failure."""


class BlockedUrl(IgnoreRequest):
    """A URL the URL policy refuses (crawler/urlpolicy.py): never sent, recorded as a blocked_url reject."""


class RobotsUnavailable(Exception):
    """The host's robots.txt answered 5xx or could not be fetched: RFC 9309 says disallow all, for now.

    Not an IgnoreRequest: the request failed for a reason that may pass, so it is recorded
    as a fetch error and an article is kept pending for the next crawl.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


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
    return describe_exception(failure.value)


def describe_exception(exc: BaseException) -> tuple[str, str]:
    """Return (code, detail) for the exception a request failed with."""
    detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}", detail
    if isinstance(exc, BlockedUrl):
        return "blocked_url", str(exc)
    if isinstance(exc, RobotsUnavailable):
        return exc.code, detail
    if isinstance(exc, IgnoreRequest):
        return ("robots_disallowed" if "robots.txt" in str(exc) else "ignored"), detail
    for classes, code in _CODES:
        if isinstance(exc, classes):
            return code, detail
    if "SSL" in type(exc).__name__ or "ssl" in str(exc).lower():
        return "tls", detail
    return "fetch_failed", detail
