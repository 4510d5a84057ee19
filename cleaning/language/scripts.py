"""Unicode-script evidence for language identification.

Counts letters per script, and finds where a second script sits in a text (whole lines
or sentences: a mixed document; a short run inside a sentence: injected keywords).
Measurements behind the rules: docs/language.md.
"""

from __future__ import annotations

import dataclasses
import functools
import re

__all__ = [
    "CJK_WEIGHT",
    "ForeignPlacement",
    "ScriptProfile",
    "foreign_placement",
    "is_foreign_passage",
    "script_profile",
]

# Character ranges. Katakana's middle dot U+30FB is left out of kana on purpose: Chinese
# text uses it between the parts of foreign names (維克托・迈尔), and it must not make Chinese "ja".
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANA = "\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_BOPOMOFO = "\u3100-\u312f\u31a0-\u31bf"
_CJK = _HAN + _KANA + _HANGUL + _BOPOMOFO

# Scripts other than CJK and Latin, for the rare documents that mix, say, Russian and English.
_ALPHABETS = {
    "latin": "A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff",
    "cyrillic": "\u0400-\u052f",
    "greek": "\u0370-\u03ff\u1f00-\u1fff",
    "arabic": "\u0600-\u06ff\u0750-\u077f",
    "hebrew": "\u0590-\u05ff",
    "devanagari": "\u0900-\u097f",
    "thai": "\u0e00-\u0e7f",
}
_SCRIPT_CLASSES = {"cjk": _CJK, **_ALPHABETS}

_LETTER = re.compile(r"[^\W\d_]")
_HAN_RE = re.compile(f"[{_HAN}]")
_KANA_RE = re.compile(f"[{_KANA}]")
_HANGUL_RE = re.compile(f"[{_HANGUL}]")
_CJK_RE = re.compile(f"[{_CJK}]")
_SCRIPT_RES = {name: re.compile(f"[{chars}]") for name, chars in _ALPHABETS.items()}

# One CJK character carries about as much as one word of an alphabetic script, about five
# letters; weighing by it is what keeps "impact 香港AI on" English and "HKAI LAB" Chinese.
CJK_WEIGHT = 5


@dataclasses.dataclass(frozen=True)
class ScriptProfile:
    """Letter counts of one text by script."""

    letters: int
    han: int
    kana: int
    hangul: int
    by_script: dict[str, int]  # "cjk", "latin", "cyrillic", ..., "other"

    @property
    def cjk(self) -> int:
        """Han, kana, Hangul and bopomofo letters together."""
        return self.by_script.get("cjk", 0)

    def weight(self, script: str) -> int:
        """Letters of script, CJK counted as words (see CJK_WEIGHT)."""
        count = self.by_script.get(script, 0)
        return count * CJK_WEIGHT if script == "cjk" else count

    @property
    def main_script(self) -> str | None:
        """The script that carries most of the text, or None when there are no letters."""
        if not self.letters:
            return None
        # sorted first: ties go to the same script in every run
        return max(sorted(self.by_script), key=self.weight)

    def secondary_share(self, main: str | None = None) -> float:
        """Share of letters in the largest script other than main (default: main_script)."""
        main = main or self.main_script
        others = [n for script, n in self.by_script.items() if script != main]
        return max(others, default=0) / self.letters if self.letters else 0.0


_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DROP_ASCII_LETTERS = str.maketrans("", "", _ASCII_LETTERS)
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def _count(pattern: re.Pattern[str], text: str) -> int:
    # the matches findall would list, counted without building the list of one-letter strings
    return pattern.subn("", text)[1]


def script_profile(text: str) -> ScriptProfile:
    """Count the letters of text by script."""
    # Speed: counting by deletion avoids building a list of every letter, and most of an
    # English text is ASCII, so only its few other characters go through the regexes.
    ascii_letters = len(text) - len(text.translate(_DROP_ASCII_LETTERS))
    if text.isascii():
        return ScriptProfile(ascii_letters, 0, 0, 0, {"latin": ascii_letters} if ascii_letters else {})
    rest = _ASCII_RUNS.sub("", text)
    letters = ascii_letters + _count(_LETTER, rest)
    cjk = _count(_CJK_RE, rest)
    han = kana = hangul = 0
    if cjk:
        han = _count(_HAN_RE, rest)
        kana = _count(_KANA_RE, rest)
        hangul = _count(_HANGUL_RE, rest)
    by_script = {"cjk": cjk} if cjk else {}
    remaining = letters - cjk
    if remaining:
        latin = ascii_letters + _count(_SCRIPT_RES["latin"], rest)
        if latin:
            by_script["latin"] = latin
        remaining -= latin
        # only texts with letters outside CJK and Latin pay for the other scans
        for name, pattern in _SCRIPT_RES.items():
            if remaining <= 0:
                break
            if name != "latin" and (count := _count(pattern, rest)):
                by_script[name] = count
                remaining -= count
        if remaining > 0:
            by_script["other"] = remaining
    return ScriptProfile(letters=letters, han=han, kana=kana, hangul=hangul, by_script=by_script)


# --- where a second script sits ----------------------------------------------------

# A line in the second script with at least this much is a passage, not a stray word.
_LINE_MIN_CJK = 4
_LINE_MIN_WORDS = 4
# A run inside a line this long is a sentence of its own (mixed), never an injected keyword.
_SENTENCE_MIN_CJK = 10
_SENTENCE_MIN_WORDS = 12
_CJK_STOPS = "。！？"
_LATIN_STOPS = ".!?"
# anchored at a word's start: unanchored, the scan retried every position of a long run without
# spaces (a Chinese line) and took 40 ms a page; the matches are the same whole words either way
_ADDRESS = re.compile(r"(?<!\S)(?:\S*(?:://|www\.)\S*|\S+@\S+\.\S+)")
_CASED = frozenset({"latin", "cyrillic", "greek"})
_PROSE_MIN_LOWER = 0.25


@dataclasses.dataclass(frozen=True)
class ForeignPlacement:
    """How the second script sits in a text: as passages (mixed) and/or injected runs."""

    mixed: bool = False
    injected_spans: tuple[tuple[int, int], ...] = ()


@functools.cache
def _run_pattern(script: str) -> re.Pattern[str]:
    chars = _SCRIPT_CLASSES[script]
    if script == "cjk":
        # digits, CJK punctuation, full-width forms and spaces do not end a CJK run
        return re.compile(f"[{chars}](?:[{chars}0-9\u3000-\u303f\uff00-\uffef\u30fb \t]*[{chars}])?")
    return re.compile(f"[{chars}]+(?:[ \t'\u2019,;:0-9-]+[{chars}]+)*")


def _belongs(char: str, script: str) -> bool:
    if script == "other":
        return char.isalpha()
    return re.match(f"[{_SCRIPT_CLASSES[script]}]", char) is not None


def _size(run: str, script: str) -> int:
    """CJK characters, or words of an alphabetic script."""
    if script == "cjk":
        return _count(_CJK_RE, run)
    return len(re.findall(f"[{_SCRIPT_CLASSES[script]}]+", run))


def _reads_as_prose(run: str, script: str) -> bool:
    """Tell a sentence from a run of names: prose has lowercase function words ("of", "le")."""
    if script not in _CASED:
        return True
    words: list[str] = re.findall(f"[{_SCRIPT_CLASSES[script]}]+", run)
    lower = sum(word[0].islower() for word in words)
    # a Title Case headline still has "of", "in", "as"; a list of names or a book title barely any
    return lower >= 2 and lower >= _PROSE_MIN_LOWER * len(words)


def _is_passage(line: str, script: str) -> bool:
    if script == "cjk":
        return _size(line, script) >= _LINE_MIN_CJK
    return _size(line, script) >= _LINE_MIN_WORDS and _reads_as_prose(line, script)


def is_foreign_passage(line: str, main: str | None) -> bool:
    """Tell whether line is a passage (not a name or two) in a script other than main."""
    script = script_profile(line).main_script
    return script is not None and main is not None and script not in (main, "other") and _is_passage(line, script)


def _is_sentence(line: str, start: int, end: int, script: str) -> bool:
    size = _size(line[start:end], script)
    if script != "cjk" and not _reads_as_prose(line[start:end], script):
        return False
    after = line[end:].lstrip(" \t\"'\u201d\u300d\u300f)")
    if script == "cjk":
        return size >= _SENTENCE_MIN_CJK or (size >= _LINE_MIN_CJK and after[:1] in tuple(_CJK_STOPS))
    return size >= _SENTENCE_MIN_WORDS or (size >= 6 and after[:1] in tuple(_LATIN_STOPS))


def _mid_sentence(line: str, start: int, end: int, main: str) -> tuple[int, int] | None:
    """Return the keyword's span if the run sits between two words of the main script."""
    # Latin letters and digits glued to the run are part of the keyword ("香港AI")
    while start > 0 and line[start - 1].isascii() and line[start - 1].isalnum():
        start -= 1
    while end < len(line) and line[end].isascii() and line[end].isalnum():
        end += 1
    before = line[:start].rstrip(" \t")
    after = line[end:].lstrip(" \t")
    # punctuation on either side means a gloss, a quote or a list: "(Chinese: 元朝)", "「香港」"
    if not before or not after:
        return None
    if not (before[-1].isdigit() or _belongs(before[-1], main)) or not _belongs(after[0], main):
        return None
    return start, end


def foreign_placement(text: str, profile: ScriptProfile, *, main: str | None = None) -> ForeignPlacement:
    """Find whole lines or sentences in a second script, and short runs injected mid-sentence.

    main is the script of the text's language when known (a Chinese sentence full of
    English names is still Chinese), else the script with the most letters. Latin runs
    inside other scripts are never injected keywords: brand names and acronyms ("HKAI LAB")
    are ordinary in Chinese, Japanese or Russian text.
    """
    main = main or profile.main_script
    foreign = [s for s in sorted(profile.by_script) if s not in (main, "other")]
    if main is None or not foreign:
        return ForeignPlacement()
    mixed = False
    spans: list[tuple[int, int]] = []
    offset = 0
    # the words of a link or an e-mail address are no passage in any language; blanked to
    # the same length so that spans stay offsets into text
    lines = _ADDRESS.sub(lambda m: " " * len(m.group()), text).split("\n")
    # a one-line text (a title, a sentence) has no other lines to be foreign to
    several = sum(bool(line.strip()) for line in lines) > 1
    for line in lines:
        line_profile = script_profile(line) if line.strip() else None
        if line_profile is not None:
            for script in foreign:
                if not line_profile.by_script.get(script):
                    continue
                if several and line_profile.main_script == script:
                    mixed = mixed or _is_passage(line, script)
                    continue
                for run in _run_pattern(script).finditer(line):
                    if _is_sentence(line, run.start(), run.end(), script):
                        mixed = True
                    elif script != "latin" and (span := _mid_sentence(line, run.start(), run.end(), main)):
                        spans.append((offset + span[0], offset + span[1]))
        offset += len(line) + 1
    return ForeignPlacement(mixed=mixed, injected_spans=tuple(spans))
