"""Rebuild an output from its inputs: a new dataset built beside the live one, then swapped in by one commit.

`tidings clean [INPUTS...] -o OUT --rebuild` (docs/storage.md, "Rebuild"): the output becomes what
the current config and tidings make of INPUTS plus the WARC files stored in OUT/warc, as a clean
into an empty folder would; rows whose inputs are gone are dropped, and columns a newer schema
added are computed. The new dataset is built in OUT/.tidings/rebuild/KEY (KEY names the command:
inputs, config, source), under OUT's commit lock, so other runs' commits to OUT wait for it
instead of being lost by the swap. Killed, the live dataset is untouched, and the same command
resumes the build where it stopped.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from cleaning.config import CleaningConfig
from cleaning.storage.readme import write_readme
from cleaning.storage.snapshot import PUBLIC_TABLES, Store
from cleaning.summary import RunSummary, run_key

__all__ = ["REBUILD", "rebuild", "rebuild_inputs"]

logger = logging.getLogger(__name__)

REBUILD = "rebuild"  # under OUT/.tidings
_WARC_NAMES = (".warc", ".warc.gz")  # closed files only: a crawl still writing NAME.warc.gz.open cleans it itself

Build = Callable[[Sequence[Path], Path], RunSummary]


def _covers(paths: Sequence[Path], target: Path) -> bool:
    target = target.resolve()
    return any(target == p.resolve() or p.resolve() in target.parents for p in paths)


def rebuild_inputs(inputs: Sequence[Path], output: Path) -> list[Path]:
    """The inputs of a rebuild: inputs, then each WARC file stored in OUTPUT/warc that inputs do not cover."""
    paths = [Path(p) for p in inputs]
    warc = Path(output) / "warc"
    if not warc.is_dir() or _covers(paths, warc):
        return paths
    stored = sorted(p for p in warc.iterdir() if p.is_file() and p.name.endswith(_WARC_NAMES))
    return paths + stored


def _park_legacy(store: Store) -> Path | None:
    """Move a pre-snapshot layout's folders (OUT/articles/part-0.parquet, ...) aside, so the swap can link."""
    found = [
        store.root / name
        for name in (*PUBLIC_TABLES, "index")
        if (store.root / name).is_dir() and not (store.root / name).is_symlink()
    ]
    if not found:
        return None
    parked = store.state / "legacy-replaced"
    shutil.rmtree(parked, ignore_errors=True)
    parked.mkdir(parents=True)
    for path in found:
        path.rename(parked / path.name)
    return parked


def rebuild(
    inputs: Sequence[Path], output: Path, config: CleaningConfig, build: Build, *, source: str | None = None
) -> RunSummary:
    """Rebuild output from inputs (and OUTPUT/warc) with build(inputs, folder), then swap the result in.

    build is a run into an empty folder (cleaning.pipeline.run or cleaning.distributed.run_dask,
    bound to the config); the summary it returns is about the new dataset.
    """
    output = Path(output)
    store = Store(output)
    everything = rebuild_inputs(inputs, output)
    key = run_key(everything, config, source)
    with store.lock():
        home = store.state / REBUILD
        home.mkdir(parents=True, exist_ok=True)
        for other in home.iterdir():  # left by a killed rebuild of another command: it never resumes
            if other.name != key:
                shutil.rmtree(other, ignore_errors=True)
        folder = home / key
        built = Store(folder).current()
        if built is not None and not built.manifest.runs:
            logger.info("the rebuild %s was complete when it stopped; swapping it in", key)
            summary = RunSummary(output=folder)
        else:
            summary = build(everything, folder)
        built = Store(folder).current()
        if built is None:  # no input at all: the rebuilt dataset is empty
            Store(folder).begin().commit()
            built = Store(folder).current()
            assert built is not None
        previous = store.current()
        summary.previous_articles = previous.rows("articles") if previous else 0
        parked = _park_legacy(store)
        txn = store.begin()
        txn.replace_all(built)
        snapshot = txn.commit()
        if parked is not None:
            shutil.rmtree(parked, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    summary.output = output
    summary.total_articles = snapshot.rows("articles")
    summary.rebuilt = True
    write_readme(output)
    logger.info("rebuilt %s from %d input(s) (snapshot %d)", output, len(everything), snapshot.manifest.version)
    return summary
