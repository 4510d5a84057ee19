"""Measure reading and decoding speed, and peak memory, on a WARC built from a folder of pages.

Usage:
    python benchmarks/readers.py PAGES_DIR [--copies 20] [--runs 3]

PAGES_DIR holds <id>.html or <id>.html.gz pages (e.g. shared/bench/extraction/cwced-zh).
Every page is written `--copies` times into one temporary .warc.gz as a gzip-encoded HTTP
response with a hints record after it, then read back with iter_inputs and decoded with
decode_bytes. Prints medians over `--runs`.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaning.inputs.decoding import decode_bytes
from cleaning.inputs.readers import RawPage, iter_inputs
from cleaning.inputs.warc import HINTS_TYPE


def build_warc(pages: list[bytes], path: Path, copies: int) -> int:
    """Write the pages into path; return the number of response records."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for copy in range(copies):
            for number, body in enumerate(pages):
                url = f"https://bench.example/{copy}/{number}"
                payload = gzip.compress(body, compresslevel=1)
                http = StatusAndHeaders(
                    "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], protocol="HTTP/1.1"
                )
                writer.write_record(
                    writer.create_warc_record(
                        url, "response", payload=io.BytesIO(payload), length=len(payload), http_headers=http
                    )
                )
                hints = json.dumps({"title": f"page {number}", "source": "bench"}).encode()
                writer.write_record(
                    writer.create_warc_record(
                        url, "metadata", payload=io.BytesIO(hints), length=len(hints), warc_content_type=HINTS_TYPE
                    )
                )
    return copies * len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    pages = [
        gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
        for p in sorted(args.pages.iterdir())
        if p.name.endswith((".html", ".html.gz"))
    ]
    with tempfile.TemporaryDirectory() as folder:
        warc = Path(folder) / "bench.warc.gz"
        records = build_warc(pages, warc, args.copies)
        megabytes = sum(map(len, pages)) * args.copies / 1e6
        read_times, decode_times = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            items = [i for i in iter_inputs([warc]) if isinstance(i, RawPage)]
            read_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            for item in items:
                decode_bytes(item.raw, item.declared_charset, media_type=item.media_type)
            decode_times.append(time.perf_counter() - start)
            assert len(items) == records, f"read {len(items)} of {records} pages"
            del items
    read_s, decode_s = statistics.median(read_times), statistics.median(decode_times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.pages.name}: {records} pages, {megabytes:.0f} MB of HTML in {warc.name}", file=sys.stderr)
    print(
        f"read (2 passes, gunzip, hints): {records / read_s:.0f} pages/s, {megabytes / read_s:.1f} MB/s",
        file=sys.stderr,
    )
    print(
        f"decode:                         {records / decode_s:.0f} pages/s, {megabytes / decode_s:.1f} MB/s",
        file=sys.stderr,
    )
    print(f"peak RSS {peak_mb:.0f} MB (the pages list read back is held in memory by this script)", file=sys.stderr)


if __name__ == "__main__":
    main()
