"""CPU time per page of `tidings clean` (one process) against bare trafilatura.extract, and where it goes.

Usage:
    python -m benchmarks.clean_profile PAGES_DIR [--top 40] [--no-cprofile]

CPU time (time.process_time) is less sensitive than wall-clock time to other processes on a
shared machine. Warm-ups (cleaning/warmup.py and one page) are excluded, as in benchmarks/clean_speed.py. Then
a run with timers on the steps and their costly parts prints CPU ms per page per step (the
timers cost about a microsecond a call), and one run under cProfile prints cumulative ms per
page of the project's and the libraries' functions (cProfile inflates Python-heavy code:
read the shares, not the absolute numbers).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import dataclasses
import functools
import gzip
import importlib
import pstats
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.clean_speed import _pages

_WATCHED = ("/cleaning/", "trafilatura", "htmldate", "dateparser", "justext", "pyarrow", "courlan")

# (module, function, label): the parts of the steps timed on their own, each shown under its step
_PARTS = (
    ("cleaning.extraction.extract", "parse_document", "extract_articles/parse"),
    # the metadata step's page reading, done off the extraction's parse when that is the page's own
    ("cleaning.extraction.extract", "_page_meta", "extract_articles/read_page_meta (shared parse)"),
    ("cleaning.extraction.extract", "page_prose", "extract_articles/prepare tree"),
    ("cleaning.extraction.extract", "prune", "extract_articles/prepare tree"),
    ("cleaning.extraction.extract", "drop_thread_replies", "extract_articles/prepare tree"),
    ("cleaning.extraction.extract", "unwrap_layout_tables", "extract_articles/prepare tree"),
    ("cleaning.extraction.extract", "unmask_paywalled_text", "extract_articles/prepare tree"),
    ("cleaning.extraction.extract", "drop_link_tables", "extract_articles/prepare tree"),
    ("cleaning.extraction.extract", "drop_empty_elements", "extract_articles/prepare tree"),
    ("cleaning.extraction.extract", "classify_page", "extract_articles/classify + links"),
    ("cleaning.extraction.extract", "link_texts", "extract_articles/classify + links"),
    ("cleaning.extraction.extract", "normalize_text", "extract_articles/classify + links"),
    ("cleaning.metadata.normalize", "read_page_meta", "normalize_metadata/read_page_meta"),
    ("cleaning.metadata.normalize", "text_dates", "normalize_metadata/text_dates"),
    ("cleaning.metadata.normalize", "pick_authors", "normalize_metadata/pick_authors"),
    ("cleaning.metadata.normalize", "find_date", "normalize_metadata/htmldate"),
    ("cleaning.pipeline", "finish_shard", "write (finish_shard, commit)"),
    ("cleaning.pipeline", "commit", "write (finish_shard, commit)"),
)


class _Timers:
    """CPU seconds and calls per label, of wrapped functions (nested labels count in their parent too)."""

    def __init__(self) -> None:
        self.seconds: collections.Counter[str] = collections.Counter()
        self.calls: collections.Counter[str] = collections.Counter()

    def wrap(self, label: str | Callable[..., str], function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            name = label(*args, **kwargs) if callable(label) else label
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.process_time() - start
                self.calls[name] += 1

        return timed

    @contextmanager
    def installed(self) -> Iterator[None]:
        import cleaning.extraction.extract as extract
        import cleaning.pipeline as pipeline

        originals: list[tuple[Any, str, Any]] = []

        def patch(module: Any, name: str, value: Any) -> None:
            originals.append((module, name, getattr(module, name)))
            setattr(module, name, value)

        for module_name, name, label in _PARTS:
            module = importlib.import_module(module_name)
            patch(module, name, self.wrap(label, getattr(module, name)))

        def trafilatura_pass(*args: Any, **settings: Any) -> str:
            which = "precision" if settings.get("favor_precision") else "balanced"
            return f"extract_articles/trafilatura {which} pass"

        patch(extract, "_run_trafilatura", self.wrap(trafilatura_pass, extract._run_trafilatura))
        build = pipeline.build_steps

        def timed_steps(config: Any) -> list[tuple[str, Any]]:
            return [(name, self.wrap(name, step)) for name, step in build(config)]

        patch(pipeline, "build_steps", timed_steps)
        try:
            yield
        finally:
            for module, name, value in reversed(originals):
                setattr(module, name, value)


def _step_table(folder: Path, config: Any, pages: int) -> None:
    from cleaning.pipeline import run

    timers = _Timers()
    with timers.installed(), tempfile.TemporaryDirectory() as out:
        start = time.process_time()
        run([folder], Path(out), config, progress=False)
        total = time.process_time() - start
    steps = [name for name in timers.seconds if "/" not in name]
    accounted = sum(timers.seconds[name] for name in steps)
    print("CPU ms per page per step (timed run; parts of a step indented under it):")
    ordered = sorted(steps, key=lambda name: name.startswith("write"))
    for name in ordered:
        print(f"{1000 * timers.seconds[name] / pages:8.2f}  {name}")
        for part in sorted(p for p in timers.seconds if p.startswith(name + "/")):
            calls = timers.calls[part]
            print(f"{1000 * timers.seconds[part] / pages:8.2f}    {part.split('/', 1)[1]} ({calls} calls)")
    print(f"{1000 * (total - accounted) / pages:8.2f}  read inputs, batching, frames (the rest)")
    print(f"{1000 * total / pages:8.2f}  total")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-cprofile", action="store_true", help="only the CPU times and the step table")
    args = parser.parse_args()

    import trafilatura

    from cleaning.config import CleaningConfig
    from cleaning.pipeline import run

    files = _pages(args.folder)
    pages = [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in files]
    config = dataclasses.replace(CleaningConfig(), workers=1)
    trafilatura.extract(pages[0])
    import cleaning.warmup  # noqa: F401  (the one-off loads, as in benchmarks/clean_speed.py)

    with tempfile.TemporaryDirectory() as warm:
        run(files[:1], Path(warm), config, progress=False)
    start = time.process_time()
    for page in pages:
        trafilatura.extract(page)
    bare = time.process_time() - start
    with tempfile.TemporaryDirectory() as out:
        start = time.process_time()
        run([args.folder], Path(out), config, progress=False)
        pipeline = time.process_time() - start
    n = len(pages)
    print(
        f"{args.folder.name}: {n} pages; CPU ms/page: bare trafilatura {1000 * bare / n:.1f}, "
        f"tidings clean {1000 * pipeline / n:.1f}; ratio {bare / pipeline:.2f}x"
    )
    _step_table(args.folder, config, n)
    if args.no_cprofile:
        return
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as out:
        profile.enable()
        run([args.folder], Path(out), config, progress=False)
        profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    rows = [
        (cumulative, file.split("site-packages/")[-1].split(str(Path.cwd()) + "/")[-1], name, calls)
        for (file, _, name), (_, calls, _, cumulative, _) in stats.items()
        if any(part in file for part in _WATCHED)
    ]
    print("under cProfile, cumulative ms/page, calls, function:")
    for cumulative, file, name, calls in sorted(rows, reverse=True)[: args.top]:
        print(f"{1000 * cumulative / n:8.2f} {calls:7d}  {file}:{name}")


if __name__ == "__main__":
    main()
