"""The boilerplate rule layer: rule kinds, built-in rules, user rule files (regex and XPath)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaning.config import CleaningConfig
from cleaning.errors import ConfigError
from cleaning.extraction.boilerplate import apply_rules, remove_boilerplate
from cleaning.extraction.extract import extract_articles
from cleaning.extraction.rules import Rule, RuleKind, load_rules
from cleaning.extraction.rules.screens import fails_fast, required_literals, screen_of
from cleaning.pipeline import build_steps

BUILT_IN = load_rules(None)


def rule(kind: str, pattern: str, **settings: Any) -> Rule:
    return Rule(name="r", kind=RuleKind(kind), pattern=re.compile(pattern), **settings)


def built_in(text: str) -> tuple[str, dict[str, list[str]]]:
    return apply_rules(text, BUILT_IN.line_rules)


BODY = [
    "First paragraph of the story, long enough to be a real one.",
    "Second paragraph of the story with more detail on the plan.",
    "Third paragraph, the last of the story itself.",
]


# ---------------------------------------------------------------- rule kinds


def test_drop_line_drops_every_matching_line_and_records_it() -> None:
    text, removed = apply_rules("\n".join(["AD one", *BODY, "AD two"]), [rule("drop_line", r"^AD\b")])
    assert text.splitlines() == BODY
    assert removed == {"r": ["AD one", "AD two"]}


def test_max_chars_protects_long_lines() -> None:
    long_line = "AD " + "x" * 100
    text, removed = apply_rules("\n".join([long_line, "AD short"]), [rule("drop_line", r"^AD", max_chars=20)])
    assert text == long_line
    assert removed == {"r": ["AD short"]}


def test_first_and_last_lines_limit_the_scope() -> None:
    lines = ["X lead", *BODY, "X tail"]
    assert apply_rules("\n".join(lines), [rule("drop_line", "^X", first_lines=1)])[0].splitlines() == [*BODY, "X tail"]
    assert apply_rules("\n".join(lines), [rule("drop_line", "^X", last_lines=1)])[0].splitlines() == ["X lead", *BODY]


def test_drop_preceding_takes_the_organisation_blurb_with_the_contact_line() -> None:
    lines = [
        "Acme Agency helps firms in the middle of the story.",
        *BODY,
        "Acme Agency helps firms settle here.",
        "Agency staff answer questions.",
        "Acme Agency enquiries: call 123",
    ]
    contact = rule("drop_line", r"^(?P<org>.+?) enquiries:", drop_preceding="org")
    text, removed = apply_rules("\n".join(lines), [contact])
    # only the consecutive blurb right before the contact line goes; the earlier mention stays
    assert text.splitlines() == lines[:4]
    assert removed["r"] == lines[4:]


def test_drop_to_end_cuts_the_tail() -> None:
    text, removed = apply_rules(
        "\n".join([*BODY, "Related", "Other story one", "Other story two"]), [rule("drop_to_end", "^Related$")]
    )
    assert text.splitlines() == BODY
    assert removed == {"r": ["Related", "Other story one", "Other story two"]}


def test_drop_to_end_mid_article_drops_only_the_heading() -> None:
    lines = [BODY[0], "Related", *BODY[1:], *BODY]
    text, removed = apply_rules("\n".join(lines), [rule("drop_to_end", "^Related$", max_tail_share=0.4)])
    assert text.splitlines() == [BODY[0], *BODY[1:], *BODY]
    assert removed == {"r": ["Related"]}


def test_strip_span_cuts_the_match_and_keeps_the_rest() -> None:
    text, removed = apply_rules("\n".join([*BODY, "[sponsored]"]), [rule("strip_span", r"\s*\[sponsored\]")])
    assert text.splitlines() == BODY
    text, removed = apply_rules("Story text here. [sponsored]", [rule("strip_span", r"\s*\[sponsored\]")])
    assert text == "Story text here."
    assert removed == {"r": ["[sponsored]"]}


def test_end_marker_strips_the_mark_and_drops_what_follows() -> None:
    lines = [*BODY[:-1], BODY[-1] + " (END)", "promo line"]
    text, removed = apply_rules("\n".join(lines), [rule("end_marker", r"\s*\(END\)$", max_tail_share=0.5)])
    assert text.splitlines() == BODY
    assert removed == {"r": ["(END)", "promo line"]}


def test_rules_that_match_nothing_are_not_recorded() -> None:
    text, removed = apply_rules("\n".join(BODY), BUILT_IN.line_rules)
    assert text.splitlines() == BODY
    assert removed == {}


# ---------------------------------------------------------------- built-in rules


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("责任编辑：王珊珊", "editor_line"),
        ("責任編輯：陳大文", "editor_line"),
        ("【編輯：陳大文】", "editor_line"),
        ("（作者：朱丽娜 编辑：李艳霞）", "credit_line"),
        ("Edited by Jane Doe", "editor_line_en"),
        ("(Reporting by John Roe; Editing by Jane Doe)", "editor_line_en"),
        ("Additional reporting by Joseph Hudak", "editor_line_en"),
        ("Reporting by Jane Doe and John Roe.", "editor_line_en"),
        ("长按识别二维码关注", "qr_promo"),
        ("扫一扫在手机打开当前页", "qr_promo"),
        ("下载海港日报客户端，随时随地看新闻", "app_promo"),
        ("原标题：大数据开启重大时代转型", "original_title"),
        ("原標題：大數據開啟重大時代轉型", "original_title"),
        ("来源：新华社", "source_line"),
        ("來源：明報", "source_line"),
        ("Source: Reuters", "source_line"),
        ("扫码下载客户端", "qr_promo"),
        ("掃碼關注我們", "qr_promo"),
        ("欢迎关注我们的微信公众号", "follow_promo"),
        ("請關注本台公眾號", "follow_promo"),
        ("海量资讯、精准解读，尽在新浪财经APP", "app_promo"),
        ("Download our app for breaking news alerts.", "app_promo"),
        ("分享到：", "share_prompt"),
        ("Share this article", "share_prompt"),
        ("Copyright © 2024 Harbour Daily. All rights reserved.", "copyright_line"),
        ("版权所有 © 海港日报", "copyright_line"),
        ("未经授权不得转载", "copyright_line"),
        ("香港投资推广署相关查询请联系：李先生", "contact_line"),
        ("查詢請聯絡：李先生", "contact_line_plain"),
        ("Photo: Harbour Daily", "photo_caption"),
        ("图：市民在海滨长廊散步", "photo_caption"),
        ("圖片來源：政府新聞處", "photo_caption"),
        ("Subscribe to the Morning Review newsletter", "newsletter_promo"),
        ("READ MORE: Another story entirely", "read_more_line"),
        ("China furious at Macron for protest jibe [INSIGHT]", "teaser_link"),
        ("DON'T MISS", "teaser_heading"),
        ('[button link="/submit"]Send us your review[/button]', "shortcode"),
        ("Updated at 1:23 p.m.", "update_stamp"),
        ("2005-02-06 13:26更新 来源：转载文章 | 发表评论", "page_toolbar"),
        ("【大 中 小】", "page_toolbar"),
        ("打印本文 关闭窗口", "page_toolbar"),
        ("今 日 推 荐 | 大款收藏86部老车 全国武术冠军改行学擦皮鞋(图)", "recommendation_bar"),
        ("[2005-08-21] 为什么总要面对呢", "dated_link"),
        ("Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", "author_contact_promo"),
        ("Foto: Hafenpresse/Jana Beispiel", "photo_credit_intl"),
        ("Crédits photos : Agence Exemple", "photo_credit_intl"),
        ("Titelbild: Beispielbild, CC BY 2.0", "photo_credit_intl"),
        ("Pour lire la suite", "paywall_prompt"),
        ("Subscribe now to our Harbour Daily edition for the full story.", "paywall_prompt"),
        ("¿Ya sabías que tenemos canal de Telegram? Únete en este enlace.", "channel_promo"),
        ("Want to hear about our next event? Sign up here", "channel_promo"),
        ("Fot. Jan Beispiel / Agencja Przykład", "photo_credit_intl"),
        ("Tempo de leitura: 1 minuto", "reading_time"),
        ("Lesezeit: 4 Minuten", "reading_time"),
        ("5 min read", "reading_time"),
        ("Example Sports Newsletter", "newsletter_promo"),
        ("If you enjoyed this article, we have a proposition for you: join our club.", "newsletter_promo"),
        ("*Werbung. Dieser Beitrag enthält Werbung für Beispielmarke.", "disclosure_line"),
        ("Anzeige, enthält Affiliate Links", "disclosure_line"),
        ("This post contains references to products from one or more of our advertisers.", "disclosure_line"),
        ("We review products independently, and advertisers do not influence our picks.", "disclosure_line"),
        ("For the latest stories download the Example News apps for iOS and Android.", "app_promo"),
        ("Sign up to get the best content of the week, as picked by the editors.", "newsletter_promo"),
        ("Get the Example Daily Edition by email and never miss our top stories Free Sign Up", "newsletter_promo"),
        ("Czytaj też: Zupełnie inna historia o porcie", "read_more_line_intl"),
        ("À lire aussi » Une tout autre histoire du port", "read_more_line_intl"),
        ("VEA TAMBIÉN: Otra historia del puerto", "read_more_line_intl"),
        ("Jane Doe covers science. Follow her on Twitter @janedoe.", "author_contact_promo"),
    ],
)
def test_built_in_rule_drops_its_line(line: str, name: str) -> None:
    text, removed = built_in("\n".join([*BODY, line]))
    assert text.splitlines() == BODY
    assert removed == {name: [line]}


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("相关阅读：", "related_reading"),
        ("相關閱讀", "related_reading"),
        ("Related Articles", "related_reading"),
        ("You may also like", "related_reading"),
        ("Schon gelesen?", "related_reading_intl"),
        ("Weitere Artikel zum Thema", "related_reading_intl"),
        ("Das Thema könnte dich auch interessieren:", "related_reading_intl"),
        ("Czytaj więcej", "related_reading_intl"),
        ("Más sobre El Puerto", "related_reading_intl"),
        ("You may also like...", "related_reading"),
        ("Other Opinion Columns", "related_reading"),
        ("More Top Stories", "related_reading"),
        ("more stories", "related_reading"),
        ("Today on HealthSite", "related_reading"),
    ],
)
def test_related_reading_drops_the_list_after_it(heading: str, name: str) -> None:
    text, removed = built_in("\n".join([*BODY, *BODY, heading, "another story", "yet another story"]))
    assert text.splitlines() == [*BODY, *BODY]
    assert removed == {name: [heading, "another story", "yet another story"]}


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("反侵权公告：", "legal_notice"),
        ("某某网版权与免责声明：", "legal_notice"),
        ("Disclaimer", "legal_notice"),
        ("Tell us what YOU think...", "comments_heading"),
        ("发表评论", "comments_heading"),
    ],
)
def test_notices_and_comment_prompts_end_the_article(heading: str, name: str) -> None:
    text, removed = built_in("\n".join([*BODY, *BODY, heading, "a short trailing line"]))
    assert text.splitlines() == [*BODY, *BODY]
    assert removed == {name: [heading, "a short trailing line"]}


@pytest.mark.parametrize(
    ("last", "end", "marker"),
    [
        ("工程明年动工。（编辑 李艳霞）", "工程明年动工。", "（编辑 李艳霞）"),
        ("工程明年動工。（編輯：陳大文）", "工程明年動工。", "（編輯：陳大文）"),
        ("工程明年动工。 来源：新闻晨报 编辑：山石", "工程明年动工。", "来源：新闻晨报 编辑：山石"),
    ],
)
def test_end_marker_at_the_end_of_the_last_paragraph(last: str, end: str, marker: str) -> None:
    story = ["市政府周二公布新计划，将在未来三年内把海滨长廊延长四公里，连接两个社区。" * 2] * 3
    text, removed = built_in("\n".join([*story, last, "推广署一直鼓励企业来港发展。"]))
    assert text.splitlines() == [*story, end]
    assert removed["credit_end_marker"] == [marker, "推广署一直鼓励企业来港发展。"]


def test_press_release_about_block() -> None:
    about = ["Acme is a global provider of harbour engineering services.", "Acme is headquartered in Hong Kong."]
    text, removed = built_in("\n".join([*BODY, *BODY, *about]))
    assert text.splitlines() == [*BODY, *BODY]
    assert removed == {"press_release_about": about}


def test_lead_timestamp_goes_and_a_closing_date_stays() -> None:
    text, removed = built_in("\n".join(["2022.01.20 16:31", *BODY, "2022年1月27日"]))
    assert text.splitlines() == [*BODY, "2022年1月27日"]
    assert removed == {"timestamp_line": ["2022.01.20 16:31"]}


def test_wiki_edit_links_leave_the_heading() -> None:
    text, removed = built_in("\n".join([BODY[0], "简介[编辑]", *BODY[1:]]))
    assert text.splitlines() == [BODY[0], "简介", *BODY[1:]]
    assert removed == {"wiki_edit_link": ["[编辑]"]}


def test_lead_caption_identifying_people_by_position() -> None:
    caption = "Jane Chan (second from left), John Lee (third from right) and guests open the forum."
    text, removed = built_in("\n".join([caption, *BODY]))
    assert text.splitlines() == BODY
    assert removed == {"photo_caption_lead": [caption]}


@pytest.mark.parametrize(
    "lead",
    [
        "Jane Chan (left) spoke first at the forum, which ran for two days in the convention centre.",
        "The minister (centre) and " + "the delegates " * 40 + "(pictured) met in Central.",
        "Sales rose (left axis) while costs fell, the report said " + "(" * 30 + ".",
    ],
)
def test_a_lead_with_fewer_than_two_position_brackets_stays(lead: str) -> None:
    text, removed = built_in("\n".join([lead, *BODY]))
    assert text.splitlines() == [lead, *BODY]
    assert "photo_caption_lead" not in removed


@pytest.mark.parametrize(
    "sentence",
    [
        # sentences that merely mention an editor, a source, an app, a QR code or copyright
        "他曾任报社编辑多年，后来转行做数据分析，目前在一家初创公司负责产品设计工作。",
        "编辑部的故事是一部九十年代的经典情景喜剧。",
        "The source said the talks would resume on Monday after a weekend of consultations.",
        "Sources: the ministry declined to say where the funds would come from, which drew criticism from lawmakers.",
        "The company said downloads of its app rose sharply after the update, according to figures released on Tuesday.",  # noqa: E501
        "美国唱片工会表示：“播客在使用其它音乐时，一定要获得版权所有者或制作人的许可。”",
        "Copyright law has not kept pace with the way music is now shared online, the panel concluded.",
        "The photo shows the left bank of the river (left) after the flood.",
        "已有超过一百万用户关注该公众号，平台方表示将在下月推出新的付费内容和会员服务，并进一步扩大团队。",
        "相关报道显示，该计划已获得多数议员支持。",
        "Related to the plan, officials also proposed a new ferry pier.",
        "Read more widely, the report suggests a shift in policy.",
        "Apple is a company that rarely comments on rumours, and it did not respond on Tuesday.",
        "市民进入商场须扫码登记，并出示健康码。",
        "市民可通过“智方便”App办理多项政府服务，下载量已超过两百万。",
        "Produced by Warner Bros, the film grossed 300 million dollars worldwide.",
        "Reporting by the agency suggests the talks have stalled.",
        "Foto und Film waren die Leidenschaften des Regisseurs, der am Montag im Alter von 80 Jahren starb.",
        "Pour lire la presse du matin, il se levait à cinq heures.",
        "Mehr zum Thema Hafen wollte der Senat am Montag nicht sagen, teilte ein Sprecher mit.",
        "The reading time of the report is about 40 minutes, its authors said, and it has 12 chapters.",
        "Lesezeit ist Lebenszeit, sagt die Autorin, die 5 Minuten am Tag für genug hält.",
        "The Newsletter of the society appeared every month until 1998, when funding ran out.",
        "If you enjoyed this article's premise, the sequel will surprise you, the critic wrote.",
        "Affiliate links earn the blog a commission, the study found, and most readers never notice them.",
        "Werbung und Anzeigen machen den größten Teil der Einnahmen des Verlags aus.",
        "Anzeige gegen Unbekannt: Die Polizei ermittelt wegen Sachbeschädigung.",
        "Users can download the city's apps for iOS and Android to pay for parking, the council said on Monday.",
        "Sign up to get the vaccine opened on Monday for everyone over 60, the health ministry said.",
        "The YouTube channel of the council streams every meeting live.",
    ],
)
def test_real_sentences_survive(sentence: str) -> None:
    text, removed = built_in("\n".join([*BODY, sentence]))
    assert text.splitlines() == [*BODY, sentence], removed
    assert removed == {}


# ---------------------------------------------------------------- the step


def test_remove_boilerplate_writes_rules_and_removed_lines() -> None:
    articles = pd.DataFrame(
        {
            "text": ["\n".join([*BODY, "责任编辑：王珊珊"]), "\n".join(BODY)],
            "url": ["https://news.example.com/a/1", None],
            "boilerplate_rules": [["site_sidebar"], []],
        }
    )
    result = remove_boilerplate(articles, rules=BUILT_IN)
    assert len(result.rejected) == 0
    assert result.kept["text"].tolist() == ["\n".join(BODY)] * 2
    assert result.kept["boilerplate_rules"].tolist() == [["editor_line", "site_sidebar"], []]
    assert result.kept["removed_lines"].tolist() == [{"editor_line": ["责任编辑：王珊珊"]}, {}]
    assert articles["text"][0].endswith("王珊珊")  # the input frame is not mutated


# ---------------------------------------------------------------- user rule files


USER_RULES = """
[[rules]]
name = "example_footer"
kind = "drop_to_end"
pattern = '^Picks of the day at Example News$'
domain = "example.com"

[[rules]]
name = "example_sidebar"
kind = "xpath"
xpath = '//div[@class="box-3"]'
domain = "example.com"

[[rules]]
name = "everywhere_promo"
kind = "drop_line"
pattern = '^Advertisement$'
"""

PAGE = """<html><body><main><article><h1>Harbour plan</h1>
<p>The city council approved a new plan on Tuesday to expand the harbourfront promenade by four kilometres.</p>
<div class="box-3"><p>Teaser: a completely different story that the sidebar rule removes before extraction.</p></div>
<p>Officials said construction would begin next spring and take about three years to complete in full.</p>
<p>Advertisement</p>
<p>Residents largely welcomed the plan, although several asked for more shade and benches along the route.</p>
<p>Picks of the day at Example News</p>
<p>Another story, linked from the footer of every page on this site, that the footer rule removes.</p>
</article></main></body></html>"""


@pytest.fixture
def user_rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(USER_RULES, encoding="utf-8")
    return path


def run_steps(rules_file: Path, url: str) -> pd.Series:
    rules = load_rules(rules_file)
    pages = pd.DataFrame({"decoded": [PAGE], "media_type": ["html"], "url": [url]}, dtype=object)
    extracted = extract_articles(pages, timeout=30.0, include_comments=False, rules=rules)
    return remove_boilerplate(extracted.kept, rules=rules).kept.iloc[0]


def test_user_rules_apply_on_their_domain(user_rules: Path) -> None:
    row = run_steps(user_rules, "https://www.example.com/news/1")
    assert "Teaser" not in row["text"]
    assert "Another story" not in row["text"]
    assert "Advertisement" not in row["text"]
    assert "Residents largely welcomed the plan" in row["text"]
    assert row["boilerplate_rules"] == ["everywhere_promo", "example_footer", "example_sidebar"]


def test_user_rules_for_a_domain_leave_other_sites_alone(user_rules: Path) -> None:
    row = run_steps(user_rules, "https://example.org/news/1")
    assert "Teaser" in row["text"]
    assert "Another story" in row["text"]
    assert "Advertisement" not in row["text"]  # a rule with no domain applies everywhere
    assert row["boilerplate_rules"] == ["everywhere_promo"]


def test_rule_files_are_loaded_once(user_rules: Path) -> None:
    assert load_rules(user_rules) is load_rules(user_rules)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("name = 'x'\nkind = 'drop_line'", "needs a `pattern`"),
        ("name = 'x'\nkind = 'drop_line'\npattern = '(unclosed'", "invalid regex"),
        ("name = 'x'\nkind = 'xpath'\nxpath = '//div[@'", "invalid XPath"),
        ("name = 'x'\nkind = 'explode'\npattern = 'a'", "`kind` must be one of"),
        ("kind = 'drop_line'\npattern = 'a'", "needs a non-empty `name`"),
        ("name = 'x'\nkind = 'drop_line'\npattern = 'a'\ncolour = 'red'", "unknown key"),
        ("name = 'x'\nkind = 'drop_line'\npattern = 'a'\ndrop_preceding = 'org'", "lacks"),
        ("name = 'editor_line'\nkind = 'drop_line'\npattern = 'a'", "unique"),
    ],
)
def test_bad_rule_files_raise_config_errors(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"[[rules]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_rules(path)


def test_missing_rule_file_raises_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read boilerplate rules"):
        load_rules(tmp_path / "absent.toml")


def test_pipeline_binds_the_configured_rule_file(user_rules: Path) -> None:
    steps = dict(build_steps(CleaningConfig(boilerplate_rules=user_rules)))
    pages = pd.DataFrame({"decoded": [PAGE], "media_type": ["html"], "url": ["https://example.com/1"]}, dtype=object)
    row = steps["remove_boilerplate"](steps["extract_articles"](pages).kept).kept.iloc[0]
    assert row["boilerplate_rules"] == ["everywhere_promo", "example_footer", "example_sidebar"]


SYMBOLS = "ab 编辑：来源:（）() \u3000©相关阅读\n"
lines_of_text = st.lists(st.text(alphabet=st.sampled_from(SYMBOLS), max_size=40), max_size=12)


def is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


@given(lines_of_text)
def test_rules_never_crash_and_only_remove(lines: list[str]) -> None:
    text = "\n".join(lines)
    clean, removed = built_in(text)
    assert len(clean) <= len(text)
    # every kept line is an input line or one with a span cut out: nothing is invented
    for kept in clean.splitlines():
        assert any(is_subsequence(kept, line) for line in text.splitlines()), kept
    assert all(isinstance(v, list) and v for v in removed.values())


# ---------------------------------------------------------------- literal screens

SCREENED = [r for r in BUILT_IN.line_rules if r.pattern is not None and screen_of(r.pattern) is not None]


def test_the_costly_built_in_patterns_have_a_screen() -> None:
    # the ones tried at every position of a line (about 5 us a line each without their screen)
    names = {r.name for r in SCREENED}
    assert {"disclosure_line", "newsletter_promo", "copyright_line", "credit_end_marker", "page_toolbar"} <= names


@pytest.mark.parametrize("built_in_rule", SCREENED, ids=lambda r: r.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_screen_never_hides_a_line_its_pattern_matches(built_in_rule: Rule, data: st.DataObject) -> None:
    assert built_in_rule.pattern is not None
    line = data.draw(st.from_regex(built_in_rule.pattern))
    screen = screen_of(built_in_rule.pattern)
    assert screen is not None
    assert screen.search(line), line


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("abc", {"abc"}),
        ("^x(?:foo|bar)y", {"foo", "bar"}),  # the branch's words beat a one-letter run
        ("(?:foo)?bar", {"bar"}),  # an optional part promises nothing
        ("[：:]", {"：", ":"}),
        ("(?i:copyright) 20", {" 20"}),  # case-insensitive parts promise no exact letters
        ("foo|.*", None),  # a branch without literals: no screen
        (r"(\w+)\1", None),
        ("[a-z]+", None),
    ],
)
def test_required_literals_are_those_every_match_holds(pattern: str, literals: set[str] | None) -> None:
    found = required_literals(re.compile(pattern))
    assert (None if found is None else set(found)) == literals


def test_patterns_that_fail_fast_get_no_screen() -> None:
    assert fails_fast(re.compile("^foo|^bar"))
    assert fails_fast(re.compile(r"\[(?:EXCLUSIVE|LIVE)\]"))  # the engine jumps to each "["
    assert not fails_fast(re.compile("^foo|bar"))
    assert screen_of(re.compile("^(?:foo|bar)")) is None
    assert screen_of(re.compile(r"\b(?:foo|bar)\b")) is not None


def test_a_screened_rule_drops_the_same_lines() -> None:
    text = "Story line.\nThis post contains affiliate links to shops.\nAll rights reserved 2026"
    clean, removed = built_in(text)
    assert clean == "Story line."
    assert set(removed) == {"disclosure_line", "copyright_line"}
