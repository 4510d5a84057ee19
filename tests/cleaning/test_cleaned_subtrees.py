"""without_cleaned_subtrees hands trafilatura's precision pass a smaller tree that it extracts the same text from."""

from __future__ import annotations

import contextlib
from copy import deepcopy
from typing import Any

import lxml.etree
import pandas as pd
import pytest
import trafilatura
from lxml.html import HtmlElement
from trafilatura.xml import delete_element

import cleaning.extraction.extract as extract
from cleaning.extraction.extract import extract_articles
from cleaning.extraction.htmltree import parse_page, without_cleaned_subtrees

# the precision pass's settings (cleaning/extraction/extract.py)
_PRECISION = {
    "favor_precision": True,
    "fast": True,
    "with_metadata": False,
    "include_tables": True,
    "deduplicate": False,
    "target_language": None,
}
_PROSE = "".join(
    f"<p>Paragraph {i} of the story has enough words in it to count as real article prose for the extractor.</p>"
    for i in range(6)
)
_CLUTTERED = (
    "<html><head><title>A story</title><style>p {color: red}</style><script>var a = 1;</script>"
    '<script type="application/ld+json">{"@type": "NewsArticle"}</script></head>'
    "<body><nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li></ul></nav>"
    "<article><h1>A story</h1><svg viewBox='0 0 10 10'><path d='M0 0'/><title>icon</title></svg>"
    f"{_PROSE}<noscript><img src='pixel.gif'></noscript>"
    "<p>Its last paragraph<script>track()</script> goes on after the script, in the same sentence.</p></article>"
    "<aside><p>Read more: another story from the same site, with a long teaser text.</p></aside>"
    "<footer><a href='/about'>About us</a></footer></body></html>"
)


def _text(tree: HtmlElement, include_comments: bool = False) -> tuple[str, str] | None:
    document = trafilatura.bare_extraction(tree, include_comments=include_comments, **_PRECISION)
    return None if document is None else (document.text, document.comments)


def _lean_text(tree: HtmlElement, include_comments: bool = False) -> tuple[str, str] | None:
    with without_cleaned_subtrees(tree):
        return _text(tree, include_comments)


def _markup(tree: HtmlElement) -> str:
    return lxml.etree.tostring(tree, encoding="unicode")


def _deleted_blindly(tree: HtmlElement, tag: str) -> HtmlElement:
    # what deleting every such subtree first, without the guards, would hand trafilatura
    tree = deepcopy(tree)
    for element in list(tree.iter(tag)):
        delete_element(element)
    return tree


def test_trafilatura_gets_the_page_without_its_clutter_and_extracts_the_same_text() -> None:
    tree = parse_page(_CLUTTERED)
    assert tree is not None
    before = _markup(tree)
    with without_cleaned_subtrees(tree):
        tags = {element.tag for element in tree.iter()}
        lean = _text(tree)
    assert not tags & {"head", "script", "nav", "svg", "style", "noscript", "aside", "footer", "title", "path"}
    assert lean == _text(tree)
    assert lean is not None
    assert "in the same sentence" in lean[0]  # the tail of the deleted script
    assert _markup(tree) == before  # put back as it was, for the balanced pass and the page type


def test_the_tree_is_put_back_when_trafilatura_fails() -> None:
    tree = parse_page(_CLUTTERED)
    assert tree is not None
    before = _markup(tree)
    with pytest.raises(RuntimeError), without_cleaned_subtrees(tree):
        raise RuntimeError
    assert _markup(tree) == before


@pytest.mark.parametrize("include_comments", [False, True])
def test_a_forum_threads_ld_json_stays_for_trafilaturas_forum_test(include_comments: bool) -> None:
    # DiscussionForumPosting makes the replies content: with comments on, they go to the body
    html = (
        f"<html><head><title>T</title></head><body><article>{_PROSE}<div class='comments'><p>First reply in "
        "the thread, with enough words to be a real post of the forum.</p></div></article><footer><script "
        'type="application/ld+json">{"@type": "DiscussionForumPosting"}</script><p>Footer</p></footer></body></html>'
    )
    tree = parse_page(html)
    assert tree is not None
    full = _text(tree, include_comments)
    assert _lean_text(tree, include_comments) == full
    if include_comments:  # the fixture tells: without the script the reply is a comment, not body text
        assert full is not None
        assert "First reply" in full[0]
        assert _text(_deleted_blindly(tree, "footer"), include_comments) != full


def test_a_nested_tag_keeps_trafilaturas_early_stop() -> None:
    # trafilatura's loop over the <aside>s stops in the nested one: the later <aside> stays, and its text
    html = (
        f"<html><body><article><aside><aside>x</aside></aside>{_PROSE}<aside><p>A later aside that trafilatura "
        "keeps, since its deletion loop stopped in the nested one.</p></aside></article></body></html>"
    )
    tree = parse_page(html)
    assert tree is not None
    full = _text(tree)
    assert full is not None
    assert "A later aside" in full[0]
    with without_cleaned_subtrees(tree):
        assert len(list(tree.iter("aside"))) == 3
    assert _lean_text(tree) == full


@pytest.mark.parametrize(
    ("html", "tag"),
    [
        # an <h1> keeps an infinite-scroll container from trafilatura's raw-tree prune
        (f"<html><body><div class='infinite-scroll'><nav><h1>Head</h1></nav>{_PROSE}</div></body></html>", "nav"),
        # a <figure> holding a table becomes a <div>, with its paragraphs
        (
            f"<html><body><article>{_PROSE}<figure><noscript><table><tr><td>cell</td></tr></table></noscript>"
            "<p>A paragraph inside the figure, long enough to be kept as part of the story text.</p></figure>"
            "</article></body></html>",
            "noscript",
        ),
        # a <math>'s LaTeX annotation becomes its text
        (
            f"<html><body><article>{_PROSE}<p>The formula <math alttext='y'><semantics><mi>x</mi><menu>"
            "<annotation encoding='application/x-tex'>x^2</annotation></menu></semantics></math> is shown.</p>"
            "</article></body></html>",
            "menu",
        ),
    ],
    ids=["h1", "figure-table", "math-annotation"],
)
def test_what_trafilatura_reads_before_its_cleaning_is_not_deleted(html: str, tag: str) -> None:
    tree = parse_page(html)
    assert tree is not None
    full = _text(tree)
    assert _text(_deleted_blindly(tree, tag)) != full  # the fixture tells
    with without_cleaned_subtrees(tree):
        assert next(tree.iter(tag), None) is not None
    assert _lean_text(tree) == full


def _rows(decoded: list[str], include_comments: bool) -> list[dict[str, Any]]:
    pages = pd.DataFrame(
        {"decoded": decoded, "media_type": ["html"] * len(decoded), "url": ["https://example.org/a"] * len(decoded)}
    )
    result = extract_articles(pages, timeout=0, include_comments=include_comments, rules=None)
    return [*result.kept.drop(columns="page_meta").to_dict("records"), *result.rejected.to_dict("records")]


@pytest.mark.parametrize("include_comments", [False, True])
def test_extract_articles_gives_the_rows_it_gives_on_the_whole_tree(
    monkeypatch: pytest.MonkeyPatch, include_comments: bool
) -> None:
    pages = [
        _CLUTTERED,
        _CLUTTERED.replace("<p>Paragraph", "<p><svg><path/></svg>Paragraph"),
        "<html><body></body></html>",
    ]
    lean = _rows(pages, include_comments)
    monkeypatch.setattr(extract, "without_cleaned_subtrees", contextlib.nullcontext)
    assert lean == _rows(pages, include_comments)
