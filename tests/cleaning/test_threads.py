"""Forum threads: the first post is the article, the replies leave (cleaning.extraction.threads)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cleaning.extraction.boilerplate import remove_boilerplate
from cleaning.extraction.extract import extract_articles
from cleaning.extraction.htmltree import parse_page
from cleaning.extraction.rules import load_rules
from cleaning.extraction.threads import _REPLY_FLOOR, _may_name_a_floor, _reply_number, drop_thread_replies

THREAD = (Path(__file__).parents[1] / "fixtures" / "pages" / "forum_thread_hans.html").read_text(encoding="utf-8")
RULES = load_rules(None)
FIRST_POST = "市政府上周公布了河堤步道的改造方案"
REPLIES = ("支持！早就该修了", "停车确实是个问题", "观景平台的位置选得不错")


def cleaned(html: str) -> pd.Series:
    pages = pd.DataFrame(
        [{"decoded": html, "media_type": "html", "url": "https://bbs.example.cn/thread-1-1.html"}], dtype=object
    )
    result = extract_articles(pages, timeout=30.0, include_comments=False, rules=RULES)
    return remove_boilerplate(result.kept, rules=RULES).kept.iloc[0]


def test_a_thread_gives_its_first_post_only() -> None:
    row = cleaned(THREAD)
    assert FIRST_POST in row["text"]
    assert "希望有关部门能提前公布时间表" in row["text"]
    assert not any(reply in row["text"] for reply in REPLIES)
    assert "thread_replies" in row["boilerplate_rules"]


def test_a_page_that_mentions_floors_is_not_a_thread() -> None:
    html = (
        "<html><body><article><h1>新办公室启用</h1>"
        "<p>公司的客服中心搬到了大楼的2楼，营业时间不变，市民可从东门进入，电梯在大堂右侧。</p>"
        "<div><span>第 3 楼</span></div>"
        "<p>财务部门则搬到第3楼，办理报销的员工请提前预约，每周二和周四下午开放窗口。</p></article></body></html>"
    )
    tree = parse_page(html)
    assert tree is not None
    assert not drop_thread_replies(tree, html)  # one header: no list of replies
    assert "财务部门" in cleaned(html)["text"]


def test_a_thread_whose_first_post_is_only_a_picture_keeps_the_replies() -> None:
    html = THREAD.replace(THREAD[THREAD.index('<div class="content"><p>市政府') : THREAD.index("</div></div>") + 6], "")
    tree = parse_page(html)
    assert tree is not None
    assert not drop_thread_replies(tree, html)


def test_pages_without_a_floor_character_are_skipped() -> None:
    html = "<html><body><div><p>第 2 层</p></div><div><p>第 3 层</p></div></body></html>"
    tree = parse_page(html)
    assert tree is not None
    assert not drop_thread_replies(tree, html)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("第 2 楼", 2),
        ("第3樓 发表于 2020-01-01", 3),
        ("2楼", 2),
        ("张三 12楼：", 12),
        ("回复 #3", 3),
        ("回覆#4 李四", 4),
        ("回帖 # 5", 5),
        ("楼主", None),
        ("1楼", None),  # the first post is not a reply
        ("在2楼办公", None),  # a floor of a building
        ("回家 3 次", None),
        ("2 floors", None),
    ],
)
def test_reply_number_reads_a_replys_floor_header(text: str, number: int | None) -> None:
    assert _reply_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "第 2 楼",
        "第3樓",
        "2楼",
        " 12 楼：",
        "回复 #3",
        "回覆#4",
        "回帖 # 5",
        "２楼",  # a full-width digit is one for the regex too
        "在2楼办公",
        "楼主",
        "回复：楼上说得对",
        "回到首页",
        "三楼",
        "2\u3000楼",
        "楼2",
        "回复 # 第二",
        "",
    ],
)
def test_the_page_test_finds_every_text_that_names_a_floor(text: str) -> None:
    # the quick test of the whole page's text may let a page without floors through, never miss one
    if _REPLY_FLOOR.search(text):
        assert _may_name_a_floor(text)
        assert _may_name_a_floor(f"前文{text}后文")


def test_the_page_test_turns_away_pages_without_floor_numbers() -> None:
    assert not _may_name_a_floor("楼主发了一张图。回复：楼上说得对，回到首页")


def test_a_floor_header_in_the_text_of_a_thread_page_is_found() -> None:
    tree = parse_page(THREAD)
    assert tree is not None
    assert drop_thread_replies(tree, THREAD)
