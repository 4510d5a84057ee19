"""A cheap screen per rule pattern: literals of which every match holds at least one.

Most rules match no line of a page, yet a pattern such as `\\b(?:contains|enthält) ...`
is tried at every position of every line. The literals a match cannot do without (one
branch's words, a run of plain characters) are read from the pattern's parse tree, and a
search for them alone, which the regex engine runs far faster, decides whether the
pattern is worth trying. Whatever the analysis does not understand gives no literals, and
then the pattern always runs: a screen can only ever skip lines the pattern cannot match.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre  # the parser's opcodes: stable, and only read here
import re._parser as sre_parse
from typing import Any

__all__ = ["fails_fast", "required_literals", "screen_of"]

Literals = frozenset[str] | None  # None: no literal is certain
_MAX_CLASS = 8  # a class of more characters ([a-z]) screens out too little to be worth a test
_MAX_LITERALS = 64
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_NO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)


def _better(a: Literals, b: Literals) -> Literals:
    """The stronger of two alternatives: longer shortest literal, then fewer literals."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _item(op: Any, av: Any) -> Literals:
    if op is sre.IN:
        if len(av) <= _MAX_CLASS and all(kind is sre.LITERAL for kind, _ in av):
            return frozenset(chr(code) for _, code in av)
        return None
    if op is sre.BRANCH:
        branches = [_sequence(branch) for branch in av[1]]
        if any(b is None for b in branches):
            return None
        union = frozenset().union(*branches)  # type: ignore[arg-type]
        return union if len(union) <= _MAX_LITERALS else None
    if op is sre.SUBPATTERN:
        _, add_flags, _, pattern = av
        return None if add_flags & re.IGNORECASE else _sequence(pattern)
    if op in _REPEATS:
        low, _, pattern = av
        return _sequence(pattern) if low >= 1 else None
    return None  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, lookarounds, ...: nothing certain


def _sequence(items: Any) -> Literals:
    """The best literal set of a sequence: a run of plain characters, or one item's set."""
    best: Literals = None
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []
        if op is None or op in _NO_WIDTH:
            continue  # anchors and lookarounds match no characters and promise none
        best = _better(best, _item(op, av))
    return best


def _parsed(pattern: re.Pattern[str]) -> Any:
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(pattern.pattern, str):
        return None
    try:
        return sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # another Python's parser: no screen, the pattern runs on every line
        return None


def required_literals(pattern: re.Pattern[str]) -> Literals:
    """Return literals of which every match of pattern holds one, or None when none is certain."""
    parsed = _parsed(pattern)
    literals = None if parsed is None else _sequence(parsed)
    return literals if literals and all(literals) else None


def _starts(items: Any) -> bool:
    return len(items) > 0 and (items[0][0] is sre.LITERAL or items[0] == (sre.AT, sre.AT_BEGINNING))


def fails_fast(pattern: re.Pattern[str]) -> bool:
    """Tell whether a search for pattern is cheap anyway: ^ on every branch, or one branch with a leading literal.

    The engine tries such a pattern at the start only, or where its first character
    occurs; any other pattern it tries at every position of the line.
    """
    parsed = _parsed(pattern)
    if parsed is None or not len(parsed):
        return False
    op, av = parsed[0]
    if op is sre.BRANCH and len(parsed) == 1:
        return all(len(branch) > 0 and branch[0] == (sre.AT, sre.AT_BEGINNING) for branch in av[1])
    return _starts(parsed)


def screen_of(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern that finds the required literals of pattern, when it costs less than pattern's own search.

    None: no literal is certain, or the pattern fails fast (a screen costs about 1 us a line).
    """
    # cached by source and flags, which make the same pattern: a Pattern's own hash hashes its
    # whole compiled program on every call (a fifth of remove_boilerplate, 38 rules a page)
    return _screen(pattern.pattern, pattern.flags)


@functools.cache
def _screen(source: str, flags: int) -> re.Pattern[str] | None:
    pattern = re.compile(source, flags)
    literals = required_literals(pattern)
    if literals is None or fails_fast(pattern):
        return None
    return re.compile("|".join(re.escape(s) for s in sorted(literals, key=lambda s: (-len(s), s))))
