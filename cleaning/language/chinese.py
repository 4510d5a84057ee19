"""Chinese by characters: Simplified vs Traditional script, and written Cantonese (yue).

Both rules read the whole text and need no model. Measurements: docs/language.md.
"""

from __future__ import annotations

import functools
import re

__all__ = ["chinese_script", "is_cantonese"]


# --- Simplified vs Traditional -------------------------------------------------------


def _char_class(chars: set[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


# CEDICT lists 着 as Simplified-only, but Hong Kong's Traditional standard writes the
# particle 着 too (Taiwan writes 著): it is evidence for neither script.
_HONG_KONG_FORMS = frozenset("着")


@functools.cache
def _script_only_chars() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compile the characters that exist only in Traditional, and only in Simplified, form."""
    # CC-CEDICT's character lists, as shipped by zhon (the tables hanzidentifier uses)
    import zhon.cedict

    simplified, traditional = set(zhon.cedict.simplified), set(zhon.cedict.traditional)
    return _char_class(traditional - simplified), _char_class(simplified - traditional - _HONG_KONG_FORMS)


def chinese_script(text: str, *, default: str) -> tuple[str, bool]:
    """Return ("zh-Hant" or "zh-Hans", tied) by counting script-only characters in text.

    The larger count wins; a tie (often: no distinguishing character at all) returns
    default and tied=True. Measured: no wrong decision on 3,505 labelled texts, 1.8 % ties.
    """
    traditional_only, simplified_only = _script_only_chars()
    traditional = len(traditional_only.findall(text))
    simplified = len(simplified_only.findall(text))
    if traditional > simplified:
        return "zh-Hant", False
    if simplified > traditional:
        return "zh-Hans", False
    return default, True


# --- written Cantonese ----------------------------------------------------------------

# Particles, pronouns and verbs of written Cantonese that Standard Written Chinese does not
# use (the research list), plus common Cantonese words: the copula 係 outside 關係/維係/係數,
# 㗎 吖, and 而家 (now), 呢個 (this), 點解 (why), 邊個 (who), 同埋 (and), 即係 (that is), ...
_YUE_MARKERS = re.compile(
    "[嘅咗喺哋唔冇佢嗰啲咩嘢嚟噉乜搵攞畀啱諗冚嚿揸嘥喎囉嘞啩咋咁睇㗎吖]"
    "|(?<![關聯維干連])係(?!數)|而家|呢[個度啲]|點[解樣]|邊[個度]|同埋|即係|[聽琴噚]日|有冇"
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
