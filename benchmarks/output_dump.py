"""Dump what the per-page steps make of every page of the extraction sets, to diff before and after a change.

Usage:
    python benchmarks/output_dump.py --out DUMP.jsonl [--bench ../shared/bench] [--sets zyte ...]
    diff <(python benchmarks/output_dump.py --out -) before.jsonl

Pages go through clean_pages in batches of config.batch_size, as `tidings clean` sends
them to its workers. Each line is one page: its set, its id and every column of its article
row, or its reject row, as JSON (timestamps as ISO strings). A speed change must leave the
dump byte for byte the same.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.extraction import read_pages
from cleaning.config import CleaningConfig
from cleaning.inputs.readers import PAGE_COLUMNS
from cleaning.pipeline import clean_pages

SETS = ("zyte", "cwced-zh", "trafilatura", "readability", "postlight")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple) or (hasattr(value, "tolist") and not isinstance(value, str | bytes)):
        items = value.tolist() if hasattr(value, "tolist") else value
        return [_plain(v) for v in items] if isinstance(items, list) else _plain(items)
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def dump_set(dataset: Path, config: CleaningConfig) -> list[str]:
    """Return one JSON line per page of dataset, in truth order."""
    pages = read_pages(dataset)
    lines = []
    for start in range(0, len(pages), config.batch_size):
        batch = pages[start : start + config.batch_size]
        frame = pd.DataFrame({c: [getattr(p, c) for p in batch] for c in PAGE_COLUMNS}, dtype=object)
        articles, rejects = clean_pages(frame, config)
        for kind, rows in (("article", articles), ("reject", rejects)):
            for row in rows.to_dict("records"):
                record = {"set": dataset.name, "kind": kind, **{k: _plain(v) for k, v in row.items()}}
                lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
    return sorted(lines, key=lambda line: (json.loads(line)["origin"], line))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="output JSONL, or - for stdout")
    parser.add_argument("--bench", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "bench")
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    args = parser.parse_args()
    config = CleaningConfig()
    lines = [line for name in args.sets for line in dump_set(args.bench / "extraction" / name, config)]
    text = "".join(f"{line}\n" for line in lines)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
