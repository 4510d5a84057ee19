"""Tell articles from listings (home pages, section fronts), error pages (soft 404s) and robots.txt.

Judged from the page itself, never from its URL: what it declares (og:type, JSON-LD @type),
its title, and what extraction found (a body of headlines that are the page's own links).
"""

from __future__ import annotations

import enum
import re

from lxml.html import HtmlElement

__all__ = ["PageType", "classify_page", "is_robots_txt"]


class PageType(enum.StrEnum):
    """What a page is; every type but ARTICLE is rejected as not_an_article."""

    ARTICLE = "article"
    LISTING = "listing"
    ERROR = "error"
    ROBOTS = "robots_txt"


# titles of soft 404s, in the languages of the benchmarks and the sources
_ERROR_TITLE = re.compile(
    r"\b(?:404|410)\b|page (?:not found|introuvable|non trouvée)|not found|seite nicht gefunden|"
    r"nicht gefunden|página no encontrada|pagina non trovata|nie znaleziono|niet gevonden|"
    r"页面不存在|頁面不存在|页面未找到|找不到(?:该|該)?页面|找不到(?:该|該)?頁面|"
    r"ページが見つかりません|페이지를 찾을 수 없습니다",
    re.I,
)
# an error page says so in a few lines; an article about a 404 has a body
_ERROR_MAX_CHARS = 1000
_ARTICLE_TYPES = re.compile(r'"@type"\s*:\s*\[?\s*"(?:News|Blog|Report|Scholarly|Tech|Opinion|Analysis)?Article"')
_ARTICLE_OG = frozenset({"article", "blog", "news", "og:article"})
# a body of at least this many lines, this share of them the texts of the page's own links,
# is a list of headlines
_LISTING_MIN_LINES = 6
_LISTING_LINK_SHARE = 0.6
_ROBOTS_LINE = re.compile(r"^\s*(?:user-agent|disallow|allow|sitemap|crawl-delay|host)\s*:", re.I | re.M)
_SPACES = re.compile(r"\s+")


def is_robots_txt(text: str) -> bool:
    """Tell whether text is a robots.txt file (most of its non-comment lines are directives)."""
    # speed: the first line that is neither blank nor a comment must start with "user-agent", so a
    # page whose first visible character is neither "#" nor "u" is not one (no split of the whole page)
    if text.lstrip()[:1] not in ("#", "u", "U"):
        return False
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines or not re.match(r"\s*user-agent\s*:", lines[0], re.I):
        return False
    return len(_ROBOTS_LINE.findall(text)) >= 0.8 * len(lines)


def _declares_article(tree: HtmlElement, html: str) -> bool:
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:type":
            return (meta.get("content") or "").strip().lower() in _ARTICLE_OG
    return '"@type"' in html and _ARTICLE_TYPES.search(html) is not None


def _title(tree: HtmlElement) -> str:
    element = tree.find(".//title")
    heading = tree.find(".//h1")
    return " ".join(_SPACES.sub(" ", element.text_content()) for element in (element, heading) if element is not None)


def classify_page(tree: HtmlElement, html: str, text: str, links: set[str]) -> tuple[PageType, str]:
    """Classify a parsed page (tree, its markup html) given the body text extraction found.

    links is candidates.link_texts(tree), which the extraction needs for the article too (speed:
    it reads the text of every <a>, and pages with a long body read it twice).
    Returns the type and a short reason for the rejects' detail.
    """
    if is_robots_txt(text):
        return PageType.ROBOTS, "robots.txt directives, not a page"
    if _declares_article(tree, html):
        return PageType.ARTICLE, ""
    if len(text) < _ERROR_MAX_CHARS and _ERROR_TITLE.search(_title(tree)):
        return PageType.ERROR, "an error page (its title says not found)"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) >= _LISTING_MIN_LINES:
        linked = sum(1 for line in lines if line in links)
        if linked >= _LISTING_LINK_SHARE * len(lines):
            return PageType.LISTING, f"a listing: {linked} of {len(lines)} body lines are the page's links"
    return PageType.ARTICLE, ""
