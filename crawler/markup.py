"""Safe, forgiving XML parsing shared by the feed and sitemap readers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.entities import name2codepoint

from lxml import etree, html

__all__ = ["children", "escape_stray_ampersands", "first_text", "local_name", "parse_xml", "plain_text"]

_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_AMPERSAND = re.compile(rb"&(?:(#[0-9]{1,7};|#x[0-9a-fA-F]{1,6};)|([A-Za-z][A-Za-z0-9]{0,31});)?")
_VERBATIM = re.compile(rb"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)", re.S)
# UTF-16 and UTF-32 bodies (a BOM, or NULs among the first bytes): the byte patterns do not apply
_WIDE_START = (b"\xff\xfe", b"\xfe\xff", b"\x00", b"<\x00")


def _escaper(body: bytes) -> Callable[[re.Match[bytes]], bytes]:
    def escape(match: re.Match[bytes]) -> bytes:
        if match.group(1):
            return match.group(0)  # a character reference
        name = match.group(2)
        if name is None:
            return b"&amp;"  # a stray '&'
        if name in _XML_ENTITIES or b"<!ENTITY " + name in body:
            return match.group(0)  # XML's own, or declared by the document (and never expanded: see parse_xml)
        codepoint = name2codepoint.get(name.decode())
        # an HTML entity XML does not define: its character, else the text as written
        return b"&#%d;" % codepoint if codepoint else b"&amp;" + name + b";"

    return escape


def escape_stray_ampersands(body: bytes) -> bytes:
    """Escape each '&' that starts no reference and spell HTML named entities as character references.

    libxml2's recover mode and expat give up on both, and then drop every later `&amp;`:
    `?x=1&amp;y=2` became `?x=1y=2`. CDATA sections and comments are left as they are.
    """
    if b"&" not in body or body.startswith(_WIDE_START) or b"\x00" in body[:4]:
        return body
    parts = _VERBATIM.split(body)
    # split() with one group: odd items are the verbatim sections
    escape = _escaper(body)
    return b"".join(part if i % 2 else _AMPERSAND.sub(escape, part) for i, part in enumerate(parts))


def parse_xml(body: bytes) -> etree._Element | None:
    """Parse bytes as XML without entities or network access; None when nothing parses."""
    # recover=True: real feeds carry stray '&' and bad bytes; entities off: no XXE, no billion laughs
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(escape_stray_ampersands(body.lstrip()), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def local_name(element: etree._Element) -> str:
    """Return the tag without its namespace, lower-cased ('' for comments and processing instructions)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def children(element: etree._Element, *names: str) -> Iterator[etree._Element]:
    """Yield the direct children whose local name is one of names (any namespace)."""
    wanted = {n.lower() for n in names}
    for child in element:
        if local_name(child) in wanted:
            yield child


def first_text(element: etree._Element, *names: str) -> str | None:
    """Return the stripped text of the first child named one of names, in the order of names."""
    for name in names:
        for child in children(element, name):
            # elements' text only: an entity reference left unexpanded is no text (as Scrapy reads it)
            text = "".join(child.itertext(etree.Element)).strip()
            if text:
                return text
    return None


def plain_text(markup: str | None) -> str | None:
    """Turn a feed description (often escaped HTML) into plain text."""
    if not markup:
        return None
    if "<" not in markup:
        return markup.strip() or None
    try:
        text = html.fragment_fromstring(markup, create_parent="div").text_content()
    except (etree.ParserError, ValueError):
        return markup.strip() or None
    return " ".join(text.split()) or None
