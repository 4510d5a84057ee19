"""Streaming runs of real pages: pages/s, peak RSS, commit time; kill -9 and resume.

Usage:
    python -m benchmarks.streaming run --pages 1000 [--slice 2000] [--workers 1] [--kind html|text]
    python -m benchmarks.streaming kill --pages 2000 [--slice 200] [--seed 1] [--extract fast]

Inputs are made from the real pages the project ships (tidings/demo/site and
tests/fixtures, 60-odd pages), one JSON Lines file, each page at its own URL and fetch
time, with small edits that keep it distinct: every third word of its paragraphs replaced
by a word drawn for that page. One page in ten is an edited copy of an earlier one (a
near duplicate). --kind text writes the extracted texts as plain-text pages instead of HTML
(simpler pages). --extract fast replaces trafilatura by a tag stripper (every other step,
dedup and the commits unchanged; menus and footers stay in the text, so pages of one template
are near duplicates and form large clusters), --extract paragraphs by the text of the <p>
elements (clusters as with trafilatura: one page in ten): it measures the streaming loop's memory and commit cost
at 100,000 pages, which full extraction (about 13 pages/s on 2 shared cores) cannot reach
in the time of a benchmark session.

run:  one `pipeline.run` in a fresh process: pages/s over the whole run, peak RSS (ru_maxrss),
      seconds spent in commits (staging excluded) and the number of commits.
kill: an unkilled run, then the same run killed with SIGKILL at a random moment and started
      again; checks the rows are identical and reports how much work was redone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cleaning.inputs.decoding import decode_bytes

ROOT = Path(__file__).resolve().parents[1]


def _templates() -> list[str]:
    pages = sorted((ROOT / "tidings" / "demo" / "site").rglob("*.html")) + sorted(
        (ROOT / "tests" / "fixtures").rglob("*.html")
    )
    # decoded as a run decodes them: read as UTF-8, the Big5, GBK and other legacy pages became
    # U+FFFD soup that _edit cannot edit, every copy exactly equal: 7 clusters holding 11 % of the pages
    return [decode_bytes(p.read_bytes()).text for p in pages]


_TEXT_NODE = re.compile(r">([^<>]+)<")
_SKIPPED = re.compile(r"(<(script|style)[^>]*>.*?</\2>)", re.S | re.I)
_HAN = re.compile(r"[\u3400-\u9fff]")


def _edit(html: str, n: int) -> str:
    """Replace every third word (every third Han character) of the page's text by one drawn for page n.

    Every word 5-gram and character 4-gram of the text changes, so two edited pages of one
    template are not near duplicates; markup, scripts and styles stay as they were.
    """
    rng = random.Random(n)
    words = re.findall(r"[A-Za-z]{3,}", html) or ["news"]
    han = _HAN.findall(html) or ["新"]

    def text(match: re.Match[str]) -> str:
        tokens = match.group(1).split(" ")
        tokens = [rng.choice(words) if i % 3 == 1 and t.isalpha() else t for i, t in enumerate(tokens)]
        edited = " ".join(tokens)
        count = iter(range(len(edited)))
        edited = _HAN.sub(lambda m: rng.choice(han) if next(count) % 3 == 1 else m.group(0), edited)
        return ">" + edited + "<"

    parts = _SKIPPED.split(html)  # text, a skipped element, its tag name, text, ...
    for i in range(0, len(parts), 3):
        parts[i] = _TEXT_NODE.sub(text, parts[i])
    return "".join(p for i, p in enumerate(parts) if i % 3 != 2)


def make_inputs(folder: Path, pages: int, kind: str) -> Path:
    templates = _templates()
    path = folder / "bench.jsonl"
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for n in range(pages):
            base = n - 7 if n % 10 == 9 else n  # a near copy of a page seven before
            html = _edit(templates[base % len(templates)], base)
            if base != n:
                html = html.replace("</p>", f" Updated {n}.</p>", 1)
            row = {
                "url": f"https://bench{n % 16:02d}.example/{n}/{hashlib.sha1(str(n).encode()).hexdigest()[:6]}",
                "fetched_at": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
                "source": f"bench{n % 16:02d}",
            }
            if kind == "html":
                row["html"] = html
            else:
                text = re.sub(r"<[^>]+>", "\n", html)
                row["html"] = (
                    "<html><body><article>"
                    + "".join(f"<p>{line.strip()}</p>" for line in text.splitlines() if len(line.strip()) > 40)
                    + "</article></body></html>"
                )
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


_RUN = r"""
import dataclasses, json, resource, sys, time
from pathlib import Path
from cleaning import pipeline, shards
from cleaning.config import CleaningConfig
spent = [0.0, 0]
real_commit = shards.commit
def timed(*args, **kwargs):
    began = time.perf_counter()
    try:
        return real_commit(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - began
        spent[1] += 1
pipeline.commit = timed
if sys.argv[5] in ("fast", "paragraphs"):  # instead of trafilatura: measures the run loop, not extraction
    import re
    from cleaning.step import StepResult
    def text_of(html):
        if sys.argv[5] == "paragraphs":  # the <p> elements: an article body, as trafilatura would keep
            html = "\n".join(re.findall(r"<p[^>]*>(.*?)</p>", html, re.S))
        return re.sub(r"[ \t]*\n\s*", "\n", re.sub(r"<[^>]+>", "\n", html)).strip()
    def fast_extract(pages, **_):
        texts = [text_of(d) for d in pages["decoded"]]
        return StepResult(pages.assign(text=texts, extracted=[{} for _ in texts],
                                       boilerplate_rules=[[] for _ in texts]), pages.iloc[0:0])
    pipeline.extract_articles = fast_extract
config = dataclasses.replace(CleaningConfig(), slice_pages=int(sys.argv[3]), workers=int(sys.argv[4]))
began = time.perf_counter()
summary = pipeline.run([Path(sys.argv[1])], Path(sys.argv[2]), config, progress=False)
seconds = time.perf_counter() - began
print(json.dumps({"pages": summary.pages, "cleaned": summary.pages - summary.resumed_from,
                  "articles": summary.total_articles, "duplicates": summary.duplicates, "seconds": seconds,
                  "pages_per_second": (summary.pages - summary.resumed_from) / seconds,
                  "commit_seconds": spent[0], "commits": spent[1],
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "workers_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def _start(inputs: Path, out: Path, slice_pages: int, workers: int, extract: str = "full") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, str(inputs), str(out), str(slice_pages), str(workers), extract],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _finish(process: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = process.communicate()
    assert process.returncode == 0, process.returncode
    return json.loads(out.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        inputs = make_inputs(Path(folder) / "in", args.pages, args.kind)
        result = _finish(_start(inputs, Path(folder) / "out", args.slice, args.workers, args.extract))
        print(
            json.dumps(
                {"kind": args.kind, "extract": args.extract, "slice_pages": args.slice, "workers": args.workers}
                | result
            )
        )


def _rows(output: Path) -> list[dict[str, object]]:
    import tidings

    return tidings.load(output).drop(columns=["origin"]).astype(str).to_dict("records")


def kill(args: argparse.Namespace) -> None:
    from cleaning.storage.snapshot import Store

    with tempfile.TemporaryDirectory() as folder:
        inputs = make_inputs(Path(folder) / "in", args.pages, args.kind)
        clean = _finish(_start(inputs, Path(folder) / "clean", args.slice, args.workers, args.extract))
        moment = random.Random(args.seed).uniform(0.1, 0.9) * clean["seconds"]
        out = Path(folder) / "killed"
        process = _start(inputs, out, args.slice, args.workers, args.extract)
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        snapshot = Store(out).current()
        committed = (
            0
            if snapshot is None
            else snapshot.manifest.runs.get(next(iter(snapshot.manifest.runs), ""), {}).get("items", 0)
        )
        rate = clean["pages_per_second"]
        cleaned_before_kill = min(args.pages, rate * moment)  # estimated from the unkilled run's rate
        again = _finish(_start(inputs, out, args.slice, args.workers, args.extract))
        identical = _rows(out) == _rows(Path(folder) / "clean")
        redone = max(0.0, committed + again["cleaned"] - args.pages)  # > 0 only if committed pages were cleaned again
        lost = max(0.0, cleaned_before_kill - committed)  # cleaned, not committed: cleaned again after the kill
        print(
            json.dumps(
                {
                    "pages": args.pages,
                    "slice_pages": args.slice,
                    "extract": args.extract,
                    "killed_after_seconds": moment,
                    "committed_at_kill": committed,
                    "rerun_cleaned": again["cleaned"],
                    "committed_pages_cleaned_again": redone,
                    "uncommitted_work_redone_pages (est.)": lost,
                    "share_of_work_redone (est.)": lost / args.pages,
                    "rows_identical_to_unkilled_run": identical,
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["run", "kill"])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--slice", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--kind", choices=["html", "text"], default="html")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--extract",
        choices=["full", "fast", "paragraphs"],
        default="full",
        help="fast: strip the tags of the whole page instead of trafilatura; paragraphs: keep the <p> texts",
    )
    args = parser.parse_args()
    {"run": run, "kill": kill}[args.mode](args)


if __name__ == "__main__":
    main()
