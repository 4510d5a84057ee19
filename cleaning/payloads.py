"""Undo an HTTP Content-Encoding (gzip, deflate, br, zstd) on an archived response body."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable
from types import ModuleType

__all__ = ["decode_content"]

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


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return zlib.decompress(data, -zlib.MAX_WBITS)  # raw deflate: what many servers send instead


def _decoder(encoding: str) -> Callable[[bytes], bytes]:
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress
    if encoding in ("deflate", "x-deflate"):
        return _inflate
    if encoding == "br":
        if _brotli is None:
            raise ValueError("Content-Encoding br needs the brotli package: pip install brotli")
        return _brotli.decompress  # type: ignore[no-any-return]
    if encoding == "zstd":
        if _zstd is None:
            raise ValueError("Content-Encoding zstd needs Python 3.14 or: pip install backports.zstd")
        return _zstd.decompress  # type: ignore[no-any-return]
    raise ValueError(f"Content-Encoding {encoding!r} is not supported")


def decode_content(body: bytes, content_encoding: str | None) -> bytes:
    """Return body with its content codings undone, last applied first; raise ValueError if it cannot be."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    for coding in reversed([c for c in codings if c and c != "identity"]):
        decode = _decoder(coding)
        try:
            body = decode(body)
        except Exception as exc:  # zlib, gzip, brotli and zstd each raise their own types
            # servers sometimes label a plain body as compressed; browsers show it, so do we
            if _LOOKS_UNCOMPRESSED.match(body):
                continue
            raise ValueError(f"{coding} body cannot be decompressed: {type(exc).__name__}: {exc}") from exc
    return body
