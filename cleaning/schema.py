"""The dataset's columns, their Arrow types, and the codes that fill its coded columns.

This module is the contract: `cleaning/storage/README.dataset.md` (written into every output
as README.md) documents the same columns, and `tests/cleaning/test_schema.py` checks that the
two agree.
"""

from __future__ import annotations

import enum

import pyarrow as pa

__all__ = [
    "ARTICLE_SCHEMA",
    "REJECT_SCHEMA",
    "RUN_SCHEMA",
    "DatePrecision",
    "DateSource",
    "QualityFlag",
    "RejectReason",
    "Stage",
]


class RejectReason(enum.StrEnum):
    """Why an input produced no article; the `reason` column of the rejects dataset."""

    UNSUPPORTED_FORMAT = "unsupported_format"  # a file type tidings does not read
    UNREADABLE = "unreadable"  # the file or record could not be parsed (corrupt gzip, bad WARC, bad JSON)
    EMPTY_INPUT = "empty_input"  # zero bytes of payload
    HTTP_ERROR = "http_error"  # an archived response with a 4xx/5xx status
    FETCH_ERROR = "fetch_error"  # the crawler got no response at all (DNS, timeout, refused)
    NOT_AN_ARTICLE = "not_an_article"  # a feed, sitemap, listing page, soft 404, robots.txt or non-HTML payload
    NO_TEXT = "no_text"  # extraction found no article body
    EXTRACTION_TIMEOUT = "extraction_timeout"  # extraction ran past CleaningConfig.extraction_timeout
    EXTRACTION_ERROR = "extraction_error"  # the extractor raised on this page
    TEXT_TOO_SHORT = "text_too_short"  # fewer than CleaningConfig.min_text_chars characters of body
    SUPERSEDED = "superseded"  # an older fetch of a URL whose newer fetch is in the dataset
    INTERNAL_ERROR = "internal_error"  # a tidings bug on this page: please report it with the detail
    NOT_A_REGULAR_FILE = "not_a_regular_file"  # a FIFO, device, socket or folder: never opened
    TOO_LARGE = "too_large"  # more than CleaningConfig.max_input_bytes after decompression
    NOT_TEXT = "not_text"  # binary or garbled bytes: control and replacement characters, no markup
    REVISIT_UNRESOLVED = "revisit_unresolved"  # a WARC revisit whose original capture is not in the inputs
    BLOCKED_URL = "blocked_url"  # the crawler refused the URL (scheme, address, redirect): see docs/crawling.md


class Stage(enum.StrEnum):
    """Where in the pipeline a reject happened; the `stage` column of the rejects dataset."""

    READ = "read"
    DECODE = "decode"
    EXTRACT = "extract"
    FILTER = "filter"
    DEDUP = "dedup"


class QualityFlag(enum.StrEnum):
    """Codes of the `quality_flags` column: judgments that keep the article but warn the reader."""

    TRUNCATED = "truncated"  # the text stops mid-sentence
    INJECTED_KEYWORDS = "injected_keywords"  # a short foreign-script run inside a sentence (SEO spam trace)
    MIXED_LANGUAGE = "mixed_language"  # whole passages in a second language
    GLUED_SENTENCES = "glued_sentences"  # sentences run together with no space ("threats.Ir Tony")
    LIST_NUMBERING_LOST = "list_numbering_lost"  # every list item or heading numbered "1."
    MISSING_DATE = "missing_date"  # no publication date anywhere
    MISSING_TITLE = "missing_title"
    ENCODING_REPLACED = "encoding_replaced"  # some bytes could not be decoded and were replaced
    SHORT_TEXT = "short_text"  # kept, but shorter than CleaningConfig.short_text_chars
    DATE_IN_FUTURE = "date_in_future"  # published after it was fetched
    # published_at had a time but no offset, and neither the page nor the source named its zone:
    # it was read in CleaningConfig.default_timezone, and may be hours off
    TIMEZONE_ASSUMED = "timezone_assumed"


class DatePrecision(enum.StrEnum):
    """How much of `published_at` the source actually stated."""

    DAY = "day"  # only a calendar date: stored as midnight UTC of that day
    MINUTE = "minute"
    SECOND = "second"


class DateSource(enum.StrEnum):
    """Where `published_at` came from, strongest first."""

    FRONT_MATTER = "front_matter"
    JSON_LD = "json_ld"
    META = "meta"  # <meta property="article:published_time"> and friends
    TIME_ELEMENT = "time_element"  # <time datetime=...>
    FEED = "feed"  # the RSS/Atom entry or news sitemap that linked the page
    TEXT = "text"  # a dateline or "date YYYY-MM-DD" prefix in the text
    URL = "url"  # /2025/05/14/ in the article URL
    EXTRACTOR = "extractor"  # trafilatura/htmldate's guess, when nothing better exists


def _field(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc})


_STR = pa.large_string()
_STR_LIST = pa.list_(pa.large_string())
_UTC = pa.timestamp("us", tz="UTC")

ARTICLE_SCHEMA = pa.schema(
    [
        _field(
            "id",
            _STR,
            "Stable id: 16 hex chars of SHA-1 of the canonical URL, or of the text when there is no URL.",
            nullable=False,
        ),
        _field("url", _STR, "Canonical URL: no fragment, no tracking parameters; null when the input had none."),
        _field("source", _STR, "The sources.toml name, or the input folder name for offline input."),
        _field("site_name", _STR, "Publisher as the page names it (og:site_name, JSON-LD publisher, front matter)."),
        _field("title", _STR, "Headline, site suffix and Markdown emphasis removed."),
        _field("authors", _STR_LIST, "People who wrote the article; never the site's name."),
        _field("editors", _STR_LIST, "People named as editors (责任编辑, 編輯, 'Edited by')."),
        _field(
            "published_at",
            _UTC,
            "Publication time in UTC; midnight UTC when only the day is known. A notice or statement"
            " closing with a signature and a date is dated by that signature if the page posted it later.",
        ),
        _field(
            "published_offset_minutes",
            pa.int32(),
            "UTC offset, in minutes east, of the page's local time for published_at: the offset the page"
            " stated, else that of the zone the time was read in; for a day, the offset at its midnight of"
            " the zone the page or its source reveals (its other offsets, its locale); null when none does.",
        ),
        _field("published_precision", _STR, "day, minute or second: see DatePrecision."),
        _field("published_source", _STR, "Where the date came from: see DateSource."),
        _field("modified_at", _UTC, "Last update time in UTC, kept apart from published_at."),
        _field("language", _STR, "BCP-47 tag: en, zh-Hans, zh-Hant, yue, ja, ...; null when undetermined."),
        _field("language_confidence", pa.float64(), "0-1 confidence of the language label."),
        _field(
            "secondary_script_share",
            pa.float64(),
            "Share of letters in the document's second script (0 when one script).",
        ),
        _field("text", _STR, "Clean article body, one paragraph per line.", nullable=False),
        _field("text_chars", pa.int64(), "Characters in text.", nullable=False),
        _field("description", _STR, "Standfirst or meta description."),
        _field("categories", _STR_LIST, "Sections and categories as the source gives them."),
        _field("tags", _STR_LIST, "Keywords and tags."),
        _field("image_url", _STR, "Lead image."),
        _field(
            "content_hash", _STR, "SHA-1 of the normalized text; equal hashes are exact duplicates.", nullable=False
        ),
        _field("duplicate_of", _STR, "id of the canonical row this row duplicates (exact or near), else null."),
        _field("quality_flags", _STR_LIST, "Codes from QualityFlag, sorted."),
        _field(
            "boilerplate_rules",
            _STR_LIST,
            "Names of the boilerplate rules that removed text from this article, sorted.",
        ),
        _field("encoding", _STR, "Character encoding the page was decoded with (Python codec name)."),
        _field("fetched_at", _UTC, "When the raw page was fetched (WARC-Date, JSONL field), UTC."),
        _field("origin", _STR, "Where the raw page is: 'file.warc.gz@offset' or the input file path.", nullable=False),
        _field("tidings_version", _STR, "Version of tidings that wrote the row.", nullable=False),
    ],
    metadata={"tidings_dataset": "articles"},
)

REJECT_SCHEMA = pa.schema(
    [
        _field("origin", _STR, "Where the raw input is, as in articles.origin.", nullable=False),
        _field("url", _STR, "URL of the input, when known."),
        _field("source", _STR, "The sources.toml name or input folder name."),
        _field("stage", _STR, "Pipeline stage that rejected it: see Stage.", nullable=False),
        _field("reason", _STR, "Stable code from RejectReason.", nullable=False),
        _field(
            "detail",
            _STR,
            "Human-readable detail: the status code, the exception, the sizes; "
            "printable text of at most 1,000 characters (other characters escaped as \\x00).",
        ),
        _field("fetched_at", _UTC, "When the raw input was fetched, if known."),
        _field("tidings_version", _STR, "Version of tidings that wrote the row.", nullable=False),
    ],
    metadata={"tidings_dataset": "rejects"},
)

ARTICLE_COLUMNS: tuple[str, ...] = tuple(ARTICLE_SCHEMA.names)
REJECT_COLUMNS: tuple[str, ...] = tuple(REJECT_SCHEMA.names)

_COUNTS = pa.map_(pa.large_string(), pa.int64())

RUN_SCHEMA = pa.schema(
    [
        _field("run_id", _STR, "Unique id of the run (UUID4 hex).", nullable=False),
        _field("command", _STR, "What ran: clean or crawl (tidings demo records a crawl).", nullable=False),
        _field("status", _STR, "ok, or failed when the run raised (see error).", nullable=False),
        _field("error", _STR, "The error that ended a failed run, else null."),
        _field("started_at", _UTC, "When the run started, UTC.", nullable=False),
        _field("ended_at", _UTC, "When the run ended, UTC.", nullable=False),
        _field("seconds", pa.float64(), "Wall-clock duration of the run.", nullable=False),
        _field("inputs", _STR_LIST, "Input paths (clean) or the sources file (crawl)."),
        _field("sources", _STR_LIST, "Source names the crawl was limited to; empty for all or for clean."),
        _field("engine", _STR, "What cleaned the pages: local (this machine's processes) or dask."),
        _field("worker", _STR, "The worker id of a crawl with --frontier (as in its WARC names), else null."),
        _field("pages_read", pa.int64(), "Pages and records read from the inputs; null when the run cleaned nothing."),
        _field("articles", pa.int64(), "Articles the run produced."),
        _field("articles_new", pa.int64(), "Articles inserted into the dataset."),
        _field("articles_updated", pa.int64(), "Stored articles replaced by a newer fetch."),
        _field("articles_total", pa.int64(), "Rows in the articles dataset after the run."),
        _field("duplicates", pa.int64(), "Of the run's articles, how many point at a canonical row."),
        _field("rejects", pa.int64(), "Rejects written by the run."),
        _field("rejects_by_reason", _COUNTS, "Rejects written, per RejectReason code."),
        _field("languages", _COUNTS, "The run's articles per language tag ('und' when undetermined)."),
        _field("fetched", pa.int64(), "Responses downloaded (crawl; null for clean)."),
        _field("not_modified", pa.int64(), "Listings answered 304 Not Modified (crawl)."),
        _field("fetch_errors", pa.int64(), "Requests that failed: HTTP errors, DNS, timeouts, refused (crawl)."),
        _field("robots_skipped", pa.int64(), "URLs not fetched because robots.txt disallows them (crawl)."),
        _field("seen_skipped", pa.int64(), "Article URLs not fetched because an earlier crawl had them (crawl)."),
        _field("tidings_version", _STR, "Version of tidings that ran.", nullable=False),
        _field("config_hash", _STR, "SHA-256 (16 hex) of the cleaning settings and, for crawls, the sources file."),
    ],
    metadata={"tidings_dataset": "runs"},
)

RUN_COLUMNS: tuple[str, ...] = tuple(RUN_SCHEMA.names)
