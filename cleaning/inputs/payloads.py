"""Undo compression: an HTTP Content-Encoding on a response body, gzip on a whole archive."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from types import ModuleType
from typing import BinaryIO

from cleaning.inputs.files import TooLarge, gunzip_capped

__all__ = ["GunzipStream", "decode_content"]

_LOOKS_UNCOMPRESSED = re.compile(rb"\A\s*(?:<|\xef\xbb\xbf)")


def _optional(*names: str) -> ModuleType | None:
    for name in names:
        try:
            return __import__(name, fromlist=["decompress"])
        except ImportError:
            continue
    return None


_brotli = _optional("brotli", "brotlicffi")
_zstd = _optional("compression.zstd", "backports.zstd")  # the standard library from Python 3.14


_NO_LIMIT = 1 << 62


def _zlib_capped(data: bytes, wbits: int, limit: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = bytearray(decompressor.decompress(data, limit + 1))
    while decompressor.unconsumed_tail and len(out) <= limit:
        out += decompressor.decompress(decompressor.unconsumed_tail, limit + 1 - len(out))
    if len(out) > limit:
        raise TooLarge(limit)
    return bytes(out)


def _inflate(data: bytes, limit: int) -> bytes:
    try:
        return _zlib_capped(data, zlib.MAX_WBITS, limit)
    except zlib.error:
        return _zlib_capped(data, -zlib.MAX_WBITS, limit)  # raw deflate: what many servers send instead


def _whole(decompress: Callable[[bytes], bytes]) -> Callable[[bytes, int], bytes]:
    # brotlicffi and brotli before 1.2 have no output limit: their output is checked afterwards
    def capped(data: bytes, limit: int) -> bytes:
        out = decompress(data)
        if len(out) > limit:
            raise TooLarge(limit)
        return out

    return capped


def _brotli_capped(data: bytes, limit: int) -> bytes:
    assert _brotli is not None
    decompressor = _brotli.Decompressor()
    try:
        out = bytearray(decompressor.process(data, output_buffer_limit=limit + 1))
    except TypeError:  # no output_buffer_limit in this brotli
        return _whole(_brotli.decompress)(data, limit)
    while len(out) <= limit and not decompressor.is_finished():
        more = decompressor.process(b"", output_buffer_limit=limit + 1 - len(out))
        if not more:
            raise ValueError("brotli stream is cut short")
        out += more
    if len(out) > limit:
        raise TooLarge(limit)
    return bytes(out)


def _zstd_capped(data: bytes, limit: int) -> bytes:
    assert _zstd is not None
    out = bytearray()
    while data:  # one decompressor per frame: a body may hold several
        decompressor = _zstd.ZstdDecompressor()
        out += decompressor.decompress(data, max_length=limit + 1 - len(out))
        while not decompressor.eof and not decompressor.needs_input and len(out) <= limit:
            out += decompressor.decompress(b"", max_length=limit + 1 - len(out))
        if len(out) > limit:
            raise TooLarge(limit)
        if not decompressor.eof:
            raise ValueError("zstd frame is cut short")
        data = decompressor.unused_data
    return bytes(out)


def _decoder(encoding: str) -> Callable[[bytes, int], bytes]:
    if encoding in ("gzip", "x-gzip"):
        return gunzip_capped
    if encoding in ("deflate", "x-deflate"):
        return _inflate
    if encoding == "br":
        if _brotli is None:
            raise ValueError("Content-Encoding br needs the brotli package: pip install brotli")
        return _brotli_capped
    if encoding == "zstd":
        if _zstd is None:
            raise ValueError("Content-Encoding zstd needs Python 3.14 or: pip install backports.zstd")
        return _zstd_capped
    raise ValueError(f"Content-Encoding {encoding!r} is not supported")


def decode_content(body: bytes, content_encoding: str | None, *, max_bytes: int = _NO_LIMIT) -> bytes:
    """Return body with its content codings undone, last applied first.

    Raise ValueError if it cannot be, TooLarge (a ValueError) past max_bytes decompressed.
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    for coding in reversed([c for c in codings if c and c != "identity"]):
        decode = _decoder(coding)
        try:
            body = decode(body, max_bytes)
        except TooLarge:
            raise
        except Exception as exc:  # zlib, gzip, brotli and zstd each raise their own types
            # servers sometimes label a plain body as compressed; browsers show it, so do we
            if _LOOKS_UNCOMPRESSED.match(body):
                continue
            raise ValueError(f"{coding} body cannot be decompressed: {type(exc).__name__}: {exc}") from exc
    return body


class GunzipStream:
    """A gzip file read as one stream that ends quietly where the file is cut, and says so."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._buffer = b""
        self._position = 0
        self._fed = False  # the current gzip member has received bytes
        self.cut = False

    def _fill(self) -> bool:
        chunk = self._raw.read(65_536)
        if not chunk:
            self.cut = self._fed and not self._decompressor.eof
            return False
        self._fed = True
        data = self._decompressor.decompress(chunk)
        while self._decompressor.eof and self._decompressor.unused_data:  # the next gzip member
            rest = self._decompressor.unused_data
            self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            data += self._decompressor.decompress(rest)
        self._buffer += data
        return True

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._buffer) < size) and self._fill():
            pass
        size = len(self._buffer) if size < 0 else size
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        self._position += len(data)
        return data

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._raw.close()
