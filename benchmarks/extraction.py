"""Run the tidings per-page pipeline over extraction benchmark folders: a PRED file, or one table.

Usage:
    python benchmarks/extraction.py DATASET_DIR --out PRED.jsonl [--score SCORER]
    python -m benchmarks.extraction --table [BENCH_DIR] [--sets zyte,postlight] [--half even|odd]

--table runs every set of BENCH_DIR/extraction (default ../shared/bench beside the
repository) through tidings and through raw trafilatura (default and favor_precision, in
the same run, on the same bytes and URLs as shared/bench/baseline_trafilatura.py) and prints
one table: body F1 (zyte, cwced-zh, readability) or snippet F1 (postlight, trafilatura),
title exact, authors exact set, date on the same day, and pages per CPU-second. --half
scores only the pages at even or odd positions of a set (to choose a threshold on one half
and confirm it on the other).

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
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from cleaning.config import CleaningConfig
from cleaning.inputs.readers import PAGE_COLUMNS, RawPage
from cleaning.pipeline import clean_pages

REPO = Path(__file__).resolve().parents[1]
# shared/bench beside the repository, or beside a folder of worktrees holding it
DEFAULT_BENCH = next(
    (up / "shared" / "bench" for up in REPO.parents if (up / "shared" / "bench").is_dir()),
    REPO.parent / "shared" / "bench",
)
SETS = ("zyte", "cwced-zh", "readability", "postlight", "trafilatura")
# the columns of the table; snippet-only sets fill snippet_f1 instead of body_f1
FIELDS = ("body_f1", "snippet_f1", "title_rate", "author_set_rate", "date_rate")


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


def local_time(published: object, offset: object, precision: object = None) -> str | None:
    """Write published_at as the page printed it: in its local offset, or the bare day.

    Truth dates are page-local; a day-precision date is the calendar day itself, written as
    that day's local midnight when the page says in which zone its day runs (the instant a
    truth in UTC gives for a page dated only by its day), else as the bare day.
    """
    if not isinstance(published, pd.Timestamp) or pd.isna(published):
        return None
    if offset is None or pd.isna(offset):
        return published.date().isoformat()
    zone = dt.timezone(dt.timedelta(minutes=int(offset)))
    if precision == "day":
        return dt.datetime.combine(published.date(), dt.time(0), zone).isoformat()
    return published.tz_convert(zone).isoformat()


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
                    "published_at": local_time(
                        published, row.get("published_offset_minutes"), row.get("published_precision")
                    ),
                    "authors": list(row["authors"] or []),
                }
            )
        else:
            rows.append(
                {"id": page.origin, "url": page.url, "text": "", "title": None, "published_at": None, "authors": []}
            )
    return rows, cpu


def predict_trafilatura(pages: list[RawPage], mode: str) -> tuple[list[dict[str, object]], float]:
    """Run raw trafilatura on each page's bytes, as shared/bench/baseline_trafilatura.py does."""
    import trafilatura  # only the comparison needs it directly

    options = {"precision": {"favor_precision": True}}.get(mode, {})
    rows = []
    cpu = 0.0
    for page in pages:
        start = time.process_time()
        text = trafilatura.extract(page.raw, url=page.url, **options)
        cpu += time.process_time() - start
        tree = trafilatura.load_html(page.raw)
        meta = trafilatura.extract_metadata(tree, default_url=page.url) if tree is not None else None
        rows.append(
            {
                "id": page.origin,
                "url": page.url,
                "text": text or "",
                "title": meta.title if meta else None,
                "published_at": meta.date if meta else None,
                "authors": meta.author if meta else None,
            }
        )
    return rows, cpu


def load_scorer(bench: Path) -> ModuleType:
    """Import the shared score_extraction.py from bench (it is not a package)."""
    spec = importlib.util.spec_from_file_location("score_extraction", bench / "score_extraction.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: no score_extraction.py in {bench}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def half_of(rows: list[dict[str, Any]], half: str | None) -> list[dict[str, Any]]:
    """Keep the rows at even or odd positions (all rows when half is None)."""
    if half is None:
        return rows
    return rows[0 if half == "even" else 1 :: 2]


def score_rows(
    scorer: ModuleType, truth: list[dict[str, Any]], rows: list[dict[str, object]], date_slack: int
) -> dict[str, Any]:
    """Score PRED rows against truth rows: every field of FIELDS the truth has, plus author_rate (all in)."""
    by_url, by_id = scorer.index_predictions(rows)
    scored, titles, dates, authors, author_sets = scorer.score_dataset(truth, by_url, by_id, date_slack)
    result: dict[str, Any] = {}
    # snippet-only sets (postlight, trafilatura) have no body truth: no body_f1 for them
    bodies = [p["f1"] for p in scored if "f1" in p]
    if bodies:
        result["body_f1"] = statistics.fmean(bodies)
    elif any("with" in p for p in scored):
        tp, fp, fn, *_ = scorer.snippet_counts(scored)
        result["snippet_f1"] = scorer.snippet_f1(tp, fp, fn)
    for name, hits in (
        ("title_rate", titles),
        ("date_rate", dates),
        ("author_rate", authors),
        ("author_set_rate", author_sets),
    ):
        if hits:
            result[name] = sum(hits) / len(hits)
    return result


Predictor = Callable[[list[RawPage]], tuple[list[dict[str, object]], float]]

SYSTEMS: dict[str, Predictor] = {
    "tidings": lambda pages: predict(pages, CleaningConfig()),
    "traf-default": lambda pages: predict_trafilatura(pages, "default"),
    "traf-precision": lambda pages: predict_trafilatura(pages, "precision"),
}


def measure_set(
    bench: Path,
    dataset: str,
    scorer: ModuleType,
    *,
    systems: tuple[str, ...] = tuple(SYSTEMS),
    date_slack: int = 0,
    half: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Run each system over one benchmark set; return its scores and pages_per_cpu_second by system."""
    folder = bench / "extraction" / dataset
    truth = half_of(scorer.load_jsonl(folder / "truth.jsonl"), half)
    pages = half_of(read_pages(folder), half)  # type: ignore[arg-type]
    results = {}
    for system in systems:
        rows, cpu = SYSTEMS[system](pages)
        results[system] = score_rows(scorer, truth, rows, date_slack) | {
            "pages": len(pages),
            "pages_per_cpu_second": len(pages) / cpu if cpu else 0.0,
        }
    return results


def format_table(results: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Render {set: {system: scores}} as one text table, one row per set and system."""
    header = f"{'set':<12} {'system':<15} {'pages':>5} {'body F1':>8} {'snip F1':>8} {'title':>7} "
    header += f"{'authors=':>8} {'date':>7} {'p/cpu-s':>8}"
    lines = [header, "-" * len(header)]
    for dataset, by_system in results.items():
        for system, scores in by_system.items():
            cells = [f"{scores[f]:.3f}" if f in scores else "-" for f in FIELDS]
            lines.append(
                f"{dataset:<12} {system:<15} {scores['pages']:>5} {cells[0]:>8} {cells[1]:>8} {cells[2]:>7} "
                f"{cells[3]:>8} {cells[4]:>7} {scores['pages_per_cpu_second']:>8.1f}"
            )
    return lines


def table_main(args: argparse.Namespace) -> None:
    """Print the five-set table (--table)."""
    bench = args.dataset or DEFAULT_BENCH
    scorer = load_scorer(bench)
    sets = args.sets.split(",") if args.sets else list(SETS)
    systems = tuple(args.systems.split(",")) if args.systems else tuple(SYSTEMS)
    results = {}
    for dataset in sets:
        results[dataset] = measure_set(
            bench, dataset, scorer, systems=systems, date_slack=args.date_slack, half=args.half
        )
        print(f"measured {dataset}", file=sys.stderr)
    for line in format_table(results):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, nargs="?", help="a set's folder; with --table, the bench folder")
    parser.add_argument("--out", type=Path, help="PRED file to write (one set)")
    parser.add_argument("--table", action="store_true", help="score every set against raw trafilatura")
    parser.add_argument("--sets", help="with --table: comma-separated set names (default: all five)")
    parser.add_argument("--systems", help="with --table: comma-separated of " + ", ".join(SYSTEMS))
    parser.add_argument("--half", choices=["even", "odd"], help="with --table: score half of each set")
    parser.add_argument("--json", type=Path, help="with --table: also write the scores as JSON")
    parser.add_argument("--score", type=Path, default=None, help="path of score_extraction.py to run on the result")
    parser.add_argument("--date-slack", type=int, default=0)
    args = parser.parse_args()
    if args.table:
        table_main(args)
        return
    if args.dataset is None or args.out is None:
        parser.error("DATASET_DIR and --out are required without --table")

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
