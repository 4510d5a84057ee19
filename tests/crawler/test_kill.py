"""Kill -9 of `tidings crawl` at several moments, then a complete crawl: no article lost, none archived twice."""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

import tidings
from tests.crawler.conftest import LOOPBACK, REPO
from tidings.demo.server import DemoServer

ARTICLES = 120
_SENTENCE = "the harbour council said on monday that a new ferry pier would open next year for commuters"
_WORDS = _SENTENCE.split()


def _site(root: Path) -> Path:
    """A news site of ARTICLES pages, listed in one sitemap."""
    rng = random.Random(5)
    locs = []
    for n in range(ARTICLES):
        text = "".join(f"<p>{' '.join(rng.choice(_WORDS) for _ in range(40)).capitalize()}.</p>" for _ in range(5))
        path = root / "news" / "2026" / "11" / f"story-{n:03d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f'<html lang="en"><head><meta charset="utf-8"><title>Story {n}</title></head>'
            f"<body><article><h1>Story {n} of the harbour</h1>{text}</article></body></html>",
            encoding="utf-8",
        )
        locs.append(f"<url><loc>{{{{BASE}}}}/news/2026/11/story-{n:03d}.html</loc></url>")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(locs)
        + "</urlset>",
        encoding="utf-8",
    )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return root


def _start(sources: Path, output: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tidings", "crawl", "--sources", str(sources), "--output", str(output)]
    # a small delay between requests: the kills land while articles are being fetched
    slow = ["-s", "DOWNLOAD_DELAY=0.02", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
    return subprocess.Popen(
        [*command, "--no-progress", *LOOPBACK, *slow],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_when(process: subprocess.Popen[bytes], condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 90
    while not condition():
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert time.monotonic() < deadline, "the crawl never reached the moment to kill it"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()


def _archived(warc: Path) -> collections.Counter[str]:
    """Count the readable article responses in every WARC file, as far as each file is whole."""
    counts: collections.Counter[str] = collections.Counter()
    for path in sorted(warc.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            try:
                for record in ArchiveIterator(handle):
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    if record.rec_type == "response" and "/story-" in url:
                        record.content_stream().read()  # a record cut short raises here
                        counts[url] += 1
            except Exception:  # the cut end of a file a kill left open
                pass
    return counts


@pytest.mark.slow
def test_kill9_during_fetching_and_cleaning_loses_no_article_and_archives_none_twice(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    output = tmp_path / "out"
    warc = output / "warc"
    with DemoServer(site) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "harbour"\nsitemaps = ["{server.base_url}/sitemap.xml"]\n'
            "allow = ['/news/']\ntimezone = \"UTC\"\n",
            encoding="utf-8",
        )

        def articles_served() -> int:
            return sum(1 for r in server.requests if "/story-" in r.path)

        # 1 and 2: killed while fetching, with records written and seen marks committed
        _kill_when(_start(sources, output), lambda: articles_served() >= 30)
        _kill_when(_start(sources, output), lambda: articles_served() >= 70)
        # 3: killed once every article is archived and the crawl is cleaning (its WARC files closed)
        _kill_when(
            _start(sources, output),
            lambda: articles_served() >= ARTICLES and not list(warc.glob("*.open")) and bool(list(warc.glob("*.gz"))),
        )
        assert not (output / "articles").exists() or len(tidings.load(output)) < ARTICLES
        # 4: runs to the end; the lock the killed crawls held blocks nothing
        final = _start(sources, output)
        _, stderr = final.communicate(timeout=120)
        assert final.returncode == 0, stderr.decode()

        fetched = collections.Counter(r.path for r in server.requests if "/story-" in r.path)

    articles = tidings.load(output)
    assert len(articles) == ARTICLES  # every article reached the dataset, the ones a killed cleaning had too
    assert articles["url"].is_unique
    archived = _archived(warc)
    assert len(archived) == ARTICLES
    assert set(archived.values()) == {1}, "an article was archived twice"
    # a request in flight when the crawl was killed is sent again: at most 2 (the concurrency) per kill
    assert sum(fetched.values()) - ARTICLES <= 2 * 3
    assert not list(warc.glob("*.open"))  # every file closed: readable to its last whole record
    assert not list((output / "state" / "uncleaned").iterdir())
