"""Parse JSON, YAML and TOML from untrusted input: bounded depth, bounded YAML aliases, no lone surrogates.

Every parser error, recursion limit or bomb becomes a ValueError whose message says what
was wrong, so the reader turns it into an `unreadable` reject with that detail.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = ["MAX_DEPTH", "MAX_YAML_NODES", "clean_strings", "load_json", "load_toml", "load_yaml"]

MAX_DEPTH = 64  # front matter and JSONL pages are a few levels deep; deeper is an attack or a bug
MAX_YAML_NODES = 20_000  # nodes after alias expansion: a billion-laughs document stops here
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Replaced:
    """Counts strings that had lone surrogates replaced."""

    def __init__(self) -> None:
        self.count = 0


def _clean(value: Any, depth: int, replaced: _Replaced) -> Any:
    if isinstance(value, str):
        if value.isascii():
            return value
        cleaned, n = _SURROGATE.subn("\ufffd", value)
        replaced.count += bool(n)
        return cleaned
    if depth >= MAX_DEPTH and isinstance(value, dict | list | tuple):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        return {_clean(k, depth + 1, replaced): _clean(v, depth + 1, replaced) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v, depth + 1, replaced) for v in value]
    return value


def clean_strings(value: Any) -> tuple[Any, bool]:
    """Return value with lone surrogates in its strings replaced by U+FFFD, and whether any were.

    Raise ValueError if value nests deeper than MAX_DEPTH.
    """
    replaced = _Replaced()
    return _clean(value, 0, replaced), replaced.count > 0


def load_json(text: str | bytes) -> Any:
    """Parse JSON; raise ValueError for bad or too deeply nested JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def load_toml(text: str) -> dict[str, Any]:
    """Parse TOML; raise ValueError for bad or too deeply nested TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(" ".join(str(exc).split())) from exc
    except RecursionError:
        raise ValueError("TOML nested too deeply") from None


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents nested deeper than MAX_DEPTH while composing them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ValueError(f"YAML nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call,no-any-return]
        finally:
            self._depth -= 1


def _expanded_size(root: Node) -> int:
    """Count the nodes of root with every alias expanded, without expanding them (memoised by node)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ValueError("YAML alias refers to itself")
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = total
        if total > MAX_YAML_NODES:
            raise ValueError(f"YAML expands to more than {MAX_YAML_NODES:,} nodes through aliases")
        return total

    return size(root)


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely; raise ValueError for bad, deep or alias-bomb YAML."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()  # type: ignore[no-untyped-call]
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)  # type: ignore[no-untyped-call]
    except yaml.YAMLError as exc:
        raise ValueError(" ".join(str(exc).split())) from exc
    except RecursionError:
        raise ValueError("YAML nested too deeply") from None
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]
