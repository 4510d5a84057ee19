"""flag_quality and drop_short_texts: each flag, positive and negative, and the glued-sentence repair."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.quality import drop_short_texts, flag_quality, is_truncated, numbering_lost, split_glued_sentences

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"

PROSE = (
    "Hong Kong's financial sector has seamlessly integrated AI to enhance services and "
    "streamline operations across the city."
)


def seed(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def seed_body(name: str) -> str:
    """The seed without its first (title or date) line, as extraction leaves it."""
    return seed(name).strip("\n").split("\n", 1)[1]


@pytest.mark.parametrize(
    ("text", "truncated"),
    [
        (seed("000"), True),  # "... As Hong Kong", no final punctuation, no trailing newline
        (PROSE + " As Hong Kong continues to", True),
        ("香港数据中心发展迅速。总存量达838万平方呎，以面积计算，其中近80%由十间数据中心营运商", True),
        (PROSE + " Officials said the plan, which", True),  # a new sentence after a finished one
        (PROSE[:-1] + ",", True),  # stops after a comma
        (PROSE + "\nJohn Edward is Director of the Scottish Council of Independent Schools", False),  # author note
        (PROSE + "\nYou can listen to the full interview on Sunday on Radio Scotland between 12:00 and 13:00", False),
        ("约翰·爱德华是“苏格兰私立学校委员会”董事，负责学校的国际交流和语言教育工作", False),
        ("Ses accomplissements méritent également d’être soulignés et commémorés.\u00a0»", False),
        ("他作为“护国公”所取得的成就也值得人们歌颂和纪念，并将被后人长久地铭记。“", False),  # quote drawn the wrong way
        (PROSE + "\nDr. Smith is a professor at the University of Hong Kong", False),  # "Dr." ends nothing
        (PROSE + " Read the full story here …", True),  # a feed teaser
        (PROSE + " [...]", True),
        (PROSE, False),
        (PROSE + "\n", False),
        (PROSE + ' "We are ready," he said.', False),
        (PROSE[:-1] + '."', False),  # punctuation inside the closing quote
        ("“香港可以辐射整个亚太市场，另外，香港人才更国际化一些，可以与总部的技术专家紧密合作。”", False),
        ("如果用现有的人力，能够提升5%的产能，其实就可以多45%的利润了！", False),
        (PROSE + "\n（编辑 李艳霞）", False),  # a closing aside
        (PROSE + " (Reporting by Jane Doe; Editing by John Roe)", False),
        (PROSE + "\nTel: 2345 6789", False),  # a short contact line says nothing
        (PROSE + "\nMore at https://www.example.com/news/2025/05/14/ai-forum-opens-in-hong-kong", False),
        ("故事到这里就结束了……", False),
        ("", False),
    ],
)
def test_truncated(text: str, truncated: bool) -> None:
    assert is_truncated(text) is truncated


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cyber threats.Ir Tony Wong, JP, stated", "cyber threats.\nIr Tony Wong, JP, stated"),
        # the straight quote closes the quotation opened before it, so it stays with its sentence
        ('stated, "A safer Hong Kong."Dr Rocky Cheng, Chief', 'stated, "A safer Hong Kong."\nDr Rocky Cheng, Chief'),
        ('the threats."Artificial intelligence is evolving."', 'the threats.\n"Artificial intelligence is evolving."'),
        ("risk management.As Hong Kong's hub", "risk management.\nAs Hong Kong's hub"),
        ("held in 2025.The forum", "held in 2025.\nThe forum"),
        ("Is it ready?Yes it is.", "Is it ready?\nYes it is."),
    ],
)
def test_glued_sentences_are_split_onto_lines(text: str, expected: str) -> None:
    assert split_glued_sentences(text) == (expected, 1)


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. and the U.K. agreed.",
        "Officials from the U.S.A. arrived.",
        "Sectors, e.g. finance, i.e. banks.",
        "Prices rose 3.5 per cent to 12.75 dollars.",
        "Visit example.com or www.Example.org/News.Today for details.",
        "Write to press@Cyberport.Hk today.",
        "Version 1.2.3 of Node.JS and ASP.NET ships.",
        "Prof.Li Hui and Mr.Smith spoke.",
        "大数据开启了一次重大的时代转型。就像望远镜让我们能够感受宇宙。",
        "Shares in Amazon.Com rose.",
    ],
)
def test_not_glued(text: str) -> None:
    assert split_glued_sentences(text) == (text, 0)


def test_seed_001_glued_paragraphs_are_repaired() -> None:
    text, count = split_glued_sentences(seed_body("001"))
    lines = text.split("\n")
    assert count == 5
    for start in (
        "Ir Tony Wong, JP, Commissioner",
        "Dr Rocky Cheng, Chief Executive",
        "The forum featured insights",
        "The forum featured multiple",
        "As Hong Kong's digital tech hub",
    ):
        assert any(line.startswith(start) for line in lines), start
    assert text.replace("\n", "") == seed_body("001").replace("\n", "")  # nothing lost, nothing added


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        (seed("000"), True),  # seven headings, all "1."
        ("1. One\ntext\n1. Two\ntext\n1. Three", True),
        ("1、第一\n1、第二\n1、第三", True),
        ("1. One\n2. Two\n3. Three", False),
        ("1. One\n1. Two", False),  # two items could be two lists
        ("In 1. place\n1 of 3 said so", False),
    ],
)
def test_list_numbering_lost(text: str, lost: bool) -> None:
    assert numbering_lost(text) is lost


BODY = " ".join([PROSE] * 3)
FETCHED = datetime(2025, 5, 15, 12, tzinfo=UTC)


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "text": BODY,
        "title": "AI x Cybersecurity Forum",
        "published_at": datetime(2025, 5, 14, tzinfo=UTC),
        "fetched_at": FETCHED,
        "quality_flags": [],
    }
    row.update(overrides)
    return row


def _flags(**overrides: object) -> list[str]:
    articles = pd.DataFrame([_row(**overrides)])
    result = flag_quality(articles, short_text_chars=250)
    assert len(result.kept) == 1
    assert len(result.rejected) == 0
    return list(result.kept["quality_flags"].iloc[0])


@pytest.mark.parametrize(
    ("overrides", "flag", "present"),
    [
        ({"published_at": None}, "missing_date", True),
        ({"published_at": pd.NaT}, "missing_date", True),
        ({}, "missing_date", False),
        ({"title": None}, "missing_title", True),
        ({"title": "  "}, "missing_title", True),
        ({}, "missing_title", False),
        ({"text": PROSE}, "short_text", True),
        ({}, "short_text", False),
        ({"published_at": datetime(2025, 5, 17, tzinfo=UTC)}, "date_in_future", True),
        ({"published_at": datetime(2025, 5, 16, 6, tzinfo=UTC)}, "date_in_future", False),  # within a day
        ({"published_at": datetime(2025, 5, 17, tzinfo=UTC), "fetched_at": None}, "date_in_future", False),
        ({"text": BODY + " As Hong Kong"}, "truncated", True),
        ({}, "truncated", False),
        ({"text": BODY + " Meet the threats.Ir Tony Wong spoke."}, "glued_sentences", True),
        ({}, "glued_sentences", False),
        ({"text": "1. A\n" + PROSE + "\n1. B\n" + PROSE + "\n1. C\n" + PROSE}, "list_numbering_lost", True),
        ({}, "list_numbering_lost", False),
    ],
)
def test_each_flag(overrides: dict[str, object], flag: str, present: bool) -> None:
    assert (flag in _flags(**overrides)) is present


def test_seeds_get_their_flags() -> None:
    seed_000 = _row(text=seed_body("000"), published_at=None)
    seed_001 = _row(text=seed_body("001"))
    seed_002 = _row(
        text="21世纪经济报道 记者朱丽娜 香港报道 “大数据开启了一次重大的时代转型。”\n"
        "政府一定是有一个带头的作用，会有很大的帮助。” （编辑 李艳霞）",
        quality_flags=None,
    )
    result = flag_quality(pd.DataFrame([seed_000, seed_001, seed_002]), short_text_chars=10)
    flags = result.kept["quality_flags"].tolist()
    assert flags[0] == ["list_numbering_lost", "missing_date", "truncated"]
    assert flags[1] == ["glued_sentences"]
    assert flags[2] == []


def test_step_repairs_text_counts_chars_and_keeps_existing_flags() -> None:
    articles = pd.DataFrame([_row(text="It ended.The next one began.", quality_flags=["injected_keywords"])])
    kept = flag_quality(articles, short_text_chars=5).kept
    assert kept["text"].iloc[0] == "It ended.\nThe next one began."
    assert kept["text_chars"].iloc[0] == len("It ended.\nThe next one began.")
    assert kept["quality_flags"].iloc[0] == ["glued_sentences", "injected_keywords"]
    assert articles["text"].iloc[0] == "It ended.The next one began."  # input untouched


def test_flag_quality_is_idempotent() -> None:
    articles = pd.DataFrame([_row(text=seed_body("001")), _row(text=seed_body("000"), published_at=None)])
    once = flag_quality(articles, short_text_chars=250).kept
    twice = flag_quality(once, short_text_chars=250).kept
    assert twice["text"].tolist() == once["text"].tolist()
    assert twice["quality_flags"].tolist() == once["quality_flags"].tolist()


def test_drop_short_texts_rejects_with_reason() -> None:
    articles = pd.DataFrame({"text": ["", "long enough text"]})
    result = drop_short_texts(articles, min_text_chars=1)
    assert result.kept["text"].tolist() == ["long enough text"]
    assert result.rejected["reject_reason"].tolist() == ["text_too_short"]
    assert result.rejected["reject_detail"].tolist() == ["0 characters"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('Ab.?!"“” \n1U.S香港。')), max_size=80) | st.text(max_size=80))
def test_glued_sentence_repair_only_adds_line_breaks_and_is_idempotent(text: str) -> None:
    repaired, count = split_glued_sentences(text)
    assert repaired.replace("\n", "") == text.replace("\n", "")
    assert repaired.count("\n") == text.count("\n") + count
    assert split_glued_sentences(repaired) == (repaired, 0)
    is_truncated(text)  # never raises
    numbering_lost(text)


@pytest.mark.parametrize("text", ["a" * 50_000, "word " * 10 + "a" * 50_000 + " end", "1" * 50_000 + ".The"])
def test_long_runs_of_letters_do_not_take_quadratic_time(text: str) -> None:
    # without word-start lookbehinds these took minutes; now well under a second each
    split_glued_sentences(text)
    is_truncated(text)
