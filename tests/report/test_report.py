"""The HTML report: figures that match the data, planted anomalies found, a page that renders in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from tests.synthetic_dataset import COLLAPSING, REDESIGNED
from tidings.cli import main
from tidings.report import write_report
from tidings.report.anomalies import find_anomalies
from tidings.report.data import collect

SCREENSHOTS = Path(__file__).parents[1] / "screenshots"


def _articles(root: Path) -> pd.DataFrame:
    return pq.read_table(
        root / "articles", columns=["source", "text_chars", "duplicate_of", "quality_flags"]
    ).to_pandas()


def test_figures_agree_with_the_data(synthetic_root):
    data = collect(synthetic_root)
    articles = _articles(synthetic_root)
    assert data.totals["articles"] == len(articles)
    assert data.totals["duplicates"] == articles["duplicate_of"].notna().sum()
    by_source = data.languages.groupby("source")["articles"].sum()
    assert by_source.to_dict() == articles["source"].value_counts().to_dict()
    medians = data.text_length.set_index("source")["median"]
    assert medians.to_dict() == pytest.approx(articles.groupby("source")["text_chars"].median().to_dict())
    sizes = articles["duplicate_of"].dropna().value_counts() + 1
    assert dict(zip(data.cluster_sizes["size"], data.cluster_sizes["clusters"], strict=True)) == (
        sizes.value_counts().to_dict()
    )
    flagged = articles["quality_flags"].map(len).sum()
    assert data.flags["articles"].sum() == flagged
    rejects = pq.read_table(synthetic_root / "rejects", columns=["reason"]).to_pandas()
    assert data.rejects.groupby("reason")["rejects"].sum().to_dict() == rejects["reason"].value_counts().to_dict()
    assert len(data.runs) == 30


def test_the_planted_anomalies_and_only_those_are_called_out(synthetic_root):
    found = {(a.kind, a.subject) for a in find_anomalies(collect(synthetic_root))}
    assert found == {
        ("source_collapsed", COLLAPSING),
        ("text_collapsed", REDESIGNED),
        ("rejects_jumped", "http_error"),
    }


def test_an_empty_output_still_gives_a_page(tmp_path):
    page = write_report(tmp_path, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No anomaly." in page
    assert "No run recorded yet" in page


def test_the_report_command_writes_a_self_contained_page(synthetic_root, tmp_path):
    target = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(main, ["report", str(synthetic_root), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    page = target.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page), "no external script or style"
    assert page.count('class="chart"') >= 15
    assert f"{COLLAPSING}: " in page, "the anomaly is called out"


def test_the_report_command_refuses_a_folder_without_a_dataset(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds no tidings dataset" in result.output


def test_every_chart_renders_in_chromium_without_a_script_error(browser, synthetic_root, tmp_path):
    page = write_report(synthetic_root, tmp_path / "report.html")
    browser.get(page.as_uri())
    counts = browser.execute_script(
        """
        const charts = Array.from(document.querySelectorAll('figure.chart .js-plotly-plot'));
        const drawn = charts.filter(c => Array.from(c.querySelectorAll('svg.main-svg'))
            .some(svg => svg.getBBox().width > 0 && svg.querySelectorAll('path, rect, text').length > 10));
        return [document.querySelectorAll('figure.chart').length, charts.length, drawn.length];
        """
    )
    figures, charts, drawn = counts
    assert figures >= 15
    assert charts == figures, "every figure holds a Plotly chart"
    assert drawn == charts, "every chart drew a non-empty SVG"
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched == [], "the page loads nothing: no network, no file beside it"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert "collapsing" in browser.find_element("id", "anomalies").text
    SCREENSHOTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(height, 16000))
    assert browser.save_screenshot(str(SCREENSHOTS / "report.png"))
    assert (SCREENSHOTS / "report.png").stat().st_size > 50_000
    browser.set_window_size(1280, 1000)
