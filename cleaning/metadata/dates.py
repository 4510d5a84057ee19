"""Parse publication dates as pages, feeds and front matter write them, into UTC instants.

Every parser returns a ParsedDate (a tz-aware UTC datetime and how much of it the source
stated) or None; none of them raises on junk. A time without an offset is read in the
source's timezone; a date without a time, or with the placeholder time 00:00 and no offset
(in every form: ISO, RFC 822, asctime, written dates), is midnight UTC of that calendar day,
so the stored day is the day the page printed and no zone conversion moves it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cleaning.schema import DatePrecision

__all__ = ["MIN_YEAR", "ParsedDate", "iter_dates", "nfkc", "normalize_digits", "parse_date", "zone"]

# before the web there are no news pages; a candidate older than this is a misread number
MIN_YEAR = 1990


class ParsedDate(NamedTuple):
    """A UTC instant, how precisely the source stated it, and the UTC offset it stated (minutes
    east of UTC; None when the source wrote no offset, or only a day).
    """

    at: dt.datetime
    precision: DatePrecision
    offset: int | None = None


def _minutes(tz: dt.tzinfo | None, at: dt.datetime) -> int | None:
    delta = tz.utcoffset(at) if tz is not None else None
    return None if delta is None else int(delta.total_seconds() // 60)


def zone(name: str | None, default: str) -> dt.tzinfo:
    """Return the named zone, falling back to default, then to UTC."""
    for candidate in (name, default):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return dt.UTC


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            # English, German, French, Spanish, Portuguese, Italian, Dutch, the Nordic languages,
            # Polish, Czech, Russian, Ukrainian, Finnish and Turkish, with the abbreviations
            # each prints ("janv.", "févr.", "dic.", "Mrz.", "сент."); the Slavic and Finnish
            # names in the case a date puts them in ("4 maja 2021", "22 сентября 2021"). Not the
            # abbreviations that are English words ("gen", "set", "out", "mag", "ago"): "the
            # 2nd gen 2020 model" is no date
            (
                "jan",
                "january",
                "januar",
                "jänner",
                "jän",
                "janvier",
                "janv",
                "enero",
                "ene",
                "janeiro",
                "gennaio",
                "januari",
                "stycznia",
                "styczeń",
                "ledna",
                "января",
                "янв",
                "січня",
                "tammikuuta",
                "ocak",
            ),
            (
                "feb",
                "february",
                "februar",
                "feber",
                "février",
                "fevrier",
                "févr",
                "fevr",
                "fév",
                "febrero",
                "fevereiro",
                "fev",
                "febbraio",
                "februari",
                "lutego",
                "luty",
                "února",
                "февраля",
                "фев",
                "лютого",
                "helmikuuta",
                "şubat",
            ),
            (
                "mar",
                "march",
                "märz",
                "maerz",
                "mrz",
                "mars",
                "marzo",
                "março",
                "marco",
                "maart",
                "mrt",
                "mär",
                "marts",
                "marca",
                "marzec",
                "března",
                "марта",
                "березня",
                "maaliskuuta",
                "mart",
            ),
            (
                "apr",
                "april",
                "avril",
                "avr",
                "abril",
                "abr",
                "aprile",
                "kwietnia",
                "kwiecień",
                "dubna",
                "апреля",
                "апр",
                "квітня",
                "huhtikuuta",
                "nisan",
            ),
            (
                "may",
                "mai",
                "mayo",
                "maio",
                "maggio",
                "mei",
                "maj",
                "maja",
                "května",
                "мая",
                "травня",
                "toukokuuta",
                "mayıs",
            ),
            (
                "jun",
                "june",
                "juni",
                "juin",
                "junio",
                "junho",
                "giugno",
                "giu",
                "czerwca",
                "czerwiec",
                "června",
                "июня",
                "июн",
                "червня",
                "kesäkuuta",
                "haziran",
            ),
            (
                "jul",
                "july",
                "juli",
                "juillet",
                "juil",
                "julio",
                "julho",
                "luglio",
                "lug",
                "lipca",
                "lipiec",
                "července",
                "июля",
                "июл",
                "липня",
                "heinäkuuta",
                "temmuz",
            ),
            (
                "aug",
                "august",
                "août",
                "aout",
                "agosto",
                "augustus",
                "augusti",
                "sierpnia",
                "sierpień",
                "srpna",
                "августа",
                "авг",
                "серпня",
                "elokuuta",
                "ağustos",
            ),
            (
                "sep",
                "sept",
                "september",
                "septembre",
                "septiembre",
                "setiembre",
                "setembro",
                "settembre",
                "września",
                "wrzesień",
                "září",
                "сентября",
                "сент",
                "сен",
                "вересня",
                "syyskuuta",
                "eylül",
            ),
            (
                "oct",
                "october",
                "okt",
                "oktober",
                "octobre",
                "octubre",
                "outubro",
                "ottobre",
                "ott",
                "października",
                "październik",
                "října",
                "октября",
                "окт",
                "жовтня",
                "lokakuuta",
                "ekim",
            ),
            (
                "nov",
                "november",
                "novembre",
                "noviembre",
                "novembro",
                "listopada",
                "listopad",
                "listopadu",
                "ноября",
                "ноя",
                "листопада",
                "marraskuuta",
                "kasım",
            ),
            (
                "dec",
                "december",
                "dez",
                "dezember",
                "décembre",
                "decembre",
                "déc",
                "diciembre",
                "dic",
                "dezembro",
                "dicembre",
                "grudnia",
                "grudzień",
                "prosince",
                "декабря",
                "дек",
                "грудня",
                "joulukuuta",
                "aralık",
            ),
        ],
        start=1,
    )
    for name in names
}


def _fold(word: str) -> str:
    # re.I lets "APRİL" and "KASIM" (Turkish capitals) match "april" and "kasım", but lower()
    # makes them "apri̇l" and "kasim": fold the dotted and dotless i both ways
    return word.lower().rstrip(".").replace("i\u0307", "i").replace("ı", "i")


_FOLDED_MONTHS = {_fold(name): number for name, number in _MONTHS.items()}


def _month_number(word: str) -> int | None:
    return _FOLDED_MONTHS.get(_fold(word))


def month_alternation(names: Iterable[str]) -> str:
    """Return the names, longest first, as one alternation grouped by first letter: "m(?:ay|ai|...)|...".

    The pattern tries each alternative in turn at each word it meets, and under re.I it has no
    quick test of an alternative's first letter: grouped, a word starting with another letter
    fails once per group, not once per name (the month patterns below ran four times faster).
    A group keeps its names' order, and no two groups' letters are equal under re.I (tests hold
    the month names to that), so it matches what the flat alternation matches, the same way.
    """
    groups: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        groups.setdefault(name[0], []).append(name[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


_MONTH = r"(?P<mon>" + month_alternation(_MONTHS) + r")\.?"
# abbreviations that are unambiguous enough to trust; "CST" (China or Central US) is not
_ZONE_NAMES = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "hkt": 8,
    "sgt": 8,
    "jst": 9,
    "kst": 9,
    "bst": 1,
    "cet": 1,
    "cest": 2,
    "est": -5,
    "edt": -4,
    "pst": -8,
    "pdt": -7,
    "met": 1,
    "mest": 2,
    "eet": 2,
    "eest": 3,
    "wet": 0,
    "west": 1,
    "msk": 3,
    "aest": 10,
    "aedt": 11,
    "awst": 8,
    "nzst": 12,
    "nzdt": 13,
    "hst": -10,
    "akst": -9,
    "akdt": -8,
}
# in an RFC 822/2822 date the zone names are defined: RFC 822's US zones (CST is Central
# there), the generic ones feeds write (ET, PT) and the military letters (RFC 1123 5.2.14)
_RFC822_ZONES = _ZONE_NAMES | {
    "ut": 0,
    "ast": -4,
    "adt": -3,
    "at": -4,
    "et": -5,
    "cst": -6,
    "cdt": -5,
    "ct": -6,
    "mst": -7,
    "mdt": -6,
    "mt": -7,
    "pt": -8,
    **{letter: -(i + 1) for i, letter in enumerate("abcdefghiklm")},
    **{letter: i + 1 for i, letter in enumerate("nopqrstuvwxy")},
}
# RFC 822/2822 and what feeds write for it: "Thu, 01 Jan 04 19:48", "Mon, 13 Feb, 2012 06:28 UTC",
# "Wed, 19 Feb 2012 22:40:00 GMT-01:01", "Sat, 05 Dec 2026 10:00 +02:00 (CET)", "... Europe/Paris"
_RFC822 = re.compile(
    r"^(?:[a-z]{2,}\.?\s*,?\s*)?(?P<d>\d{1,2})[\s-]+(?P<mon>[a-z]{3,})\.?,?[\s-]+(?P<y>\d{4}|\d{2}),?\s+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>(?:gmt|utc|ut)?[+-]\d{1,2}(?::?\d{2})?|[a-z][\w/+-]*)?\s*(?:\([^)]*\))?$",
    re.I,
)
# where an RFC 822 date with a time starts: a string that starts so but is no RFC 822 date is broken
_RFC822_HEAD = re.compile(r"^(?:[a-z]{2,}\.?\s*,?\s*)?\d{1,2}[\s-]+[a-z]{3,}\.?,?[\s-]+\d{2,4},?\s+\d{1,2}:\d", re.I)
# asctime and its relatives: "Sun Jan  4 16:29:06 2004", "Sun Jul 15 01:16:00 +0000 2012" (Twitter),
# "Thu Aug 30 2012 17:26:16 +0200" (JavaScript)
_ASCTIME = re.compile(
    r"^[a-z]{3,}\.?,?\s+(?P<mon>[a-z]{3,})\.?\s+(?P<d>\d{1,2}),?\s+(?:(?P<y1>\d{4})\s+)?"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<tz>[a-z][\w/+-]*|[+-]\d{2}:?\d{2})?\s*(?P<y2>\d{4})?$",
    re.I,
)

_TIME = (
    r"(?:\s*(?:T|,|\bat\b|-)?\s*"
    r"(?:[(（]?(?:星期|周|週|禮拜|礼拜)[一二三四五六日天][)）]?\s*)?"
    r"(?P<ampm1>上午|下午|中午|晚上|凌晨|早上|早晨|傍晚|夜间)?\s*"
    r"(?P<H>\d{1,2})\s*(?:(?P<colon>:)|时|時|点|點)\s*"
    r"(?:(?P<M>\d{1,2})\s*分?(?:\s*:?\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?)?"
    r"(?!\d)\s*(?P<ampm2>[ap]\.?m\.?(?![a-z]))?"
    r"\s*(?P<tz>z(?![a-z])|[+-]\d{2}:?\d{2}(?!\d)|(?:utc|gmt)(?:[+-]\d{1,2}(?::?\d{2})?)?|[a-z]{3,4}(?![a-z]))?"
    r")?"
)
_YMD = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*(?P<sep>年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*"
    r"(?P<d>\d{1,2})(?!\d)\s*(?:日|号|號)?" + _TIME,
    re.I,
)
# "3 May 2020", "31. Oktober 2023", "1er mai 2020", "3 de mayo de 2022"
_DMY_WORDS = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th|er|\.)?\s*(?:de\s+)?" + _MONTH + r",?\s+(?:de\s+)?(?P<y>\d{4})(?!\d)" + _TIME,
    re.I,
)
_MDY_WORDS = re.compile(r"\b" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)" + _TIME, re.I)
# what _MDY_WORDS needs after the month: a search for it in C skips most lines of four digits
_DAY_YEAR = re.compile(r"\d(?:st|nd|rd|th)?,?\s+\d{4}(?!\d)", re.I)
# 10.11.2021 (day first: dotted dates are European), 10.11.2021, 14:05 Uhr;
# German typesetting spaces them: "4. 2. 2022" (a thin space, NFKC makes it a plain one)
_DMY_DOTS = re.compile(r"(?<![\w.])(?P<d>\d{1,2})\. ?(?P<m>\d{1,2})\. ?(?P<y>(?:19|20)\d{2})(?!\d|\.\d)" + _TIME, re.I)
# 28.09.19 12:44: a two-digit year, read only zero-padded and with a time after it (forum posts
# and comments write it so, often glued to the poster's name: "macbacchi28.09.1912:44");
# 1.2.19 may be a version or a section number
_DMY_DOTS_SHORT = re.compile(
    r"(?<![\d.])(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{2}),?\s+(?:um\s+)?(?P<H>[01]?\d|2[0-3])(?P<colon>:)(?P<M>[0-5]\d)(?![\d.:])"
)
# 9/17/2004 5:54:13 AM: month first, as US software prints it; only taken when a day >12
# or an AM/PM marker says so, because 7/5/2005 is ambiguous otherwise
_MDY_SLASH = re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})(?!\d|\.\d)" + _TIME, re.I)
# what each pattern above needs: a year of four digits ("19"/"20" and two more are four too)
_FOUR_DIGITS = re.compile(r"\d{4}")
_ISO_COMPACT = re.compile(
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:T?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?(?P<tz>Z|[+-]\d{4})?$", re.I
)
_UNIX = re.compile(r"^\d{9,10}(?:\.\d+)?$|^\d{12,13}$")

_PM = {"下午", "晚上", "傍晚", "夜间", "pm", "p.m.", "p.m", "pm."}
_AM_NOON = {"中午"}


def _offset(raw: str | None) -> dt.tzinfo | None:
    if not raw:
        return None
    text = raw.lower()
    if text in _ZONE_NAMES:
        return dt.timezone(dt.timedelta(hours=_ZONE_NAMES[text]))
    match = re.fullmatch(r"(?:utc|gmt)?([+-])(\d{1,2}):?(\d{2})?", text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        if minutes <= 14 * 60:
            return dt.timezone(sign * dt.timedelta(minutes=minutes))
    return None


def _build(groups: dict[str, str | None], year: int, month: int, day: int, tz: dt.tzinfo) -> ParsedDate | None:
    try:
        day_value = dt.date(year, month, day)
    except ValueError:
        return None
    if year < MIN_YEAR:
        return None
    if groups.get("H") is None:
        return ParsedDate(dt.datetime(year, month, day, tzinfo=dt.UTC), DatePrecision.DAY)
    hour = int(groups["H"] or 0)
    minute = int(groups.get("M") or 0)
    second = int(groups.get("S") or 0)
    if groups.get("colon") and groups.get("M") is None:
        return ParsedDate(dt.datetime(year, month, day, tzinfo=dt.UTC), DatePrecision.DAY)
    marker = (groups.get("ampm1") or groups.get("ampm2") or "").lower()
    if marker in _PM and hour < 12:
        hour += 12
    elif marker in {"am", "a.m.", "a.m", "am.", "凌晨", "上午", "早上", "早晨"} and hour == 12:
        hour = 0
    elif marker in _AM_NOON and hour < 6:
        hour += 12
    if hour > 23 or minute > 59 or second > 59:
        return ParsedDate(dt.datetime(year, month, day, tzinfo=dt.UTC), DatePrecision.DAY)
    raw_tz = groups.get("tz")
    offset = _offset(raw_tz)
    if raw_tz and offset is None and not re.fullmatch(r"[a-z]{3,4}", raw_tz, re.I):
        return None
    if offset is None and hour == minute == second == 0:
        return _local_midnight(day_value)
    local = dt.datetime.combine(day_value, dt.time(hour, minute, second), offset or tz)
    precision = DatePrecision.SECOND if groups.get("S") is not None else DatePrecision.MINUTE
    return ParsedDate(local.astimezone(dt.UTC), precision, _minutes(offset, local))


def _local_midnight(day: dt.date) -> ParsedDate:
    # CMSs write "2022-01-28 00:00:00" for a date with no time; read in the local zone it
    # would land on the previous UTC day, so it is the calendar day, precision day
    return ParsedDate(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), DatePrecision.DAY)


def _from_match(
    match: re.Match[str], tz: dt.tzinfo, *, month_first_slash: bool = False, day_first_slash: bool = False
) -> ParsedDate | None:
    groups = match.groupdict()
    year = int(groups["y"])
    month = _month_number(groups["mon"]) if groups.get("mon") else int(groups["m"])
    if month is None:
        return None
    day = int(groups["d"])
    if (month_first_slash and month > 12 >= day) or day_first_slash:
        month, day = day, month
    return _build(groups, year, month, day, tz)


_HAN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0", "O": "0"}
# 二〇二二年一月二十七日: formal documents write dates in Chinese numerals
_HAN_DATE = re.compile(
    r"([〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)


def _han_number(text: str) -> str:
    # 十 = 10, 十二 = 12, 二十 = 20, 二十七 = 27; a malformed number gives "0", an invalid date
    try:
        if "十" not in text:
            return "".join(_HAN_DIGITS[c] for c in text)
        tens, _, ones = text.partition("十")
        return str(int(_HAN_DIGITS[tens] if tens else "1") * 10 + int(_HAN_DIGITS[ones] if ones else "0"))
    except KeyError:
        return "0"


@functools.cache
def _nfkc_table() -> dict[int, str]:
    # each character of the Basic Multilingual Plane that NFKC changes, and what it makes of it
    # (about 3,000; built on first use, in some 10 ms)
    table = {}
    for code in (*range(0xD800), *range(0xE000, 0x10000)):
        char = chr(code)
        if (normal := unicodedata.normalize("NFKC", char)) != char:
            table[code] = normal
    return table


def nfkc(text: str) -> str:
    """Return unicodedata.normalize("NFKC", text), sooner on text it changes character by character.

    CPython normalizes a string that fails its quick check by decomposing and recomposing every
    character, some 100 ns each: a Chinese page's lines, whose full-width punctuation ("，", "：")
    fails it, cost a millisecond. Replacing each character by its own NFKC form gives a string
    with the same NFKC (the compatibility decomposition of both is the same), so when that string
    is itself normalized, it is text's NFKC; when not (combining marks that compose across
    characters, characters beyond the table), the full normalization decides.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    replaced = text.translate(_nfkc_table())
    if unicodedata.is_normalized("NFKC", replaced):
        return replaced
    return unicodedata.normalize("NFKC", text)


# a time glued to the year before it, where markup sets the date and the time in adjacent
# elements ("3 de mayo de 2022" + "21:25", "28.09.19" + "12:44")
_GLUED_TIME = re.compile(r"(?<!\d)((?:19|20)\d\d|\d{1,2}\.\d{1,2}\.\d\d)(?=(?:[01]?\d|2[0-3]):[0-5]\d(?!\d))")
# what every match of _GLUED_TIME holds: a search for it costs a sixth of _GLUED_TIME's, which
# tries its year at every character, and most lines with a colon hold no time
_CLOCK = re.compile(r"\d:[0-5]\d")


def normalize_digits(text: str) -> str:
    """Return text with full-width digits made ASCII (NFKC), Chinese-numeral dates in digits
    and a time glued to the year split from it.
    """
    # full-width digits and colons (２０２５年３月４日 １４：０５) become ASCII
    text = nfkc(text)
    if ":" in text and _CLOCK.search(text):
        text = _GLUED_TIME.sub(r"\1 ", text)
    if "年" not in text:
        return text
    return _HAN_DATE.sub(
        lambda m: (
            f"{''.join(_HAN_DIGITS[c] for c in m.group(1))}年{_han_number(m.group(2))}月{_han_number(m.group(3))}日"
        ),
        text,
    )


def iter_dates(text: str, tz: dt.tzinfo, *, day_first: bool = False) -> Iterator[tuple[int, ParsedDate]]:
    """Yield (offset, date) for every full date written in text (run normalize_digits first).

    day_first reads 03/05/2022 as 3 May, as pages in most languages but US English write it;
    otherwise a slashed date is read only when a day above 12 or an AM/PM marker settles it.
    """
    if ":" in text:
        for match in _DMY_DOTS_SHORT.finditer(text):
            groups = match.groupdict()
            year = int(groups["y"])
            year += 2000 if year < 70 else 1900  # POSIX strptime's %y
            parsed = _build(groups, year, int(groups["m"]), int(groups["d"]), tz)
            if parsed is not None:
                yield match.start(), parsed
    if not _FOUR_DIGITS.search(text):
        return  # speed: every other pattern reads a four-digit year, and most lines hold none
    for pattern in (_YMD, _DMY_WORDS, _MDY_WORDS, _DMY_DOTS):
        if pattern is _MDY_WORDS and not _DAY_YEAR.search(text):
            continue
        for match in pattern.finditer(text):
            parsed = _from_match(match, tz)
            if parsed is not None:
                yield match.start(), parsed
    for match in _MDY_SLASH.finditer(text):
        month, day = int(match.group("m")), int(match.group("d"))
        if day > 12 or match.group("ampm2") or month > 12:
            parsed = _from_match(match, tz, month_first_slash=True)
        elif day_first:
            parsed = _from_match(match, tz, day_first_slash=True)
        else:
            continue
        if parsed is not None:
            yield match.start(), parsed


def parse_date(value: Any, *, timezone: dt.tzinfo = dt.UTC) -> ParsedDate | None:
    """Parse one structured date value (a meta tag, JSON-LD, front matter or feed field).

    Accepts ISO 8601, RFC 2822, Unix timestamps, datetime/date objects, Chinese and
    English written dates. Returns None for anything else, including relative dates.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return _local_midnight(value.date()) if value.year >= MIN_YEAR else None
        local = value if value.tzinfo else value.replace(tzinfo=timezone)
        if local.year < MIN_YEAR:
            return None
        has_seconds = local.second or local.microsecond
        return ParsedDate(
            local.astimezone(dt.UTC),
            DatePrecision.SECOND if has_seconds else DatePrecision.MINUTE,
            _minutes(value.tzinfo, value),
        )
    if isinstance(value, dt.date):
        if value.year < MIN_YEAR:
            return None
        return ParsedDate(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC), DatePrecision.DAY)
    if isinstance(value, int | float):
        return _from_unix(float(value))
    if not isinstance(value, str):
        return None
    text = normalize_digits(value).strip()
    if not text or len(text) > 200:
        return None
    if _UNIX.match(text):
        return _from_unix(float(text) / (1000 if len(text) >= 12 and "." not in text else 1))
    compact = _ISO_COMPACT.match(text)
    if compact:
        groups = compact.groupdict()
        return _build(groups, int(groups["y"]), int(groups["m"]), int(groups["d"]), timezone)
    iso = _parse_iso(text, timezone)
    if iso is not None:
        return iso
    if _RFC822.match(text) or _ASCTIME.match(text):
        return _parse_rfc822(text, timezone)  # None for a zone it names but we cannot read: not UTC
    if _RFC822_HEAD.match(text):
        return None  # "Sun, 16 Dec 2012 1:2:3:4 GMT", "... 11:47:32 +zz:00": a date with a broken time or zone
    found = next(iter_dates(text, timezone), None)
    return found[1] if found else None


def _from_unix(seconds: float) -> ParsedDate | None:
    try:
        at = dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if at.year < MIN_YEAR:
        return None
    return ParsedDate(at.replace(microsecond=0), DatePrecision.SECOND)


def _parse_iso(text: str, tz: dt.tzinfo) -> ParsedDate | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})", text):
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed.year < MIN_YEAR:
        return None
    if len(text) == 10:
        return ParsedDate(parsed.replace(tzinfo=dt.UTC), DatePrecision.DAY)
    if parsed.tzinfo is None and parsed.time() == dt.time(0):
        return _local_midnight(parsed.date())
    local = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    has_seconds = re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}", text) is not None
    return ParsedDate(
        local.astimezone(dt.UTC).replace(microsecond=0),
        DatePrecision.SECOND if has_seconds else DatePrecision.MINUTE,
        _minutes(parsed.tzinfo, parsed),
    )


def _rfc822_zone(raw: str | None) -> dt.tzinfo | bool | None:
    """Return the zone an RFC 822 date names; None when it names none; False when it names junk."""
    if not raw:
        return None
    text = raw.lower()
    if text in ("-0000", "-00:00"):
        return None  # RFC 2822: "-0000" means the zone is unknown
    if text in _RFC822_ZONES:
        return dt.timezone(dt.timedelta(hours=_RFC822_ZONES[text]))
    offset = _offset(text)
    if offset is not None:
        return offset
    if "/" in raw:
        try:
            return ZoneInfo(raw)  # Etc/GMT, Europe/Paris
        except (ZoneInfoNotFoundError, ValueError):
            return False
    # an abbreviation we cannot place for sure (IST: India, Ireland or Israel): the source's zone
    return None if re.fullmatch(r"[a-z]{1,5}", text) else False


def _parse_rfc822(text: str, tz: dt.tzinfo) -> ParsedDate | None:
    match = _RFC822.match(text) or _ASCTIME.match(text)
    if match is None:
        return None
    groups = match.groupdict()
    month = _month_number(groups["mon"])
    year_text = groups.get("y") or groups.get("y1") or groups.get("y2")
    if month is None or not year_text:
        return None
    year = int(year_text)
    if len(year_text) == 2:  # RFC 2822 4.3: 00-49 are 2000-2049, 50-99 are 1950-1999
        year += 2000 if year < 50 else 1900
    zone_named = _rfc822_zone(groups.get("tz"))
    if zone_named is False:
        return None
    hour, minute, second = int(groups["H"]), int(groups["M"]), int(groups.get("S") or 0)
    try:
        naive = dt.datetime(year, month, int(groups["d"]), hour, minute, second)
    except ValueError:
        return None
    if year < MIN_YEAR:
        return None
    offset = zone_named if isinstance(zone_named, dt.tzinfo) else None
    if offset is None and hour == minute == second == 0:
        return _local_midnight(naive.date())  # "Tue, 07 Dec 2021 00:00:00" with no zone: the day
    local = naive.replace(tzinfo=offset or tz)
    precision = DatePrecision.SECOND if groups.get("S") is not None else DatePrecision.MINUTE
    return ParsedDate(local.astimezone(dt.UTC), precision, _minutes(offset, local))
