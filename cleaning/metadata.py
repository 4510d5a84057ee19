"""Normalize metadata: each field from the strongest source that states it, with its provenance.

Precedence: front matter > JSON-LD > meta tags > <time> > feed hints > text > URL >
extractor guesses; weaker sources fill only what stronger ones leave empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from cleaning.authors import clean_names, is_site_name, names_from_value, read_bylines
from cleaning.dates import ParsedDate, parse_date, url_date, zone
from cleaning.pagedates import article_lines, text_dates
from cleaning.pagemeta import PageMeta, read_page_meta
from cleaning.schema import DateSource
from cleaning.step import StepResult, require_columns
from cleaning.titles import normalize_title, strip_site_suffix
from cleaning.urls import absolute_url, choose_canonical, host_name

__all__ = ["normalize_metadata"]

_FM_PUBLISHED = ("date", "published", "pubdate", "publishdate", "published_at", "date_published", "created")
_FM_MODIFIED = ("updated", "modified", "lastmod", "last_modified", "updated_at", "date_modified")
_META_PUBLISHED = (
    "article:published_time", "og:published_time", "og:release_date", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "publication_date", "pubtime", "dc.date", "dc.date.issued", "dc.date.created",
    "dcterms.created", "dcterms.issued", "dcterms.date", "parsely-pub-date", "sailthru.date", "citation_publication_date",
    "citation_date", "article.published", "originalpublicationdate", "date", "displaydate",
)
_META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "dateupdate", "last-modified",
                  "dcterms.modified", "article.updated", "lastmod")
_META_AUTHORS = ("author", "article:author", "citation_author", "citation_authors", "dc.creator", "dcterms.creator",
                 "byl", "sailthru.author", "parsely-author", "og:article:author")
# a date this far past the fetch is a misread, not a scheduled post
_FUTURE_SLACK = dt.timedelta(days=2)
_TEXT_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+", re.I)
_IMAGE_SRC = re.compile(r"""src\s*=\s*["']?[^"'\s>]*?((?:19|20)\d{2})[/-]?(\d{2})[/-]?(\d{2})[^"'\s>]*\.(?:jpe?g|png|gif|webp|svg)""", re.I)


def _lower_keys(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _first_text(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, list | tuple):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        if isinstance(value, dict):
            value = value.get("name") or value.get("url")
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _as_list(value: Any, *, split: bool = False) -> list[str]:
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


def _first_list(*candidates: list[str]) -> list[str]:
    return next((c for c in candidates if c), [])


def _plausible(date: ParsedDate | None, fetched_at: Any) -> bool:
    if date is None:
        return False
    if isinstance(fetched_at, dt.datetime) and not pd.isna(fetched_at):
        fetched = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=dt.UTC)
        return date.at <= fetched + _FUTURE_SLACK
    return True


def _pick_date(candidates: Iterable[tuple[DateSource, Any]], tz: dt.tzinfo, fetched_at: Any) -> tuple[ParsedDate | None, DateSource | None]:
    for source, value in candidates:
        parsed = value if isinstance(value, ParsedDate) else parse_date(value, timezone=tz)
        if _plausible(parsed, fetched_at):
            return parsed, source
    return None, None


def _extractor_date(extracted: Mapping[str, Any], decoded: str) -> str | None:
    value = extracted.get("date")
    if not isinstance(value, str) or extracted.get("date_source") == "text":
        return None
    # htmldate reads dates out of image paths (/20200514/343233024.png); such a date says
    # when the picture was uploaded, not when the article was published
    day = value[:10].replace("-", "")
    if any("".join(m.groups()) == day for m in _IMAGE_SRC.finditer(decoded or "")):
        return None
    return value


def _lines(text: str) -> list[str]:
    """Return the text's non-empty lines, table rows ("| a | b |") split into their cells."""
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            lines += [cell.strip() for cell in re.split(r"(?<!\\)\|", line) if cell.strip()]
        elif line.strip():
            lines.append(line.strip())
    return lines


def _clean_site_name(name: str | None) -> str | None:
    # trafilatura sometimes hands over the copyright line or a comma list of names
    if not name or re.search(r"copyright|©|版权|版權|all rights", name, re.I):
        return None
    return name.split(",")[0].strip() or None


def _site_name(page: PageMeta, fm: Mapping[str, Any], extracted: Mapping[str, Any], url: str | None) -> str | None:
    publisher = page.json_ld.get("publisher")
    fm_author = _first_text(fm.get("author"))
    meta_author = page.first("author")
    return _first_text(
        fm.get("site_name"), fm.get("site"), page.first("og:site_name"),
        publisher.get("name") if isinstance(publisher, dict) else publisher,
        fm_author if fm_author and is_site_name(fm_author) else None,
        meta_author if meta_author and is_site_name(meta_author) and len(meta_author) <= 40 else None,
        page.first("application-name"), _clean_site_name(_first_text(extracted.get("sitename"))), host_name(url),
    )


def _title(page: PageMeta, fm: Mapping[str, Any], extracted: Mapping[str, Any], media_type: str, site_names: list[str]) -> str | None:
    if fm.get("title"):
        return normalize_title(_first_text(fm.get("title")), markdown=True)
    declared = _first_text(page.first("og:title", "twitter:title"), page.json_ld.get("headline"), page.json_ld.get("name"))
    if declared:
        return strip_site_suffix(declared, site_names)
    title_tag = strip_site_suffix(page.title_tag, site_names) if page.title_tag else None
    # the page's only <h1> is the headline when the <title> agrees; many old layouts put the logo in <h1>
    if len(page.h1) == 1 and (not title_tag or title_tag[:8] in page.h1[0]
                              or (page.h1[0] in title_tag and 2 * len(page.h1[0]) > len(title_tag))):
        return normalize_title(page.h1[0])
    if title_tag:
        return title_tag
    title = _first_text(extracted.get("title"))
    if title and media_type == "text":
        title = _TEXT_DATE_PREFIX.sub("", title)
    return normalize_title(title, markdown=media_type != "html") if title else None


def _authors(page: PageMeta, fm: Mapping[str, Any], hints: Mapping[str, Any], extracted: Mapping[str, Any],
             text_lines: Sequence[str], removed: Sequence[str], header: Sequence[str], site_names: list[str]) -> tuple[list[str], list[str]]:
    def people(names: Iterable[str]) -> list[str]:
        # "L_104485" ids and outlet names are not people
        return [n for n in clean_names(names) if not is_site_name(n, site_names) and not re.search(r"\d|_", n)]

    body = read_bylines(text_lines)
    extra = read_bylines(list(removed), top=len(removed), bottom=len(removed))
    head = read_bylines(list(header), top=0, bottom=0)
    around = read_bylines(article_lines(page.lines, text_lines), top=0, bottom=8)
    elements = [n for text in page.author_elements for n in (read_bylines([text]).authors or names_from_value(text))]
    authors = _first_list(
        people(names_from_value(fm.get("author")) + names_from_value(fm.get("authors"))),
        people(names_from_value(page.json_ld.get("author"))),
        people(n for value in page.all(*_META_AUTHORS) for n in names_from_value(value)),
        people(names_from_value(hints.get("authors"))),
        people(body.authors + extra.authors + head.authors + around.authors),
        people(elements),
        people(names_from_value(extracted.get("author"))),
    )
    editors = [n for n in clean_names(body.editors + extra.editors + head.editors + around.editors)
               if not is_site_name(n, site_names)]
    return authors, editors


def _normalize_row(row: Mapping[str, Any], *, default_timezone: str, tracking_parameters: tuple[str, ...]) -> dict[str, Any]:
    media_type = row.get("media_type") or "html"
    decoded = row.get("decoded") if isinstance(row.get("decoded"), str) else ""
    extracted = row.get("extracted") if isinstance(row.get("extracted"), Mapping) else {}
    fm, hints = _lower_keys(row.get("front_matter")), _lower_keys(row.get("hints"))
    text = row.get("text") if isinstance(row.get("text"), str) else ""
    tz = zone(row.get("timezone") if isinstance(row.get("timezone"), str) else None, default_timezone)
    page = read_page_meta(decoded) if media_type != "text" and "<" in decoded else PageMeta()
    raw_url = row.get("url") if isinstance(row.get("url"), str) else None

    url = choose_canonical(raw_url, [page.canonical, page.first("og:url")], tracking_parameters=tracking_parameters)
    site_name = _site_name(page, fm, extracted, url)
    site_names = [n for n in (site_name, host_name(url), _first_text(fm.get("author")) if site_name else None) if n]
    title = _title(page, fm, extracted, media_type, site_names)

    text_lines = _lines(text)
    removed_lines = [line for lines in _lower_keys(row.get("removed_lines")).values() for line in _as_list(lines)]
    titles = [t for t in (title, _first_text(extracted.get("title")), strip_site_suffix(page.title_tag, site_names)) if t]
    dates = text_dates(page.lines, text_lines, titles, tz)
    title_prefix = _TEXT_DATE_PREFIX.match(_first_text(extracted.get("title")) or "") if media_type == "text" else None
    extracted_text_date = extracted.get("date") if extracted.get("date_source") == "text" else None
    fetched_at = row.get("fetched_at")

    published, source = _pick_date(
        [(DateSource.FRONT_MATTER, fm.get(k)) for k in _FM_PUBLISHED]
        + [(DateSource.JSON_LD, page.json_ld.get(k)) for k in ("datePublished", "dateCreated", "uploadDate")]
        + [(DateSource.META, v) for v in page.all(*_META_PUBLISHED)]
        + [(DateSource.TIME_ELEMENT, v) for v in page.times[:1]]
        + [(DateSource.FEED, hints.get(k)) for k in ("published", "pubdate", "date")]
        + [(DateSource.TEXT, extracted_text_date), (DateSource.TEXT, title_prefix.group(1) if title_prefix else None)]
        + [(DateSource.TEXT, d) for d in dates.published]
        + [(DateSource.URL, url_date(raw_url))]
        + [(DateSource.EXTRACTOR, _extractor_date(extracted, decoded))],
        tz, fetched_at,
    )
    modified, _ = _pick_date(
        [(DateSource.FRONT_MATTER, fm.get(k)) for k in _FM_MODIFIED]
        + [(DateSource.JSON_LD, page.json_ld.get("dateModified"))]
        + [(DateSource.META, v) for v in page.all(*_META_MODIFIED)]
        + [(DateSource.FEED, hints.get(k)) for k in ("modified", "updated")]
        + [(DateSource.TEXT, d) for d in dates.modified],
        tz, fetched_at,
    )
    authors, editors = _authors(page, fm, hints, extracted, text_lines, removed_lines, dates.header_lines, site_names)

    jl = page.json_ld
    image = _first_text(fm.get("headimg"), fm.get("image"), fm.get("thumbnail"), fm.get("cover"),
                        page.first("og:image", "og:image:url", "twitter:image"), jl.get("image"), extracted.get("image"))
    return {
        "url": url,
        "site_name": site_name,
        "title": title,
        "authors": authors,
        "editors": editors,
        "published_at": published.at if published else None,
        "published_precision": str(published.precision) if published else None,
        "published_source": str(source) if source else None,
        "modified_at": modified.at if modified else None,
        "description": _first_text(fm.get("description"), fm.get("summary"), fm.get("excerpt"),
                                   page.first("og:description", "description", "twitter:description"),
                                   jl.get("description"), hints.get("description"), extracted.get("description")),
        "categories": _first_list(_as_list(fm.get("categories")), _as_list(fm.get("category")),
                                  _as_list(page.all("article:section")), _as_list(jl.get("articleSection"), split=True),
                                  _as_list(hints.get("categories")), _as_list(extracted.get("categories"), split=True)),
        "tags": _first_list(_as_list(fm.get("tags"), split=True), _as_list(fm.get("keywords"), split=True),
                            _as_list(jl.get("keywords"), split=True), _as_list(page.all("article:tag")),
                            _as_list(page.all("keywords", "news_keywords"), split=True),
                            _as_list(hints.get("tags"), split=True), _as_list(extracted.get("tags"), split=True)),
        "image_url": absolute_url(image, url) or image,
    }


def normalize_metadata(articles: pd.DataFrame, *, default_timezone: str, tracking_parameters: tuple[str, ...]) -> StepResult:
    """Pick each metadata field from the strongest source that states it and normalize it.

    Reads:   decoded, media_type, url, extracted, front_matter, hints, timezone, text
             (and, when present, fetched_at and the extractor's removed_lines)
    Writes:  url, site_name, title, authors, editors, published_at, published_precision,
             published_source, modified_at, description, categories, tags, image_url
    Rejects: nothing
    """
    require_columns(articles, "decoded", "media_type", "url", "extracted", "text", step="normalize_metadata")
    columns = [c for c in ("decoded", "media_type", "url", "extracted", "front_matter", "hints", "timezone",
                           "text", "fetched_at", "removed_lines") if c in articles.columns]
    rows = [
        _normalize_row(dict(zip(columns, values, strict=True)), default_timezone=default_timezone,
                       tracking_parameters=tracking_parameters)
        for values in zip(*(articles[c] for c in columns), strict=True)
    ]
    normalized = pd.DataFrame(rows, index=articles.index, columns=list(_EMPTY_ROW))
    for column in ("published_at", "modified_at"):
        normalized[column] = pd.to_datetime(normalized[column], utc=True).astype("datetime64[us, UTC]")
    for column in ("authors", "editors", "categories", "tags"):
        normalized[column] = [list(v) for v in normalized[column]]
    return StepResult(articles.assign(**{c: normalized[c] for c in normalized.columns}), articles.iloc[0:0])


_EMPTY_ROW = ("url", "site_name", "title", "authors", "editors", "published_at", "published_precision",
              "published_source", "modified_at", "description", "categories", "tags", "image_url")
