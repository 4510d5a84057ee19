"""Reading a page's own statements: JSON-LD, meta tags, headings, visible lines, header dates."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from cleaning.metadata.pagedates import article_lines, text_dates
from cleaning.metadata.pagemeta import read_page_meta


def _first_published(lines: list[str], body: list[str], title: str, zone: str) -> str:
    """The strongest printed date text_dates finds, as an ISO string."""
    return text_dates(lines, body, [title], ZoneInfo(zone)).published[0].at.isoformat()


def test_json_ld_article_found_in_graph_and_lists():
    html = """<html><head>
    <script type="application/ld+json">{"@type": "Organization", "name": "Site"}</script>
    <script type="application/ld+json">[{"@type": "BreadcrumbList"},
      {"@graph": [{"@type": "WebPage", "name": "wrapper"}, {"@type": ["NewsArticle"], "headline": "Real"}]}]</script>
    </head><body></body></html>"""
    assert read_page_meta(html).json_ld["headline"] == "Real"


def test_broken_json_ld_and_raw_newlines():
    html = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Line one
line two"}</script><script type="application/ld+json">{not json</script>"""
    assert read_page_meta(html).json_ld["headline"] == "Line one\nline two"


def test_meta_tags_canonical_headings_and_xml_declaration():
    html = """<?xml version="1.0" encoding="gb2312"?>
    <html><head><title> A  headline | Site </title>
    <meta property="og:title" content="A headline"><meta name="Author" content="Jane Doe">
    <link rel="canonical" href="/a/1"></head>
    <body><h1>A headline</h1><time datetime="2025-05-14T09:00:00+08:00">x</time></body></html>"""
    page = read_page_meta(html)
    assert page.first("og:title") == "A headline"
    assert page.all("author") == ["Jane Doe"]
    assert page.canonical == "/a/1"
    assert page.h1 == ["A headline"]
    assert page.title_tag == "A headline | Site"
    assert page.times == ["2025-05-14T09:00:00+08:00"]


def test_author_elements_skip_comment_forms_and_take_the_first_class_match():
    html = """<html><body>
    <span class="author">Jane Doe</span>
    <ul><li><span class="author">Related Writer</span></li></ul>
    <div id="comments"><a rel="author">Commenter</a></div>
    <form><label class="author">Name *</label></form>
    </body></html>"""
    assert read_page_meta(html).author_elements == ["Jane Doe"]


def test_visible_lines_follow_blocks_and_skip_scripts():
    html = """<text id="http://x" title="t"><table><tr><td>首页 | 财经</td></tr>
    <tr><td>标题<br>2005年03月21日 11:21</td></tr></table><script>var a = 1;</script>
    <p>正文　第一段</p></text>"""
    assert read_page_meta(html).lines == ["首页 | 财经", "标题", "2005年03月21日 11:21", "正文 第一段"]


def test_junk_never_raises():
    for html in ("", "   ", "<", "<<<>>>", "\x00\x01", "<html><body></body></html>", "plain text"):
        read_page_meta(html)


def test_header_window_prefers_the_headline_over_related_links():
    lines = [
        "首页",
        "· 港口吞吐量创新高 (2005-03-20 08:00)",
        "港口吞吐量创新高",
        "2005年03月21日 11:21 来源：示例日报",
        "今年第一季度，港口集装箱吞吐量达到新高。",
        "业内人士认为，物流业仍将增长。",
        "责任编辑：李艳霞",
        "相关新闻",
    ]
    body = ["今年第一季度，港口集装箱吞吐量达到新高。", "业内人士认为，物流业仍将增长。"]
    dates = text_dates(lines, body, ["港口吞吐量创新高"], ZoneInfo("Asia/Hong_Kong"))
    assert dates.published[0].at.isoformat() == "2005-03-21T03:21:00+00:00"
    assert "2005年03月21日 11:21 来源：示例日报" in dates.header_lines
    assert article_lines(lines, body, after=1) == lines[4:7]
    # the body's start is cached for the page's lines as they were: a changed page is searched again
    lines.insert(0, "广告")
    assert article_lines(lines, body, after=1) == lines[5:8]


@pytest.mark.parametrize(
    ("lines", "body", "expected"),
    [
        pytest.param(
            # a heading inside the article shares the headline's first words and sits under a later
            # date; the headline right above the body, with its dateline, is the article's
            [
                "Aktuelles",
                "Alleinerziehende: Betreuung ausbauen",
                "Die Plattform fordert mehr Plätze.",
                "19.11.2021",
                "Wien, 19.11.2021 (KAP) Die Plattform fordert mehr Betreuungsplätze im ganzen Land.",
                "Alleinerziehende in Zahlen",
                "22.11.2021",
                "Rund 162.000 Familien in Österreich haben nur einen Elternteil, meist die Mutter.",
            ],
            [4, 5, 7],
            "2021-11-19",
            id="the-headline-the-body-follows",
        ),
        pytest.param(
            # two shorter headings inside the article start with the headline's first words, one
            # over a later radio date; the line that holds the whole title is the headline
            [
                "Magazin",
                "Blasiussegen: Schutz vor Erkältungen",
                "26. Januar 2022",
                "Die Legende erzählt von einem Bischof, der im Gefängnis einen Jungen rettete.",
                "Blasiussegen mit Maske?",
                "Der Segen darf auch hinter einer Scheibe gespendet werden.",
                "Radiobeitrag zum Blasiussegen",
                "Sendung vom 30.1.2022 im Lokalradio",
                "Mehr aus dem Magazin",
            ],
            [3, 4, 5],
            "2022-01-26",
            id="the-whole-title-not-a-heading-sharing-its-first-words",
        ),
    ],
)
def test_header_window_takes_the_article_s_own_headline(lines, body, expected):
    published = _first_published(lines, [lines[i] for i in body], lines[1], "Europe/Berlin")
    assert published == f"{expected}T00:00:00+00:00"


def test_headline_is_the_one_the_body_starts_with_not_a_ticker_atop_the_page():
    # the headline also runs in a ticker over the navigation (beside a betting round's dates) and
    # in a teaser list; the body starts with the headline, and its own dateline follows it
    headline = "Titelkampf in Köln abgesagt"
    # the site's menu, long enough to set the three places of the headline apart
    menu = ["Navigation", "Startseite", "Ranglisten", "Kalender", "Ergebnisse", "Videos", "Kontakt", "Impressum"]
    lines = [
        "EILMELDUNG /",
        headline,
        "Tippspiel Runde 4: 28.01.2022 – 29.01.2022",
        *menu,
        "Datenschutz",
        "Top News",
        headline,
        "2. Februar 2022",
        "Neuer Gegner für den Weltmeister",
        "31. Januar 2022",
        *menu,
        "Archiv",
        "Sie sind hier: Top News",
        headline,
        "Redaktion — 2. Februar 2022",
        "Der für Samstag geplante Kampf in Köln findet nicht statt.",
        "Der Veranstalter nannte gesundheitliche Gründe.",
    ]
    body = [headline, lines[-2], lines[-1]]
    dates = text_dates(lines, body, [headline], ZoneInfo("Europe/Berlin"))
    assert dates.published[0].at.date().isoformat() == "2022-02-02"
    assert "Redaktion — 2. Februar 2022" in dates.header_lines


def test_a_forum_thread_is_dated_by_its_first_post_under_the_headline():
    # forum software glues the poster's name, a two-digit-year date and the time in one line
    lines = [
        "Forum>iPhone>Kein Netz seit dem Update ?",
        "Kein Netz seit dem Update ?",
        "pixelheini28.09.1912:44",
        "Seit dem Update finden meine Geräte kein Mobilfunknetz mehr, hat jemand eine Idee?",
        "Kommentare",
        "ta3Kim28.09.1913:39",
        "Bei mir geht es mit der neuen Version wieder.",
    ]
    body = [lines[1], lines[2], lines[3]]
    assert _first_published(lines, body, lines[1], "Europe/Berlin") == "2019-09-28T10:44:00+00:00"


def test_body_top_dateline_and_labelled_dates():
    body = ["HONG KONG SAR - Media OutReach Newswire - 14 May 2025 - Co-organised by Cyberport", "More."]
    dates = text_dates([], body, [], ZoneInfo("Asia/Hong_Kong"))
    assert [d.at.isoformat() for d in dates.published] == ["2025-05-14T00:00:00+00:00"]
    dates = text_dates(
        ["菜单", "更新时间：2025-05-15 10:00", "发布时间：2025-05-14 09:00"], ["正文。"], [], ZoneInfo("UTC")
    )
    assert dates.published[0].at.isoformat() == "2025-05-14T09:00:00+00:00"


def test_author_archive_link_is_the_weakest_author_element():
    # blog chrome names the blogger only by a link to their archive; the index of all authors,
    # commenters' links and the blogger's category links are no authors
    html = """<html><body>
    <a href="/authors/">Authors</a>
    <div class="comments"><a href="/?author=99">Commenter</a></div>
    <a href="/?author=7" title="[林小雨]的博客"><font>林小雨</font></a>
    <a href="/?cat=3&amp;author=7">园艺 (12)</a>
    <a href="https://blog.example/author/jane-doe/">Jane Doe</a>
    </body></html>"""
    assert read_page_meta(html).author_elements == ["林小雨"]
    declared = html.replace("<body>", '<body><span class="byline">Mary Roe</span>')
    assert read_page_meta(declared).author_elements == ["Mary Roe"]


def test_body_located_by_its_lines_in_order_not_by_a_repeated_first_line():
    # the body's leading timestamp also sits in a "recent posts" list above it
    stamp = "Saturday, March 2nd, 2019 8:15 am"
    body = [stamp, "社区菜园的第一个春天", "今年春天，小区楼下的空地变成了一片菜园。", "最受欢迎的是番茄和生菜。"]
    lines = ["首页", "最新文章", stamp, "Friday, March 1st, 2019 7:02 pm", "归档", "2019年3月", *body]
    lines += ["由林小雨张贴 @ 2019-03-02 08:15:00 (52) 共 3 篇评论", "相关文章"]
    assert article_lines(lines, body, after=1) == lines[6:-1]


def test_undated_header_still_gives_its_lines_for_bylines():
    lines = [
        "读书频道 > 正文",
        "投身外交(3)",
        "林小雨",
        "连载：示例人生 出版社：示例出版社 作者：林小雨",
        "正文第一段，内容很长很长。",
    ]
    dates = text_dates(lines, ["正文第一段，内容很长很长。"], ["投身外交(3)"], ZoneInfo("UTC"))
    assert dates.published == []
    assert "连载：示例人生 出版社：示例出版社 作者：林小雨" in dates.header_lines


def test_json_ld_author_references_resolve_through_the_graph_and_main_entity():
    yoast = """<script type="application/ld+json">{"@graph": [
      {"@type": "Article", "headline": "H", "author": {"@id": "https://x.example/#/schema/person/1"}},
      {"@type": "Person", "@id": "https://x.example/#/schema/person/1", "name": "Alexander Roll"}]}</script>"""
    assert read_page_meta(yoast).json_ld["author"]["name"] == "Alexander Roll"
    nested = """<script type="application/ld+json">{"@type": "WebPage", "mainEntity":
      {"@type": "NewsArticle", "headline": "Nested", "datePublished": "2020-05-03T22:00:00+02:00"}}</script>"""
    assert read_page_meta(nested).json_ld["headline"] == "Nested"


def test_meta_value_attribute_is_read_like_content():
    html = '<meta name="author" value="Sage Lazzaro"><meta property="og:title" content="T">'
    meta = read_page_meta(html)
    assert (meta.first("author"), meta.first("og:title")) == ("Sage Lazzaro", "T")


def test_byline_element_innermost_and_related_story_authors_left_out():
    filler = "".join(f"<p>paragraph {i}</p>" for i in range(60))
    html = f"""<body><h1>Headline</h1>
    <div class="c-byline"><span class="c-byline__author-name">Grant Brisbee</span> Dec 6, 2016</div>
    {filler}
    <ul><li>Related <span itemprop="author">Someone Else</span></li></ul></body>"""
    assert read_page_meta(html).author_elements == ["Grant Brisbee"]
    cobyline = """<p>By <a rel="author">Jane Doe</a> and <a rel="author">John Roe</a></p>"""
    assert read_page_meta(cobyline + filler + '<a rel="author">Related Writer</a>').author_elements == [
        "Jane Doe",
        "John Roe",
    ]


def test_cdata_json_ld_microdata_and_hatom_dates():
    cdata = """<script type="application/ld+json">
    <![CDATA[ {"@type": "NewsArticle", "datePublished": "2015-10-15T02:19:15Z"} ]]></script>"""
    assert read_page_meta(cdata).json_ld["datePublished"] == "2015-10-15T02:19:15Z"
    body = """<body><span property="schema:dateCreated" content="2023-10-06T03:46:34+00:00"></span>
    <abbr class="published" title="2017-07-23T17:06:45+0000">23. Juli 2017</abbr>
    <ul><li><span itemprop="datePublished" content="2001-01-01">related</span></li></ul></body>"""
    meta = read_page_meta(body)
    assert meta.meta["microdata:datecreated"] == ["2023-10-06T03:46:34+00:00"]
    assert meta.meta["hatom:published"] == ["2017-07-23T17:06:45+0000"]
    assert meta.meta["microdata:datepublished"] == ["2001-01-01"], "only the first of each"
    # a meta tag of the same name states it first, and the body's dates come after the meta tags
    head = '<head><meta name="hatom:published" content="1999-01-01"><meta name="author" content="Jane Doe"></head>'
    meta = read_page_meta(f"<html>{head}{body}</html>")
    assert meta.meta["hatom:published"] == ["1999-01-01"]
    assert list(meta.meta) == ["hatom:published", "author", "microdata:datecreated", "microdata:datepublished"]


def test_a_date_inside_a_sentence_atop_the_body_is_no_dateline():
    text = ["Die Anlage wurde am 18. Oktober 2021 am Erzberg offiziell eröffnet und in Betrieb genommen."]
    assert text_dates([], text, [], ZoneInfo("Europe/Vienna")).published == []
    dated = ["HONG KONG SAR - Media OutReach Newswire - 14 May 2025 - The lab opened today."]
    assert [d.at.day for d in text_dates([], dated, [], ZoneInfo("Asia/Hong_Kong")).published] == [14]


def test_comment_dates_and_event_dates_are_not_the_article_date():
    # a <time> or a hAtom "published" inside a comment thread dates a reader's comment; an
    # hCard's "bday dtstart published" is a birthday or a debut, not a publication
    html = """<html><body><article><h1>Headline</h1><p>Body.</p></article>
    <div class="comments"><time datetime="2020-09-23T18:19:06+02:00">23.09.2020</time>
    <abbr class="published" title="2020-09-24T10:00:00Z">24.09.2020</abbr></div>
    <table class="vcard"><tr><td><span class="bday dtstart published updated">1995-09-01</span></td></tr></table>
    <time datetime="2020-09-20">20.09.2020</time></body></html>"""
    page = read_page_meta(html)
    assert page.times == ["2020-09-20"]
    assert "hatom:published" not in page.meta
    assert read_page_meta('<p><abbr class="published" title="2017-07-23">23 July</abbr></p>').meta[
        "hatom:published"
    ] == ["2017-07-23"]


def test_labelled_date_beats_a_commenters_date_under_a_quoted_headline():
    # the headline's own window holds no date; the next headline candidate is the comment
    # heading quoting it, over a commenter's date; the page says when it was published
    lines = [
        "Podcast",
        "RES158 Sternfusion am Teilchenbeschleuniger",
        "Kathrin Göbel ist Astrophysikerin und arbeitet am GSI Helmholtzzentrum in Darmstadt.",
        "Veröffentlicht am 16.08.2019",
        "Ein Gedanke zu „RES158 Sternfusion am Teilchenbeschleuniger“",
        "Peter sagt:",
        "24. August 2019 um 03:36 Uhr",
        "Danke für diesen Podcast!",
    ]
    body = [lines[2]]
    dates = text_dates(lines, body, ["RES158 Sternfusion am Teilchenbeschleuniger"], ZoneInfo("Europe/Berlin"))
    days = [d.at.date().isoformat() for d in dates.published]
    assert days[0] == "2019-08-16"
    assert days[-1] == "2019-08-24"  # still a candidate, after the labelled date
