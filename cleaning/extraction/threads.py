"""Forum threads: the article is the first post, not the replies under it.

A Chinese forum page prints each post in its own container with a floor header ("楼主",
"第 2 楼", "2楼", "回复 #3"). trafilatura drops the headers but keeps the replies' text,
so a thread comes out as one long body. When a page carries floor headers for at least
two replies in sibling containers, those reply containers leave the tree before extraction
and the first post stays. A page that merely mentions a floor ("在2楼办公") has no such
headers in sibling containers and is left alone.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from cleaning.extraction.htmltree import text_content

__all__ = ["drop_thread_replies"]

# a floor header of a reply: 第 2 楼 / 第3樓 / 2楼 / 回复 #3 (the first post's 楼主 / 1楼 is not a reply)
_REPLY_FLOOR = re.compile(
    r"第\s*(?P<a>\d+)\s*[楼樓]|(?:^|\s)(?P<b>\d+)\s*[楼樓](?:\s|$|[：:])|(?:回复|回覆|回帖)\s*#\s*(?P<c>\d+)"
)
# speed: most pages carry none of these at all (a substring test, much faster than a regex)
_FLOOR_WORDS = ("楼", "樓", "回")
# what follows 回复 (回覆, 回帖) in _REPLY_FLOOR's third branch
_AFTER_REPLY_WORD = re.compile(r"\s*#\s*\d")
# a header is short: a floor, a name, a date, a score
_HEADER_CHARS = 120
# at least this many reply headers make a thread
_MIN_REPLIES = 2
# the first post must hold at least this much text, or the thread is all there is (a picture post)
_MIN_FIRST_POST_CHARS = 50


def _reply_number(text: str) -> int | None:
    # speed: each of _REPLY_FLOOR's branches needs one of the _FLOOR_WORDS, and most texts of a
    # page that has them hold none (three substring tests cost less than one search)
    if "楼" not in text and "樓" not in text and "回" not in text:
        return None
    match = _REPLY_FLOOR.search(text)
    if match is None:
        return None
    number = int(next(group for group in match.groups() if group is not None))
    return number if number >= 2 else None


def _may_name_a_floor(text: str) -> bool:
    """Tell whether text holds what each match of _REPLY_FLOOR holds: a digit before 楼 or 樓 (spaces
    between), or 回复, 回覆 or 回帖 before # and a digit; every element's text and tail is part of the
    page's text, so a page without it has no floor header.

    Speed: most Chinese pages hold 楼 or 回 somewhere, and reading each element's text and tail in
    Python cost 0.7 ms a page on cwced-zh; these substring searches (five times as fast as a regex
    search for the same) tell the pages without floors at a fraction of that.
    """
    for word in ("楼", "樓"):
        at = text.find(word)
        while at >= 0:
            before = at - 1
            while before >= 0 and text[before].isspace():  # what the pattern's \s and \d match
                before -= 1
            if before >= 0 and text[before].isdecimal():
                return True
            at = text.find(word, at + 1)
    for word in ("回复", "回覆", "回帖"):
        at = text.find(word)
        while at >= 0:
            if _AFTER_REPLY_WORD.match(text, at + len(word)):
                return True
            at = text.find(word, at + len(word))
    return False


def _headers(tree: HtmlElement) -> list[HtmlElement]:
    """Return the elements whose own text names a reply's floor and that are short, in page order."""
    found: list[HtmlElement] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for text, owner in ((element.text, element), (element.tail, element.getparent())):
            if not text or owner is None or _reply_number(text) is None or owner in found:
                continue
            if len(" ".join(text_content(owner).split())) <= _HEADER_CHARS:
                found.append(owner)
    return found


def _child_holding(parent: HtmlElement, element: HtmlElement) -> HtmlElement | None:
    for ancestor in (element, *element.iterancestors()):
        if ancestor.getparent() is parent:
            return ancestor
    return None


def drop_thread_replies(tree: HtmlElement, html: str) -> bool:
    """Remove the reply posts of a forum thread from tree (in place); return whether it was a thread.

    html is the page's markup, to skip pages without a floor character at once.
    """
    if not any(word in html for word in _FLOOR_WORDS) or not _may_name_a_floor(text_content(tree)):
        return False
    headers = _headers(tree)
    if len(headers) < _MIN_REPLIES:
        return False
    first, second = headers[0], headers[1]
    # the posts are the children of the lowest element holding two reply headers
    shared = set(first.iterancestors())
    parent = next((a for a in second.iterancestors() if a in shared), None)
    if parent is None:
        return False
    replies = []
    for header in headers:
        post = _child_holding(parent, header)
        if post is not None and post not in replies:
            replies.append(post)
    if len(replies) < _MIN_REPLIES:
        return False  # two headers inside one container: not a list of posts
    children = list(parent)
    opening = children[: children.index(replies[0])]
    if sum(len(text_content(child).strip()) for child in opening) < _MIN_FIRST_POST_CHARS:
        return False
    for post in replies:
        post.drop_tree()
    return True
