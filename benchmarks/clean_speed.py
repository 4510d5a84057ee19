"""Pages per second of `tidings clean` against bare trafilatura.extract on the same bytes.

Usage:
    python benchmarks/clean_speed.py PAGES_DIR [--repeat 3] [--workers 1 2] [--cpu 0]

PAGES_DIR is any folder of .html/.htm/.html.gz pages (other files are ignored). Each
measurement runs in a fresh process: imports and the warm-up are excluded (cleaning/warmup.py,
which the workers' forkserver runs, then one page of the folder: the one-off loads, about 3 s
of CPU per process, are not a cost per page), reading,
decoding, every cleaning step, dedup and the Parquet write are included (for the pipeline),
and so is the start of the worker pool. The runs are interleaved (bare, then each worker
count, --repeat times) so that a load that comes and goes on a shared machine hits them
alike; bare trafilatura and one worker run pinned to CPU --cpu (-1: not pinned). Prints
medians of --repeat runs, the ratios, and the peak RSS of the largest process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def _pages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))


def _measure_trafilatura(folder: Path) -> dict[str, float]:
    import trafilatura

    pages = [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in _pages(folder)]
    trafilatura.extract(pages[0])  # warm-up: stoplists and lazy imports
    start = time.perf_counter()
    for page in pages:
        trafilatura.extract(page)
    return {"seconds": time.perf_counter() - start, "pages": len(pages)}


def _measure_pipeline(folder: Path, workers: int) -> dict[str, float]:
    import dataclasses

    from cleaning.config import CleaningConfig
    from cleaning.pipeline import run

    config = dataclasses.replace(CleaningConfig(), workers=workers)
    if workers == 1:
        # the warm-up the workers get in their forkserver (cleaning/warmup.py): every one-off load
        # (dateparser's locales, jusText's stoplists, the models), whichever page would first need it
        import cleaning.warmup  # noqa: F401
    with tempfile.TemporaryDirectory() as warm, tempfile.TemporaryDirectory() as out:
        run(_pages(folder)[:1], Path(warm), config, progress=False)  # warm-up: models and lazy imports
        start = time.perf_counter()
        summary = run([folder], Path(out), config, progress=False)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "pages": summary.pages}


def _child(mode: str, folder: Path, workers: int) -> dict[str, float]:
    result = _measure_trafilatura(folder) if mode == "trafilatura" else _measure_pipeline(folder, workers)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {**result, "max_rss_mib": max(own, children) / 1024}


def _spawn(mode: str, folder: Path, workers: int, cpu: int) -> dict[str, float]:
    command = [sys.executable, __file__, str(folder), "--child", mode, "--workers", str(workers)]
    if cpu >= 0 and (mode == "trafilatura" or workers == 1):
        command = ["taskset", "-c", str(cpu), *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    output = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--cpu", type=int, default=0, help="CPU for the one-core runs (-1: not pinned)")
    parser.add_argument("--child", choices=["trafilatura", "pipeline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.folder, args.workers[0])))
        return

    with tempfile.TemporaryDirectory() as staging:
        # only the pages: a benchmark folder's truth.jsonl is not input
        folder = Path(staging)
        for i, page in enumerate(_pages(args.folder)):
            (folder / f"{i:05d}-{page.name}").symlink_to(page.resolve())
        runs: dict[str, list[dict[str, float]]] = {"trafilatura": []}
        runs |= {f"tidings -w {workers}": [] for workers in args.workers}
        for _ in range(args.repeat):
            runs["trafilatura"].append(_spawn("trafilatura", folder, 1, args.cpu))
            for workers in args.workers:
                runs[f"tidings -w {workers}"].append(_spawn("pipeline", folder, workers, args.cpu))

    rates = {}
    print(f"{'run':<16}{'pages':>7}{'pages/s (median)':>18}{'runs':>26}{'peak RSS MiB':>14}")
    for name, results in runs.items():
        per_run = [r["pages"] / r["seconds"] for r in results]
        rates[name] = statistics.median(per_run)
        shown = " ".join(f"{rate:.1f}" for rate in per_run)
        peak = max(r["max_rss_mib"] for r in results)
        print(f"{name:<16}{int(results[0]['pages']):>7}{rates[name]:>18.1f}{shown:>26}{peak:>14.0f}")

    def paired(name: str, base: str) -> str:
        # the same round ran both: a ratio per round is less exposed to the load than a ratio of medians
        per_round = [b["seconds"] / r["seconds"] for r, b in zip(runs[name], runs[base], strict=True)]
        return f"{rates[name] / rates[base]:.2f}x (per round: median {statistics.median(per_round):.2f}x)"

    for workers in args.workers:
        print(f"tidings -w {workers} / trafilatura: {paired(f'tidings -w {workers}', 'trafilatura')}")
    if 1 in args.workers:
        for workers in args.workers:
            if workers != 1:
                print(f"tidings -w {workers} / tidings -w 1: {paired(f'tidings -w {workers}', 'tidings -w 1')}")


if __name__ == "__main__":
    main()
