"""The command line: thin, documented, errors as messages and non-zero exits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner

import tidings
from tests.conftest import write_article
from tidings.cli import main

ROOT = Path(__file__).parents[1]
COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"add an 'Example:' block to the docstring of `tidings {name}`"
    assert f"tidings {name}" in (ROOT / "README.md").read_text(encoding="utf-8"), (
        f"document `tidings {name}` in README.md"
    )


def test_clean_writes_the_dataset_and_prints_a_summary(tmp_path):
    write_article(tmp_path / "in", "story.txt", "Cyberport opens an AI lab")
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "articles:    1 (1 new" in result.stderr
    assert result.stdout == "", "data goes to files, the summary to stderr"
    assert tidings.load(tmp_path / "out")["title"].tolist() == ["Cyberport opens an AI lab"]


def test_a_bad_config_file_is_an_error_message_not_a_traceback(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[cleaning]\nworkres = 2\n", encoding="utf-8")
    write_article(tmp_path / "in", "story.txt", "A story")
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "in"), "--config", str(config)])
    assert result.exit_code != 0
    assert "unknown cleaning setting 'workres'" in result.output
    assert "Traceback" not in result.output


def test_python_dash_m_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "--version"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("tidings, version")


def test_a_missing_input_exits_2_with_one_line(tmp_path):
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "nope"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: input {tmp_path / 'nope'} does not exist; give existing files or folders to clean"
    ]
    assert not (tmp_path / "out").exists()


def test_an_unknown_timezone_exits_2_with_one_line(tmp_path):
    write_article(tmp_path / "in", "story.txt", "A story")
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "in"), "--timezone", "Mars/Base"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "'Mars/Base' is not a known time zone; use an IANA name such as Asia/Hong_Kong" in lines[0]


def test_a_warning_is_one_line_and_tracebacks_need_vv(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.html").write_text("<p>ok</p>")
    args = ["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--no-progress"]
    with mock.patch("cleaning.inputs.readers._read_document", side_effect=RuntimeError("boom\nsecond line")):
        quiet = CliRunner().invoke(main, args)
        loud = CliRunner().invoke(main, ["-vv", *args])
    assert quiet.exit_code == 3, quiet.output  # the only input was lost: nothing produced
    warnings = [line for line in quiet.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1
    assert "internal error reading" in warnings[0]
    assert "second line" in warnings[0]
    assert "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr
