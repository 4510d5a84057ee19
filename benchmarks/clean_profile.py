"""CPU time per page of `tidings clean` (one process) against bare trafilatura.extract, and where it goes.

Usage:
    python benchmarks/clean_profile.py PAGES_DIR [--top 40]

CPU time (time.process_time) is less sensitive than wall-clock time to other processes on a
shared machine. Warm-ups (one page each) are excluded, as in benchmarks/clean_speed.py. Then
one run under cProfile prints cumulative ms per page of the project's and the libraries'
functions (cProfile inflates Python-heavy code: read the shares, not the absolute numbers).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gzip
import pstats
import tempfile
import time
from pathlib import Path

from benchmarks.clean_speed import _pages

_WATCHED = ("/cleaning/", "trafilatura", "htmldate", "dateparser", "justext", "pyarrow", "courlan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    import trafilatura

    from cleaning.config import CleaningConfig
    from cleaning.pipeline import run

    files = _pages(args.folder)
    pages = [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in files]
    config = dataclasses.replace(CleaningConfig(), workers=1)
    trafilatura.extract(pages[0])
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
