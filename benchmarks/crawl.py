"""Pages per second of `tidings crawl` against a generated local site, with and without cleaning.

Usage:
    python benchmarks/crawl.py [--pages 2000] [--repeat 3]

Generates a news site of --pages article pages (a sitemap index of urlsets, plus an RSS
feed of the newest 50) in a temporary folder, serves it on 127.0.0.1 with
tidings/demo/server.py, and runs, each --repeat times into a fresh output:

  bare     the same spider with no WARC archive and no incremental state, no cleaning
  archive  `tidings crawl --no-clean`: the spider plus the WARC archive and the state
  full     `tidings crawl --no-pipeline`: crawl, archive, then clean the archive into the dataset
  full -w 2  the same, cleaning with 2 worker processes (which warm up during the crawl)
  pipe     `tidings crawl`: each part of the WARC files (32 responses) is cleaned by a worker
           process while the crawl goes on, the rest after it by that worker and the crawl's
           process (tidings/pipelined.py)
  pipe -w 2  the same, the rest cleaned by 2 worker processes

The politeness settings are meant for other people's servers; against our own loopback
server they are lifted with `-s` overrides (printed below), or the benchmark would measure
DOWNLOAD_DELAY. Each run is a subprocess, as in production. Reported: the crawl phase
(Scrapy's elapsed time), cleaning (pipelined: what is left after the crawl), and wall time
including interpreter start-up; medians. --modes picks some of them (bare is always run).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tidings.demo.server import DemoServer  # noqa: E402  (after the path is set)

LOCAL_OVERRIDES = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
}
BARE_OVERRIDES = {"TIDINGS_WARC_DIR": "", "TIDINGS_STATE_DB": ""}  # empty: the extension and middleware switch off

_WORDS = [
    "harbour",
    "council",
    "technology",
    "chip",
    "research",
    "market",
    "startup",
    "policy",
    "funding",
    "network",
    "energy",
    "data",
    "ferry",
    "district",
    "housing",
    "university",
    "laboratory",
    "investment",
    "platform",
    "security",
    "transport",
    "school",
    "officials",
    "announced",
    "said",
    "would",
    "project",
    "months",
    "expected",
    "analysts",
    "region",
    "growth",
    "local",
    "plan",
]
_ZH = "政府今日公布新的科技發展計劃預計未來五年投入大量資源支持本地初創企業及研究機構業界人士表示有助吸引海外人才"


def _paragraph(rng: random.Random, chinese: bool) -> str:
    if chinese:
        return "".join(rng.choice(_ZH) for _ in range(rng.randint(60, 140))) + "。"
    words = [rng.choice(_WORDS) for _ in range(rng.randint(30, 70))]
    return " ".join(words).capitalize() + "."


def generate_site(root: Path, pages: int, seed: int = 7) -> None:
    """Write pages article pages, sitemaps of 500 URLs each, a sitemap index and an RSS feed."""
    rng = random.Random(seed)
    urls = []
    for n in range(pages):
        day = 1 + n % 28
        path = f"news/2026/11/{day:02d}/story-{n:05d}.html"
        chinese = n % 5 == 0
        title = f"Story {n}: " + " ".join(rng.choice(_WORDS) for _ in range(6))
        body = "\n".join(f"<p>{_paragraph(rng, chinese)}</p>" for _ in range(rng.randint(4, 9)))
        html = (
            f'<!DOCTYPE html><html lang="{"zh-HK" if chinese else "en"}"><head><meta charset="utf-8">'
            f"<title>{title} | Bench News</title>"
            f'<meta property="article:published_time" content="2026-11-{day:02d}T08:00:00+08:00"></head>'
            f'<body><nav><a href="/">Home</a> <a href="/news/">News</a></nav><article><h1>{title}</h1>'
            f"{body}</article><footer>Bench News</footer></body></html>\n"
        )
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(html, encoding="utf-8")
        urls.append((path, title, day))
    children = []
    for start in range(0, pages, 500):
        name = f"sitemap-{start // 500:03d}.xml"
        entries = "".join(
            f"<url><loc>{{{{BASE}}}}/{path}</loc><lastmod>2026-11-{day:02d}</lastmod></url>\n"
            for path, _, day in urls[start : start + 500]
        )
        (root / name).write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n",
            encoding="utf-8",
        )
        children.append(name)
    index = "".join(f"<sitemap><loc>{{{{BASE}}}}/{name}</loc></sitemap>\n" for name in children)
    (root / "sitemap_index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{index}</sitemapindex>\n",
        encoding="utf-8",
    )
    items = "".join(
        f"<item><title>{title}</title><link>{{{{BASE}}}}/{path}</link></item>\n" for path, title, _ in urls[-50:]
    )
    (root / "rss.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>\n',
        encoding="utf-8",
    )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")


def _run(sources: Path, output: Path, *extra: str, overrides: dict[str, str]) -> tuple[float, float, float, int]:
    """Run one crawl; return (wall s, crawl s, cleaning s, responses)."""
    settings = [arg for name, value in overrides.items() for arg in ("-s", f"{name}={value}")]
    command = [
        sys.executable,
        "-m",
        "tidings",
        "crawl",
        "--sources",
        str(sources),
        "--output",
        str(output),
        "--no-progress",
        *settings,
        *extra,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    fetched = re.search(r"fetched:\s+(\d+) responses in ([\d.]+)s", done.stderr)
    cleaned = re.search(r"pages read:\s+\d+ in ([\d.]+)s", done.stderr)
    if not fetched:
        raise SystemExit(f"no crawl summary in the output:\n{done.stderr[-3000:]}")
    return wall, float(fetched.group(2)), float(cleaned.group(1)) if cleaned else 0.0, int(fetched.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="", help="comma-separated modes to run besides bare [default: all]")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tidings-bench-") as tmp:
        root = Path(tmp)
        site = root / "site"
        generate_site(site, args.pages)
        print(
            f"site: {args.pages} article pages in {site}; overrides for loopback: "
            + " ".join(f"-s {k}={v}" for k, v in LOCAL_OVERRIDES.items())
        )
        modes = {
            "bare": (("--no-clean",), LOCAL_OVERRIDES | BARE_OVERRIDES),
            "archive": (("--no-clean",), LOCAL_OVERRIDES),
            "full": (("--no-pipeline",), LOCAL_OVERRIDES),
            "full -w 2": (("--no-pipeline", "--workers", "2"), LOCAL_OVERRIDES),
            "pipe": ((), LOCAL_OVERRIDES),
            "pipe -w 2": (("--workers", "2"), LOCAL_OVERRIDES),
        }
        if args.modes:
            wanted = {"bare", *(m.strip() for m in args.modes.split(","))}
            modes = {mode: spec for mode, spec in modes.items() if mode in wanted}
        results: dict[str, list[tuple[float, float, float, int]]] = {mode: [] for mode in modes}
        with DemoServer(site, gzip_min_bytes=1 << 30) as server:  # no gzip: measure the crawler, not zlib
            sources = root / "sources.toml"
            sources.write_text(
                f'[[source]]\nname = "bench"\nsitemaps = ["{server.base_url}/sitemap_index.xml"]\n'
                f'feeds = ["{server.base_url}/rss.xml"]\ntimezone = "Asia/Hong_Kong"\n',
                encoding="utf-8",
            )
            for run in range(args.repeat):
                for mode, (extra, overrides) in modes.items():
                    results[mode].append(_run(sources, root / f"out-{mode}-{run}", *extra, overrides=overrides))

    print(f"{'mode':10} {'responses':>9} {'crawl s':>8} {'crawl p/s':>10} {'clean s':>8} {'wall s':>7} {'wall p/s':>9}")
    rates = {}
    for mode, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        crawl = statistics.median(r[1] for r in runs)
        clean = statistics.median(r[2] for r in runs)
        responses = runs[0][3]
        rates[mode] = (responses / crawl, responses / wall)
        print(
            f"{mode:10} {responses:9d} {crawl:8.2f} {responses / crawl:10.1f} {clean:8.2f} {wall:7.2f} "
            f"{responses / wall:9.1f}"
        )
    bare_crawl, bare_wall = rates["bare"]
    for mode in list(modes)[1:]:
        crawl_rate, wall_rate = rates[mode]
        print(f"{mode} / bare: crawl phase {crawl_rate / bare_crawl:.2f}x, wall {wall_rate / bare_wall:.2f}x")
    print(
        f"medians of {args.repeat} runs; crawl p/s = responses / Scrapy elapsed time, "
        "wall p/s includes interpreter start-up and cleaning"
    )


if __name__ == "__main__":
    main()
