"""A crawl's WARCs as the web-archive tools read them: indexed by cdxj-indexer, replayed by pywb.

pywb pins redis==2.10.6, which the redis extra (scrapy-redis) cannot share an environment
with, so pywb runs from its own virtualenv: TIDINGS_TEST_PYWB names its `wayback` script
(.ci/run builds .venv-replay for it). Without it the replay test is skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from cdxj_indexer.main import main as cdxj_indexer

from tests.crawler.conftest import FIXTURE_SITE, read_warc, run_crawl, write_sources
from tidings.demo.server import DemoServer


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Crawl the fixture site once; return the directory of its WARCs."""
    root = tmp_path_factory.mktemp("replay")
    site = Path(shutil.copytree(FIXTURE_SITE, root / "site"))
    with DemoServer(site) as server:
        result = run_crawl(write_sources(root / "sources.toml", server.base_url), root / "output")
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "output" / "warc"


def _index(warcs: Path, output: Path) -> list[dict[str, str]]:
    cdxj_indexer(["-o", str(output), "-s", *map(str, sorted(warcs.glob("*.warc.gz")))])
    lines = output.read_text("utf-8").splitlines()
    return [
        {"urlkey": line.split(" ", 2)[0], "timestamp": line.split(" ", 2)[1], **json.loads(line.split(" ", 2)[2])}
        for line in lines
    ]


def test_cdxj_indexer_indexes_the_responses_and_nothing_of_tidings_own(crawl: Path, tmp_path: Path) -> None:
    entries = _index(crawl, tmp_path / "index.cdxj")
    responses = [r for r in read_warc(crawl) if r.type == "response"]
    assert len(entries) == len(responses)
    assert {e["url"] for e in entries} == {r.url for r in responses}
    assert all(e.get("mime") != "application/warc-fields" for e in entries)
    assert {e.get("status") for e in entries} >= {"200", "404", "301"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wayback() -> str | None:
    return os.environ.get("TIDINGS_TEST_PYWB") or shutil.which("wayback")


@pytest.mark.skipif(_wayback() is None, reason="pywb not found: set TIDINGS_TEST_PYWB to its wayback script")
def test_pywb_replays_every_archived_article_byte_for_byte(crawl: Path, tmp_path: Path) -> None:
    collection = tmp_path / "collections" / "tidings"
    (collection / "archive").mkdir(parents=True)
    (collection / "indexes").mkdir()
    for warc in crawl.glob("*.warc.gz"):
        shutil.copy(warc, collection / "archive" / warc.name)
    _index(crawl, collection / "indexes" / "index.cdxj")
    articles = [
        r
        for r in read_warc(crawl)
        if r.type == "response" and r.status == 200 and "text/html" in r.http_headers.get("Content-Type", "")
    ]
    assert len(articles) >= 8
    port = _free_port()
    # replay only: no live web, no recording; bound to loopback
    (tmp_path / "config.yaml").write_text("collections_root: collections\nframed_replay: false\n", "utf-8")
    server = subprocess.Popen(
        [str(_wayback()), "-p", str(port), "-b", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/tidings"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        for record in articles:
            stamp = record.headers["WARC-Date"][:19].replace("-", "").replace(":", "").replace("T", "")
            # id_: the archived payload as it was, no rewriting
            request = urllib.request.Request(f"{base}/{stamp}id_/{record.url}", headers={"Accept-Encoding": "identity"})
            with urllib.request.urlopen(request, timeout=10) as answer:
                replayed = answer.read()
                encoding = answer.headers.get("Content-Encoding")
            archived = record.payload
            assert (encoding or None) == (record.http_headers.get("Content-Encoding") or None), record.url
            assert replayed == archived, record.url
    finally:
        server.terminate()
        server.wait(timeout=10)
