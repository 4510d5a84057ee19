"""Bylines in both languages, editors kept apart, and site names that are not people."""

from __future__ import annotations

import pytest

from cleaning.metadata.authors import clean_names, is_agency, is_site_name, names_from_value, read_bylines


@pytest.mark.parametrize(
    ("line", "authors", "editors"),
    [
        ("By Jane Doe", ["Jane Doe"], []),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"], []),
        ("By A. Smith, B. Jones and C. Wu", ["A. Smith", "B. Jones", "C. Wu"], []),
        ("Written by Dr Mary Lee", ["Mary Lee"], []),
        ("Reporting by Jane Doe; Editing by Tom Hogue", ["Jane Doe"], ["Tom Hogue"]),
        ("By Jane Doe in Hong Kong", ["Jane Doe"], []),
        ("Edited by Tom Hogue", [], ["Tom Hogue"]),
        ("Von Anna Müller und Hans Meier, dpa", ["Anna Müller", "Hans Meier", "dpa"], []),
        ("Par Sébastien Farcis", ["Sébastien Farcis"], []),
        ("Von Montag bis Freitag geöffnet", [], []),
        ("By Sam Okafor | 1 December 2026", ["Sam Okafor"], []),
        ("21世纪经济报道 记者朱丽娜 香港报道 “大数据开启了一次重大的时代转型。", ["朱丽娜"], []),
        ("记者朱丽娜香港报道", ["朱丽娜"], []),
        ("（作者：朱丽娜 编辑：李艳霞）", ["朱丽娜"], ["李艳霞"]),
        ("責任編輯：王珊珊", [], ["王珊珊"]),
        ("责任编辑：王珊珊", [], ["王珊珊"]),
        ("光明日报记者 王建宏 张文攀", ["王建宏", "张文攀"], []),
        ("新京报记者 彭冲 山东冠县报道", ["彭冲"], []),
        ("□ 本报记者 葛灵丹", ["葛灵丹"], []),
        ("本報記者 陳大文", ["陳大文"], []),
        ("文／李四", ["李四"], []),
        ("文/李四", ["李四"], []),
        ("撰文：黃小明", ["黃小明"], []),
        ("通讯员 周杰 记者 刘洋", ["周杰", "刘洋"], []),
        ("执笔人：闵乐夫 赵兰波 刘韬", ["闵乐夫", "赵兰波", "刘韬"], []),
        ("所有的改革难道不都是利益再分配的过程吗？”（姚峰 上海报道）", ["姚峰"], []),
        ("清洁、低碳、循环的绿色制造体系。（记者 胡晓蓉）", ["胡晓蓉"], []),
        ("海姑娘写于2005年6月12日", ["海姑娘"], []),
        ("ggjjzhzz 发表于 2005-9-15 11:46:00", ["ggjjzhzz"], []),
        ("2004年7月16日08:19 [ 黄宇 ] 来源：[ 国际金融报 ]", ["黄宇"], []),
        ("作者：Jane Doe", ["Jane Doe"], []),
        ("楼层： 第 1 楼 作者： 追风&少年", ["追风&少年"], []),
        ("作者：王小明&李大伟", ["王小明", "李大伟"], []),
        ("由林小雨张贴 @ 2019-03-02 08:15:00 (52) 共 3 篇评论 发表评论 >>>", ["林小雨"], []),
        ("Posted by Jane Doe @ 10:56 am | 3 comments", ["Jane Doe"], []),
        ("posted by Jane Doe on September 10th, 2005", ["Jane Doe"], []),
        # prose and headings that only look like bylines
        ("据记者了解到，这一情况属实", [], []),
        ("尊重作者的劳动", [], []),
        ("[作者简介] (个人情况保密)", [], []),
        ("在自传中，作者RobinWinks说，有关的书超过200本", [], []),
        ("编辑：吕峥 来源：千龙网", [], ["吕峥"]),
        ("来源：新闻晨报", [], []),
        ("会有很大的帮助。” （编辑 李艳霞）", [], ["李艳霞"]),
        ("他是一位编辑 出身的记者", [], []),
        ("全国版", [], []),
        ("由于他发表于2005年的文章引起争议", [], []),
        ("Posted by admin at 10:56", [], []),
        ("示例人物的微博（使用前需先登录）（朝鲜文）（简体中文）", [], []),
        ("By the way, this is a sentence that goes on and on about nothing in particular at all.", [], []),
    ],
)
def test_bylines(line, authors, editors):
    byline = read_bylines([line])
    assert byline.authors == authors
    assert byline.editors == editors


FILLER = ["這是一段與署名無關的正文，講述香港科技園的最新發展。", "The park said the new lab opens next year."] * 10


@pytest.mark.parametrize(
    ("line", "authors", "editors"),
    [
        ("Reporting by Jane Doe; Editing by Tom Hogue", ["Jane Doe"], ["Tom Hogue"]),
        ("  BY JANE DOE", ["JANE DOE"], []),
        ("記者 陳大文 香港報道", ["陳大文"], []),
        ("文 ｜ 李四", ["李四"], []),
        ("責任編輯：王珊珊", [], ["王珊珊"]),
        ("海姑娘寫於2005年6月12日", ["海姑娘"], []),
        ("2004年7月16日08:19 [ 黄宇 ]", ["黄宇"], []),
        ("由林小雨张贴 @ 2019-03-02 08:15:00", ["林小雨"], []),
        ("Posted by Jane Doe @ 10:56 am", ["Jane Doe"], []),
    ],
)
def test_a_byline_mid_body_is_read_as_well_as_one_at_the_top(line, authors, editors):
    # lines away from the top and bottom are only read when they hold a byline word: the check
    # must let every byline form through
    byline = read_bylines([*FILLER, line, *FILLER])
    assert (byline.authors, byline.editors) == (authors, editors)


def test_bare_name_lines_only_near_the_top():
    lines = ["犬儒病(上)", "胡平", "正文第一段。"] + ["正文。"] * 20 + ["王小明"]
    assert read_bylines(lines).authors == ["胡平"]


def test_authors_deduplicated_in_order():
    lines = ["记者 王建宏 张文攀", "正文。", "（记者 王建宏）"]
    assert read_bylines(lines).authors == ["王建宏", "张文攀"]


@pytest.mark.parametrize(
    ("name", "sites", "expected"),
    [
        ("新浪财经", [], True),
        ("新浪财经", ["新浪财经"], True),
        ("Reuters Staff", [], True),
        ("Harbour Tech Daily", ["Harbour Tech Daily"], True),
        ("The Associated Press", [], True),
        ("吉林省人民政府", [], True),
        ("Jane Doe", ["Harbour Tech Daily"], False),
        ("朱丽娜", ["新浪财经"], False),
    ],
)
def test_site_names_are_not_people(name, sites, expected):
    assert is_site_name(name, sites) is expected


def test_names_from_json_ld_skip_organizations():
    value = [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Organization", "name": "Harbour Tech Daily"}]
    assert names_from_value(value) == ["Jane Doe"]
    assert names_from_value({"@type": "Person", "name": "By John Roe"}) == ["John Roe"]
    assert names_from_value("https://example.com/author/jane") == []
    assert names_from_value(None) == []


def test_placeholders_are_no_people():
    assert clean_names(["admin", "Administrator", "佚名", "小编", "Jane Doe"]) == ["Jane Doe"]


def test_clean_names_strips_titles_and_typesetting_spaces():
    assert clean_names(["Dr Mary Lee", "记者朱丽娜", "赵  培", "mary lee", "", None]) == ["Mary Lee", "朱丽娜", "赵培"]


@pytest.mark.parametrize(
    ("line", "credited"),
    [
        ("来源: 陈大文", ["陈大文"]),
        ("【来源：王小明 李大伟】", ["王小明", "李大伟"]),
        # outlets, also those that start with a surname character
        ("来源：新华社", []),
        ("来源：金融界", []),
        ("来源：齐鲁壹点", []),
        ("来源：东方网", []),
        ("来源：示例日报 编辑：王珊珊", []),
    ],
)
def test_source_lines_credit_people_not_outlets(line, credited):
    byline = read_bylines([line])
    assert byline.credited == credited
    assert byline.authors == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Von Anna Müller", ["Anna Müller"]),
        ("Par Sébastien Farcis", ["Sébastien Farcis"]),
        ("Por Williams Perdomo @wperdomod -", ["Williams Perdomo"]),
        ("ByTravis Haney", ["Travis Haney"]),
        ("Byron Smith", ["Byron Smith"]),
        ("Jane So", ["Jane So"]),
        ("Jane Doe, Mo., 3. Mai 2021", ["Jane Doe"]),
        ("Erstellt von Andri Bryner", ["Andri Bryner"]),
        ("Zeige alle Beiträge von Cem Basman", ["Cem Basman"]),
        ("View all posts by Daniel Lemire", ["Daniel Lemire"]),
        ("More stories by Jeremy Herron", ["Jeremy Herron"]),
        ("By Grant Brisbee@GrantBrisbee Dec 6, 2016, 4:08pm EST", ["Grant Brisbee"]),
        ("von Ulrike 18.10.2019 16:06 Uhr", ["Ulrike"]),
        ("Howard Blume Staff Writer", ["Howard Blume"]),
        ("Christoph Hein Chefredakteur", ["Christoph Hein"]),
        ("By Priya Raman, Technology Reporter", ["Priya Raman"]),
        ("谢若含2017-03-01 14:27:02", ["谢若含"]),
        ("sophie-foster", []),
        ("christian.stadtfeld", []),
        ("facebook.com/evgenia.karp", []),
        ("ThemeGrill", []),
        ("Photo: Getty Images", []),
        ("Follow", []),
        ("AFP", ["AFP"]),
        ("CNN", []),
    ],
)
def test_byline_labels_trailers_slugs_and_chrome(raw, expected):
    assert clean_names([raw]) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Anna Müller und Hans Meier, dpa", ["Anna Müller", "Hans Meier", "dpa"]),
        ("Isabel Caro y José Miguel Wilson", ["Isabel Caro", "José Miguel Wilson"]),
        ("Jane Doe and Associated Press", ["Jane Doe", "Associated Press"]),
        ("Reuters", ["Reuters"]),
        ("Gillman, Steve", ["Steve Gillman"]),  # Last, First: one person
        ("Walter von Aachen", ["Walter von Aachen"]),
        ("Perry Bacon Jr.", ["Perry Bacon Jr."]),
        ("新华社", ["新华社"]),
        ("李四、王五", ["李四", "王五"]),
    ],
)
def test_co_bylines_agencies_and_name_forms(value, expected):
    assert names_from_value(value) == expected


def test_agencies_are_authors_unless_they_are_the_site():
    assert all(map(is_agency, ["Associated Press", "dpa", "新华社"]))
    assert not is_site_name("AFP", ["Le Monde"])
    assert is_site_name("Reuters", ["Reuters"])
    assert is_site_name("Harbour Daily News", [])


def test_site_name_containment_is_by_whole_words_and_a_blog_is_its_authors():
    assert not is_site_name("Ela", ["Elavegan"])
    assert not is_site_name("Matthew Davis", ["Matthew Davis's Blog"])
    assert is_site_name("Wikimedia", ["Wikimedia Foundation"])


@pytest.mark.parametrize(
    ("lines", "authors"),
    [
        # a label alone on its line names the person on the next
        (["Autor", "Nikolai Huke,"], ["Nikolai Huke"]),
        (["Autor:", "Peter Maahn"], ["Peter Maahn"]),
        (["By", "Jane Doe"], ["Jane Doe"]),
        # an opener glued to the name
        (["ByJ.R. Stone"], ["J.R. Stone"]),
        # a date before the byline, or a numeric date and a dash before the name
        (["Posted on September 21, 2020 by Adi Tzlil"], ["Adi Tzlil"]),
        (["11.12.2019 - Amelie Loevenich"], ["Amelie Loevenich"]),
        (["11.12.2019 - Berlin"], []),
        # the writer's credit, not the illustrator's beside it
        (["Text von Christian Seiler Illustration von Markus Roost"], ["Christian Seiler"]),
        # "Von" that starts a headline is no byline
        (["Von Sprachregeln, Gender-Politik und «ganz normalem Deutsch»"], []),
        (["Von Anna Müller und Hans Meier, dpa"], ["Anna Müller", "Hans Meier", "dpa"]),
    ],
)
def test_bylines_as_pages_lay_them_out(lines, authors):
    assert read_bylines(lines).authors == authors


def test_only_the_first_by_line_is_the_byline():
    # a list of teasers under the article, each with its own "By ..." line
    lines = ["By Teresa Newsome", "Body text that goes on.", "By Audrey Williams", "By Phoebe Avison and Claire Fox"]
    assert read_bylines(lines, top=len(lines), bottom=len(lines)).authors == ["Teresa Newsome"]


@pytest.mark.parametrize(
    ("name", "hosts", "expected"),
    [
        ("Haki Benita", ["hakibenita.com"], True),
        ("Wolfgang Schmale", ["wolfgangschmale.eu"], True),
        ("zahlenzauberin", ["zahlenzauberin.wordpress.com"], True),
        ("Jane Doe", ["janedoe.co.uk"], True),
        # the outlet named after its domain is still the outlet
        ("Bustle", ["bustle.com"], False),
        ("Presse Augsburg", ["presse-augsburg.de"], False),
        ("Wikimedia Foundation", ["wikimediafoundation.org"], False),
        ("Haki Benita", ["example.com"], False),
    ],
)
def test_a_personal_site_is_its_owners(name, hosts, expected):
    from cleaning.metadata.authors import owns_site

    assert owns_site(name, hosts) is expected


def test_a_list_of_dated_lines_is_no_byline():
    # an events list: "date - artist - venue", one line per concert
    lines = ["03.11.2022 - Mark Turner - Arena", "04.11.2022 - Sam Ryder", "05.11.2022 - Dante YN"]
    assert read_bylines(lines).authors == []


def test_a_name_glued_to_the_next_element_is_taken_as_marked():
    # the byline line ran into the category link; the marked author element holds the name alone
    from cleaning.metadata.fields import pick_authors
    from cleaning.metadata.pagemeta import read_page_meta

    page = read_page_meta('<html><body><span class="author vcard">Christian Spließ</span></body></html>')
    header = ["am 23. Januar 2020 von Christian Spließin Allgemeines"]
    authors, _ = pick_authors(page, {}, {}, {}, [], [], header, ["Nur mein Standpunkt"])
    assert authors == ["Christian Spließ"]


@pytest.mark.parametrize(
    ("declared", "printed", "expected"),
    [
        # the printed byline names someone else: the metadata named the posting account
        (["Isabell Angele"], ["Matthias Lauerer"], ["Matthias Lauerer"]),
        # they agree on a name: the declared list, cleaner than a byline line
        (["Jane Doe"], ["Jane Doe", "John Roe"], ["Jane Doe"]),
        # a declared handle is written as printed
        (["arianschlichenmayer"], ["Arian Schlichenmayer"], ["Arian Schlichenmayer"]),
        ([], ["Jane Doe"], ["Jane Doe"]),
        (["Jane Doe"], [], ["Jane Doe"]),
    ],
)
def test_declared_authors_unless_the_printed_byline_names_others(declared, printed, expected):
    from cleaning.metadata.fields import _declared_unless_printed_differs

    assert _declared_unless_printed_differs(declared, printed) == expected


def test_affiliations_after_a_byline_are_no_names():
    line = "By Daniel Kahn Gillmor, Senior Staff Technologist, ACLU Speech, Privacy, and Technology Project"
    assert read_bylines([line]).authors == ["Daniel Kahn Gillmor"]
    assert read_bylines(["By Evan Symon, August 3, 2020 2:30 pm"]).authors == ["Evan Symon"]
