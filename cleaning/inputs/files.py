"""Find and open input files defensively: regular files only, symlinks resolved once, sizes capped.

Nothing here blocks or grows without bound: a FIFO, device or socket is refused from its
os.stat() before any open (and opened with O_NONBLOCK in case it was swapped in since),
symlink loops are detected, a folder reached twice through symlinks is read once, and
every read (gzip included) stops at a byte cap.
"""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from cleaning.schema import RejectReason

__all__ = [
    "FileProblem",
    "TooLarge",
    "display_path",
    "file_problem",
    "gunzip_capped",
    "open_regular",
    "read_capped",
    "walk_files",
]

_CHUNK = 1 << 16


class TooLarge(ValueError):
    """An input grew past the byte cap when read or decompressed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit:,} bytes after decompression (max_input_bytes)")
        self.limit = limit


@dataclasses.dataclass(frozen=True)
class FileProblem:
    """Why a path cannot be read as a file: the reject reason and a detail for people."""

    reason: RejectReason
    detail: str


def display_path(path: Path | str) -> str:
    """Return path as a printable str: bytes of a non-UTF-8 file name become \\xNN escapes."""
    # os.fsdecode keeps undecodable bytes as lone surrogates, which no Parquet string may hold
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def file_problem(path: Path) -> FileProblem | None:
    """Return why path cannot be read as a regular file (stat only, never open), or None."""
    try:
        info = os.stat(path)  # follows symlinks; the kernel detects loops (ELOOP)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return FileProblem(RejectReason.UNREADABLE, "symlink loop")
        if exc.errno == errno.ENOENT:
            dangling = os.path.islink(path)
            return FileProblem(RejectReason.UNREADABLE, "dangling symlink" if dangling else "no such file or folder")
        return FileProblem(RejectReason.UNREADABLE, f"{type(exc).__name__}: {exc.strerror}")
    if not stat.S_ISREG(info.st_mode):
        return FileProblem(RejectReason.NOT_A_REGULAR_FILE, f"{_kind(info.st_mode)}: only regular files are read")
    if info.st_size == 0:
        return FileProblem(RejectReason.EMPTY_INPUT, "0 bytes")
    return None


def open_regular(path: Path) -> io.BufferedReader:
    """Open path for reading without blocking; raise OSError unless it is (still) a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for a FIFO or device since file_problem()
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(handle: IO[bytes], limit: int) -> bytes:
    """Read handle to its end; raise TooLarge past limit bytes."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """Decompress every gzip member of data; raise TooLarge past limit bytes, zlib.error or EOFError if damaged."""
    out = bytearray()
    rest = data
    while rest:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        chunk = decompressor.decompress(rest, limit + 1 - len(out))
        out += chunk
        while decompressor.unconsumed_tail and len(out) <= limit:
            out += decompressor.decompress(decompressor.unconsumed_tail, limit + 1 - len(out))
        if len(out) > limit:
            raise TooLarge(limit)
        if not decompressor.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        rest = decompressor.unused_data
        if rest and not rest.lstrip(b"\x00"):  # zero padding after the last member
            break
    return bytes(out)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:  # a symlink loop: a path the reader rejects
        return False


def walk_files(root: Path) -> Iterator[Path]:
    """Yield the visible (not dot-named) paths under root, in sorted order, following folder symlinks once.

    Paths are yielded as found, whatever they are (files, FIFOs, dangling links): the
    reader decides what each becomes. A folder already visited (a symlink loop, or two
    links to one folder) is not read again.
    """
    seen: set[tuple[int, int]] = set()

    def visit(folder: Path) -> Iterator[Path]:
        try:
            info = os.stat(folder)
        except OSError:
            return
        key = (info.st_dev, info.st_ino)
        if key in seen:
            return
        seen.add(key)
        try:
            with os.scandir(folder) as entries:
                names = sorted((e.name, _is_folder(e)) for e in entries if not e.name.startswith("."))
        except OSError:
            yield folder  # the reader rejects a folder it is given as a file: it could not be listed
            return
        for name, is_dir in names:
            path = folder / name
            if is_dir:
                yield from visit(path)
            else:
                yield path

    yield from visit(root)
