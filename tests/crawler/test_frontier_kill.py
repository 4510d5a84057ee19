"""Kill -9 of a frontier worker mid-crawl: what it had popped goes back to the queue, nothing is lost."""

from __future__ import annotations

import collections
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import tidings
from tests.crawler.conftest import LOOPBACK, REPO
from tests.crawler.test_kill import ARTICLES, _archived, _site
from tests.redis_server import empty_redis
from tidings.demo.server import DemoServer

pytest.importorskip("scrapy_redis")
pytestmark = pytest.mark.slow

INFLIGHT = "tidings:news:inflight:"
# a few requests at a time, spaced a little: the kill lands while articles are being fetched
SLOW = ["-s", "DOWNLOAD_DELAY=0.03", "-s", "CONCURRENT_REQUESTS=4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with empty_redis() as url:
        yield url


def _worker(sources: Path, output: Path, frontier: str, worker: str, *settings: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tidings", "crawl", "--sources", str(sources), "--output", str(output)]
    command += ["--no-progress", *LOOPBACK, *SLOW, *settings, "--idle", "2", "--frontier", frontier]
    return subprocess.Popen(
        [*command, "--worker-id", worker], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _in_flight(client: object, worker: str) -> set[str]:
    """The paths of the requests worker's runs hold in the frontier (popped, not yet handled)."""
    urls = set()
    for key in client.scan_iter(f"{INFLIGHT}{worker}:*"):  # type: ignore[attr-defined]
        for entry in client.hvals(key):  # type: ignore[attr-defined]
            _score, _, data = entry.partition(b"\n")
            urls.add(urlsplit(pickle.loads(data)["url"]).path)
    return urls


def _crawl_and_kill(tmp_path: Path, redis_url: str, *, restart: bool, settings: list[str]) -> dict[str, object]:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    site = _site(tmp_path / "site")
    output = tmp_path / "out"
    with DemoServer(site) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "harbour"\nsitemaps = ["{server.base_url}/sitemap.xml"]\n'
            "allow = ['/news/']\ntimezone = \"UTC\"\n",
            encoding="utf-8",
        )
        alpha = _worker(sources, output, redis_url, "alpha", *settings)
        beta = _worker(sources, output, redis_url, "beta", *settings)
        deadline = time.monotonic() + 90
        while sum(1 for r in server.requests if "/story-" in r.path) < ARTICLES // 3 or not _in_flight(client, "alpha"):
            assert alpha.poll() is None, alpha.communicate()[1].decode()
            assert time.monotonic() < deadline, "the crawl never reached the moment to kill it"
            time.sleep(0.005)
        os.kill(alpha.pid, signal.SIGKILL)
        # wait for the process, not for its stderr: the cleaning workers' server it started (warming
        # the steps) holds that open a few seconds more, and a lease may expire meanwhile
        alpha.wait()
        assert alpha.stderr is not None
        alpha.stderr.close()
        held = _in_flight(client, "alpha")  # what the killed worker had popped and not finished
        processes = [beta]
        if restart:
            processes.append(_worker(sources, output, redis_url, "alpha", *settings))
        results = []
        for process in processes:
            _, stderr = process.communicate(timeout=180)
            results.append((process.returncode, stderr.decode()))
        fetched = collections.Counter(r.path for r in server.requests if "/story-" in r.path)
    return {
        "results": results,
        "held": held,
        "fetched": fetched,
        "output": output,
        "left": list(client.scan_iter(f"{INFLIGHT}*")),
        "queued": client.zcard("tidings:news:requests"),
    }


def _check(run: dict[str, object]) -> None:
    for code, stderr in run["results"]:  # type: ignore[attr-defined]
        assert code == 0, stderr[-3000:]
    fetched: collections.Counter[str] = run["fetched"]  # type: ignore[assignment]
    held: set[str] = run["held"]  # type: ignore[assignment]
    assert held, "the kill found nothing in flight: the test proved nothing"
    assert len(fetched) == ARTICLES  # every article fetched: none lost with the killed worker
    twice = {url for url, n in fetched.items() if n > 1}
    assert twice <= held  # only what was in flight at the kill is fetched again
    assert len(held) <= 4 + 1  # CONCURRENT_REQUESTS, and a response its callback had not finished
    assert set(fetched.values()) <= {1, 2}
    assert not run["left"]  # no lease left behind
    assert run["queued"] == 0


def test_a_killed_worker_restarted_puts_back_what_it_had_in_flight(tmp_path: Path, redis_url: str) -> None:
    run = _crawl_and_kill(tmp_path, redis_url, restart=True, settings=[])
    _check(run)
    output: Path = run["output"]  # type: ignore[assignment]
    articles = tidings.load(output)
    # the restarted worker cleaned what the killed one archived, the other worker its own
    assert len(articles) == ARTICLES
    assert articles["url"].is_unique
    archived = _archived(output / "warc")
    assert len(archived) == ARTICLES


def test_the_other_workers_take_over_a_killed_workers_requests_when_its_lease_expires(
    tmp_path: Path, redis_url: str
) -> None:
    # no restart: beta waits for alpha's lease (2 s here) to expire, then fetches what alpha held
    run = _crawl_and_kill(tmp_path, redis_url, restart=False, settings=["-s", "TIDINGS_FRONTIER_LEASE=2"])
    _check(run)
    fetched: collections.Counter[str] = run["fetched"]  # type: ignore[assignment]
    assert run["held"] <= set(fetched)  # type: ignore[operator]
