"""What a killed crawl leaves behind, and how the next crawl picks it up: no article lost, none fetched twice.

The protocol (docs/crawling.md, "Killed crawls"):

- the archive writes `NAME.warc.gz.open`, and before its first record an empty marker
  `OUTPUT/state/uncleaned/NAME.warc.gz`; the marker goes only once cleaning committed the
  file's pages, so a crawl killed while crawling or cleaning leaves its files marked;
- every record is flushed to the operating system before its URL is marked seen (and the
  seen mark is committed at once), so a URL is seen only when its page is on disk;
- the next crawl, under the crawl lock, closes `.open` files (a record cut short at the end
  is a reject when read), marks seen the URLs of the responses they hold (a kill between
  the flush and the commit of the seen mark), and cleans every marked file with its own.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

__all__ = ["archived_urls", "mark_uncleaned", "recover_open_warcs", "uncleaned_warcs", "unmark_cleaned"]

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"


def _pattern(worker: str | None) -> str:
    # a frontier worker handles only its own files: its worker id ends their names
    return f"*-{worker}.warc.gz" if worker else "*.warc.gz"


def mark_uncleaned(markers: Path, warc: Path) -> None:
    """Leave a marker saying warc holds pages not yet cleaned into the dataset."""
    markers.mkdir(parents=True, exist_ok=True)
    (markers / warc.name).touch()


def unmark_cleaned(markers: Path, warcs: Iterable[Path]) -> None:
    """Drop the markers of warcs: their pages are in the dataset."""
    for warc in warcs:
        (markers / warc.name).unlink(missing_ok=True)


def recover_open_warcs(directory: Path, worker: str | None = None) -> list[Path]:
    """Close WARC files a killed crawl left as `*.warc.gz.open`; return them so they get cleaned.

    Call only under the crawl lock: then no crawl is writing them. A record cut short at
    the end becomes a reject when read, the records before it are kept.
    """
    recovered = []
    for path in sorted(directory.glob(_pattern(worker) + OPEN_SUFFIX)):
        target = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        os.replace(path, target)
        logger.warning("recovered %s, left open by an interrupted crawl", target)
        recovered.append(target)
    return recovered


def uncleaned_warcs(directory: Path, markers: Path, worker: str | None = None) -> list[Path]:
    """Return the closed WARC files under directory still marked as not cleaned, oldest first.

    A marker whose file is gone (killed between the two creations, or deleted by hand) is dropped.
    """
    if not markers.is_dir():
        return []
    found = []
    for marker in sorted(markers.glob(_pattern(worker))):
        warc = directory / marker.name
        if warc.is_file():
            found.append(warc)
        elif not warc.with_name(warc.name + OPEN_SUFFIX).exists():
            marker.unlink(missing_ok=True)
    return found


def archived_urls(path: Path, *, retry_statuses: Collection[int]) -> set[str]:
    """Return the URLs of the final responses archived in path (the ones a crawl marks seen).

    Read as far as the file is whole: a killed crawl's last record may be cut short. A
    redirect (3xx) or a status worth retrying is no final response.
    """
    urls: set[str] = set()
    with open(path, "rb") as handle:
        try:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = int(record.http_headers.get_statuscode() or 0)
                url = record.rec_headers.get_header("WARC-Target-URI")
                if url and not 300 <= status < 400 and status not in retry_statuses and _whole(record):
                    urls.add(url)
        except Exception as exc:  # warcio, gzip and zlib each raise their own types on a cut file
            logger.info("%s ends in a damaged record (%s): read up to it", path, type(exc).__name__)
    return urls


def _whole(record: ArcWarcRecord) -> bool:
    """Say whether the record's block is all there: cleaning rejects a cut one, so it must be fetched again."""
    while record.raw_stream.read(1 << 16):
        pass
    return bool(record.raw_stream.limit == 0)  # warcio's LimitReader counts down what Content-Length promised
