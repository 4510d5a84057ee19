"""extract_articles (+ remove_boilerplate) on fixture pages, seeds and failure cases."""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from cleaning.extraction import extract as extract_module
from cleaning.extraction.boilerplate import remove_boilerplate
from cleaning.extraction.extract import extract_articles
from cleaning.extraction.rules import load_rules

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = FIXTURES / "pages"
SEEDS = FIXTURES / "seeds"
RULES = load_rules(None)


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame([{"url": None, "media_type": "html", **row} for row in rows], dtype=object)


def extract(frame_: pd.DataFrame, *, timeout: float = 30.0, include_comments: bool = False) -> Any:
    return extract_articles(frame_, timeout=timeout, include_comments=include_comments, rules=RULES)


def clean(
    decoded: str,
    media_type: str = "html",
    url: str | None = "https://news.example.com/a/1",
) -> pd.Series:
    result = extract(frame({"decoded": decoded, "media_type": media_type, "url": url}))
    assert len(result.rejected) == 0, result.rejected["reject_detail"].tolist()
    return remove_boilerplate(result.kept, rules=RULES).kept.iloc[0]


ARTICLE_EN = "connecting two districts that have long been separated by industrial land."
ARTICLE_ZH = "连接两个长期被工业用地隔开的社区。"

# fixture page -> (must contain, must not contain, rules that must fire)
GOLDEN = {
    "comments_section.html": (
        [ARTICLE_EN, "waterfront improvements."],
        ["Great news", "white elephant", "3 comments"],
        [],
    ),
    "qr_promo_hans.html": ([ARTICLE_ZH, "不需要额外拨款。"], ["扫码", "公众号"], ["follow_promo", "qr_promo"]),
    "editor_line_hans.html": ([ARTICLE_ZH, "不需要额外拨款。"], ["责任编辑", "王珊珊"], ["editor_line"]),
    "editor_line_hant.html": (
        ["連接兩個長期被工業用地隔開的社區。", "不需要額外撥款。"],
        ["編輯", "陳大文", "投資推廣署", "查詢請聯絡"],
        ["contact_line", "credit_end_marker"],
    ),
    "original_title.html": ([ARTICLE_ZH], ["原标题", "城市更新"], ["original_title"]),
    "related_reading.html": (
        [ARTICLE_ZH, "不需要额外拨款。"],
        ["相关阅读", "单车径明年通车", "市民热议"],
        ["related_reading"],
    ),
    "share_prompt.html": ([ARTICLE_EN], ["Share this", "Share on", "Tweet"], ["share_prompt"]),
    "copyright_footer.html": (
        [ARTICLE_EN, "waterfront improvements."],
        ["Copyright", "rights reserved", "Reproduction"],
        ["copyright_line"],
    ),
    "photo_caption.html": (
        [ARTICLE_EN],
        ["second from left", "officiated", "Photo:"],
        ["photo_caption", "photo_caption_lead"],
    ),
    "photo_caption_hans.html": ([ARTICLE_ZH], ["图：", "左起", "出席开幕礼"], ["photo_caption", "photo_caption_lead"]),
    "app_promo.html": ([ARTICLE_ZH], ["APP", "客户端"], ["app_promo"]),
    "app_promo_en.html": ([ARTICLE_EN], ["Download our app"], ["app_promo"]),
    "table_layout.html": (
        [ARTICLE_ZH, "不需要额外拨款。"],
        ["站内导航", "日历", "热门文章", "财经频道", "广告服务", "| 1 |"],
        [],
    ),
    "fragment.html": ([ARTICLE_EN, "waterfront improvements."], ["<div", "<text"], []),
    "forum_thread_hans.html": (
        ["市政府上周公布了河堤步道的改造方案", "希望有关部门能提前公布时间表。"],
        ["支持！", "停车确实是个问题", "观景平台的位置选得不错", "第 2 楼"],
        ["thread_replies"],
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_fixture_page(name: str) -> None:
    must, must_not, rules = GOLDEN[name]
    row = clean((PAGES / name).read_text(encoding="utf-8"))
    for snippet in must:
        assert snippet in row["text"], f"{name}: lost {snippet!r}"
    for snippet in must_not:
        assert snippet not in row["text"], f"{name}: kept {snippet!r}"
    assert set(rules) <= set(row["boilerplate_rules"]), row["boilerplate_rules"]
    assert row["boilerplate_rules"] == sorted(row["boilerplate_rules"])


def test_every_fixture_page_has_a_golden_case() -> None:
    assert sorted(p.name for p in PAGES.glob("*.html")) == sorted(GOLDEN)


def test_editor_names_are_kept_for_metadata() -> None:
    row = clean((PAGES / "editor_line_hans.html").read_text(encoding="utf-8"))
    assert row["removed_lines"] == {"editor_line": ["责任编辑：王珊珊"]}


def test_comments_stay_out_of_the_body_even_when_included() -> None:
    page = (PAGES / "comments_section.html").read_text(encoding="utf-8")
    result = extract(frame({"decoded": page}), include_comments=True)
    row = result.kept.iloc[0]
    assert "Great news" not in row["text"]
    assert "Great news" in row["extracted"]["comments"]


def test_extraction_leaves_page_metadata_to_the_metadata_step() -> None:
    # trafilatura's metadata pass (htmldate above all) doubled extraction time and the metadata
    # step reads the same tags itself; only plain text carries metadata out of extraction
    page = (PAGES / "comments_section.html").read_text(encoding="utf-8")
    extracted = extract(frame({"decoded": page, "url": "https://news.example.com/a/1"})).kept.iloc[0]["extracted"]
    assert {"title", "author", "date", "sitename", "categories", "tags", "description", "image"} <= set(extracted)
    assert extracted["date"] is None


def test_paragraph_indentation_and_inner_spacing_are_normalized() -> None:
    html = (
        "<html><body><article>"
        "<p>\u3000\u3000第一段：市政府今日公布新计划，\u00a0将延长海滨长廊四公里，连接两个长期被工业用地隔开的社区。</p>"
        "<p>\u3000\u3000第二段：官员表示，工程将于明年春季动工，   首段预计在二〇二六年底前开放。</p>"
        "</article></body></html>"
    )
    text = clean(html)["text"]
    assert text.splitlines() == [
        "第一段：市政府今日公布新计划， 将延长海滨长廊四公里，连接两个长期被工业用地隔开的社区。",
        "第二段：官员表示，工程将于明年春季动工， 首段预计在二〇二六年底前开放。",
    ]


def test_link_grids_go_and_data_tables_stay() -> None:
    regions = "".join(f'<td><a href="/r/{i}">地区{i}</a></td>' for i in range(8))
    html = f"""<html><body><article>
<table><tr>{regions}</tr></table>
<p>The city council approved a new plan on Tuesday to expand the harbourfront promenade by four kilometres.</p>
<table><tr><th>District</th><th>Length</th></tr><tr><td>Central</td><td>1.5 km</td></tr>
<tr><td>Wan Chai</td><td>2.5 km</td></tr></table>
<p>Officials said construction would begin next spring and take about three years to complete in full.</p>
</article></body></html>"""
    text = clean(html)["text"]
    assert "地区" not in text
    assert "Wan Chai | 2.5 km" in text.splitlines()


def test_list_items_lose_their_markers() -> None:
    html = """<html><body><article>
<p>The city council approved a new plan on Tuesday to expand the harbourfront promenade by four kilometres.</p>
<ul><li>More shade along the route for everyone</li><li>New benches every hundred metres</li></ul>
<p>Officials said construction would begin next spring and take about three years to complete in full.</p>
</article></body></html>"""
    lines = clean(html)["text"].splitlines()
    assert "More shade along the route for everyone" in lines
    assert not any(line.startswith("-") for line in lines)


# ---------------------------------------------------------------- seeds


def test_seed_plain_text_title_and_body() -> None:
    row = clean((SEEDS / "000_a44f89487335c847.txt").read_text(encoding="utf-8"), "text", url=None)
    assert row["extracted"]["title"] == "Power of AI: Hong Kong’s Soaring Innovation Landscape"
    assert "date" not in row["extracted"]
    assert row["text"].startswith("In the vibrant cityscape of Hong Kong")
    assert row["text"].endswith("As Hong Kong")
    assert "\n\n" not in row["text"]
    assert "1. Healthcare Revolution:" in row["text"].splitlines()


def test_seed_dated_title_and_lead_caption() -> None:
    row = clean((SEEDS / "001_8e11f0fe72f46a60.txt").read_text(encoding="utf-8"), "text", url=None)
    assert row["extracted"]["title"] == "Exploring the Risks and Opportunities of AI Applications in Cybersecurity"
    assert row["extracted"]["date"] == "2025-05-14"
    assert row["extracted"]["date_source"] == "text"
    assert row["text"].startswith("HONG KONG SAR - Media OutReach Newswire - 14 May 2025")
    assert "fifth from the right" not in row["text"]
    assert row["boilerplate_rules"] == ["photo_caption_lead"]


SEED_002_MUST_NOT = [
    "原标题",
    "article_adlist",
    "&#123;",
    "appendQr_wrap",
    "海量资讯、精准解读",
    "责任编辑",
    "王珊珊",
    "投资推广署一直积极鼓励有意于香港设立公司或拓展业务的内地企业",
    "查询请联系",
    "李艳霞",
    "\u3000",
    "<",
    "---",
    "headimg",
]


def test_seed_html_post_body() -> None:
    row = clean(
        (SEEDS / "002_3fb5349cd76de5a0.txt").read_text(encoding="utf-8"),
        "html",
        url="https://finance.sina.com.cn/a/1.shtml",
    )
    text = row["text"]
    assert text.startswith("21世纪经济报道 记者朱丽娜 香港报道 “大数据开启了一次重大的时代转型。")
    assert text.endswith("会有很大的帮助。”")
    for snippet in SEED_002_MUST_NOT:
        assert snippet not in text, snippet
    # the inline stock-ticker link keeps its words and the sentence goes on after it
    assert "智能手机和互联网催生了海量数据，不仅无处不在" in text
    # the mid-article mention of the promotion agency is article text
    assert "香港投资推广署一直积极鼓励有意于香港设立公司或拓展业务的AI企业來港发展" in text
    assert row["removed_lines"]["editor_line"] == ["责任编辑：王珊珊"]


# ---------------------------------------------------------------- markdown


def test_markdown_is_rendered_without_syntax() -> None:
    post = (
        "---\ntitle: x\n---\n# Harbour plan\n\nThe **council** approved a [new plan](https://example.com) "
        "on _Tuesday_.\n\n- first item\n- second item\n\n> a quoted line\n\n<!-- hidden note -->\n"
        "```\ncode stays\n```\n"
    )
    text = clean(post, "markdown")["text"]
    assert text.splitlines() == [
        "Harbour plan",
        "The council approved a new plan on Tuesday.",
        "first item",
        "second item",
        "a quoted line",
        "code stays",
    ]


def test_markdown_soft_breaks_tables_and_code() -> None:
    post = "A sentence wrapped\nover two lines.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nl1\nl2\n```\n"
    assert clean(post, "markdown")["text"].splitlines() == [
        "A sentence wrapped over two lines.",
        "a | b",
        "1 | 2",
        "l1",
        "l2",
    ]


# ---------------------------------------------------------------- rejects


@pytest.mark.parametrize(
    ("decoded", "media_type"),
    [
        ("<html><body><script>var x = 1;</script></body></html>", "html"),
        ("   \n\n", "text"),
        ("title only\n", "text"),
        ("", "markdown"),
    ],
)
def test_empty_body_is_rejected_as_no_text(decoded: str, media_type: str) -> None:
    result = extract(frame({"decoded": decoded, "media_type": media_type}))
    assert len(result.kept) == 0
    assert result.rejected["reject_reason"].tolist() == ["no_text"]
    assert result.rejected["reject_stage"].tolist() == ["extract"]


def test_unknown_media_type_is_rejected() -> None:
    result = extract(frame({"decoded": "x", "media_type": "pdf"}))
    assert result.rejected["reject_reason"].tolist() == ["not_an_article"]


def test_extractor_exception_is_rejected_with_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(extract_module.trafilatura, "bare_extraction", broken)
    page = (PAGES / "fragment.html").read_text(encoding="utf-8")
    result = extract(frame({"decoded": page}, {"decoded": "plain body\nsecond line", "media_type": "text"}))
    assert result.rejected["reject_reason"].tolist() == ["extraction_error"]
    assert result.rejected["reject_detail"].tolist() == ["RuntimeError: parser exploded"]
    assert result.kept["text"].tolist() == ["second line"]


def test_slow_extraction_is_rejected_as_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*args: Any, **kwargs: Any) -> None:
        time.sleep(5)

    monkeypatch.setattr(extract_module.trafilatura, "bare_extraction", slow)
    page = (PAGES / "fragment.html").read_text(encoding="utf-8")
    started = time.monotonic()
    result = extract(frame({"decoded": page}), timeout=0.2)
    assert time.monotonic() - started < 2
    assert result.rejected["reject_reason"].tolist() == ["extraction_timeout"]


def test_slow_extraction_is_rejected_as_timeout_off_the_main_thread_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a Dask worker, whose tasks run in a thread pool: SIGALRM cannot reach them."""

    def spinning(*args: Any, **kwargs: Any) -> None:
        end = time.monotonic() + 5
        while time.monotonic() < end:  # Python code, as trafilatura's: interrupted between bytecodes
            pass

    monkeypatch.setattr(extract_module.trafilatura, "bare_extraction", spinning)
    page = (PAGES / "fragment.html").read_text(encoding="utf-8")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        result = pool.submit(extract, frame({"decoded": page}, {"decoded": "a\nb", "media_type": "text"}), timeout=0.2)
        rejected = result.result().rejected
        assert time.monotonic() - started < 4
    assert rejected["reject_reason"].tolist() == ["extraction_timeout"]
    time.sleep(0.3)  # a timer left behind would raise in the pool's thread now; the next page is untouched
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        quick = pool.submit(extract, frame({"decoded": "title\nbody", "media_type": "text"}), timeout=0.05).result()
    assert quick.kept["text"].tolist() == ["body"]


def test_rows_are_conserved_and_order_kept() -> None:
    pages = frame(
        {"decoded": "first title\nbody one", "media_type": "text"},
        {"decoded": "", "media_type": "text"},
        {"decoded": "third title\nbody three", "media_type": "text"},
    )
    result = extract(pages)
    assert len(result.kept) + len(result.rejected) == 3
    assert result.kept["text"].tolist() == ["body one", "body three"]
    assert list(result.kept.index) == [0, 2]
    assert "text" not in pages.columns  # the input frame is not mutated


@pytest.mark.parametrize("url", [None, float("nan"), "", "http://[::1", "not a url"])
def test_missing_or_malformed_urls_are_data_not_errors(url: Any) -> None:
    page = (PAGES / "app_promo_en.html").read_text(encoding="utf-8")
    result = extract(frame({"decoded": page, "url": url}))
    assert len(result.rejected) == 0
    row = remove_boilerplate(result.kept, rules=RULES).kept.iloc[0]
    assert row["boilerplate_rules"] == ["app_promo"]


@pytest.mark.parametrize(
    ("precise", "balanced", "expected"),
    [
        # precision settled on a data table; the balanced run finds the article's prose
        (
            "| Ref | 2022-00426 |\n| Date | 2022-01-27 |",
            "A long paragraph of prose. " * 20,
            "A long paragraph of prose.",
        ),
        # precision found nothing at all
        (None, "A long paragraph of prose. " * 20, "A long paragraph of prose."),
        # precision is short but the balanced run has little more: keep the precise text
        ("A short story in one line.", "A short story in one line. Share this.", "A short story in one line."),
        # precision is long and prose: no second look
        ("Precise prose. " * 60, "Balanced prose with a sidebar. " * 60, "Precise prose."),
    ],
)
def test_precision_falls_back_to_balanced_when_it_misses_the_prose(
    monkeypatch: pytest.MonkeyPatch, precise: str | None, balanced: str, expected: str
) -> None:
    def fake(tree: Any, **settings: Any) -> Any:
        text = precise if settings.get("favor_precision") else balanced
        return None if text is None else SimpleNamespace(text=text, comments=None)

    monkeypatch.setattr(extract_module, "_run_trafilatura", fake)
    text = extract(frame({"decoded": "<html><body><p>x</p></body></html>"})).kept.iloc[0]["text"]
    assert text.startswith(expected)
    assert ("Share this" in text) is False
    assert ("sidebar" in text) is False
