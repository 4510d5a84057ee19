"""Time near-duplicate detection and measure the memory of incremental runs on synthetic documents.

Usage:
    taskset -c 0 python benchmarks/dedup.py speed [--docs 10000] [--indexed 20000] [--script latin|han]
    python benchmarks/dedup.py memory [--docs 100000] [--runs 10] [--script latin|han] [--dataset]

speed:  signatures + band hashes + index lookup (mark_duplicates against an index already
        holding --indexed documents) for --docs new documents of 3,000 characters; median of 3.
memory: --docs documents in --runs incremental runs, each reading the index from Parquet,
        marking a batch and writing the index back; with --dataset also reading the stored
        articles and upserting the batch into a real articles dataset, as pipeline.run does.
Documents are random Zipf-distributed words (or Han characters); a quarter are edited copies.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cleaning import __version__
from cleaning.config import CleaningConfig, DedupConfig
from cleaning.duplicates.dedup import mark_duplicates
from cleaning.duplicates.index import DedupIndex, usable_index
from cleaning.duplicates.minhash import band_hashes, signatures
from cleaning.shards import commit, finish_shard
from cleaning.storage.dataset import DatasetPaths, read_dedup_index, write_dedup_index
from cleaning.storage.snapshot import Store

CHARS = 3000


class Corpus:
    """Deterministic synthetic documents: Zipf words or Han characters, a quarter edited copies."""

    def __init__(self, script: str, seed: int = 0) -> None:
        # NumPy draws: a batch leaves no heap of small Python objects behind to inflate peak RSS
        self.rng = np.random.default_rng(seed)
        self.script = script
        if script == "han":
            self.vocabulary = np.array([chr(c) for c in range(0x4E00, 0x4E00 + 4000)])
        else:
            letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
            self.vocabulary = np.array(
                ["".join(self.rng.choice(letters, self.rng.integers(2, 11))) for _ in range(30000)]
            )
        weights = 1 / np.arange(1, len(self.vocabulary) + 1)
        self.weights = weights / weights.sum()
        self.recent: list[str] = []

    def _draw(self, count: int) -> list[str]:
        return self.vocabulary[self.rng.choice(len(self.vocabulary), count, p=self.weights)].tolist()

    def _fresh(self) -> str:
        if self.script == "han":
            text = "".join(self._draw(CHARS))
            return "\n".join(text[i : i + 300] + "。" for i in range(0, CHARS, 300))[:CHARS]
        return " ".join(self._draw(CHARS // 5))[:CHARS]

    def _copy(self) -> str:
        original = self.recent[self.rng.integers(len(self.recent))]
        words = original.split(" ") if self.script != "han" else list(original)
        edits = max(1, len(words) // 50)
        for position, word in zip(self.rng.integers(len(words), size=edits), self._draw(edits), strict=True):
            words[position] = word
        return (" " if self.script != "han" else "").join(words)

    def batch(self, count: int, start: int) -> pd.DataFrame:
        texts = []
        for _ in range(count):
            text = self._copy() if self.recent and self.rng.random() < 0.25 else self._fresh()
            self.recent = [*self.recent, text][-200:]
            texts.append(text)
        return pd.DataFrame(
            {
                "id": [f"{start + i:016x}" for i in range(count)],
                "text": texts,
                "published_at": pd.to_datetime(
                    [f"2025-05-{day:02d}" for day in self.rng.integers(1, 29, size=count)], utc=True
                ),
            }
        )


def _mark(articles: pd.DataFrame, index: DedupIndex, config: DedupConfig) -> tuple[pd.DataFrame, DedupIndex]:
    stored = pd.DataFrame({"id": index.docs["id"], "duplicate_of": None}, dtype=object)
    marked, _, index = mark_duplicates(articles, index=index, stored=stored, restored=[], config=config)
    return marked, index


def speed(args: argparse.Namespace) -> None:
    config = DedupConfig()
    corpus = Corpus(args.script)
    _, index = _mark(corpus.batch(args.indexed, 0), DedupIndex.empty(config), config)
    new = corpus.batch(args.docs, args.indexed)
    texts = new["text"].tolist()
    # wall and CPU seconds: on a shared machine the CPU figure is the one to compare
    sig_times: list[tuple[float, float]] = []
    mark_times: list[tuple[float, float]] = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        sig = signatures(
            texts,
            num_perm=config.num_perm,
            word_ngram=config.word_ngram,
            char_ngram=config.char_ngram,
            seed=config.seed,
        )
        band_hashes(sig, bands=config.bands, rows=config.rows, seed=config.seed)
        sig_times.append((time.perf_counter() - wall, time.process_time() - cpu))
        wall, cpu = time.perf_counter(), time.process_time()
        marked, _ = _mark(new, index, config)
        mark_times.append((time.perf_counter() - wall, time.process_time() - cpu))
    duplicates = int(marked["duplicate_of"].notna().sum())
    print(f"script={args.script} new docs={args.docs} x {CHARS} chars, index holds {args.indexed}")
    for label, times in (
        ("signatures + band hashes", sig_times),
        ("mark_duplicates (content hash, signatures, index lookup, clusters)", mark_times),
    ):
        wall_rate = args.docs / statistics.median(t[0] for t in times)
        cpu_rate = args.docs / statistics.median(t[1] for t in times)
        print(f"{label}: {wall_rate:,.0f} docs/s wall, {cpu_rate:,.0f} docs/s CPU (median of 3)")
    print(f"{duplicates} of {args.docs} new documents marked as duplicates")


def _article_rows(batch: pd.DataFrame) -> pd.DataFrame:
    """Give synthetic texts every column of the articles schema, as the per-page steps would."""
    count = len(batch)
    empty = [[] for _ in range(count)]
    return batch.assign(
        url=[f"https://example.org/{i}" for i in batch["id"]],
        source="bench",
        site_name=None,
        title="Synthetic",
        authors=empty,
        editors=empty,
        published_precision="day",
        published_source="meta",
        modified_at=pd.NaT,
        language="en",
        language_confidence=1.0,
        secondary_script_share=0.0,
        text_chars=batch["text"].str.len(),
        description=None,
        categories=empty,
        tags=empty,
        image_url=None,
        quality_flags=empty,
        boilerplate_rules=empty,
        encoding="utf-8",
        fetched_at=pd.Timestamp("2025-06-01", tz="UTC"),
        origin=[f"bench/{i}" for i in batch["id"]],
        tidings_version=__version__,
    )


def memory(args: argparse.Namespace) -> None:
    config = DedupConfig()
    corpus = Corpus(args.script)
    per_run = args.docs // args.runs
    with tempfile.TemporaryDirectory() as folder:
        paths = DatasetPaths(Path(folder))
        directory = paths.index
        for run in range(args.runs):
            articles = corpus.batch(per_run, run * per_run)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the synthetic texts' share
            start = time.perf_counter()
            if args.dataset:  # as pipeline.run commits a slice: staged files, then commit() into snapshots
                settings = CleaningConfig(dedup=config)
                shard = finish_shard(
                    _article_rows(articles), pd.DataFrame(), Path(folder) / "stage", settings, pages=len(articles)
                )
                stats = commit(paths.root, [shard], settings)
                indexed, marked_count = stats.total, stats.duplicates
                snapshot = Store(paths.root).current()
                assert snapshot is not None
                size = sum(p.stat().st_size for p in snapshot.paths("index/docs") + snapshot.paths("index/bands"))
            else:
                index = usable_index(read_dedup_index(directory), config)
                marked, index = _mark(articles, index, config)
                write_dedup_index(directory, index)
                indexed, marked_count = len(index.docs), int(marked["duplicate_of"].notna().sum())
                size = sum(p.stat().st_size for p in directory.rglob("*.parquet"))
                del marked, index
            print(
                f"run {run + 1}: {indexed:,} indexed, {marked_count:,} "
                f"marked, {time.perf_counter() - start:.1f} s, index {size / 2**20:.1f} MiB, "
                f"peak RSS {before:.0f} MiB with the batch generated, "
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB after the run"
            )
            del articles
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["speed", "memory"])
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--indexed", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--script", choices=["latin", "han"], default="latin")
    parser.add_argument("--dataset", action="store_true", help="memory: also upsert into a real articles dataset")
    args = parser.parse_args()
    if args.docs is None:
        args.docs = 10000 if args.mode == "speed" else 100000
    speed(args) if args.mode == "speed" else memory(args)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
