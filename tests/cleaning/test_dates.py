"""Date parsing: every written form we meet, timezones, precision, and no crash on junk."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.metadata.dates import parse_date, zone
from cleaning.metadata.pagedates import find_dates, url_date

HK = ZoneInfo("Asia/Hong_Kong")
UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        # ISO 8601, with and without offset; without one the source's zone applies
        ("2025-05-14T09:00:00+08:00", utc(2025, 5, 14, 1, 0, 0), "second"),
        ("2025-05-14T09:00:00Z", utc(2025, 5, 14, 9, 0, 0), "second"),
        ("2025-05-14 09:00", utc(2025, 5, 14, 1, 0), "minute"),
        ("2025-05-14", utc(2025, 5, 14), "day"),
        ("2025-05-14T12:48:06.123+00:00", utc(2025, 5, 14, 12, 48, 6), "second"),
        # RFC 2822 as feeds and Hexo front matter write it
        ("Tue, 07 Dec 2021 09:14:58 GMT", utc(2021, 12, 7, 9, 14, 58), "second"),
        ("Tue, 07 Dec 2021 17:14:58 +0800", utc(2021, 12, 7, 9, 14, 58), "second"),
        # Unix timestamps, seconds and milliseconds
        ("1638868498", utc(2021, 12, 7, 9, 14, 58), "second"),
        ("1638868498000", utc(2021, 12, 7, 9, 14, 58), "second"),
        (1638868498, utc(2021, 12, 7, 9, 14, 58), "second"),
        # Chinese forms
        ("2025年3月4日 14:05", utc(2025, 3, 4, 6, 5), "minute"),
        ("2025年03月04日14:05", utc(2025, 3, 4, 6, 5), "minute"),
        ("2005-5-7 21:23", utc(2005, 5, 7, 13, 23), "minute"),
        ("2005-5-7 21:23:57", utc(2005, 5, 7, 13, 23, 57), "second"),
        ("2021年12月7日 下午3時", utc(2021, 12, 7, 7, 0), "minute"),
        ("2021年12月7日 下午5時14分", utc(2021, 12, 7, 9, 14), "minute"),
        ("2021年12月7日 上午9点30分", utc(2021, 12, 7, 1, 30), "minute"),
        ("2021年12月7日 晚上8點", utc(2021, 12, 7, 12, 0), "minute"),
        ("2021年12月7日（星期二）14:05", utc(2021, 12, 7, 6, 5), "minute"),
        ("２０２５年３月４日 １４：０５", utc(2025, 3, 4, 6, 5), "minute"),
        ("2025年3月4日", utc(2025, 3, 4), "day"),
        ("2022.01.20 16:31", utc(2022, 1, 20, 8, 31), "minute"),
        ("二〇二二年一月二十七日", utc(2022, 1, 27), "day"),
        ("二○○五年十二月十日", utc(2005, 12, 10), "day"),
        ("二〇二五年三月四日", utc(2025, 3, 4), "day"),
        # English datelines
        ("14 May 2025", utc(2025, 5, 14), "day"),
        ("May 14, 2025", utc(2025, 5, 14), "day"),
        ("Saturday, September 10th, 2005 10:56 am", utc(2005, 9, 10, 2, 56), "minute"),
        ("14 May 2025 10:30 GMT", utc(2025, 5, 14, 10, 30), "minute"),
        # US software: month first, said so by a day above 12 or an AM/PM marker
        ("9/17/2004 5:54:13 AM", utc(2004, 9, 16, 21, 54, 13), "second"),
        ("7/5/2005 9:23:57 PM", utc(2005, 7, 5, 13, 23, 57), "second"),
    ],
)
def test_parse_date_forms(value, expected, precision):
    parsed = parse_date(value, timezone=HK)
    assert parsed is not None, value
    assert parsed.at == expected
    assert parsed.at.tzinfo is not None
    assert parsed.at.utcoffset() == dt.timedelta(0)
    assert str(parsed.precision) == precision


@pytest.mark.parametrize(
    "value",
    [
        "日前",
        "近日",
        "3小时前",
        "昨天 14:05",
        "yesterday",
        "",
        "   ",
        "not a date",
        "1985-05-14",
        "2025-13-40",
        "99999999999999999999",
        None,
        [],
        {},
        True,
        "2025年2月30日",
        "二〇二五年十十月三日",
        "二〇二五年十三月一日",
    ],
)
def test_not_dates(value):
    assert parse_date(value, timezone=HK) is None


def test_day_precision_keeps_the_calendar_day_in_any_zone():
    # a local-midnight date would land on the previous UTC day; a day-precision date must not
    for name in ("Asia/Shanghai", "America/New_York", "Pacific/Auckland"):
        parsed = parse_date("2025-05-14", timezone=ZoneInfo(name))
        assert parsed is not None
        assert parsed.at == utc(2025, 5, 14)


@pytest.mark.parametrize("value", ["2022-01-28 00:00:00", "2022-01-28T00:00", "2022年01月28日 00:00"])
def test_local_midnight_without_offset_is_a_day(value):
    # a CMS placeholder time: converting it from Hong Kong would move it to 27 January UTC
    parsed = parse_date(value, timezone=HK)
    assert parsed is not None
    assert parsed.at == utc(2022, 1, 28)
    assert str(parsed.precision) == "day"
    assert parse_date("2022-01-28T00:00:00+08:00", timezone=HK).at == utc(2022, 1, 27, 16)


@pytest.mark.parametrize(
    "value",
    ["Fri, 28 Jan 2022 00:00:00", "28 Jan 2022 00:00", "Fri Jan 28 00:00:00 2022", "Fri, 28 Jan 2022 00:00 -0000"],
)
def test_rfc822_midnight_without_zone_is_a_day(value):
    # a feed's date-only entry written as RFC 822: read in Hong Kong time it would fall on
    # 27 January UTC, a day before the one the feed states
    for timezone in (HK, ZoneInfo("America/New_York")):
        parsed = parse_date(value, timezone=timezone)
        assert parsed is not None
        assert parsed.at == utc(2022, 1, 28)
        assert str(parsed.precision) == "day"
    # a zone it states, or a time, is kept
    assert parse_date("Fri, 28 Jan 2022 00:00:00 +0800", timezone=HK).at == utc(2022, 1, 27, 16)
    assert parse_date("Fri, 28 Jan 2022 00:00:00 GMT", timezone=HK).offset == 0
    assert parse_date("Fri, 28 Jan 2022 00:30:00", timezone=HK).at == utc(2022, 1, 27, 16, 30)


def test_source_timezone_is_used_for_times_without_offset():
    at_new_york = parse_date("2025-05-14 09:00", timezone=ZoneInfo("America/New_York"))
    at_hong_kong = parse_date("2025-05-14 09:00", timezone=HK)
    assert at_new_york is not None
    assert at_hong_kong is not None
    assert at_new_york.at == utc(2025, 5, 14, 13, 0)
    assert at_hong_kong.at == utc(2025, 5, 14, 1, 0)


def test_datetime_and_date_objects_from_yaml():
    assert parse_date(dt.date(2021, 12, 7)).at == utc(2021, 12, 7)
    midnight = parse_date(dt.datetime(2021, 12, 7), timezone=HK)
    assert midnight.at == utc(2021, 12, 7)
    assert str(midnight.precision) == "day"
    naive = parse_date(dt.datetime(2021, 12, 7, 17, 14), timezone=HK)
    assert naive.at == utc(2021, 12, 7, 9, 14)


def test_zone_falls_back():
    assert zone("Not/AZone", "Asia/Hong_Kong") == HK
    assert zone(None, "Asia/Hong_Kong") == HK
    assert zone(None, "") == UTC


def test_find_dates_reads_labels_and_order():
    text = "首页\n发布时间：2005-05-07 21:23:57 来源：新华网\n更新时间：2005-05-08 10:00\n2005年4月18日，吴宗宪进棚录像"
    found = find_dates(text, timezone=HK)
    assert [f.label for f in found] == ["published", "modified", ""]
    assert found[0].date.at == utc(2005, 5, 7, 13, 23, 57)
    assert found[2].date.at == utc(2005, 4, 18)


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Letzte Änderung: 31.10.2023 - 14:49\nErschienen am: 01.11.2023", ["modified", "published"]),
        ("Veröffentlicht am 3. Mai 2022, zuletzt aktualisiert am 5. Mai 2022", ["published", "modified"]),
        ("Publié le 3 mai 2022 · Mis à jour le 4 mai 2022", ["published", "modified"]),
        ("Publicado el 3 de mayo de 2022", ["published"]),
        ("公開日：2022年1月2日 更新日：2022年1月3日", ["published", "modified"]),
        # when a forum poster joined is no date of the post
        ("Registriert: 18.09.2008, 05:56", ["other"]),
        ("Member since May 3, 2010", ["other"]),
        ("Mindesthaltbarkeitsdatum 12.03.2022", [""]),
        # a short label with its preposition: the whole label, not its last 8 characters
        ("Last updated on 20 Feb, 2020. 3 min read", ["modified"]),
        ("Updated on December 12, 2016 09:22 AM", ["modified"]),
        ("Posted on March 3, 2020", ["published"]),
    ],
)
def test_find_dates_reads_labels_in_many_languages(text, labels):
    assert [f.label for f in find_dates(text, timezone=HK)] == labels


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        # the label after its date, a time between them
        (
            "Literatur und Typografie wurde am 19. Mai 2010 um 23:03 Uhr gepostet und unter Kultur abgelegt.",
            ["published"],
        ),
        ("Dieser Beitrag wurde am 12.03.2019 veröffentlicht.", ["published"]),
        ("Article du 3 mai 2022 à 10h00 publié par la rédaction", ["published"]),
        ("Nota del 3 de mayo de 2022 publicada en Madrid", ["published"]),
        ("May 3, 2020 at 10:00 am posted in News", ["published"]),
        ("2022年2月13日 10:22 发布", ["published"]),
        ("2022年2月13日 發佈", ["published"]),
        # a label followed by a date is that date's own
        ("Publicado em 14/05/2022 05:49 / atualizado em 14/05/2022 05:50", ["published", "modified"]),
        ("Written: 2023-11-07 15:03:30 / Updated: 2023-11-07 15:30:46", ["", "modified"]),
        # an old portal's only timestamp: a trailing 更新 is no update
        ("2005-04-05 06:40更新 来源:转载文章", [""]),
        # an update after its date is not the publication
        ("Zuletzt am 12.03.2019 aktualisiert", ["modified"]),
        ("12 March 2019 updated", ["modified"]),
        # an inflected verb, a relative clause or a sentence between them: an event the text tells of
        ("der am 24. Mai 2022 veröffentlichten Prognose", [""]),
        ("国务院2022年2月13日发布的通知", [""]),
        ("Am 3. Mai 2022 hat die Regierung den Bericht veröffentlicht", [""]),
    ],
)
def test_find_dates_reads_a_label_after_the_date(text, labels):
    assert [f.label for f in find_dates(text, timezone=HK)] == labels


def test_spaced_dotted_dates_and_a_sentence_end():
    # German typesetting puts (thin) spaces into dates; a full stop may close the sentence
    found = find_dates("Von Deutscher Tennis Bund 4.\u20092.\u20092022.", timezone=dt.UTC)
    assert [f.date.at for f in found] == [utc(2022, 2, 4)]
    assert find_dates("Version 4.2.2022.5", timezone=dt.UTC) == []


def test_slashed_dates_are_read_day_first_only_when_asked():
    assert find_dates("03/05/2022 21:44", timezone=dt.UTC) == []  # ambiguous
    found = find_dates("03/05/2022 21:44", timezone=dt.UTC, day_first=True)
    assert [f.date.at for f in found] == [utc(2022, 5, 3, 21, 44)]
    # what only one reading allows, and US software's AM/PM, stay month first
    assert [f.date.at for f in find_dates("7/5/2005 9:23 PM", timezone=dt.UTC, day_first=True)] == [
        utc(2005, 7, 5, 21, 23)
    ]
    assert [f.date.at for f in find_dates("12/25/2020", timezone=dt.UTC, day_first=True)] == [utc(2020, 12, 25)]


def test_find_dates_english_dateline():
    text = "HONG KONG SAR - Media OutReach Newswire - 14 May 2025 - Co-organised by Cyberport"
    found = find_dates(text, timezone=HK)
    assert [f.date.at for f in found] == [utc(2025, 5, 14)]


def test_find_dates_ignores_relative_and_partial_dates():
    assert find_dates("日前，近日，3天前，2025年3月，第2025号", timezone=HK) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/2025/05/14/story.html", utc(2025, 5, 14)),
        ("https://news.example/a/20250514/123.shtml", utc(2025, 5, 14)),
        ("http://chanye.finance.sina.com.cn/sm/2005-03-21/244339.shtml", utc(2005, 3, 21)),
        ("https://news.example/story?id=20250514", None),
        ("https://news.example/2025/13/14/x", None),
        (None, None),
    ],
)
def test_url_date(url, expected):
    parsed = url_date(url)
    assert (parsed.at if parsed else None) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.from_regex(r"(19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日? ?(\d{1,2}[:时點点]\d{2})?", fullmatch=True),
    )
)
def test_parse_date_never_crashes(value):
    parsed = parse_date(value, timezone=HK)
    if parsed is not None:
        assert parsed.at.utcoffset() == dt.timedelta(0)
        again = parse_date(parsed.at.isoformat(), timezone=HK)
        assert again is not None
        assert again.at == parsed.at, "the ISO output of a parsed date parses to the same instant"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789年月日时時点點分秒上下午:-/. TZ+abcdefghijklmnopqrstuvwxyz,", max_size=40))
def test_find_dates_never_crashes_on_date_like_junk(value):
    for found in find_dates(value, timezone=HK):
        assert found.date.at.year >= 1990


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 2), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(["Asia/Hong_Kong", "UTC", "America/New_York"]),
)
def test_iso_output_parses_to_the_same_instant(moment, zone_name):
    parsed = parse_date(moment.replace(microsecond=0).isoformat(), timezone=ZoneInfo(zone_name))
    assert parsed is not None
    again = parse_date(parsed.at.isoformat(), timezone=ZoneInfo(zone_name))
    assert again is not None
    assert again.at == parsed.at == moment.replace(microsecond=0)


@pytest.mark.parametrize(
    ("value", "offset"),
    [
        ("2020-05-03T22:00:00+02:00", 120),
        ("2020-05-03T22:00:00Z", 0),
        ("Sun, 03 May 2020 22:00:00 -0500", -300),
        ("2020年5月3日 22:00 HKT", 480),
        ("2020-05-03 22:00", None),  # no offset written: the zone it is read in is not stated
        ("2020-05-03", None),  # a day has no offset
        (1588536000, None),
    ],
)
def test_parsed_dates_keep_the_offset_they_stated(value, offset):
    parsed = parse_date(value, timezone=ZoneInfo("Asia/Hong_Kong"))
    assert parsed is not None
    assert parsed.offset == offset


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("31. Oktober 2023", dt.date(2023, 10, 31)),
        ("23. Juli 2017", dt.date(2017, 7, 23)),
        ("1er mai 2020", dt.date(2020, 5, 1)),
        ("4 décembre 2019", dt.date(2019, 12, 4)),
        ("3 de mayo de 2022", dt.date(2022, 5, 3)),
        ("12 März 2021", dt.date(2021, 3, 12)),
        ("10.11.2021", dt.date(2021, 11, 10)),  # dotted dates are day first
        # abbreviations as each language prints them
        ("5 févr. 2021", dt.date(2021, 2, 5)),
        ("14 juil. 2019", dt.date(2019, 7, 14)),
        ("12 dic 2020", dt.date(2020, 12, 12)),
        ("3 ene. 2022", dt.date(2022, 1, 3)),
        ("2 Mrz. 2014", dt.date(2014, 3, 2)),
        ("7 mrt 2022", dt.date(2022, 3, 7)),
        # the Slavic, Finnish and Turkish names, in the case a date puts them in
        ("opublikowano: 7 kwietnia 2021", dt.date(2021, 4, 7)),
        ("4 maja 2021", dt.date(2021, 5, 4)),
        ("22 сентября 2021 г.", dt.date(2021, 9, 22)),
        ("15 серпня 2016", dt.date(2016, 8, 15)),
        ("8. června 2020", dt.date(2020, 6, 8)),
        ("14. helmikuuta 2020", dt.date(2020, 2, 14)),
        ("3 Kasım 2021", dt.date(2021, 11, 3)),
        # Turkish capitals: re.I matches "İ" to "i" and "I" to "ı", lower() does not
        ("3 APRİL 2020", dt.date(2020, 4, 3)),
        ("3 KASIM 2021", dt.date(2021, 11, 3)),
        ("3 APRİL 2020 10:00", dt.date(2020, 4, 3)),
    ],
)
def test_european_written_dates(value, day):
    parsed = parse_date(value)
    assert parsed is not None
    assert parsed.at.date() == day


@pytest.mark.parametrize("value", ["the 2nd gen 2020 model", "won the 1st set 2019", "Top 3 out 2020", "4 mag 2020"])
def test_abbreviations_that_are_english_words_are_no_months(value):
    assert parse_date(value) is None


def test_version_numbers_are_no_dotted_dates():
    assert parse_date("v1.2.2021") is None


@pytest.mark.parametrize(
    ("locales", "expected"),
    [
        (("de-DE",), "Europe/Berlin"),
        (("de_AT",), "Europe/Berlin"),
        (("ja",), "Asia/Tokyo"),
        (("zh-Hant-TW",), "Asia/Shanghai"),
        (("en-GB",), "Europe/London"),
        (("en-US",), None),
        (("pt-BR", "pt"), None),
        (("en", "de"), "Europe/Berlin"),
        ((None, ""), None),
    ],
)
def test_locale_zone(locales, expected):
    from cleaning.metadata.zones import locale_zone

    found = locale_zone(*locales)
    assert (str(found) if found else None) == expected


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("3 de mayo de 202221:25", "3 de mayo de 2022 21:25"),
        ("Published Wed, Nov 20 20194:29 AM EST", "Published Wed, Nov 20 2019 4:29 AM EST"),
        ("macbacchi28.09.1912:44", "macbacchi28.09.19 12:44"),
        # no year before the time, or digits that run on: left as written
        ("Tel. 0201912:30", "Tel. 0201912:30"),
        ("2019:30 Minuten", "2019:30 Minuten"),
        ("17.10.2019, 13:56 Uhr", "17.10.2019, 13:56 Uhr"),
    ],
)
def test_a_time_glued_to_the_year_is_split_from_it(text, normalized):
    from cleaning.metadata.dates import normalize_digits

    assert normalize_digits(text) == normalized


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # forums and comments: a two-digit year with the time after it, often glued to the name
        ("macbacchi28.09.19 12:44", ["2019-09-28T12:44:00+00:00"]),
        ("Antwort vom 03.02.21, 09:05", ["2021-02-03T09:05:00+00:00"]),
        ("28.09.19 um 13:39 Uhr", ["2019-09-28T13:39:00+00:00"]),
        # no time, no padding, or a version: no date
        ("Stand 28.09.19", []),
        ("v1.2.19 12:44", []),
        ("Kapitel 1.2.19: 12:30 Uhr", []),
        ("Build 10.11.12.13 12:44", []),
    ],
)
def test_a_two_digit_year_is_read_only_padded_and_with_a_time(text, expected):
    assert [f.date.at.isoformat() for f in find_dates(text)] == expected


_LABEL_PIECES = st.sampled_from(
    [
        "Published on",
        "PUBLISHED",
        "Posted",
        "Date:",
        "Release",
        "Veröffentlicht am",
        "VERÖFFENTLICHT",
        "Publié le",
        "Erschienen",
        "gepostet",
        "發佈",
        "发布时间：",
        "發表於",
        "日期",
        "公開日",
        "pu\u0130\u0131shed",
        "po\u017fted",
        "\u212aey",
        "opubli\u212aowano",
        "update",
        "2024-05-01",
        "news",
        " ",
        "\u3000",
        "d",
        "ate",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LABEL_PIECES, max_size=6).map("".join))
def test_the_label_screen_never_hides_a_line_the_label_pattern_finds(line: str) -> None:
    from cleaning.metadata.pagedates import _ANY_PUBLISHED_LABEL, _has_published_label

    assert _has_published_label(line) == bool(_ANY_PUBLISHED_LABEL.search(line))


def test_the_label_screen_reads_case_folded_letters_as_the_pattern_does() -> None:
    from cleaning.metadata.pagedates import _ANY_PUBLISHED_LABEL, _has_published_label

    for line in ("po\u017fted 1 May", "PUBL\u0130SHED", "opubli\u212aowano", "Posted by", "no label here", "发布时间"):
        assert _has_published_label(line) == bool(_ANY_PUBLISHED_LABEL.search(line)), line


def test_the_label_screen_holds_every_word_of_the_label_patterns() -> None:
    # a label added to the patterns but not to the screen's words would be screened out unseen
    from cleaning.metadata.pagedates import _LABEL_WORDS, _PUBLISHED_AFTER, _PUBLISHED_LABEL, _PUBLISHED_LABELS

    source = "|".join(p.pattern for p in (_PUBLISHED_LABEL, _PUBLISHED_LABELS, _PUBLISHED_AFTER))
    words = set(re.findall(r"[^\W\d_]{4,}|[\u3040-\u30ff\u4e00-\u9fff]{2,}", source.replace(r"\s", " ")))
    assert len(words) > 20
    assert [w for w in sorted(words) if not _LABEL_WORDS.search(w.lower())] == []


def test_month_alternation_matches_as_the_flat_alternation() -> None:
    # the month patterns group the names by first letter (for speed): that must not change what
    # they match, which holds while no two first letters are equal under re.I ("i" and "ı" are)
    from cleaning.metadata.dates import _MONTHS, month_alternation

    names = sorted(_MONTHS, key=len, reverse=True)
    firsts = sorted({name[0] for name in names})
    assert not [(a, b) for a in firsts for b in firsts if a < b and re.fullmatch(re.escape(a), b, re.I)]
    flat = re.compile(rf"\b(?:{'|'.join(names)})\.?\s+\d", re.I)
    grouped = re.compile(rf"\b(?:{month_alternation(names)})\.?\s+\d", re.I)
    texts = [
        f"{case(name)}{dot} 5" for name in names for case in (str.lower, str.upper, str.title) for dot in ("", ".")
    ]
    texts += ["Sept 5", "SEPTEMBER 5", "mayo 5", "APRİL 5", "KASIM 5", "Dec. 5, 2020", "märz 5", "mar 5 and 6"]
    for text in texts:
        assert [m.span() for m in flat.finditer(text)] == [m.span() for m in grouped.finditer(text)], text
        assert [m.group() for m in flat.finditer(text)] == [m.group() for m in grouped.finditer(text)], text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Posted on May 3, 2020 by Jane", [utc(2020, 5, 3)]),
        ("MAY 3RD 2020", [utc(2020, 5, 3)]),
        ("May 3 2020 and June 4th, 2021", [utc(2020, 5, 3), utc(2021, 6, 4)]),
        ("May 2020", []),
        ("May 3, 20201", []),
    ],
)
def test_month_first_dates_in_text(text: str, expected: list[dt.datetime]) -> None:
    # _MDY_WORDS runs only where its day and year can follow the month (_DAY_YEAR)
    assert [f.date.at for f in find_dates(text)] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_LABEL_PIECES | st.just("\n"), max_size=5).map("".join), max_size=6))
def test_the_page_label_screen_keeps_the_lines_the_line_screen_keeps(lines: list[str]) -> None:
    # text_dates screens all page lines in one search: the same lines as one test per line
    from cleaning.metadata.pagedates import _has_published_label, _published_label_lines

    assert _published_label_lines(lines) == [(i, line) for i, line in enumerate(lines) if _has_published_label(line)]


@pytest.mark.parametrize(
    "text",
    [
        "发布时间：２０２２年２月１３日　０４：２２",  # full-width digits, colon and space
        "ﬁnancial ½ ™ …",  # ligature, fraction, trade mark, ellipsis
        "Ａ\u0301 e\u0301 한국어 \u1100\u1161\u11a8",  # a replaced letter that composes; Hangul jamo
        "𝐁𝐨𝐥𝐝 𝟐𝟎𝟐𝟐",  # beyond the table's plane: the full normalization
        "plain ASCII",
        "",
    ],
)
def test_nfkc_is_unicodedata_nfkc(text: str) -> None:
    import unicodedata

    from cleaning.metadata.dates import nfkc

    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12))
def test_nfkc_agrees_on_any_text(text: str) -> None:
    import unicodedata

    from cleaning.metadata.dates import nfkc

    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab c\u3000ｂ", max_size=6), max_size=8),
    st.text(alphabet="abｂ", min_size=1, max_size=3),
    st.integers(0, 9),
    st.integers(0, 9),
)
def test_page_keys_find_the_lines_a_scan_finds(lines: list[str], needle: str, start: int, stop: int) -> None:
    # the header search's lookup in the joined keys answers as a test of each line's key would
    from cleaning.metadata.pagedates import _key, _Keys

    keys = _Keys(lines)
    scan = [i for i, line in enumerate(lines) if needle in _key(line)]
    assert list(keys.holding(needle)) == scan
    assert keys.first(needle, start, stop) == next((i for i in scan if start <= i < stop), None)
