"""printable_detail: what a reject detail becomes."""

from __future__ import annotations

import hypothesis
import hypothesis.strategies as st

from cleaning import step
from cleaning.step import MAX_DETAIL_CHARS, printable_detail


def _escaped_one_by_one(text: str) -> str:
    clean = "".join(step._printable(c) for c in text[:MAX_DETAIL_CHARS])
    if len(clean) <= MAX_DETAIL_CHARS and len(text) <= MAX_DETAIL_CHARS:
        return clean
    return clean[: MAX_DETAIL_CHARS - 40] + f"... (cut: {len(text):,} characters in all)"


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(st.text(max_size=60) | st.text(min_size=990, max_size=1010, alphabet="ab\x00\n"))
@hypothesis.example("HTTP 404 Not Found")
@hypothesis.example("a\u3000b\u00a0c\u2028d\u200be\ud800f\U000e0001")  # separators, format, surrogate, tag
@hypothesis.example("x" * MAX_DETAIL_CHARS)
@hypothesis.example("x" * (MAX_DETAIL_CHARS + 1))
def test_a_printable_detail_passes_whole_and_others_are_escaped_character_by_character(text: str) -> None:
    assert printable_detail(text) == _escaped_one_by_one(text)


def test_no_detail_is_none_and_bytes_are_decoded() -> None:
    assert printable_detail(None) is None
    assert printable_detail(float("nan")) is None
    assert printable_detail(b"bad \xff\x00") == "bad \\xff\\x00"
