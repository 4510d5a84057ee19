"""The progress of a run: counted inputs, bytes for WARC archives, clean lines when stderr is no terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cleaning.inputs import progress
from cleaning.inputs.progress import InputProgress
from cleaning.inputs.readers import iter_inputs
from tests.conftest import write_article

WARC = Path(__file__).parents[1] / "fixtures" / "inputs" / "crawl" / "tidings-20250514023000-00000-fixture.warc.gz"


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> pytest.CaptureFixture[str]:
    """stderr as pytest captures it (not a terminal); a line at every update."""
    monkeypatch.setattr(progress, "_LINE_INTERVAL", 0.0)
    return capsys


def _run(inputs: list[Path]) -> InputProgress:
    tracker = InputProgress(inputs, enabled=True)
    tracker.bar.delay = 0  # show from the first update
    for _ in tracker.track(iter_inputs(inputs)):
        pass
    tracker.close(finished=True)
    return tracker


def test_a_folder_is_counted_in_files_and_logged_as_lines(tmp_path: Path, log: pytest.CaptureFixture[str]) -> None:
    for number in range(5):
        write_article(tmp_path / "in", f"story-{number}.txt", f"Story {number}")
    tracker = _run([tmp_path / "in"])
    assert tracker.bar.total == 5
    assert not tracker.by_bytes
    text = log.readouterr().err
    assert "\r" not in text
    lines = text.splitlines()
    assert lines
    assert all(line.startswith("cleaning:") and "/5 " in line for line in lines)
    assert "5/5" in lines[-1]


def test_warc_archives_are_counted_by_bytes(tmp_path: Path, log: pytest.CaptureFixture[str]) -> None:
    shutil.copy(WARC, tmp_path / WARC.name)
    write_article(tmp_path, "story.txt", "A story")
    seen: list[int] = []
    tracker = InputProgress([tmp_path], enabled=True)
    for _ in tracker.track(iter_inputs([tmp_path])):
        seen.append(tracker.bar.n)
    tracker.close(finished=True)
    assert tracker.by_bytes
    assert tracker.bar.total == WARC.stat().st_size + (tmp_path / "story.txt").stat().st_size
    assert seen == sorted(seen)
    assert 0 < len(set(seen)) > 2, "the bar moves record by record through the archive"
    assert tracker.bar.n == tracker.bar.total


def test_disabled_progress_writes_nothing(tmp_path: Path, log: pytest.CaptureFixture[str]) -> None:
    write_article(tmp_path / "in", "story.txt", "A story")
    tracker = InputProgress([tmp_path / "in"], enabled=False)
    list(tracker.track(iter_inputs([tmp_path / "in"])))
    tracker.close(finished=True)
    assert log.readouterr().err == ""
