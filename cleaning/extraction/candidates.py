"""Choose between trafilatura's precision pass and its recall (default) pass, against the page's own text.

The precision pass drops sidebars and teasers the default mode keeps, but now and then it
settles on a lead, a live-blog summary or the paragraphs before an inline "read more" box.
How much prose the page itself carries tells such a teaser from a short article: the text
of its paragraphs outside navigation and page chrome, and the JSON-LD `articleBody` where
the page declares one.
"""

from __future__ import annotations

import dataclasses
import re

from lxml.html import HtmlElement

from cleaning.extraction.htmltree import text_content

__all__ = [
    "PageProse",
    "drop_related_links",
    "link_texts",
    "page_prose",
    "prefer_recall",
    "prose_chars",
    "wants_recall_pass",
]

# Chosen on the even-position halves of the five dev sets and confirmed on the odd ones
# (docs/extraction.md): a precision result under this size, or under this share
# of the page's own prose, gets the recall pass; the recall pass wins when it holds this
# many times as much prose.
# The short-result size was 250; 700 catches precision results that are a teaser on pages whose prose
# sits outside <p> (divs, <br> runs), where the prose share cannot see it: trafilatura-set snippet
# F1 0.934 -> 0.941 on the even halves (500: 0.939, 1200: 0.941), confirmed on the odd halves
# 0.920 -> 0.924, the other four sets unchanged on both. A fast recall pass in this band loses the gain.
# Between TEASER_CHARS and SHORT_RESULT_CHARS the pass runs only when the page's <p> prose is less
# than the result (the story is not in <p>s): the recall pass ran on pages it never won on, zyte
# cost 8 % more per page; this keeps 0.929 of the 0.932 (full trafilatura set) at the old speed.
SHORT_RESULT_CHARS = 700
TEASER_CHARS = 250
MIN_PROSE_SHARE = 0.2
RECALL_GAIN = 2.5
# a paragraph whose text is mostly link text is a menu or a list of headlines, not prose
_MAX_LINK_SHARE = 0.5
_CHROME = frozenset({"nav", "header", "footer", "aside", "form", "script", "style", "noscript", "template"})
# related stories at the end: at least this many lines that are the page's own link texts,
# each maybe followed by a standfirst of up to this many characters, and less than half the text
_RELATED_MIN_LINKS = 2
_STANDFIRST_MAX_CHARS = 300
_ARTICLE_BODY = re.compile(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclasses.dataclass(frozen=True)
class PageProse:
    """How much article-like text a page carries, measured on the page before extraction."""

    paragraph_chars: int = 0  # text of <p> elements outside page chrome, menus left out
    json_ld_body_chars: int = 0  # the longest JSON-LD articleBody (0 when the page declares none)


def _chrome_paragraphs(tree: HtmlElement) -> set[HtmlElement]:
    # the <p>s with a chrome ancestor, found from the chrome down in one walk of each chrome
    # subtree (speed: walking up every paragraph's ancestors took a third of page_prose); the set
    # holds the elements, so lxml hands the same proxies back when tree.iter meets them again
    return {paragraph for chrome in tree.iter(*_CHROME) for paragraph in chrome.iter("p")}


def page_prose(tree: HtmlElement, html: str) -> PageProse:
    """Measure the prose of a parsed page (tree) and the JSON-LD articleBody in its markup (html)."""
    chrome = _chrome_paragraphs(tree)
    total = 0
    for paragraph in tree.iter("p"):
        if paragraph in chrome:  # first: a chrome paragraph's text is never read
            continue
        text = text_content(paragraph).strip()
        if not text:
            continue
        links = sum(len(text_content(link)) for link in paragraph.iter("a"))
        if links < _MAX_LINK_SHARE * len(text):
            total += len(text)
    declared = 0
    if '"articleBody"' in html:  # speed: most pages declare none, and the regex scans the whole page
        declared = max((len(m.group(1)) for m in _ARTICLE_BODY.finditer(html)), default=0)
    return PageProse(paragraph_chars=total, json_ld_body_chars=declared)


def prose_chars(text: str) -> int:
    """Count the characters of text outside table rows (trafilatura renders rows as '| a | b |')."""
    return sum(len(line) for line in text.splitlines() if not line.lstrip().startswith("|"))


def wants_recall_pass(text: str, prose: PageProse) -> bool:
    """Tell whether a precision-pass text is short enough, against the page's prose, to try the recall pass."""
    chars = prose_chars(text)
    if len(text) < TEASER_CHARS or chars < len(text) / 2:
        return True
    if len(text) < SHORT_RESULT_CHARS and prose.paragraph_chars < chars:
        return True  # a short result the page's <p> prose does not hold: the story sits in divs or <br> runs
    reference = max(prose.paragraph_chars, prose.json_ld_body_chars)
    return chars < MIN_PROSE_SHARE * reference


def prefer_recall(precise: str, recall: str) -> bool:
    """Tell whether the recall pass found enough more prose to replace the precision pass."""
    return prose_chars(recall) > RECALL_GAIN * prose_chars(precise)


def link_texts(tree: HtmlElement) -> set[str]:
    """Return the texts of the page's links, whitespace collapsed."""
    # str.split() splits at the characters a regex's \s matches (str.isspace): the same as
    # re.sub(r"\s+", " ", text).strip(), sooner
    return {" ".join(text_content(link).split()) for link in tree.iter("a")} - {""}


def drop_related_links(text: str, links: set[str]) -> str:
    """Drop a run of related-story headlines (the page's own links) and their standfirsts at the end.

    On the precision-pass texts of the dev sets it fired on 10 of 745 pages: zyte +0.17 F1 summed over 3 pages,
    trafilatura's set 2 snippet errors fewer, readability -0.035 on one page.
    """
    lines = text.split("\n")
    end = len(lines)
    linked = 0
    while end > 0:
        line = lines[end - 1].strip()
        if line in links:
            linked += 1
        elif not (len(line) <= _STANDFIRST_MAX_CHARS and end >= 2 and lines[end - 2].strip() in links):
            break
        end -= 1
    tail = sum(len(line) for line in lines[end:])
    if linked < _RELATED_MIN_LINKS or end == 0 or tail >= 0.5 * sum(len(line) for line in lines):
        return text
    return "\n".join(lines[:end])
