"""Pick the page's site name, headline and people from their sources, strongest first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from cleaning.metadata.authors import (
    account_name,
    bare_names_beside_date,
    clean_names,
    description_byline,
    desk_credit,
    handle_name,
    header_handle,
    is_site_name,
    names_from_value,
    owns_site,
    read_bylines,
)
from cleaning.metadata.pagedates import article_lines
from cleaning.metadata.pagemeta import PageMeta
from cleaning.metadata.signatures import closing_signature
from cleaning.metadata.titles import normalize_title, strip_site_suffix
from cleaning.metadata.urls import host_name

__all__ = [
    "TEXT_DATE_PREFIX",
    "as_list",
    "first_list",
    "first_text",
    "lower_keys",
    "pick_authors",
    "pick_site_name",
    "pick_title",
    "text_lines",
]

TEXT_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+", re.I)
_META_AUTHORS = (
    "author",
    "article:author",
    "citation_author",
    "citation_authors",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "sailthru.author",
    "parsely-author",
    "og:article:author",
)


def lower_keys(value: Any) -> dict[str, Any]:
    """Return a mapping with lower-cased keys; anything that is not a mapping gives {}."""
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def first_text(*values: Any) -> str | None:
    """Return the first non-blank string among values (first of a list, name or url of a dict), spaces collapsed."""
    for value in values:
        if isinstance(value, list | tuple):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        if isinstance(value, dict):
            value = value.get("name") or value.get("url")
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def as_list(value: Any, *, split: bool = False) -> list[str]:
    """Return value as a list of unique strings; split "a, b; c" keyword strings when asked."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            continue
        text = str(item)
        parts = re.split(r"\s*[,，、;；|]\s*", text) if split else [text]
        out += [" ".join(p.split()) for p in parts if p.strip()]
    return list(dict.fromkeys(out))


def first_list(*candidates: list[str]) -> list[str]:
    """Return the first non-empty list: a weaker source fills only what stronger ones leave empty."""
    return next((c for c in candidates if c), [])


def text_lines(text: str) -> list[str]:
    """Return the text's non-empty lines, table rows ("| a | b |") split into their cells."""
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            lines += [cell.strip() for cell in re.split(r"(?<!\\)\|", line) if cell.strip()]
        elif line.strip():
            lines.append(line.strip())
    return lines


def _clean_site_name(name: str | None) -> str | None:
    # copyright lines and comma lists ("www.yunnan.cn,云南日报报业集团,云南网") are not one name;
    # "Wikimedia Foundation, Inc." is
    if not name or re.search(r"copyright|©|版权|版權|all rights", name, re.I):
        return None
    head, _, rest = name.partition(",")
    if rest and not re.fullmatch(r"\s*(?:inc|ltd|llc|plc|co|gmbh|s\.a)\.?\s*", rest, re.I):
        return head.strip() or None
    return name.strip() or None


# an author meta that reads like a website's name (示例財經網, Harbour Daily News); "Discuz! Team" is not
_SITE_LIKE_AUTHOR = re.compile(
    r"[网網报報]$|新闻|新聞|\b(?:news|times|post|daily|herald)\b|\.(?:com|net|cn|hk)\b", re.I
)


def pick_site_name(page: PageMeta, fm: Mapping[str, Any], extracted: Mapping[str, Any], url: str | None) -> str | None:
    """Return the publisher's name: front matter, og:site_name, JSON-LD publisher, a site-like author, the host."""
    publisher = page.json_ld.get("publisher")
    fm_author = first_text(fm.get("author"))
    meta_author = page.first("author") or ""
    candidates = (
        fm.get("site_name"),
        fm.get("site"),
        page.first("og:site_name"),
        publisher.get("name") if isinstance(publisher, dict) else publisher,
        fm_author if fm_author and is_site_name(fm_author) else None,
        meta_author if len(meta_author) <= 40 and _SITE_LIKE_AUTHOR.search(meta_author) else None,
        page.first("application-name"),
        extracted.get("sitename"),
    )
    for candidate in candidates:
        name = _clean_site_name(first_text(candidate))
        if name:
            return name
    return host_name(url)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold())) | set(re.findall(r"[\u3040-\u30ff\u3400-\u9fff]", text))


def _agrees(headline: str, others: Sequence[str]) -> bool:
    """Tell whether headline shares most of its words with one of the page's declared titles."""
    words = _words(headline)
    if not words:
        return False
    return any(
        len(words & (theirs := _words(other))) >= H1_AGREEMENT * max(len(words), len(theirs))
        for other in others
        if other
    )


def _visible_headline(page: PageMeta, site_names: list[str], others: Sequence[str]) -> str | None:
    """Return the <h1> that is the page's headline: not the logo or the site's name, and, when
    the page declares a title too, one that shares most of its words with it.

    others: the declared titles, strongest first (og:title or JSON-LD, then <title>). An <h1>
    that agrees with the first beats an earlier one that agrees only with <title>, which a
    section's or blog's name shares (<title> "News - Eawag", <h1>s "News" and the headline).
    """
    seen = []
    found = None
    for raw in page.h1:
        h1 = normalize_title(raw)
        if not h1 or h1 in seen:
            continue
        seen.append(h1)
        if strip_site_suffix(h1, site_names) != h1 or any(
            h1.casefold() == n.casefold() or h1.casefold() in n.casefold() for n in site_names
        ):
            continue  # the site's name, or "Headline | Site" pasted into an <h1>
        if len(h1) < 4:
            break
        if not others or _agrees(h1, others[:1]):
            return h1
        if found is None and _agrees(h1, others):
            found = h1
    return found


def _uncut(declared: str, longer: Sequence[str], site_names: list[str]) -> str | None:
    """Return the full title when og:title is a cut-off prefix of <title> or an <h1>
    ("A long headline that…", or cut mid-sentence), not a headline with a suffix after it.
    """
    stem = re.sub(r"[\s.…]+$", "", declared)
    ellipsis = stem != declared
    if len(stem) < 10:
        return None
    for candidate in longer:
        full = strip_site_suffix(candidate, site_names) if candidate else None
        if not full or len(full) <= len(stem) or not full.startswith(stem):
            continue
        rest = full[len(stem) :]
        # cut inside a word or before more words, not before a separator and a suffix
        if ellipsis or not re.match(r"\s*[|\-–—:·•»_/]", rest):
            # up to the next separator: a suffix the site-name test did not know stays out
            return stem + re.split(r"\s+[|\-–—·•»]\s+|\s*[｜|]\s*", rest, maxsplit=1)[0]
    return None


# an <h1> is the headline when it shares this share of its words with the declared title
H1_AGREEMENT = 0.4


def pick_title(
    page: PageMeta,
    fm: Mapping[str, Any],
    hints: Mapping[str, Any],
    extracted: Mapping[str, Any],
    media_type: str,
    site_names: list[str],
) -> str | None:
    """Return the headline: front matter; else the visible <h1> headline when it agrees with the
    declared titles (og:title, JSON-LD, <title>), since it is written as printed (curly quotes,
    not cut off); else og:title/JSON-LD, <title>, the feed, the extractor.
    """
    if fm.get("title"):
        return normalize_title(first_text(fm.get("title")), markdown=True)
    declared = first_text(
        page.first("og:title", "twitter:title"), page.json_ld.get("headline"), page.json_ld.get("name")
    )
    declared = strip_site_suffix(declared, site_names) if declared else None
    title_tag = strip_site_suffix(page.title_tag, site_names) if page.title_tag else None
    others = [t for t in (declared, title_tag) if t]
    headline = _visible_headline(page, site_names, others)
    if headline:
        # "Forderungsausfälle vermeiden Eigentumsvorbehalt: …": a kicker glued before the declared title
        kicked = next((t for t in others if len(t) >= 12 and headline.endswith(t) and headline != t), None)
        return kicked or headline
    full = _uncut(declared, [*page.h1, page.title_tag or ""], site_names) if declared else None
    if full:
        return full
    if declared:
        return declared
    if title_tag:
        return title_tag
    if first_text(hints.get("title")):
        return strip_site_suffix(first_text(hints.get("title")), site_names)
    title = first_text(extracted.get("title"))
    if title and media_type == "text":
        title = TEXT_DATE_PREFIX.sub("", title)
    return normalize_title(title, markdown=media_type != "html") if title else None


# Yoast's reading-time card: twitter:label1 "Written by" / "Verfasst von", twitter:data1 the name
_AUTHOR_LABEL = re.compile(
    r"written by|verfasst von|geschrieben von|escrito por|écrit par|scritto da|autor|author", re.I
)


def _not_the_copyright_holder(names: list[str], copyright_line: str | None) -> list[str]:
    # <meta name="author" content="Condé Nast"> beside article:author "Larry Fitzmaurice": the
    # company that holds the copyright is no author when the page names a person too
    if not copyright_line or len(names) < 2:
        return names
    held = copyright_line.casefold()
    people = [n for n in names if n.casefold() not in held]
    return people or names


def _squashed(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def _declared_unless_printed_differs(declared: list[str], printed: list[str]) -> list[str]:
    """Return the declared authors (JSON-LD, meta, reading-time card, feed), unless the byline
    printed between headline and body, or in the body (or in lines cleaning took out of it),
    names none of them: then the metadata names the account that posted the article, and the
    printed byline the writer. A declared handle ("arianschlichenmayer")
    is written as printed ("Arian Schlichenmayer").

    Chosen on the trafilatura set (+3 pages, -1), confirmed on postlight (+1) and readability and
    cwced-zh (no change) once affiliations after a byline were cut.
    """
    if not printed or not declared:
        return declared or printed
    as_printed = {_squashed(n): n for n in printed}
    if not any(_squashed(n) in as_printed for n in declared):
        return printed
    return [as_printed.get(_squashed(n), n) for n in declared]


def _labelled_author(page: PageMeta) -> str | None:
    for i in range(1, 5):
        label = page.first(f"twitter:label{i}")
        if label and _AUTHOR_LABEL.search(label):
            return page.first(f"twitter:data{i}")
    return None


def pick_authors(
    page: PageMeta,
    fm: Mapping[str, Any],
    hints: Mapping[str, Any],
    extracted: Mapping[str, Any],
    body_lines: Sequence[str],
    removed: Sequence[str],
    header: Sequence[str],
    site_names: list[str],
) -> tuple[list[str], list[str]]:
    """Return (authors, editors): authors from the strongest source naming people, editors from every byline."""

    def people(names: Iterable[str]) -> list[str]:
        # "L_104485" ids and outlet names are not people
        return [
            n
            for n in clean_names(names)
            if (not is_site_name(n, site_names) or owns_site(n, site_names)) and not re.search(r"\d|_", n)
        ]

    body = read_bylines(body_lines)
    extra = read_bylines(list(removed), top=len(removed), bottom=len(removed))
    head = read_bylines(list(header), top=0, bottom=0)
    around = read_bylines(article_lines(page.lines, body_lines), top=0, bottom=8)
    elements = [n for text in page.author_elements for n in (read_bylines([text]).authors or names_from_value(text))]

    def as_marked(names: list[str]) -> list[str]:
        # "Christian Spließin Allgemeines": a byline line whose name ran into the next element's
        # text; the element marked as the author holds the name alone
        return [next((e for e in elements if n.startswith(e) and len(e) >= 4), n) for n in names]

    def candidates() -> Iterator[list[str]]:
        # strongest first, each read only when the ones before it name nobody
        yield people(names_from_value(fm.get("author")) + names_from_value(fm.get("authors")))
        yield _declared_unless_printed_differs(
            first_list(
                people(names_from_value(page.json_ld.get("author"))),
                _not_the_copyright_holder(
                    people(n for value in page.all(*_META_AUTHORS) for n in names_from_value(value)),
                    page.first("copyright"),
                ),
                people(names_from_value(_labelled_author(page))),
                people(names_from_value(hints.get("authors"))),
            ),
            # the byline between headline and body is the article's; the text's own bylines
            # (a cited book's "von A, B und C" near the end) only when the header has none
            people(as_marked(head.authors or body.authors + extra.authors)),
        )
        # lines around the article, where related stories' bylines sit
        yield people(as_marked(around.authors))
        yield people(body.credited + extra.credited + head.credited + around.credited)
        yield people(elements)
        # the post's byline the page prints only in a script template, kept in its description
        yield people(n for text in page.all("og:description", "description")[:1] for n in description_byline(text))
        yield [n for text in page.author_elements[:1] if (n := account_name(text)) and not is_site_name(n, site_names)]
        # a one-word handle the marked author element holds ("LD", "Heiko" on heiko-adams.de), else
        # one a labelled byline or a forum post's header between headline and body names
        yield [n for text in page.author_elements[:1] if (n := handle_name(text, site_names))] or header_handle(
            header, site_names
        )
        yield people(names_from_value(extracted.get("author")))
        # a name alone beside the dateline between headline and body: a byline without "By",
        # taken last (a blog's sidebar heading sits beside a date too)
        yield people(bare_names_beside_date(header, site_names))
        yield people(closing_signature(body_lines))

    authors = next((names for names in candidates() if names), [])
    if not authors:
        # no person anywhere: the desk or team the byline credits ("By Staff Writer"), from the
        # element marked as the author, else a "By …" line between headline and body
        desks = [d for text in page.author_elements[:1] if (d := desk_credit(text))]
        desks = desks or [d for line in header if (d := desk_credit(line, opened=True))][:1]
        authors = desks[:1]
    editors = [
        n
        for n in clean_names(body.editors + extra.editors + head.editors + around.editors)
        if not is_site_name(n, site_names)
    ]
    # a page that credits no writer but the editor who compiled it ("来源：巴彦淖尔日报 编辑：苏亮"
    # under a reposted story) is credited to them; a desk's "责任编辑" and any editor beside a
    # writer stay editors only
    compilers = body.compilers + extra.compilers + head.compilers + around.compilers
    return authors or [n for n in people(compilers) if n in editors], editors
