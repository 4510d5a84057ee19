"""Headlines: strip the site's suffix and Markdown emphasis, normalize whitespace, keep the rest."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["normalize_title", "strip_site_suffix"]

# paired Markdown emphasis: _x_, *x*, __x__, **x**; the markers must not touch an ASCII
# letter or digit, so snake_case_names and 2*3*4 survive, while CJK text around them does not
# protect them (香港着力打造_数码港_ is emphasis)
_EMPHASIS = re.compile(r"(?<![A-Za-z0-9_*\\])(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?![A-Za-z0-9_*])")
_CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_SEPARATORS = re.compile(
    # "Titleㅣ Section": Korean pages set the vowel ㅣ as a bar
    r"\s+//\s+(?:»\s+)?|\s+[|\-–—:·•»]\s+|\s*[｜|ㅣ]\s*|\s+::\s+|\s*[—–]{1,2}\s*|\s*-{2,}\s*|\s*(?<![A-Za-z0-9])_+\s*|\s*_+(?![A-Za-z0-9])\s*"
    # a bare hyphen between Chinese words ("…吗？-报社新闻-查报纸网"); "e-mail" keeps its hyphen
    rf"|(?<=[{_CJK}])-(?=[{_CJK}])"
)
# "土豆不“土” 土豆无“土” 松花江网": a site name after a plain space
_TRAILING_SITE = re.compile(rf"(?<=[^\s|_–—:·•»｜-])\s+[{_CJK}]{{2,8}}[网網]$")
# words that make a title segment read as a site or section name rather than a headline
_SITE_WORDS = re.compile(
    r"网$|網$|网站|網站|频道|頻道|首页|首頁|新闻$|新聞$|新闻中心|新聞中心|博客$|\.(?:com|net|org|cn|hk|tw)\b|"
    r"\b(?:news|online|daily|times|post|herald|tribune|journal|magazine|blog|home)\b",
    re.I,
)


def normalize_title(title: str | None, *, markdown: bool = False) -> str | None:
    """Return title with whitespace collapsed (and Markdown emphasis removed when markdown);
    None if empty.

    Idempotent: normalizing a normalized title gives it back.
    """
    if not isinstance(title, str):
        return None
    text = title
    # only Markdown sources: in an HTML <title>, "_" separates sections ("Title__商贸_新浪网")
    # repeat: **_x_** nests, and one pass only removes the outer pair
    for _ in range(4 if markdown else 0):
        stripped = _EMPHASIS.sub(r"\2", text)
        if stripped == text:
            break
        text = stripped
    text = " ".join(text.replace("\u3000", " ").split())
    return text or None


_COLON_SITE = re.compile(r"\s*：\s*([^：]{2,24})$")
# trailing segments that are no part of a headline: a date ("– DW – 13.06.2023"), a byline ("| by Jane Doe")
_DATE_SEGMENT = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}年\d{1,2}月\d{1,2}日")
_BYLINE_SEGMENT = re.compile(r"(?:by|von|par|por)\s+\S.{0,40}", re.I)


def _looks_like_site(segment: str, site_names: Iterable[str], *, by_name: bool = False) -> bool:
    """Tell whether a title segment names the site: by one of its names or its host, or (unless
    by_name) by words such as "News", "Online", "网".
    """
    lowered = segment.casefold()
    for name in site_names:
        name = name.casefold().strip()
        # "Opinion | The Guardian" names the site; "The Guardian view on Hong Kong" is a headline
        if name and (
            lowered == name
            or (name in lowered and len(lowered) <= len(name) + 12)
            or (len(lowered) >= 2 and lowered in name)
        ):
            return True
        # "myoos.de" names "MyOOS Community Forum", "gregoryszorc.com" "Gregory Szorc's Digital Home"
        if "." in name and " " not in name:
            label = _squash(name.split(".")[-2])
            if len(label) >= 5 and label in _squash(lowered) and len(segment) <= 40:
                return True
    return not by_name and bool(_SITE_WORDS.search(segment)) and len(segment) <= 24


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def strip_site_suffix(title: str | None, site_names: Iterable[str] = ()) -> str | None:
    """Remove 'Title - Site', 'Title | Site', 'Title_Section_Site' suffixes (and 'Site | Title'
    prefixes) when the outer segments name the site; keep the title whole otherwise.
    """
    names = [n for n in site_names if n]
    current = normalize_title(title)
    # "Title | Section | Site" loses one layer per pass; stop when nothing changes
    for _ in range(5):
        stripped = _strip_once(current, names)
        if stripped == current:
            break
        current = stripped
    return current


def _strip_once(title: str | None, names: list[str]) -> str | None:
    if title is None:
        return None
    # "Headline：Site": a full-width colon before the site's name (inside a headline it is kept)
    colon = _COLON_SITE.search(title)
    if (
        colon
        and not _SEPARATORS.search(colon.group(1))
        and _looks_like_site(colon.group(1), names)
        and colon.start() >= 4
    ):
        return title[: colon.start()].rstrip()
    if _TRAILING_SITE.search(title) and len(_TRAILING_SITE.sub("", title)) >= 4:
        return _TRAILING_SITE.sub("", title)
    pieces = _SEPARATORS.split(title)
    if len(pieces) < 2:
        return title
    # trailing segments: drop while the last one names the site, then any short section
    # names left between the headline and it ("_商贸_产业资讯_新浪网")
    separators = _SEPARATORS.findall(title)
    end = len(pieces)
    # Chinese portals write "Headline_Section_Site"; a short last "_" segment is never headline
    # and Korean ones "Headlineㅣ Section"
    portal = ("_" in separators[-1] or "ㅣ" in separators[-1]) and len(pieces[-1]) <= 8 and len(pieces[0]) >= 8
    if _DATE_SEGMENT.fullmatch(pieces[-1].strip()) or _BYLINE_SEGMENT.fullmatch(pieces[-1].strip()):
        return _rebuild(title, 0, len(pieces) - 1)
    if _looks_like_site(pieces[-1], names) or portal:
        end -= 1
        # "Title_Section_Site": short section names between the headline and the site go too
        while end > 1 and (
            not pieces[end - 1].strip()
            or (
                len(pieces[end - 1]) <= 8 and ("_" in separators[end - 1] or 2 * len(pieces[end - 1]) <= len(pieces[0]))
            )
        ):
            end -= 1
    start = 0
    if (
        end == len(pieces)
        and len(pieces) == 2
        and _looks_like_site(pieces[0], names)
        and (len(pieces[0]) < len(pieces[1]) or pieces[0].strip().casefold() in {n.casefold() for n in names})
    ):
        start = 1
    if start == 0 and end == len(pieces):
        # "Site » Blog Archive » Headline", "Site - Section » Headline": a breadcrumb, the headline last
        if len(pieces) >= 3 and separators[-1].strip() == "»" and len(pieces[-1].strip()) >= 4:
            return _rebuild(title, len(pieces) - 1, len(pieces))
        # "Headline | site.ch | Tagline": the site named in the middle ends the headline
        middle = next((i for i in range(1, len(pieces) - 1) if _looks_like_site(pieces[i], names, by_name=True)), None)
        if middle is not None and len(pieces[0].strip()) >= 4:
            return _rebuild(title, 0, middle)
        return title
    return _rebuild(title, start, end)


def _rebuild(title: str, start: int, end: int) -> str:
    # rebuild from the original text so separators inside the headline stay as written
    positions = [m.span() for m in _SEPARATORS.finditer(title)]
    left = positions[start - 1][1] if start else 0
    right = positions[end - 1][0] if end <= len(positions) else len(title)
    kept = normalize_title(title[left:right].strip(" _|-–—:"))
    return kept if kept and len(kept) >= 2 else title
