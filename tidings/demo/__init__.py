"""The bundled demo: a sample news site served on 127.0.0.1, crawled and cleaned with the real spiders."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from cleaning.config import CleaningConfig
from cleaning.errors import ConfigError
from cleaning.storage.dataset import DatasetPaths
from tidings.crawl import CrawlSummary, crawl
from tidings.demo.server import MARKER, DemoServer

__all__ = ["LOOPBACK_SETTINGS", "check_demo_output", "run_demo"]

DEMO_DIR = Path(__file__).parent
PORT_FILE = "demo-port"

# Politeness is for other people's servers: on our own loopback server the demo need not wait.
LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "TIDINGS_RETRY_BACKOFF_BASE": 0.1,
}


def _server(site: Path, state: Path) -> DemoServer:
    """Serve site on the last demo run's port when it is free: URLs stay the same, and re-runs are incremental."""
    with contextlib.suppress(OSError, ValueError):
        port = int((state / PORT_FILE).read_text().strip())
        return DemoServer(site, port=port)
    return DemoServer(site)


def check_demo_output(output: Path) -> None:
    """Refuse an output that holds a dataset the demo did not write: its fictional rows would mix into real data."""
    paths = DatasetPaths(Path(output))
    wrote_before = (paths.state / "demo-sources.toml").is_file()
    holds_data = any(os.path.lexists(p) for p in (paths.articles, paths.rejects, paths.warc))
    if holds_data and not wrote_before:
        raise ConfigError(
            f"{output} holds a dataset the demo did not write; the demo's fictional rows would mix into it: "
            "give the demo its own --output (default: demo-output)"
        )


def run_demo(
    output: Path,
    *,
    site: Path = DEMO_DIR / "site",
    sources_template: Path = DEMO_DIR / "sources.toml",
    config: CleaningConfig | None = None,
    progress: bool = True,
) -> tuple[CrawlSummary, str]:
    """Serve site on 127.0.0.1, crawl it as sources_template says, clean into output; return (summary, base URL)."""
    if not site.is_dir() or not sources_template.is_file():
        raise ConfigError(f"the demo site is missing ({site}, {sources_template}): reinstall tidings")
    state = DatasetPaths(Path(output)).state
    state.mkdir(parents=True, exist_ok=True)
    with _server(site, state) as server:
        (state / PORT_FILE).write_text(f"{server.port}\n")
        sources = state / "demo-sources.toml"
        sources.write_bytes(sources_template.read_bytes().replace(MARKER, server.base_url.encode("ascii")))
        summary = crawl(
            sources, Path(output), config or CleaningConfig(), settings=LOOPBACK_SETTINGS, progress=progress
        )
    return summary, server.base_url
