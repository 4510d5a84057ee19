"""normalize_metadata: the seeds' facts, precedence between sources, and fixture pages."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaning.config import CleaningConfig
from cleaning.metadata.dates import ParsedDate
from cleaning.metadata.normalize import normalize_metadata
from cleaning.metadata.pagedates import signature_date
from cleaning.schema import DatePrecision

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONFIG = CleaningConfig()


def normalize(**columns: Any) -> pd.Series:
    row = {
        "decoded": "",
        "media_type": "html",
        "url": None,
        "extracted": {},
        "front_matter": None,
        "hints": None,
        "timezone": None,
        "text": "",
    } | columns
    frame = pd.DataFrame({k: [v] for k, v in row.items()}, dtype=object)
    result = normalize_metadata(
        frame, default_timezone=CONFIG.default_timezone, tracking_parameters=CONFIG.tracking_parameters
    )
    assert len(result.kept) == 1
    assert len(result.rejected) == 0
    return result.kept.iloc[0]


def utc(*args: int) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime(*args, tzinfo=dt.UTC))


def page(name: str) -> str:
    return (FIXTURES / "metadata" / name).read_text(encoding="utf-8")


# --- the seeds -------------------------------------------------------------------------


def seed_002() -> dict[str, Any]:
    raw = (FIXTURES / "seeds" / "002_3fb5349cd76de5a0.txt").read_text(encoding="utf-8")
    _, header, body = raw.split("---", 2)
    # the body as extraction and boilerplate removal leave it: paragraphs up to the editor line
    paragraphs = [
        re.sub(r"<[^>]+>", "", p).strip("\u3000 ")
        for p in re.findall(r"<p[^>]*>(.*?)</p>", re.sub(r"<!--.*?-->", "", body, flags=re.S), re.S)
    ]
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("投资推广署"))
    text = "\n".join(paragraphs[1:end])
    return {
        "decoded": body,
        "media_type": "markdown",
        "front_matter": yaml.safe_load(header),
        "text": text,
        # what a generic extractor reads: the date inside the image URL
        "extracted": {"date": "2020-05-14", "title": None},
    }


def test_seed_002_front_matter_post():
    row = normalize(**seed_002())
    assert row["title"] == "香港科创新机遇：大数据开启重大时代转型 香港着力打造数码港"
    assert row["published_at"] == utc(2021, 12, 7, 9, 14, 58)
    assert row["published_precision"] == "second"
    assert row["published_source"] == "front_matter"
    assert row["site_name"] == "新浪财经"
    assert row["authors"] == ["朱丽娜"]
    assert row["editors"] == ["李艳霞", "王珊珊"]
    assert row["categories"] == ["金融", "新浪财经", "新浪财经－国內"]
    assert row["image_url"] == "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"


def test_seed_002_image_url_date_never_wins():
    columns = seed_002()
    columns["front_matter"] = {k: v for k, v in columns["front_matter"].items() if k != "date"}
    row = normalize(**columns)
    assert pd.isna(row["published_at"]), "2020-05-14 is the image's upload day, not the article's"


def test_seed_000_has_no_date():
    raw = (FIXTURES / "seeds" / "000_a44f89487335c847.txt").read_text(encoding="utf-8")
    lines = raw.strip().splitlines()
    row = normalize(
        decoded=raw,
        media_type="text",
        text="\n".join(lines[1:]),
        extracted={"title": lines[0]},
        fetched_at=pd.Timestamp("2026-01-01T00:00:00Z"),
    )
    assert row["title"] == "Power of AI: Hong Kong\u2019s Soaring Innovation Landscape"
    assert pd.isna(row["published_at"])
    assert row["published_source"] is None
    assert row["authors"] == []


@pytest.mark.parametrize(
    "extracted_title",
    [
        " date 2025-05-14 Exploring the Risks and Opportunities of AI Applications in Cybersecurity",
        "Exploring the Risks and Opportunities of AI Applications in Cybersecurity",
    ],
)
def test_seed_001_date_from_text(extracted_title):
    raw = (FIXTURES / "seeds" / "001_8e11f0fe72f46a60.txt").read_text(encoding="utf-8")
    text = "\n".join(line for line in raw.splitlines()[1:] if line.strip())
    row = normalize(decoded=raw, media_type="text", text=text, extracted={"title": extracted_title})
    assert row["title"] == "Exploring the Risks and Opportunities of AI Applications in Cybersecurity"
    assert row["published_at"] == utc(2025, 5, 14)
    assert row["published_precision"] == "day"
    assert row["published_source"] == "text"


def test_extractor_january_first_is_a_padded_year():
    row = normalize(decoded="<p>© 2004</p>", text="Body.", extracted={"date": "2004-01-01"})
    assert pd.isna(row["published_at"])
    row = normalize(decoded="<p>Body</p>", text="Body.", extracted={"date": "2004-09-06"})
    assert (row["published_at"], row["published_source"]) == (utc(2004, 9, 6), "extractor")


def test_image_path_dates_are_no_publication_dates_and_data_uris_stay_cheap():
    html = '<img src="data:image/png;base64,' + "A1" * 100_000 + '"><img src="/pics/2020/05/14/a.jpg?w=300">'
    row = normalize(decoded=html, text="Body.", extracted={"date": "2020-05-14"})
    assert pd.isna(row["published_at"])
    row = normalize(decoded=html, text="Body.", extracted={"date": "2020-05-15"})
    assert row["published_at"] == utc(2020, 5, 15)


def test_extractor_text_date_is_a_text_date():
    row = normalize(
        media_type="text", text="Body.", extracted={"title": "T", "date": "2025-05-14", "date_source": "text"}
    )
    assert (row["published_at"], row["published_source"]) == (utc(2025, 5, 14), "text")


# --- precedence -------------------------------------------------------------------------

HTML_PARTS = {
    "json_ld": """<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2025-05-02T00:00:00Z",
 "author": {"@type": "Person", "name": "Json Author"}}</script>""",
    "meta": """<meta property="article:published_time" content="2025-05-03T00:00:00Z">
<meta name="author" content="Meta Author">""",
    "time_element": """<time datetime="2025-05-04T00:00:00Z">4 May</time>""",
}
HTML_ALL_SOURCES = (
    f"<html><head>{HTML_PARTS['json_ld']}{HTML_PARTS['meta']}</head>"
    f"<body>{HTML_PARTS['time_element']}<p>Body.</p></body></html>"
)
ORDER = ["front_matter", "json_ld", "meta", "time_element", "feed", "text", "url", "extractor"]


@pytest.mark.parametrize("strongest", range(len(ORDER)), ids=ORDER)
def test_date_precedence(strongest):
    present = set(ORDER[strongest:])
    head = "".join(HTML_PARTS[k] for k in ("json_ld", "meta") if k in present)
    body = HTML_PARTS["time_element"] if "time_element" in present else ""
    row = normalize(
        decoded=f"<html><head>{head}</head><body>{body}<p>Body.</p></body></html>",
        front_matter={"date": "2025-05-01"} if "front_matter" in present else None,
        hints={"published": "Mon, 05 May 2025 00:00:00 GMT"} if "feed" in present else None,
        text="发布时间：2025-05-06\nBody." if "text" in present else "Body.",
        # the URL's day agrees with the text's: a text date that disagrees loses to it (below)
        url=f"https://news.example/2025/05/0{6 if 'text' in present else 7}/story.html" if "url" in present else None,
        extracted={"date": "2025-05-08"},
    )
    assert row["published_source"] == ORDER[strongest]
    assert row["published_at"] == utc(2025, 5, strongest + 1)


def test_a_printed_date_that_disagrees_with_the_urls_day_loses_to_it():
    # the page prints a list of other stories' dates beside the article; its URL holds its own day
    row = normalize(
        decoded="<html><body><p>Body.</p></body></html>",
        text="发布时间：2021-10-01 08:58\nBody.",
        url="https://news.example/2021/10/20/story.html",
    )
    assert (row["published_at"], row["published_source"]) == (utc(2021, 10, 20), "url")
    agreeing = normalize(
        decoded="<html><body><p>Body.</p></body></html>",
        text="发布时间：2021-10-20 08:58\nBody.",
        url="https://news.example/2021/10/20/story.html",
    )
    assert agreeing["published_source"] == "text"


def test_author_precedence_and_hints_fill_gaps():
    row = normalize(decoded=HTML_ALL_SOURCES, front_matter={"author": "Front Author"}, text="Body.")
    assert row["authors"] == ["Front Author"]
    row = normalize(decoded=HTML_ALL_SOURCES, text="Body.")
    assert row["authors"] == ["Json Author"]
    row = normalize(
        decoded="<html><body><p>Body.</p></body></html>",
        text="Body.",
        hints={
            "authors": ["Feed Author"],
            "title": "Feed title",
            "categories": ["Tech"],
            "description": "From the feed.",
        },
    )
    assert row["authors"] == ["Feed Author"]
    assert row["title"] == "Feed title"
    assert row["categories"] == ["Tech"]
    assert row["description"] == "From the feed."


def test_removed_lines_give_editors_and_authors():
    row = normalize(
        text="Body.", removed_lines={"editor_line": ["责任编辑：王珊珊"], "credit": ["（作者：朱丽娜 编辑：李艳霞）"]}
    )
    assert row["authors"] == ["朱丽娜"]
    assert row["editors"] == ["王珊珊", "李艳霞"]


def test_blog_author_from_the_chrome_when_the_body_has_no_byline():
    # a tight extraction keeps only the post; the blogger is named by the sidebar's archive link
    text = (
        "Saturday, March 2nd, 2019 8:15 am\n社区菜园的第一个春天\n"
        "今年春天，小区楼下的空地变成了一片菜园，邻居们每天傍晚都来浇水、松土、交流种菜的心得。\n"
        "最受欢迎的是番茄和生菜，孩子们放学后也会跑来看看自己种下的种子有没有发芽。\n"
        "到了四月，第一批生菜就上了邻居们的餐桌，大家商量着秋天再多种几样蔬菜。"
    )
    row = normalize(decoded=page("blog_chrome_author.html"), url="http://blog.example/?p=41", text=text)
    assert row["authors"] == ["林小雨"]


def test_byline_in_an_undated_header_and_a_poster_line_below_the_body():
    body = "对外宣传，是这本书第三章讲述的内容，篇幅很长很长。\n随着新时代的到来，许多人纷纷来到京城。"
    header = """<html><head><title>投身外交(3)</title></head><body>
    <p>读书频道 &gt; 正文</p><h1>投身外交(3)</h1><p>林小雨</p>
    <p>连载：示例人生 出版社：示例出版社 作者：林小雨</p>
    <p>对外宣传，是这本书第三章讲述的内容，篇幅很长很长。</p><p>随着新时代的到来，许多人纷纷来到京城。</p>
    </body></html>"""
    assert normalize(decoded=header, text=body)["authors"] == ["林小雨"]
    footer = """<html><body><p>控制面板</p><h2>湘菜粤菜</h2><p>2019-03-02 08:15:00</p>
    <p>对外宣传，是这本书第三章讲述的内容，篇幅很长很长。</p><p>随着新时代的到来，许多人纷纷来到京城。</p>
    <p>[打印]</p><p>由海小雨张贴 @ 2019-03-02 08:15:00 (52) 共 3 篇评论</p></body></html>"""
    assert normalize(decoded=footer, text=body)["authors"] == ["海小雨"]


def test_a_person_named_as_the_source_is_the_author_only_when_no_byline_names_anyone():
    text = "今年第一季度，港口集装箱吞吐量达到新高。\n业内人士认为，物流业仍将增长。"
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    html = f"<html><body><p>首页</p>{paragraphs}<p>来源: 陈大文</p><p>【关闭窗口】</p></body></html>"
    assert normalize(decoded=html, text=text)["authors"] == ["陈大文"]
    signed = html.replace("<p>首页</p>", "<p>首页</p><p>本报记者 王小明</p>")
    assert normalize(decoded=signed, text=text)["authors"] == ["王小明"]


def test_future_dates_beyond_the_fetch_are_rejected():
    row = normalize(
        decoded='<meta property="article:published_time" content="2031-01-01T00:00:00Z">',
        url="https://news.example/2025/05/14/x",
        text="Body.",
        fetched_at=pd.Timestamp("2025-06-01T00:00:00Z"),
    )
    assert (row["published_at"], row["published_source"]) == (utc(2025, 5, 14), "url")


def test_source_timezone_beats_the_default():
    html = '<meta name="pubdate" content="2025-05-14 09:00">'
    assert normalize(decoded=html, text="x")["published_at"] == utc(2025, 5, 14, 1)
    assert normalize(decoded=html, text="x", timezone="Europe/London")["published_at"] == utc(2025, 5, 14, 8)


@pytest.mark.parametrize(
    ("html", "why"),
    [
        (
            '<meta property="article:published_time" content="2020-05-03T22:00:00+02:00">'
            '<meta name="pubdate" content="2020-05-03 22:30">',
            "another timestamp of the page states its offset",
        ),
        (
            '<script type="application/ld+json">{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle",'
            ' "dateModified": "2020-05-04T09:00:00+02:00"}}</script><meta name="pubdate" content="2020-05-03 22:30">',
            "JSON-LD nested under mainEntity states it",
        ),
    ],
)
def test_a_time_without_offset_is_read_in_the_zone_the_page_reveals(html, why):
    row = normalize(decoded=html, text="x")
    # a German page cleaned offline is not read as Hong Kong time (8 hours off)
    assert row["published_offset_minutes"] == 120, why
    assert "timezone_assumed" not in row["quality_flags"]


def test_a_page_without_offsets_is_read_in_the_zone_of_its_locale_and_flagged():
    # a German page cleaned offline, no source zone: German time, not Hong Kong's; still flagged
    html = '<html lang="de-DE"><head><meta name="pubdate" content="2025-05-14 09:00"></head></html>'
    row = normalize(decoded=html, text="x", quality_flags=[])
    assert (row["published_at"], row["published_offset_minutes"]) == (utc(2025, 5, 14, 7), 120)
    assert row["quality_flags"] == ["timezone_assumed"]
    # the source's configured zone still comes before the locale's
    configured = normalize(decoded=html, text="x", timezone="Europe/London", quality_flags=[])
    assert (configured["published_at"], configured["quality_flags"]) == (utc(2025, 5, 14, 8), [])
    # a locale spanning several zones says nothing: the default is read
    american = html.replace("de-DE", "en-US")
    assert normalize(decoded=american, text="x")["published_at"] == utc(2025, 5, 14, 1)


def test_a_utc_stamp_is_shown_in_the_zone_the_page_writes_its_other_times_in():
    html = (
        '<meta property="article:published_time" content="2020-02-25T02:25:54Z">'
        '<meta property="article:modified_time" content="2020-02-24T21:30:00-05:00">'
    )
    row = normalize(decoded=html, text="x")
    assert row["published_at"] == utc(2020, 2, 25, 2, 25, 54)
    assert row["published_offset_minutes"] == -300  # the evening of the 24th, New York time
    # the offset may only be written in a script's data
    script = (
        '<meta property="article:published_time" content="2020-02-25T02:25:54Z">'
        '<script>var page = {"date": "2020-02-24T21:25:54-05:00"};</script>'
    )
    assert normalize(decoded=script, text="x")["published_offset_minutes"] == -300
    only_utc = normalize(decoded='<meta property="article:published_time" content="2020-02-25T02:25:54Z">', text="x")
    assert only_utc["published_offset_minutes"] == 0


def test_a_utc_stamp_is_shown_in_the_clock_the_page_prints_beside_it():
    # the page prints "03/05/2022 21:44" (Brasília) under the headline; its metadata says 00:44:52Z
    html = (
        '<html lang="pt-BR"><head><meta property="article:published_time" content="2022-05-04T00:44:52Z">'
        "</head><body><h1>Pacheco e o STF</h1><p>Brasília</p><p>03/05/2022 21:44</p><p>Texto.</p></body></html>"
    )
    row = normalize(decoded=html, text="Texto.")
    assert row["published_at"] == utc(2022, 5, 4, 0, 44, 52)
    assert row["published_offset_minutes"] == -180
    # a printed clock that matches no whole quarter hour of the stamp says nothing
    other = normalize(decoded=html.replace("21:44", "21:37"), text="Texto.")
    assert other["published_offset_minutes"] == 0


def test_a_utc_stamp_is_shown_in_the_clock_of_a_dateline_whose_time_is_glued_to_the_year():
    # date and time in adjacent elements: the visible text reads "3 de mayo de 202221:25"; the
    # <time> element holds the day alone, and the stamp is already the next day in UTC
    html = (
        '<html lang="es"><head><meta property="article:published_time" content="2022-05-04T00:25:56Z">'
        '</head><body><h1>La sesión</h1><p><time datetime="3 de mayo de 2022"><span>3 de mayo de 2022</span>'
        "<span>21:25</span></time></p><p>Texto.</p></body></html>"
    )
    row = normalize(decoded=html, text="Texto.")
    assert row["published_at"] == utc(2022, 5, 4, 0, 25, 56)
    assert row["published_offset_minutes"] == -180  # the evening of the 3rd, as printed


def test_a_utc_stamp_of_a_page_revealing_no_zone_is_shown_in_its_locales():
    # local midnight written in UTC: the German page's day is the 5th
    html = '<html lang="de"><head><meta property="article:published_time" content="2021-11-04T23:00Z"></head></html>'
    row = normalize(decoded=html, text="x", quality_flags=[])
    assert (row["published_at"], row["published_offset_minutes"]) == (utc(2021, 11, 4, 23), 60)
    assert row["quality_flags"] == []  # the instant was stated: only how it is shown is guessed
    english = normalize(decoded=html.replace('lang="de"', 'lang="en"'), text="x")
    assert english["published_offset_minutes"] == 0


def test_the_default_zone_is_the_last_resort_and_flagged():
    html = '<meta name="pubdate" content="2025-05-14 09:00">'
    assumed = normalize(decoded=html, text="x", quality_flags=[])
    assert assumed["published_at"] == utc(2025, 5, 14, 1)
    assert assumed["published_offset_minutes"] == 480
    assert assumed["quality_flags"] == ["timezone_assumed"]
    configured = normalize(decoded=html, text="x", timezone="Europe/Berlin", quality_flags=[])
    assert configured["published_at"] == utc(2025, 5, 14, 7)
    assert (configured["published_offset_minutes"], configured["quality_flags"]) == (120, [])
    stated = normalize(decoded='<meta name="pubdate" content="2025-05-14T09:00:00-04:00">', text="x")
    assert (stated["published_offset_minutes"], list(stated["quality_flags"])) == (-240, [])
    day = normalize(decoded='<meta name="pubdate" content="2025-05-14">', text="x", quality_flags=[])
    assert pd.isna(day["published_offset_minutes"])
    assert day["quality_flags"] == []


def test_a_day_without_a_time_is_a_day_of_the_zone_the_page_reveals():
    # "2016年9月15日" on a Japanese page: the day is kept as written, and its offset says that it
    # began at 15:00 UTC on the 14th
    html = '<html lang="ja"><head><meta name="pubdate" content="2016-09-15"></head></html>'
    row = normalize(decoded=html, text="x", quality_flags=[])
    assert (row["published_at"], row["published_precision"]) == (utc(2016, 9, 15), "day")
    assert row["published_offset_minutes"] == 540
    assert row["quality_flags"] == []  # the day was stated: only its zone is the locale's
    # another timestamp of the page states its offset: the day runs in that clock
    stamped = (
        '<meta name="pubdate" content="2016-07-15">'
        '<meta property="article:modified_time" content="2016-12-01T09:00:00-05:00">'
    )
    assert normalize(decoded=stamped, text="x")["published_offset_minutes"] == -300
    berlin = '<html lang="de"><head><meta name="pubdate" content="2016-07-15"></head></html>'
    assert normalize(decoded=berlin, text="x")["published_offset_minutes"] == 120
    # a CMS writing UTC ("Z") says nothing of the reader's calendar: the locale's zone comes first
    utc_cms = berlin.replace("</head>", '<meta property="article:modified_time" content="2016-12-01T09:00Z"></head>')
    assert normalize(decoded=utc_cms, text="x")["published_offset_minutes"] == 120


def test_the_visible_headline_wins_when_it_agrees_and_a_cut_off_og_title_is_completed():
    html = """<html><head><title>How 'La La Land' Resurrected the Musical - Rolling Stone</title>
    <meta property="og:title" content="How 'La La Land' Resurrected the Musical"></head>
    <body><h1>Rolling Stone</h1><h1>‘La La Land’: How a Young Filmmaker Resurrected the Musical</h1></body></html>"""
    row = normalize(decoded=html, text="x", url="https://www.rollingstone.example/a")
    assert row["title"] == "‘La La Land’: How a Young Filmmaker Resurrected the Musical", "curly quotes as printed"
    logo = """<title>Open Verilog flow for GreenPak4 devices | Silicon Exposed</title>
    <meta property="og:title" content="Open Verilog flow for GreenPak4 devices"><h1>Silicon Exposed</h1>"""
    assert normalize(decoded=logo, text="x")["title"] == "Open Verilog flow for GreenPak4 devices"
    cut = """<title>The Red Sox traded for Chris Sale, and they are loaded for a long time | SB Nation</title>
    <meta property="og:title" content="The Red Sox traded for Chris Sale, and they are…">"""
    assert normalize(decoded=cut, text="x")["title"] == (
        "The Red Sox traded for Chris Sale, and they are loaded for a long time"
    )


def test_the_h1_agreeing_with_og_title_beats_a_section_h1_agreeing_only_with_the_title_tag():
    # a section's or a blog's name in the first <h1> is also the <title>'s; og:title names the story
    html = """<title>News - Eawag</title><meta property="og:title" content="Auf das erste Elektron kommt es an">
    <body><h1>News</h1><h1>Auf das erste Elektron kommt es an</h1></body>"""
    assert normalize(decoded=html, text="x")["title"] == "Auf das erste Elektron kommt es an"
    blog = """<title>Alles hat seine Zeit… | Marktplatz für ein gutes Leben</title>
    <meta property="og:title" content="Alles hat seine Zeit..."><h1>Marktplatz für ein gutes Leben</h1>
    <h1>Alles hat seine Zeit…</h1>"""
    assert normalize(decoded=blog, text="x")["title"] == "Alles hat seine Zeit…", "as printed"
    # without og:title the <title> still picks the <h1>
    plain = "<title>Chorgeschichte - Chorknaben</title><h1>Chorgeschichte</h1>"
    assert normalize(decoded=plain, text="x")["title"] == "Chorgeschichte"


def test_a_kicker_glued_before_the_headline_is_left_out():
    html = """<meta property="og:title" content="Eigentumsvorbehalt: Das sollten Käufer wissen">
    <h1><span>Forderungsausfälle vermeiden</span> Eigentumsvorbehalt: Das sollten Käufer wissen</h1>"""
    assert normalize(decoded=html, text="x")["title"] == "Eigentumsvorbehalt: Das sollten Käufer wissen"


def test_authors_from_yoast_graph_and_reading_time_card():
    graph = """<script type="application/ld+json">{"@graph": [
      {"@type": "Article", "headline": "H", "author": {"@id": "#p1"}},
      {"@type": "Person", "@id": "#p1", "name": "Alexander Roll"}]}</script>"""
    assert normalize(decoded=graph, text="x")["authors"] == ["Alexander Roll"]
    card = '<meta name="twitter:label1" content="Verfasst von"><meta name="twitter:data1" content="Steven Salentin">'
    assert normalize(decoded=card, text="x")["authors"] == ["Steven Salentin"]


# --- fixture pages ----------------------------------------------------------------------


def test_json_ld_graph_page():
    row = normalize(
        decoded=page("jsonld_graph.html"),
        url="http://www.harbourtech.example/news/2025/05/14/ai-lab",
        text="By Jane Doe and John Roe\nCyberport opened a new laboratory.\nEditing by Tom Hogue",
    )
    assert row["url"] == "https://www.harbourtech.example/news/2025/05/14/ai-lab?a=1&b=2"
    assert row["site_name"] == "Harbour Tech Daily"
    assert row["title"] == "Cyberport opens AI lab for start-ups"
    assert row["authors"] == ["Jane Doe"], "JSON-LD outranks the byline; the Organization is no author"
    assert row["editors"] == ["Tom Hogue"]
    assert row["published_at"] == utc(2025, 5, 14, 2, 30)
    assert (row["published_precision"], row["published_source"]) == ("second", "json_ld")
    assert row["modified_at"] == utc(2025, 5, 15, 0, 0)
    assert row["categories"] == ["Technology"]
    assert row["tags"] == ["AI", "start-ups"]
    assert row["image_url"] == "https://www.harbourtech.example/images/lab.jpg"
    assert row["description"] == "A new laboratory offers free computing time."


def test_old_portal_table_page():
    text = (
        "本报记者 王建宏 张文攀 香港报道\n"
        "今年第一季度，港口集装箱吞吐量达到新高，物流企业纷纷加快数码化转型。2004年12月的数据也显示出同样的趋势。\n"
        "业内人士认为，未来数年物流业仍将保持增长。"
    )
    row = normalize(
        decoded=page("portal_table.html"),
        url="http://WWW.news.example/finance/2005-03-21/123.shtml?from=rss#top",
        text=text,
        removed_lines={"editor": ["责任编辑：李艳霞"]},
    )
    assert row["url"] == "http://www.news.example/finance/2005-03-21/123.shtml"
    assert row["title"] == "港口吞吐量创新高 物流业加快转型"
    assert row["published_at"] == utc(2005, 3, 21, 3, 21), "the header dateline, not the related-links date"
    assert (row["published_precision"], row["published_source"]) == ("minute", "text")
    assert row["authors"] == ["王建宏", "张文攀"]
    assert row["editors"] == ["李艳霞"]


NOTICE_BODY = (
    "为做好数码港二期扩建工作，现就有关事项通告如下：\n"
    "一、自本通告发布之日起，暂停受理数码港二期新增入驻申请。\n"
    "二、已受理的申请按原程序办理。\n"
    "特此通告。\n"
)


def test_a_notice_is_dated_by_its_signature_not_by_the_day_it_was_posted():
    row = normalize(
        decoded=page("gov_notice.html"),
        url="https://www.gov.example/zwgk/2024/0312/31.html",
        text=NOTICE_BODY + "示例市人民政府\n2024年3月11日",
    )
    assert row["published_at"] == utc(2024, 3, 11)
    assert (row["published_precision"], row["published_source"]) == ("day", "text")


@pytest.mark.parametrize(
    ("ending", "why"),
    [
        ("示例市人民政府\n2024年3月13日", "a signature later than the posting changes nothing"),
        ("会议安排如下：\n2024年3月11日", "a line ending in a colon is no signature"),
        ("该平台已于下列日期推出，并将持续运作至年底。\n2024年3月11日", "nor is a sentence"),
        ("示例市人民政府\n2024年3月11日至4月30日期间暂停受理", "nor is a line that goes on after the date"),
    ],
)
def test_a_closing_date_that_is_no_signature_leaves_the_page_date(ending, why):
    row = normalize(decoded=page("gov_notice.html"), text=NOTICE_BODY + ending)
    assert row["published_at"] == utc(2024, 3, 12), why  # the PubDate meta's day
    assert row["published_source"] == "meta"


@pytest.mark.parametrize(
    "closing",
    [
        "2024年3月11日",
        "二〇二四年三月十一日",
        "2024-03-11",
        "（2024年3月11日 星期一）",
        "March 11, 2024 (Monday)",
        "11 Mar 2024",
    ],
)
def test_signature_dates_in_the_ways_documents_write_them(closing):
    lines = ["特此通告。", "示例市人民政府", closing]
    assert signature_date(lines, dt.UTC) == ParsedDate(utc(2024, 3, 11).to_pydatetime(), DatePrecision.DAY)
    assert signature_date(lines[1:], dt.UTC) is None, "a body of two lines is no signed document"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="0123456789年月日号〇一二十 ()（）-/.,:政府局May Board\u3000", max_size=30), max_size=5)
)
def test_signature_date_never_crashes_and_needs_a_signer_above_a_bare_date(lines):
    signed = signature_date(lines, dt.UTC)
    if signed is not None:
        assert len([line for line in lines if line.strip(" \t\u3000")]) >= 3


def test_an_english_statement_signed_the_day_before_it_was_posted():
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Statement on the harbour data centre", "datePublished": "2024-05-03T10:00:00+08:00"}'
        "</script></head><body><h1>Statement on the harbour data centre</h1></body></html>"
    )
    text = (
        "The Board has noted press reports about the harbour data centre.\n"
        "The project remains on schedule and within budget.\n"
        "By order of the Board\n"
        "2 May 2024"
    )
    row = normalize(decoded=html, text=text, fetched_at=utc(2024, 5, 4))
    assert row["published_at"] == utc(2024, 5, 2)
    assert row["published_source"] == "text"
    future = normalize(decoded=html, text=text.replace("2 May 2024", "2 May 2025"), fetched_at=utc(2024, 5, 4))
    assert future["published_at"] == utc(2024, 5, 3, 2), "a signature after the fetch is no date"


def test_site_named_author_and_homepage_og_url():
    text = (
        "文／陳大文\n特區政府各局及部門採用「新一代政府雲端平台」基礎設施。\n"
        "該平台已於2020年9月推出。\n（作者：陳大文 編輯：黃小明）"
    )
    row = normalize(decoded=page("meta_site_author.html"), url="https://example-finance.hk/news/123", text=text)
    assert row["url"] == "https://example-finance.hk/news/123", "og:url pointing at the homepage is ignored"
    assert row["site_name"] == "示例財經網"
    assert row["authors"] == ["陳大文"]
    assert row["editors"] == ["黃小明"]
    assert row["published_at"] == utc(2021, 12, 7, 9, 14)
    assert row["published_source"] == "meta"
    assert row["title"] == "新一代政府云端平台推出"


def test_frame_contract_types_and_no_lost_rows():
    frame = pd.DataFrame(
        {
            "decoded": ["", "<html><title>T</title></html>", "not html at all <<<"],
            "media_type": ["text", "html", "html"],
            "url": [None, "https://x.example/a", "::bad::"],
            "extracted": [{}, None, {"date": "garbage", "author": 5, "categories": "a, b"}],
            "front_matter": [None, {"date": None, "tags": "x, y"}, "not a dict"],
            "hints": [None, None, {"published": 12}],
            "timezone": [None, "Not/AZone", None],
            "text": ["", "x", "y"],
        },
        dtype=object,
    )
    result = normalize_metadata(frame, default_timezone="Asia/Hong_Kong", tracking_parameters=())
    kept = result.kept
    assert len(kept) == 3
    assert len(result.rejected) == 0
    assert str(kept["published_at"].dtype) == "datetime64[us, UTC]"
    assert str(kept["modified_at"].dtype) == "datetime64[us, UTC]"
    for column in ("authors", "editors", "categories", "tags"):
        for value in kept[column]:
            assert isinstance(value, list)
            assert all(isinstance(x, str) for x in value)
    assert kept["tags"].iloc[1] == ["x", "y"]
    assert kept["categories"].iloc[2] == ["a", "b"]


_FRAGMENTS = st.sampled_from(
    [
        "<html>",
        "<head>",
        "<title>",
        "</title>",
        "<h1>",
        "</h1>",
        "<p>",
        "</p>",
        "<body>",
        "<table><tr><td>",
        '<meta name="author" content="',
        '<meta property="article:published_time" content="',
        '">',
        '<script type="application/ld+json">',
        "</script>",
        '{"@type": "NewsArticle", "author": ',
        "[",
        "]",
        "}",
        "记者",
        "编辑：",
        "发布时间：",
        "2025-05-14 09:00",
        "2025年3月4日",
        "下午3時",
        "By ",
        "Jane Doe",
        " and ",
        "（",
        "）",
        "\n",
        "\u3000",
        "_",
        "|",
        " - ",
        "新浪网",
        "<time datetime='",
        "'>",
        "<!--",
        "-->",
        "&amp;",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_FRAGMENTS, max_size=40).map("".join), st.text(max_size=60), st.sampled_from(["html", "markdown", "text"])
)
def test_junk_pages_never_crash_and_keep_types(html, text, media_type):
    row = normalize(
        decoded=html,
        text=html + text,
        media_type=media_type,
        url="https://news.example/a",
        extracted={"title": text, "date": text, "author": text},
    )
    assert row["published_at"] is pd.NaT or row["published_at"].tzinfo is not None
    for column in ("authors", "editors", "categories", "tags"):
        assert all(isinstance(x, str) and x for x in row[column])
    assert row["title"] is None or row["title"] == row["title"].strip()


def test_hong_kong_traditional_page_with_feed_hints():
    text = (
        "【示例日報專訊】記者 陳大文 報道：數碼港周二宣布開設人工智能實驗室，為初創企業提供一年免費算力。\n"
        "實驗室首批將接納四十間公司，集中發展金融科技及醫療科技。"
    )
    hints = {"published": "Wed, 14 May 2025 07:05:00 GMT", "categories": ["科技"], "tags": "AI, 數碼港"}
    row = normalize(decoded=page("hk_traditional.html"), url="https://news.example.hk/tech/123", text=text, hints=hints)
    assert row["title"] == "數碼港人工智能實驗室開幕 初創免費用算力"
    assert row["site_name"] == "示例日報"
    assert row["authors"] == ["陳大文"]
    assert row["editors"] == ["黃小明"], "read from the page when the extractor dropped the editor line"
    # the feed outranks the page's printed dateline; both say 15:05 Hong Kong time
    assert row["published_at"] == utc(2025, 5, 14, 7, 5)
    assert row["published_source"] == "feed"
    assert row["categories"] == ["科技"]
    assert row["tags"] == ["AI", "數碼港"]
    without_feed = normalize(decoded=page("hk_traditional.html"), url="https://news.example.hk/tech/123", text=text)
    assert without_feed["published_at"] == utc(2025, 5, 14, 7, 5)
    assert (without_feed["published_source"], without_feed["published_precision"]) == ("text", "minute")


def test_htmldate_is_asked_only_when_no_stronger_source_has_a_date():
    from cleaning.metadata.normalize import _extractor_date

    page = (
        "<html><body><h1>Ferry fares</h1><div class='byline'>Posted 5 March 2024</div><p>Fares rise.</p></body></html>"
    )
    assert _extractor_date({}, page, "https://news.example.com/ferry-fares")[:10] == "2024-03-05"
    assert _extractor_date({"date": "2024-03-06"}, page, None) == "2024-03-06"
    assert _extractor_date({"date": "2024-03-06", "date_source": "text"}, page, None) is None


def test_declared_dates_that_disagree_are_settled_by_the_printed_dateline():
    # a meta tag rewritten on the last edit; the <time> of the dateline and the printed line agree
    head = '<meta property="article:published_time" content="2022-11-17T10:33:13Z">'
    body = (
        "<h1>Eignet sich eine Wärmepumpe im Altbau?</h1><p>von Alexander Rosenkranz</p>"
        '<p><time datetime="2022-03-09">09.03.2022</time></p><p>Wärmepumpen nutzen die Energie der Umwelt.</p>'
    )
    row = normalize(
        decoded=f"<html lang='de'><head>{head}</head><body>{body}</body></html>",
        text="Wärmepumpen nutzen die Energie der Umwelt.",
    )
    assert (row["published_at"], row["published_source"]) == (utc(2022, 3, 9), "time_element")
    # a later printed day is an update or a comment: the strongest declared date stays
    later = body.replace("2022-03-09", "2022-12-01").replace("09.03.2022", "01.12.2022")
    row = normalize(
        decoded=f"<html lang='de'><head>{head}</head><body>{later}</body></html>",
        text="Wärmepumpen nutzen die Energie der Umwelt.",
    )
    assert row["published_source"] == "meta"


def test_printed_dateline_beats_an_earlier_unprinted_declared_day_without_time():
    # a meta "date" with no time is often the day of the last edit; the page's own labelled
    # dateline, earlier and printed, is when it was published
    def html(declared: str) -> str:
        return f"""<html><head><meta name="date" content="{declared}"></head><body>
        <h1>Neue Präsidentin gewählt</h1><p>Erschienen am: 13.10.2021</p>
        <p>Die Delegiertenversammlung hat heute eine neue Präsidentin gewählt.</p>
        <p>Zuletzt geändert am: 15.10.2021</p></body></html>"""

    text = "Die Delegiertenversammlung hat heute eine neue Präsidentin gewählt."
    row = normalize(decoded=html("2021-10-15"), text=text, timezone="Europe/Berlin")
    assert row["published_at"] == utc(2021, 10, 13)
    assert row["published_source"] == "text"
    # a declared time is kept: an earlier printed date beside it may be another story's
    row = normalize(decoded=html("2021-10-15T09:00:00+02:00"), text=text, timezone="Europe/Berlin")
    assert row["published_at"] == utc(2021, 10, 15, 7)


def test_a_page_that_says_only_when_it_last_changed_is_dated_by_that_change():
    # no publication date anywhere: the day it last changed, under the headline, beats
    # htmldate's guess; on a Japanese page that day is a Tokyo day
    body = (
        "<h1>ゴールデンウィークにおける情報セキュリティに関する注意喚起</h1><p>最終更新日：2019年4月2日</p>"
        "<p>ゴールデンウィークの長期休暇期間中は、システム管理者が長期間不在になりがちです。</p>"
        '<p><img src="/files/2022/01/01/banner.png"></p>'
    )
    text = "ゴールデンウィークの長期休暇期間中は、システム管理者が長期間不在になりがちです。"
    row = normalize(decoded=f'<html lang="ja"><body>{body}</body></html>', text=text)
    assert (row["published_at"], row["published_source"], row["published_offset_minutes"]) == (
        utc(2019, 4, 2),
        "text",
        540,
    )
    # in a footer, its date in the next cell
    footer = """<html lang="de"><body><h1>Hochauflösende Schneekarten</h1>
        <p>Die neuen Schneekarten zeigen die Schneehöhe in zehn Metern Auflösung für die ganze Schweiz.</p>
        <div><label>Letzte Änderung:</label><div>14.01.2022 um 09:25</div></div>
        <div><label>Seitenaufrufe:</label><div>1234</div></div></body></html>"""
    row = normalize(decoded=footer, text="Die neuen Schneekarten zeigen die Schneehöhe in zehn Metern Auflösung.")
    assert (row["published_at"].date(), row["published_source"]) == (dt.date(2022, 1, 14), "text")
    # a publication date, even one only in the URL, comes first
    row = normalize(decoded=footer, text="x", url="https://example.org/2021/12/20/schneekarten")
    assert (row["published_at"], row["published_source"]) == (utc(2021, 12, 20), "url")


def test_a_dateline_in_a_slavic_month_name_dates_the_page():
    # the page states its day only under the headline, in the genitive ("7 kwietnia 2021");
    # htmldate's guess would be some other date of the page
    body = (
        "<h1>Nowy most na Wiśle</h1><div>opublikowano: 7 kwietnia 2021</div>"
        "<p>Most otwarto dla ruchu po trzech latach budowy.</p>"
    )
    row = normalize(
        decoded=f"<html lang='pl'><body>{body}</body></html>", text="Most otwarto dla ruchu po trzech latach budowy."
    )
    assert (row["published_at"], row["published_source"], row["published_precision"]) == (
        utc(2021, 4, 7),
        "text",
        "day",
    )


@pytest.mark.parametrize(("timezone", "offset"), [(None, None), ("America/New_York", -300), ("Asia/Tokyo", 540)])
def test_a_feed_date_with_midnight_and_no_zone_keeps_its_day(timezone, offset):
    # "Fri, 28 Jan 2022 00:00:00" is a date-only feed entry: no zone moves it to the 27th
    row = normalize(decoded="", text="x", hints={"published": "Fri, 28 Jan 2022 00:00:00"}, timezone=timezone)
    assert (row["published_at"], row["published_precision"], row["published_source"]) == (
        utc(2022, 1, 28),
        "day",
        "feed",
    )
    # the source's zone says whose calendar the day is; with none, nothing does
    assert (None if pd.isna(row["published_offset_minutes"]) else row["published_offset_minutes"]) == offset


def test_turkish_capitals_in_a_dateline_do_not_crash():
    # re.I matches "APRİL" to "april", but lower() makes it "apri̇l": once a KeyError
    html = "<html><body><h1>Haber</h1><p>3 APRİL 2020 10:00</p><p>Metin burada başlıyor ve sürüyor.</p></body></html>"
    row = normalize(decoded=html, text="Metin burada başlıyor ve sürüyor.", timezone="Europe/Istanbul")
    assert row["published_at"] == utc(2020, 4, 3, 7)


def test_a_later_dateline_beats_a_page_dated_only_by_generic_date_metas():
    # meta "date" and DCTERMS.date: when the CMS record was made; the dateline under the
    # headline: when the news item was published
    def html(head: str, printed: str = "") -> str:
        return f"""<html lang="de"><head>{head}</head><body><span>Meldungen</span>
        <h2>Neue Rebsorte zugelassen</h2><span class="date">27.01.2022</span>
        <p>Die Kommission hat heute eine neue Rebsorte zugelassen.</p>{printed}</body></html>"""

    text = "Die Kommission hat heute eine neue Rebsorte zugelassen."
    generic = '<meta name="date" content="2021-12-20T11:02:44+01:00"><meta name="DCTERMS.date" content="2021-12-20">'
    row = normalize(decoded=html(generic), text=text)
    assert (row["published_at"], row["published_source"]) == (utc(2022, 1, 27), "text")
    # an article:published_time says publication: a later dateline is an update there
    specific = '<meta property="article:published_time" content="2021-12-20T11:02:44+01:00">'
    assert normalize(decoded=html(specific), text=text)["published_source"] == "meta"
    # the page prints the generic meta's day too: the page bears it out
    bears_out = normalize(decoded=html(generic, "<p>Veröffentlicht am 20.12.2021</p>"), text=text)
    assert (bears_out["published_at"].date(), bears_out["published_source"]) == (dt.date(2021, 12, 20), "meta")
    # an earlier dateline beside a generic meta with a time stays another story's
    earlier = html('<meta name="date" content="2021-12-20T11:02:44+01:00">').replace("27.01.2022", "01.12.2021")
    assert normalize(decoded=earlier, text=text)["published_source"] == "meta"


def test_the_headline_the_body_starts_with_holds_the_dateline_over_a_kicker_above_it():
    # the page title is kicker + headline; the kicker line right above the headline matches the
    # title's first words, but the body starts with the headline, and its header holds the
    # printed dateline, a day before the declared day (the day of the last edit)
    html = """<html><head><title>Streik der Mieter: Kein Geld mehr für die Miete (example.org)</title>
    <meta name="date" content="2020-04-30"></head><body>
    <p>Politik</p><p>Streik der Mieter</p><h1>Kein Geld mehr für die Miete</h1>
    <p>Aktivisten fordern einen Mietenstopp in der Krise.</p><p>Von Max Muster</p>
    <p>29.04.2020, 12:01 Uhr</p>
    <p>Noch wartet der Aktivist ab, doch viele Mieter können im Mai nicht mehr zahlen.</p>
    <p>Seit Wochen schreiben Vermieter Briefe, die an die fällige Miete erinnern.</p>
    </body></html>"""
    text = "\n".join(
        [
            "Kein Geld mehr für die Miete",
            "Noch wartet der Aktivist ab, doch viele Mieter können im Mai nicht mehr zahlen.",
            "Seit Wochen schreiben Vermieter Briefe, die an die fällige Miete erinnern.",
        ]
    )
    extracted = {"title": "Streik der Mieter: Kein Geld mehr für die Miete"}
    row = normalize(decoded=html, text=text, extracted=extracted, timezone="Europe/Berlin")
    assert row["published_at"] == utc(2020, 4, 29, 10, 1)
    assert row["published_source"] == "text"


def test_plain_text_row_is_never_handed_to_htmldate(caplog):
    # htmldate logs an ERROR for text that is no HTML; a .txt article has no markup to date
    with caplog.at_level(logging.DEBUG):
        row = normalize(media_type="text", decoded="A story", text="A story")
    assert pd.isna(row["published_at"])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
