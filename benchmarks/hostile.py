"""Hostile input at scale: 10,000 generated files through `tidings clean`; crashes, vanished inputs, peak RSS, time.

Usage:
    python -m benchmarks.hostile [--files 10000] [--workers 1] [--repeat 3] [--cap corpus|default]

The corpus is tests/fixtures/hostile.py's (random bytes named .html, truncated and binary
pages, gzip and JSON Lines bombs, broken and garbage WARCs, bad JSON Lines, YAML alias
bombs, deep and broken front matter, empty files, control characters, a FIFO, a link to
/dev/zero, dangling and looping links, a socket, a name that is not UTF-8, a linked folder),
plus bombs against the default cap: gzip pages and JSON Lines that inflate to 64 MiB, and
WARC responses sent with `Content-Encoding: gzip`, `br` or `zstd` that inflate to 256 MiB.

--cap corpus cleans with max_input_bytes at the corpus's BOMB_LIMIT (1 MiB), so every small
bomb is one and each labelled file must get its reason ("wrong" counts those that did not);
--cap default uses the shipped 32 MiB cap (the small bombs are then pages of one letter).

Each run is one `tidings clean` subprocess, as a user runs it. Reported per run and as
medians: exit code (a crash is non-zero), inputs that vanished (neither an article nor a
reject), internal_error rejects (a step that raised, contained to its page), peak RSS (the
kernel's high-water mark of the largest process, and the largest sum over the process
tree sampled every 0.1 s), wall time and files per second.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaning.config import CleaningConfig  # noqa: E402  (after the path is set)
from cleaning.inputs.files import display_path  # noqa: E402
from cleaning.storage.dataset import load_rejects  # noqa: E402
from tests.fixtures.hostile import BOMB_LIMIT, Hostile, build_corpus, outcomes  # noqa: E402

MIB = 1 << 20


def _inflating(size: int) -> bytes:
    """A gzip stream of size zero bytes, compressed a MiB at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(MIB)
    return b"".join(packer.compress(chunk) for _ in range(size // MIB)) + packer.flush()


def _big_bombs(folder: Path) -> list[Hostile]:
    """Bombs against the default cap (CleaningConfig.max_input_bytes, 32 MiB)."""
    folder.mkdir()
    made = []
    page = _inflating(64 * MIB)
    for n in range(6):
        path = folder / f"page-bomb-{n}.html.gz"
        path.write_bytes(page)
        made.append(Hostile(path, "big_gzip_bomb", "too_large"))
    line = json.dumps({"url": "https://example.com/bomb", "html": "x" * (64 * MIB)}).encode()
    for n in range(2):
        path = folder / f"lines-bomb-{n}.jsonl.gz"
        path.write_bytes(gzip.compress(line, 9))
        made.append(Hostile(path, "big_jsonl_bomb", "too_large"))
    import brotli
    from backports import zstd

    bodies = {"gzip": _inflating(256 * MIB), "br": brotli.compress(bytes(256 * MIB), quality=5)}
    bodies["zstd"] = zstd.compress(bytes(256 * MIB))
    for n in range(6):
        encoding = ["gzip", "br", "zstd"][n % 3]
        body = bodies[encoding]
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True)
        headers = [("Content-Type", "text/html"), ("Content-Encoding", encoding)]
        writer.write_record(
            writer.create_warc_record(
                f"https://example.com/encoded-bomb-{n}",
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            )
        )
        path = folder / f"encoded-bomb-{n}.warc.gz"
        path.write_bytes(buffer.getvalue())
        made.append(Hostile(path, "content_encoding_bomb", "too_large"))
    return made


class _Sampler(threading.Thread):
    """Sample the RSS of a process tree from /proc every 0.1 s; keep each process's high-water mark."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.stopped = threading.Event()
        self.peak_tree = 0
        self.hwm: dict[int, int] = {}

    def _tree(self) -> list[int]:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, frontier = {self.pid}, {self.pid}
        while frontier:
            frontier = {child for child, parent in parents.items() if parent in frontier} - tree
            tree |= frontier
        return sorted(tree)

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            total = 0
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                rss = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
                hwm = int(fields.get("VmHWM", "0 kB").split()[0]) * 1024
                total += rss
                self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
            self.peak_tree = max(self.peak_tree, total)


def _clean(inputs: Path, output: Path, config: Path, workers: int) -> dict[str, object]:
    command = [sys.executable, "-m", "tidings", "clean", str(inputs), "-o", str(output)]
    command += ["-w", str(workers), "--no-progress", "--config", str(config)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = _Sampler(process.pid)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    return {
        "exit_code": process.returncode,
        "seconds": seconds,
        "peak_rss_mib": max(sampler.hwm.values(), default=0) / MIB,
        "peak_tree_rss_mib": sampler.peak_tree / MIB,
        "stderr_tail": stderr.strip().splitlines()[-1:] if process.returncode else [],
    }


def _outcome(made: list[Hostile], output: Path) -> dict[str, object]:
    if not (output / "rejects").exists():
        return {"vanished": len(made), "wrong": None, "internal_errors": None}
    found = outcomes(output)
    vanished = [m for m in made if display_path(m.path) not in found]
    wrong = [m for m in made if m.expect and found.get(display_path(m.path)) != {m.expect}]
    rejects = load_rejects(output)
    return {
        "vanished": len(vanished),
        "vanished_kinds": dict(collections.Counter(m.kind for m in vanished)),
        "wrong": len(wrong),
        "wrong_kinds": dict(collections.Counter(m.kind for m in wrong)),
        "internal_errors": int((rejects["reason"] == "internal_error").sum()),
        "rejects_by_reason": dict(collections.Counter(rejects["reason"]).most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cap", choices=["corpus", "default"], default="corpus")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    cap = BOMB_LIMIT if args.cap == "corpus" else CleaningConfig.max_input_bytes
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "in"
        made = build_corpus(inputs, args.files, seed=args.seed)
        made += _big_bombs(inputs / "big")
        config = Path(folder) / "cleaning.toml"
        config.write_text(f"[cleaning]\nmax_input_bytes = {cap}\n", encoding="utf-8")
        print(
            json.dumps(
                {"inputs": len(made), "cap_bytes": cap, "workers": args.workers, "kinds": len({m.kind for m in made})}
            ),
            flush=True,
        )
        runs = []
        for n in range(args.repeat):
            output = Path(folder) / f"out-{n}"
            result = _clean(inputs, output, config, args.workers) | _outcome(made, output)
            result["files_per_second"] = len(made) / float(result["seconds"])  # type: ignore[arg-type]
            print(json.dumps(result), flush=True)
            runs.append(result)
        summary = {
            key: statistics.median(float(r[key]) for r in runs)  # type: ignore[arg-type]
            for key in ("seconds", "files_per_second", "peak_rss_mib", "peak_tree_rss_mib", "vanished")
        }
        summary["crashed_runs"] = sum(1 for r in runs if r["exit_code"] != 0)
        print(json.dumps({"median_of": len(runs), **summary}), flush=True)


if __name__ == "__main__":
    main()
