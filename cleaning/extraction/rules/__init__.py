"""Boilerplate rules as data: the built-in defaults (default.toml) plus an optional user file.

A rule file is TOML with one `[[rules]]` table per rule:

    [[rules]]
    name = "editor_line"          # recorded in boilerplate_rules when the rule removes text
    kind = "drop_line"            # see RuleKind
    pattern = '^责任编辑[：:]'      # a Python regex, matched against one line of body text
    max_chars = 40                # optional: only lines at most this long
    first_lines = 2               # optional: only the first N lines (last_lines: the last N)
    max_tail_share = 0.5          # drop_to_end / end_marker: never cut more than this share
    drop_preceding = "org"        # drop_line: also drop the lines just before the match
                                  # that start with what this named group captured
    domain = "example.com"        # optional: only pages of this host and its subdomains

    [[rules]]
    name = "example_sidebar"
    kind = "xpath"                # delete the elements before extraction
    xpath = '//div[@class="sidebar"]'
    domain = "example.com"

See docs/boilerplate.md for the kinds and the built-in rules.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml.etree import XPath, XPathSyntaxError

from cleaning.errors import ConfigError

__all__ = ["DEFAULT_RULES_PATH", "Rule", "RuleKind", "RuleSet", "compiled_xpath", "host_of", "load_rules"]

DEFAULT_RULES_PATH = Path(__file__).with_name("default.toml")


class RuleKind(enum.StrEnum):
    """What a rule does with what it matches."""

    DROP_LINE = "drop_line"  # drop each matching line
    DROP_TO_END = "drop_to_end"  # drop the first matching line and every line after it
    STRIP_SPAN = "strip_span"  # cut the matched text out of the line; drop the line if nothing is left
    END_MARKER = "end_marker"  # cut the match (an end-of-article mark) and drop every line after it
    XPATH = "xpath"  # delete the selected elements from the page before extraction


@dataclasses.dataclass(frozen=True)
class Rule:
    """One boilerplate rule; see the module docstring for the file format."""

    name: str
    kind: RuleKind
    pattern: re.Pattern[str] | None = None
    xpath: str | None = None
    domain: str | None = None
    max_chars: int | None = None
    first_lines: int | None = None
    last_lines: int | None = None
    max_tail_share: float = 0.5
    drop_preceding: str | None = None

    def applies_to(self, host: str | None) -> bool:
        """Return whether the rule is in force for a page on host (None: no URL)."""
        if self.domain is None:
            return True
        return host is not None and (host == self.domain or host.endswith("." + self.domain))


@dataclasses.dataclass(frozen=True)
class RuleSet:
    """The rules in force, in file order: built-in first, then the user's."""

    line_rules: tuple[Rule, ...] = ()
    xpath_rules: tuple[Rule, ...] = ()

    def for_host(self, host: str | None) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
        """Return (line rules, xpath rules) in force for a page on host."""
        return (
            tuple(r for r in self.line_rules if r.applies_to(host)),
            tuple(r for r in self.xpath_rules if r.applies_to(host)),
        )


def host_of(url: object) -> str | None:
    """Return the lower-case host of a URL, or None for a missing or malformed one."""
    if not isinstance(url, str) or not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:  # "http://[::1": a bad URL is data, not a reason to fail the batch
        return None


_KEYS = {f.name for f in dataclasses.fields(Rule)} | {"pattern", "xpath"}


def _rule(entry: Mapping[str, Any], where: str) -> Rule:
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; known keys: {sorted(_KEYS)}")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: every rule needs a non-empty `name`")
    try:
        kind = RuleKind(str(entry.get("kind")))
    except ValueError:
        raise ConfigError(f"{where} ({name}): `kind` must be one of {[k.value for k in RuleKind]}") from None
    values = {k: v for k, v in entry.items() if k not in ("name", "kind", "pattern", "xpath")}
    if kind is RuleKind.XPATH:
        expression = entry.get("xpath")
        if not isinstance(expression, str):
            raise ConfigError(f"{where} ({name}): an xpath rule needs an `xpath` string")
        try:
            XPath(expression)
        except XPathSyntaxError as exc:
            raise ConfigError(f"{where} ({name}): invalid XPath {expression!r}: {exc}") from exc
        return Rule(name=name, kind=kind, xpath=expression, **values)
    source = entry.get("pattern")
    if not isinstance(source, str):
        raise ConfigError(f"{where} ({name}): a {kind} rule needs a `pattern` string (a regex)")
    try:
        pattern = re.compile(source)
    except re.error as exc:
        raise ConfigError(f"{where} ({name}): invalid regex {source!r}: {exc}") from exc
    group = values.get("drop_preceding")
    if group is not None and group not in pattern.groupindex:
        raise ConfigError(f"{where} ({name}): drop_preceding names group {group!r}, which the pattern lacks")
    try:
        return Rule(name=name, kind=kind, pattern=pattern, **values)
    except TypeError as exc:
        raise ConfigError(f"{where} ({name}): {exc}") from exc


def _read(path: Path) -> list[Rule]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read boilerplate rules ({exc})") from exc
    entries = data.get("rules", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `rules` must be an array of tables ([[rules]])")
    return [_rule(entry, f"{path}: rule {i + 1}") for i, entry in enumerate(entries)]


@functools.cache
def load_rules(user_file: Path | None = None) -> RuleSet:
    """Load the built-in rules plus the user's file; cached, so each process reads them once."""
    rules = _read(DEFAULT_RULES_PATH) + (_read(user_file) if user_file is not None else [])
    names = [r.name for r in rules]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"boilerplate rule names must be unique; repeated: {duplicated}")
    return RuleSet(
        line_rules=tuple(r for r in rules if r.kind is not RuleKind.XPATH),
        xpath_rules=tuple(r for r in rules if r.kind is RuleKind.XPATH),
    )


@functools.cache
def compiled_xpath(expression: str) -> XPath:
    """Compile an XPath once per process (XPath objects cannot be pickled into rules)."""
    return XPath(expression)
