"""Shared fixtures: the seed documents and small article files written on the fly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"

ENGLISH_BODY = (
    "Cyberport opened a new artificial intelligence laboratory on Tuesday, "
    "offering start-ups free computing time for a year.\n"
    "The laboratory will host forty companies in its first intake, the operator said, "
    "and will focus on financial technology and health care.\n"
    "Officials expect the programme to create several hundred jobs by the end of next year."
)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the three seed documents."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def write_article(folder: Path, name: str, title: str, body: str = ENGLISH_BODY) -> Path:
    """Write a plain-text article (first line is the title) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path
