"""What a run did (RunSummary) and the key that names its command (run_key): light, for the client side.

A Dask client (and the scheduler a LocalCluster runs in the same process) plans shards,
commits signatures and ids, and reports; it never runs a per-page step. This module, like
everything the client imports, imports no step (trafilatura, lxml, the language models):
tests/cleaning/test_distributed.py checks that a Dask run leaves them out of the client.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cleaning import __version__
from cleaning.config import CleaningConfig

if TYPE_CHECKING:
    from cleaning.shards import CommitStats

__all__ = ["RunSummary", "run_key"]


@dataclasses.dataclass
class RunSummary:
    """What one run read, wrote and rejected."""

    output: Path
    pages: int = 0
    resumed_from: int = 0  # inputs committed by an earlier, killed run of the same command (not read again)
    articles: int = 0  # articles this run produced
    inserted: int = 0
    replaced: int = 0  # stored articles this run changed
    unchanged: int = 0  # stored articles this run made again exactly as they were
    kept_existing: int = 0
    removed: int = 0  # stored articles removed: their input, cleaned again, gave no article (or another id)
    total_articles: int = 0  # rows in the dataset after the run
    duplicates: int = 0  # of this run's articles, how many point at another row
    rebuilt: bool = False  # the run rebuilt the output (cleaning/rebuild.py) and replaced its dataset
    previous_articles: int = 0  # with rebuilt: rows of the dataset it replaced
    rejects: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    languages: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    seconds: float = 0.0

    def add(self, pages: int, articles: int, stats: CommitStats) -> None:
        """Count one commit: the pages and articles of its shards, and what the commit did."""
        self.pages += pages
        self.articles += articles
        self.inserted += stats.inserted
        self.replaced += stats.replaced
        self.unchanged += stats.unchanged
        self.kept_existing += stats.kept_existing
        self.removed += stats.removed
        self.duplicates += stats.duplicates
        self.total_articles = stats.total
        self.rejects.update(stats.rejects)
        self.languages.update(stats.languages)

    @property
    def produced_nothing(self) -> bool:
        """The run read its inputs (or found none) and made no article: every input was rejected."""
        if self.rebuilt:
            return self.total_articles == 0
        return self.articles == 0 and self.kept_existing == 0 and self.pages >= self.resumed_from

    def lines(self) -> list[str]:
        """Render the summary as the lines the CLI prints."""
        rate = (self.pages - self.resumed_from) / self.seconds if self.seconds else 0.0
        out = [
            f"pages read:  {self.pages} in {self.seconds:.1f}s ({rate:.1f} pages/s)",
            *(
                [f"resumed:     after {self.resumed_from} inputs an interrupted run had committed"]
                if self.resumed_from
                else []
            ),
            f"articles:    {self.articles} ({self.inserted} new, {self.replaced} updated, {self.unchanged} unchanged, "
            f"{self.kept_existing} older than the stored copy); "
            + (f"{self.removed} removed (their pages are now rejected); " if self.removed else "")
            + f"{self.total_articles} in the dataset",
            f"duplicates:  {self.duplicates} of this run's articles point at a canonical row",
        ]
        if self.rejects:
            reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(self.rejects.items()))
            out.append(f"rejects:     {sum(self.rejects.values())} ({reasons})")
        else:
            out.append("rejects:     0")
        if self.languages:
            out.append("languages:   " + ", ".join(f"{lang} {n}" for lang, n in self.languages.most_common()))
        if self.rebuilt:
            out.append(f"rebuilt:     replaced the previous dataset ({self.previous_articles} articles) in one commit")
        out.append(f"output:      {self.output}")
        return out


def run_key(inputs: Sequence[Path], config: CleaningConfig, source: str | None) -> str:
    """Name a run by its command: the inputs (paths, sizes, modification times), source and settings.

    A run started again with the same key resumes after its last committed slice.
    """
    digest = hashlib.sha1(f"{__version__}|{source}|{config!r}".encode())
    for path in map(Path, inputs):
        digest.update(os.fsencode(path.resolve()))
        if path.is_dir():  # os.walk never follows links: no loop, same files as the readers see
            files = sorted(Path(top, name) for top, _, names in os.walk(path) for name in names)
        else:
            files = [path]
        for file in files:
            with contextlib.suppress(OSError):
                stat = file.stat()
                digest.update(os.fsencode(file) + f"|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
