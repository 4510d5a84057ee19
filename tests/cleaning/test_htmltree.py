"""parse_page's loader gives the tree trafilatura's load_html gives, on every kind of page."""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import pytest
from trafilatura.utils import load_html

from cleaning.extraction.htmltree import (
    _load_html,
    drop_link_tables,
    parse_page,
    text_content,
    unmask_paywalled_text,
    unwrap_layout_tables,
)

_PAGES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "pages").glob("*.html"))
_DOCUMENT = '<html lang="en"><head><title>T</title></head><body><p>One</p><p>Two</p></body></html>'
_XHTML = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'


def _tree(tree: lxml.etree._Element | None) -> object:
    # the markup and the element classes (parse_page's parser has its own class lookup)
    if tree is None:
        return None
    return lxml.etree.tostring(tree, encoding="unicode"), [type(node) for node in tree.iter()]


@pytest.mark.parametrize("path", _PAGES, ids=lambda path: path.name)
def test_the_loader_gives_trafilaturas_tree_on_the_fixture_pages(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    assert _tree(_load_html(html)) == _tree(load_html(html))


@pytest.mark.parametrize(
    "html",
    [
        _DOCUMENT,
        f"<!DOCTYPE html>\n{_DOCUMENT}",
        f"{_XHTML}\n{_DOCUMENT}",  # the repair cuts a doctype with a slash off the first line
        _XHTML + _DOCUMENT,  # ... and the rest of that line with it
        f"<!doctype html>{_DOCUMENT}",  # no newline: the repair adds one
        '<html lang="en" />\n<head><title>T</title></head><body><p>One</p></body></html>',  # a self-closing <html/>
        '<?xml version="1.0" encoding="utf-8"?>\n' + _DOCUMENT,  # lxml refuses this str: load_html parses bytes
        "<p>One</p><p>Two</p>",  # a fragment
        "<p>One</p>",  # one element, not HTML for load_html
        "<div>One</div>",
        "plain text, no markup",
        "",
        " \n ",
        "\u3000" + _DOCUMENT,  # a space that only a str counts as one: fragment or document?
        "\xa0\n" + _DOCUMENT,
        f"{_XHTML}\u2028{_DOCUMENT}",  # that space exposed by the doctype repair
        _DOCUMENT.replace("One", "O\x0bne\x00"),  # characters the repair deletes
        _DOCUMENT.replace("One", "O\ufffene\uffff"),
        _DOCUMENT.replace("One", "O\ud800ne"),  # a lone surrogate
        _DOCUMENT.replace("One", "Öne 中文 😀 &amp; &#x1F600;"),
    ],
)
def test_the_loader_gives_trafilaturas_tree_on_edge_cases(html: str) -> None:
    assert _tree(_load_html(html)) == _tree(load_html(html))
    wrapped = f"<html><body>{html}</body></html>"  # parse_page's second try
    assert _tree(_load_html(wrapped)) == _tree(load_html(wrapped))


def test_parse_page_still_wraps_fragments_into_a_document() -> None:
    tree = parse_page("<p>One</p>")
    assert tree is not None
    assert tree.tag == "html"
    assert [p.text for p in tree.iter("p")] == ["One"]


@pytest.mark.parametrize("path", _PAGES, ids=lambda path: path.name)
def test_text_content_is_lxml_htmls_on_every_element_of_the_fixture_pages(path: Path) -> None:
    tree = parse_page(path.read_text(encoding="utf-8"))
    assert tree is not None
    assert [text_content(element) for element in tree.iter()] == [element.text_content() for element in tree.iter()]


def test_text_content_leaves_out_the_tail_and_comments_and_keeps_entities() -> None:
    tree = parse_page("<html><body><div>a &amp; b<p>x<b>y</b>z&#160;</p>tail<script>s=1</script></div></body></html>")
    assert tree is not None
    div = tree.find(".//div")
    assert div is not None
    div.append(lxml.etree.Comment("a comment code added"))
    assert text_content(div) == div.text_content() == "a & bxyz\xa0tails=1"
    assert text_content(div.find("p")) == "xyz\xa0"  # type: ignore[arg-type]


_STORY = "The harbour authority said on Tuesday that the new ferry pier would open next year. " * 3


def _unmasked(body: str) -> str:
    tree = parse_page(f"<html><body>{body}</body></html>")
    assert tree is not None
    body_element = tree.find("body")
    assert body_element is not None
    unmask_paywalled_text(tree)
    return "".join(lxml.etree.tostring(child, encoding="unicode") for child in body_element)


def test_unmask_merges_a_marked_container_into_the_text_before_it() -> None:
    body = f'<div><p>{_STORY}</p></div><section id="premium-part" class="x"><p>{_STORY}</p><p>More.</p></section>'
    assert _unmasked(body) == f"<div><p>{_STORY}</p><p>{_STORY}</p><p>More.</p></div>"


def test_unmask_keeps_a_marked_containers_leading_text_as_a_paragraph_in_place() -> None:
    body = f'<div><p>{_STORY}</p></div><div class="paywall">Second half. <p>{_STORY}</p></div>'
    assert _unmasked(body) == f"<div><p>{_STORY}</p><p>Second half. </p><p>{_STORY}</p></div>"


def test_unmask_takes_the_marks_off_a_container_with_nothing_before_it() -> None:
    body = f'<div id="PayWall" class="story Subscriber-only locked-box"><p>{_STORY}</p></div>'
    assert _unmasked(body) == f'<div class="story"><p>{_STORY}</p></div>'


@pytest.mark.parametrize(
    "body",
    [
        f'<div><p>{_STORY}</p></div><div class="paywall"><p>Subscribe to read more.</p></div>',  # a short prompt
        f'<div><p>{_STORY}</p></div><article class="paywall"><p>{_STORY}</p></article>',  # not a div or section
        f'<div><p>{_STORY}</p></div><div data-role="paywall" title="premium"><p>{_STORY}</p></div>',  # no id or class
        f'<div class="story"><p>{_STORY}</p></div>',  # no mark at all
    ],
)
def test_unmask_leaves_unmarked_containers_and_short_prompts_alone(body: str) -> None:
    tree = parse_page(f"<html><body>{body}</body></html>")
    assert tree is not None
    before = lxml.etree.tostring(tree)
    assert lxml.etree.tostring(unmask_paywalled_text(tree)) == before


def _row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


@pytest.mark.parametrize(
    ("rows", "dropped"),
    [
        (
            _row('<a href="/a">全国版</a>', '<a href="/b">安徽省</a>')
            + _row('<a href="/c">北京市</a>', " <a>上海</a> "),
            True,
        ),
        (_row('<a href="/a">A</a>', '<a href="/b">B</a>') + _row('<a href="/c">C</a>', ""), False),  # 3 cells with text
        (_row('<a href="/a">A</a>', '<a href="/b">B</a>') + _row('<a href="/c">C</a>', "<a>D</a>, 4"), False),
        (_row("Year", "Tons") + _row("2020", '<a href="/n">12</a>') + _row("<a>x</a>", "<a>y</a>"), False),
    ],
)
def test_drop_link_tables_drops_grids_of_links_only(rows: str, dropped: bool) -> None:
    tree = parse_page(f"<html><body><p>Before</p><table>{rows}</table>after</body></html>")
    assert tree is not None
    drop_link_tables(tree)
    assert (tree.find(".//table") is None) is dropped
    assert "after" in text_content(tree)


_LONG_CELL = "本报讯 记者从市政府获悉，新的轮渡码头将于明年启用，" * 8


def test_unwrap_turns_nested_layout_tables_into_divs_and_keeps_data_tables() -> None:
    data = "<table><tr><th>区</th><th>长度</th></tr><tr><td>中环</td><td>1.5</td></tr></table>"
    inner = f'<table width="80%"><tr><td align="left">{_LONG_CELL}</td></tr></table>'
    layout = f'<table border="1"><tbody><tr><td width="20" class="c">{inner}</td><td>{data}</td></tr></tbody></table>'
    tree = parse_page(f"<html><body>{layout}{data}</body></html>")
    assert tree is not None
    unwrap_layout_tables(tree)
    body = tree.find("body")
    assert body is not None
    first, second = list(body)
    # the layout table, and every table inside it (a data table too), are <div>s without layout attributes
    assert {element.tag for element in first.iter()} == {"div"}
    assert [dict(element.attrib) for element in first.iter() if element.attrib] == [{"class": "c"}]
    assert _LONG_CELL in text_content(first)
    # a data table outside it stays a table
    assert [element.tag for element in second.iter()] == ["table", "tr", "th", "th", "tr", "td", "td"]


def test_unwrap_judges_each_table_outside_layout_tables_on_its_own() -> None:
    column = f'<table><tr><td valign="top">{_LONG_CELL}</td></tr></table>'
    short = '<table><tr><td valign="top">短</td></tr></table>'
    tree = parse_page(f"<html><body>{column}{short}</body></html>")
    assert tree is not None
    unwrap_layout_tables(tree)
    body = tree.find("body")
    assert body is not None
    assert [child.tag for child in body] == ["div", "table"]
    assert body[0].find(".//div[@valign]") is None
    assert body[1].find(".//td[@valign]") is not None
