"""Fixtures for crawler tests: a copy of the fixture site served on 127.0.0.1, and a crawl run in a subprocess."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import WARC_FIELDS
from tidings.demo.server import DemoServer

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SITE = REPO / "tests" / "fixtures" / "site" / "news"
FIXTURE_SOURCES = REPO / "tests" / "fixtures" / "site" / "sources.toml"

RETRY_BACKOFF = 0.3  # seconds: short, but long enough for a test to see the wait
# our own loopback server: no politeness delays, and short retry backoff
LOOPBACK = [
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s",
    f"TIDINGS_RETRY_BACKOFF_BASE={RETRY_BACKOFF}",
    "-s",
    "DOWNLOAD_TIMEOUT=5",
]


@dataclasses.dataclass
class Record:
    """One WARC record, read back for assertions."""

    type: str
    url: str | None
    headers: dict[str, str]
    status: int | None
    http_headers: dict[str, str]
    payload: bytes  # as stored: still content-encoded
    file: Path


def read_warc(directory: Path) -> list[Record]:
    records = []
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                http = record.http_headers
                records.append(
                    Record(
                        type=record.rec_type,
                        url=record.rec_headers.get_header("WARC-Target-URI"),
                        headers=dict(record.rec_headers.headers),
                        status=int(http.get_statuscode())
                        if http is not None and record.rec_type == "response"
                        else None,
                        http_headers=dict(http.headers) if http is not None else {},
                        payload=record.raw_stream.read(),
                        file=path,
                    )
                )
    return records


def fields(record: Record) -> dict[str, Any]:
    """The fields of an application/warc-fields metadata record, each value read as JSON."""
    assert record.headers.get("Content-Type") == WARC_FIELDS
    pairs = (line.split(":", 1) for line in record.payload.decode().splitlines() if line.strip())
    return {name.strip(): json.loads(value) for name, value in pairs}


def metadata(records: list[Record], field: str) -> list[dict[str, Any]]:
    """The values of field (HINTS_FIELD, FETCH_ERROR_FIELD) in the metadata records, in archive order."""
    found = [fields(r) for r in records if r.type == "metadata" and r.headers.get("Content-Type") == WARC_FIELDS]
    return [f[field] for f in found if field in f]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_sources(path: Path, base_url: str, extra_feeds: list[str] = ()) -> Path:
    text = FIXTURE_SOURCES.read_text(encoding="utf-8").replace("{{BASE}}", base_url)
    if extra_feeds:
        listed = ", ".join(f'"{url}"' for url in extra_feeds)
        text = text.replace("feeds = [", f"feeds = [{listed}, ", 1)
    path.write_text(text, encoding="utf-8")
    return path


def run_crawl(sources: Path, output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `tidings crawl` in a subprocess (Scrapy's reactor runs once per process)."""
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
        *LOOPBACK,
        *args,
    ]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of the fixture site, so a test may change it."""
    return Path(shutil.copytree(FIXTURE_SITE, tmp_path / "site"))


@pytest.fixture
def server(site: Path) -> Iterator[DemoServer]:
    with DemoServer(site) as running:
        yield running
