"""Before `tidings clean` or `crawl` imports pandas and the rest: start the server its worker processes fork from.

The server imports and warms the steps (about 3 s of CPU, cleaning/warmup.py) on the other
core while this process imports the CLI (about 0.8 s), instead of after it. Read from the
command line itself, before click parses it: `clean` with --engine dask and no --scheduler
(a LocalCluster), or with -w/--workers above 1; `crawl` unless --no-clean or --seed-only
(its pipelined cleaning always has a worker process; with --no-pipeline, -w above 1).
Anything else, and anything unclear, leaves the start to the run (cleaning.pipeline.run,
cleaning.distributed.run_dask, tidings/pipelined.py), as before.
"""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = ["start_workers_early"]


# multiprocessing runs the main script again in every process it starts (as __mp_main__): here the
# `tidings` script, which imports this CLI. Imported by the server too, the CLI is already there in
# each worker forked from it: 12 instead of 55 ms of CPU per worker before its first task (-w 2)
_MAIN_IMPORTS = ["tidings.cli"]


def start_workers_early(argv: list[str]) -> None:
    """If argv is a `tidings clean` that will fork worker processes, start their server now (never raises)."""
    preload = preload_for(argv)
    if preload:
        from cleaning.workers import start_forkserver

        with contextlib.suppress(Exception):  # the run starts it itself
            start_forkserver([*preload, *_MAIN_IMPORTS])


def preload_for(argv: list[str]) -> list[str] | None:
    """What the workers' server of the command argv preloads, or None: no workers, or not sure."""
    from cleaning.workers import DASK_PRELOAD, STEPS_PRELOAD

    if not argv or os.path.basename(argv[0]) not in ("tidings", "-m"):  # `python -m tidings` reads "-m" here
        return None
    words = [arg for arg in argv[1:] if not arg.startswith("-")][:1]
    if words not in (["clean"], ["crawl"]):
        return None
    args = argv[argv.index(words[0]) + 1 :]
    options = _options(args)
    workers = options.get("workers", "1")
    if words == ["crawl"]:
        flags = set(args[: args.index("--")] if "--" in args else args)
        if flags & {"--no-clean", "--seed-only"}:
            return None
        if "--no-pipeline" not in flags:
            return STEPS_PRELOAD
    if options.get("engine") == "dask":
        return None if "scheduler" in options else DASK_PRELOAD
    return STEPS_PRELOAD if workers.isdigit() and int(workers) > 1 else None


_NAMES = {"-w": "workers", "--workers": "workers", "--engine": "engine", "--scheduler": "scheduler"}


def _options(args: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for n, arg in enumerate(args):
        if arg == "--":
            break
        name, equals, value = arg.partition("=")
        if arg.startswith("-w") and len(arg) > 2 and not equals:  # -w2
            name, equals, value = "-w", "=", arg[2:]
        if name in _NAMES:
            found[_NAMES[name]] = value if equals else (args[n + 1] if n + 1 < len(args) else "")
    return found


start_workers_early(sys.argv)  # on import: tidings/__init__ imports this module before pandas
