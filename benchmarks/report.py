"""Time `tidings report` on a synthetic output root of a million articles.

Usage:
    python benchmarks/report.py [--articles 1000000] [--repeats 3]

Writes tests/synthetic_dataset.py's dataset (articles, a tenth as many rejects, 30 runs;
texts are placeholders since the report never reads `text`) into a temporary folder, then
writes the report --repeats times and prints the median wall time, the median CPU time
(user + system of every thread of this process: DuckDB aggregates on several), the page
size and the peak RSS of this process (ru_maxrss, which includes generating the dataset).
On a shared machine the CPU time is the figure to compare; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.synthetic_dataset import write_synthetic
from tidings.report import write_report
from tidings.report.anomalies import find_anomalies
from tidings.report.data import collect


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tidings-report-bench-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        write_synthetic(root, args.articles)
        print(f"dataset:  {args.articles:,} articles written in {time.perf_counter() - started:.1f}s")
        aggregate, total = [], []
        for _ in range(args.repeats):
            started, cpu = time.perf_counter(), _cpu()
            data = collect(root)
            aggregate.append((time.perf_counter() - started, _cpu() - cpu))
            started, cpu = time.perf_counter(), _cpu()
            page = write_report(root)
            total.append((time.perf_counter() - started, _cpu() - cpu))
        anomalies = [a.kind + ":" + a.subject for a in find_anomalies(data)]
        for name, runs, what in (("aggregate", aggregate, "DuckDB only"), ("report", total, "aggregate, charts, page")):
            wall = statistics.median(r[0] for r in runs)
            cpu_s = statistics.median(r[1] for r in runs)
            print(f"{name + ':':10} median {wall:.2f}s wall, {cpu_s:.2f}s CPU of {args.repeats} ({what})")
        print(f"load:      average {os.getloadavg()[0]:.2f} at the end ({os.cpu_count()} CPUs)")
        print(f"page:      {page.stat().st_size / 1e6:.1f} MB; anomalies found: {', '.join(anomalies)}")
        print(f"peak RSS:  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
