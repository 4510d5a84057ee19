"""Find a page's printed dateline: in the header between headline and body, or atop the body.

Old portal layouts state the date nowhere but in the visible header ("2005年03月21日 11:21
来源：…", "发布时间：2022-02-13 04:22:18"); press releases state it in the first paragraph
("HONG KONG SAR - Media OutReach Newswire - 14 May 2025"). Dates further down the body are
events the article tells of, not its publication, and are not taken.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from cleaning.metadata.dates import MIN_YEAR, ParsedDate, iter_dates, nfkc, normalize_digits
from cleaning.schema import DatePrecision

__all__ = [
    "FoundDate",
    "TextDates",
    "article_lines",
    "find_dates",
    "modified_date",
    "signature_date",
    "text_dates",
    "url_date",
]


class FoundDate(NamedTuple):
    """A date found in running text, with where it was and the label before it."""

    date: ParsedDate
    start: int
    label: str  # "published", "modified" or ""


_BODY_TOP_LINES = 4  # a dateline sits in the first paragraphs
_LINE_CHARS = 300  # and near the start of its paragraph
_HEADER_LINES = 12  # at most this many lines between headline and body are header
_ABOVE_LINES = 3  # and this many above the headline (a kicker, the section, a date)
_NEEDLE_LINES, _NEEDLES = 8, 4  # the body is located by up to 4 of its first 8 lines
_CONFIRM_LINES = 40  # which must follow the place found within this many page lines
_SIGNATURE_CHARS = 40
# an unlabelled date is a dateline when it starts within this many characters of its line
# ("HONG KONG SAR - Media OutReach Newswire - 14 May 2025") or its line is this short
_DATELINE_START, _DATELINE_CHARS = 60, 80
# two lower-case Latin words in a row: a clause (Chinese and Japanese datelines have no spaces to test)
_CLAUSE = re.compile(
    r"(?:^|\s)[a-zß-öø-ÿ][\w'’-]*\s+[a-zß-öø-ÿ]"
)  # a signature line names who issued the document: a short line, no sentence
# what a line holding only a date may also hold: digits, date and weekday words, times
_DATE_LINE = re.compile(
    r"[\d\s\-/.,:()（）年月日号號〇零一二三四五六七八九十]|(?:星期|周|週|禮拜|礼拜).|[上下]午"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b[ap]\.?m\b\.?",
    re.I,
)
_SENTENCE_END = re.compile(r"[。！？；!?;，,：:]|\.\s|\.$")


@dataclasses.dataclass
class TextDates:
    """Candidate dates from the visible page and the body, strongest first."""

    published: list[ParsedDate] = dataclasses.field(default_factory=list)
    modified: list[ParsedDate] = dataclasses.field(default_factory=list)
    header_lines: list[str] = dataclasses.field(default_factory=list)
    signed: ParsedDate | None = None  # the date under the signature that closes a notice, statement or letter
    # the page's own dateline: a date labelled as published, or the one under the headline the
    # body follows; None when the strongest printed date is only a loose date atop the body
    dateline: ParsedDate | None = None


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> str:
    # cached: the header search compares every page line with several needles
    return "".join(nfkc(text).split())


class _Keys:
    """The _key of each page line, searchable as one string: a search in C for a needle skips the
    lines without it.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self.keys = [_key(line) for line in lines]
        # keys hold no whitespace, nor do needles, which are parts of keys: a match lies in one line
        self.joined = "\n".join(self.keys)
        self.starts = [0, *itertools.accumulate(len(key) + 1 for key in self.keys)][: len(self.keys)]

    def first(self, needle: str, start: int = 0, stop: int | None = None) -> int | None:
        """Return the first line from start (and before stop) whose key holds needle."""
        stop = len(self.keys) if stop is None else min(stop, len(self.keys))
        if start >= stop:
            return None
        at = self.joined.find(needle, self.starts[start])
        if at < 0:
            return None
        line = bisect.bisect_right(self.starts, at) - 1
        return line if line < stop else None

    def holding(self, needle: str) -> Iterator[int]:
        """Yield each line whose key holds needle, in order."""
        line = self.first(needle)
        while line is not None:
            yield line
            line = self.first(needle, line + 1)


# cached: the header search, the body's start and article_lines read the same page lines
@functools.lru_cache(maxsize=4)
def _page_keys(lines: tuple[str, ...]) -> _Keys:
    return _Keys(lines)


def _body_start(lines: Sequence[str], text_lines: Sequence[str]) -> int | None:
    # the first substantial body lines (table-layout extractions start with empty cells); a
    # line such as a timestamp or a short heading also sits in sidebars and archive lists, so
    # each place a needle is found is scored by how many of the following needles come right
    # after it, in order; the best-confirmed place wins (ties: the tighter, then the earlier)
    needles = tuple([_key(line)[:16] for line in text_lines[:_NEEDLE_LINES] if len(_key(line)) >= 8][:_NEEDLES])
    if not needles:
        return None
    return _confirmed_start(tuple(lines), needles)


# cached: text_dates and then pick_authors's article_lines look for the same needles in the same
# page lines (when the body has no lead credits above it)
@functools.lru_cache(maxsize=4)
def _confirmed_start(lines: tuple[str, ...], needles: tuple[str, ...]) -> int | None:
    keys = _page_keys(lines)
    best: tuple[int, int, int, int] | None = None  # (-confirmations, span, needle, line)
    for n, needle in enumerate(needles):
        for i in keys.holding(needle):
            confirmed, at = 0, i
            for later in needles[n + 1 :]:
                # in reading order: the next needle at or after the previous one
                found = keys.first(later, at, i + _CONFIRM_LINES)
                if found is not None:
                    confirmed, at = confirmed + 1, found
            candidate = (-confirmed, at - i, n, i)
            if best is None or candidate < best:
                best = candidate
        if best is not None and -best[0] == len(needles) - n - 1:
            break  # every later needle confirms this place: no later needle can do better
    return best[3] if best is not None else None


def article_lines(lines: Sequence[str], text_lines: Sequence[str], *, after: int = 6) -> list[str]:
    """Return the page lines from the body's first line to a few lines past its last one,
    where bylines and editor lines the extractor dropped still sit.
    """
    start = _body_start(lines, text_lines)
    if start is None:
        return []
    end = start
    for line in reversed(text_lines[-5:]):
        if len(_key(line)) >= 8:
            needle = _key(_key(line)[:12])
            found = _page_keys(tuple(lines)).first(needle, start) if len(needle) >= 4 else None
            if found is not None:
                end = found
                break
    return list(lines[start : end + after + 1])


def _header_windows(
    lines: Sequence[str], text_lines: Sequence[str], titles: Sequence[str]
) -> list[tuple[int, int, int]]:
    """Return (start, headline, end) line windows around each headline candidate, best first."""
    body = _body_start(lines, text_lines)
    keys = _page_keys(tuple(lines))
    windows = []
    for title in titles:
        whole = _key(title)
        key = whole[:12]
        if len(key) < 4:
            continue
        # the headline is the line that holds the whole title, the tightest first: not a
        # related-links entry quoting it, nor a shorter heading that shares its first words
        # ("Blasius-Segen corona-konform?" in the body of "Blasius-Segen: Schutz vor
        # Halskrankheiten"); of several such lines, one the body follows or starts with comes
        # first, not the same headline in a ticker atop the page
        ranked = []
        for i in keys.holding(key):
            line_key = keys.keys[i]
            whole_line = whole in line_key
            own = whole_line and body is not None and 0 <= body - i <= _HEADER_LINES
            ranked.append((not whole_line, not own, len(line_key) - len(whole), i))
        heads: list[int] = []
        for *_, i in sorted(ranked):
            # two places, not the headline and the breadcrumb right above it that quotes it
            if all(abs(i - head) > 1 for head in heads):
                heads.append(i)
        for head in heads[:2]:
            end = body if body is not None and 0 < body - head <= _HEADER_LINES else head + _HEADER_LINES
            windows.append((max(0, head - _ABOVE_LINES), head, min(len(lines), end + 1)))
    if body is not None:
        # a headline the body follows or starts with is the article's own; one further up
        # quotes it (a ticker atop the page, a teaser list, each over other stories' dates)
        windows.sort(key=lambda window: not 0 <= body - window[1] <= _HEADER_LINES)
        start = max(0, body - _HEADER_LINES // 2)
        windows.append((start, start, body + 1))
    return list(dict.fromkeys(windows))


def text_dates(
    page_lines: Sequence[str],
    text_lines: Sequence[str],
    titles: Sequence[str],
    tz: dt.tzinfo,
    *,
    day_first: bool = False,
) -> TextDates:
    """Return the dates the page prints for itself, strongest first (day_first: see iter_dates).

    Order: labelled then unlabelled dates in the header window; labelled dates atop the body;
    labelled dates anywhere else in the page; unlabelled datelines atop the body.
    """
    result = TextDates()
    header: list[FoundDate] = []
    windows = _header_windows(page_lines, text_lines, titles)
    primary = True
    for n, (start, head, end) in enumerate(windows):
        # a dateline under the headline beats one above it (often a related story's)
        below = _datelines(page_lines[head:end], tz, day_first)
        above = _datelines(page_lines[start:head], tz, day_first)
        header = below + above
        if header:
            result.header_lines = list(page_lines[start:end])
            primary = n == 0
            break
    else:
        # an undated header still carries the byline ("作者：…" between headline and body)
        if windows:
            start, _, end = windows[0]
            result.header_lines = list(page_lines[start:end])
    top = _datelines([line[:_LINE_CHARS] for line in text_lines[:_BODY_TOP_LINES]], tz, day_first)
    # a label's date may sit on the next line ("发布日期：" in one cell, the date in the next)
    labelled_lines = [
        f"{line} {page_lines[i + 1] if i + 1 < len(page_lines) else ''}"
        for i, line in _published_label_lines(page_lines)
    ]
    elsewhere = [
        f for f in find_dates("\n".join(labelled_lines), timezone=tz, day_first=day_first) if f.label == "published"
    ]
    # an unlabelled date by a later headline candidate (the headline quoted over the comments,
    # "Ein Gedanke zu „…“" then a commenter's date) yields to a date labelled as published
    plain = [f.date for f in header if not f.label]
    strong = (
        [f.date for f in header if f.label == "published"]
        + (plain if primary else [])
        + [f.date for f in top if f.label == "published"]
        + [f.date for f in elsewhere]
    )
    result.dateline = strong[0] if strong else None
    result.published = strong + ([] if primary else plain) + [f.date for f in top if not f.label]
    result.modified = [f.date for f in header + top if f.label == "modified"]
    result.signed = signature_date(text_lines, tz)
    return result


def _datelines(lines: Sequence[str], tz: dt.tzinfo, day_first: bool) -> list[FoundDate]:
    """Return the dates of lines, in order, that read as datelines: labelled ones, and unlabelled
    ones near the start of a line or on a short line; "am 18. Oktober 2021 eröffnet" inside a
    sentence is an event the article tells of.
    """
    found = []
    for line in lines:
        for item in find_dates(line, timezone=tz, day_first=day_first):
            if item.label == "other":
                continue
            if item.label or len(line) <= _DATELINE_CHARS:
                found.append(item)
                continue
            # a dateline's head names places and agencies, not a clause ("wurde am", "was opened on")
            head = normalize_digits(line)[: item.start]
            if item.start <= _DATELINE_START and not _CLAUSE.search(head):
                found.append(item)
    return found


def signature_date(text_lines: Sequence[str], tz: dt.tzinfo) -> ParsedDate | None:
    """Return the date that closes the body under a signature line, if the body ends so.

    Notices, statements and letters end with who issued them and when ("吉林省人民政府" then
    "2022年1月27日"; "The Board" then "27 January 2022"): the date the document was issued.
    """
    lines = [line.strip(" \t\u3000") for line in text_lines if line.strip(" \t\u3000")]
    if len(lines) < 3:
        return None
    signer, last = lines[-2], lines[-1].strip("()（）[]【】")
    if _DATE_LINE.sub("", last) or len(signer) > _SIGNATURE_CHARS or _SENTENCE_END.search(signer):
        return None
    if find_dates(signer, timezone=tz):
        return None
    found = find_dates(last, timezone=tz)
    if len(found) != 1 or found[0].start != 0:
        return None
    return found[0].date


_PUBLISHED_LABEL = re.compile(
    r"(?:发布|發布|发表|發表|出版|刊登|上传|上傳|成文)(?:时间|時間|日期|于|於)?|(?:日期|时间|時間|date|published(?:\s+on)?|posted(?:\s+on)?|released?)",
    re.I,
)
_MODIFIED_LABEL = re.compile(
    r"(?:更新|修改|修订|修訂)(?:时间|時間|日期|于|於)|updated(?:\s+on)?|last\s+modified|modified", re.I
)
# the same labels in the other languages of our sources, read only right before the date
# ("Erschienen am: 01.11.2023", "Mis à jour le", "Zuletzt aktualisiert am"); "Registriert:
# 18.09.2008" under a forum post's author says when the poster joined, never a publication
_LABEL_TAIL = r")\s*(?:am|le|el|em|en|il|op|den|on)?\s*$"
_OTHER_LABELS = re.compile(
    r"(?:\b(?:registriert|mitglied\s+seit|dabei\s+seit|joined|member\s+since|registered|inscrit\s+depuis"
    r"|registrado|geboren|born)|注册时间|註冊時間|注册于|註冊於|加入时间|加入時間|注册日期|入会" + _LABEL_TAIL,
    re.I,
)
_MODIFIED_LABELS = re.compile(
    r"(?:\b(?:(?:zuletzt\s+)?aktualisiert|(?:zuletzt\s+)?geändert|letzte\s+änderung|stand|mis\s+à\s+jour|modifié"
    r"|actualizado|atualizado|aggiornato|bijgewerkt|zaktualizowano|aktualizacja|päivitetty)|最終更新日?|更新日"
    + _LABEL_TAIL,
    re.I,
)
_PUBLISHED_LABELS = re.compile(
    r"(?:\b(?:veröffentlicht|erschienen|publiziert|datum|publié|publicado|publicada|pubblicato|gepubliceerd"
    r"|opublikowano|julkaistu)|公開日|投稿日|掲載日|配信日" + _LABEL_TAIL,
    re.I,
)
# a label may also follow its date on the line ("… wurde am 19. Mai 2010 um 23:03 Uhr gepostet",
# "2022年2月13日 10:22 发布"), with at most a time between them; a Latin verb must end its word
# ("am 24. Mai 2022 veröffentlichten Bericht" is an adjective: an event the text tells of), and
# "发布的" opens a clause the same way. A label followed by a date is that date's ("… 05:49 /
# atualizado em 04/05/2022"). Chinese portals print their one timestamp as "2005-04-05 06:40更新":
# a trailing 更新 is no update, so only the Latin update words read as one after the date
_AFTER_CHARS = 60
_WORD_END = r"(?![^\W\d_])"
_MODIFIED_AFTER = re.compile(
    r"(?:aktualisiert|geändert|mis\s+à\s+jour|modifié|actualizado|atualizado|aggiornato|bijgewerkt|updated|modified)"
    + _WORD_END,
    re.I,
)
_PUBLISHED_AFTER = re.compile(
    r"(?:veröffentlicht|gepostet|erschienen|publiziert|publié|publicado|publicada|pubblicato|gepubliceerd"
    r"|opublikowano|julkaistu|published|posted|发布|發佈|發布|发表|發表)" + _WORD_END + "(?!的)",
    re.I,
)
# what may sit between a date and the label after it, besides the date's month: its time
_TIME_WORDS = re.compile(
    r"(?:\b(?:um|uhr|at|à|a|las|alle|ore|om|o|godz|de|del|di|du|le|el|[ap]\.?m\.?)|(?<=\d)h)" + _WORD_END, re.I
)
_DATE_CHARS = re.compile(r"[年月日时時分秒点點号號]")
_NEXT_DATE = re.compile(r"[\s:：,]*(?:(?:am|on|le|el|em|en|a|il|op)\s+)?\d", re.I)

# a line worth searching for a labelled date anywhere on the page
_ANY_PUBLISHED_LABEL = re.compile(
    f"{_PUBLISHED_LABEL.pattern}|{_PUBLISHED_LABELS.pattern[: -len(_LABEL_TAIL)]})|{_PUBLISHED_AFTER.pattern}", re.I
)
# every match of _ANY_PUBLISHED_LABEL holds one of these words in the lower-cased line: one
# case-sensitive search for them costs a fifth of the case-insensitive pattern's, and most page
# lines hold none. Under re.I an ASCII letter also matches "İ", "ı", "ſ" and the Kelvin sign;
# lower() maps the Kelvin sign to "k" but not the other three, so a line with those skips the test
_LABEL_WORD_LIST = (
    *("date", "publi", "posted", "gepostet", "release", "datum", "erschienen", "pubblicato", "gepubliceerd"),
    *("opublikowano", "julkaistu", "veröffentlicht"),
    *("发布", "發布", "發佈", "发表", "發表", "出版", "刊登", "上传", "上傳", "成文", "日期", "时间", "時間"),
    *("公開日", "投稿日", "掲載日", "配信日"),
)
# the words grouped by their first character ("d(?:ate|atum)|p(?:ubli|osted|ubblicato)|…"): at a
# character that starts several, the pattern tests it once, not once per word (a sixth less time
# over a page's lines); at any place the same word matches, as words with other first characters
# cannot match there
_LABEL_WORDS = re.compile(
    "|".join(
        f"{first}(?:{'|'.join(word[1:] for word in _LABEL_WORD_LIST if word[0] == first)})"
        for first in dict.fromkeys(word[0] for word in _LABEL_WORD_LIST)
    )
)
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f")


def _published_label_lines(lines: Sequence[str]) -> list[tuple[int, str]]:
    """Return (index, line) of the lines _has_published_label passes, in order: its screen run
    once over all lines (a page has a few hundred, and most hold no label word).
    """
    text = "\n".join(lines)
    if text.count("\n") != max(0, len(lines) - 1):  # a line of several: each on its own
        return [(i, line) for i, line in enumerate(lines) if _has_published_label(line)]
    # lower() maps a newline to itself and reads no context across one, and no label word holds
    # one: each match lies in one line's lower-cased text; a count of newlines before it says which
    lowered = text.lower()
    screened = set()
    line, at = 0, 0
    for match in _LABEL_WORDS.finditer(lowered):
        line += lowered.count("\n", at, match.start())
        at = match.start()
        screened.add(line)
    if not text.isascii() and any(c in text for c in _FOLDS_TO_ASCII):
        screened.update(i for i, line_text in enumerate(lines) if any(c in line_text for c in _FOLDS_TO_ASCII))
    return [(i, lines[i]) for i in sorted(screened) if _ANY_PUBLISHED_LABEL.search(lines[i])]


def _has_published_label(line: str) -> bool:
    if (line.isascii() or not any(c in line for c in _FOLDS_TO_ASCII)) and not _LABEL_WORDS.search(line.lower()):
        return False
    return bool(_ANY_PUBLISHED_LABEL.search(line))


# every line _label_before reads as an update label holds one of these words, lower-cased
_MODIFIED_WORDS = re.compile(
    "updated|modified|aktualisiert|geändert|änderung|stand|mis à jour|modifié|actualizado|atualizado|aggiornato"
    "|bijgewerkt|zaktualizowano|aktualizacja|päivitetty|更新|修改|修订|修訂"
)


def modified_date(page_lines: Sequence[str], tz: dt.tzinfo, *, day_first: bool = False) -> ParsedDate | None:
    """Return the first date the page labels as its last change, anywhere on it ("Letzte
    Änderung: 14.01.2022 um 09:25" in the page's footer, "最終更新日：2019年4月2日" under the headline).
    """
    for i, line in enumerate(page_lines):
        if not _MODIFIED_WORDS.search(line.lower()):
            continue
        # the label's date may sit on the next line, in the next cell
        both = f"{line} {page_lines[i + 1] if i + 1 < len(page_lines) else ''}"
        found = next((f for f in find_dates(both, timezone=tz, day_first=day_first) if f.label == "modified"), None)
        if found is not None:
            return found.date
    return None


# the short labels ending right before the date, however long: "Last updated on", "Posted on"
# (the last 8 characters of "updated on" are "dated on", which read as the published "date")
_MODIFIED_LABEL_END = re.compile(f"(?:{_MODIFIED_LABEL.pattern})$", re.I)
_PUBLISHED_LABEL_END = re.compile(f"(?:{_PUBLISHED_LABEL.pattern})$", re.I)


def _label_before(text: str, start: int) -> str:
    # the label is what sits right before the date: "发布时间：", "【日期：", "Updated:"
    before = text[max(0, start - 28) : start]
    before = re.sub(r"[\s:：【\[(（|丨]+$", "", before)
    if _OTHER_LABELS.search(before):
        return "other"
    if _MODIFIED_LABEL_END.search(before) or _MODIFIED_LABEL.search(before[-8:]) or _MODIFIED_LABELS.search(before):
        return "modified"
    if _PUBLISHED_LABEL_END.search(before) or _PUBLISHED_LABEL.search(before[-8:]) or _PUBLISHED_LABELS.search(before):
        return "published"
    return ""


def _label_after(text: str, start: int) -> str:
    end = text.find("\n", start)
    after = text[start : min(start + _AFTER_CHARS, len(text) if end < 0 else end)]
    labels = [
        (m.start(), label, m.end())
        for label, pattern in (("modified", _MODIFIED_AFTER), ("published", _PUBLISHED_AFTER))
        if (m := pattern.search(after))
    ]
    if not labels:
        return ""
    at, label, label_end = min(labels)
    if _NEXT_DATE.match(after, label_end):
        return ""
    # the date itself holds at most one word (its month); more words make a clause
    if len(re.findall(r"[^\W\d_]+", _DATE_CHARS.sub(" ", _TIME_WORDS.sub(" ", after[:at])))) > 1:
        return ""
    return label


def find_dates(text: str, *, timezone: dt.tzinfo = dt.UTC, day_first: bool = False) -> list[FoundDate]:
    """Return every date written in text, in reading order, with the label before it (or after it)."""
    return list(_found_dates(text, timezone, day_first))


# cached: the header windows around each headline candidate overlap, and text_dates reads their
# lines again for each (a fifth of the calls on the trafilatura set repeat one)
@functools.lru_cache(maxsize=512)
def _found_dates(text: str, timezone: dt.tzinfo, day_first: bool) -> tuple[FoundDate, ...]:
    text = normalize_digits(text)
    found = [
        FoundDate(parsed, start, _label_before(text, start) or _label_after(text, start))
        for start, parsed in iter_dates(text, timezone, day_first=day_first)
    ]
    # where two patterns read one spot, the first listed pattern's reading stands
    seen: set[int] = set()
    unique = []
    for item in sorted(found, key=lambda f: f.start):
        if item.start not in seen:
            seen.add(item.start)
            unique.append(item)
    return tuple(unique)


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)")
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])/")


def url_date(url: str | None) -> ParsedDate | None:
    """Return the /2025/05/14/ or /20250514/ date in an article's own URL path, if any."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I).split("?", 1)[0]
    match = _URL_DATE.search(path)
    if match is None:
        return None
    try:
        day = dt.datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), tzinfo=dt.UTC)
    except ValueError:
        return None
    return ParsedDate(day, DatePrecision.DAY) if day.year >= MIN_YEAR else None
