"""read_bylines' cheap screens: a line a screen passes over is one the pattern it spares would not match."""

from __future__ import annotations

import re
from re import _constants as sre_constants
from re import _parser as sre_parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.metadata import authors
from cleaning.metadata.authors import _HINT_WORDS, _labelled, read_bylines

# the patterns read_bylines only runs on a line _labelled passes, and the words besides the hint
# words whose presence also lets a line through to each
_LABEL_PATTERNS = {
    "_CN_EDITOR": (),
    "_EN_EDITOR": (),
    "_CN_AUTHOR": ("文",),
    "_POSTED_BY": (),
    "_POSTED_BY_NAME": (),
    "_SOURCE_PERSON": (),
}


def _covered(items: sre_parse.SubPattern | list, words: tuple[str, ...], folded: bool, run: str = "") -> bool:
    """Tell whether every match of the parsed sequence, after the literal text run, holds one of
    words: a run of literal characters it must match holds one, or an element it must match is
    covered in turn (the parser puts the common start of a branch's words before the branch).
    """

    def holds(run: str) -> bool:
        return any(word in (run.lower() if folded else run) for word in words)

    for op, av in items:
        if op is sre_constants.LITERAL:
            run += chr(av)
            continue
        if holds(run):
            return True
        if op is sre_constants.SUBPATTERN and _covered(av[-1], words, folded, run):
            return True
        if op is sre_constants.BRANCH and all(_covered(branch, words, folded, run) for branch in av[1]):
            return True
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1 and _covered(av[2], words, folded):
            return True
        run = ""
    return holds(run)


@pytest.mark.parametrize("name", sorted(_LABEL_PATTERNS))
def test_every_match_of_a_label_pattern_holds_a_hint_word(name: str) -> None:
    # read from the compiled pattern: a label added to a pattern but not to _HINT_WORDS fails here
    pattern = getattr(authors, name)
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    assert _covered(parsed, _HINT_WORDS + _LABEL_PATTERNS[name], bool(pattern.flags & re.I))


def test_the_coverage_check_sees_an_uncovered_label() -> None:
    # the check itself: a label that is no hint word, in a branch or an optional group, is caught
    for source in (r"(?:编辑|摄影)\s*[:：]", r"(?:记者)?报道", r"posted|mailed"):
        assert not _covered(sre_parse.parse(source), _HINT_WORDS, False), source
    for source in (r"(?:编辑|记者)\s*[:：]", r"(?:posted|edited by)+ x", r"由\s*发表"):
        assert _covered(sre_parse.parse(source), _HINT_WORDS, False), source


_PIECES = st.sampled_from(
    [
        *_HINT_WORDS,
        *("POSTED", "Posted by", "EDITED BY", "Editor:", "po\u017fted by", "ed\u0131ted by", "EDİTED BY"),
        *("edit", "poste", "记", "编", "来", "文", "文/", "文｜", "由", "于", "写", "发", "表"),
        *("Jane Doe", "王小明", "李华", "on", "at", "2021", "19", "-05-01", "年"),
        *(":", "：", "(", "（", ")", "）", "[", "【", "】", "|", "｜", "@", ",", "，", "、"),
        *(" ", "  ", "\u3000", "\xa0", "x", "Ä", "\u212a"),
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=10).map("".join))
def test_a_line_the_label_screen_passes_over_matches_no_label_pattern(line: str) -> None:
    text = " ".join(line.split())
    if _labelled(text):
        return
    for name, words in _LABEL_PATTERNS.items():
        if not any(word in text for word in words):
            assert getattr(authors, name).search(text) is None, (name, text)


@pytest.mark.parametrize(
    "text",
    ["po\u017fted by Jane Doe on 2021", "Ed\u0131ted by Jane Doe", "EDİTED BY Jane Doe", "Posted by Jane Doe @ 10"],
)
def test_letters_re_i_folds_to_ascii_keep_a_line_labelled(text: str) -> None:
    assert _labelled(text)


_SHAPES = st.text(alphabet=st.sampled_from("Ab 王李(（)）[【】] .,:2019-年\u3000\xa0\n"), max_size=30)


@settings(max_examples=600, deadline=None)
@given(_SHAPES)
def test_the_bracket_screens_hold_for_every_normalized_line(line: str) -> None:
    text = " ".join(line.split())
    paren = "(" in text or "（" in text
    if not paren:
        assert authors._DATELINE_CREDIT.match(text) is None
        assert authors._CLOSING_CREDIT.search(text) is None
        if "[" not in text and "【" not in text:
            assert authors._BRACKETED.search(text) is None
    if not text.endswith((")", "）")):
        assert authors._END_CREDIT.search(text) is None


def test_the_glued_opener_screen_holds_the_patterns_openers() -> None:
    source = authors._GLUED_OPENER.pattern
    assert re.findall(r"\w+", source.split("(?=")[0]) == list(authors._GLUED_OPENERS)


def test_the_plain_split_takes_the_ideographic_and_the_no_break_space() -> None:
    # read_bylines splits lines with str.split(), which splits at every str.isspace() character
    assert "\u3000".isspace()
    assert "\xa0".isspace()


@pytest.mark.parametrize(
    ("lines", "authors_", "editors", "credited"),
    [
        (["来源: 尹娟"], [], [], ["尹娟"]),
        (["海姑娘写于2005年6月12日"], ["海姑娘"], [], []),
        (["Posted by Jane Doe @ 10:56 am"], ["Jane Doe"], [], []),
        (["责任编辑：王珊珊"], [], ["王珊珊"], []),
        (["Text of the story.", "Edited by Jane Doe"], [], ["Jane Doe"], []),
        (["文/李华", "正文"], ["李华"], [], []),
        (["ByJane Doe", "Text."], ["Jane Doe"], [], []),
    ],
)
def test_screened_lines_still_read(lines, authors_, editors, credited) -> None:
    byline = read_bylines(lines)
    assert (byline.authors, byline.editors, byline.credited) == (authors_, editors, credited)


def test_every_english_hint_word_holds_a_stem_the_screen_looks_for_first() -> None:
    assert authors._ASCII_HINT_WORDS
    for word in authors._ASCII_HINT_WORDS:
        assert any(stem in word for stem in authors._ASCII_HINT_STEMS), word
    # and every other hint word is found by the one scan
    assert all(authors._HINT.search(word) for word in _HINT_WORDS if not word.isascii())


_HEADER_SHAPES = st.text(alphabet=st.sampled_from("ab9 .:/-|·•,Uhr12"), max_size=40)


@settings(max_examples=600, deadline=None)
@given(_HEADER_SHAPES)
def test_the_header_handle_screens_hold(text: str) -> None:
    # header_handle splits only a line with a separator, and matches a post header only on a line with a time
    if not any(mark in text for mark in "|·•"):
        assert authors._SEGMENTS.split(text) == [text]
    if ":" not in text:
        assert authors._POST_HEADER.match(text) is None


def test_the_header_separators_are_the_screens() -> None:
    assert re.findall(r"\[([^\]]*)\]", authors._SEGMENTS.pattern) == ["|·•"]


@pytest.mark.parametrize(
    ("header", "handle"),
    [
        (["Posted in News by jdoe on May 3, 2021"], ["jdoe"]),
        (["Home | von Marianne1 | 3 Kommentare"], ["Marianne1"]),
        (["macbacchi28.09.1912:44"], ["macbacchi"]),
        (["HansEhrlich 17.10.2019, 13:56 Uhr"], ["HansEhrlich"]),
    ],
)
def test_header_handles_still_read(header, handle) -> None:
    assert authors.header_handle(header) == handle


_WORDISH = st.text(alphabet=st.sampled_from("ab s_'’é1-. \u00b2"), max_size=12)


@settings(max_examples=1500, deadline=None)
@given(_WORDISH, _WORDISH)
def test_holds_word_tells_what_the_whole_word_pattern_finds(text: str, word: str) -> None:
    if not word:
        return
    pattern = rf"(?<!\w){re.escape(word)}(?!\w)(?!['’]s\b)"
    assert authors._holds_word(text, word) == bool(re.search(pattern, text)), (text, word)


@pytest.mark.parametrize(
    ("text", "word", "held"),
    [
        ("elavegan", "ela", False),
        ("matthew davis's blog", "matthew davis", False),
        ("matthew davis’ blog", "matthew davis", True),
        ("the ela blog", "ela", True),
        ("ela_x ela", "ela", True),
        ("aa", "a", False),
        ("a's a", "a", True),
        ("a'sb", "a", True),
    ],
)
def test_holds_word_examples(text: str, word: str, held: bool) -> None:
    assert authors._holds_word(text, word) is held
    assert bool(re.search(rf"(?<!\w){re.escape(word)}(?!\w)(?!['’]s\b)", text)) is held
