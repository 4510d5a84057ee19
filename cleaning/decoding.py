"""Decode page bytes to text: HTTP header, BOM, <meta charset>, then detection."""

from __future__ import annotations

import codecs
import re

import pandas as pd

from cleaning.schema import QualityFlag
from cleaning.step import StepResult, reject, require_columns

__all__ = ["decode_bytes", "decode_pages"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_UPGRADES = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "ascii": "utf-8"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return _UPGRADES.get(codec, codec)


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, str, bool]:
    """Return (text, codec name, whether bytes had to be replaced)."""
    candidates = [_codec(declared)]
    if raw.startswith(codecs.BOM_UTF8):
        candidates.insert(0, "utf-8-sig")
    match = _META_CHARSET.search(raw[:4096])
    candidates.append(_codec(match.group(1).decode("ascii", "ignore")) if match else None)
    candidates += ["utf-8", "gb18030"]
    for codec in dict.fromkeys(c for c in candidates if c):
        try:
            return raw.decode(codec), codec, False
        except UnicodeDecodeError:
            continue
    codec = next(c for c in candidates if c)
    return raw.decode(codec, errors="replace"), codec, True


def decode_pages(pages: pd.DataFrame) -> StepResult:
    """Decode each page's bytes.

    Reads:   raw, declared_charset
    Writes:  decoded, encoding, quality_flags (encoding_replaced)
    Rejects: empty_input (no bytes)
    """
    require_columns(pages, "raw", "declared_charset", step="decode_pages")
    empty = pages["raw"].map(len) == 0
    results = [decode_bytes(raw, declared) for raw, declared in zip(pages["raw"][~empty], pages["declared_charset"][~empty], strict=True)]
    kept = pages[~empty].assign(
        decoded=[r[0] for r in results],
        encoding=[r[1] for r in results],
        quality_flags=[[QualityFlag.ENCODING_REPLACED.value] if r[2] else [] for r in results],
    )
    from cleaning.schema import RejectReason, Stage

    return StepResult(kept, reject(pages[empty], Stage.DECODE, RejectReason.EMPTY_INPUT, "0 bytes"))
