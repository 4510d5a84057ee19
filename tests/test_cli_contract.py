"""What scripts, cron and Makefiles rely on, through the real command line: exit codes, early checks, -v/-q."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tidings
from tests.conftest import write_article

ROOT = Path(__file__).parents[1]


def tidings_cli(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m tidings ARGS` from the repository root, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "tidings", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_folder_where_every_file_fails_exits_3(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.bin").write_bytes(b"\x00\x01binary")
    (tmp_path / "in" / "b.pdf").write_bytes(b"%PDF-1.4")
    result = tidings_cli("clean", tmp_path / "in", "-o", tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert "rejects:     2 (unsupported_format 2)" in result.stderr
    assert "exit code 3" in result.stderr.splitlines()[-1]


def test_a_run_that_produced_articles_exits_0(tmp_path):
    write_article(tmp_path / "in", "story.txt", "Cyberport opens an AI lab")
    (tmp_path / "in" / "junk.bin").write_bytes(b"\x00")
    result = tidings_cli("clean", tmp_path / "in", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr


def test_an_output_under_a_file_exits_2_before_any_work(tmp_path):
    write_article(tmp_path / "in", "story.txt", "A story")
    (tmp_path / "file").write_text("not a folder")
    result = tidings_cli("clean", tmp_path / "in", "-o", tmp_path / "file" / "out")
    assert result.returncode == 2
    line = _one_error_line(result)
    assert f"output {tmp_path / 'file' / 'out'} is under a file, {tmp_path / 'file'}" in line


def test_an_output_that_is_a_file_exits_2(tmp_path):
    write_article(tmp_path / "in", "story.txt", "A story")
    (tmp_path / "out").write_text("a file")
    result = tidings_cli("clean", tmp_path / "in", "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "is a file" in _one_error_line(result)


def test_an_unwritable_output_exits_2_before_any_work(tmp_path):
    write_article(tmp_path / "in", "story.txt", "A story")
    if os.geteuid() == 0:
        target = Path("/sys/tidings-test-output")  # root may write anywhere but sysfs
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        target = locked / "out"
    result = tidings_cli("clean", tmp_path / "in", "-o", target)
    assert result.returncode == 2
    assert f"cannot write to output {target}" in _one_error_line(result)


def test_an_output_holding_a_dataset_of_another_schema_exits_2(tmp_path):
    write_article(tmp_path / "in", "story.txt", "A story")
    (tmp_path / "out" / "articles").mkdir(parents=True)
    pq.write_table(pa.table({"id": [1, 2], "headline": ["a", "b"]}), tmp_path / "out" / "articles" / "part-0.parquet")
    result = tidings_cli("clean", tmp_path / "in", "-o", tmp_path / "out")
    assert result.returncode == 2
    line = _one_error_line(result)
    assert f"{tmp_path / 'out' / 'articles'} holds a dataset of another schema" in line
    assert "id (int64, expected large_string)" in line
    assert not (tmp_path / "out" / "runs").exists(), "refused before the run started"


def test_schedule_refuses_an_invalid_sources_file_at_start(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "bad"\nfeeds = ["not-a-url"]\n', encoding="utf-8")
    result = tidings_cli("schedule", "--sources", sources, "--every", "1h", "-o", tmp_path / "out", timeout=60)
    assert result.returncode == 2
    assert "source 'bad', field 'feeds'" in _one_error_line(result)


def test_load_of_a_folder_without_a_dataset_raises(tmp_path):
    with pytest.raises(tidings.NoDatasetError, match="does not exist"):
        tidings.load(tmp_path / "typo")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no tidings dataset"):
        tidings.load(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        tidings.load_rejects(tmp_path / "typo")


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_before_or_after_the_command_prints_nothing(tmp_path, where):
    write_article(tmp_path / "in", "story.txt", "A story")
    command = ["clean", tmp_path / "in", "-o", tmp_path / "out"]
    result = tidings_cli(*(["-q", *command] if where == "before" else [*command, "-q"]))
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout == ""
    assert len(tidings.load(tmp_path / "out")) == 1


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_before_or_after_the_command_logs_info(tmp_path, where):
    write_article(tmp_path / "in", "story.txt", "A story")
    command = ["clean", tmp_path / "in", "-o", tmp_path / "out"]
    result = tidings_cli(*(["-v", *command] if where == "before" else [*command, "-v"]))
    assert result.returncode == 0
    assert " INFO cleaning." in result.stderr


def test_ctrl_c_exits_130_and_the_same_command_finishes_the_work(tmp_path):
    for number in range(400):
        body = f"Story {number}: the council met on day {number} and voted {number} to {number + 1}. " * 6
        write_article(tmp_path / "in", f"story-{number:03d}.txt", f"Story number {number} of the day", body)
    command = [sys.executable, "-m", "tidings", "clean", str(tmp_path / "in"), "-o", str(tmp_path / "out")]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "out" / ".tidings" / "staging").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Interrupted" in stderr
    assert "Traceback" not in stderr
    again = tidings_cli("clean", tmp_path / "in", "-o", tmp_path / "out", "-q")
    assert again.returncode == 0, again.stderr
    assert len(tidings.load(tmp_path / "out")) == 400
