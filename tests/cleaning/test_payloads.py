"""Content-Encoding removal for archived HTTP bodies."""

from __future__ import annotations

import gzip
import io
import random
import zlib

import pytest

from cleaning.inputs.payloads import GunzipStream, decode_content

brotli = pytest.importorskip("brotli")

BODY = "<html><body><p>數碼港 Cyberport</p></body></html>".encode()


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoded", "coding"),
    [
        (BODY, None),
        (BODY, ""),
        (BODY, "identity"),
        (gzip.compress(BODY), "gzip"),
        (gzip.compress(BODY), "X-GZIP"),
        (gzip.compress(BODY[:10]) + gzip.compress(BODY[10:]), "gzip"),  # two gzip members
        (zlib.compress(BODY), "deflate"),
        (raw_deflate(BODY), "deflate"),
        (brotli.compress(BODY), "br"),
        (brotli.compress(gzip.compress(BODY)), "gzip, br"),  # applied in order: undone last first
        (BODY, "gzip"),  # a plain body labelled gzip by the server
    ],
)
def test_decode_content(encoded: bytes, coding: str | None) -> None:
    assert decode_content(encoded, coding) == BODY


def test_zstd() -> None:
    zstd = pytest.importorskip("backports.zstd")
    assert decode_content(zstd.compress(BODY), "zstd") == BODY


@pytest.mark.parametrize(
    ("encoded", "coding", "message"),
    [
        (gzip.compress(BODY)[:-12], "gzip", "gzip body cannot be decompressed"),  # cut short
        (b"\x00\x01\x02", "br", "br body cannot be decompressed"),
        (BODY, "compress", "Content-Encoding 'compress' is not supported"),
    ],
)
def test_undecodable_bodies_raise_value_error(encoded: bytes, coding: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode_content(encoded, coding)


@pytest.mark.parametrize("size", [1, 7, 65_536, -1])
def test_gunzip_stream_reads_members_and_notes_a_cut(size: int) -> None:
    data = random.Random(0).randbytes(256_000)  # incompressible: the cut lands in the second member
    whole = gzip.compress(data[:100_000]) + gzip.compress(data[100_000:])
    stream = GunzipStream(io.BytesIO(whole))
    out = b"".join(iter(lambda: stream.read(size), b"")) if size > 0 else stream.read(size)
    assert out == data
    assert (stream.tell(), stream.cut) == (len(data), False)
    cut = GunzipStream(io.BytesIO(whole[:-5000]))
    partial = cut.read()
    assert data.startswith(partial)
    assert 100_000 < len(partial) < len(data)
    assert cut.cut
