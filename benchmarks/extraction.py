"""Run the tidings per-page pipeline over an extraction benchmark folder and write a PRED file.

Usage:
    python benchmarks/extraction.py DATASET_DIR --out PRED.jsonl [--score SCORER]

DATASET_DIR holds truth.jsonl and <id>.html or <id>.html.gz pages (the layout of
shared/bench/extraction/*). Each page goes through the same steps as `tidings clean`,
as raw bytes with the truth's URL (what a crawl would have seen). The PRED file keeps the
truth id so pages without a URL still match, and gives published_at in the page's own
offset (published_offset_minutes), or as a bare day when only the day is known: the truth's
dates are page-local, and the scorer compares calendar dates as written. --score runs the given score_extraction.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from cleaning.config import CleaningConfig
from cleaning.inputs.readers import PAGE_COLUMNS, RawPage
from cleaning.pipeline import clean_pages


def read_pages(dataset: Path) -> list[RawPage]:
    """Return one RawPage per truth row, origin set to the truth id."""
    pages = []
    with open(dataset / "truth.jsonl", encoding="utf-8") as handle:
        for line in handle:
            truth = json.loads(line)
            gz = dataset / f"{truth['id']}.html.gz"
            raw = gzip.decompress(gz.read_bytes()) if gz.exists() else (dataset / f"{truth['id']}.html").read_bytes()
            pages.append(
                RawPage(origin=truth["id"], raw=raw, media_type="html", url=truth.get("url"), source=dataset.name)
            )
    return pages


def local_time(published: object, offset: object) -> str | None:
    """Write published_at as the page printed it: in its local offset, or the bare day.

    Truth dates are page-local; a day-precision date (no offset) is the calendar day itself.
    """
    if not isinstance(published, pd.Timestamp) or pd.isna(published):
        return None
    if offset is None or pd.isna(offset):
        return published.date().isoformat()
    return published.tz_convert(dt.timezone(dt.timedelta(minutes=int(offset)))).isoformat()


def predict(pages: list[RawPage], config: CleaningConfig) -> tuple[list[dict[str, object]], float]:
    """Clean pages one by one; return PRED rows and the CPU seconds spent."""
    rows = []
    cpu = 0.0
    for page in pages:
        frame = pd.DataFrame({c: [getattr(page, c)] for c in PAGE_COLUMNS}, dtype=object)
        start = time.process_time()
        articles, _ = clean_pages(frame, config)
        cpu += time.process_time() - start
        if len(articles):
            row = articles.iloc[0]
            published = row["published_at"]
            rows.append(
                {
                    "id": page.origin,
                    "url": page.url,
                    "text": row["text"],
                    "title": row["title"],
                    "published_at": local_time(published, row.get("published_offset_minutes")),
                    "authors": list(row["authors"] or []),
                }
            )
        else:
            rows.append(
                {"id": page.origin, "url": page.url, "text": "", "title": None, "published_at": None, "authors": []}
            )
    return rows, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--score", type=Path, default=None, help="path of score_extraction.py to run on the result")
    parser.add_argument("--date-slack", type=int, default=0)
    args = parser.parse_args()

    pages = read_pages(args.dataset)
    rows, cpu = predict(pages, CleaningConfig())
    with open(args.out, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{args.dataset.name}: {len(pages)} pages, {len(pages) / cpu:.1f} pages per CPU-second", file=sys.stderr)
    if args.score:
        command = [
            sys.executable,
            str(args.score),
            "--truth",
            str(args.dataset / "truth.jsonl"),
            "--pred",
            str(args.out),
        ]
        if args.date_slack:
            command += ["--date-slack", str(args.date_slack)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
