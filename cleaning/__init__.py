"""Cleaning: pure steps that turn archived pages into the articles dataset (no Scrapy, no network)."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("tidings")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
