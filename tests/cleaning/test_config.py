"""CleaningConfig precedence: command line > environment > config file > defaults."""

from __future__ import annotations

import pytest

from cleaning.config import CleaningConfig, load_config
from cleaning.errors import ConfigError


def test_defaults_without_any_source():
    assert load_config(environ={}) == CleaningConfig()


def test_file_then_environment_then_command_line(tmp_path):
    path = tmp_path / "tidings.toml"
    path.write_text(
        '[cleaning]\ndefault_timezone = "Asia/Shanghai"\nworkers = 3\nmin_text_chars = 50\n'
        "[cleaning.dedup]\nbands = 32\nrows = 4\n",
        encoding="utf-8",
    )
    config = load_config(
        path,
        environ={"TIDINGS_WORKERS": "5", "TIDINGS_MIN_TEXT_CHARS": "70"},
        overrides={"workers": 2, "default_timezone": None},
    )
    assert config.default_timezone == "Asia/Shanghai"  # file (the override was not given)
    assert config.min_text_chars == 70  # environment beats file
    assert config.workers == 2  # command line beats environment
    assert (config.dedup.bands, config.dedup.rows) == (32, 4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[cleaning]\nworkrs = 2\n", "unknown cleaning setting 'workrs'"),
        ("[cleaning]\nworkers = 'many'\n", "cannot use 'many'"),
        ("[cleaning.dedup]\nbandz = 2\n", "unknown dedup setting"),
        ("[cleaning\n", "cannot read config"),
    ],
)
def test_bad_files_name_the_file_and_the_setting(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path, environ={})
    assert "bad.toml" in str(error.value)


def test_environment_booleans():
    assert load_config(environ={"TIDINGS_INCLUDE_COMMENTS": "yes"}).include_comments is True
