"""Decode page bytes to text, reconciling BOM, HTTP header, <meta>, wrapper, XML declaration and a detector.

Pages lie about their charset, so a declaration is a candidate, not a verdict. A BOM wins;
then valid UTF-8 is UTF-8; then the first declaration (header, <meta>, wrapper, XML
declaration) that decodes strictly wins, GB18030 and Big5-HKSCS checked against each other;
then a declaration that fails on a few bytes only (damage) is kept with replacement; then the
detector (charset-normalizer) decides.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import html
import re

import charset_normalizer
import pandas as pd

from cleaning.schema import QualityFlag, RejectReason, Stage
from cleaning.step import StepResult, add_flags, reject, require_columns

__all__ = ["Decoded", "codec_name", "decode_bytes", "decode_pages"]

# WHATWG labels Python's codecs do not know, and the supersets browsers decode with instead
# of what a page declares: a page labelled GB2312 routinely uses GBK/GB18030 characters, a
# Big5 page HKSCS ones, a latin-1 page the curly quotes of windows-1252.
_ALIASES = {
    "x-gbk": "gbk",
    "gb_2312-80": "gb2312",
    "gb_2312": "gb2312",
    "csgb2312": "gb2312",
    "chinese": "gb2312",
    "iso-ir-58": "gb2312",
    "x-big5": "big5",
    "big5-hkscs": "big5hkscs",
    "cn-big5": "big5",
    "csbig5": "big5",
    "x-sjis": "shift_jis",
    "ms_kanji": "shift_jis",
    "x-euc-jp": "euc_jp",
    "windows-874": "cp874",
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "ks_c_5601-1987": "euc_kr",
}
_UPGRADES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}
# single-byte codecs for Latin scripts: they decode any bytes, so they need a plausibility check
_LATIN_SINGLE_BYTE = {"cp1252", "cp1250", "cp1254", "iso8859-15", "iso8859-2", "mac-roman"}
_RIVALS = {"gb18030": "big5hkscs", "big5hkscs": "gb18030"}
_WIDE = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),  # before UTF-16: same prefix
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_ATTRIBUTE = rb"""\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+)"""
# CleanEval-style archives wrap each page in <text id="URL" title="..." encoding="...">...</text>
_WRAPPER = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<text((?:" + _ATTRIBUTE + rb")+)\s*>[ \t]*\r?\n?", re.I)
_WRAPPER_END = re.compile(rb"</text>\s*\Z", re.I)
_WRAPPER_ATTRIBUTE = re.compile(rb"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_DECLARATION = re.compile(rb"""\A\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([\w.:-]+)""", re.I)
_BODY_START = re.compile(rb"<body\b", re.I)
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r")
# not_text: measured on the 745 bench pages (worst: 0.05% noise, >= 8 closed tags in the
# first 64 K characters) against random bytes (>= 5% noise from 100 bytes up, <= 1 tag)
_NOISE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
# a byte that the UTF-8 of each _NOISE character holds: the C0 ones and DEL are their own byte,
# U+0080-U+009F start with \xc2, U+FFFD ends with \xbd (other characters hold them too)
_NOISE_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F, 0xC2, 0xBD])
_TAG = re.compile(
    r"</?(?:!doctype|html|head|body|p|div|span|a|b|i|em|strong|meta|title|br|hr|script|style|link|"
    r"article|section|header|footer|nav|main|h[1-6]|li|ul|ol|table|tr|td|img|figure|pre|code)(?:\s[^<>]*)?/?>",
    re.I,
)
_SAMPLE_CHARS = 65_536
_MAX_NOISE_SHARE = 0.02
_MIN_TAGS = 5
_MIN_SAMPLE = 64  # below this a share of noise says little: a few bad bytes are damage, left to extraction
_HEAD_BYTES = 16_384  # a <meta charset> further in is page content quoting another page's head
_DETECT_BYTES = 262_144  # charset-normalizer samples chunks; past this it only costs time
# a declared charset failing on more than 1% of the non-ASCII bytes (and on more than two
# characters, for short texts) is a lie; fewer failures are damage, like a page cut mid-character
_MAX_REPLACED_SHARE = 0.01
_MAX_REPLACED_ALWAYS = 2


@dataclasses.dataclass(frozen=True)
class Decoded:
    """Text of a page and how it was obtained."""

    text: str
    encoding: str  # Python codec name
    replaced: bool  # some bytes could not be decoded and became U+FFFD
    wrapper_url: str | None = None  # the id URL of a CleanEval-style <text> wrapper
    not_text: str | None = None  # why the bytes are binary or garbage rather than text, if they are


def codec_name(label: str | None) -> str | None:
    """Return the Python codec to decode a charset label with (upgraded to its superset), or None."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        codec = codecs.lookup(_ALIASES.get(label, label)).name
    except (LookupError, ValueError):  # ValueError: a NUL in the label (binary bytes in a Content-Type)
        return None
    return _UPGRADES.get(codec, codec)


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _replaced_count(raw: bytes, codec: str) -> int:
    return raw.decode(codec, errors="replace").count("\ufffd")


def _looks_latin(raw: bytes) -> bool:
    # Latin-script text has isolated accented letters; GBK/Big5/Shift_JIS text is long runs
    # of high bytes. A latin-1 label on such bytes is a server default, not the truth.
    runs = [len(run) for run in _HIGH_RUN.findall(raw)]
    return sum(n for n in runs if n >= 4) <= 0.5 * sum(runs)


def _unwrap(raw: bytes) -> tuple[bytes, dict[str, bytes]]:
    match = _WRAPPER.match(raw)
    if not match:
        return raw, {}
    attributes = {
        m.group(1).lower().decode("ascii"): m.group(2) or m.group(3) or m.group(4) or b""
        for m in _WRAPPER_ATTRIBUTE.finditer(match.group(1))
    }
    if "id" not in attributes and "encoding" not in attributes:
        return raw, {}  # an SVG-like <text> fragment, not an archive wrapper
    body = raw[match.end() :]
    end = _WRAPPER_END.search(body)
    return (body[: end.start()] if end else body), attributes


def _declared(raw: bytes, header: str | None, wrapper: dict[str, bytes], media_type: str) -> list[str]:
    """Return candidate codecs in order of trust: header, <meta>, wrapper, XML declaration."""
    labels: list[str | None] = [header]
    in_markup: list[str | None] = []
    if media_type == "html":
        head = raw[:_HEAD_BYTES]
        body = _BODY_START.search(head)
        meta = _META_CHARSET.search(head[: body.start()] if body else head)
        in_markup.append(meta.group(1).decode("ascii") if meta else None)
    if "encoding" in wrapper:
        in_markup.append(wrapper["encoding"].decode("ascii", "ignore"))
    xml = _XML_DECLARATION.match(raw[:1024])
    in_markup.append(xml.group(1).decode("ascii") if xml else None)
    codecs_ = [codec_name(labels[0])]
    # bytes we could read an ASCII label from are not UTF-16/32 (the WHATWG rule for <meta>)
    codecs_ += [c if c not in _WIDE else "utf-8" for c in map(codec_name, in_markup)]
    return list(dict.fromkeys(c for c in codecs_ if c))


def _detect(raw: bytes, among: list[str] | None = None) -> str | None:
    best = charset_normalizer.from_bytes(raw[:_DETECT_BYTES], cp_isolation=among).best()
    return codec_name(best.encoding) if best else None


def _arbitrate(raw: bytes, text: str, codec: str) -> tuple[str, str, bool]:
    """Check a declared Chinese codec against its rival when the bytes are valid in both."""
    # nearly every Big5 byte pair is also a valid GBK pair, so a Big5 page labelled gb2312
    # decodes "cleanly" into nonsense; the detector's language model tells the two apart
    rival = _RIVALS.get(codec)
    if rival is None or (rival_text := _strict(raw, rival)) is None:
        return text, codec, False
    if _detect(raw, [codec, rival]) == rival:
        return rival_text, rival, False
    return text, codec, False


def _decode_body(raw: bytes, header: str | None, wrapper: dict[str, bytes], media_type: str) -> tuple[str, str, bool]:
    declared = _declared(raw, header, wrapper, media_type)
    bom_codec = next((codec for bom, codec in _BOMS if raw.startswith(bom)), None)
    if bom_codec:
        if (text := _strict(raw, bom_codec)) is not None:
            return text, bom_codec, False  # the BOM decodes to U+FEFF, which _normalize drops
        declared = list(dict.fromkeys([bom_codec, *declared]))
    if raw.isascii():  # a C scan of machine words, 20x faster than searching for a high byte
        # pure ASCII reads the same in every ASCII-compatible codec; report what was declared
        ascii_codec = next((c for c in declared if c not in _WIDE), "utf-8")
        # ...except UTF-16 declared in the header: its ASCII text is half NUL bytes
        if declared and declared[0] in _WIDE and b"\x00" in raw and (text := _strict(raw, declared[0])):
            return text, declared[0], False
        return raw.decode("ascii"), ascii_codec, False
    # legacy-encoded text is practically never valid UTF-8 by chance, so valid UTF-8 with
    # non-ASCII bytes is UTF-8 whatever the page claims (pages labelled gb2312 often are)
    if (text := _strict(raw, "utf-8")) is not None:
        return text, "utf-8", False
    latin = functools.cache(lambda: _looks_latin(raw))  # scanning every byte run costs; only when asked
    plausible = [c for c in declared if c not in _LATIN_SINGLE_BYTE or latin()]
    for codec in plausible:
        if (text := _strict(raw, codec)) is not None:
            return _arbitrate(raw, text, codec)
    # every declaration failed: a few bad bytes (a page cut mid-character) keep the
    # declaration; many mean it lies, and the detector decides
    high_bytes = sum(len(run) for run in _HIGH_RUN.findall(raw))
    damaged = sorted((_replaced_count(raw, c), i, c) for i, c in enumerate(plausible))
    if damaged and damaged[0][0] <= max(_MAX_REPLACED_ALWAYS, _MAX_REPLACED_SHARE * high_bytes):
        return raw.decode(damaged[0][2], errors="replace"), damaged[0][2], True
    detected = _detect(raw)
    if detected and (detected not in _LATIN_SINGLE_BYTE or latin()):
        if (text := _strict(raw, detected)) is not None:
            return text, detected, False
        damaged.append((_replaced_count(raw, detected), len(damaged), detected))
    # last resort: whichever decodes with the fewest replacements (windows-1252 decodes
    # nearly anything, so it only competes on Latin-looking bytes)
    last = ("utf-8", "gb18030", "cp1252") if latin() else ("utf-8", "gb18030")
    fallback = min(damaged + [(_replaced_count(raw, c), len(damaged) + i, c) for i, c in enumerate(last)])[2]
    return raw.decode(fallback, errors="replace"), fallback, True


def _normalize(text: str, *, controls: bool) -> str:
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # NUL and other C0 controls make lxml refuse the whole document
    return _CONTROL.sub("", text) if controls else text


def _has_controls(raw: bytes, codec: str) -> bool:
    # a memchr per control byte is ~20x faster than a regex over the decoded text, and 3x faster than
    # bytes.translate; in the ASCII-compatible codecs we use, bytes below 0x20 only ever encode
    # those same control characters
    return codec in _WIDE or any(byte in raw for byte in _CONTROL_BYTES)


def not_text_reason(text: str) -> str | None:
    """Say why text is binary or garbled bytes rather than text: control and replacement characters, no markup."""
    sample = text[:_SAMPLE_CHARS]
    if len(sample) < _MIN_SAMPLE:
        return None
    # speed: the bytes that every noise character holds one of, counted in C, bound the noise from
    # above; on text below the share by that bound the regex (a third of the step) need not run
    encoded = sample.encode("utf-8", "surrogatepass")
    if len(encoded) - len(encoded.translate(None, _NOISE_BYTES)) < _MAX_NOISE_SHARE * len(sample):
        return None
    noise = len(_NOISE.findall(sample)) / len(sample)
    if noise < _MAX_NOISE_SHARE:
        return None
    tags = len(_TAG.findall(sample))
    if tags >= _MIN_TAGS:
        return None  # a page with real markup and a binary blob inside: extraction decides
    return f"{noise:.1%} control or replacement characters and {tags} HTML tags in the first {len(sample):,} characters"


def decode_bytes(raw: bytes, declared: str | None = None, *, media_type: str = "html") -> Decoded:
    """Decode raw page bytes; declared is the HTTP header's charset, if any."""
    body, wrapper = _unwrap(raw)
    text, codec, replaced = _decode_body(body, declared, wrapper, media_type)
    url = None
    if "id" in wrapper:
        url = html.unescape(wrapper["id"].decode(codec if codec not in _WIDE else "utf-8", "replace")).strip()
        url = url if url.startswith(("http://", "https://")) else None
    return Decoded(_normalize(text, controls=_has_controls(body, codec)), codec, replaced, url, not_text_reason(text))


def decode_pages(pages: pd.DataFrame) -> StepResult:
    """Decode each page's bytes to text.

    Reads:   raw, declared_charset, media_type
    Writes:  decoded (BOM, archive wrapper and CR removed), encoding (Python codec),
             wrapper_url (URL of a CleanEval-style <text id=...> wrapper, else None),
             quality_flags (encoding_replaced)
    Rejects: empty_input (no bytes), not_text (binary or garbled bytes: see not_text_reason)
    """
    require_columns(pages, "raw", "declared_charset", "media_type", step="decode_pages")
    empty = pages["raw"].map(lambda raw: raw is None or len(raw) == 0).astype(bool)
    present = pages[~empty] if empty.any() else pages
    results = [
        decode_bytes(raw, declared, media_type=media_type)
        for raw, declared, media_type in zip(
            present["raw"], present["declared_charset"], present["media_type"], strict=True
        )
    ]
    flags = [[QualityFlag.ENCODING_REPLACED.value] if r.replaced else [] for r in results]
    existing = present["quality_flags"] if "quality_flags" in present else pd.Series([None] * len(present))
    kept = present.assign(
        # object, not pandas' Arrow strings: each later step would copy whole pages out of Arrow again
        decoded=pd.Series([r.text for r in results], index=present.index, dtype=object),
        encoding=[r.encoding for r in results],
        wrapper_url=pd.Series([r.wrapper_url for r in results], index=present.index, dtype=object),
        quality_flags=pd.Series(add_flags(existing, flags), index=present.index, dtype=object),
    )
    binary = pd.Series([r.not_text is not None for r in results], index=present.index, dtype=bool)
    # each reject() costs about 0.4 ms even on no rows: only the ones with rows are built
    parts = []
    if empty.any():
        parts.append(reject(pages[empty], Stage.DECODE, RejectReason.EMPTY_INPUT, "0 bytes of payload"))
    if binary.any():
        details = [r.not_text or "" for r in results if r.not_text]
        parts.append(reject(kept[binary], Stage.DECODE, RejectReason.NOT_TEXT, details))
        kept = kept[~binary]
    return StepResult(kept, pd.concat(parts) if len(parts) > 1 else parts[0] if parts else pages.iloc[0:0])
