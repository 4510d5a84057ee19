"""Split static-site posts (Hugo, Jekyll, Hexo) into parsed front matter and body bytes."""

from __future__ import annotations

import codecs
import dataclasses
import re
from typing import Any

from cleaning.inputs.decoding import decode_bytes
from cleaning.inputs.structured import clean_strings, load_toml, load_yaml

__all__ = ["Post", "body_media_type", "has_front_matter", "split_post"]

_FENCES = {b"---": "yaml", b"+++": "toml"}
# block-level tags: inline ones (<a>, <em>, <br>) are legal inside Markdown paragraphs
_BLOCK_NAMES = rb"(?:p|div|article|section|table|ul|ol|h[1-6]|blockquote|pre|figure)"
_BLOCK_TAG = re.compile(rb"<" + _BLOCK_NAMES + rb"\b[^>]*>", re.I)
_LEADING_BLOCK = re.compile(rb"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype|html|body|" + _BLOCK_NAMES + rb")\b", re.I | re.S)


@dataclasses.dataclass(frozen=True)
class Post:
    """A post's parsed front matter and the raw bytes after its closing fence."""

    front_matter: dict[str, Any]
    body: bytes
    replaced: bool = False  # lone surrogates in the front matter were replaced by U+FFFD


def _first_line(data: bytes) -> tuple[bytes, int] | None:
    """Return the first non-blank line (stripped) and the offset just past it."""
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    while offset < len(data):
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end + 1
        line = data[offset:end].strip()
        if line:
            return line, end
        offset = end
    return None


def has_front_matter(data: bytes, *, closed: bool = False) -> bool:
    """Tell whether data opens (after blank lines) with a --- or +++ fence, and, if closed, shuts it."""
    first = _first_line(data)
    if first is None or first[0] not in _FENCES:
        return False
    return not closed or _closing(first[0]).search(data, first[1]) is not None


def _closing(fence: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"^" + re.escape(fence) + rb"[ \t]*\r?$", re.M)


def split_post(data: bytes) -> Post:
    """Parse a post's front matter; raise ValueError saying what is wrong with it."""
    first = _first_line(data)
    if first is None or first[0] not in _FENCES:
        raise ValueError("no opening --- or +++ line")
    fence, start = first
    match = _closing(fence).search(data, start)
    if match is None:
        raise ValueError(f"no closing {fence.decode()} line")
    front = data[start : match.start()]
    # YAML and TOML are UTF-8 by specification; anything else still gets a best effort
    try:
        text = front.decode("utf-8")
    except UnicodeDecodeError:
        text = decode_bytes(front, media_type="text").text
    # bounded: deep nesting and YAML alias bombs raise ValueError instead of hanging
    parsed = load_yaml(text) if _FENCES[fence] == "yaml" else load_toml(text)
    parsed, replaced = clean_strings(parsed)
    if parsed is None:
        parsed = {}
    if not isinstance(parsed, dict):
        raise ValueError(f"expected a mapping of keys, got {type(parsed).__name__}")
    body_start = match.end() + 1 if data[match.end() : match.end() + 1] == b"\n" else match.end()
    return Post({str(k): v for k, v in parsed.items()}, data[body_start:], replaced)


def body_media_type(body: bytes) -> str:
    """Return "html" for a body written in HTML (scraped posts often are), else "markdown"."""
    # Markdown may embed a block or two (a video <div>); a body that opens with one, or is
    # made of them, is HTML
    return "html" if _LEADING_BLOCK.match(body) or len(_BLOCK_TAG.findall(body)) >= 3 else "markdown"
