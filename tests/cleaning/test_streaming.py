"""Streaming runs: slices commit atomically, a killed run resumes, readers see live rows only."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
from click.testing import CliRunner

import tidings
from cleaning import pipeline
from cleaning.config import CleaningConfig
from cleaning.duplicates.dedup import mark_duplicates
from cleaning.duplicates.index import DedupIndex
from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA
from cleaning.storage.dataset import DatasetPaths, to_table, upsert_articles, upsert_rejects, write_dedup_index
from cleaning.storage.snapshot import Store
from tests.cleaning.dedup_variants import synthetic_set
from tidings.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _page(title: str, text: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _variant_pages(count: int, *, start: int = 0) -> list[dict]:
    """count pages at distinct URLs: syndicated copies and edits of fixture stories, over three months."""
    variants = synthetic_set()
    rows = []
    for n in range(start, start + count):
        v = variants[n % len(variants)]
        month = 3 + n % 3
        rows.append(
            {
                "url": f"https://news{n % 4}.example/{n}",
                "html": _page(f"Story {v.base}", v.text),
                "fetched_at": f"2025-{month:02d}-20T08:00:00Z",
                "published": f"2025-{month:02d}-{1 + n % 27:02d}T0{n % 10}:00:00Z",
                "source": f"source-{n % 4}",
            }
        )
    return rows


def _rows(output: Path) -> list[dict]:
    articles = tidings.load(output).drop(columns=["origin"])
    return articles.astype(str).to_dict("records")


def test_slice_size_does_not_change_ids_or_duplicates(tmp_path: Path) -> None:
    inputs = [_jsonl(tmp_path / "in" / "dump.jsonl", _variant_pages(40))]
    whole = tmp_path / "whole"
    pipeline.run(inputs, whole, CleaningConfig(), progress=False)
    sliced = tmp_path / "sliced"
    summary = pipeline.run(inputs, sliced, dataclasses.replace(CleaningConfig(), slice_pages=7), progress=False)
    assert _rows(sliced) == _rows(whole)
    assert Store(sliced).current().manifest.version == 6  # type: ignore[union-attr]  # 40 pages in slices of 7
    duplicates = tidings.load(whole)["duplicate_of"].notna().sum()
    assert duplicates >= 10
    assert summary.duplicates == duplicates
    assert summary.total_articles == 40


def test_a_shard_kept_in_memory_commits_what_its_staged_files_commit(tmp_path: Path) -> None:
    from cleaning.inputs.readers import iter_inputs
    from cleaning.shards import commit, finish_shard

    config = CleaningConfig()
    pages = _variant_pages(24) + _variant_pages(3)  # the last three fetch URLs again: superseded rows
    pages.append({**pages[-1], "url": "https://news0.example/empty", "html": ""})  # a reject
    inputs = [_jsonl(tmp_path / "in" / "dump.jsonl", pages)]
    articles, rejects = pipeline.clean_items(iter_inputs(inputs, max_bytes=config.max_input_bytes), config)
    outputs = {}
    for in_memory in (False, True):
        out = outputs[in_memory] = tmp_path / f"out-{in_memory}"
        for _ in range(2):  # the second commit meets stored rows
            store = Store(out)
            store.staging.mkdir(parents=True, exist_ok=True)
            folder = store.new_staging()
            shard = finish_shard(articles, rejects, folder, config, pages=len(pages), in_memory=in_memory)
            assert (shard.tables is not None) == in_memory
            assert sorted(p.name for p in folder.iterdir()) == (
                [] if in_memory else ["articles.parquet", "rejects.parquet", "signatures.parquet"]
            )
            stats = commit(out, [shard], config)
            assert stats.total == 24
    written, kept = (tidings.load(outputs[m]) for m in (False, True))
    pd.testing.assert_frame_equal(kept, written)
    rejects_of = {m: tidings.load_rejects(outputs[m]) for m in (False, True)}
    assert sorted(rejects_of[True]["reason"]) == ["empty_input"] + ["superseded"] * 3
    pd.testing.assert_frame_equal(rejects_of[True], rejects_of[False])
    manifests = [Store(outputs[m]).current().manifest for m in (False, True)]  # type: ignore[union-attr]
    assert [(f.table, f.partition, f.rows, f.stats) for f in manifests[0].files] == [
        (f.table, f.partition, f.rows, f.stats) for f in manifests[1].files
    ]


def test_one_liners_for_pandas_polars_and_duckdb_read_exactly_the_live_rows(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = dataclasses.replace(CleaningConfig(), slice_pages=10)
    pipeline.run([_jsonl(tmp_path / "a" / "dump.jsonl", _variant_pages(30))], out, config, progress=False)
    # the same URLs fetched again later: their rows are replaced, the old files leave the snapshot
    again = [dict(r, fetched_at="2025-07-01T00:00:00Z") for r in _variant_pages(12)]
    pipeline.run([_jsonl(tmp_path / "b" / "dump.jsonl", again)], out, config, progress=False)
    expected = tidings.load(out)
    assert len(expected) == 30
    assert (expected["fetched_at"] == pd.Timestamp("2025-07-01", tz="UTC")).sum() == 12

    by_pandas = pd.read_parquet(out / "articles")
    by_polars = pl.read_parquet(out / "articles" / "**" / "*.parquet")
    by_duckdb = duckdb.sql(f"SELECT * FROM read_parquet('{out}/articles/**/*.parquet')").df()

    def links(frame: pd.DataFrame) -> dict[str, str | None]:
        return {i: (None if pd.isna(d) else d) for i, d in zip(frame["id"], frame["duplicate_of"], strict=True)}

    for frame in (by_pandas, by_polars.to_pandas(), by_duckdb):
        assert sorted(frame["id"]) == sorted(expected["id"])
        assert links(frame) == links(expected)
    rejects = pd.read_parquet(out / "rejects")
    assert len(rejects) == len(tidings.load_rejects(out)) == 12
    assert set(rejects["reason"]) == {"superseded"}  # the first fetches of the 12 URLs

    # a reader that resolved the link keeps its snapshot while later commits land
    pinned = os.path.realpath(out / "articles")
    pipeline.run([_jsonl(tmp_path / "c" / "dump.jsonl", _variant_pages(5, start=30))], out, config, progress=False)
    assert len(tidings.load(out)) == 35
    assert sorted(pd.read_parquet(pinned)["id"]) == sorted(expected["id"])


def test_load_filters_read_only_matching_rows(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pipeline.run([_jsonl(tmp_path / "in" / "dump.jsonl", _variant_pages(30))], out, CleaningConfig(), progress=False)
    everything = tidings.load(out)
    april = tidings.load(out, since="2025-04-01", until="2025-05-01", sources=["source-1", "source-2"])
    assert len(april) > 0
    assert (
        april["published_at"].between(pd.Timestamp("2025-04-01", tz="UTC"), pd.Timestamp("2025-05-01", tz="UTC")).all()
    )
    assert set(april["source"]) <= {"source-1", "source-2"}
    wanted = everything[
        (everything["published_at"] >= pd.Timestamp("2025-04-01", tz="UTC"))
        & (everything["published_at"] < pd.Timestamp("2025-05-01", tz="UTC"))
        & everything["source"].isin(["source-1", "source-2"])
    ]
    assert april["id"].tolist() == wanted["id"].tolist()
    english = tidings.load(out, languages=["en"], columns=["id", "language"], duplicates=False)
    assert list(english.columns) == ["id", "language"]
    assert set(english["language"]) == {"en"}
    assert len(english) == ((everything["language"] == "en") & everything["duplicate_of"].isna()).sum()


_RUN = """
import dataclasses, sys
from pathlib import Path
from cleaning import pipeline
from cleaning.config import CleaningConfig
summary = pipeline.run([Path(sys.argv[1])], Path(sys.argv[2]),
                       dataclasses.replace(CleaningConfig(), slice_pages=int(sys.argv[3])), progress=False)
print(summary.pages - summary.resumed_from)
"""


def _start(inputs: Path, out: Path, slice_pages: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, str(inputs), str(out), str(slice_pages)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _finish(process: subprocess.Popen[str]) -> int:
    process.communicate(timeout=300)
    return process.returncode


def test_a_run_killed_with_sigkill_resumes_and_ends_with_the_rows_of_an_unkilled_run(tmp_path: Path) -> None:
    inputs = _jsonl(tmp_path / "in" / "dump.jsonl", _variant_pages(60))
    clean = tmp_path / "clean"
    assert _finish(_start(inputs, clean, 6)) == 0
    killed = tmp_path / "killed"
    process = _start(inputs, killed, 6)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill it once two slices are committed; read while it commits
        if (killed / "articles").exists():
            rows = len(tidings.load(killed, columns=["id"]))
            assert rows % 6 == 0, f"a reader saw {rows} rows: half of a commit"
        snapshot = Store(killed).current()
        if snapshot is not None and snapshot.manifest.version >= 2:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    snapshot = Store(killed).current()
    assert snapshot is not None
    committed = snapshot.manifest.version
    assert 2 <= committed < 10, "the run ended before it could be killed"
    assert len(tidings.load(killed)) == 6 * committed  # readers see whole slices, never half of one
    again = _start(inputs, killed, 6)
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0
    assert int(out.strip()) == 60 - 6 * committed  # committed pages are not cleaned again
    assert _rows(killed) == _rows(clean)
    assert tidings.load_rejects(killed).equals(tidings.load_rejects(clean))


def test_two_runs_writing_one_output_at_once_both_land(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _jsonl(tmp_path / "a" / "dump.jsonl", _variant_pages(24))
    second = _jsonl(tmp_path / "b" / "dump.jsonl", _variant_pages(24, start=24))
    runs = [_start(first, out, 4), _start(second, out, 4)]
    assert [_finish(r) for r in runs] == [0, 0]
    together = _rows(out)
    one_by_one = tmp_path / "sequential"
    pipeline.run([first, second], one_by_one, CleaningConfig(), progress=False)
    assert together == _rows(one_by_one)


def _legacy_output(root: Path, articles: pd.DataFrame, rejects: pd.DataFrame, runs: Path) -> None:
    """Write what tidings wrote before snapshots, with the writers it used (storage/dataset.py)."""
    config = CleaningConfig()
    paths = DatasetPaths(root)
    upsert_articles(paths.articles, to_table(articles, ARTICLE_SCHEMA))
    upsert_rejects(paths.rejects, to_table(rejects, REJECT_SCHEMA), resolved_origins=[])
    stored = pd.DataFrame({"id": [], "duplicate_of": []}, dtype=object)
    _, _, index = mark_duplicates(
        articles, index=DedupIndex.empty(config.dedup), stored=stored, restored=[], config=config.dedup
    )
    write_dedup_index(paths.index, index)
    shutil.copytree(runs, root / "runs")


def test_an_output_of_the_single_file_layout_is_upgraded_with_nothing_lost(tmp_path: Path) -> None:
    first = _jsonl(tmp_path / "a" / "dump.jsonl", _variant_pages(20))
    _jsonl(tmp_path / "a" / "bad.jsonl", [{"url": "https://news0.example/x", "html": ""}])
    scratch = tmp_path / "scratch"
    result = CliRunner().invoke(main, ["clean", str(first.parent), "-o", str(scratch), "--no-progress"])
    assert result.exit_code == 0, result.output
    articles, rejects, runs = tidings.load(scratch), tidings.load_rejects(scratch), tidings.load_runs(scratch)
    assert articles["duplicate_of"].notna().sum() >= 5
    assert len(rejects) == 1
    legacy = tmp_path / "legacy"
    _legacy_output(legacy, articles, rejects, scratch / "runs")
    assert sorted(p.name for p in legacy.iterdir()) == ["articles", "index", "rejects", "runs"]
    assert (legacy / "articles" / "part-0.parquet").exists()
    assert tidings.load(legacy).equals(articles)  # still readable before the upgrade

    # by the documented command: every row, reject and run as it was
    compacted = tmp_path / "compacted"
    shutil.copytree(legacy, compacted)
    result = CliRunner().invoke(main, ["compact", str(compacted)])
    assert result.exit_code == 0, result.output
    assert (compacted / "articles").is_symlink()
    assert not (compacted / "index").exists()
    assert tidings.load(compacted).equals(articles)
    assert tidings.load_rejects(compacted).equals(rejects)
    assert tidings.load_runs(compacted).equals(runs)

    # by the next run: the same rows as one run of today's tidings over both inputs
    second = _jsonl(tmp_path / "b" / "dump.jsonl", _variant_pages(10, start=20))
    pipeline.run([second], legacy, CleaningConfig(), progress=False)
    assert (legacy / "articles").is_symlink()
    after = tidings.load(legacy)
    assert set(articles["id"]) < set(after["id"])
    reference = tmp_path / "reference"
    pipeline.run([first.parent, second], reference, CleaningConfig(), progress=False)
    assert _rows(legacy) == _rows(reference)
    assert (
        tidings.load_rejects(legacy)
        .drop(columns=["tidings_version"])
        .equals(tidings.load_rejects(reference).drop(columns=["tidings_version"]))
    )
    assert len(tidings.load_runs(legacy)) == len(runs)  # pipeline.run records no run; the old ones stay


def test_compaction_keeps_the_rows_and_merges_the_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = dataclasses.replace(CleaningConfig(), slice_pages=3)
    pipeline.run([_jsonl(tmp_path / "in" / "dump.jsonl", _variant_pages(30))], out, config, progress=False)
    before = _rows(out)
    entries = Store(out).current().entries("articles")  # type: ignore[union-attr]
    months = {e.partition for e in entries}
    from cleaning.storage.compact import compact

    stats = compact(out)
    snapshot = Store(out).current()
    assert snapshot is not None
    assert len(snapshot.entries("articles")) == len(months) < len(entries)  # one file per month
    assert stats.files_before > stats.files_after
    assert _rows(out) == before
    more = _variant_pages(6, start=30)
    pipeline.run([_jsonl(tmp_path / "b" / "dump.jsonl", more)], out, config, progress=False)
    reference = tmp_path / "reference"
    pipeline.run([tmp_path / "in" / "dump.jsonl", tmp_path / "b" / "dump.jsonl"], reference, config, progress=False)
    assert _rows(out) == _rows(reference)


def _as_layout_1(out: Path) -> None:
    """Rewrite the current snapshot's index as layout 1 wrote it: Parquet band files, no links."""
    import pyarrow.parquet as pq

    from cleaning.storage.index_store import BANDS, LINKS, read_run

    store = Store(out)
    with store.lock():
        txn = store.begin()
        for entry in txn.entries(LINKS):
            txn.remove(entry)
        for entry in txn.entries(BANDS):
            table = read_run(txn.path(entry))
            txn.remove(entry)
            txn.write(BANDS, "00", table)
        del txn.manifest.meta["index_layout"]
        txn.commit()
    snapshot = store.current()
    assert snapshot is not None
    assert all(pq.ParquetFile(p).metadata.num_rows for p in snapshot.paths(BANDS))
    assert not snapshot.entries(LINKS)


def test_an_index_of_layout_1_is_moved_to_sorted_runs_and_marks_as_before(tmp_path: Path) -> None:
    from cleaning.storage.index_store import BANDS, LAYOUT, LINKS

    out = tmp_path / "out"
    config = dataclasses.replace(CleaningConfig(), slice_pages=9)
    first = _jsonl(tmp_path / "a" / "dump.jsonl", _variant_pages(27))
    pipeline.run([first], out, config, progress=False)
    _as_layout_1(out)
    # edited copies of stored stories and new ones: the next run must find their clusters
    second = _jsonl(tmp_path / "b" / "dump.jsonl", _variant_pages(18, start=27))
    pipeline.run([second], out, config, progress=False)
    snapshot = Store(out).current()
    assert snapshot is not None
    assert snapshot.manifest.meta["index_layout"] == LAYOUT
    assert all(p.suffix == ".arrow" for p in snapshot.paths(BANDS) + snapshot.paths(LINKS))
    assert {e.partition for e in snapshot.entries(LINKS)} == {"id", "content", "origin"}
    reference = tmp_path / "reference"
    pipeline.run([first, second], reference, config, progress=False)
    assert _rows(out) == _rows(reference)
    assert tidings.load(out)["duplicate_of"].notna().sum() >= 10


def test_lookups_find_every_stored_row_after_rewrites_and_compaction(tmp_path: Path) -> None:
    from cleaning.storage.compact import compact
    from cleaning.storage.index_store import find_docs, find_origins

    out = tmp_path / "out"
    config = dataclasses.replace(CleaningConfig(), slice_pages=5)
    rows = _variant_pages(20)
    pipeline.run([_jsonl(tmp_path / "a" / "dump.jsonl", rows)], out, config, progress=False)
    # the same URLs fetched later: every stored row is replaced, clusters are linked again
    later = [dict(r, fetched_at=r["fetched_at"].replace("T08", "T09")) for r in rows[::2]]
    pipeline.run([_jsonl(tmp_path / "b" / "dump.jsonl", later)], out, config, progress=False)
    for step in ("before", "after"):
        if step == "after":
            compact(out)
        stored = tidings.load(out)
        txn = Store(out).begin()
        found = find_docs(txn, stored["id"].tolist(), ["id", "origin"]).to_pandas()
        assert sorted(found["id"]) == sorted(stored["id"]), step
        by_origin = find_origins(txn, stored["origin"].tolist(), ["id", "origin"]).to_pandas()
        pairs = sorted(zip(by_origin["id"], by_origin["origin"], strict=True))
        assert pairs == sorted(zip(stored["id"], stored["origin"], strict=True)), step
        assert not len(find_docs(txn, ["0123456789abcdef"], ["id"]))


def test_compaction_merges_the_docs_a_range_of_clusters_at_a_time(tmp_path: Path, monkeypatch) -> None:
    import pyarrow.parquet as pq

    from cleaning.storage import compact as compaction
    from cleaning.storage.index_store import DOCS

    out = tmp_path / "out"
    config = dataclasses.replace(CleaningConfig(), slice_pages=4)
    pipeline.run([_jsonl(tmp_path / "in" / "dump.jsonl", _variant_pages(24))], out, config, progress=False)
    before = Store(out).current()
    assert before is not None
    docs = pd.concat([pd.read_parquet(p) for p in before.paths(DOCS)]).sort_values("id", ignore_index=True)
    monkeypatch.setattr(compaction, "_DOCS_RANGE_ROWS", 5)  # five ranges of canonicals, each merged alone
    compaction.compact(out)
    after = Store(out).current()
    assert after is not None
    [merged] = after.paths(DOCS)
    table = pq.read_table(merged).to_pandas()
    assert table["canonical"].is_monotonic_increasing
    assert table.sort_values("id", ignore_index=True).equals(docs)


_POOL = r"""
import json, sys
from pathlib import Path
import pyarrow as pa
from cleaning import pipeline
from cleaning.config import CleaningConfig
before = pa.default_memory_pool().backend_name
pipeline.run([Path(sys.argv[1])], Path(sys.argv[2]), CleaningConfig(), progress=False)
print(json.dumps([before, pa.default_memory_pool().backend_name]))
"""


def test_a_run_uses_the_system_allocator_unless_the_user_chose_one(tmp_path: Path) -> None:
    inputs = _jsonl(tmp_path / "in" / "dump.jsonl", _variant_pages(3))
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"} | {"PYTHONPATH": str(ROOT)}

    def pools(extra: dict[str, str], out: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _POOL, str(inputs), str(tmp_path / out)],
            cwd=ROOT,
            env=env | extra,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    # mimalloc keeps freed pages per thread: a run's memory crept up commit after commit
    assert pools({}, "a")[1] == "system"
    chosen = pools({"ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}, "b")
    assert chosen == ["jemalloc", "jemalloc"]
    assert len(tidings.load(tmp_path / "a")) == len(tidings.load(tmp_path / "b")) == 3


def test_docs_files_are_rewritten_a_row_group_at_a_time(tmp_path: Path, monkeypatch) -> None:
    import pyarrow.parquet as pq

    from cleaning import shards

    out = tmp_path / "out"
    config = dataclasses.replace(CleaningConfig(), slice_pages=5)
    rows = _variant_pages(20)
    pipeline.run([_jsonl(tmp_path / "a" / "dump.jsonl", rows)], out, config, progress=False)
    whole = tmp_path / "whole"
    later = [dict(r, fetched_at=r["fetched_at"].replace("T08", "T09")) for r in rows[::2]]
    pipeline.run([_jsonl(tmp_path / "a" / "dump.jsonl", rows)], whole, config, progress=False)
    pipeline.run([_jsonl(tmp_path / "b" / "dump.jsonl", later)], whole, config, progress=False)
    read_whole = pq.read_table

    def no_whole_docs(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        assert "index/docs" not in str(path) or kwargs.get("columns"), path
        return read_whole(path, *args, **kwargs)

    monkeypatch.setattr(shards.pq, "read_table", no_whole_docs)
    rewrites = []
    real = shards._rewrite_docs
    monkeypatch.setattr(shards, "_rewrite_docs", lambda txn, files, drop: rewrites.append(1) or real(txn, files, drop))
    # every stored row is replaced: its docs row is dropped from the docs file that held it
    pipeline.run([_jsonl(tmp_path / "b" / "dump.jsonl", later)], out, config, progress=False)
    assert rewrites
    assert _rows(out) == _rows(whole)


def _reject_rows(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": [o for o, _, _ in rows],
            "url": [u for _, u, _ in rows],
            "source": "s",
            "stage": "read",
            "reason": [r for _, _, r in rows],
            "detail": "",
            "fetched_at": pd.to_datetime(["2025-05-01T00:00:00Z"] * len(rows), utc=True),
            "tidings_version": "test",
        }
    )


def _commit_rejects(out: Path, rows: pd.DataFrame) -> None:
    from cleaning.shards import commit, finish_shard

    store = Store(out)
    store.staging.mkdir(parents=True, exist_ok=True)
    articles = ARTICLE_SCHEMA.empty_table().to_pandas()
    shard = finish_shard(articles, rows, store.new_staging(), CleaningConfig(), pages=len(rows))
    commit(out, [shard], CleaningConfig())


def _drop_reject_keys(out: Path) -> None:
    """Make the current snapshot look as a tidings before key runs wrote it: rejects files, no key runs."""
    from cleaning.storage.index_store import REJECT_KEYS

    store = Store(out)
    with store.lock():
        txn = store.begin()
        for entry in txn.entries(REJECT_KEYS):
            txn.remove(entry)
        txn.commit()


def _rejects_read(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    from cleaning import shards

    read: list[str] = []
    real = shards.pq.read_table

    def recording(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "/rejects/" in str(path):
            read.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(shards.pq, "read_table", recording)
    return read


def test_a_commit_reads_only_the_rejects_files_its_inputs_can_answer(tmp_path: Path, monkeypatch) -> None:
    from cleaning.storage.index_store import REJECT_KEYS

    feed, flaky = "https://example.com/feed.xml", "https://example.com/2025/05/flaky.html"
    page = _variant_pages(1)[0] | {"url": flaky}
    results = {}
    for layout in ("keyed", "upgraded"):
        out = tmp_path / layout
        _commit_rejects(
            out,
            _reject_rows(
                ("a.warc@1", feed, "not_an_article"),
                ("a.warc@2", flaky + "?utm_source=x", "http_error"),
                ("a.warc@3", "https://example.com/short", "text_too_short"),
            ),
        )
        if layout == "upgraded":
            _drop_reject_keys(out)
        read = _rejects_read(monkeypatch)
        _commit_rejects(out, _reject_rows(("b.warc@1", "https://example.com/other", "no_text")))
        # keyed: nothing of b can answer a's rejects, a's file is not read; upgraded: read once, then keyed
        assert len(read) == (0 if layout == "keyed" else 1), read
        snapshot = Store(out).current()
        assert snapshot is not None
        assert len(snapshot.entries(REJECT_KEYS)) == len(snapshot.entries("rejects")) == 2
        read.clear()
        _commit_rejects(out, _reject_rows(("c.warc@1", "https://example.com/third", "no_text")))
        assert read == []
        # the feed again (a later crawl), and an article of the flaky URL: both of a's rejects are answered
        _commit_rejects(out, _reject_rows(("d.warc@1", feed, "not_an_article")))
        assert len(set(read)) == 1  # a's file only (its keys, then the whole file to rewrite it)
        pipeline.run([_jsonl(tmp_path / layout / "in" / "dump.jsonl", [page])], out, CleaningConfig(), progress=False)
        rejects = tidings.load_rejects(out)
        results[layout] = sorted(zip(rejects["origin"], rejects["reason"], strict=True))
        snapshot = Store(out).current()
        assert snapshot is not None
        assert len(snapshot.entries(REJECT_KEYS)) == len(snapshot.entries("rejects"))
        monkeypatch.undo()
    assert results["keyed"] == results["upgraded"]
    assert results["keyed"] == [
        ("a.warc@3", "text_too_short"),
        ("b.warc@1", "no_text"),
        ("c.warc@1", "no_text"),
        ("d.warc@1", "not_an_article"),
    ]


def test_merged_runs_are_written_a_range_at_a_time_and_found_batch_by_batch(tmp_path: Path, monkeypatch) -> None:
    from cleaning.storage import compact as compaction
    from cleaning.storage.index_store import BANDS, LINKS, read_run

    config = dataclasses.replace(CleaningConfig(), slice_pages=6)
    first = _jsonl(tmp_path / "a" / "dump.jsonl", _variant_pages(24))
    second = _jsonl(tmp_path / "b" / "dump.jsonl", _variant_pages(18, start=24))
    out = tmp_path / "out"
    pipeline.run([first], out, config, progress=False)
    monkeypatch.setattr(compaction, "_RUN_RANGE_ROWS", 40)  # a range of about 40 rows sorted at once
    compaction.compact(out)
    snapshot = Store(out).current()
    assert snapshot is not None
    [bands] = snapshot.paths(BANDS)
    assert read_run(bands).num_rows > 200
    assert len(read_run(bands).to_batches()) >= 5  # one record batch per range, one file
    for path in [bands, *snapshot.paths(LINKS)]:
        hashes = read_run(path).column(0).to_numpy()
        assert (hashes[1:] >= hashes[:-1]).all(), path  # batches in order: the file is one sorted run
    # edited copies of the stored stories: the next run finds their clusters through the merged runs
    pipeline.run([second], out, config, progress=False)
    reference = tmp_path / "reference"
    pipeline.run([first, second], reference, config, progress=False)
    assert _rows(out) == _rows(reference)
    assert tidings.load(out)["duplicate_of"].notna().sum() >= 10


def test_a_merge_bigger_than_one_file_splits_into_files_of_whole_ranges(tmp_path: Path, monkeypatch) -> None:
    from cleaning.storage import compact as compaction
    from cleaning.storage.index_store import BANDS, read_run

    config = dataclasses.replace(CleaningConfig(), slice_pages=6)
    first = _jsonl(tmp_path / "a" / "dump.jsonl", _variant_pages(24))
    second = _jsonl(tmp_path / "b" / "dump.jsonl", _variant_pages(18, start=24))
    out = tmp_path / "out"
    pipeline.run([first], out, config, progress=False)
    monkeypatch.setattr(compaction, "_RUN_RANGE_ROWS", 40)
    monkeypatch.setattr(compaction, "RUN_ROWS", 100)  # ranges of about 40 rows, files of at most 100
    monkeypatch.setattr(compaction, "FILE_ROWS", 10)
    compaction.compact(out)
    snapshot = Store(out).current()
    assert snapshot is not None
    runs = [read_run(path) for path in snapshot.paths(BANDS)]
    assert len(runs) >= 2
    assert all(run.num_rows <= 100 for run in runs)
    assert sum(run.num_rows for run in runs) > 200
    pipeline.run([second], out, config, progress=False)
    reference = tmp_path / "reference"
    pipeline.run([first, second], reference, config, progress=False)
    assert _rows(out) == _rows(reference)
