"""Read RSS 2.0, RSS 1.0 (RDF) and Atom feeds into Entries, without Scrapy."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

from crawler.entries import Entry, clean_text
from crawler.markup import children, first_text, local_name, parse_xml, plain_text

__all__ = ["parse_feed"]

_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
# RSS <author> holds an e-mail address, optionally followed by the name in parentheses
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$")
_EMAIL = re.compile(r"^\S+@\S+$")


def _link(item: etree._Element, base_url: str) -> str | None:
    for link in children(item, "link"):
        href = link.get("href")
        if href is not None:  # Atom: the alternate (or rel-less) link is the article
            if link.get("rel", "alternate") == "alternate":
                return urljoin(base_url, str(href).strip())
            continue
        text = str(link.text or "").strip()
        if text:
            return urljoin(base_url, text)
    for guid in children(item, "guid", "id"):
        text = (guid.text or "").strip()
        if guid.get("isPermaLink", "true").lower() != "false" and text.startswith(("http://", "https://")):
            return text
    about = item.get(_RDF_ABOUT)
    return urljoin(base_url, str(about).strip()) if about else None


def _author(text: str) -> str | None:
    match = _EMAIL_NAME.match(text)
    if match:
        return clean_text(match.group("name"))
    if _EMAIL.match(text):
        return None  # an address alone names nobody
    return clean_text(text)


def _authors(item: etree._Element) -> tuple[str, ...]:
    names: list[str] = []
    for element in children(item, "author", "creator", "contributor"):
        name = first_text(element, "name") if len(element) else "".join(element.itertext())
        author = _author(name or "")
        if author and author not in names:
            names.append(author)
    return tuple(names)


def _categories(item: etree._Element) -> tuple[str, ...]:
    found: list[str] = []
    for element in children(item, "category", "subject"):
        value = clean_text(element.get("label") or element.get("term") or element.text)
        if value and value not in found:
            found.append(value)
    return tuple(found)


def _entry(item: etree._Element, base_url: str) -> Entry | None:
    url = _link(item, base_url)
    if not url or not url.startswith(("http://", "https://")):
        return None
    published = first_text(item, "pubDate", "published", "issued", "date", "created")
    modified = first_text(item, "updated", "modified")
    return Entry(
        url=url,
        title=plain_text(first_text(item, "title")),
        published=published,
        modified=modified if modified != published else None,
        authors=_authors(item),
        categories=_categories(item),
        description=plain_text(first_text(item, "description", "summary", "subtitle")),
    )


def parse_feed(body: bytes, base_url: str) -> list[Entry]:
    """Return the entries of an RSS or Atom feed, in feed order; [] when body is not a feed."""
    root = parse_xml(body)
    if root is None or local_name(root) not in {"rss", "rdf", "feed"}:
        return []
    entries = []
    for item in root.iter():
        if local_name(item) in {"item", "entry"}:
            entry = _entry(item, base_url)
            if entry is not None:
                entries.append(entry)
    return entries
