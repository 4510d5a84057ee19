"""Every per-page step keeps the contract in docs/design.md: documented, typed columns, no lost rows."""

from __future__ import annotations

import inspect
import re

import pytest

from cleaning.config import CleaningConfig
from cleaning.inputs.readers import RawPage, iter_inputs
from cleaning.pipeline import _pages_frame, build_steps
from tests.conftest import SEEDS

STEPS = build_steps(CleaningConfig())


def _function(step):
    return getattr(step, "func", step)


def _declared(step, section: str) -> set[str]:
    doc = inspect.getdoc(_function(step)) or ""
    match = re.search(rf"^{section}:\s*(.*?)(?=^\S+:|\Z)", doc, re.M | re.S)
    assert match, f"the docstring of {_function(step).__name__} needs a '{section}:' section"
    text = re.sub(r"\([^)]*\)", "", match.group(1))
    return {word for word in re.split(r"[,\s]+", text) if re.fullmatch(r"[a-z_]+", word)} - {"nothing"}


@pytest.mark.parametrize(("name", "step"), STEPS, ids=[name for name, _ in STEPS])
def test_step_is_documented(name, step):
    function = _function(step)
    assert function.__name__ == name, "build_steps names each step after its function"
    for section in ("Reads", "Writes", "Rejects"):
        _declared(step, section)
    keyword_only = [p for p in inspect.signature(function).parameters.values() if p.kind is p.KEYWORD_ONLY]
    assert all(p.default is p.empty for p in keyword_only), "settings come from CleaningConfig, not hidden defaults"


def test_steps_write_what_they_declare_and_keep_every_row():
    pages = [p for p in iter_inputs([SEEDS]) if isinstance(p, RawPage)]
    frame = _pages_frame(pages)
    for name, step in STEPS:
        reads = _declared(step, "Reads")
        missing = reads - set(frame.columns)
        assert not missing, f"{name} reads {missing}, which no earlier step writes"
        result = step(frame)
        assert len(result.kept) + len(result.rejected) == len(frame), f"{name} lost rows"
        written = _declared(step, "Writes")
        assert written <= set(result.kept.columns), (
            f"{name} declares {written - set(result.kept.columns)} but does not write them"
        )
        if len(result.rejected):
            assert {"reject_stage", "reject_reason", "reject_detail"} <= set(result.rejected.columns)
        frame = result.kept
    assert len(frame) == 3, "all three seeds survive the per-page steps"
