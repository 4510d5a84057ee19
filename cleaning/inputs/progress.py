"""Progress of a run over its inputs: files counted first (one walk, no reads), WARC archives by bytes.

On a terminal it is a tqdm bar with a total, a rate and an ETA; when stderr is not a
terminal (cron, CI, a log file) it writes one plain line every 30 s instead of carriage
returns, and nothing at all for a run shorter than a second.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TypeVar

from tqdm import tqdm

from cleaning.inputs.files import display_path, walk_files
from cleaning.inputs.pages import RawPage, ReadReject
from cleaning.inputs.readers import absolute

__all__ = ["InputProgress", "progress_bar"]

_Item = TypeVar("_Item", RawPage, ReadReject, RawPage | ReadReject)
_LINE_INTERVAL = 30.0  # seconds between lines when stderr is not a terminal


class _Lines:
    """A non-terminal stream for tqdm: each refresh becomes one line, no carriage returns."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        line = text.replace("\r", "").strip()
        if line:
            self.stream.write(line + "\n")

    def flush(self) -> None:
        self.stream.flush()


def progress_bar(*, total: int | None, unit: str, enabled: bool, desc: str = "cleaning") -> tqdm:
    """A tqdm bar on stderr: a live bar on a terminal, plain lines every 30 s otherwise."""
    stream = sys.stderr
    terminal = stream.isatty()
    return tqdm(
        desc=desc,
        total=total,
        unit=unit,
        unit_scale=unit == "B",
        delay=1.0,
        file=stream if terminal else _Lines(stream),
        mininterval=0.1 if terminal else _LINE_INTERVAL,
        maxinterval=10.0 if terminal else _LINE_INTERVAL,
        ascii=not terminal,
        disable=not enabled,
    )


def _is_warc(name: str) -> bool:
    return name.lower().removesuffix(".gz").removesuffix(".open").endswith(".warc")


class InputProgress:
    """Counts a run's inputs before it starts and advances a bar as their items are read.

    The unit is bytes when any input is a WARC archive (a record's offset says how far
    into its file the run is), else files.
    """

    def __init__(self, inputs: Sequence[Path], *, enabled: bool) -> None:
        files: list[Path] = []
        for path in map(absolute, inputs):  # as iter_inputs names them
            files.extend(walk_files(path) if path.is_dir() else [path])
        self.order = {display_path(f): i for i, f in enumerate(files)}
        self.by_bytes = any(_is_warc(f.name) for f in files)
        self.sizes = [_size(f) if self.by_bytes else 1 for f in files]
        self.before = [0] * len(files)  # units of the files before each
        for i in range(1, len(files)):
            self.before[i] = self.before[i - 1] + self.sizes[i - 1]
        total = sum(self.sizes)
        self.bar = progress_bar(total=total, unit="B" if self.by_bytes else "file", enabled=enabled)

    def _position(self, origin: str) -> int | None:
        index = self.order.get(origin)
        offset = 0
        if index is None:  # path@offset (a WARC record) or path:line (JSONL, manifest)
            for mark in ("@", ":"):
                name, _, tail = origin.rpartition(mark)
                if tail.isdigit() and name in self.order:
                    index = self.order[name]
                    offset = min(int(tail), self.sizes[index]) if mark == "@" and self.by_bytes else 0
                    break
        if index is None:
            return None
        return self.before[index] + offset

    def track(self, items: Iterable[_Item]) -> Iterator[_Item]:
        """Yield items unchanged, moving the bar to the position of each one's origin."""
        for item in items:
            position = self._position(item.origin)
            if position is not None and position > self.bar.n:
                self.bar.update(position - self.bar.n)
            yield item

    def close(self, *, finished: bool) -> None:
        if finished and self.bar.total and self.bar.n < self.bar.total:
            self.bar.update(self.bar.total - self.bar.n)
        self.bar.close()


def _size(path: Path) -> int:
    try:
        return max(os.stat(path).st_size, 1)
    except OSError:
        return 1
