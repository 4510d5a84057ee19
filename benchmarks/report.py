"""Time `tidings report` on a synthetic output root of a million articles.

Usage:
    python benchmarks/report.py [--articles 1000000] [--repeats 3]

Writes tests/synthetic_dataset.py's dataset (articles, a tenth as many rejects, 30 runs;
texts are placeholders since the report never reads `text`) into a temporary folder, then
writes the report --repeats times and prints the median time, the page size and the peak
RSS of this process (ru_maxrss, which includes generating the dataset).
"""

from __future__ import annotations

import argparse
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
            started = time.perf_counter()
            data = collect(root)
            aggregate.append(time.perf_counter() - started)
            started = time.perf_counter()
            page = write_report(root)
            total.append(time.perf_counter() - started)
        anomalies = [a.kind + ":" + a.subject for a in find_anomalies(data)]
        print(f"aggregate: median {statistics.median(aggregate):.2f}s of {args.repeats} (DuckDB only)")
        print(f"report:    median {statistics.median(total):.2f}s of {args.repeats} (aggregate, charts, page)")
        print(f"page:      {page.stat().st_size / 1e6:.1f} MB; anomalies found: {', '.join(anomalies)}")
        print(f"peak RSS:  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
