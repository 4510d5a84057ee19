"""Chinese by characters: Simplified vs Traditional script, and written Cantonese (yue).

Both rules read the whole text and need no model. Measurements: docs/language.md.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import numpy.typing as npt

__all__ = ["chinese_script", "is_cantonese"]


# --- Simplified vs Traditional -------------------------------------------------------


# CEDICT lists 着 as Simplified-only, but Hong Kong's Traditional standard writes the
# particle 着 too (Taiwan writes 著): it is evidence for neither script.
_HONG_KONG_FORMS = frozenset("着")
_NEITHER, _TRADITIONAL_ONLY, _SIMPLIFIED_ONLY = 0, 1, 2
_MAX_CODEPOINT = 0x110000


@functools.cache
def _script_only_chars() -> tuple[frozenset[str], frozenset[str]]:
    """The characters that exist only in Traditional, and only in Simplified, form."""
    # CC-CEDICT's character lists, as shipped by zhon (the tables hanzidentifier uses)
    import zhon.cedict

    simplified, traditional = set(zhon.cedict.simplified), set(zhon.cedict.traditional)
    return frozenset(traditional - simplified), frozenset(simplified - traditional - _HONG_KONG_FORMS)


@functools.cache
def _script_only_table() -> npt.NDArray[np.uint8]:
    """Per code point: _TRADITIONAL_ONLY, _SIMPLIFIED_ONLY or _NEITHER (built once per process, ~1 ms)."""
    table = np.zeros(_MAX_CODEPOINT, dtype=np.uint8)
    traditional, simplified = _script_only_chars()
    table[[ord(c) for c in traditional]] = _TRADITIONAL_ONLY
    table[[ord(c) for c in simplified]] = _SIMPLIFIED_ONLY
    return table


def chinese_script(text: str, *, default: str) -> tuple[str, bool]:
    """Return ("zh-Hant" or "zh-Hans", tied) by counting script-only characters in text.

    The larger count wins; a tie (often: no distinguishing character at all) returns
    default and tied=True. Measured: no wrong decision on 3,505 labelled texts, 1.8 % ties.
    """
    # one table lookup per character (a regex scan per script cost 0.13 ms on a Chinese article)
    codepoints = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    counts = np.bincount(_script_only_table().take(codepoints), minlength=3)
    traditional, simplified = int(counts[_TRADITIONAL_ONLY]), int(counts[_SIMPLIFIED_ONLY])
    if traditional > simplified:
        return "zh-Hant", False
    if simplified > traditional:
        return "zh-Hans", False
    return default, True


# --- written Cantonese ----------------------------------------------------------------

# Particles, pronouns and verbs of written Cantonese that Standard Written Chinese does not
# use (the research list), plus common Cantonese words: the copula 係 outside 關係/維係/係數,
# 㗎 吖, and 而家 (now), 呢個 (this), 點解 (why), 邊個 (who), 同埋 (and), 即係 (that is), ...
_YUE_CHARS = "嘅咗喺哋唔冇佢嗰啲咩嘢嚟噉乜搵攞畀啱諗冚嚿揸嘥喎囉嘞啩咋咁睇㗎吖"  # markers of one character
# Every alternative starts with a literal character (not a class, not a lookbehind): the regex
# engine then skips to the positions holding one of those first characters, instead of trying
# every alternative at every position (0.15 -> 0.02 ms on a Chinese article; the same matches).
_YUE_MARKERS = re.compile(
    "|".join(_YUE_CHARS)
    + "|係(?<![關聯維干連]係)(?!數)|而家|呢[個度啲]|點[解樣]|邊[個度]|同埋|即係|聽日|琴日|噚日|有冇"
)
# A long Standard Chinese article may quote a few words of Cantonese speech; written
# Cantonese has about one marker per ten Han characters, so one per hundred is a safe floor.
_YUE_MIN_DENSITY = 1 / 100
_YUE_SHORT_HAN = 20


def is_cantonese(text: str, *, han: int) -> bool:
    """Tell written Cantonese by its marker words: two (one per 100 Han), or one in under 20 Han.

    Positive evidence only: Cantonese headlines without a Cantonese-only word stay Chinese.
    Measured on 1,698 Cantonese and 4,145 other Chinese texts: recall 80 %, 2 false positives.
    """
    markers = len(_YUE_MARKERS.findall(text))
    if markers == 1:
        return han < _YUE_SHORT_HAN
    return markers >= 2 and markers >= han * _YUE_MIN_DENSITY
