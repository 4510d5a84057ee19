"""Lay the report's sections out as one HTML page with Plotly's JavaScript and the styles inlined."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path

import plotly.offline

from cleaning import __version__
from tidings.report.anomalies import Anomaly
from tidings.report.charts import Chart, Section
from tidings.report.data import BASELINE_DAYS, RECENT_DAYS, TOP_SOURCES, ReportData

__all__ = ["render"]

_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif;
       margin: 0 auto; max-width: 1180px; padding: 0 24px 48px; color: #1d2433; background: #fbfbfd; }
header { border-bottom: 1px solid #dde1ea; margin-bottom: 12px; }
h1 { font-size: 26px; margin: 24px 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 1px solid #dde1ea; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0 0 4px; }
.meta { color: #5b6478; margin: 0 0 12px; }
.totals { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 0; list-style: none; }
.totals li { background: #fff; border: 1px solid #dde1ea; border-radius: 8px; padding: 8px 14px; }
.totals b { display: block; font-size: 20px; }
.anomalies { background: #fff4e5; border: 1px solid #f0b45a; border-radius: 8px; padding: 10px 16px; }
.anomalies.none { background: #eef8f0; border-color: #8fcf9c; }
.anomalies li { margin: 4px 0; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.grid.one { grid-template-columns: minmax(0, 1fr); }
@media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } }
figure { min-width: 0; margin: 0; background: #fff; border: 1px solid #dde1ea; border-radius: 8px; padding: 12px; }
.reading { color: #39414f; margin: 6px 0 0; }
.empty { color: #5b6478; font-style: italic; }
"""


# charts are drawn while the page is parsed; once it is laid out, fit each to its box
_RESIZE = """window.addEventListener('load', () => {
  document.querySelectorAll('.js-plotly-plot').forEach(el => Plotly.Plots.resize(el));
});"""


def _chart(chart: Chart) -> str:
    title = f"<h3>{html.escape(chart.title)}</h3>"
    reading = f'<p class="reading">{html.escape(chart.reading)}</p>'
    if chart.figure is None:
        empty = f'<p class="empty">{html.escape(chart.reading)}</p>'
        return f'<figure class="no-chart" id="{chart.id}">{title}{empty}</figure>'
    body = chart.figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=chart.id, config=_PLOTLY_CONFIG, default_width="100%"
    )
    return f'<figure class="chart">{title}{body}{reading}</figure>'


def _section(section: Section) -> str:
    charts = "".join(_chart(c) for c in section.charts)
    grid = "grid one" if len(section.charts) == 1 else "grid"
    return f'<section><h2>{html.escape(section.title)}</h2><div class="{grid}">{charts}</div></section>'


def _anomalies(anomalies: Sequence[Anomaly]) -> str:
    if not anomalies:
        return (
            '<div class="anomalies none" id="anomalies"><b>No anomaly.</b> No source collapsed in volume or text'
            f" length and no reject reason jumped in the last {RECENT_DAYS} days of data against the"
            f" {BASELINE_DAYS} days before.</div>"
        )
    items = "".join(f'<li data-kind="{a.kind}">{html.escape(a.message)}</li>' for a in anomalies)
    return f'<div class="anomalies" id="anomalies"><b>{len(anomalies)} anomalies</b><ul>{items}</ul></div>'


def _totals(data: ReportData) -> str:
    t = data.totals
    span = f"{t['first_day']} – {t['last_day']}" if t["first_day"] is not None else "no dates"
    cells = [
        ("articles", f"{t['articles']:,}"),
        ("sources", f"{t['sources']:,}"),
        ("duplicates", f"{t['duplicates']:,}"),
        ("rejects", f"{t['rejects']:,}"),
        ("runs", f"{t['runs']:,}"),
        ("published", span),
    ]
    return '<ul class="totals">' + "".join(f"<li><b>{v}</b>{k}</li>" for k, v in cells) + "</ul>"


def render(root: Path, data: ReportData, sections: Sequence[Section], anomalies: Sequence[Anomaly]) -> str:
    """The whole page as a string."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = f"tidings report: {root}"
    body = "".join(_section(s) for s in sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tidings {__version__}">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
<script>{plotly.offline.get_plotlyjs()}</script>
</head>
<body>
<header><h1>{html.escape(title)}</h1>
<p class="meta">Written {now} by tidings {__version__}. Charts are interactive: hover for figures, click a legend
entry to hide a series. Sources past the {TOP_SOURCES} largest are summed
as "(other)".</p></header>
{_totals(data)}
<h2>Anomalies</h2>
{_anomalies(anomalies)}
{body}
<script>{_RESIZE}</script>
</body>
</html>
"""
