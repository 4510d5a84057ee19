"""Page types from the page itself: listings, soft 404s and robots.txt become not_an_article rejects."""

from __future__ import annotations

import pandas as pd
import pytest

from cleaning.extraction.candidates import link_texts
from cleaning.extraction.extract import extract_articles
from cleaning.extraction.htmltree import parse_page
from cleaning.extraction.pagetype import PageType, classify_page, is_robots_txt
from cleaning.extraction.rules import load_rules

HEADLINES = [f"Council approves budget for district {i} after a long debate" for i in range(8)]
PROSE = "The harbour authority said on Tuesday that the new ferry pier would open next year. " * 3


def classify(html: str, text: str) -> PageType:
    tree = parse_page(html)
    assert tree is not None
    return classify_page(tree, html, text, link_texts(tree))[0]


def home_page(og_type: str = "website") -> str:
    items = "".join(f'<li><a href="/news/{i}">{h}</a></li>' for i, h in enumerate(HEADLINES))
    return f'<html><head><meta property="og:type" content="{og_type}"></head><body><ul>{items}</ul></body></html>'


def test_a_body_of_the_pages_own_headlines_is_a_listing() -> None:
    assert classify(home_page(), "\n".join(HEADLINES)) is PageType.LISTING


def test_a_page_that_declares_itself_an_article_stays_one() -> None:
    assert classify(home_page("article"), "\n".join(HEADLINES)) is PageType.ARTICLE


def test_an_article_with_a_few_linked_lines_stays_one() -> None:
    text = "\n".join([PROSE] * 5 + HEADLINES[:2])
    assert classify(home_page(), text) is PageType.ARTICLE


@pytest.mark.parametrize("title", ["Page not found - Example News", "404", "Seite nicht gefunden", "页面不存在"])
def test_a_short_page_titled_not_found_is_an_error(title: str) -> None:
    html = f"<html><head><title>{title}</title></head><body><p>Sorry, we could not find that page.</p></body></html>"
    assert classify(html, "Sorry, we could not find that page.") is PageType.ERROR


def test_an_article_about_a_404_is_an_article() -> None:
    html = "<html><head><title>Why 404 pages matter</title></head><body></body></html>"
    assert classify(html, PROSE * 5) is PageType.ARTICLE


def test_robots_txt_is_recognised() -> None:
    assert is_robots_txt("# robots\nUser-agent: *\nDisallow: /admin\nSitemap: https://example.com/s.xml\n")
    assert not is_robots_txt("User-agent: a header some articles quote\nand then prose follows, as it does here")


def extract(decoded: str, media_type: str = "html") -> pd.DataFrame:
    pages = pd.DataFrame(
        [{"decoded": decoded, "media_type": media_type, "url": "https://news.example.com/x"}], dtype=object
    )
    result = extract_articles(pages, timeout=30.0, include_comments=False, rules=load_rules(None))
    assert len(result.kept) == 0
    return result.rejected


@pytest.mark.parametrize("media_type", ["html", "text"])
def test_robots_txt_in_a_folder_of_pages_is_rejected(media_type: str) -> None:
    rejected = extract("User-agent: *\nDisallow: /search\nAllow: /\n", media_type)
    assert rejected["reject_reason"].tolist() == ["not_an_article"]
    assert "robots.txt" in rejected["reject_detail"].iloc[0]


def test_a_soft_404_is_rejected_with_its_reason() -> None:
    html = """<html><head><title>Page not found | Example News</title></head><body><main>
<h1>Page not found</h1><p>Sorry, the page you were looking for does not exist or has been moved.</p>
</main></body></html>"""
    rejected = extract(html)
    assert rejected["reject_reason"].tolist() == ["not_an_article"]
    assert "error page" in rejected["reject_detail"].iloc[0]
