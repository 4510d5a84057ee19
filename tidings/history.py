"""Record each `tidings clean` / `tidings crawl` as one row of the run history (OUTPUT/runs/)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cleaning import __version__
from cleaning.config import CleaningConfig
from cleaning.storage.runs import append_run
from cleaning.summary import RunSummary

__all__ = ["RunRecorder", "clean", "config_hash", "recording"]

logger = logging.getLogger(__name__)


def config_hash(config: CleaningConfig, *files: Path) -> str:
    """A short SHA-256 of the cleaning settings and the bytes of files (the sources file of a crawl)."""
    digest = hashlib.sha256(json.dumps(dataclasses.asdict(config), sort_keys=True, default=str).encode())
    for path in files:
        with contextlib.suppress(OSError):
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def _cleaning_fields(summary: RunSummary) -> dict[str, Any]:
    return {
        "pages_read": summary.pages,
        "articles": summary.articles,
        "articles_new": summary.inserted,
        "articles_updated": summary.replaced,
        "articles_total": summary.total_articles,
        "duplicates": summary.duplicates,
        "rejects": sum(summary.rejects.values()),
        "rejects_by_reason": dict(summary.rejects),
        "languages": dict(summary.languages),
    }


def _crawl_fields(stats: dict[str, Any]) -> dict[str, Any]:
    def count(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    errors = sum(int(v or 0) for k, v in stats.items() if k.startswith("crawler/fetch_error/"))
    return {
        "fetched": count("downloader/response_count"),
        "not_modified": count("crawler/not_modified"),
        "fetch_errors": errors,
        "robots_skipped": count("crawler/skipped/robots_disallowed"),
        "seen_skipped": count("crawler/skipped/seen"),
    }


@dataclasses.dataclass
class RunRecorder:
    """Collects what a run did; `recording()` writes it as one row when the run ends."""

    command: str
    inputs: list[str]
    sources: list[str]
    config_hash: str
    engine: str = "local"
    worker: str | None = None
    fields: dict[str, Any] = dataclasses.field(default_factory=dict)

    def cleaned(self, summary: RunSummary | None) -> None:
        if summary is not None:
            self.fields.update(_cleaning_fields(summary))

    def crawled(self, stats: dict[str, Any]) -> None:
        self.fields.update(_crawl_fields(stats))


@contextlib.contextmanager
def recording(
    output: Path,
    command: str,
    *,
    inputs: Sequence[Path | str],
    config: CleaningConfig,
    sources: Sequence[str] = (),
    config_files: Sequence[Path] = (),
    engine: str = "local",
    worker: str | None = None,
) -> Iterator[RunRecorder]:
    """Record the run inside the block; a run that raises is recorded as failed, then the error propagates."""
    recorder = RunRecorder(
        command=command,
        inputs=[str(p) for p in inputs],
        sources=list(sources),
        config_hash=config_hash(config, *config_files),
        engine=engine,
        worker=worker,
    )
    started_at = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    status, error = "ok", None
    try:
        yield recorder
    except BaseException as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        row = {
            "run_id": uuid.uuid4().hex,
            "command": command,
            "status": status,
            "error": error,
            "started_at": started_at,
            "ended_at": dt.datetime.now(dt.UTC),
            "seconds": time.perf_counter() - started,
            "inputs": recorder.inputs,
            "sources": recorder.sources,
            "engine": recorder.engine,
            "worker": recorder.worker,
            "tidings_version": __version__,
            "config_hash": recorder.config_hash,
            **recorder.fields,
        }
        try:
            append_run(Path(output), row)
        except OSError as exc:  # the history must never cost the user the run itself
            logger.warning("could not record the run in %s/runs: %s", output, exc)


def clean(
    inputs: Sequence[Path],
    output: Path,
    config: CleaningConfig,
    *,
    source: str | None = None,
    progress: bool = True,
    engine: str = "local",
    scheduler: str | None = None,
    rebuild: bool = False,
) -> RunSummary:
    """`cleaning.pipeline.run` (or, engine "dask", `cleaning.distributed.run_dask`), recorded as a `clean` run.

    With rebuild, the run builds a new dataset from inputs and OUTPUT/warc and swaps it in (cleaning/rebuild.py).
    """

    def build(paths: Sequence[Path], into: Path) -> RunSummary:
        if engine == "dask":
            from cleaning.distributed import run_dask

            return run_dask(paths, into, config, source=source, scheduler=scheduler, progress=progress)
        from cleaning.pipeline import run  # the steps: a Dask client never imports them

        return run(paths, into, config, source=source, progress=progress)

    with recording(output, "clean", inputs=inputs, config=config, engine=engine) as recorder:
        if rebuild:
            from cleaning.rebuild import rebuild as rebuild_output

            summary = rebuild_output(inputs, output, config, build, source=source)
        else:
            summary = build(inputs, output)
        recorder.cleaned(summary)
    return summary
