"""Read what an HTML page says about itself: JSON-LD, meta tags, <time>, canonical link, headings.

One lxml parse per page. Nothing here decides between sources: metadata.py does that.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import lxml.etree

__all__ = ["PageMeta", "read_page_meta", "read_parsed_page_meta"]

logger = logging.getLogger(__name__)

_ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "webpage",
    "scholarlyarticle",
    "techarticle",
    "report",
    "liveblogposting",
}
# tags that start a new visible line: textformat's paragraph blocks are a different set on
# purpose, since here table cells, <br> and page chrome each break a line (a header's
# "2005年03月21日 11:21 | 来源：…" cells must come out as lines the date and byline readers see);
# <nobr> is inline, its words stay on their line ("wurde am <nobr>19. Mai 2010</nobr> um … gepostet")
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "td",
    "th",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "dd",
    "dt",
    "ul",
    "ol",
    "blockquote",
    "center",
    "hr",
    "title",
    "pre",
    "form",
}
_SKIP_TAGS = {"script", "style", "noscript", "select", "option", "textarea", "iframe", "object", "embed"}
# a link to one author's archive (WordPress "?author=102", "/author/jane-doe/"): blog chrome
# names the blogger with it when nothing else does; "/authors/" alone is an index, not a person
_AUTHOR_HREF = re.compile(r"[?&]author(?:_name)?=[^&#\s]+|/author/[^/?#\s]+/?(?:$|[?#])", re.I)
_AUTHOR_CLASS = re.compile(
    r"(?:^|[\s_-])(?:author|byline|writer|reporter|username)(?:$|[\s_-])|author__name|author-name", re.I
)
# a co-byline sits within a few elements of the first name; a name marked as an author further
# on belongs to a related story's teaser (chosen on postlight and readability, confirmed on trafilatura)
_BYLINE_GAP = 40
# what a byline-classed element holds when it is the label or the chrome beside the name, not the name
_LABEL_ONLY = re.compile(
    r"(?:by|von|par|por|door|de|written by|posted by|author|autor(?:in)?|auteur|username|user|"
    r"benutzername|follow|folgen|more|mehr)\s*[:：]?",
    re.I,
)


@dataclasses.dataclass
class PageMeta:
    """The page's own statements about itself, each as found (strings, not yet normalized)."""

    json_ld: dict[str, Any] = dataclasses.field(default_factory=dict)
    meta: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # lower-cased name/property -> contents
    times: list[str] = dataclasses.field(default_factory=list)  # <time datetime> values
    canonical: str | None = None
    h1: list[str] = dataclasses.field(default_factory=list)
    title_tag: str | None = None
    author_elements: list[str] = dataclasses.field(default_factory=list)  # rel=author, itemprop=author, class*=byline
    lines: list[str] = dataclasses.field(default_factory=list)  # the page's visible text, one block per line
    lang: str | None = None  # <html lang> (or xml:lang)

    def first(self, *names: str) -> str | None:
        """Return the first non-empty content among the meta names, in the order given."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None

    def all(self, *names: str) -> list[str]:
        """Return every non-empty content of the meta names, in the order given."""
        return [v.strip() for name in names for v in self.meta.get(name, ()) if v.strip()]


# plain etree elements: lxml.html's element classes cost a lookup per node and buy nothing here
_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True)
# the same parser for the page's UTF-8 bytes: libxml2 reads a str as UCS-2 or UCS-4 and converts
# it, which made the parse a third slower than encoding it first (the trees are the same)
_UTF8_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _iter_json_ld(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _iter_json_ld(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _iter_json_ld(data["@graph"])
        # a WebPage whose mainEntity is the article ("mainEntity": {"@type": "NewsArticle", ...})
        if isinstance(data.get("mainEntity"), dict | list):
            yield from _iter_json_ld(data["mainEntity"])


def _is_article(item: dict[str, Any]) -> bool:
    types = item.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in names)


# "<![CDATA[ {...} ]]>" (or "//<![CDATA[") around JSON-LD, as XHTML templates write it
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def _resolve(value: Any, nodes: dict[str, dict[str, Any]], depth: int = 0) -> Any:
    # Yoast and friends write "author": {"@id": "#/schema/person/..."} and put the Person in @graph
    if isinstance(value, list):
        return [_resolve(v, nodes, depth) for v in value]
    if isinstance(value, dict) and depth < 3 and set(value) <= {"@id", "@type"} and value.get("@id") in nodes:
        return nodes[value["@id"]]
    return value


def _pick_json_ld(scripts: list[str]) -> dict[str, Any]:
    candidates: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for raw in scripts:
        # _CDATA is tried at every character of the script: a search in C for its markers first
        text = _CDATA.sub("", raw) if "<![CDATA[" in raw or "]]>" in raw else raw
        try:
            # some CMSs leave raw newlines inside JSON strings; strict=False accepts them
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue
        for item in _iter_json_ld(data):
            if isinstance(item.get("@id"), str) and len(item) > 2:
                nodes.setdefault(item["@id"], item)
            if _is_article(item):
                candidates.append(item)
    # a real article item beats a WebPage wrapper
    candidates.sort(key=lambda item: "webpage" in str(item.get("@type")).lower())
    if not candidates:
        return {}
    picked = dict(candidates[0])
    for key in ("author", "creator", "publisher"):
        if key in picked:
            picked[key] = _resolve(picked[key], nodes)
    return picked


_AUTHOR_CLASS_WORDS = ("author", "byline", "writer", "reporter", "username")


def _may_name_author(classes: str) -> bool:
    # a quick test before _AUTHOR_CLASS, which takes far longer on the many class names it rejects;
    # only for ASCII, where the pattern's case-insensitive matching and lower() agree
    if not classes:
        return False
    if not classes.isascii():
        return True
    lower = classes.lower()
    # the words of _AUTHOR_CLASS_WORDS, spelt out: a generator per element cost more than the tests
    return "author" in lower or "byline" in lower or "writer" in lower or "reporter" in lower or "username" in lower


def _may_link_author(href: str) -> bool:
    # "author" is in every match of the case-insensitive _AUTHOR_HREF, and no other character
    # folds to its letters: the plain test first, as most links are not an author's archive
    return "author" in href.lower() and bool(_AUTHOR_HREF.search(href))


def _may_mark(classes: str) -> bool:
    # what makes a class attribute worth the tests below: a published date or an author's name
    return bool(classes) and ("published" in classes or _may_name_author(classes))


def _in_form_or_comments(element: Any) -> bool:
    # comment threads and comment forms carry "author" classes for the commenters
    for ancestor in element.iterancestors():
        if ancestor.tag == "form" or "comment" in f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}".lower():
            return True
    return element.tag in {"label", "input"}


# private-use characters: one that the page does not contain marks where blocks break lines
_BREAKS = ("\ue000", "\ue001", "\uf8fe", "\uf8ff")


# the visible text as an XSLT text output: the same text as lxml's tostring(method="text") after
# deleting the skipped elements (but not their tails) and putting the mark at each block's start
# and end, without changing the tree, which the extraction reads after this (and cheaper than
# those edits: 2.8 against 3.1 million instructions on a zyte page)
_LINES_XSLT = lxml.etree.XSLT(
    lxml.etree.XML(
        f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:param name="mark"/>
<xsl:template match="{"|".join(sorted(_SKIP_TAGS))}"/>
<xsl:template match="{"|".join(sorted(_BLOCK_TAGS))}">
<xsl:value-of select="$mark"/><xsl:apply-templates/><xsl:value-of select="$mark"/>
</xsl:template>
</xsl:stylesheet>"""
    )
)


def _marked_text(top: Any, mark: str | None) -> str:
    # top is the page's <body> or its root (libxml2 roots every HTML parse at <html>): neither a
    # block nor a skipped tag, so no mark of its own; tostring's text ends with top's tail
    text = str(_LINES_XSLT(top, mark=lxml.etree.XSLT.strparam(mark or "")))
    return text + (top.tail or "")


def _visible_lines(top: Any, html: str) -> list[str]:
    """Return the visible text of top (the page's <body>), one line per block. Leaves top as it is."""
    mark = next((m for m in _BREAKS if m not in html), None)
    text = _marked_text(top, mark)
    if mark is None:
        mark = "\n"  # a newline is a space like any other, and no mark: one line
        text = text.replace("\n", " ")
    # a newline inside HTML text is a space (str.split() splits on every Unicode space, U+3000 too);
    # most stretches between two marks hold spaces only (a block ends where the next starts)
    return [" ".join(line.split()) for line in text.split(mark) if line and not line.isspace()]


# the elements read_page_meta reads by their tag
_READ_TAGS = ("script", "meta", "time", "link", "h1", "title", "body")
# dates stated on body elements: microdata/RDFa (<span itemprop="datePublished" content=...>,
# property="schema:dateCreated") and hAtom (<abbr class="published" title="2017-07-23T17:06:45+0000">)
_DATE_PROPERTIES = {"datepublished", "datecreated", "datemodified", "dc:date", "dcterms:created", "dcterms:modified"}
_HATOM_PUBLISHED = re.compile(r"(?:^|\s)published(?:$|\s)")
# hCard and hCalendar properties: an element that is also one dates a birthday or an event
_EVENT_CLASSES = re.compile(r"(?:^|\s)(?:bday|dtstart|dtend)(?:$|\s)")


def _read_date_element(element: Any, dated: dict[str, list[str]], prop: str, classes: str) -> None:
    prop = prop.lower().removeprefix("schema:")
    if _in_form_or_comments(element):
        return  # a comment's date, not the article's
    # the first of each only: later ones date related stories' teasers
    if prop in _DATE_PROPERTIES:
        value = element.get("content") or element.get("datetime")
        if value and f"microdata:{prop}" not in dated:
            dated[f"microdata:{prop}"] = [value]
    elif "hatom:published" not in dated and _HATOM_PUBLISHED.search(classes) and not _EVENT_CLASSES.search(classes):
        # the machine-readable title, else the printed date ("31. Oktober 2023")
        value = element.get("title") or _text(element)
        if value and len(value) <= 40:
            dated["hatom:published"] = [value]


# XML declarations with an encoding make lxml refuse a str; the text is already decoded
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def _parse(html: str) -> Any:
    text = _XML_DECLARATION.sub("", html, count=1)
    if not text.startswith("<?xml"):  # a second declaration: lxml refuses the str, as it did
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the str as it is
            pass
        else:
            return lxml.etree.fromstring(data, _UTF8_PARSER)
    return lxml.etree.fromstring(text, _PARSER)


def read_page_meta(html: str) -> PageMeta:
    """Parse html once and collect its JSON-LD, meta tags, <time>, canonical, <h1>, <title>, lines."""
    page = PageMeta()
    if not html or not html.strip():
        return page
    try:
        root = _parse(html)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        logger.debug("unparsable HTML: %s", exc)
        return page
    if root is None:
        return page
    return _read_tree(root, html)


def read_parsed_page_meta(root: Any, html: str) -> PageMeta | None:
    """Return read_page_meta(html), read off root, the extraction's tree of html; None if that may differ.

    root must be what libxml2's HTML parser (comments and processing instructions removed) made
    of html's UTF-8 bytes, untouched: cleaning.extraction.htmltree.parse_document says when its
    tree is. read_page_meta parses those same bytes unless html starts with an XML declaration,
    which it cuts first (or which makes it parse the str): then None, and the caller reads the
    page with read_page_meta. root is left as it is; its lxml.html elements read as the plain
    ones of read_page_meta's own parse.
    """
    if not html.strip() or html.startswith("<?xml") or _XML_DECLARATION.match(html):
        return None
    return _read_tree(root, html)


def _read_tree(root: Any, html: str) -> PageMeta:
    page = PageMeta()
    page.lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    # the elements read by their tag, gathered by the walk over every element (a walk of their
    # own cost a fifth of read_page_meta), and the dates marked on body elements
    tagged: dict[str, list[Any]] = {tag: [] for tag in _READ_TAGS}
    dated: dict[str, list[str]] = {}
    page.author_elements = _walk(root, tagged, dated)
    page.json_ld = _pick_json_ld(
        [s.text or "" for s in tagged["script"] if (s.get("type") or "").lower() == "application/ld+json"]
    )
    for meta in tagged["meta"]:
        key = (
            (meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or "")
            .strip()
            .lower()
        )
        # content=, or value= as some pages (and saved fixtures) write it
        content = meta.get("content", meta.get("value"))
        if key and content is not None:
            page.meta.setdefault(key, []).append(content)
    for key, value in dated.items():  # a meta tag's statement stands (the walk read after them)
        page.meta.setdefault(key, value)
    # a <time> in a comment thread dates a reader's comment, not the article
    page.times = [t.get("datetime", "") for t in tagged["time"] if t.get("datetime") and not _in_form_or_comments(t)]
    for link in tagged["link"]:
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            page.canonical = link.get("href", "").strip()
            break
    page.h1 = [text for h in tagged["h1"] if (text := _text(h))]
    # the first <title> and <body> below the root (root.find(".//title") found that one)
    title = next((t for t in tagged["title"] if t is not root), None)
    page.title_tag = _text(title) if title is not None else None
    body = next((b for b in tagged["body"] if b is not root), None)
    page.lines = _visible_lines(body if body is not None else root, html)
    return page


# the tags the walk does not read for dates and authors, and those it gathers for _read_tree
_UNMARKED_TAGS = {"meta", "link", "script", "style", "body", "html"}
_WALK_TAGS = _UNMARKED_TAGS | set(_READ_TAGS)


def _walk(root: Any, tagged: dict[str, list[Any]], dated: dict[str, list[str]]) -> list[str]:
    """Return the names marked as authors; gather tagged's elements and the first of each marked date into dated."""
    authors: list[str] = []
    by_class = by_link = None
    class_element: Any = None
    first_declared = class_position = -1
    marks: dict[str, bool] = {}  # _may_mark of each class attribute: pages repeat a few hundred times
    for position, element in enumerate(root.iter()):
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in _WALK_TAGS:
            if tag in tagged:
                tagged[tag].append(element)
            if tag in _UNMARKED_TAGS:
                continue
        # one list of names, then a get for each name it holds: four gets on every element cost more
        names = element.keys()
        if not names:
            continue  # nothing marks it: an <a> without href is no author's link either
        prop = (
            (element.get("itemprop") or element.get("property") or "")
            if "itemprop" in names or "property" in names
            else ""
        )
        classes = (element.get("class") or "") if "class" in names else ""
        rel = (element.get("rel") or "") if "rel" in names else ""
        if not (prop or rel):
            marked = marks.get(classes)
            if marked is None:
                marked = marks[classes] = _may_mark(classes)
            # most elements: nothing on them marks a date or an author; and of an unmarked link
            # only the first author-archive link counts (tested here: most pages have hundreds of links)
            if not marked and (tag != "a" or by_link is not None or not _may_link_author(element.get("href") or "")):
                continue
        if prop or "published" in classes:  # attribute tests first: this runs on every element
            _read_date_element(element, dated, prop, classes)
        declared = "author" in rel.lower() or prop.lower() == "author"
        # names marked as authors further down than this after the byline are related stories' bylines
        # (or after a byline-classed element, when none was marked before it)
        if declared and (first_declared if first_declared >= 0 else class_position) >= 0:
            declared = position - (first_declared if first_declared >= 0 else class_position) <= _BYLINE_GAP
        # the first class match, or an element inside it ("c-byline" > "c-byline__author-name"):
        # further "author" classes are related stories and author boxes
        classed = (
            not declared
            and _may_name_author(classes)
            and bool(_AUTHOR_CLASS.search(classes))
            and (by_class is None or class_element in element.iterancestors())
        )
        # the first author-archive link only: later ones are the blogger's category and month links
        linked = (
            not (declared or classed) and by_link is None and tag == "a" and _may_link_author(element.get("href") or "")
        )
        if not (declared or classed or linked) or _in_form_or_comments(element):
            continue
        text = _text(element)
        if not text or len(text) > 60:
            continue
        if declared:
            authors.append(text)
            first_declared = first_declared if first_declared >= 0 else position
        elif classed and _LABEL_ONLY.fullmatch(text):
            continue  # "By" in its own span, "Username" on a login box: the byline is further on
        elif classed:
            by_class, class_element = text, element
            class_position = class_position if class_position >= 0 else position
        else:
            by_link = text
    # weakest last: a byline-classed element, then an author-archive link
    fallback = by_class or by_link
    if fallback and not authors:
        authors.append(fallback)
    return authors
