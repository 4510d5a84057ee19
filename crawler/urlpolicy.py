"""Where the crawler may connect: http(s) only, public addresses only, unless a source declares otherwise.

A feed or sitemap is data from the web, so a link in it is never fetched blindly: not
`file:`, `s3:`, `ftp:` or `data:`, and not a host that is (or resolves to) a loopback,
private, link-local, multicast or reserved address, unless the source's own declared URLs
are on that host and port, or the source sets `allow_private = true`. Every request is
checked before it is sent (so every redirect hop is), names are resolved through the
resolver the connection itself uses (PolicyResolver refuses private answers for names no
source declared, so DNS rebinding cannot slip past), and the address a response came from
is checked again. See docs/crawling.md.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import error as twisted_error
from twisted.internet.defer import Deferred

from crawler.failures import BlockedUrl
from crawler.sources import Source

__all__ = ["PolicyResolver", "UrlPolicy", "UrlPolicyMiddleware", "is_public_address"]

logger = logging.getLogger(__name__)

SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
SOURCE_META = "tidings_source"  # crawler.spiders.base.SOURCE_META (the spiders import this module's users)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public_address(address: Address) -> bool:
    """Say whether address is a globally routable unicast address (not loopback, private, link-local, ...)."""
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def _what(address: Address) -> str:
    for name in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(address, f"is_{name}"):
            return name.replace("_", "-")
    return "non-public"


def _host_port(url: str) -> tuple[str, int | None, str]:
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        port = None
    return (parts.hostname or "").lower(), port, parts.scheme.lower()


@dataclasses.dataclass(frozen=True)
class UrlPolicy:
    """The URL rules of one crawl, from its sources."""

    declared: dict[str, frozenset[tuple[str, int | None]]]  # source -> (host, port) of its declared URLs
    open_sources: frozenset[str]  # sources with allow_private = true

    @classmethod
    def from_sources(cls, sources: Iterable[Source]) -> Self:
        sources = list(sources)
        declared = {
            s.name: frozenset(_host_port(url)[:2] for url in (*s.feeds, *s.sitemaps, *s.sections)) for s in sources
        }
        return cls(declared, frozenset(s.name for s in sources if s.allow_private))

    @property
    def declared_hosts(self) -> frozenset[str]:
        return frozenset(host for pairs in self.declared.values() for host, _ in pairs)

    def _sources(self, source: str | None) -> Sequence[str]:
        # robots.txt requests carry no source: any source allowing the address allows them
        return [source] if source in self.declared else list(self.declared)

    def scheme_refusal(self, url: str) -> str | None:
        """Return why url is refused before anything is resolved (its scheme, no host), or None."""
        host, _, scheme = _host_port(url)
        if scheme not in SCHEMES:
            return f"scheme {scheme or 'none'!r} is not fetched (http and https only)"
        if not host:
            return "no host"
        return None

    def address_refusal(self, url: str, address: Address, source: str | None) -> str | None:
        """Return why connecting to address for url is refused, or None when it is allowed."""
        if is_public_address(address):
            return None
        host, port, _ = _host_port(url)
        for name in self._sources(source):
            if name in self.open_sources or (host, port) in self.declared[name]:
                return None
        where = f"{host}:{port}" if port else host
        shown = host if host == str(address) else f"{host} ({address})"
        return (
            f"{shown} is a {_what(address)} address and {where} is not a declared URL of the source;"
            " set allow_private = true on the source to fetch it"
        )

    def allows_private_name(self, name: str) -> bool:
        """Say whether a host name may resolve to a non-public address (a declared host, or a source allows any)."""
        return bool(self.open_sources) or name.lower() in self.declared_hosts


def _policy(crawler: Crawler) -> UrlPolicy | None:
    policy: UrlPolicy | None = getattr(crawler, "tidings_url_policy", None)
    if policy is None:
        sources = getattr(getattr(crawler, "spider", None), "sources", None)
        if not isinstance(sources, dict):
            return None
        policy = UrlPolicy.from_sources(sources.values())
        crawler.tidings_url_policy = policy  # type: ignore[attr-defined]  # shared with the resolver and archive
    return policy


def peer_refusal(crawler: Crawler, request: Request, response: Response) -> str | None:
    """Return why the address a response came from is refused for its request, or None."""
    policy = _policy(crawler)
    ip = getattr(response, "ip_address", None)
    address = _address(str(ip)) if ip is not None else None
    if policy is None or address is None:
        return None
    return policy.address_refusal(response.url, address, request.meta.get(SOURCE_META))


class UrlPolicyMiddleware:
    """Downloader middleware: refuse, before any connection, a URL the policy does not allow (BlockedUrl)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _refuse(self, request: Request, reason: str) -> BlockedUrl:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("crawler/blocked_url")
        logger.info("blocked %s: %s", request.url, reason)
        return BlockedUrl(reason)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        policy = _policy(self.crawler)
        if policy is None:
            return
        refusal = policy.scheme_refusal(request.url)
        if refusal is not None:
            raise self._refuse(request, refusal)
        host, _, _ = _host_port(request.url)
        address = _address(host)
        if address is None:
            from twisted.internet import reactor

            try:
                # the resolver the connection will use (and cache): one answer for the check and the connection
                resolved: Any = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined,arg-type]
            except BlockedResolution as exc:
                raise self._refuse(request, str(exc)) from exc
            except Exception:
                return  # the download fails on its own (dns), and is recorded as such
            address = _address(str(resolved))
            if address is None:
                return
        refusal = policy.address_refusal(request.url, address, request.meta.get(SOURCE_META))
        if refusal is not None:
            raise self._refuse(request, refusal)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        refusal = peer_refusal(self.crawler, request, response)
        if refusal is not None:  # connected somewhere else than checked: DNS changed in between
            raise self._refuse(request, f"connected to {response.ip_address}: {refusal}")  # type: ignore[attr-defined]
        return response


class BlockedResolution(twisted_error.DNSLookupError):
    """A host name resolved to a non-public address that no source declared."""


class PolicyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing non-public answers for names no source declared (DNS_RESOLVER)."""

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        resolver = super().from_crawler(crawler, reactor)
        resolver.crawler = crawler
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        answer: Deferred[str] = super().getHostByName(name, timeout)

        def check(address: str) -> str:
            parsed = _address(address)
            if parsed is None or is_public_address(parsed):
                return address
            # Scrapy builds the resolver with the CrawlerProcess, which holds the crawlers
            owner: Any = self.crawler
            policies = [p for c in (getattr(owner, "crawlers", None) or [owner]) if (p := _policy(c)) is not None]
            if policies and not any(p.allows_private_name(name) for p in policies):
                raise BlockedResolution(
                    f"{name} resolves to the {_what(parsed)} address {address}, which no source declared;"
                    " set allow_private = true on the source to fetch it"
                )
            return address

        return answer.addCallback(check)
