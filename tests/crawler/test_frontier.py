"""Two crawl workers sharing one Redis frontier (scrapy-redis) on the fixture site: each article fetched once."""

from __future__ import annotations

import dataclasses
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import tidings
from tests.crawler.conftest import FIXTURE_SITE, LOOPBACK, REPO, write_sources
from tests.crawler.test_crawl import ARTICLES, NEW_ARTICLE
from tests.redis_server import empty_redis
from tidings.demo.server import DemoServer, ServedRequest

pytest.importorskip("scrapy_redis")

# workers give up 2 s after the last activity of any worker
FRONTIER_ARGS = ["--idle", "2"]


def _worker(sources: Path, output: Path, frontier: str, worker: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tidings", "crawl", "--sources", str(sources), "--output", str(output)]
    command += ["--no-progress", *LOOPBACK, *FRONTIER_ARGS, "--frontier", frontier, "--worker-id", worker]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _run_workers(sources: Path, output: Path, frontier: str) -> list[tuple[int, str]]:
    workers = [_worker(sources, output, frontier, name) for name in ("alpha", "beta")]
    results = []
    for process in workers:
        _, stderr = process.communicate(timeout=180)
        results.append((process.returncode, stderr))
    return results


def _articles(requests: list[ServedRequest]) -> list[str]:
    return [r.path for r in requests if re.search(r"/\d{4}/\d{2}/", r.path)]


def _next_round(url: str) -> None:
    """Forget which listings were fetched, as TIDINGS_FRONTIER_LISTING_TTL (120 s) passing would."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("tidings:news:listing:*"))
    if keys:  # on a slow machine the first round may have outlived the TTL already
        client.delete(*keys)


@dataclasses.dataclass
class SharedCrawls:
    base: str
    output: Path
    first: list[tuple[int, str]]
    second: list[tuple[int, str]]
    first_requests: list[ServedRequest]
    second_requests: list[ServedRequest]
    first_warcs: set[Path]
    frontier: str


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with empty_redis() as url:
        yield url


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> SharedCrawls:
    """Two workers crawl the site into one output; one article is added; two workers crawl again."""
    root = tmp_path_factory.mktemp("frontier")
    site = Path(shutil.copytree(FIXTURE_SITE, root / "site"))
    output = root / "output"
    with DemoServer(site) as server:
        sources = write_sources(root / "sources.toml", server.base_url)
        first = _run_workers(sources, output, redis_url)
        first_requests = server.requests
        first_warcs = set((output / "warc").glob("*.warc.gz"))

        chip_lab = (site / "tech/2026/11/chip-lab.html").read_text(encoding="utf-8")
        (site / NEW_ARTICLE.lstrip("/")).write_text(chip_lab.replace("Chipmaker opens", "Brand new"), "utf-8")
        rss = site / "rss.xml"
        item = f"<item><title>Brand new</title><link>{{{{BASE}}}}{NEW_ARTICLE}</link></item>\n    <item>"
        rss.write_text(rss.read_text(encoding="utf-8").replace("<item>", item, 1), encoding="utf-8")
        _next_round(redis_url)
        second = _run_workers(sources, output, redis_url)
        second_requests = server.requests[len(first_requests) :]
    return SharedCrawls(server.base_url, output, first, second, first_requests, second_requests, first_warcs, redis_url)


def test_workers_succeed(shared: SharedCrawls) -> None:
    for code, stderr in shared.first + shared.second:
        assert code == 0, stderr[-3000:]


def test_every_article_is_fetched_exactly_once_across_workers(shared: SharedCrawls) -> None:
    requested = Counter(_articles(shared.first_requests))
    assert set(requested) == ARTICLES
    # the site answers flaky.html 500 once and outage.html 500 always: those extra requests are retries
    retries = {"/tech/2026/11/flaky.html": 2, "/world/2026/11/outage.html": 3}
    assert requested == Counter({path: retries.get(path, 1) for path in ARTICLES})
    # the feeds too: the workers started together share one fetch of each listing
    listings = Counter(r.path for r in shared.first_requests if r.path.endswith((".xml", ".xml.gz", "/tech/")))
    assert listings
    assert max(listings.values()) == 1, listings


def test_the_incremental_second_run_fetches_only_what_is_new(shared: SharedCrawls) -> None:
    fetched = set(_articles(shared.second_requests))
    # outage.html failed three times with 500 in the first run: its worker kept it pending
    assert fetched == {NEW_ARTICLE, "/world/2026/11/outage.html"}
    assert "/rss.xml" in [r.path for r in shared.second_requests]  # the feeds were read again


def test_each_worker_writes_its_own_warc_files_and_cleaning_takes_them_all(shared: SharedCrawls) -> None:
    names = [p.name for p in (shared.output / "warc").glob("*.warc.gz")]
    assert names
    assert all(re.fullmatch(r"tidings-\d{17}-\d{5}-(alpha|beta)\.warc\.gz", n) for n in names), names
    assert not list((shared.output / "warc").glob("*.open"))
    articles = pd.read_parquet(shared.output / "articles")
    urls = set(articles["url"])
    stored = {u.removeprefix(shared.base) for u in urls}
    assert NEW_ARTICLE in stored
    assert "/tech/2026/11/chip-lab.html" in stored
    assert articles["url"].is_unique
    runs = tidings.load_runs(shared.output)
    assert sorted(runs["worker"]) == ["alpha", "alpha", "beta", "beta"]  # two rounds of two workers


def test_the_shared_seen_set_holds_every_article(shared: SharedCrawls) -> None:
    import redis

    client = redis.Redis.from_url(shared.frontier)
    assert client.scard("tidings:news:seen") >= len(ARTICLES)
    assert client.zcard("tidings:news:requests") == 0  # nothing left behind in the queue


def _tidings(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings", *args], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )


def test_seed_only_pushes_the_listings_once_per_round(tmp_path: Path, redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    sources = write_sources(tmp_path / "sources.toml", "http://127.0.0.1:9")
    first = _tidings("crawl", "--sources", str(sources), "--frontier", redis_url, "--seed-only")
    assert first.returncode == 0, first.stderr
    assert "seeded:      6 " in first.stderr  # 3 feeds, 2 sitemaps, 1 section
    assert client.zcard("tidings:news:requests") == 6
    again = _tidings("crawl", "--sources", str(sources), "--frontier", redis_url, "--seed-only")
    assert "seeded:      0 " in again.stderr  # claimed less than TIDINGS_FRONTIER_LISTING_TTL ago
    assert client.zcard("tidings:news:requests") == 6
    client.flushdb()


def test_the_domain_delay_holds_across_workers(redis_url: str) -> None:
    from scrapy import Request

    from crawler.frontier import SharedDomainDelay, connect

    one = SharedDomainDelay(connect(redis_url), "test:slot", 0.5)
    other = SharedDomainDelay(connect(redis_url), "test:slot", 0.5)  # a second worker, its own connection
    request = Request("http://example.test/a")
    waits = [one.wait(request), other.wait(request), one.wait(request)]
    assert waits[0] == pytest.approx(0.0, abs=0.05)
    assert waits[1] == pytest.approx(0.5, abs=0.05)
    assert waits[2] == pytest.approx(1.0, abs=0.05)
    assert other.wait(Request("http://elsewhere.test/b")) == pytest.approx(0.0, abs=0.05)  # per host


def test_an_unreachable_frontier_is_one_line(tmp_path: Path) -> None:
    from tests.crawler.conftest import closed_port

    sources = write_sources(tmp_path / "sources.toml", "http://127.0.0.1:9")
    result = _tidings("crawl", "--sources", str(sources), "--frontier", f"redis://127.0.0.1:{closed_port()}/0")
    assert result.returncode != 0
    assert "cannot reach the frontier" in result.stderr
    assert "Traceback" not in result.stderr


def test_worker_options_need_a_frontier(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources.toml", "http://127.0.0.1:9")
    result = _tidings("crawl", "--sources", str(sources), "--worker-id", "a")
    assert result.returncode == 2
    assert "need --frontier" in result.stderr


def test_a_schedule_with_a_frontier_seeds_it_instead_of_crawling(tmp_path: Path, redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    sources = write_sources(tmp_path / "sources.toml", "http://127.0.0.1:9")  # never fetched: seeding only
    output = tmp_path / "out"
    command = [sys.executable, "-m", "tidings", "schedule", "--sources", str(sources), "-o", str(output)]
    scheduler = subprocess.Popen(
        [*command, "--every", "1h", "--frontier", redis_url], cwd=REPO, stderr=subprocess.PIPE, text=True
    )
    log_path = output / "state" / "schedule.log"
    try:
        deadline = time.monotonic() + 60
        while "run finished" not in (log_path.read_text() if log_path.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.2)
        queued = client.zcard("tidings:news:requests")
    finally:
        scheduler.send_signal(signal.SIGTERM)
        _, stderr = scheduler.communicate(timeout=30)
    assert queued == 6, stderr  # the first run is due at once: 3 feeds, 2 sitemaps, 1 section
    log = log_path.read_text(encoding="utf-8")
    assert "--seed-only" in log
    assert "seeded:      6 " in log
    assert not (output / "warc").exists()  # it crawled nothing itself
    client.flushdb()
