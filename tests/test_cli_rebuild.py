"""Cleaning again after a config change, through the real command line: no stale rows, --rebuild, upgrades."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import tidings
from tests.conftest import ENGLISH_BODY
from tests.test_cli_contract import tidings_cli

ROOT = Path(__file__).parents[1]

# c1 rejects the big page (too_large) and keeps the short one; c2 does the opposite, and its
# min_text_chars also rejects "first", the canonical row of the cluster first/second/third
C1 = "[cleaning]\nmax_input_bytes = 1000\nmin_text_chars = 1\n"
C2 = "[cleaning]\nmin_text_chars = 350\n"


def _post(folder: Path, name: str, date: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\ntitle: '{name}'\ndate: {date}\n---\n\n{body}\n", encoding="utf-8")
    return path


def _inputs(root: Path) -> Path:
    """Pages that move both ways between C1 and C2, and a near-duplicate cluster whose canonical row leaves."""
    folder = root / "in"
    _post(folder, "first.md", "2025-05-01T10:00:00+08:00", ENGLISH_BODY)  # 344 chars: out under C2
    _post(folder, "second.md", "2025-05-02T10:00:00+08:00", ENGLISH_BODY + " The operator will report in May.")
    _post(folder, "third.md", "2025-05-03T10:00:00+08:00", ENGLISH_BODY + " Applications close in June.")
    _post(folder, "short.md", "2025-05-04T10:00:00+08:00", "A short note on the ferry timetable.")  # out under C2
    long_body = "\n\n".join(
        f"Paragraph {n}: the Legislative Council debated the harbour plan again on Thursday." for n in range(20)
    )
    _post(folder, "big.md", "2025-05-05T10:00:00+08:00", long_body)  # over 1000 bytes: out under C1
    (root / "c1.toml").write_text(C1, encoding="utf-8")
    (root / "c2.toml").write_text(C2, encoding="utf-8")
    return folder


def _articles(output: Path) -> pd.DataFrame:
    frame = tidings.load(output).drop(columns=["tidings_version"])
    return frame.sort_values("id").reset_index(drop=True)


def _rejects(output: Path) -> pd.DataFrame:
    frame = tidings.load_rejects(output)[["origin", "url", "stage", "reason", "detail"]]
    return frame.sort_values(["origin", "reason"]).reset_index(drop=True)


def _name(origin: str) -> str:
    return Path(origin).name


def _assert_same_dataset(output: Path, fresh: Path) -> None:
    pd.testing.assert_frame_equal(_articles(output), _articles(fresh))
    pd.testing.assert_frame_equal(_rejects(output), _rejects(fresh))


def _clean(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = tidings_cli("clean", *args)
    assert result.returncode in (0, 3), result.stderr
    return result


def test_cleaning_again_with_another_config_leaves_no_page_in_both_datasets(tmp_path):
    folder = _inputs(tmp_path)
    out = tmp_path / "out"
    _clean(folder, "-o", out, "--config", tmp_path / "c1.toml")
    before = _articles(out)
    assert sorted(map(_name, before["origin"])) == ["first.md", "second.md", "short.md", "third.md"]
    first_id = before.loc[before["origin"].map(_name) == "first.md", "id"].item()
    assert sorted(before["duplicate_of"].dropna()) == [first_id, first_id]

    result = _clean(folder, "-o", out, "--config", tmp_path / "c2.toml")
    assert "2 removed (their pages are now rejected)" in result.stderr
    articles, rejects = _articles(out), _rejects(out)
    assert not set(articles["origin"]) & set(rejects["origin"])
    assert sorted(map(_name, articles["origin"])) == ["big.md", "second.md", "third.md"]
    assert sorted(zip(map(_name, rejects["origin"]), rejects["reason"], strict=True)) == [
        ("first.md", "text_too_short"),
        ("short.md", "text_too_short"),
    ]
    # the removed canonical row hands its cluster over to the earliest that is left
    second_id = articles.loc[articles["origin"].map(_name) == "second.md", "id"].item()
    pointers = {_name(o): d for o, d in zip(articles["origin"], articles["duplicate_of"].astype(object), strict=True)}
    assert {k: None if pd.isna(v) else v for k, v in pointers.items()} == {
        "big.md": None,
        "second.md": None,
        "third.md": second_id,
    }

    fresh = tmp_path / "fresh"
    _clean(folder, "-o", fresh, "--config", tmp_path / "c2.toml")
    _assert_same_dataset(out, fresh)

    # and back: the pages return, their rejects go
    _clean(folder, "-o", out, "--config", tmp_path / "c1.toml")
    fresh1 = tmp_path / "fresh1"
    _clean(folder, "-o", fresh1, "--config", tmp_path / "c1.toml")
    _assert_same_dataset(out, fresh1)


@pytest.mark.slow
def test_one_page_per_commit_and_the_dask_engine_keep_the_invariant(tmp_path):
    folder = _inputs(tmp_path)
    (tmp_path / "c2-sliced.toml").write_text(C2 + "slice_pages = 1\n", encoding="utf-8")
    out = tmp_path / "out"
    _clean(folder, "-o", out, "--config", tmp_path / "c1.toml")
    _clean(folder, "-o", out, "--config", tmp_path / "c2-sliced.toml")
    fresh = tmp_path / "fresh"
    _clean(folder, "-o", fresh, "--config", tmp_path / "c2.toml")
    _assert_same_dataset(out, fresh)

    pytest.importorskip("dask.distributed")
    dask_out = tmp_path / "dask"
    _clean(folder, "-o", dask_out, "--config", tmp_path / "c1.toml", "--engine", "dask", "-w", "1")
    _clean(folder, "-o", dask_out, "--config", tmp_path / "c2.toml", "--engine", "dask", "-w", "1")
    _assert_same_dataset(dask_out, fresh)
    (folder / "third.md").unlink()
    _clean(folder, "-o", dask_out, "--config", tmp_path / "c2.toml", "--engine", "dask", "-w", "1", "--rebuild")
    rebuilt_fresh = tmp_path / "rebuilt-fresh"
    _clean(folder, "-o", rebuilt_fresh, "--config", tmp_path / "c2.toml")
    _assert_same_dataset(dask_out, rebuilt_fresh)


def test_rebuild_equals_a_fresh_clean_and_drops_rows_of_inputs_gone(tmp_path):
    folder = _inputs(tmp_path)
    out = tmp_path / "out"
    _clean(folder, "-o", out, "--config", tmp_path / "c1.toml")
    other = tmp_path / "other"
    _post(
        other,
        "elsewhere.md",
        "2025-06-01T10:00:00+08:00",
        ENGLISH_BODY.replace("Cyberport", "Science Park") + " More next week.",
    )
    _clean(other, "-o", out, "--config", tmp_path / "c1.toml")  # an input the rebuild will not be given
    (folder / "third.md").unlink()  # an input gone
    result = _clean(folder, "-o", out, "--config", tmp_path / "c2.toml", "--rebuild")
    assert "rebuilt:     replaced the previous dataset (5 articles) in one commit" in result.stderr
    fresh = tmp_path / "fresh"
    _clean(folder, "-o", fresh, "--config", tmp_path / "c2.toml")
    _assert_same_dataset(out, fresh)
    assert sorted(map(_name, _articles(out)["origin"])) == ["big.md", "second.md"]
    assert not (out / ".tidings" / "rebuild").exists() or not any((out / ".tidings" / "rebuild").iterdir())
    # the output stays an ordinary output: the next clean adds to it
    _clean(other, "-o", out, "--config", tmp_path / "c2.toml")
    assert len(_articles(out)) == 3


def test_rebuild_reads_the_warc_files_stored_in_the_output(tmp_path):
    import shutil

    from tests.conftest import FIXTURES

    warcs = sorted((FIXTURES / "inputs").rglob("*.warc.gz"))
    assert warcs
    out = tmp_path / "out"
    (out / "warc").mkdir(parents=True)
    for warc in warcs:
        shutil.copy(warc, out / "warc" / warc.name)
    (out / "warc" / "crawl-00009.warc.gz.open").write_bytes(b"being written")  # a crawl still writing: not read
    _clean(out / "warc", "-o", out)
    folder = _inputs(tmp_path)
    _clean(folder, "-o", out)
    fresh = tmp_path / "fresh"
    _clean(out / "warc", folder, "-o", fresh)
    result = _clean("-o", out, "--rebuild")  # no INPUTS: OUT/warc only
    assert result.returncode == 0, result.stderr
    expected = tidings.load(fresh)
    warc_rows = expected[expected["origin"].str.contains(".warc.gz@", regex=False)]
    assert len(warc_rows)
    assert sorted(_articles(out)["id"]) == sorted(warc_rows["id"])
    _clean(folder, "-o", out, "--rebuild")
    pd.testing.assert_frame_equal(_articles(out), _articles(fresh))


def test_rebuild_without_inputs_or_stored_warc_is_a_usage_error(tmp_path):
    result = tidings_cli("clean", "-o", tmp_path / "out", "--rebuild")
    assert result.returncode == 2
    assert "nothing to rebuild from" in result.stderr
    result = tidings_cli("clean", "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "Missing argument 'INPUTS...'" in result.stderr


def test_a_killed_rebuild_leaves_the_dataset_intact_and_the_same_command_resumes(tmp_path):
    folder = _inputs(tmp_path)
    for number in range(300):
        body = f"Story {number}: the council met on day {number} and voted {number} to {number + 1}. " * 8
        _post(folder / "stories", f"story-{number:03d}.md", "2025-05-06T10:00:00+08:00", body)
    (tmp_path / "c2-sliced.toml").write_text(C2 + "slice_pages = 20\n", encoding="utf-8")
    out = tmp_path / "out"
    _clean(folder, "-o", out, "--config", tmp_path / "c1.toml", "-q")
    before_articles, before_rejects = _articles(out), _rejects(out)
    command = [sys.executable, "-m", "tidings", "clean", str(folder), "-o", str(out), "--rebuild"]
    command += ["--config", str(tmp_path / "c2-sliced.toml"), "-q"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any((out / ".tidings" / "rebuild").glob("*/.tidings/current")):  # the build committed a slice
            break
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the rebuild ended before it could be killed"
    pd.testing.assert_frame_equal(_articles(out), before_articles)
    pd.testing.assert_frame_equal(_rejects(out), before_rejects)

    again = tidings_cli(*command[3:-1])
    assert again.returncode == 0, again.stderr
    assert "resumed:     after" in again.stderr
    fresh = tmp_path / "fresh"
    _clean(folder, "-o", fresh, "--config", tmp_path / "c2.toml", "-q")
    _assert_same_dataset(out, fresh)
    assert len(_articles(out)) == 303


def _as_older_tidings(output: Path, dropped: dict[str, list[str]]) -> None:
    """Rewrite the current snapshot's files without some columns, as a tidings before them wrote it."""
    import json

    current = (output / ".tidings" / "current").resolve()
    for table, columns in dropped.items():
        for path in (current / table).rglob("*.parquet"):
            data = pq.read_table(path).drop_columns(columns)
            path.unlink()  # a hard link shared with older snapshots: replace, never write through it
            pq.write_table(data, path)
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    manifest["meta"].pop("schema", None)
    (current / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_an_output_of_an_older_schema_is_upgraded_with_nothing_lost_then_rebuilt(tmp_path):
    folder = _inputs(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    c2 = tmp_path / "c2.toml"  # two rejects
    _clean(folder, "-o", out, "--config", c2)
    _clean(folder, "-o", fresh, "--config", c2)
    _as_older_tidings(out, {"articles": ["boilerplate_rules", "encoding"], "rejects": ["detail"]})
    older = _articles(out)
    assert older["encoding"].isna().all()  # read as nulls before the upgrade, as today

    result = tidings_cli("compact", out)
    assert result.returncode == 0, result.stderr
    assert "upgraded:    added articles.boilerplate_rules, articles.encoding, rejects.detail" in result.stderr
    for path in (out / "articles").rglob("*.parquet"):
        assert pq.read_schema(path).names == tidings.load(fresh).columns.tolist()
    pd.testing.assert_frame_equal(_articles(out), older)  # nothing lost, nothing changed
    again = tidings_cli("compact", out)
    assert "upgraded" not in again.stderr  # the manifest records the schema: checked once

    assert _rejects(out)["detail"].isna().all()
    _clean(folder, "-o", out, "--rebuild", "--config", c2)
    _assert_same_dataset(out, fresh)  # the added columns computed from the pages


def test_the_next_clean_upgrades_an_older_output_too(tmp_path):
    folder = _inputs(tmp_path)
    out = tmp_path / "out"
    _clean(folder, "-o", out)
    _as_older_tidings(out, {"articles": ["encoding"]})
    result = _clean(folder, "-o", out)  # re-cleaning rewrites the stored files of these pages
    assert "upgraded" in result.stderr
    assert _articles(out)["encoding"].notna().all()


def test_an_incompatible_output_is_refused_naming_the_rebuild_that_replaces_it(tmp_path):
    folder = _inputs(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    _clean(folder, "-o", out)
    _clean(folder, "-o", fresh)
    current = (out / ".tidings" / "current").resolve()
    for path in (current / "articles").rglob("*.parquet"):
        data = pq.read_table(path)
        position = data.schema.get_field_index("text_chars")
        data = data.set_column(position, "text_chars", data.column("text_chars").cast("string"))
        path.unlink()
        pq.write_table(data, path)
    result = tidings_cli("clean", folder, "-o", out)
    assert result.returncode == 2
    assert f"rebuild it with `tidings clean [INPUTS...] -o {out} --rebuild`" in result.stderr
    _clean(folder, "-o", out, "--rebuild")
    _assert_same_dataset(out, fresh)


def test_rebuild_replaces_an_output_of_the_single_file_layout_that_cannot_be_read(tmp_path):
    import pyarrow as pa

    folder = _inputs(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    (out / "articles").mkdir(parents=True)
    pq.write_table(pa.table({"id": [1, 2], "headline": ["a", "b"]}), out / "articles" / "part-0.parquet")
    refused = tidings_cli("clean", folder, "-o", out)
    assert refused.returncode == 2
    assert "--rebuild" in refused.stderr
    _clean(folder, "-o", out, "--rebuild")
    assert (out / "articles").is_symlink()
    _clean(folder, "-o", fresh)
    _assert_same_dataset(out, fresh)
