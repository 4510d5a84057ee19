"""The time zone a page's locale implies, for times the page and its source leave without one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

__all__ = ["locale_zone", "offset_in_markup"]

# an ISO timestamp with a non-zero offset anywhere in the markup (scripts' JSON included)
_STAMPED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:\.\d+)?([+-])(\d\d):?(\d\d)(?!\d)")
# speed: a pattern that starts with a literal is searched for in C; _STAMPED, starting with \d, is
# tried at every digit of the page. Its "T" always sits 10 characters after the match's start.
_TIME = re.compile(r"T\d\d:\d\d")
_DATE_CHARS = 10


def _stamps(html: str) -> Iterator[re.Match[str]]:
    # the matches _STAMPED.finditer(html) yields, found from the "T" of each
    end = 0
    for found in _TIME.finditer(html, _DATE_CHARS):
        start = found.start() - _DATE_CHARS
        if start >= end and (match := _STAMPED.match(html, start)):
            end = match.end()
            yield match


def offset_in_markup(html: str) -> dt.timezone | None:
    """Return the zone of the first timestamp in html that states a non-zero UTC offset."""
    for match in _stamps(html):
        sign, hours, minutes = match.groups()
        offset = (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)
        if offset and abs(offset) <= 14 * 60:
            return dt.timezone(dt.timedelta(minutes=offset))
    return None


# countries that keep one clock: a page in de-DE writes German time. Countries spanning several
# zones (US, CA, BR, RU, AU, MX, ID, ...) are left out: their locale names no single zone.
_COUNTRY_ZONES = {
    **dict.fromkeys(("de", "at", "ch", "li", "lu"), "Europe/Berlin"),
    **dict.fromkeys(("fr", "be", "mc"), "Europe/Paris"),
    **dict.fromkeys(("it", "sm", "va", "mt"), "Europe/Rome"),
    **dict.fromkeys(("nl",), "Europe/Amsterdam"),
    **dict.fromkeys(("es",), "Europe/Madrid"),
    **dict.fromkeys(("pl", "cz", "sk", "hu", "si", "hr", "rs", "ba", "me", "mk", "al"), "Europe/Warsaw"),
    **dict.fromkeys(("dk", "se", "no"), "Europe/Stockholm"),
    **dict.fromkeys(("fi", "ee", "lv", "lt"), "Europe/Helsinki"),
    **dict.fromkeys(("gr", "cy", "ro", "bg"), "Europe/Athens"),
    **dict.fromkeys(("ua",), "Europe/Kyiv"),
    **dict.fromkeys(("tr",), "Europe/Istanbul"),
    **dict.fromkeys(("gb", "uk", "ie"), "Europe/London"),
    **dict.fromkeys(("pt",), "Europe/Lisbon"),
    **dict.fromkeys(("il",), "Asia/Jerusalem"),
    **dict.fromkeys(("in",), "Asia/Kolkata"),
    **dict.fromkeys(("th", "vn"), "Asia/Bangkok"),
    **dict.fromkeys(("cn", "hk", "mo", "tw", "sg", "my", "ph"), "Asia/Shanghai"),
    **dict.fromkeys(("jp",), "Asia/Tokyo"),
    **dict.fromkeys(("kr",), "Asia/Seoul"),
    **dict.fromkeys(("ar",), "America/Argentina/Buenos_Aires"),
    **dict.fromkeys(("co", "pe"), "America/Bogota"),
    **dict.fromkeys(("za",), "Africa/Johannesburg"),
    **dict.fromkeys(("eg",), "Africa/Cairo"),
}
# languages spoken (almost) only in one such zone; en, es, pt, fr, ar, ru and zh-with-no-region
# span continents (zh does not: mainland, Hong Kong, Macau, Taiwan and Singapore all keep UTC+8)
_LANGUAGE_ZONES = {
    **dict.fromkeys(
        ("de", "it", "nl", "pl", "cs", "sk", "hu", "sl", "hr", "da", "sv", "nb", "nn", "no"), "Europe/Berlin"
    ),
    **dict.fromkeys(("fi", "et", "lv", "lt", "el", "ro", "bg", "uk"), "Europe/Helsinki"),
    **dict.fromkeys(("ja",), "Asia/Tokyo"),
    **dict.fromkeys(("ko",), "Asia/Seoul"),
    **dict.fromkeys(("zh", "yue"), "Asia/Shanghai"),
    **dict.fromkeys(("tr",), "Europe/Istanbul"),
    **dict.fromkeys(("he",), "Asia/Jerusalem"),
    **dict.fromkeys(("th",), "Asia/Bangkok"),
    **dict.fromkeys(("vi",), "Asia/Bangkok"),
}
_LOCALE = re.compile(r"^\s*([a-z]{2,3})(?:[-_](?:[a-z]{4}[-_])?([a-z]{2}))?\b", re.I)


def locale_zone(*locales: str | None) -> ZoneInfo | None:
    """Return the zone of the first locale that implies one ("de-DE", "de_AT", "ja", "zh-Hant-TW").

    The region decides when there is one ("en-GB" is London, "en-US" is no single zone); a bare
    language only when its speakers share one clock.
    """
    for locale in locales:
        match = _LOCALE.match(locale or "")
        if not match:
            continue
        language, region = match.group(1).casefold(), (match.group(2) or "").casefold()
        name = _COUNTRY_ZONES.get(region) if region else _LANGUAGE_ZONES.get(language)
        if region and name is None:
            continue  # en-US, pt-BR: a region we cannot pin to one zone says more than the language
        if name:
            return ZoneInfo(name)
    return None
