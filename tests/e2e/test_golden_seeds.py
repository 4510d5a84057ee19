"""The three seed documents, cleaned end to end, hold every fact of tests/fixtures/seeds.md."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

import tidings
from tidings.cli import main


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.Series]:
    from tests.conftest import SEEDS

    output = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["clean", str(SEEDS), "--output", str(output), "--no-progress"])
    assert result.exit_code == 0, result.output
    articles = tidings.load(output)
    assert len(articles) == 3
    assert len(tidings.load_rejects(output)) == 0
    return {row["origin"].rsplit("/", 1)[-1][:3]: row for _, row in articles.iterrows()}


def test_000_plain_english_text(cleaned):
    seed = cleaned["000"]
    assert seed["title"] == "Power of AI: Hong Kong\u2019s Soaring Innovation Landscape"
    assert seed["language"] == "en"
    assert pd.isna(seed["published_at"]), "no date anywhere: never guess one"
    assert {"truncated", "injected_keywords", "list_numbering_lost", "missing_date"} <= set(seed["quality_flags"])
    assert "mixed_language" not in seed["quality_flags"]
    assert seed["text"].startswith("In the vibrant cityscape of Hong Kong")
    assert seed["text"].endswith("As Hong Kong")
    assert seed["authors"] == []


def test_001_press_release_with_a_date_prefix(cleaned):
    seed = cleaned["001"]
    assert seed["title"] == "Exploring the Risks and Opportunities of AI Applications in Cybersecurity"
    assert seed["published_at"] == pd.Timestamp("2025-05-14T00:00:00Z")
    assert seed["published_precision"] == "day"
    assert seed["published_source"] == "text"
    assert seed["language"] == "en"
    assert "glued_sentences" in seed["quality_flags"]
    assert "threats.Ir Tony" not in seed["text"], "glued paragraphs are split again"
    assert "emerging cyber threats." in seed["text"]
    assert seed["text"].startswith("HONG KONG SAR - Media OutReach Newswire - 14 May 2025"), (
        "the photo caption is not body text"
    )
    assert "fifth from the right" not in seed["text"]
    assert not {"truncated", "injected_keywords", "missing_date"} & set(seed["quality_flags"])


def test_002_front_matter_post_in_simplified_chinese(cleaned):
    seed = cleaned["002"]
    assert seed["title"] == "香港科创新机遇：大数据开启重大时代转型 香港着力打造数码港"
    assert seed["published_at"] == pd.Timestamp("2021-12-07T09:14:58Z")
    assert seed["published_precision"] == "second"
    assert seed["published_source"] == "front_matter"
    assert seed["language"] == "zh-Hans"
    assert seed["site_name"] == "新浪财经"
    assert "新浪财经" not in seed["authors"], "the front matter's author is the site"
    assert "朱丽娜" in seed["authors"]
    assert "王珊珊" in seed["editors"]
    assert seed["categories"] == ["金融", "新浪财经", "新浪财经－国內"]
    assert seed["image_url"] == "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"

    text = seed["text"]
    assert text.startswith("21世纪经济报道 记者朱丽娜 香港报道 “大数据开启了一次重大的时代转型。")
    assert text.endswith("会有很大的帮助。”")
    assert "海量数据" in text, "stock-ticker links keep their words"
    assert "\u3000" not in text, "ideographic-space indentation is layout, not text"
    for boilerplate in [
        "原标题",
        "article_adlist",
        "appendQr_wrap",
        "&#123;",
        "{",
        "海量资讯、精准解读，尽在新浪财经APP",
        "责任编辑",
        "王珊珊",
        "投资推广署一直积极鼓励有意于香港设立公司或拓展业务的内地企业",
        "查询请联系",
        "stock_sh603138",
        "<",
    ]:
        assert boilerplate not in text, boilerplate
    assert not {"truncated", "glued_sentences", "injected_keywords", "mixed_language"} & set(seed["quality_flags"])


def test_every_seed_has_provenance(cleaned):
    for seed in cleaned.values():
        assert seed["encoding"] == "utf-8"
        assert seed["content_hash"]
        assert pd.isna(seed["duplicate_of"])
        assert seed["text_chars"] == len(seed["text"])
