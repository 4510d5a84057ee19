"""The contract every cleaning step follows: a frame in, StepResult(kept, rejected) out.

A rejected row keeps its columns as they were and gains three: reject_stage,
reject_reason and reject_detail. The runner checks rows_in == kept + rejected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import pandas as pd

from cleaning.errors import SchemaError
from cleaning.schema import RejectReason, Stage

__all__ = ["REJECT_COLUMNS", "StepResult", "add_flags", "reject", "require_columns", "split"]

REJECT_COLUMNS = ("reject_stage", "reject_reason", "reject_detail")


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
    dropped = frame[~mask]
    if not isinstance(detail, str):
        detail = [d for d, k in zip(detail, mask, strict=True) if not k]
    return StepResult(kept=frame[mask], rejected=reject(dropped, stage, reason, detail))


def add_flags(existing: pd.Series, new: Iterable[Iterable[str]]) -> list[list[str]]:
    """Merge per-row flag lists into an existing list column, sorted and unique."""
    return [sorted(set(() if old is None else old) | set(more)) for old, more in zip(existing, new, strict=True)]
