"""Flag quality problems, repair what is repairable, reject what is too short to use."""

from __future__ import annotations

import re

import pandas as pd

from cleaning.schema import QualityFlag, RejectReason, Stage
from cleaning.step import StepResult, add_flags, require_columns, split

__all__ = ["drop_short_texts", "flag_quality", "is_truncated", "numbering_lost", "split_glued_sentences"]

# --- truncated ---------------------------------------------------------------------------

_TERMINAL = frozenset(".!?。！？．｡…")
# at the very end of a text every quote closes something, whichever way it is drawn
_QUOTES_AND_SPACES = (
    "\"'\u2018\u2019\u201c\u201d\u00ab\u00bb\u300c\u300d\u300e\u300f\u301d\u301e\uff02 \t\u00a0\u202f\u3000"
)
_CLOSING_BRACKETS = frozenset(")]}）】》〉］｝")
_CONTINUING = frozenset(",，、:：;；-–—")
# A teaser cut by a feed or CMS ends like this; a finished text does not.
_CUT_MARKERS = re.compile(r"(?:\[(?:\.\.\.|…)\]|\((?:\.\.\.|…)\)|(?<![.…])(?:\.\.\.|…))\s*$")
_WORD = re.compile(r"[^\W\d_]+")
_URL_END = re.compile(r"(?:://|www\.)\S*$")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# a sentence that ends inside the line, and the first letter of the next one
_INNER_END = re.compile(
    r"(?P<left>(?<![^\W_])[^\W\d_]+|(?<!\d)\d+)[.!?][\"'\u201d\u2019\u00bb)\]]*\s+"
    r"[\"'\u201c\u2018\u00ab(\[]*(?P<next>[^\W\d_])"
)
_INNER_END_CJK = re.compile(r"[。！？][」』”’\"'）)]*[^\s」』”’\"'）)]")
# A last line shorter than this (a signature, "Tel: 2345 6789", a photo credit) says nothing
# about whether the text was cut; only a last line of prose does.
_PROSE_MIN_WORDS = 8
_PROSE_MIN_HAN = 15


def _starts_new_sentence(line: str) -> bool:
    """Tell whether a sentence ends inside line and another begins after it."""
    if _INNER_END_CJK.search(line):
        return True
    for match in _INNER_END.finditer(line):
        left, following = match.group("left"), match.group("next")
        if left.isalpha() and (len(left) < 2 or left.lower() in _ABBREVIATIONS):
            continue  # "Dr. Li", "U.S. officials"
        if not following.islower():  # capitalised, or a script without case
            return True
    return False


def is_truncated(text: str) -> bool:
    """Tell whether text stops mid-sentence.

    True when it ends with a cut marker ("…", "[...]"), or when its last line is prose
    that stops without final punctuation after a comma-like mark or after a finished
    sentence ("... landscape. As Hong Kong"). A last line that is one unpunctuated sentence
    is left alone: author notes, credits and captions end that way on purpose.
    """
    stripped = text.rstrip()
    if not stripped:
        return False
    if _CUT_MARKERS.search(stripped[-8:]):  # the longest marker, "[...]", fits; speed
        return True
    last_line = stripped.rsplit("\n", 1)[-1]
    if _URL_END.search(last_line):
        return False  # a link closes many articles; the words of a URL are not prose
    if len(_WORD.findall(last_line)) < _PROSE_MIN_WORDS and len(_HAN.findall(last_line)) < _PROSE_MIN_HAN:
        return False
    end = stripped.rstrip(_QUOTES_AND_SPACES)
    # a closing bracket ends a complete aside: "(Reporting by ...)", "（编辑 李艳霞）"
    if not end or end[-1] in _CLOSING_BRACKETS or end[-1] in _TERMINAL:
        return False
    return end[-1] in _CONTINUING or _starts_new_sentence(last_line)


# --- glued sentences -----------------------------------------------------------------------

# word, sentence punctuation, optional quote, then a capitalised word: "threats.Ir Tony",
# "Hong Kong.\"Dr Rocky". Lowercase ("example.com"), digits ("3.5", "v1.2") and all-caps
# ("ASP.NET") after the stop never match. The lookbehinds start a word only after a
# non-letter: without them a long run of letters costs quadratic time.
_GLUED = re.compile(
    r"(?P<left>(?<![A-Za-z0-9'\u2019])(?:[A-Za-z]+['\u2019])?[A-Za-z]+|(?<![0-9])[0-9]+%?|[)\]])"
    r"(?P<stop>[.!?])(?P<quote>[\"\u201c\u201d]?)(?=[A-Z][a-z])"
)
_GLUE_CANDIDATE = re.compile(r"[.!?][\"\u201c\u201d]?[A-Z][a-z]")
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "vs",
        "no",
        "vol",
        "fig",
        "gov",
        "sen",
        "rep",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "mt",
        "ft",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "dept",
        "est",
        "ir",
        "hon",
    }
)
_DOMAIN_ENDINGS = frozenset(
    {
        "com",
        "net",
        "org",
        "gov",
        "edu",
        "info",
        "biz",
        "io",
        "ai",
        "hk",
        "cn",
        "uk",
        "co",
        "us",
        "tv",
        "me",
        "app",
        "dev",
    }
)
_URL_TOKEN = re.compile(r"://|www\.|@|/")


def _glued_points(text: str) -> list[int]:
    """Return the offsets where a new sentence starts glued to the previous one."""
    points: list[int] = []
    if not _GLUE_CANDIDATE.search(text):  # speed: most texts have no candidate at all
        return points
    for match in _GLUED.finditer(text):
        left = match.group("left")
        if left.isalpha() and (len(left) < 2 or left.lower() in _ABBREVIATIONS):
            continue  # "U.S.", "e.g.", "p.m.", "Prof.Li", "Mr.Smith": not a sentence end
        token_start = text.rfind(" ", 0, match.start()) + 1
        token_end = min(
            (i for i in (text.find(" ", match.end()), text.find("\n", match.end())) if i >= 0), default=len(text)
        )
        token = text[token_start:token_end]
        right = _WORD.match(text, match.end())
        if _URL_TOKEN.search(token) or (right and right.group().lower() in _DOMAIN_ENDINGS):
            continue
        quote = match.group("quote")
        cut = match.end()
        if quote == "\u201c" or (quote == '"' and _opens_quote(text, match.start("quote"))):
            cut = match.start("quote")  # the quote opens the next sentence
        points.append(cut)
    return points


def _opens_quote(text: str, at: int) -> bool:
    """Tell whether the straight quote at `at` opens a quotation (an even number precede it)."""
    paragraph_start = text.rfind("\n", 0, at) + 1
    return text.count('"', paragraph_start, at) % 2 == 0


def split_glued_sentences(text: str) -> tuple[str, int]:
    """Put each glued sentence on its own line; return the text and how many were split.

    Archived pages often lose the break between paragraphs ("threats.Ir Tony Wong");
    the text keeps one paragraph per line, so each glued point becomes a line break.
    CJK text is left alone: it has no spaces between sentences to lose.
    """
    points = _glued_points(text)
    if not points:
        return text, 0
    parts = []
    previous = 0
    for point in points:
        parts.append(text[previous:point])
        previous = point
    parts.append(text[previous:])
    return "\n".join(parts), len(points)


# --- lost list numbering -----------------------------------------------------------------

_NUMBERED = re.compile(r"^[ \t\u3000]*(\d{1,3})[.)、．][ \t\u3000]*\S", re.MULTILINE)
_MIN_NUMBERED_ITEMS = 3


def numbering_lost(text: str) -> bool:
    """Tell whether every numbered line says "1." (an HTML <ol> flattened without its counter)."""
    numbers = _NUMBERED.findall(text)
    return len(numbers) >= _MIN_NUMBERED_ITEMS and set(numbers) == {"1"}


# --- the step ------------------------------------------------------------------------------

_FUTURE_TOLERANCE = pd.Timedelta(days=1)  # time zones and clock skew, not a future date


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, errors="coerce")


def flag_quality(articles: pd.DataFrame, *, short_text_chars: int) -> StepResult:
    """Flag doubtful articles and split sentences that were glued together.

    Reads:   text, published_at, fetched_at, title, quality_flags
    Writes:  text (glued sentences split onto their own lines), text_chars,
             quality_flags (adds truncated, glued_sentences, list_numbering_lost,
             missing_date, missing_title, short_text, date_in_future)
    Rejects: nothing
    """
    require_columns(articles, "text", "published_at", "fetched_at", "title", "quality_flags", step="flag_quality")
    repaired = [split_glued_sentences(text) for text in articles["text"]]
    texts = [text for text, _ in repaired]
    published = _utc(articles["published_at"])
    fetched = _utc(articles["fetched_at"])
    future = (published - fetched) > _FUTURE_TOLERANCE
    new_flags = []
    for (text, glued), title, date, ahead in zip(repaired, articles["title"], published, future, strict=True):
        flags = []
        if glued:
            flags.append(QualityFlag.GLUED_SENTENCES)
        if is_truncated(text):
            flags.append(QualityFlag.TRUNCATED)
        if numbering_lost(text):
            flags.append(QualityFlag.LIST_NUMBERING_LOST)
        if pd.isna(date):
            flags.append(QualityFlag.MISSING_DATE)
        if not isinstance(title, str) or not title.strip():
            flags.append(QualityFlag.MISSING_TITLE)
        if len(text) < short_text_chars:
            flags.append(QualityFlag.SHORT_TEXT)
        if bool(ahead):
            flags.append(QualityFlag.DATE_IN_FUTURE)
        new_flags.append([flag.value for flag in flags])
    flagged = articles.assign(
        text=texts,
        text_chars=[len(text) for text in texts],
        quality_flags=pd.Series(add_flags(articles["quality_flags"], new_flags), index=articles.index, dtype=object),
    )
    return StepResult(kept=flagged, rejected=articles.iloc[0:0])


def drop_short_texts(articles: pd.DataFrame, *, min_text_chars: int) -> StepResult:
    """Reject articles whose body is too short to use.

    Reads:   text
    Writes:  nothing
    Rejects: text_too_short
    """
    require_columns(articles, "text", step="drop_short_texts")
    chars = articles["text"].str.len()
    return split(
        articles,
        chars >= min_text_chars,
        stage=Stage.FILTER,
        reason=RejectReason.TEXT_TOO_SHORT,
        detail=[f"{n} characters" for n in chars],
    )
