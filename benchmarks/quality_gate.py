"""Quality gate: score the extraction benchmarks and fail below the floors in baseline.json.

Usage:
    PYTHONPATH=. python benchmarks/quality_gate.py [BENCH_DIR] [--pin] [--date-slack N]

BENCH_DIR is the shared benchmark folder (holding extraction/<set>/ and
score_extraction.py); it defaults to ../shared/bench beside the repository. Every page
goes through the same per-page steps as `tidings clean` (benchmarks/extraction.py).
Exit status 1 when a measured value is below its floor. --pin writes the measured
values minus the noise margin as the new floors; it never lowers a floor unless
--allow-lower is given too, so floors go up on purpose and never down silently.
Run on demand; not part of the default pytest run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.extraction import predict, read_pages
from cleaning.config import CleaningConfig

REPO = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).with_name("baseline.json")
# one page flipping on a 35-page set moves mean F1 by up to ~0.03, but reruns of the same
# code differ only by float noise; the margin absorbs that, not real regressions
MARGIN = 0.005


def load_scorer(bench: Path) -> ModuleType:
    """Import the shared score_extraction.py from bench (it is not a package)."""
    spec = importlib.util.spec_from_file_location("score_extraction", bench / "score_extraction.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: no score_extraction.py in {bench}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(bench: Path, dataset: str, scorer: ModuleType, date_slack: int) -> dict[str, Any]:
    """Clean one benchmark set and return body F1, date and author match rates, and speed."""
    folder = bench / "extraction" / dataset
    pages = read_pages(folder)
    rows, cpu = predict(pages, CleaningConfig())
    by_url, by_id = scorer.index_predictions(rows)
    truth = scorer.load_jsonl(folder / "truth.jsonl")
    scored, titles, dates, authors, author_sets = scorer.score_dataset(truth, by_url, by_id, date_slack)
    # snippet-only sets (postlight, trafilatura) have no body truth: no body_f1 for them
    bodies = [p["f1"] for p in scored if "f1" in p]
    result: dict[str, Any] = {"body_f1": statistics.fmean(bodies)} if bodies else {}
    if dates:
        result["date_rate"] = sum(dates) / len(dates)
    if authors:
        result["author_rate"] = sum(authors) / len(authors)  # every truth name among ours ("all in")
        result["author_set_rate"] = sum(author_sets) / len(author_sets)  # exactly the truth's names
    if titles:
        result["title_rate"] = sum(titles) / len(titles)
    result["pages_per_cpu_second"] = len(pages) / cpu if cpu else 0.0
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bench", type=Path, nargs="?", default=REPO.parent / "shared" / "bench")
    parser.add_argument("--pin", action="store_true", help="write measured values minus the margin as floors")
    parser.add_argument("--allow-lower", action="store_true", help="with --pin: also lower floors")
    parser.add_argument("--date-slack", type=int, default=0, help="accept dates N days off (as score_extraction.py)")
    args = parser.parse_args()

    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    floors: dict[str, dict[str, float]] = baseline["floors"]
    scorer = load_scorer(args.bench)
    failures = []
    measured_all = {}
    print(f"{'dataset':<10} {'metric':<15} {'measured':>9} {'floor':>7}")
    for dataset, dataset_floors in floors.items():
        measured = measure(args.bench, dataset, scorer, args.date_slack)
        measured_all[dataset] = measured
        for metric, floor in dataset_floors.items():
            value = measured.get(metric)
            ok = value is not None and value >= floor
            print(
                f"{dataset:<10} {metric:<15} {value if value is not None else float('nan'):>9.4f} {floor:>7.3f}"
                f"  {'ok' if ok else 'BELOW FLOOR'}"
            )
            if not ok:
                failures.append(f"{dataset} {metric}")
        print(f"{dataset:<10} {'speed':<15} {measured['pages_per_cpu_second']:>9.1f} pages per CPU-second")

    if args.pin:
        for dataset, dataset_floors in floors.items():
            for metric, old in dataset_floors.items():
                new = round(measured_all[dataset][metric] - MARGIN, 3)
                dataset_floors[metric] = new if (new > old or args.allow_lower) else old
        BASELINE.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"pinned floors in {BASELINE}")
        return 0
    if failures:
        print("quality gate FAILED: " + ", ".join(failures), file=sys.stderr)
        return 1
    print("quality gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
