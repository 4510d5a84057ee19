"""The parser of the extraction's trees: trafilatura's, with lxml.html's element classes found in C."""

from __future__ import annotations

import itertools

from lxml.etree import ElementNamespaceClassLookup, HTMLParser
from lxml.html import (
    FormElement,
    HtmlElement,
    HtmlElementClassLookup,
    InputElement,
    LabelElement,
    SelectElement,
    TextareaElement,
)

__all__ = ["HTML_CLASSES", "HTML_PARSER", "html_class_lookup"]

# lxml.html's classes by tag (its HtmlElementClassLookup's default mapping, which
# tests/cleaning/test_htmlparser.py holds this to); every other element is an HtmlElement
HTML_CLASSES: dict[str, type[HtmlElement]] = {
    "form": FormElement,
    "input": InputElement,
    "label": LabelElement,
    "select": SelectElement,
    "textarea": TextareaElement,
}


def _spellings(tag: str) -> list[str]:
    # lxml.html matches the tag lowercased: FORM and Form are FormElements too
    return ["".join(letters) for letters in itertools.product(*({c, c.upper()} for c in tag))]


def html_class_lookup() -> ElementNamespaceClassLookup:
    """Return a lookup that gives every node the class lxml.html's HTMLParser gives it.

    lxml.html's lookup is a Python method, called for each element lxml hands to Python
    (855,838 calls in trafilatura's precision pass over the 495 trafilatura-set pages, 7% of
    it). Here the elements without a namespace, all that libxml2's HTML parser makes, are
    found in C by their tag; the rest (namespaced elements that code adds, comments,
    processing instructions, entities) go to lxml.html's own lookup.
    """
    lookup = ElementNamespaceClassLookup(HtmlElementClassLookup())
    classes = lookup.get_namespace(None)
    classes[None] = HtmlElement  # the class of a tag not named here
    for tag, cls in HTML_CLASSES.items():
        for spelling in _spellings(tag):
            classes[spelling] = cls
    return lookup


def _parser() -> HTMLParser:
    # trafilatura.utils.HTML_PARSER's options, so the trees are the ones load_html makes
    parser = HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    parser.set_element_class_lookup(html_class_lookup())
    return parser


# copies of a tree (copy, deepcopy: what trafilatura works on) keep its parser, and so this lookup
HTML_PARSER = _parser()
