"""MinHash signatures and LSH band hashes for near-duplicate detection, vectorised with NumPy.

Text is normalized (NFKC, casefold, Traditional->Simplified per character, punctuation
dropped), cut into tokens (a run of letters/digits, or one CJK character), and shingled:
word n-grams for space-separated text, character n-grams when most tokens are CJK.
Signatures use one-permutation hashing (one hash per shingle, binned; empty bins filled
by rotation), which is ~5x faster than k independent hashes at the same accuracy.
Every hash is seeded and fixed-width NumPy arithmetic, never Python's salted hash().
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = [
    "band_hashes",
    "content_hashes",
    "estimated_jaccard",
    "estimated_jaccard_between",
    "fingerprints",
    "nfkc",
    "normalize_for_shingles",
    "signatures",
    "simplify_chinese",
]

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]

EMPTY = np.uint32(0xFFFFFFFF)  # a bin no shingle fell into (only in documents with no tokens at all)
_MAX_CODEPOINT = 0x110000
_CASED_BELOW = 0x20000  # every code point that casefolds to something else lies below
# _folded_classes packs, per code point: its casefold (low 21 bits), whether that is several
# characters (bit 22) and the class of the folded character (bits 24-25)
_FOLD_BITS = np.uint32(0x1FFFFF)
_EXPANDS = np.uint32(1 << 22)
_CLASS_SHIFT = np.uint32(24)
_MAX_CHARS = 200_000  # characters of a text a signature reads
_CHUNK_CHARS = 1 << 18  # characters hashed at once: arrays that fit the CPU cache; above _MAX_CHARS

_SEPARATOR, _WORD, _CJK = 0, 1, 2
# Han (incl. extensions and compatibility), kana, hangul: scripts written without spaces
_CJK_RANGES = (
    (0x1100, 0x11FF),
    (0x2E80, 0x2FDF),
    (0x3040, 0x30FF),
    (0x3105, 0x312F),
    (0x3130, 0x318F),
    (0x31A0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)


def _u64(value: int) -> np.uint64:
    return np.uint64(value & 0xFFFFFFFFFFFFFFFF)


def _mix64(values: U64) -> U64:
    """Splitmix64 finalizer: spread every input bit over the output (arrays wrap mod 2**64)."""
    out = values ^ (values >> np.uint64(30))
    scratch = np.empty_like(out)  # the shifts reuse one buffer: this runs over every token and shingle
    out *= _u64(0xBF58476D1CE4E5B9)
    out ^= np.right_shift(out, np.uint64(27), out=scratch)
    out *= _u64(0x94D049BB133111EB)
    out ^= np.right_shift(out, np.uint64(31), out=scratch)
    return out


def _seed_constant(seed: int, salt: int) -> np.uint64:
    start = (seed * 0x9E3779B97F4A7C15 + salt) & 0xFFFFFFFFFFFFFFFF
    return np.uint64(_mix64(np.array([start], dtype=np.uint64))[0] | np.uint64(1))


@functools.cache
def _char_classes() -> npt.NDArray[np.uint8]:
    # built once per process: ~0.1 s over the BMP and the CJK supplementary planes
    classes = np.zeros(_MAX_CODEPOINT, dtype=np.uint8)
    # planes 4-13 are unassigned and 15-16 private use: no letter, digit or mark lies there
    for codepoint in itertools.chain(range(0x40000), range(0xE0000, 0xF0000)):
        if unicodedata.category(chr(codepoint))[0] in "LNM":
            classes[codepoint] = _WORD
    for low, high in _CJK_RANGES:
        classes[low : high + 1] = np.where(classes[low : high + 1] == _WORD, _CJK, classes[low : high + 1])
    classes[0x3005] = _CJK  # 々, the iteration mark, is a letter in Japanese text
    return classes


def _read_pairs(path: Path) -> dict[int, int]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1:
            pairs[ord(source)] = ord(target)
    return pairs


@functools.cache
def _to_simplified() -> U32:
    """Per-code-point Traditional->Simplified table from OpenCC's character dictionaries."""
    import opencc  # opencc-python-reimplemented ships the dictionaries as text files

    folder = Path(opencc.__file__).parent / "dictionary"
    table = np.arange(_MAX_CODEPOINT, dtype=np.uint32)
    simplified = _read_pairs(folder / "TSCharacters.txt")
    # Hong Kong and Taiwan variant glyphs first become the standard Traditional character
    for name in ("HKVariantsRev.txt", "TWVariantsRev.txt"):
        for variant, standard in _read_pairs(folder / name).items():
            table[variant] = simplified.get(standard, standard)
    for traditional, target in simplified.items():
        table[traditional] = target
    return table


def _codepoints(text: str) -> U32:
    # surrogatepass: a lone surrogate (from a lossy decode upstream) is a code point, not a crash
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _text(codepoints: U32) -> str:
    return str(codepoints.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass"))


def simplify_chinese(text: str) -> str:
    """Map each Traditional (and HK/TW variant) character to its Simplified form."""
    return _text(_to_simplified()[_codepoints(text)])


def normalize_for_shingles(text: str) -> str:
    """Return text as the shingler sees it: NFKC, casefolded, Simplified, punctuation as spaces."""
    codepoints = _to_simplified()[_codepoints(_casefolded(text)[:_MAX_CHARS])]
    classes = _char_classes()[codepoints]
    return " ".join(_text(np.where(classes == _SEPARATOR, ord(" "), codepoints)).split())


def _casefolded(text: str) -> str:
    return nfkc(text).casefold()


_BMP = 0x10000
_NFKC_SAME, _NFKC_ONE, _NFKC_SEVERAL = 0, 1, 2


@functools.cache
def _nfkc_tables() -> tuple[npt.NDArray[np.uint8], U32]:
    """Per code point: whether its NFKC form is itself, one other character or several; and that one (BMP).

    Built once per process (about 15 ms) over the BMP: characters beyond it are left as they are here.
    """
    kinds = np.zeros(_MAX_CODEPOINT, dtype=np.uint8)
    singles = np.arange(_BMP, dtype=np.uint32)
    for codepoint in range(_BMP):
        char = chr(codepoint)
        normal = unicodedata.normalize("NFKC", char)
        if normal != char:
            kinds[codepoint] = _NFKC_ONE if len(normal) == 1 else _NFKC_SEVERAL
            if len(normal) == 1:
                singles[codepoint] = ord(normal)
    return kinds, singles


def nfkc(text: str) -> str:
    """Return unicodedata.normalize("NFKC", text), faster on text with a few compatibility characters.

    unicodedata normalizes a whole text the slow way as soon as one character changes (a
    full-width comma in Chinese text, a no-break space): about 0.5 ms on a Chinese article.
    Here each BMP character with a compatibility form is first replaced by its own NFKC form,
    which leaves the text's NFKC unchanged (NFKD(NFKC(c)) is NFKD(c), and NFKC composes the
    NFKD); unicodedata then finds the text normalized in one quick check, or does the rest
    (characters beyond the BMP, combining marks).
    """
    if text.isascii():
        return text
    codepoints = _codepoints(text)
    kinds, singles = _nfkc_tables()
    kind = kinds.take(codepoints)
    if not np.count_nonzero(kind):
        return unicodedata.normalize("NFKC", text)
    one = np.flatnonzero(kind == _NFKC_ONE)
    if len(one):
        mapped = codepoints.copy()
        mapped[one] = singles[codepoints[one]]
        text = _text(mapped)
    for codepoint in np.unique(codepoints[kind == _NFKC_SEVERAL]).tolist():
        char = chr(codepoint)
        text = text.replace(char, unicodedata.normalize("NFKC", char))
    return unicodedata.normalize("NFKC", text)


@functools.cache
def _folded_classes() -> U32:
    """Per code point: its casefold and that character's class, in one word (see _FOLD_BITS)."""
    folds = np.arange(_MAX_CODEPOINT, dtype=np.uint32)
    for codepoint in range(_CASED_BELOW):
        folded = chr(codepoint).casefold()
        if len(folded) > 1:  # as ß is ss: the text is folded by str.casefold instead
            folds[codepoint] |= _EXPANDS
        elif folded != chr(codepoint):
            folds[codepoint] = ord(folded)
    return folds | (_char_classes()[folds & _FOLD_BITS].astype(np.uint32) << _CLASS_SHIFT)


@dataclasses.dataclass(frozen=True)
class _Chunk:
    """Texts laid end to end as code points, each followed by a NUL, with every character's class."""

    codepoints: U32
    classes: npt.NDArray[np.uint8]
    offsets: npt.NDArray[np.int64]  # where each text starts

    @classmethod
    def of(cls, texts: Sequence[str]) -> _Chunk:
        """Lay texts out as they are."""
        return cls._of_codepoints(_codepoints("\0".join(texts) + "\0"), [len(t) for t in texts])

    @classmethod
    def _of_codepoints(cls, codepoints: U32, lengths: Sequence[int]) -> _Chunk:
        offsets = np.cumsum([0] + [length + 1 for length in lengths[:-1]], dtype=np.int64)
        return cls(codepoints, _char_classes()[codepoints], offsets)

    def truncated(self, limit: int) -> _Chunk:
        """Return the chunk with every text cut to its first limit characters."""
        lengths = np.append(self.offsets[1:], len(self.codepoints)) - 1 - self.offsets  # up to each NUL
        if not (lengths > limit).any():
            return self
        pieces = [
            self.codepoints[start : start + min(length, limit)]
            for start, length in zip(self.offsets, lengths, strict=True)
        ]
        joined = np.concatenate([part for piece in pieces for part in (piece, np.zeros(1, np.uint32))])
        return self._of_codepoints(joined, [len(piece) for piece in pieces])


def _normalized_chunks(texts: Iterable[str]) -> Iterator[_Chunk]:
    """Yield texts NFKC-normalized and casefolded, in chunks; the casefold is a table lookup."""
    for group in _chunks(nfkc(t) for t in texts):
        joined = "\0".join(group) + "\0"
        if joined.isascii():  # casefold is lower, and str.lower is fastest on ASCII
            yield _Chunk._of_codepoints(_codepoints(joined.lower()), [len(t) for t in group])
            continue
        packed = _folded_classes()[_codepoints(joined)]
        if (packed & _EXPANDS).any():  # rare: str.casefold lengthens the text
            yield from (_Chunk.of(texts_) for texts_ in _chunks([t.casefold() for t in group]))
        else:
            offsets = np.cumsum([0] + [len(t) + 1 for t in group[:-1]], dtype=np.int64)
            yield _Chunk(packed & _FOLD_BITS, (packed >> _CLASS_SHIFT).astype(np.uint8), offsets)


def _chunks(texts: Iterable[str]) -> Iterator[list[str]]:
    """Group texts into runs of at most _CHUNK_CHARS characters (a longer text goes alone)."""
    chunk: list[str] = []
    chars = 0
    for text in texts:
        if chunk and chars + len(text) + 1 > _CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
        chunk.append(text)
        chars += len(text) + 1
    if chunk:
        yield chunk


@functools.cache
def _powers(seed: int) -> tuple[U64, U64]:
    """Return base**i and base**-i mod 2**64 for every position of a chunk."""
    base = _seed_constant(seed, 1)
    inverse = np.uint64(pow(int(base), -1, 2**64))
    powers = np.ones(_CHUNK_CHARS, dtype=np.uint64)
    inverses = np.ones(_CHUNK_CHARS, dtype=np.uint64)
    np.cumprod(np.full(_CHUNK_CHARS - 1, base, dtype=np.uint64), out=powers[1:])
    np.cumprod(np.full(_CHUNK_CHARS - 1, inverse, dtype=np.uint64), out=inverses[1:])
    return powers, inverses


@functools.cache
def _letter_hashes(seed: int) -> U64:
    """Return the hash of every one-character token, by code point (a CJK character as its Simplified form)."""
    codepoints = np.arange(_MAX_CODEPOINT, dtype=np.uint64)
    codepoints = np.where(_char_classes() == _CJK, _to_simplified(), codepoints).astype(np.uint64)
    return _mix64(codepoints ^ _seed_constant(seed, 2))


def _tokens(chunk: _Chunk, seed: int) -> tuple[U64, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Hash every token of a chunk's texts; return (token hashes, tokens per text, CJK tokens per text).

    A token is a run of letters/digits or one CJK character. Its hash is the mix of the polynomial
    sum c_i * base**i of its code points (mod 2**64); one-character tokens, every token of CJK
    text, come from a table instead.
    """
    codepoints, classes = chunk.codepoints, chunk.classes
    word = classes == _WORD
    cjk = classes == _CJK
    run_start = word.copy()
    run_start[1:] &= ~word[:-1]
    first = np.flatnonzero(run_start | cjk)
    powers, inverses = _powers(seed)
    # a word's hash sums c_i * base**i over its characters, shifted back by base**-start, so no
    # per-character position within a word is needed
    mostly_words = 2 * np.count_nonzero(cjk) < len(codepoints)
    if mostly_words:  # sum over the whole chunk
        cjk_at = np.flatnonzero(cjk)
        weights = np.where(word, codepoints, 0)
        weights[cjk_at] = _to_simplified()[codepoints[cjk_at]]
        sums = np.add.reduceat(powers[: len(codepoints)] * weights, first)
        hashes = _mix64((sums * inverses[first]) ^ _seed_constant(seed, 2))
    else:  # mostly CJK: one-character tokens from a table, then the few longer words
        hashes = _letter_hashes(seed)[codepoints[first]]
        beside_word = np.zeros_like(word)
        beside_word[1:] = word[:-1]
        beside_word[:-1] |= word[1:]
        in_long = word & beside_word
        if in_long.any():
            chars = np.flatnonzero(in_long)
            starts = np.flatnonzero(run_start[chars])
            sums = np.add.reduceat(powers[chars] * codepoints[chars], starts)
            at = chars[starts]
            hashes[np.searchsorted(first, at)] = _mix64((sums * inverses[at]) ^ _seed_constant(seed, 2))
    bounds = np.append(chunk.offsets, len(codepoints))
    tokens_per_text = np.diff(np.searchsorted(first, bounds))
    if mostly_words:
        cjk_per_text = np.diff(np.searchsorted(np.flatnonzero(cjk), bounds))
    else:  # count the few words instead
        cjk_per_text = tokens_per_text - np.diff(np.searchsorted(np.flatnonzero(run_start), bounds))
    return hashes, tokens_per_text, cjk_per_text


def _shingle_mins(hashes: U64, tokens_per_text: npt.NDArray[np.int64], size: int, seed: int, num_perm: int) -> U32:
    """Return one-permutation MinHash bins, EMPTY where no shingle fell, for each text's token run.

    A shingle hashes `size` consecutive tokens of one text; a text of fewer tokens gets one,
    the hash of them all.
    """
    texts, count = len(tokens_per_text), len(hashes)
    bins = np.full(texts * num_perm + 1, EMPTY, dtype=np.uint32)  # the last bin takes what is no shingle
    if not count:
        return bins[:-1].reshape(texts, num_perm)
    multiplier = _seed_constant(seed, 3)
    combined = hashes.copy()
    for offset in range(1, min(size, count)):  # a negative slice end would wrap around
        combined[: count - offset] *= multiplier
        combined[: count - offset] += hashes[offset:]
    # the shingles starting in a text's last size - 1 tokens would run past its end
    ends = np.cumsum(tokens_per_text)
    tails = (ends[:, None] - np.arange(1, size, dtype=np.int64)).ravel()
    within = np.ones(count, dtype=bool)
    within[tails[tails >= np.repeat(ends - tokens_per_text, size - 1)]] = False
    short = np.flatnonzero((tokens_per_text > 0) & (tokens_per_text < size))
    with np.errstate(over="ignore"):  # wrapping mod 2**64 is the point
        for text in short:  # few and small: texts of fewer than `size` tokens
            start = ends[text] - tokens_per_text[text]
            combined[start] = 0
            for value in hashes[start : ends[text]]:
                combined[start] = combined[start] * multiplier + value
            within[start] = True
    shingles = _mix64(combined)
    # one-permutation hashing: the low bits pick the bin, the high 32 bits are the value
    slot = np.repeat(np.arange(0, texts * num_perm, num_perm, dtype=np.int64), tokens_per_text)
    if num_perm & (num_perm - 1):
        slot += (shingles % np.uint64(num_perm)).astype(np.int64)
    else:  # a power of two: a mask, not a division
        slot += shingles.astype(np.uint32) & np.uint32(num_perm - 1)
    slot[~within] = texts * num_perm
    np.minimum.at(bins, slot, (shingles >> np.uint64(32)).astype(np.uint32))
    return bins[:-1].reshape(texts, num_perm)


def fingerprints(
    texts: Sequence[str],
    *,
    num_perm: int,
    word_ngram: int,
    char_ngram: int,
    seed: int,
) -> tuple[list[str], U32]:
    """Return content_hashes(texts) and signatures(texts, ...), reading each text once."""
    hashes: list[str] = []
    parts = []
    for chunk in _normalized_chunks(texts):
        hashes += _chunk_content_hashes(chunk)
        parts.append(_chunk_signatures(chunk.truncated(_MAX_CHARS), num_perm, word_ngram, char_ngram, seed))
    return hashes, np.concatenate(parts) if parts else np.zeros((0, num_perm), dtype=np.uint32)


def content_hashes(texts: Sequence[str]) -> list[str]:
    """Return the SHA-1 of each text after NFKC and casefolding, every run of non-letters/digits one space.

    Equal hashes mean the same words in the same order: exact duplicates.
    """
    # normalized lazily, chunk by chunk: a batch's texts are never all copied at once
    out = []
    for chunk in _normalized_chunks(texts):
        out += _chunk_content_hashes(chunk)
    return out


def _chunk_content_hashes(chunk: _Chunk) -> list[str]:
    ends = np.zeros(len(chunk.codepoints), dtype=bool)
    ends[chunk.offsets[1:] - 1] = True
    ends[-1] = True  # each text's NUL stays as the one byte that splits the chunk's UTF-8 below
    separator = (chunk.classes == _SEPARATOR) & ~ends
    keep = ~separator
    keep[1:] |= separator[1:] & ~separator[:-1]  # the first of a run of separators stays, as a space
    spaced = np.where(separator, np.uint32(32), chunk.codepoints)[keep]
    # a NUL inside a text is a separator, so b"\0" occurs only between texts in the UTF-8
    encoded = spaced.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass").encode("utf-8", "surrogatepass")
    return [hashlib.sha1(text.strip(b" ")).hexdigest() for text in encoded.split(b"\0")[:-1]]


def signatures(
    texts: Sequence[str],
    *,
    num_perm: int,
    word_ngram: int,
    char_ngram: int,
    seed: int,
) -> U32:
    """Return one MinHash signature (num_perm uint32 values) per text; EMPTY rows for texts with no tokens."""
    parts = [
        _chunk_signatures(chunk.truncated(_MAX_CHARS), num_perm, word_ngram, char_ngram, seed)
        for chunk in _normalized_chunks(texts)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, num_perm), dtype=np.uint32)


def _chunk_signatures(chunk: _Chunk, num_perm: int, word_ngram: int, char_ngram: int, seed: int) -> U32:
    hashes, tokens_per_text, cjk_per_text = _tokens(chunk, seed)
    # per text: character n-grams when most tokens are CJK characters, else word n-grams
    size_of_text = np.where(2 * cjk_per_text >= np.maximum(tokens_per_text, 1), char_ngram, word_ngram)
    sizes = np.unique(size_of_text[tokens_per_text > 0])
    if len(sizes) <= 1:  # the usual batch: one kind of text, no selection needed
        size = int(sizes[0]) if len(sizes) else word_ngram
        sig = _shingle_mins(hashes, tokens_per_text, size, seed, num_perm)
    else:
        sig = np.full((len(tokens_per_text), num_perm), EMPTY, dtype=np.uint32)
        token_size = np.repeat(size_of_text, tokens_per_text)
        for size in sizes:
            chosen = size_of_text == size
            part = _shingle_mins(hashes[token_size == size], tokens_per_text[chosen], int(size), seed, num_perm)
            sig[chosen] = part
    return _densify(sig, has_tokens=tokens_per_text > 0)


def _densify(sig: U32, *, has_tokens: npt.NDArray[np.bool_]) -> U32:
    """Fill empty bins from the next non-empty bin to the right (rotation), salted by the distance."""
    empty = (sig == EMPTY) & has_tokens[:, None]
    rows = np.flatnonzero(empty.any(axis=1))
    if not len(rows):
        return sig
    width = sig.shape[1]
    block = sig[rows]
    filled = np.concatenate([block != EMPTY, block != EMPTY], axis=1)
    position = np.where(filled, np.arange(2 * width), 2 * width)
    next_filled = np.minimum.accumulate(position[:, ::-1], axis=1)[:, ::-1][:, :width]
    distance = next_filled - np.arange(width)
    borrowed = np.take_along_axis(block, next_filled % width, axis=1).astype(np.uint64)
    salted = (_mix64((borrowed << np.uint64(8)) | distance.astype(np.uint64)) >> np.uint64(32)).astype(np.uint32)
    out = sig.copy()
    out[rows] = np.where(block == EMPTY, salted, block)
    return out


def band_hashes(sig: U32, *, bands: int, rows: int, seed: int) -> U64:
    """Hash each band of rows signature values into one uint64 (the band number is mixed in)."""
    n = sig.shape[0]
    grouped = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    acc = np.broadcast_to(np.arange(bands, dtype=np.uint64) + _seed_constant(seed, 4), (n, bands)).copy()
    for r in range(rows):
        acc = _mix64(acc ^ grouped[:, :, r])
    return acc


def estimated_jaccard(sig: U32, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Return the share of equal signature values for each (left[i], right[i]) pair of rows."""
    return estimated_jaccard_between(sig, left, sig, right)


def estimated_jaccard_between(
    first: U32, left: npt.NDArray[np.int64], second: U32, right: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Return the share of equal signature values for each pair of rows first[left[i]], second[right[i]]."""
    out = np.empty(len(left), dtype=np.float64)
    # two signature rows (512 bytes each) per pair are gathered at once: 4,096 pairs take 4 MiB; candidates grow
    # with the stored rows that share a band (pages of one site), so 65,536 at once took a commit 70 MiB more
    chunk = 4096
    for start in range(0, len(left), chunk):
        a, b = left[start : start + chunk], right[start : start + chunk]
        out[start : start + chunk] = (first[a] == second[b]).mean(axis=1)
    return out
