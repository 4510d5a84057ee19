"""Turn extractor output, plain text and Markdown into clean body text: one paragraph per line."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re

import lxml.html
from lxml.etree import ParserError
from markdown_it import MarkdownIt

__all__ = ["markdown_title", "markdown_to_text", "normalize_text", "split_plain_text"]

# spaces of every width, nbsp and ideographic space (U+3000, the Chinese paragraph indent) included
_SPACES = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
# trafilatura renders a table row as "| cell | cell |", escaping pipes inside cells as "\|"
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
# " date 2025-05-14 Title": archived plain-text posts put the date before the title
_DATED_TITLE = re.compile(r"^date\s+(\d{4}-\d{2}-\d{2})\b\s*(.*)$", re.I)
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\r?\n.*?\r?\n---[ \t]*\r?\n", re.S)

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "section",
        "article",
        "figure",
        "figcaption",
    }
)


def _table_row(line: str) -> str:
    cells = [cell.strip().replace("\\|", "|") for cell in _CELL_SEPARATOR.split(line)]
    return " | ".join(cell for cell in cells if cell)


def normalize_text(text: str, *, list_markers: bool = False) -> str:
    """Strip indentation, collapse inner spacing, flatten table rows, drop blank lines.

    With list_markers, also drop the "- " that trafilatura puts before each list item.
    """
    lines = []
    for raw_line in text.splitlines():
        line = _SPACES.sub(" ", raw_line).strip()
        if line.startswith("|"):
            line = _table_row(line)
        elif list_markers and line.startswith("- "):
            line = line[2:].lstrip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def split_plain_text(text: str) -> tuple[str | None, str | None, str]:
    """Split a plain-text article into (title, ISO date or None, body).

    The first non-blank line is the title; a leading `date YYYY-MM-DD` on it is the
    publication date, taken off the title.
    """
    lines = text.lstrip("\ufeff").splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None, None, ""
    title: str | None = _SPACES.sub(" ", lines[0]).strip()
    date = None
    match = _DATED_TITLE.match(title or "")
    if match:
        try:
            date = dt.date.fromisoformat(match.group(1)).isoformat()
        except ValueError:  # "date 2025-13-40": not a date, leave the title alone
            date = None
        else:
            title = match.group(2).strip() or None
    return title, date, normalize_text("\n".join(lines[1:]))


@functools.cache
def _markdown() -> MarkdownIt:
    # commonmark plus tables and strikethrough, raw HTML passed through for lxml to read
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def html_to_text(html: str) -> str:
    """Render a small HTML body (a rendered post, not a whole page) to lines of text."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except ParserError:
        return ""
    for junk in root.xpath("//script|//style|//noscript|//template|//comment()"):
        junk.drop_tree()
    # the markup's own line breaks are not paragraph breaks (except inside <pre>)
    for element in root.iter():
        if isinstance(element.tag, str) and not any(a.tag == "pre" for a in element.iterancestors()):
            if element.tag != "pre" and element.text:
                element.text = _ANY_SPACE.sub(" ", element.text)
            if element.tail:
                element.tail = _ANY_SPACE.sub(" ", element.tail)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        elif element.tag in ("td", "th"):
            element.tail = " | " + (element.tail or "")
    # a row's last cell leaves a dangling separator
    return "\n".join(line.removesuffix(" |") for line in normalize_text(root.text_content()).splitlines())


def markdown_title(markdown: str) -> str | None:
    """Return the post's first heading (ATX or setext) as plain text, or None when it has none."""
    tokens = _markdown().parse(_FRONT_MATTER.sub("", markdown, count=1))
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open" and inline.type == "inline":
            title = html_to_text(_markdown().renderInline(inline.content)).strip()
            if title:
                return title
    return None


def markdown_to_text(markdown: str) -> str:
    """Render a Markdown post body to plain text with no Markdown syntax left."""
    markdown = _FRONT_MATTER.sub("", markdown, count=1)
    return html_to_text(_markdown().render(markdown))
