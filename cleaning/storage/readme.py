"""The column documentation written into every output folder (OUTPUT/README.md), shipped in the wheel."""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from pathlib import Path

__all__ = ["README_NAME", "dataset_readme", "write_readme"]

README_NAME = "README.md"


def dataset_readme() -> bytes:
    """The text of the dataset's README (cleaning/storage/README.dataset.md, package data)."""
    return resources.files("cleaning.storage").joinpath("README.dataset.md").read_bytes()


def write_readme(root: Path) -> None:
    """Write the dataset README into root unless it is already there; atomically, never failing a run."""
    text = dataset_readme()
    target = Path(root) / README_NAME
    with contextlib.suppress(OSError):
        if target.read_bytes() == text:
            return
    tmp = target.with_name(f".{README_NAME}.tmp-{os.getpid()}")
    with contextlib.suppress(OSError):  # documentation must not cost the user a committed run
        tmp.write_bytes(text)
        os.replace(tmp, target)
    tmp.unlink(missing_ok=True)
