"""The run history: one typed row per clean or crawl, appended without losing rows."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import tidings
from cleaning.config import CleaningConfig
from cleaning.schema import RUN_SCHEMA
from cleaning.storage.runs import append_run, read_runs
from tests.conftest import write_article
from tidings.cli import main
from tidings.history import config_hash, recording


def _row(n: int) -> dict[str, object]:
    return {
        "run_id": f"{n:032x}",
        "command": "clean",
        "status": "ok",
        "started_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=n),
        "ended_at": dt.datetime(2026, 1, 1, 0, 1, tzinfo=dt.UTC),
        "seconds": 1.5,
        "rejects_by_reason": {"no_text": n},
        "tidings_version": "0",
    }


def _append_many(root: str, start: int) -> None:
    for n in range(start, start + 20):
        append_run(Path(root), _row(n))


def test_concurrent_runs_never_lose_a_row(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), 100 * i)) for i in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    runs = read_runs(tmp_path)
    assert runs.num_rows == 60
    assert runs.schema == RUN_SCHEMA
    assert runs.column("started_at").to_pylist() == sorted(runs.column("started_at").to_pylist())
    assert not list((tmp_path / "runs").glob(".*")), "no temporary file is left behind"


def test_clean_appends_a_typed_row_per_run(tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    write_article(inputs, "story.txt", "Cyberport opens an AI lab")
    (inputs / "broken.warc.gz").write_bytes(b"not gzip")
    for _ in range(2):
        result = CliRunner().invoke(main, ["clean", str(inputs), "-o", str(out), "--no-progress"])
        assert result.exit_code == 0, result.output
    runs = tidings.load_runs(out)
    assert len(runs) == 2
    first, second = runs.iloc[0], runs.iloc[1]
    assert first["command"] == "clean"
    assert first["status"] == "ok"
    assert first["inputs"] == [str(inputs)]
    assert first["engine"] == "local"
    assert pd.isna(first["worker"])
    assert (first["pages_read"], first["articles_new"], second["articles_new"]) == (2, 1, 0)
    assert first["rejects_by_reason"] == {"unreadable": 1}
    assert first["languages"] == {"en": 1}
    assert first["articles_total"] == second["articles_total"] == 1
    assert pd.isna(first["fetched"]), "crawl figures are null for a clean run"
    assert first["ended_at"] >= first["started_at"]
    assert first["tidings_version"] == tidings.__version__
    assert first["config_hash"] == config_hash(CleaningConfig())
    assert pq.read_table(out / "runs").schema.equals(RUN_SCHEMA, check_metadata=False)


def test_a_failed_run_is_recorded_with_its_error(tmp_path):
    with pytest.raises(RuntimeError), recording(tmp_path, "clean", inputs=["x"], config=CleaningConfig()):
        raise RuntimeError("disk on fire")
    runs = tidings.load_runs(tmp_path)
    assert runs["status"].tolist() == ["failed"]
    assert runs["error"].tolist() == ["RuntimeError: disk on fire"]


def test_the_config_hash_changes_with_the_settings():
    assert config_hash(CleaningConfig()) == config_hash(CleaningConfig())
    assert config_hash(CleaningConfig()) != config_hash(CleaningConfig(min_text_chars=50))


def test_no_history_loads_as_an_empty_typed_frame(tmp_path):
    runs = tidings.load_runs(tmp_path)
    assert runs.empty
    assert list(runs.columns) == RUN_SCHEMA.names


def test_a_history_written_before_a_column_existed_still_loads(tmp_path):
    append_run(tmp_path, _row(0))
    old = pq.read_table(tmp_path / "runs").drop_columns(["engine", "worker"])
    (written,) = (tmp_path / "runs").glob("*.parquet")
    pq.write_table(old, written)  # as a tidings before these columns wrote it
    runs = tidings.load_runs(tmp_path)
    assert len(runs) == 1
    assert runs["engine"].isna().all()
