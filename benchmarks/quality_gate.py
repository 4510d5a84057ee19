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
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.extraction import DEFAULT_BENCH, load_scorer, measure_set

BASELINE = Path(__file__).with_name("baseline.json")
# one page flipping on a 35-page set moves mean F1 by up to ~0.03, but reruns of the same
# code differ only by float noise; the margin absorbs that, not real regressions
MARGIN = 0.005


def measure(bench: Path, dataset: str, scorer: ModuleType, date_slack: int) -> dict[str, Any]:
    """Clean one benchmark set; return its scores (benchmarks.extraction.FIELDS, author_rate) and speed."""
    return measure_set(bench, dataset, scorer, systems=("tidings",), date_slack=date_slack)["tidings"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bench", type=Path, nargs="?", default=DEFAULT_BENCH)
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
