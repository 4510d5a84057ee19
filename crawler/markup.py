"""Safe, forgiving XML parsing shared by the feed and sitemap readers."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree, html

__all__ = ["children", "first_text", "local_name", "parse_xml", "plain_text"]


def parse_xml(body: bytes) -> etree._Element | None:
    """Parse bytes as XML without entities or network access; None when nothing parses."""
    # recover=True: real feeds carry stray '&' and bad bytes; entities off: no XXE, no billion laughs
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
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
            text = "".join(child.itertext()).strip()
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
