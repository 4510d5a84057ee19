"""HTML_PARSER's elements have the classes lxml.html's parser gives them, and keep them in copies."""

from __future__ import annotations

import copy

import lxml.etree
import lxml.html
import pytest
from trafilatura.utils import HTML_PARSER as TRAFILATURA_PARSER

from cleaning.extraction.htmlparser import HTML_CLASSES, HTML_PARSER, html_class_lookup
from cleaning.extraction.htmltree import parse_document

_FORM_PAGE = b"""<!DOCTYPE html>
<html><head><title>T</title><!-- a comment --><?php echo 1 ?></head>
<body><FORM action="/s"><Label for="q">Search</Label><input id="q" name="q"><INPUT type="checkbox">
<textarea name="t">x</textarea><select name="s"><option>1</option><option>2</option></select></form>
<svg:rect></svg:rect><p>&amp; text&nbsp;<!-- another --></p><TextArea></TextArea></body></html>"""


def _classes(root: lxml.etree._Element) -> list[tuple[type, object]]:
    return [(type(node), node.tag) for node in root.iter()]


def test_the_tags_are_lxml_htmls() -> None:
    assert lxml.html.HtmlElementClassLookup._default_element_classes == HTML_CLASSES


@pytest.mark.parametrize("keep_comments", [False, True])
def test_a_page_with_forms_comments_and_pis_gets_lxml_htmls_classes(keep_comments: bool) -> None:
    options = {"remove_comments": not keep_comments, "remove_pis": not keep_comments}
    ours = lxml.etree.HTMLParser(**options)
    ours.set_element_class_lookup(html_class_lookup())
    theirs = lxml.html.HTMLParser(**options)
    parsed = lxml.etree.fromstring(_FORM_PAGE, ours)
    assert _classes(parsed) == _classes(lxml.etree.fromstring(_FORM_PAGE, theirs))
    found = {cls for cls, _ in _classes(parsed)}
    assert {lxml.html.FormElement, lxml.html.InputElement, lxml.html.LabelElement} <= found
    assert (lxml.html.HtmlComment in found) is keep_comments


def test_trafilaturas_parser_and_ours_make_the_same_tree() -> None:
    ours = lxml.etree.fromstring(_FORM_PAGE, HTML_PARSER)
    theirs = lxml.etree.fromstring(_FORM_PAGE, TRAFILATURA_PARSER)
    assert lxml.etree.tostring(ours) == lxml.etree.tostring(theirs)
    assert _classes(ours) == _classes(theirs)


def _with_added_nodes(root: lxml.etree._Element) -> lxml.etree._Element:
    body = root.find("body")
    assert body is not None
    for tag in ("FORM", "Select", "{http://www.w3.org/1999/xhtml}input", "{urn:x}label", "{urn:x}div", "div"):
        lxml.etree.SubElement(body, tag)
    body.extend([lxml.etree.Comment("c"), lxml.etree.ProcessingInstruction("pi", "x"), lxml.etree.Entity("amp")])
    return root


def test_nodes_added_later_get_lxml_htmls_classes_whatever_their_tag() -> None:
    # lxml.html lowercases the tag and ignores the namespace
    ours = _with_added_nodes(lxml.etree.fromstring(_FORM_PAGE, HTML_PARSER))
    theirs = _with_added_nodes(lxml.etree.fromstring(_FORM_PAGE, TRAFILATURA_PARSER))
    assert _classes(ours) == _classes(theirs)


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copies_of_the_extractions_tree_keep_the_parser_and_the_classes(copier: object) -> None:
    tree, untouched = parse_document(_FORM_PAGE.decode())
    assert tree is not None
    assert untouched
    duplicate = copier(tree)  # type: ignore[operator]
    assert duplicate.getroottree().parser is HTML_PARSER
    assert _classes(duplicate) == _classes(lxml.etree.fromstring(_FORM_PAGE, TRAFILATURA_PARSER))
