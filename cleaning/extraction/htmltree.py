"""Prepare an HTML page for trafilatura: parse it whole, undo layout tables, prune by XPath."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import re
from collections.abc import Iterable, Iterator

from lxml.etree import XPath, tostring
from lxml.html import HtmlElement, document_fromstring, fromstring
from trafilatura.settings import CUT_EMPTY_ELEMS, MANUALLY_CLEANED
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html, load_html

from cleaning.extraction.htmlparser import HTML_PARSER

__all__ = [
    "drop_empty_elements",
    "drop_link_tables",
    "parse_document",
    "parse_page",
    "prune",
    "text_content",
    "unmask_paywalled_text",
    "unwrap_layout_tables",
    "without_cleaned_subtrees",
]

# a post body that still carries its YAML front matter (`---` ... `---`) before the HTML
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\r?\n.*?\r?\n---[ \t]*\r?\n", re.S)

# a cell holding this much text is a page column, not a data cell
_LAYOUT_CELL_CHARS = 150
# a grid of at least this many cells, each a link, is a menu
_LINK_TABLE_CELLS = 4
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")
_LAYOUT_ATTRIBUTES = frozenset(
    {"width", "height", "align", "valign", "colspan", "rowspan", "cellpadding", "cellspacing", "border", "bgcolor"}
)


def text_content(element: HtmlElement) -> str:
    """Return element.text_content(): the text of its subtree, its tail left out, sooner.

    lxml.html evaluates the XPath string() for each element; that is libxml2's
    xmlNodeGetContent, which the text serialization calls too, without setting up an
    XPath context (a third fewer instructions over the <a>s of a page).
    """
    return tostring(element, method="text", encoding="unicode", with_tail=False)


def parse_page(html: str) -> HtmlElement | None:
    """Parse a page into a tree rooted at <html> with a <body>, whatever shape the input has.

    Pages stored as fragments (no <html>, or wrapped in an archive's own element such as
    CleanEval's `<text id=...>`) parse to a root that trafilatura reads badly or not at
    all; wrapping the markup in <html><body> gives it the document it expects.
    """
    return parse_document(html)[0]


def parse_document(html: str) -> tuple[HtmlElement | None, bool]:
    """Return parse_page(html) and whether that tree is html's own parse, untouched.

    It is when libxml2's HTML parser (comments and processing instructions removed) made it
    of html's UTF-8 bytes and nothing changed it: no front matter cut, no repair (but the cut
    of a well-formed doctype, which gives the same elements), no wrapping, no fragment
    handling by lxml.html. Then cleaning.metadata.pagemeta can read the
    page off this tree instead of parsing the page again, before anything prunes it.
    """
    text = _FRONT_MATTER.sub("", html, count=1)
    tree, untouched = _load(text)
    if tree is None or tree.tag != "html" or tree.find("body") is None:
        return _load_html(f"<html><body>{text}</body></html>"), False
    return tree, untouched and len(text) == len(html)


# what trafilatura's repair_faulty_html deletes first: control characters, U+FFFE and U+FFFF
# (in UTF-8, these bytes stand for those characters only)
_INVALID_XML_BYTES = (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))
_NONCHARACTERS = ("\ufffe", "\uffff")  # in UTF-8, b"\xef\xbf\xbe" and b"\xef\xbf\xbf" stand for these only
_LEADING_SPACES = re.compile(r"\s*")


def _load_html(html: str) -> HtmlElement | None:
    """Return trafilatura.utils.load_html(html): the same tree, sooner.

    load_html repairs the page, then parses it. The repair's first step deletes invalid XML
    characters by a regular expression over the whole page, which took as long as the parse
    (10 of 23 million instructions on a zyte page). Here a search in C for their bytes tells the
    pages that hold one, which go to load_html itself. On the others, the rest of the repair and
    the parse are done step by step with trafilatura's own patterns and parser, on the page's
    UTF-8 bytes, which load_html parses when the str is refused (an encoding declaration) and
    which give the str's tree (tests/cleaning/test_htmltree.py holds both loaders to the same trees).
    """
    return _load(html)[0]


def _load(html: str) -> tuple[HtmlElement | None, bool]:
    # _load_html's tree, and whether it is libxml2's parse of html's own bytes, untouched
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return load_html(html), False
    # the noncharacters are looked for in the str: a search for one character that a page of
    # Latin-1 characters cannot hold returns at once, where one for their 3 bytes took 0.2 ms
    if any(byte in data for byte in _INVALID_XML_BYTES) or any(bad in html for bad in _NONCHARACTERS):
        return load_html(html), False
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    # the rest of repair_faulty_html: a doctype with a slash on the first line, a self-closing <html/>
    repaired = html
    if "doctype" in beginning:
        repaired = _cut_doctype(html)
    for line in repaired[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            repaired = FAULTY_HTML.sub(r"\1>", repaired, count=1)
            break
    # lxml.html.fromstring tells a document from a fragment by what follows the leading spaces,
    # and in bytes only ASCII ones count as spaces
    if not repaired[: _LEADING_SPACES.match(repaired).end()].isascii():  # type: ignore[union-attr]
        return load_html(html), False
    untouched = repaired == html or _only_doctype_cut(html, repaired)
    if repaired != html:
        data = repaired.encode("utf-8")
    try:
        tree, as_parsed = _fromstring(data)
    except Exception:  # as in load_html, which logs it: no tree
        return None, False
    # load_html's test that the page is HTML at all
    if tree is not None and dubious and len(tree) < 2:
        return None, False
    return tree, untouched and as_parsed


def _cut_doctype(html: str) -> str:
    """Return repair_faulty_html's cut of a doctype with a slash off the first line: html itself when none is cut.

    The repair rebuilds the page from its first line and the rest; here the page is copied only when it changes.
    """
    end = html.find("\n")
    if end < 0:  # no newline: the repair adds one
        return DOCTYPE_TAG.sub("", html, count=1) + "\n"
    match = DOCTYPE_TAG.search(html, 0, end)
    return html if match is None else html[: match.start()] + html[match.end() :]


# a well-formed doctype, which libxml2 reads as one token and which adds no element: the repair
# cuts the ones with a slash (all HTML 4 and XHTML ones), and the tree stays the page's own
_PLAIN_DOCTYPE = re.compile(
    r'<!DOCTYPE[ \t]+html(?:[ \t]+PUBLIC[ \t]+"[^"<>]*"(?:[ \t]+"[^"<>]*")?|[ \t]+SYSTEM[ \t]+"[^"<>]*")?[ \t]*/?>',
    re.I,
)


def _only_doctype_cut(html: str, repaired: str) -> bool:
    # the repair cut a well-formed doctype off the page and changed nothing else (the page
    # had a newline: one without gets one added at its end)
    match = _PLAIN_DOCTYPE.match(html)
    return match is not None and repaired == html[match.end() :]


# lxml.html.fromstring's test for a whole document, which it returns as libxml2 parsed it
_FULL_DOCUMENT = re.compile(rb"^\s*<(?:html|!doctype)", re.I)
_XHTML = "{http://www.w3.org/1999/xhtml}"


def _fromstring(data: bytes) -> tuple[HtmlElement, bool]:
    """Return lxml.html.fromstring(data, parser=HTML_PARSER), and whether it is the document as parsed.

    HTML_PARSER is trafilatura's parser with a faster element class lookup: the same trees.

    fromstring also returns the document as it is for a fragment with a <head> or without a
    <body> (a page that starts with a comment before its doctype), unless it had to merge
    several <body> or <head> elements first. Other fragments it cuts down to an element of the
    <body>, which parse_page then wraps: those are parsed again by fromstring itself.
    """
    document = document_fromstring(data, parser=HTML_PARSER)
    if _FULL_DOCUMENT.match(data):
        return document, True
    bodies = document.findall("body") or document.findall(f"{_XHTML}body")
    heads = document.findall("head") or document.findall(f"{_XHTML}head")
    if len(bodies) <= 1 and len(heads) <= 1 and (heads or not bodies):
        return document, True
    return fromstring(data, parser=HTML_PARSER), False


# id/class words of the containers that hold the rest of an article behind a paywall, in the HTML
# all along; trafilatura discards an id with "premium" and a class with "paid-content"
_PAYWALL_MARK = re.compile(r"paywall|premium|paid-?content|subscriber|plus-content|locked", re.I)
# that much paragraph text makes a container article text, not a "subscribe now" box
_PAYWALLED_PROSE_CHARS = 200


def _paragraph_chars(element: HtmlElement) -> int:
    return sum(len(text_content(p).strip()) for p in element.iter("p"))


def _previous_element(element: HtmlElement) -> HtmlElement | None:
    previous = element.getprevious()
    while previous is not None and not isinstance(previous.tag, str):  # comments, processing instructions
        previous = previous.getprevious()
    return previous


def unmask_paywalled_text(tree: HtmlElement) -> HtmlElement:
    """Join article text split over sibling containers, and take paywall words off the rest, in place.

    News sites ship the whole story but put its second half in another container, marked
    `paywall` or `premium` and hidden by CSS; extractors keep the first container only, or
    read those words as boilerplate. A marked container with real paragraphs that follows
    another one with paragraphs is merged into it, one elsewhere loses the marks; a short
    subscription prompt does not qualify and stays as it is. (Merging siblings that merely
    share a class fired on 191 of the 745 dev pages, columns and cards mostly: not done.)
    """
    for element in list(tree.iter("div", "section")):
        # the marks first: an unmarked container is left as it is, and most are unmarked (speed:
        # the paragraph count walks every container's subtree)
        marked = _PAYWALL_MARK.search(element.get("class", "") + " " + element.get("id", ""))
        if not marked or _paragraph_chars(element) < _PAYWALLED_PROSE_CHARS:
            continue
        previous = _previous_element(element)
        follows_text = previous is not None and previous.tag in ("div", "section", "article")
        if follows_text and previous is not None and _paragraph_chars(previous):
            # the container's own leading text comes before its children, as on the page
            if element.text and element.text.strip():
                previous.append(_text_paragraph(previous, element.text))
            previous.extend(list(element))
            element.drop_tree()
            continue
        if _PAYWALL_MARK.search(element.get("id", "")):
            del element.attrib["id"]
        words = [w for w in element.get("class", "").split() if not _PAYWALL_MARK.search(w)]
        element.set("class", " ".join(words))
    return tree


def _text_paragraph(sibling: HtmlElement, text: str) -> HtmlElement:
    # made by the tree's own factory: HtmlElement("p") would be an element named "HtmlElement"
    # holding the text "p"
    paragraph = sibling.makeelement("p", {})
    paragraph.text = text
    return paragraph


def _is_layout_table(table: HtmlElement) -> bool:
    if table.find(".//table") is not None:
        return True
    # header cells or a caption label columns of data, however long the cells (a list of films
    # with synopses); page-layout tables of the 2000s carry neither
    if table.find("caption") is not None or table.find(".//th") is not None:
        return False
    return any(len("".join(cell.itertext()).strip()) > _LAYOUT_CELL_CHARS for cell in table.iter("td", "th"))


def unwrap_layout_tables(tree: HtmlElement) -> HtmlElement:
    """Turn tables used for page layout into plain <div>s, in place; keep data tables.

    2000s pages lay out the whole page in nested tables. trafilatura keeps a table it
    chooses whole, so navigation, calendars and link lists that share the table with the
    article come along; as <div>s they get the same link-density and boilerplate tests as
    any modern page.
    """
    for table in list(tree.iter("table")):
        # a table inside a layout table became a <div> with it, whatever it holds (speed: neither
        # judged nor walked again: nested layouts cost their depth times their size)
        if table.tag != "table" or not _is_layout_table(table):
            continue
        for element in table.iter(*_TABLE_PARTS):
            element.tag = "div"
            # speed: most cells carry none of these, and each element.attrib is a new proxy
            attributes = element.attrib
            for name in [name for name in attributes if name in _LAYOUT_ATTRIBUTES]:
                del attributes[name]
    return tree


def _is_link_table(table: HtmlElement) -> bool:
    # at least _LINK_TABLE_CELLS cells with text, and every one of them all link text; the first
    # cell with other text decides (speed: a data table's cells are not all read)
    cells = 0
    for cell in table.iter("td", "th"):
        text = "".join(cell.itertext()).strip()
        if not text:
            continue
        if text != "".join("".join(a.itertext()) for a in cell.iter("a")).strip():
            return False
        cells += 1
    return cells >= _LINK_TABLE_CELLS


def drop_link_tables(tree: HtmlElement) -> HtmlElement:
    """Delete tables whose every cell is a link, in place: menus of sections and regions.

    trafilatura keeps tables, and a grid of links (全国版 | 安徽省 | 北京市 ...) has no
    prose for its link-density test to weigh; an article's data table has text cells.
    """
    for table in [t for t in tree.iter("table") if _is_link_table(t)]:
        _delete(table)
    return tree


def drop_empty_elements(tree: HtmlElement) -> HtmlElement:
    """Delete empty inline and block elements, in place, keeping the text that follows them.

    trafilatura's precision mode deletes the same empty elements together with their tail,
    so "催生了<a>海量数据</a><span id=quote></span>，不仅……" would lose the rest of the
    sentence; deleting them first, the lxml way, keeps it.
    """
    # reversed document order: children before parents, so a parent emptied here goes too
    for element in reversed(list(tree.iter(*CUT_EMPTY_ELEMS))):
        if element.text is None and len(element) == 0 and element.getparent() is not None:
            element.drop_tree()
    return tree


def _delete(element: HtmlElement) -> None:
    parent = element.getparent()
    if parent is None:
        return
    element.drop_tree()  # keeps the tail text, which belongs to the parent


def prune(tree: HtmlElement, rules: Iterable[tuple[str, XPath]]) -> list[str]:
    """Delete the elements each (name, XPath) rule selects, in place; return the names that matched."""
    fired = []
    for name, xpath in rules:
        matches = [m for m in xpath(tree) if isinstance(m, HtmlElement)]
        for element in matches:
            _delete(element)
        if matches:
            fired.append(name)
    return fired


# the subtrees trafilatura's tree_cleaning deletes in every mode, one tag after the other in this
# order (MANUALLY_CLEANED as it is when this module loads: the project never changes it)
_CLEANING_ORDER = {tag: rank for rank, tag in enumerate(MANUALLY_CLEANED)}
_CLEANED = tuple(_CLEANING_ORDER)
# not deleted ahead of trafilatura: a <form> holding most of the text becomes a <div>, a <math>
# leaves its LaTeX in its tail
_NOT_FIRST = frozenset({"form", "math"})
# what trafilatura reads before its cleaning deletes the subtrees: <h1> (the raw-tree prune keeps an
# infinite-scroll container holding one), <table> (a <figure> holding one becomes a <div>),
# <annotation> (the LaTeX of a <math>), and the ld+json scripts declaring forum posts (the forum test)
_READ_BEFORE = frozenset({"h1", "table", "annotation"})
_WALKED = (*_CLEANED, *sorted(_READ_BEFORE))
_JSON_LD = "application/ld+json"
_READ = -1  # the rank of what trafilatura reads: no subtree holding it goes first
_NEVER = len(_CLEANING_ORDER)


@dataclasses.dataclass(slots=True)
class _Removal:
    element: HtmlElement
    parent: HtmlElement
    index: int
    joined: HtmlElement  # the element its tail was joined to: its previous sibling, or its parent
    joined_text: str | None  # what that one's tail (sibling) or text (parent) was before


@contextlib.contextmanager
def without_cleaned_subtrees(tree: HtmlElement) -> Iterator[HtmlElement]:
    """Delete, for the block, the subtrees trafilatura's cleaning deletes anyway, and put them back after.

    trafilatura copies the tree it is given twice and runs its raw-tree XPaths over every element
    before its tree_cleaning deletes <nav>, <aside>, <footer>, <head>, <script>, <svg> ... (45% of
    the elements on the dev sets, 10% on cwced-zh); deleted first, the same way (tail kept), they
    cost nothing there. What it extracts stays the same when the deleted subtrees hold nothing it
    reads before its cleaning (_READ_BEFORE) and when each is one tree_cleaning surely deletes. Its
    loop `for element in tree.iter(tag): delete_element(element)` stops after the first element of
    that tag holding another one (lxml walks on in the detached subtree), so on a page where a tag
    nests the later ones stay: those are left alone, and so are subtrees holding a nested tag whose
    loop runs before the subtree's own. Only the precision pass (fast: no readability or jusText
    over the raw tree, no baseline, no recall retry) reads nothing else of the raw tree; the
    balanced pass gets the page whole. The dev sets exercise the nesting and the ld+json guards,
    not those for <h1>, <table> and <annotation> (tests/cleaning/test_cleaned_subtrees.py does),
    nor the recall focus's undo of the deletions (never used on this tree).
    """
    removals = _remove(_cleaned_subtrees(tree))
    try:
        yield tree
    finally:
        for removal in reversed(removals):
            removal.parent.insert(removal.index, removal.element)  # its tail comes along
            if removal.joined is removal.parent:
                removal.joined.text = removal.joined_text
            else:
                removal.joined.tail = removal.joined_text


def _cleaned_subtrees(tree: HtmlElement) -> list[HtmlElement]:
    # the outermost subtrees without_cleaned_subtrees may delete
    walked = list(tree.iter(*_WALKED))  # one walk over the tree (speed: two took half the time)
    elements = [e for e in walked if e.tag in _CLEANING_ORDER]
    read = [e for e in walked if e.tag in _READ_BEFORE or (e.tag == "script" and _declares_forum_posts(e))]
    # (speed: most are leaves, <script>, <link>, <input> ...: only an element with children can hold one)
    nested = {e.tag for e in elements if len(e) and next(e.iterdescendants(e.tag), None) is not None}
    holds = _held_ranks(read, [e for e in elements if e.tag in nested])
    roots: list[HtmlElement] = []  # in reverse document order, so an element's chosen descendants are on top
    for element in reversed(elements):
        tag = element.tag
        if tag in _NOT_FIRST or tag in nested:
            continue
        rank = _CLEANING_ORDER[tag]
        if rank < holds.get(element, _NEVER):
            while len(element) and roots and element in roots[-1].iterancestors(tag):
                roots.pop()
            roots.append(element)
        elif tag != "figure":
            # the element goes in its turn, and its children with it: its leaves may go now (the
            # <title> and <meta>s of a <head> holding ld+json; the other tags come in their own right)
            roots.extend(
                child
                for child in reversed(element)
                if isinstance(child.tag, str) and child.tag not in _CLEANING_ORDER and not len(child)
                if rank < holds.get(child, _NEVER)
            )
    return roots


def _held_ranks(read: list[HtmlElement], nested: list[HtmlElement]) -> dict[HtmlElement, int]:
    # for each element holding something the cleaning needs in place until some loop, that loop's rank
    # (_READ: trafilatura reads it before its cleaning); elements that hold nothing are left out
    marks = [(e, _READ) for e in read]
    marks += [(e, _CLEANING_ORDER[e.tag]) for e in nested]
    holds: dict[HtmlElement, int] = {}
    for marked, rank in marks:
        for element in itertools.chain((marked,), marked.iterancestors()):
            if holds.get(element, _NEVER) <= rank:  # so are all its ancestors
                break
            holds[element] = rank
    return holds


def _declares_forum_posts(script: HtmlElement) -> bool:
    # what trafilatura's _forum_thread_page looks for (its pattern finds this word in an ld+json script)
    return script.get("type") == _JSON_LD and "DiscussionForumPosting" in (script.text or "")


def _remove(roots: list[HtmlElement]) -> list[_Removal]:
    # trafilatura's delete_element, undoably: the tail joins the previous sibling's tail, or the parent's text
    removals = []
    for element in roots:
        parent = element.getparent()
        if parent is None:
            continue
        previous = element.getprevious()
        joined = parent if previous is None else previous
        joined_text = parent.text if previous is None else previous.tail
        if element.tail:
            if previous is None:
                parent.text = (parent.text or "") + element.tail
            else:
                previous.tail = (previous.tail or "") + element.tail
        removals.append(_Removal(element, parent, parent.index(element), joined, joined_text))
        parent.remove(element)
    return removals
