"""Choosing between the precision and the recall pass against the page's own prose."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from cleaning.extraction import extract as extract_module
from cleaning.extraction.candidates import (
    SHORT_RESULT_CHARS,
    PageProse,
    drop_related_links,
    link_texts,
    page_prose,
    prefer_recall,
    wants_recall_pass,
)
from cleaning.extraction.extract import extract_articles
from cleaning.extraction.htmltree import parse_page
from cleaning.extraction.rules import load_rules

SENTENCE = "The harbour authority said on Tuesday that the new ferry pier would open next year. "
LEAD = SENTENCE * 4  # ~340 characters: a teaser, not an article, on a page with much more prose
ARTICLE = SENTENCE * 10  # ~850 characters: over SHORT_RESULT_CHARS


def prose_of(html: str) -> PageProse:
    tree = parse_page(html)
    assert tree is not None
    return page_prose(tree, html)


def test_page_prose_counts_paragraphs_outside_chrome_and_menus() -> None:
    html = f"""<html><body>
<nav><p>{SENTENCE}</p></nav>
<article><p>{SENTENCE}</p><p><a href="/a">{SENTENCE}</a></p><p>{SENTENCE}</p></article>
<footer><p>{SENTENCE}</p></footer></body></html>"""
    assert prose_of(html).paragraph_chars == 2 * len(SENTENCE.strip())


def test_page_prose_leaves_out_paragraphs_at_any_depth_under_chrome() -> None:
    html = f"""<html><body>
<header><div><section><p>{SENTENCE}</p></section></div></header>
<aside><nav><p>{SENTENCE}</p></nav><p>{SENTENCE}</p></aside>
<div><form><div><p>{SENTENCE}</p></div></form><p>{SENTENCE}</p></div>
<article><aside><p>{SENTENCE}</p></aside><p>{SENTENCE}</p><p> </p></article>
<p>{SENTENCE}</p></body></html>"""
    assert prose_of(html).paragraph_chars == 3 * len(SENTENCE.strip())


def test_link_texts_collapse_every_kind_of_whitespace_and_leave_out_empty_links() -> None:
    html = """<html><body><p><a href="/1"> Ferry\tpier\n opens </a>
<a href="/2">Harbour&#160;&#160;<b>news</b>\u3000today</a><a href="/3"> </a><a href="/4"><img src="x.png"></a>
<a href="/5">Ferry pier opens</a></p><div>tail text</div></body></html>"""
    tree = parse_page(html)
    assert tree is not None
    assert link_texts(tree) == {"Ferry pier opens", "Harbour news today"}


def test_page_prose_reads_the_longest_json_ld_article_body() -> None:
    body = "x" * 900
    html = f"""<html><head><script type="application/ld+json">
{{"@type": "NewsArticle", "articleBody": "{body}"}}</script>
<script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "short"}}</script>
</head><body><p>{SENTENCE}</p></body></html>"""
    assert prose_of(html).json_ld_body_chars == 900


@pytest.mark.parametrize(
    ("text", "prose", "expected"),
    [
        ("short", PageProse(), True),  # under SHORT_RESULT_CHARS whatever the page
        (LEAD, PageProse(paragraph_chars=0), True),  # a short lead the page's <p> prose does not hold: a teaser
        (LEAD, PageProse(paragraph_chars=len(LEAD)), False),  # a short story the page's <p> prose holds whole
        ("x" * 200, PageProse(paragraph_chars=200), True),  # under TEASER_CHARS whatever the page
        (ARTICLE, PageProse(paragraph_chars=len(ARTICLE)), False),  # the page has no more prose than this
        (ARTICLE, PageProse(paragraph_chars=10 * len(ARTICLE)), True),  # a tenth of the page's paragraphs
        (ARTICLE, PageProse(json_ld_body_chars=10 * len(ARTICLE)), True),  # a tenth of the declared articleBody
        ("| a | b |\n" * 60 + "a line", PageProse(), True),  # mostly table rows
    ],
)
def test_wants_recall_pass(text: str, prose: PageProse, expected: bool) -> None:
    assert wants_recall_pass(text, prose) is expected


def test_prefer_recall_only_for_much_more_prose() -> None:
    assert prefer_recall(LEAD, LEAD * 3)
    assert not prefer_recall(LEAD, LEAD * 2)  # a sidebar's worth more is not worth the boilerplate


def run_with(monkeypatch: pytest.MonkeyPatch, html: str, precise: str, recall: str) -> str:
    def fake(tree: Any, **settings: Any) -> SimpleNamespace:
        text = precise if settings.get("favor_precision") else recall
        return SimpleNamespace(text=text, comments="", **{name: None for name in extract_module._METADATA_FIELDS})

    monkeypatch.setattr(extract_module, "_run_trafilatura", fake)
    pages = pd.DataFrame([{"decoded": html, "media_type": "html", "url": "https://news.example.com/a"}], dtype=object)
    result = extract_articles(pages, timeout=30.0, include_comments=False, rules=load_rules(None))
    return str(result.kept.iloc[0]["text"])


def test_a_teaser_on_a_long_page_gives_way_to_the_recall_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    html = "<html><body><article>" + f"<p>{SENTENCE}</p>" * 40 + "</article></body></html>"
    full = SENTENCE * 40
    assert run_with(monkeypatch, html, LEAD, full) == full.strip()


def test_a_short_article_keeps_the_precision_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    # over SHORT_RESULT_CHARS and all of the page's prose: no second look, whatever the sidebar holds
    html = f"<html><body><article><p>{ARTICLE}</p></article><aside>{SENTENCE * 40}</aside></body></html>"
    assert run_with(monkeypatch, html, ARTICLE, ARTICLE + SENTENCE * 40) == ARTICLE.strip()


def test_a_short_article_is_not_replaced_by_a_little_more_text(monkeypatch: pytest.MonkeyPatch) -> None:
    html = f"<html><body><article><p>{LEAD}</p></article><aside>{SENTENCE}</aside></body></html>"
    assert run_with(monkeypatch, html, LEAD, LEAD + SENTENCE) == LEAD.strip()


def test_a_teaser_on_a_page_of_div_text_gives_way_to_the_recall_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    # the story sits in <div>s and <br> runs, so the page has no <p> prose to compare the lead with
    body = "<br>".join([SENTENCE] * 30)
    html = f"<html><body><div class='story'><div>{LEAD}</div><div>{body}</div></div></body></html>"
    full = LEAD + SENTENCE * 30
    assert 250 < len(LEAD) < SHORT_RESULT_CHARS
    assert run_with(monkeypatch, html, LEAD, full) == full.strip()


def test_a_data_table_with_long_cells_stays_a_table() -> None:
    synopsis = "A woman relives the same New Year's Eve until she finds out who betrayed her, again and again. "
    html = f"""<html><body><article><h1>Films with time loops</h1>
<p>{SENTENCE * 3}</p>
<table><tr><th>Film</th><th>Year</th><th>Description</th></tr>
<tr><td>Repeat Performance</td><td>1947</td><td>{synopsis * 2}</td></tr>
<tr><td>The Time Travelers</td><td>1964</td><td>{synopsis * 2}</td></tr></table>
<p>{SENTENCE * 3}</p></article></body></html>"""
    pages = pd.DataFrame([{"decoded": html, "media_type": "html", "url": None}], dtype=object)
    text = str(
        extract_articles(pages, timeout=30.0, include_comments=False, rules=load_rules(None)).kept.iloc[0]["text"]
    )
    assert any(line.startswith("Repeat Performance | 1947 | A woman") for line in text.splitlines())


def test_article_text_in_a_paywall_container_is_kept() -> None:
    second = "After the vote, the opposition said it would take the plan to court before the summer. " * 3
    # trafilatura keeps the first body container only: the rest of the story sits in a sibling
    html = f"""<html><body><div class="page"><h1>Council approves the plan</h1>
<div itemprop="articleBody"><p>{SENTENCE * 3}</p></div>
<div class="story paywall" style="display:none"><p>{second}</p><p>{second}</p></div>
<div class="paywall-prompt"><p>Subscribe to read more.</p></div></div>
<div class="footer"><p>Contact us</p></div></body></html>"""
    pages = pd.DataFrame([{"decoded": html, "media_type": "html", "url": None}], dtype=object)
    text = str(
        extract_articles(pages, timeout=30.0, include_comments=False, rules=load_rules(None)).kept.iloc[0]["text"]
    )
    assert SENTENCE.strip() in text
    assert "the opposition said it would take the plan to court" in text
    assert "Subscribe" not in text


def test_related_headlines_and_their_standfirsts_at_the_end_go() -> None:
    links = {"Ferry fares to rise in May", "New pier opens in Central", "About us"}
    text = "\n".join(
        [LEAD, LEAD, "Ferry fares to rise in May", "Operators blame fuel costs.", "New pier opens in Central"]
    )
    assert drop_related_links(text, links) == "\n".join([LEAD, LEAD])


def test_a_single_linked_line_or_a_linked_article_stays() -> None:
    links = {"Ferry fares to rise in May", LEAD}
    one = "\n".join([LEAD, "Ferry fares to rise in May"])
    assert drop_related_links(one, links) == one
    mostly_links = "\n".join([LEAD, LEAD, "Ferry fares to rise in May"])  # the tail would take most of the text
    assert drop_related_links(mostly_links, links) == mostly_links
