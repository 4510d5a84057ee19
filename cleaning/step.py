"""The contract every cleaning step follows: a frame in, StepResult(kept, rejected) out.

A rejected row keeps its columns as they were and gains three: reject_stage,
reject_reason and reject_detail. The runner checks rows_in == kept + rejected.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable, Sequence

import pandas as pd

from cleaning.errors import SchemaError
from cleaning.schema import RejectReason, Stage

__all__ = [
    "MAX_DETAIL_CHARS",
    "REJECT_COLUMNS",
    "StepResult",
    "add_flags",
    "printable_detail",
    "reject",
    "require_columns",
    "split",
]

REJECT_COLUMNS = ("reject_stage", "reject_reason", "reject_detail")
MAX_DETAIL_CHARS = 1000  # a reject detail is a message (a status line, an exception, two frames), not a payload
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})  # controls, format, surrogates, unassigned


@dataclasses.dataclass(frozen=True)
class StepResult:
    """What a step returns: the rows that go on, and the rows it rejected with their reason."""

    kept: pd.DataFrame
    rejected: pd.DataFrame


def require_columns(frame: pd.DataFrame, *columns: str, step: str = "") -> None:
    """Raise SchemaError naming the step and the columns it needs but did not get."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        where = f"step {step!r}" if step else "this step"
        raise SchemaError(
            f"{where} reads columns {missing} that the frame does not have "
            f"(it has {list(frame.columns)}); run the steps that write them first"
        )


def _printable(char: str) -> str:
    if char == "\n" or unicodedata.category(char) not in _UNPRINTABLE:
        return char
    if char == "\t":
        return " "
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_detail(detail: object) -> str | None:
    """Return a reject detail as bounded, printable text: other characters escaped (\\x00), at most MAX_DETAIL_CHARS.

    Details quote what the input held (a status line, a content type, an exception about its
    bytes); a binary input must not put raw bytes, terminal escapes or NULs into the dataset.
    """
    if detail is None or (isinstance(detail, float) and detail != detail):  # None or NaN: no detail
        return None
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "backslashreplace")
    text = str(detail)
    # str.isprintable is False for every category escaped here (and for \n and spaces but " "): the
    # usual detail passes whole, without a call per character
    if len(text) <= MAX_DETAIL_CHARS and text.isprintable():
        return text
    clean = "".join(_printable(c) for c in text[:MAX_DETAIL_CHARS])
    if len(clean) <= MAX_DETAIL_CHARS and len(text) <= MAX_DETAIL_CHARS:
        return clean
    return clean[: MAX_DETAIL_CHARS - 40] + f"... (cut: {len(text):,} characters in all)"


def reject(frame: pd.DataFrame, stage: Stage, reason: RejectReason, detail: str | Sequence[str] = "") -> pd.DataFrame:
    """Return frame with the reject columns set (one detail for all rows, or one per row)."""
    details = [detail] * len(frame) if isinstance(detail, str) else list(detail)
    return frame.assign(reject_stage=str(stage), reject_reason=str(reason), reject_detail=details)


def split(
    frame: pd.DataFrame,
    keep: pd.Series | Sequence[bool],
    *,
    stage: Stage,
    reason: RejectReason,
    detail: str | Sequence[str] = "",
) -> StepResult:
    """Split frame into kept rows and rejected rows carrying one reason."""
    mask = pd.Series(keep, index=frame.index, dtype=bool)
    if mask.all():  # the usual case, without the half millisecond of indexing and reject columns on no rows
        return StepResult(kept=frame, rejected=frame.iloc[0:0])
    dropped = frame[~mask]
    if not isinstance(detail, str):
        detail = [d for d, k in zip(detail, mask, strict=True) if not k]
    return StepResult(kept=frame[mask], rejected=reject(dropped, stage, reason, detail))


def add_flags(existing: pd.Series, new: Iterable[Iterable[str]]) -> list[list[str]]:
    """Merge per-row flag lists into an existing list column, sorted and unique."""
    return [sorted(set(() if old is None else old) | set(more)) for old, more in zip(existing, new, strict=True)]
