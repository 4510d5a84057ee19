"""Errors raised for our bugs and bad configuration (bad data never raises: it becomes a reject).

TidingsError
 ├── ConfigError   a setting, config file or sources file is wrong; the message names it
 ├── SchemaError   a step was given a frame without the columns it reads, or a dataset on disk
 │                 does not match the schema
 └── NoDatasetError a folder given to read holds no tidings dataset (also a FileNotFoundError)
"""

from __future__ import annotations

__all__ = ["ConfigError", "NoDatasetError", "SchemaError", "TidingsError"]


class TidingsError(Exception):
    """Base class of every error tidings raises on purpose."""


class ConfigError(TidingsError):
    """A setting, config file or sources file is invalid."""


class SchemaError(TidingsError):
    """A frame or dataset does not have the columns or types it must have."""


class NoDatasetError(TidingsError, FileNotFoundError):
    """A folder given to read holds no tidings dataset (a typo, or nothing written there yet)."""
