"""Bylines and datelines atop the body: one rule (cleaning.extraction.credits), through the rules and the pipeline."""

from __future__ import annotations

import pandas as pd
import pytest

from cleaning.config import CleaningConfig
from cleaning.extraction.boilerplate import apply_rules
from cleaning.extraction.credits import LEAD_CREDIT, drop_lead_credits, is_credit_line
from cleaning.extraction.rules import load_rules
from cleaning.inputs.readers import PAGE_COLUMNS, RawPage
from cleaning.pipeline import clean_pages

BODY = [
    "The council approved the new bridge on Monday after a long debate in the chamber.",
    "Work starts in spring and should end within two years, the mayor said.",
    "The bridge will connect two districts long separated by industrial land.",
]


@pytest.mark.parametrize(
    "line",
    [
        "By Sam Okafor | 1 December 2026",
        "By Sam Okafor and Lena Park",
        "Von Gregory Lipinski",
        "Por Agencia EFE",
        "Autor: Die Redaktion",
        "Veröffentlicht am 06.12.2022",
        "Erstellt von Fabian am Dienstag 6. Mai 2014",
        "Posted: Thursday, April 21, 2022. 10:11 pm CST.",
        "5:45 AM PST 11/19/2019 by Patrick Shanley",
        "sexta-feira, 22 de outubro de 2010 às 20:13",
        "Article mis à jour le 7 janvier 2020.",
        "Written: 2023-11-07 15:03:30 / Updated: 2023-11-07 15:30:46",
        "23.10.2018",
        "Handball Schweiz • 02.02.2022",
        "记者 李家明",
        "光明日报记者 王建宏 张文攀",
        "新华网黑龙江频道 记者 伊琳 李清芬",
        "2022年1月20日 16:31 作者：王珊珊",
    ],
)
def test_a_credit_atop_the_body_leaves_it(line: str) -> None:
    assert is_credit_line(line)
    assert drop_lead_credits([line, *BODY]) == (BODY, [line])
    assert drop_lead_credits([BODY[0], line, *BODY[1:]]) == (BODY, [line])


@pytest.mark.parametrize(
    "line",
    [
        # datelines that open the story are its first paragraph
        "新华社北京3月5日电",
        "TNW中文站 10月14日报道",
        "CAIRO — Gunmen opened fire on visitors at the museum on Wednesday, 18 March.",
        "Feb. 23, 2015 -- Life-threatening peanut allergies have been on the rise.",
        # sentences and headlines with a date or a "by" in them
        "Am 31.10.2023, gegen 23:40 Uhr, kam es in der Nordstraße zu einem Einbruch.",
        "By the time we realised what was happening, it was already too late.",
        "Oliver Frankenbach mit Wirkung zum 1.9.2015 zum Vorstand Finanzen bestellt",
        "Der nächste Stammtisch findet am Mi. 5. Februar 2020 ab 19 Uhr statt.",
        "Horaires : 17h00",
        "Milan Design Week 2018 | Michael Anastassiades’ light installation for FLOS",
        # a byline cut short (its last name is on the next line), an embedded post's signature
        "Por Steven Lee Myers, Keith Bradsher y",
        "— Hertha BSC (@HerthaBSC) June 1, 2017",
    ],
)
def test_story_lines_stay(line: str) -> None:
    assert not is_credit_line(line)
    assert drop_lead_credits([line, *BODY]) == ([line, *BODY], [])


def test_only_the_lead_is_judged_and_a_lone_line_stays() -> None:
    credit = "By Sam Okafor | 1 December 2026"
    assert drop_lead_credits([*BODY, credit]) == ([*BODY, credit], [])  # a signature at the end is not the byline
    assert drop_lead_credits([credit]) == ([credit], [])  # all the page had


def test_the_rules_record_the_credit_lines_for_metadata() -> None:
    text, removed = apply_rules("\n".join(["记者 李家明", "2022.01.20 16:31", *BODY]), load_rules(None).line_rules)
    assert text.splitlines() == BODY
    # the bare timestamp goes by its own rule first, the byline by the lead rule
    assert removed == {"timestamp_line": ["2022.01.20 16:31"], LEAD_CREDIT: ["记者 李家明"]}


PAGE = """<html lang="en"><head><title>Council approves the river bridge</title></head><body>
<article><h1>Council approves the river bridge</h1>
<div class="story"><p>By Sam Okafor | 1 December 2026</p>{paragraphs}</div></article></body></html>"""


def test_a_page_s_byline_leaves_the_text_and_still_gives_author_and_date() -> None:
    paragraphs = "".join(f"<p>{line} {line}</p>" for line in BODY)
    html = PAGE.format(paragraphs=paragraphs).encode()
    page = RawPage(origin="p1", raw=html, media_type="html", url="https://news.example.com/2026/bridge", source="t")
    articles, _ = clean_pages(
        pd.DataFrame({c: [getattr(page, c)] for c in PAGE_COLUMNS}, dtype=object), CleaningConfig()
    )
    row = articles.iloc[0]
    assert row["boilerplate_rules"] == [LEAD_CREDIT]  # the extractor kept the byline: the rule took it
    assert "Okafor" not in row["text"]
    assert BODY[0] in row["text"]
    assert list(row["authors"]) == ["Sam Okafor"]
    assert row["published_at"].date().isoformat() == "2026-12-01"
