"""Canonical URLs: one spelling per article, so ids and dedup see one page as one page."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence

from w3lib.url import canonicalize_url

__all__ = ["absolute_url", "canonicalize", "choose_canonical", "host_name", "same_site"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str, tracking_parameters: Sequence[str]) -> bool:
    lowered = name.lower()
    # entries ending with "_" are prefixes (utm_), the others whole names
    return any(lowered.startswith(t) if t.endswith("_") else lowered == t for t in tracking_parameters)


def canonicalize(url: str | None, *, tracking_parameters: Sequence[str] = ()) -> str | None:
    """Return url absolute-form canonical: lower-case scheme and host, no default port,
    no fragment, no tracking parameters, query parameters sorted; None if it is not http(s).
    """
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urllib.parse.urlencode(
        [
            (k, v)
            for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if not _is_tracking(k, tracking_parameters)
        ],
        doseq=True,
    )
    rebuilt = urllib.parse.urlunsplit((scheme, netloc, parts.path or "/", query, ""))
    try:
        # w3lib sorts the query and settles percent-encoding (safe characters, UTF-8 paths)
        return canonicalize_url(rebuilt, keep_fragments=False)
    except (ValueError, UnicodeError):
        return rebuilt


def absolute_url(href: str | None, base: str | None) -> str | None:
    """Resolve href against base; None when the result is not an http(s) URL."""
    if not href or not isinstance(href, str):
        return None
    href = href.strip()
    try:
        joined = urllib.parse.urljoin(base, href) if base else href
    except ValueError:
        return None
    return joined if urllib.parse.urlsplit(joined).scheme.lower() in _DEFAULT_PORTS else None


def host_name(url: str | None) -> str | None:
    """Return the URL's host without a leading www., or None."""
    if not url:
        return None
    try:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def same_site(a: str | None, b: str | None) -> bool:
    """Tell whether two URLs are on one site (same host, or one a subdomain of the other)."""
    host_a, host_b = host_name(a), host_name(b)
    if not host_a or not host_b:
        return False
    return host_a == host_b or host_a.endswith("." + host_b) or host_b.endswith("." + host_a)


def _is_homepage(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.path.strip("/") in {"", "index.html", "index.htm", "index.php", "index.shtml"} and not parts.query


def _is_ancestor(candidate: str, own: str) -> bool:
    # a canonical pointing up to the page's section ("/news/" for "/news/2025/story") would merge
    # every article of the section into one id; "/news/story" for "/news/story/amp" is right
    path, own_path = urllib.parse.urlsplit(candidate).path, urllib.parse.urlsplit(own).path
    shallow = len([part for part in path.split("/") if part]) <= 1
    return shallow and path != own_path and own_path.startswith(path.rstrip("/") + "/")


def choose_canonical(
    page_url: str | None, declared: Sequence[str | None], *, tracking_parameters: Sequence[str]
) -> str | None:
    """Return the canonical URL: the page's declared canonical when it is on the same site and
    not a homepage or the page's section (common CMS mistakes), else the page's own URL, canonicalized.
    """
    own = canonicalize(page_url, tracking_parameters=tracking_parameters)
    for href in declared:
        candidate = canonicalize(absolute_url(href, page_url), tracking_parameters=tracking_parameters)
        if candidate is None or _is_homepage(candidate) or (own is not None and _is_ancestor(candidate, own)):
            continue
        if own is None or same_site(candidate, own):
            return candidate
    return own
