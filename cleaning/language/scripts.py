"""Unicode-script evidence for language identification.

Counts letters per script, and finds where a second script sits in a text (whole lines
or sentences: a mixed document; a short run inside a sentence: injected keywords).
Measurements behind the rules: docs/language.md.
"""

from __future__ import annotations

import dataclasses
import functools
import re

import numpy as np

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


_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _count(pattern: re.Pattern[str], text: str) -> int:
    # the matches findall would list, counted without building the list of one-letter strings
    return pattern.subn("", text)[1]


# --- counting by table ---------------------------------------------------------------
# Speed: a regex scan per script cost about 1.3 ms on a Chinese page, and foreign_placement
# scanned every line again. Instead each character is looked up once, in a table of the
# Basic Multilingual Plane made from the same patterns, and np.bincount counts the codes:
# code = 2 * class + (1 if a letter). Classes: 0 none, then _CLASS_RES in order. The few
# characters beyond the BMP (astral Han, emoji) go through the patterns themselves.
_BOPOMOFO_RE = re.compile(f"[{_BOPOMOFO}]")
_CLASS_RES = (_HAN_RE, _KANA_RE, _HANGUL_RE, _BOPOMOFO_RE, *_SCRIPT_RES.values())
_HAN_CLASS, _KANA_CLASS, _HANGUL_CLASS, _BOPOMOFO_CLASS = 1, 2, 3, 4
_ALPHABET_CLASSES = {name: 5 + i for i, name in enumerate(_SCRIPT_RES)}
_CODES = 2 * (len(_CLASS_RES) + 1)
_BMP = 0x10000


def _code(char: str) -> int:
    """The table code of one character, from the patterns (what _bmp_table holds for the BMP)."""
    classes = [n for n, pattern in enumerate(_CLASS_RES, start=1) if pattern.fullmatch(char)]
    return 2 * (classes[0] if classes else 0) + (_LETTER.fullmatch(char) is not None)


@functools.cache
def _bmp_table() -> np.ndarray:
    """The code of every BMP character (about 30 ms, once per process)."""
    chars = "".join(map(chr, range(_BMP)))
    codepoints = np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), dtype="<u4")

    def matches(pattern: re.Pattern[str]) -> np.ndarray:
        # a pattern of one character: the characters sub replaces are the ones it matches
        marked = np.frombuffer(pattern.sub("\x00", chars).encode("utf-32-le", "surrogatepass"), dtype="<u4")
        hits = marked != codepoints
        hits[0] = pattern.fullmatch("\x00") is not None
        return hits

    table = np.zeros(_BMP, dtype=np.uint8)
    for number, pattern in enumerate(_CLASS_RES, start=1):
        hits = matches(pattern)
        if table[hits].any():
            raise ValueError(f"script ranges overlap: {pattern.pattern} shares characters with another script")
        table[hits] = 2 * number
    table[matches(_LETTER)] += 1
    return table


def _code_counts(text: str, *, by_line: bool = False) -> list[list[int]]:
    """Count the codes in text: one row of _CODES counts, or one per line of text."""
    codepoints = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    codes = _bmp_table()[np.minimum(codepoints, _BMP - 1)].astype(np.intp)
    for i in np.flatnonzero(codepoints >= _BMP).tolist():  # beyond the BMP, 0xFFFF (code 0) stood in
        codes[i] = _code(text[i])
    rows = 1
    if by_line:
        line = np.cumsum(codepoints == 10)  # a newline has code 0: it may count in either line
        rows = int(line[-1]) + 1 if len(line) else 1
        codes += line * _CODES
    counts: np.ndarray = np.bincount(codes, minlength=rows * _CODES)
    return counts.reshape(rows, _CODES).tolist()  # type: ignore[no-any-return]


def _profile(counts: list[int]) -> ScriptProfile:
    """The profile of one row of _code_counts."""

    def of(number: int) -> int:
        return counts[2 * number] + counts[2 * number + 1]

    letters = sum(counts[1::2])
    han, kana, hangul = of(_HAN_CLASS), of(_KANA_CLASS), of(_HANGUL_CLASS)
    cjk = han + kana + hangul + of(_BOPOMOFO_CLASS)
    if not cjk:
        han = kana = hangul = 0
    by_script = {"cjk": cjk} if cjk else {}
    remaining = letters - cjk
    if remaining:
        latin = of(_ALPHABET_CLASSES["latin"])
        if latin:
            by_script["latin"] = latin
        remaining -= latin
        # the same order and early stop as a scan per script had: the same dict for any text
        for name, number in _ALPHABET_CLASSES.items():
            if remaining <= 0:
                break
            if name != "latin" and (count := of(number)):
                by_script[name] = count
                remaining -= count
        if remaining > 0:
            by_script["other"] = remaining
    return ScriptProfile(letters=letters, han=han, kana=kana, hangul=hangul, by_script=by_script)


def _ascii_profile(text: str) -> ScriptProfile:
    raw = text.encode("ascii")
    letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    return ScriptProfile(letters, 0, 0, 0, {"latin": letters} if letters else {})


def script_profile(text: str) -> ScriptProfile:
    """Count the letters of text by script."""
    if text.isascii():  # most English text: its letters are A-Z and a-z
        return _ascii_profile(text)
    return _profile(_code_counts(text)[0])


def _line_profiles(lines: list[str]) -> list[ScriptProfile | None]:
    """script_profile of each line that is not blank (None for blank ones), counted in one pass."""
    text = "\n".join(lines)
    if text.isascii():
        return [_ascii_profile(line) if line.strip() else None for line in lines]
    return [
        _profile(row) if line.strip() else None
        for line, row in zip(lines, _code_counts(text, by_line=True), strict=True)
    ]


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
# what every _ADDRESS match holds: without one of these the scan (3 ms on a long line of Chinese) finds nothing
_ADDRESS_MARKS = ("://", "www.", "@")
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
    if any(mark in text for mark in _ADDRESS_MARKS):
        text = _ADDRESS.sub(lambda m: " " * len(m.group()), text)
    lines = text.split("\n")
    # a one-line text (a title, a sentence) has no other lines to be foreign to
    several = sum(bool(line.strip()) for line in lines) > 1
    for line, line_profile in zip(lines, _line_profiles(lines), strict=True):
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
