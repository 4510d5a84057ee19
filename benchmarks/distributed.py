"""The two engines past one machine, measured on this one: cleaning on Dask, crawling with a Redis frontier.

Usage:
    python benchmarks/distributed.py clean [--pages 2000] [--small 20 200] [--repeat 3]
    python benchmarks/distributed.py crawl [--pages 2000] [--repeat 3]

clean: generates --pages article pages (benchmarks/crawl.py's site generator) and runs, each
in a fresh process and into a fresh output, `tidings clean` with --engine local (one
process), --engine local -w 2, and --engine dask -w 2 (a LocalCluster of 2 worker
processes); the same for the --small sizes, which show each engine's fixed overhead.
Reported: the run's own time (its summary line: reading, cleaning, commit; for Dask
also the cluster's start and stop) and wall time including interpreter start-up; medians.

crawl: serves a generated --pages site on 127.0.0.1, starts a private redis-server, and
crawls it with one `tidings crawl --frontier` worker, then with two at once (fresh
Redis database and outputs each time). Reported: pages/s over the crawl phase (first to last
request the server answered), wall time, and how many article URLs were fetched more than
once (must be 0). Politeness is lifted for our own loopback server, as in crawl.py.

Both compete with whatever else runs on the machine: quote ratios measured side by side.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.crawl import LOCAL_OVERRIDES, generate_site  # noqa: E402  (after the path is set)
from tidings.demo.server import DemoServer  # noqa: E402

CLEAN_ENGINES = {
    "local 1 process": ["--engine", "local"],
    "local -w 2": ["--engine", "local", "-w", "2"],
    "dask 2 workers": ["--engine", "dask", "-w", "2"],
}


def _tidings(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tidings", *args], cwd=REPO, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"tidings {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall, done.stderr


def _same_dataset(expected: Path, got: Path) -> None:
    """Fail the benchmark unless got holds exactly expected's articles (tidings_version aside)."""
    import pandas as pd

    import tidings

    def articles(root: Path) -> pd.DataFrame:
        frame = tidings.load(root).drop(columns="tidings_version")
        return frame.sort_values("id").reset_index(drop=True)

    pd.testing.assert_frame_equal(articles(got), articles(expected))


def bench_clean(pages: int, small: list[int], repeat: int) -> None:
    print(f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="tidings-bench-dist-") as tmp:
        root = Path(tmp)
        for size in [*small, pages]:
            site = root / f"site-{size}"
            generate_site(site, size)
            inputs = site / "news"
            results: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
            for n in range(repeat):
                for name, args in CLEAN_ENGINES.items():
                    out = root / f"out-{size}-{n}-{name.replace(' ', '_')}"
                    wall, stderr = _tidings("clean", str(inputs), "-o", str(out), "--no-progress", *args)
                    found = re.search(r"pages read:\s+(\d+) in ([\d.]+)s", stderr)
                    assert found, stderr
                    results[name].append((float(found.group(2)), wall))
                    if n == 0:
                        _same_dataset(root / f"out-{size}-0-local_1_process", out)
            print(f"\n{size} pages (median of {repeat}; load average now {os.getloadavg()[0]:.2f})")
            print("every engine wrote the same articles as the local one (rows, ids, duplicate_of)")
            print(f"{'engine':18} {'run s':>7} {'pages/s':>8} {'wall s':>7} {'vs local':>9}")
            base = statistics.median(r[0] for r in results["local 1 process"])
            for name, runs in results.items():
                run_s = statistics.median(r[0] for r in runs)
                wall = statistics.median(r[1] for r in runs)
                print(f"{name:18} {run_s:7.2f} {size / run_s:8.1f} {wall:7.2f} {base / run_s:8.2f}x")


def _crawl_worker(sources: Path, output: Path, frontier: str, worker: str) -> subprocess.Popen[str]:
    settings = [arg for name, value in LOCAL_OVERRIDES.items() for arg in ("-s", f"{name}={value}")]
    command = [sys.executable, "-m", "tidings", "crawl", "--sources", str(sources), "-o", str(output)]
    command += ["--no-progress", "--no-clean", *settings, "--frontier", frontier, "--worker-id", worker, "--idle", "2"]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def bench_crawl(pages: int, repeat: int) -> None:
    import redis

    from tests.redis_server import private_redis

    print(f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at start")
    results: dict[int, list[tuple[float, float, int, int]]] = collections.defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="tidings-bench-frontier-") as tmp, private_redis() as url:
        root = Path(tmp)
        site = root / "site"
        generate_site(site, pages)
        client = redis.Redis.from_url(url)
        with DemoServer(site, gzip_min_bytes=1 << 30) as server:
            sources = root / "sources.toml"
            sources.write_text(
                f'[[source]]\nname = "bench"\nsitemaps = ["{server.base_url}/sitemap_index.xml"]\n'
                f'feeds = ["{server.base_url}/rss.xml"]\ntimezone = "Asia/Hong_Kong"\n',
                encoding="utf-8",
            )
            for n in range(repeat):
                for workers in (1, 2):
                    client.flushdb()
                    before = len(server.requests)
                    started = time.perf_counter()
                    procs = [_crawl_worker(sources, root / f"out-{n}-{workers}", url, f"w{i}") for i in range(workers)]
                    for proc in procs:
                        _, stderr = proc.communicate()
                        if proc.returncode != 0:
                            raise SystemExit(f"worker failed:\n{stderr[-3000:]}")
                    wall = time.perf_counter() - started
                    answered = server.requests[before:]
                    articles = [r for r in answered if "/story-" in r.path]
                    counts = collections.Counter(r.path for r in articles)
                    span = max(r.at for r in answered) - min(r.at for r in answered)
                    results[workers].append((span, wall, len(counts), sum(c - 1 for c in counts.values())))
    print(f"\n{pages}-page site (median of {repeat}; load average now {os.getloadavg()[0]:.2f})")
    print(f"{'workers':8} {'articles':>8} {'crawl s':>8} {'pages/s':>8} {'wall s':>7} {'fetched twice':>13}")
    base = 0.0
    for workers, runs in results.items():
        span = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        rate = runs[0][2] / span
        base = base or rate
        twice = max(r[3] for r in runs)
        print(f"{workers:8d} {runs[0][2]:8d} {span:8.2f} {rate:8.1f} {wall:7.2f} {twice:13d}   {rate / base:.2f}x")
    print("crawl s: first to last request the server answered; wall includes start-up and the --idle 2 s wait")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    clean = sub.add_parser("clean")
    clean.add_argument("--pages", type=int, default=2000)
    clean.add_argument("--small", type=int, nargs="*", default=[20, 200])
    clean.add_argument("--repeat", type=int, default=3)
    crawl = sub.add_parser("crawl")
    crawl.add_argument("--pages", type=int, default=2000)
    crawl.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.what == "clean":
        bench_clean(args.pages, args.small, args.repeat)
    else:
        bench_crawl(args.pages, args.repeat)


if __name__ == "__main__":
    main()
