"""Headlines: site suffixes and Markdown emphasis go, everything else stays as written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.metadata.titles import normalize_title, strip_site_suffix


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        ("Apple unveils iPhone - BBC News", ["BBC"], "Apple unveils iPhone"),
        ("Apple unveils iPhone | The Verge", ["The Verge"], "Apple unveils iPhone"),
        ("Cyberport opens AI lab | Harbour Tech Daily", [], "Cyberport opens AI lab"),
        ("Title_新浪财经_新浪网", [], "Title"),
        (
            "四年前中500万现穷困潦倒 一夜暴富后如何经营__商贸_产业资讯_新浪网",
            [],
            "四年前中500万现穷困潦倒 一夜暴富后如何经营",
        ),
        (
            "多数夫妻生活有名无实 日本无性婚姻问题严重(图)--雅虎新闻",
            [],
            "多数夫妻生活有名无实 日本无性婚姻问题严重(图)",
        ),
        ("Hong Kong: a city - Reuters", ["Reuters"], "Hong Kong: a city"),
        ("土豆不“土” 土豆无“土” 松花江网", [], "土豆不“土” 土豆无“土”"),
        ("脂溢性脱发：爱出油快秃顶？-报社新闻-查报纸网", [], "脂溢性脱发：爱出油快秃顶？"),
        ("农机专家李金泽：为农机行业搭建现代化信息平台_振兴东北", [], "农机专家李金泽：为农机行业搭建现代化信息平台"),
        ("多维博客 » 播客热潮迅速蔓延 挑逗传统传媒业", [], "播客热潮迅速蔓延 挑逗传统传媒业"),
        ("17种产品、1个园区入选国家绿色制造名单 - 要闻云南 - 云南网", [], "17种产品、1个园区入选国家绿色制造名单"),
        (
            "The Guardian view on Hong Kong | Editorial | Opinion | The Guardian",
            ["The Guardian"],
            "The Guardian view on Hong Kong | Editorial",
        ),
        # no site segment: the title stays whole
        ("e-mail scams rise - again", [], "e-mail scams rise - again"),
        ("新一代政府雲端平台推出", [], "新一代政府雲端平台推出"),
        ("A - B - C", [], "A - B - C"),
        ("snake_case_name is here", [], "snake_case_name is here"),
        (
            "Power of AI: Hong Kong\u2019s Soaring Innovation Landscape",
            [],
            "Power of AI: Hong Kong\u2019s Soaring Innovation Landscape",
        ),
    ],
)
def test_strip_site_suffix(title, sites, expected):
    assert strip_site_suffix(title, sites) == expected


def test_markdown_emphasis_is_removed_from_markdown_titles():
    title = "_香港科创新机遇_：大数据开启重大时代转型 香港着力打造_数码港_"
    assert normalize_title(title, markdown=True) == "香港科创新机遇：大数据开启重大时代转型 香港着力打造数码港"
    assert normalize_title("**Bold** and *italic* and __more__", markdown=True) == "Bold and italic and more"
    assert normalize_title("snake_case_name and 2*3*4", markdown=True) == "snake_case_name and 2*3*4"


def test_whitespace_is_normalized_and_quotes_kept():
    assert normalize_title("  Hong Kong\u2019s\u3000 “AI”\n hub  ") == "Hong Kong\u2019s “AI” hub"
    assert normalize_title("   ") is None
    assert normalize_title(None) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120), st.booleans())
def test_normalize_title_is_idempotent(title, markdown):
    once = normalize_title(title, markdown=markdown)
    assert normalize_title(once, markdown=markdown) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab 新闻网_|-–*:", "News", " - ", " | "]), max_size=20).map("".join))
def test_strip_site_suffix_never_crashes_and_is_idempotent(title):
    once = strip_site_suffix(title, ["News"])
    assert once is None or once.strip() == once
    assert strip_site_suffix(once, ["News"]) == once


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        ("Klimawandel: Was jetzt hilft – DW – 13.06.2023", ["DW"], "Klimawandel: Was jetzt hilft"),
        ("Great post about tides | My Blog | by Jane Doe", ["My Blog"], "Great post about tides"),
        ("习近平：推动高质量发展：新华网", ["新华网"], "习近平：推动高质量发展"),
        ("王毅：中美关系", [], "王毅：中美关系"),
        ("반도체 수출 석 달 만에 반등ㅣ경제", ["한국일보"], "반도체 수출 석 달 만에 반등"),
        (
            "‘La La Land’: How a Filmmaker Resurrected the Musical",
            [],
            "‘La La Land’: How a Filmmaker Resurrected the Musical",
        ),
    ],
)
def test_suffixes_in_every_script_and_quotes_as_written(title, sites, expected):
    assert strip_site_suffix(title, sites) == expected


def test_a_site_named_by_its_host_is_stripped_and_a_headline_naming_a_site_is_kept():
    assert strip_site_suffix("Was ist Freie Software - MyOOS Community Forum", ["myoos.de"]) == "Was ist Freie Software"
    assert strip_site_suffix(
        "Gregory Szorc's Digital Home | Mercurial's Journey to Python 3", ["gregoryszorc.com"]
    ) == ("Mercurial's Journey to Python 3")
    kept = "Der Genossenschaftsverband Bayern im Porträt"
    assert strip_site_suffix(kept, ["Genossenschaftsverband Bayern"]) == kept


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        # breadcrumbs: the headline comes last
        ("Time 4 talks » Blog Archiv » Weitere Digitalisierung", ["time4talks.ch"], "Weitere Digitalisierung"),
        ("Zockerverein e.V. - Neuigkeiten » Die Events der letzten Zeit", [], "Die Events der letzten Zeit"),
        ("example.de // » Jens Weber", ["example.de"], "Jens Weber"),
        # the site named in the middle ends the headline; a tagline after it goes too
        (
            "Bielersee-Winterhechte | petri-heil.ch | Dein Schweizer Fischereimagazin",
            ["petri-heil.ch"],
            "Bielersee-Winterhechte",
        ),
        # quotes as written, a » used as a quotation mark is no separator
        ("»Haltet unsere Gewässer sauber!«", [], "»Haltet unsere Gewässer sauber!«"),
        ("A » B", [], "A » B"),
    ],
)
def test_site_prefixes_breadcrumbs_and_taglines(title, sites, expected):
    assert strip_site_suffix(title, sites) == expected
