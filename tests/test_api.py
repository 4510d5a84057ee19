"""The public API in the tidings package: what the README shows a user."""

from __future__ import annotations

import tidings


def test_identify_language_is_public_and_tells_the_chinese_scripts_and_cantonese_apart():
    assert tidings.identify_language("香港數碼港今日宣布推出新平台").language == "zh-Hant"
    assert tidings.identify_language("香港数码港今日宣布推出新平台").language == "zh-Hans"
    assert tidings.identify_language("佢哋今日冇返工").language == "yue"
    guess = tidings.identify_language("Cyberport opens an AI lab for start-ups in Hong Kong")
    assert isinstance(guess, tidings.LanguageGuess)
    assert guess.language == "en"
