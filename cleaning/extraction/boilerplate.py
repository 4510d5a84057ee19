"""Remove what trafilatura keeps: editor lines, promos, 'original title' lines, related links.

The rules are data (cleaning/extraction/rules/default.toml plus an optional user file, see
cleaning.extraction.rules); this module applies them to body text, line by line.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cleaning.extraction.credits import LEAD_CREDIT, drop_lead_credits
from cleaning.extraction.rules import Rule, RuleKind, RuleSet, host_of
from cleaning.extraction.rules.screens import screen_of
from cleaning.step import StepResult, require_columns

__all__ = ["apply_rules", "remove_boilerplate"]

Removed = dict[str, list[str]]

# an organisation's name can be cut short in its own blurb ("香港投资推广署" -> "投资推广署")
_MIN_NAME_SUFFIX = 3


def _in_scope(rule: Rule, lines: Sequence[str]) -> range:
    start, stop = 0, len(lines)
    if rule.first_lines is not None:
        stop = min(stop, rule.first_lines)
    if rule.last_lines is not None:
        start = max(start, len(lines) - rule.last_lines)
    return range(start, stop)


def _matches(rule: Rule, line: str) -> bool:
    if rule.max_chars is not None and len(line) > rule.max_chars:
        return False
    if rule.pattern is None or ((screen := screen_of(rule.pattern)) is not None and not screen.search(line)):
        return False
    return rule.pattern.search(line) is not None


def _tail_allowed(rule: Rule, lines: Sequence[str], start: int) -> bool:
    total = sum(len(line) for line in lines)
    tail = sum(len(line) for line in lines[start:])
    return total > 0 and tail / total <= rule.max_tail_share


def _starts_with_name(line: str, name: str) -> bool:
    return any(line.startswith(name[k:]) for k in range(max(len(name) - _MIN_NAME_SUFFIX + 1, 1)))


def _drop_lines(rule: Rule, lines: list[str], removed: Removed) -> list[str]:
    if rule.pattern is None:
        return lines
    # speed: the matching lines in one comprehension (the same test as _matches, without a
    # call per line); most rules match no line of a page, and their screen says so sooner
    search, cap, screen = rule.pattern.search, rule.max_chars, screen_of(rule.pattern)
    if screen is None:
        hits = [i for i in _in_scope(rule, lines) if (cap is None or len(lines[i]) <= cap) and search(lines[i])]
    else:
        seen = screen.search
        hits = [
            i
            for i in _in_scope(rule, lines)
            if (cap is None or len(lines[i]) <= cap) and seen(lines[i]) and search(lines[i])
        ]
    if not hits:
        return lines
    dropped: set[int] = set()
    for i in hits:
        dropped.add(i)
        if rule.drop_preceding and rule.pattern is not None:
            match = rule.pattern.search(lines[i])
            name = (match.group(rule.drop_preceding) or "").strip() if match else ""
            j = i - 1
            while name and j >= 0 and j not in dropped and _starts_with_name(lines[j], name):
                dropped.add(j)
                j -= 1
    if dropped:
        removed.setdefault(rule.name, []).extend(lines[i] for i in sorted(dropped))
    return [line for i, line in enumerate(lines) if i not in dropped]


def _drop_to_end(rule: Rule, lines: list[str], removed: Removed) -> list[str]:
    for i in _in_scope(rule, lines):
        if _matches(rule, lines[i]):
            # a heading that would take most of the text with it is mid-article: drop only the heading
            cut = lines[i:] if _tail_allowed(rule, lines, i) else [lines[i]]
            removed.setdefault(rule.name, []).extend(cut)
            return lines[:i] + lines[i + len(cut) :]
    return lines


def _strip_spans(rule: Rule, lines: list[str], removed: Removed) -> list[str]:
    out = list(lines)
    scope = set(_in_scope(rule, lines))
    for i in sorted(scope, reverse=True):
        if not _matches(rule, lines[i]) or rule.pattern is None:
            continue
        spans = [m.group(0).strip() for m in rule.pattern.finditer(lines[i])]
        removed.setdefault(rule.name, []).extend(s for s in spans if s)
        rest = rule.pattern.sub("", lines[i]).strip()
        if rest:
            out[i] = rest
        else:
            del out[i]
    return out


def _end_at_marker(rule: Rule, lines: list[str], removed: Removed) -> list[str]:
    for i in reversed(_in_scope(rule, lines)):
        if not _matches(rule, lines[i]) or rule.pattern is None:
            continue
        match = rule.pattern.search(lines[i])
        assert match is not None
        rest = (lines[i][: match.start()] + lines[i][match.end() :]).strip()
        after = lines[i + 1 :] if _tail_allowed(rule, lines, i + 1) else []
        removed.setdefault(rule.name, []).extend([match.group(0).strip(), *after])
        return [*lines[:i], *([rest] if rest else []), *lines[i + 1 + len(after) :]]
    return lines


_APPLY = {
    RuleKind.DROP_LINE: _drop_lines,
    RuleKind.DROP_TO_END: _drop_to_end,
    RuleKind.STRIP_SPAN: _strip_spans,
    RuleKind.END_MARKER: _end_at_marker,
}


def apply_rules(text: str, rules: Sequence[Rule]) -> tuple[str, Removed]:
    """Apply line rules in order, then drop byline/dateline lines atop the body (cleaning.extraction.credits).

    Return the text and what each rule that fired removed (the credit lines under LEAD_CREDIT).
    """
    lines = [line for line in text.split("\n") if line.strip()]
    removed: Removed = {}
    for rule in rules:
        if rule.kind in _APPLY and lines:
            lines = _APPLY[rule.kind](rule, lines, removed)
    # after the rules: the credits are judged among the lines the story now starts with
    lines, credits = drop_lead_credits(lines)
    if credits:
        removed.setdefault(LEAD_CREDIT, []).extend(credits)
    return "\n".join(lines), removed


def remove_boilerplate(articles: pd.DataFrame, *, rules: RuleSet) -> StepResult:
    """Drop boilerplate lines and spans from the body and record the rules that fired.

    Reads:   text, url, boilerplate_rules (when extraction wrote it: XPath rules that fired)
    Writes:  text, boilerplate_rules (sorted rule names), removed_lines (dict: rule name ->
             the lines or spans it removed; metadata reads editors and reporters from it)
    Rejects: nothing (a body left empty is rejected later as text_too_short)
    """
    require_columns(articles, "text", "url", step="remove_boilerplate")
    earlier: Sequence[Sequence[str] | None] = (
        articles["boilerplate_rules"].tolist() if "boilerplate_rules" in articles else [None] * len(articles)
    )
    texts: list[str] = []
    fired: list[list[str]] = []
    removed_lines: list[Removed] = []
    for text, url, before in zip(articles["text"], articles["url"], earlier, strict=True):
        line_rules, _ = rules.for_host(host_of(url))
        clean, removed = apply_rules(text, line_rules)
        texts.append(clean)
        removed_lines.append(removed)
        fired.append(sorted(set(before or ()) | set(removed)))
    return StepResult(
        articles.assign(
            text=pd.Series(texts, index=articles.index, dtype=object),
            boilerplate_rules=pd.Series(fired, index=articles.index, dtype=object),
            removed_lines=pd.Series(removed_lines, index=articles.index, dtype=object),
        ),
        articles.iloc[0:0],
    )
