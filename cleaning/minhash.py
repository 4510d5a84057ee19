"""MinHash signatures and LSH band hashes for near-duplicate detection, vectorised with NumPy.

Text is normalized (NFKC, casefold, Traditional->Simplified per character, punctuation
dropped), cut into tokens (a run of letters/digits, or one CJK character), and shingled:
word n-grams for space-separated text, character n-grams when most tokens are CJK.
Signatures use one-permutation hashing (one hash per shingle, binned; empty bins filled
by rotation), which is ~5x faster than k independent hashes at the same accuracy.
Every hash is seeded and fixed-width NumPy arithmetic, never Python's salted hash().
"""

from __future__ import annotations

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
    "fingerprints",
    "normalize_for_shingles",
    "signatures",
    "simplify_chinese",
]

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]

EMPTY = np.uint32(0xFFFFFFFF)  # a bin no shingle fell into (only in documents with no tokens at all)
_MAX_CODEPOINT = 0x110000
_MAX_CHARS = 200_000  # characters of a text a signature reads
_CHUNK_CHARS = 1 << 20  # characters hashed at once: bounds memory (and the cached power tables, 16 MiB)

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
    values = values ^ (values >> np.uint64(30))
    values = values * _u64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * _u64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _seed_constant(seed: int, salt: int) -> np.uint64:
    start = (seed * 0x9E3779B97F4A7C15 + salt) & 0xFFFFFFFFFFFFFFFF
    return np.uint64(_mix64(np.array([start], dtype=np.uint64))[0] | np.uint64(1))


@functools.cache
def _char_classes() -> npt.NDArray[np.uint8]:
    # built once per process: ~0.1 s over the BMP and the CJK supplementary planes
    classes = np.zeros(_MAX_CODEPOINT, dtype=np.uint8)
    for codepoint in range(0x30000):
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
    codepoints = _to_simplified()[_codepoints(_for_shingles(_casefolded(text)))]
    classes = _char_classes()[codepoints]
    return " ".join(_text(np.where(classes == _SEPARATOR, ord(" "), codepoints)).split())


def _casefolded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _for_shingles(casefolded: str) -> str:
    # a signature reads the first _MAX_CHARS characters: enough for any article, bounded for junk
    return casefolded[:_MAX_CHARS].replace("\0", " ")


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


def _tokens(normalized: Sequence[str], seed: int) -> tuple[U64, npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Hash every token of every text; return (token hashes, document of each token, is CJK).

    The texts are normalized and hold at most _CHUNK_CHARS characters together.
    """
    # a NUL after each text keeps tokens from running across documents
    codepoints = _codepoints("\0".join(normalized) + "\0")
    offsets = np.concatenate(([0], np.cumsum([len(t) + 1 for t in normalized])[:-1])).astype(np.int64)
    classes = _char_classes()[codepoints]
    word = classes == _WORD
    starts = classes == _CJK
    starts[1:] |= word[1:] & ~word[:-1]
    starts[0] |= word[0]
    first = np.flatnonzero(starts)
    if not len(first):
        return np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, bool)
    is_cjk = classes[first] == _CJK
    # separators weigh nothing, so a token's sum may run on to the next token's start
    codepoints = codepoints * (classes != _SEPARATOR)
    # a CJK character is a token on its own: Traditional->Simplified touches only those
    cjk_at = first[is_cjk]
    if len(cjk_at):
        codepoints[cjk_at] = _to_simplified()[codepoints[cjk_at]]
    # polynomial hash of each token's characters mod 2**64: sum c_i * base**i over the whole
    # chunk, then shifted back by base**-start, so no per-character position is needed
    powers, inverses = _powers(seed)
    weighted = powers[: len(codepoints)] * codepoints
    hashes = _mix64((np.add.reduceat(weighted, first) * inverses[first]) ^ _seed_constant(seed, 2))
    tokens_per_doc = np.diff(np.searchsorted(first, np.append(offsets, len(codepoints))))
    document = np.repeat(np.arange(len(normalized), dtype=np.int64), tokens_per_doc)
    return hashes, document, is_cjk


def _shingles(hashes: U64, document: npt.NDArray[np.int64], size: int, seed: int) -> tuple[U64, npt.NDArray[np.int64]]:
    """Hash every run of `size` consecutive tokens of one document (the whole text when shorter)."""
    count = len(hashes)
    if not count:
        return hashes, document
    multiplier = _seed_constant(seed, 3)
    combined = hashes.copy()
    for offset in range(1, min(size, count)):  # a negative slice end would wrap around
        combined[: count - offset] *= multiplier
        combined[: count - offset] += hashes[offset:]
    valid = np.zeros(count, dtype=bool)
    if count >= size:
        valid[: count - size + 1] = document[size - 1 :] == document[: count - size + 1]
    # a document shorter than one shingle still gets one: the hash of all its tokens
    starts = np.flatnonzero(np.concatenate(([True], document[1:] != document[:-1])))
    lengths = np.diff(np.append(starts, count))
    short = np.flatnonzero(lengths < size)
    shorts = np.zeros(len(short), dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrapping mod 2**64 is the point
        for i, run in enumerate(short):  # few and small: documents of fewer than `size` tokens
            for value in hashes[starts[run] : starts[run] + lengths[run]]:
                shorts[i] = shorts[i] * multiplier + value
    return (
        _mix64(np.concatenate([combined[valid], shorts])),
        np.concatenate([document[valid], document[starts[short]]]),
    )


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


def fingerprints(
    texts: Sequence[str],
    *,
    num_perm: int,
    word_ngram: int,
    char_ngram: int,
    seed: int,
) -> tuple[list[str], U32]:
    """Return content_hashes(texts) and signatures(texts, ...), normalizing each text once."""
    casefolded = [_casefolded(t) for t in texts]
    return _content_hashes(casefolded), _signatures(casefolded, num_perm, word_ngram, char_ngram, seed)


def content_hashes(texts: Sequence[str]) -> list[str]:
    """Return the SHA-1 of each text after NFKC and casefolding, every run of non-letters/digits one space.

    Equal hashes mean the same words in the same order: exact duplicates.
    """
    # normalized lazily, chunk by chunk: a batch's texts are never all copied at once
    return _content_hashes(_casefolded(t) for t in texts)


def _content_hashes(casefolded: Iterable[str]) -> list[str]:
    out = []
    for chunk in _chunks(casefolded):
        codepoints = _codepoints("\0".join(chunk) + "\0")
        separator = _char_classes()[codepoints] == _SEPARATOR
        keep = ~separator
        keep[1:] |= separator[1:] & ~separator[:-1]  # the first of a run of separators stays, as a space
        spaced = np.where(separator, np.uint32(32), codepoints)[keep].astype("<u4").tobytes()
        offsets = np.cumsum([0] + [len(t) + 1 for t in chunk])
        bounds = np.searchsorted(np.flatnonzero(keep), offsets).tolist()  # where each text starts in spaced
        for start, end in itertools.pairwise(bounds):
            text = spaced[4 * start : 4 * end].decode("utf-32-le", "surrogatepass").strip(" ")
            out.append(hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest())
    return out


def signatures(
    texts: Sequence[str],
    *,
    num_perm: int,
    word_ngram: int,
    char_ngram: int,
    seed: int,
) -> U32:
    """Return one MinHash signature (num_perm uint32 values) per text; EMPTY rows for texts with no tokens."""
    return _signatures((_casefolded(t) for t in texts), num_perm, word_ngram, char_ngram, seed)


def _signatures(casefolded: Iterable[str], num_perm: int, word_ngram: int, char_ngram: int, seed: int) -> U32:
    parts = [
        _chunk_signatures(chunk, num_perm, word_ngram, char_ngram, seed)
        for chunk in _chunks(_for_shingles(t) for t in casefolded)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, num_perm), dtype=np.uint32)


def _chunk_signatures(normalized: list[str], num_perm: int, word_ngram: int, char_ngram: int, seed: int) -> U32:
    n = len(normalized)
    if not n:
        return np.zeros((0, num_perm), dtype=np.uint32)
    hashes, document, is_cjk = _tokens(normalized, seed)
    tokens_per_doc = np.bincount(document, minlength=n)
    cjk_tokens = np.bincount(document[is_cjk], minlength=n)
    # per document: character n-grams when most tokens are CJK characters, else word n-grams
    size_of_doc = np.where(2 * cjk_tokens >= np.maximum(tokens_per_doc, 1), char_ngram, word_ngram)
    sizes = np.unique(size_of_doc[tokens_per_doc > 0])
    if len(sizes) == 1:  # the usual batch: one kind of text, no selection needed
        shingles, owner = _shingles(hashes, document, int(sizes[0]), seed)
    else:
        parts, owners = [], []
        for size in sizes:
            chosen = size_of_doc[document] == size
            part, part_owner = _shingles(hashes[chosen], document[chosen], int(size), seed)
            parts.append(part)
            owners.append(part_owner)
        shingles = np.concatenate(parts) if parts else np.zeros(0, np.uint64)
        owner = np.concatenate(owners) if owners else np.zeros(0, np.int64)
    # one-permutation hashing: the low bits pick the bin, the high 32 bits are the value
    if num_perm & (num_perm - 1):
        slot = (shingles % np.uint64(num_perm)).astype(np.int64)
    else:  # a power of two: a mask, not a division
        slot = (shingles & np.uint64(num_perm - 1)).astype(np.int64)
    values = (shingles >> np.uint64(32)).astype(np.uint32)
    result = np.full(n * num_perm, EMPTY, dtype=np.uint32)
    slot += owner * num_perm
    np.minimum.at(result, slot, values)
    return _densify(result.reshape(n, num_perm), has_tokens=tokens_per_doc > 0)


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
    out = np.empty(len(left), dtype=np.float64)
    chunk = 65536
    for start in range(0, len(left), chunk):
        a, b = left[start : start + chunk], right[start : start + chunk]
        out[start : start + chunk] = (sig[a] == sig[b]).mean(axis=1)
    return out
