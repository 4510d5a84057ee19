"""`tidings crawl`, `schedule` and `demo`: clean errors for bad input, the lock, and the demo end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.crawler.conftest import FIXTURE_SITE, FIXTURE_SOURCES, REPO, read_warc, run_crawl, write_sources
from tidings.cli import main
from tidings.crawl import BUSY_EXIT_CODE, crawl_lock
from tidings.demo import DEMO_DIR


def test_crawl_reports_an_invalid_sources_file_naming_source_and_field(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "bad"\nfeeds = ["not-a-url"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", "--sources", str(sources), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2  # a bad sources file is bad usage: nothing was done
    assert f"{sources}: source 'bad', field 'feeds': 'not-a-url' is not an absolute http(s) URL" in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A valid sources file; nothing listens at its URLs, and these tests never get as far as crawling."""
    return write_sources(tmp_path / "sources.toml", "http://127.0.0.1:9")


def test_crawl_reports_an_unknown_source_name(tmp_path: Path, sources: Path) -> None:
    result = CliRunner().invoke(
        main, ["crawl", "--sources", str(sources), "--source", "nope", "--output", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "unknown source 'nope'; known sources: harbour" in result.output


def test_crawl_exits_busy_while_another_crawl_holds_the_lock(tmp_path: Path, sources: Path) -> None:
    output = tmp_path / "out"
    with crawl_lock(output):
        result = CliRunner().invoke(main, ["crawl", "--sources", str(sources), "--output", str(output)])
    assert result.exit_code == BUSY_EXIT_CODE
    assert "another crawl is writing" in result.output
    assert not (output / "warc").exists()


def test_crawl_rejects_malformed_setting_overrides(tmp_path: Path, sources: Path) -> None:
    result = CliRunner().invoke(
        main, ["crawl", "--sources", str(sources), "--output", str(tmp_path), "-s", "DOWNLOAD_DELAY"]
    )
    assert result.exit_code == 2
    assert "is not NAME=VALUE" in result.output


def test_schedule_rejects_a_bad_interval(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["schedule", "--sources", str(FIXTURE_SOURCES), "--every", "soon", "--output", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "not an interval" in result.output


def test_demo_serves_crawls_and_cleans_a_site(tmp_path: Path) -> None:
    """run_demo on the crawler's fixture site (the bundled demo site is tested the same way below)."""
    script = (
        "import sys; from pathlib import Path; from tidings.demo import run_demo\n"
        "summary, base = run_demo(Path(sys.argv[1]), site=Path(sys.argv[2]), sources_template=Path(sys.argv[3]),"
        " progress=False)\n"
        "print(summary.pages_fetched, base)\n"
    )
    output = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", script, str(output), str(FIXTURE_SITE), str(FIXTURE_SOURCES)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    fetched, base = done.stdout.split()
    assert int(fetched) >= 15
    assert base.startswith("http://127.0.0.1:")
    sources = (output / "state" / "demo-sources.toml").read_text(encoding="utf-8")
    assert "{{BASE}}" not in sources
    assert base in sources
    assert any(r.url == f"{base}/tech/2026/11/chip-lab.html" for r in read_warc(output / "warc"))
    assert any((output / "rejects").rglob("*.parquet"))  # cleaning ran on the archive


@pytest.mark.skipif(not (DEMO_DIR / "site").is_dir(), reason="the bundled demo site (tidings/demo/site) has not landed")
def test_the_demo_command_runs_offline(tmp_path: Path) -> None:
    output = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "tidings", "demo", "--output", str(output), "--no-progress"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "tidings.load" in done.stderr
    assert list((output / "warc").glob("*.warc.gz"))


def test_scrapy_users_can_run_one_spider_from_the_repository_root(tmp_path: Path) -> None:
    from tests.crawler.conftest import LOOPBACK
    from tidings.demo.server import DemoServer

    with DemoServer(FIXTURE_SITE) as server:
        sources = write_sources(tmp_path / "sources.toml", server.base_url)
        env = {**os.environ, "TIDINGS_OUTPUT": str(tmp_path / "out")}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "feeds",
                "-a",
                f"sources={sources}",
                "-a",
                "source=harbour",
                *LOOPBACK,
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        paths = {r.path for r in server.requests}
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"/rss.xml", "/atom.xml", "/rdf.xml", "/tech/2026/11/chip-lab.html"} <= paths
    assert not paths & {"/news-sitemap.xml", "/sitemap_index.xml", "/tech/"}  # feeds only
    records = read_warc(tmp_path / "out" / "warc")
    assert any(r.url == f"{server.base_url}/world/2026/11/big5-story.html" for r in records)


def test_a_frontier_without_scrapy_redis_says_what_to_install(
    tmp_path: Path, sources: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "scrapy_redis", None)  # as if the extra were not installed
    result = CliRunner().invoke(
        main, ["crawl", "--sources", str(sources), "-o", str(tmp_path / "out"), "--frontier", "redis://127.0.0.1:9/0"]
    )
    assert result.exit_code == 2  # a missing extra: bad setup, nothing done
    assert result.output.strip().splitlines() == [
        "Error: the Redis frontier needs scrapy-redis: pip install 'tidings[redis]'"
    ]


def test_a_crawl_where_every_fetch_fails_exits_3(tmp_path: Path, sources: Path) -> None:
    result = run_crawl(sources, tmp_path / "out")  # nothing listens at the sources' port
    assert result.returncode == 3, result.stderr
    assert "failures:    connection_refused" in result.stderr
