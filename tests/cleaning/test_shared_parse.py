"""The metadata step reads a page off the extraction's parse exactly when that gives what its own parse gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import lxml.etree
import pandas as pd
import pytest
from trafilatura.utils import load_html

from cleaning.config import CleaningConfig
from cleaning.extraction import extract
from cleaning.extraction.htmltree import _load_html, parse_document, parse_page
from cleaning.inputs.readers import PAGE_COLUMNS
from cleaning.metadata import normalize
from cleaning.metadata.pagemeta import PageMeta, read_page_meta, read_parsed_page_meta
from cleaning.pipeline import clean_pages

_PAGES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "pages").glob("*.html"))
_HEAD = "<head><title>T</title><meta name='author' content='Ann Lee'></head>"
_BODY = (
    "<body><h1>Title</h1><p class='byline'>By Jane Doe</p><time datetime='2024-05-01'>1 May</time>"
    "<p>One<br>Two</p><script>var x = 1;</script>after the script<div>Three</div></body>"
)
_DOCUMENT = f'<html lang="en">{_HEAD}{_BODY}</html>'
_XHTML = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'


def _shared(html: str) -> PageMeta | None:
    """What the extraction step hands the metadata step for html: None sends it to read the page itself."""
    tree, untouched = parse_document(html)
    if not untouched:
        return None
    assert tree is not None
    before = lxml.etree.tostring(tree)
    page = read_parsed_page_meta(tree, html)
    assert lxml.etree.tostring(tree) == before  # read before trafilatura and the pruning: left as it was
    return page


@pytest.mark.parametrize("path", _PAGES, ids=lambda path: path.name)
def test_the_shared_reading_equals_the_pages_own_on_the_fixture_pages(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    shared = _shared(html)
    assert shared is None or dataclasses.asdict(shared) == dataclasses.asdict(read_page_meta(html))


def test_most_fixture_pages_take_the_shared_reading() -> None:
    shared = [path.name for path in _PAGES if _shared(path.read_text(encoding="utf-8")) is not None]
    assert len(shared) >= len(_PAGES) - 5
    assert "fragment.html" not in shared  # wrapped into <html><body> first: not the page's own parse


@pytest.mark.parametrize(
    "html",
    [
        _DOCUMENT,
        f"<!DOCTYPE html>\n{_DOCUMENT}",
        f" \n\t{_DOCUMENT}",
        f"<!-- generated -->\n<!DOCTYPE html>\n{_DOCUMENT}",  # a comment first: lxml's fragment path keeps the document
        f"{_HEAD}{_BODY}",  # no <html>
        f"<title>T</title>{_BODY}",  # a <head> implied by its content
        _DOCUMENT.replace("Two", "Tw\ue000o \ue001 \uf8fe"),  # marks taken by the page: the next free one breaks lines
        _DOCUMENT.replace("Two", "\ue000\ue001\uf8fe\uf8ff"),  # no mark free: one line
        _DOCUMENT.replace("Two", "Öne 中文 😀 &amp; &#x1F600; &#xe000;"),
        _DOCUMENT.replace("<html", '<html xmlns="http://www.w3.org/1999/xhtml"'),
        _DOCUMENT.replace("</body>", "</body>tail after the body"),  # the <body>'s tail, a line of its own
        _DOCUMENT.replace("Two", "a&#28;b"),  # a control character from a reference
        f"{_XHTML}\n{_DOCUMENT}",  # the repair cuts a doctype with a slash: the same elements
        f'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN">\n{_DOCUMENT}',
    ],
)
def test_the_shared_reading_is_taken_and_equals_the_pages_own(html: str) -> None:
    shared = _shared(html)
    assert shared is not None
    assert dataclasses.asdict(shared) == dataclasses.asdict(read_page_meta(html))
    assert _tree(parse_page(html)) == _tree(load_html(html))  # and the extraction's tree is as before


@pytest.mark.parametrize(
    "html",
    [
        "<p>One</p><p>Two</p>",  # a fragment: wrapped
        f"<div>{_BODY}</div>",  # a <body> without a <head>: lxml cuts it down, parse_page wraps it
        "<h1>Title</h1>",
        f"---\ntitle: T\n---\n{_DOCUMENT}",  # front matter, cut before the parse
        _XHTML + _DOCUMENT,  # no newline: the repair adds one at the end
        f'<!DOCTYPE html PUBLIC "-//a/b>c">\n{_DOCUMENT}',  # the repair cuts at a ">" inside the quotes
        f"< !DOCTYPE html/>\n{_DOCUMENT}",  # no doctype to libxml2, which the repair cuts all the same
        f'<html lang="en" />\n{_HEAD}{_BODY}</html>',  # the repair opens a self-closing <html/>
        _DOCUMENT.replace("One", "O\x0bne"),  # the repair deletes control characters (load_html's own path)
        _DOCUMENT.replace("One", "O\ufffene"),
        _DOCUMENT.replace("One", "O\ud800ne"),  # a lone surrogate: no UTF-8 bytes
        "\u3000" + _DOCUMENT,  # a space only the str counts: load_html's own path
        f"<head></head>{_BODY}<head></head>{_BODY}",  # lxml merges the second <body> and <head> into the first
        '<?xml version="1.0" encoding="utf-8"?>\n' + _DOCUMENT,  # read_page_meta cuts the declaration first
        ' \n<?xml version="1.0"?>' + _DOCUMENT,
        "<?xml no end",
        "",
        " \n ",
    ],
)
def test_the_metadata_step_parses_the_page_itself_when_the_trees_may_differ(html: str) -> None:
    assert _shared(html) is None
    assert _tree(parse_page(html)) == _tree(_wrapped_or_loaded(html))


def test_the_visible_lines_end_with_the_text_after_the_body_and_leave_the_tree_as_it_is() -> None:
    html = f"<html>{_HEAD}<body><p>One</p>\n<div>Two</div></body>after the body<p>outside</p></html>"
    tree, untouched = parse_document(html)
    assert untouched
    assert tree is not None
    before = lxml.etree.tostring(tree)
    page = read_parsed_page_meta(tree, html)
    assert page is not None
    assert page.lines == read_page_meta(html).lines == ["One", "Two", "after the body"]
    assert lxml.etree.tostring(tree) == before


def test_the_loader_gives_trafilaturas_tree_on_documents_that_lxml_merges() -> None:
    html = f"<head></head>{_BODY}<head></head>{_BODY}"
    assert _tree(_load_html(html)) == _tree(load_html(html))


def _tree(tree: object) -> object:
    return None if tree is None else lxml.etree.tostring(tree, encoding="unicode")


def _wrapped_or_loaded(html: str) -> object:
    # parse_page as it was: trafilatura's loader, and the wrapped page when that gives no document
    from cleaning.extraction.htmltree import _FRONT_MATTER

    html = _FRONT_MATTER.sub("", html, count=1)
    tree = load_html(html)
    if tree is None or tree.tag != "html" or tree.find("body") is None:
        tree = load_html(f"<html><body>{html}</body></html>")
    return tree


def _frame(pages: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            column: [page.encode() if column == "raw" else "html" if column == "media_type" else None for page in pages]
            for column in PAGE_COLUMNS
        },
        dtype=object,
    )
    frame["origin"] = [f"page-{n}" for n in range(len(pages))]
    return frame


def test_clean_pages_gives_the_same_rows_with_and_without_the_shared_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [path.read_text(encoding="utf-8") for path in _PAGES]
    read = []
    own_reading = normalize.read_page_meta
    monkeypatch.setattr(normalize, "read_page_meta", lambda html: read.append(html) or own_reading(html))
    shared, shared_rejects = clean_pages(_frame(pages), CleaningConfig())
    shared_reads = len(read)
    assert "page_meta" not in shared.columns
    monkeypatch.setattr(extract, "_page_meta", lambda tree, decoded: None)
    alone, alone_rejects = clean_pages(_frame(pages), CleaningConfig())
    assert len(shared) >= 10
    pd.testing.assert_frame_equal(shared, alone)
    pd.testing.assert_frame_equal(shared_rejects, alone_rejects)
    # the metadata step parsed only the pages whose extraction tree was not their own parse
    assert shared_reads < len(read) - 10


def test_a_page_whose_shared_reading_fails_is_read_by_the_metadata_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(root: object, html: str) -> PageMeta:
        raise RuntimeError("boom")

    monkeypatch.setattr(extract, "read_parsed_page_meta", broken)
    page = f"<html>{_HEAD}<body><h1>Title</h1>{'<p>' + 'A sentence of the article body. ' * 20 + '</p>'}</body></html>"
    articles, rejects = clean_pages(_frame([page]), CleaningConfig())
    assert rejects.empty
    assert list(articles["authors"].iloc[0]) == ["Ann Lee"]
