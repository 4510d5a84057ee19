"""`tidings report`: one self-contained HTML page that shows a dataset, its rejects and its run history.

The page needs no network: Plotly's JavaScript and the styles are inlined. Figures are
aggregated by DuckDB (tidings/report/data.py), anomalies found by tidings/report/anomalies.py,
charts drawn by tidings/report/charts.py and laid out by tidings/report/page.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from tidings.report.anomalies import Anomaly, find_anomalies
from tidings.report.charts import build_sections
from tidings.report.data import collect
from tidings.report.page import render

__all__ = ["REPORT_FILE", "Anomaly", "write_report"]

REPORT_FILE = "report.html"


def write_report(output: str | Path = "output", path: str | Path | None = None) -> Path:
    """Write the HTML report of the dataset at output to path (default OUTPUT/report.html); return the path."""
    root = Path(output)
    target = Path(path) if path is not None else root / REPORT_FILE
    data = collect(root)
    page = render(root, data, build_sections(data), find_anomalies(data))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
