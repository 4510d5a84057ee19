"""`tidings demo` end to end: the bundled site crawled, archived and cleaned holds every expected fact.

The facts are in tests/fixtures/demo_expected.json (explained in tidings/demo/EXPECTED.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

import tidings

ROOT = Path(__file__).parents[2]
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "demo_expected.json").read_text(encoding="utf-8"))
ARTICLES = EXPECTED["articles"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    output = tmp_path_factory.mktemp("demo") / "output"
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "demo", "--output", str(output)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    articles = tidings.load(output)
    by_path = {urlsplit(url).path: row for url, row in zip(articles["url"], articles.to_dict("records"), strict=True)}
    return {
        "output": output,
        "articles": articles,
        "by_path": by_path,
        "rejects": tidings.load_rejects(output),
        "stdout": result.stdout,
        "stderr": result.stderr,
    }


def test_the_demo_says_where_the_data_is_and_how_to_load_it(demo):
    printed = demo["stdout"] + demo["stderr"]
    assert str(demo["output"]) in printed
    assert "tidings.load(" in printed


def test_the_demo_logs_no_warning(demo):
    # a crawl without --frontier must not mention it (its middleware stays silently off)
    assert " WARNING " not in demo["stderr"], demo["stderr"]


def test_exactly_the_expected_articles_are_in_the_dataset(demo):
    assert sorted(demo["by_path"]) == sorted(a["path"] for a in ARTICLES)


@pytest.mark.parametrize("expected", ARTICLES, ids=[a["path"] for a in ARTICLES])
def test_article_facts(demo, expected):
    row = demo["by_path"].get(expected["path"])
    assert row is not None, f"{expected['path']} is not in the dataset"
    base = urlsplit(row["url"])
    assert row["url"] == expected["url"].replace("{{BASE}}", f"{base.scheme}://{base.netloc}")
    for field in ("source", "title", "language", "site_name", "published_precision", "published_source"):
        if field in expected:
            assert row[field] == expected[field], field
    if "published_at" in expected:
        wanted = expected["published_at"]
        assert pd.isna(row["published_at"]) if wanted is None else row["published_at"] == pd.Timestamp(wanted), (
            f"published_at {row['published_at']} != {wanted}"
        )
    if expected.get("modified_at"):
        assert row["modified_at"] == pd.Timestamp(expected["modified_at"])
    for field in ("authors", "editors"):
        if field in expected:
            assert row[field] == expected[field], field
    if "categories" in expected:
        assert set(row["categories"]) == set(expected["categories"])
    for snippet in expected.get("must_contain", []):
        assert snippet in row["text"], f"missing: {snippet}"
    for snippet in expected.get("must_not_contain", []):
        assert snippet not in row["text"], f"boilerplate kept: {snippet}"
    flags = set(row["quality_flags"])
    assert set(expected.get("flags_include", [])) <= flags
    assert not set(expected.get("flags_exclude", [])) & flags, f"unexpected flags {flags}"


@pytest.mark.parametrize("group", EXPECTED["duplicate_groups"].values(), ids=list(EXPECTED["duplicate_groups"]))
def test_duplicate_groups_have_one_canonical_row(demo, group):
    rows = [demo["by_path"][path] for path in group["paths"]]
    canonical = [r for r in rows if r["duplicate_of"] is None or pd.isna(r["duplicate_of"])]
    assert len(canonical) == 1
    others = [r for r in rows if r is not canonical[0]]
    assert all(r["duplicate_of"] == canonical[0]["id"] for r in others)
    hashes = {r["content_hash"] for r in rows}
    assert len(hashes) == (1 if group["kind"] == "exact" else len(rows))


def test_only_the_expected_stories_are_duplicates(demo):
    grouped = {path for group in EXPECTED["duplicate_groups"].values() for path in group["paths"]}
    marked = {path for path, row in demo["by_path"].items() if isinstance(row["duplicate_of"], str)}
    assert marked <= grouped


def test_no_reject_is_left_for_a_url_that_became_an_article(demo):
    # the flaky page answered 500, then 200: its article stands, its 500 is history
    articles = set(demo["articles"]["url"])
    rejects = demo["rejects"]
    stale = rejects[rejects["url"].isin(articles) & (rejects["reason"] != "superseded")]
    assert stale.empty, stale[["url", "reason"]].to_string()


@pytest.mark.parametrize("page", EXPECTED["non_articles"], ids=[p["path"] for p in EXPECTED["non_articles"]])
def test_pages_that_are_not_articles(demo, page):
    assert page["path"] not in demo["by_path"]
    rejects = demo["rejects"]
    paths = rejects["url"].fillna("").map(lambda url: urlsplit(url).path)
    mine = rejects[paths == page["path"]]
    if page["outcome"] == "not_fetched":
        assert mine.empty, f"{page['path']} must never be requested"
    elif page["outcome"] == "reject":
        assert not mine.empty, f"{page['path']} must be a reject"
    if not mine.empty:
        assert set(mine["reason"]) <= set(page["reasons"])


def test_the_demo_crawl_is_recorded_in_the_run_history(demo):
    runs = tidings.load_runs(demo["output"])
    assert runs["command"].tolist() == ["crawl"]
    run = runs.iloc[0]
    assert run["status"] == "ok"
    assert run["fetched"] > len(ARTICLES), "article pages plus feeds, sitemaps and listings"
    assert run["articles_total"] == len(ARTICLES)
    assert run["rejects"] == len(demo["rejects"])
    assert sum(run["languages"].values()) == run["articles"]


def test_the_demo_ends_by_writing_the_report_and_printing_its_path(demo):
    report = demo["output"] / "report.html"
    assert f"report:      {report}" in demo["stderr"].splitlines()[-1]
    page = report.read_text(encoding="utf-8")
    assert page.count('class="chart"') >= 10
    assert "harbour-tech" in page


def test_the_readme_filter_examples_return_rows_on_the_demo(demo):
    output = demo["output"]
    unique = tidings.load(output, duplicates=False)
    assert len(unique[unique.published_at > "2025-03-05"]) > 0
    chosen = tidings.load(
        output,
        since="2025-03-01",
        until="2025-04-01",
        sources=["weigang-tech"],
        languages=["zh-Hant"],
        columns=["id", "title", "published_at"],
    )
    assert len(chosen) == 4


def test_the_demo_output_holds_its_readme(demo):
    readme = (demo["output"] / "README.md").read_text(encoding="utf-8")
    assert "| `published_at` |" in readme


def test_export_and_extract_on_the_demo_output(demo, tmp_path):
    from tests.test_cli_contract import tidings_cli

    result = tidings_cli("export", demo["output"], "--format", "jsonl", "--source", "weigang-tech")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["source"] for r in rows} == {"weigang-tech"}
    assert all(r["published_at"].endswith("+00:00") for r in rows if r["published_at"])
    csv_path = tmp_path / "all.csv"
    result = tidings_cli("export", demo["output"], "--format", "csv", "--columns", "id,authors", "-o", csv_path)
    assert result.returncode == 0, result.stderr
    header, *lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert header == "id,authors"
    assert len(lines) == len(demo["articles"])
