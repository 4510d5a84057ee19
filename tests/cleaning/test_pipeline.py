"""The runner: rejects never vanish, reruns upsert, output is independent of workers and order."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import gzip
import multiprocessing
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import cleaning.pipeline as pipeline
import tidings
from cleaning.config import CleaningConfig
from cleaning.errors import SchemaError
from cleaning.ids import keep_newest_per_id
from cleaning.inputs.pages import PAGE_COLUMNS
from cleaning.inputs.readers import RawPage, ReadReject, iter_inputs
from cleaning.schema import RejectReason, Stage
from cleaning.step import StepResult, reject
from tests.conftest import write_article

CONFIG = CleaningConfig()


@pytest.fixture
def corpus(tmp_path: Path, seeds: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(seeds, folder / "seeds")
    for i, title in enumerate(["Cyberport opens AI lab", "Port of Hong Kong adds drones", "MTR tests 5G signalling"]):
        body = f"{title} in a story told in several sentences, number {i}.\n" * 4
        write_article(folder / "news", f"story-{i}.txt", title, body)
    return folder


def read_dataset(output: Path) -> pd.DataFrame:
    return pq.read_table(output / "articles").to_pandas()


def test_every_unusable_input_becomes_a_reject_with_a_reason(tmp_path):
    folder = tmp_path / "in"
    write_article(folder, "good.txt", "A good story")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n")
    (folder / "broken.html.gz").write_bytes(b"not gzip at all")

    summary = pipeline.run([folder], tmp_path / "out", CONFIG, progress=False)

    rejects = tidings.load_rejects(tmp_path / "out").set_index("origin")["reason"].to_dict()
    assert rejects == {
        str(folder / "empty.txt"): "empty_input",
        str(folder / "picture.png"): "unsupported_format",
        str(folder / "broken.html.gz"): "unreadable",
    }
    assert summary.pages == 4
    assert summary.articles == 1
    assert sum(summary.rejects.values()) == 3


def test_a_batch_whose_pages_are_all_rejected_keeps_their_reasons(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "blank.txt").write_text("\n  \n", encoding="utf-8")
    (folder / "title-only.txt").write_text("Only a title\n", encoding="utf-8")
    pipeline.run([folder], tmp_path / "out", CONFIG, progress=False)
    assert set(tidings.load_rejects(tmp_path / "out")["reason"]) == {"no_text"}


def test_a_second_run_on_the_same_input_upserts(corpus, tmp_path):
    output = tmp_path / "out"
    first = pipeline.run([corpus], output, CONFIG, progress=False)
    before = read_dataset(output)
    second = pipeline.run([corpus], output, CONFIG, progress=False)

    # the same rows again: unchanged, not "updated"
    assert (first.inserted, second.inserted, second.replaced, second.unchanged) == (
        first.articles,
        0,
        0,
        first.articles,
    )
    pd.testing.assert_frame_equal(read_dataset(output), before)
    assert before["id"].is_unique


def test_a_changed_input_counts_as_updated(corpus, tmp_path):
    output = tmp_path / "out"
    first = pipeline.run([corpus], output, CONFIG, progress=False)
    flag_all = dataclasses.replace(CONFIG, short_text_chars=1_000_000)  # every article gets a short_text flag
    summary = pipeline.run([corpus], output, flag_all, progress=False)
    assert (summary.replaced, summary.unchanged) == (first.articles, 0)
    assert f"{first.articles} updated, 0 unchanged" in summary.lines()[1]


def test_a_later_run_on_other_input_adds_to_the_dataset(corpus, tmp_path):
    output = tmp_path / "out"
    pipeline.run([corpus], output, CONFIG, progress=False)
    before = read_dataset(output)
    summary = pipeline.run([corpus / "news" / "story-0.txt"], output, CONFIG, progress=False)
    after = read_dataset(output)

    assert (summary.inserted, summary.replaced, summary.unchanged) == (0, 1, 0)  # its source is now its folder
    assert sorted(after["id"]) == sorted(before["id"])


@pytest.mark.parametrize("batch_size", [1, 2])
def test_output_is_the_same_for_any_worker_count_and_input_order(corpus, tmp_path, batch_size):
    one = tmp_path / "one"
    two = tmp_path / "two"
    inputs = sorted(p for p in corpus.rglob("*") if p.is_file())
    pipeline.run(inputs, one, CONFIG, progress=False)
    config = dataclasses.replace(CONFIG, workers=2, batch_size=batch_size)
    pipeline.run(list(reversed(inputs)), two, config, progress=False)

    assert multiprocessing.active_children() == []  # the run's workers have exited

    pd.testing.assert_frame_equal(read_dataset(one), read_dataset(two))
    pd.testing.assert_frame_equal(
        pq.read_table(one / "rejects").to_pandas(), pq.read_table(two / "rejects").to_pandas()
    )


def _page(n: int, size: int) -> RawPage:
    return RawPage(origin=f"page-{n}", raw=b"x" * size, media_type="html")


def test_the_tail_of_a_stream_goes_largest_first_in_shrinking_batches():
    pages = [_page(n, size) for n, size in enumerate([10, 500, 20, 20, 30, 40, 10, 60, 20, 10, 70, 20, 30])]

    batches = pipeline._tail_batches(pages, 4, 2)

    assert sorted(p.origin for b in batches for p in b) == sorted(p.origin for p in pages)  # each page once
    sent = [len(p.raw) for b in batches for p in b]
    assert sent == sorted(sent, reverse=True)
    assert [p.origin for p in batches[0]] == ["page-1", "page-10", "page-7", "page-5"]  # at least _TAIL_MIN pages
    assert all(len(b) <= 4 for b in batches)
    held = [sum(len(p.raw) for p in b) for b in batches]
    assert held == sorted(held, reverse=True)
    assert [p.origin for p in pipeline._tail_batches(pages[:3], 16, 2)[0]] == ["page-1", "page-2", "page-0"]
    assert pipeline._tail_batches([], 16, 2) == []


def test_the_tail_weighs_a_gzipped_page_by_its_size_decompressed():
    small = RawPage(origin="small", raw=b"<p>" + bytes(range(256)) * 8, media_type="html")
    big = RawPage(origin="big", raw=gzip.compress(b"<p>" + b"A" * 100_000), media_type="html", gzipped=True)
    assert len(big.raw) < len(small.raw)
    assert [p.origin for b in pipeline._tail_batches([small, big], 1, 2) for p in b] == ["big", "small"]


def test_workers_get_full_batches_in_input_order_then_the_tail(monkeypatch):
    sent: list[list[str]] = []

    def clean(batch: list[RawPage], config: CleaningConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
        sent.append([p.origin for p in batch])
        return pd.DataFrame({"origin": [p.origin for p in batch], "text": "a text"}), pd.DataFrame()

    monkeypatch.setattr(pipeline, "_clean_batch", clean)
    pages = [_page(n, 100 + n % 7) for n in range(103)]
    config = dataclasses.replace(CONFIG, workers=2, batch_size=8)
    with cf.ThreadPoolExecutor(max_workers=1) as pool:  # one thread: batches run in the order sent
        cleaner = pipeline._Cleaner(config, pipeline.tqdm(disable=True), pool)  # type: ignore[arg-type]
        rows = [origin for articles, _ in cleaner.clean(pages) for origin in articles["origin"]]

    assert sorted(rows) == sorted(p.origin for p in pages)
    # full batches in input order while the pages read ahead (workers x batch_size) fill up;
    # the 23 pages still held when the stream ends are the tail
    full = [[f"page-{n}" for n in range(start, start + 8)] for start in range(0, 80, 8)]
    tail = [[p.origin for p in batch] for batch in pipeline._tail_batches(pages[80:], 8, 2)]
    assert sent == full + tail
    assert len(tail) > 23 // 8 + 1


def test_a_pool_of_its_own_starts_its_workers_at_once_on_a_thread(monkeypatch):
    submitted: list[object] = []

    class Pool(cf.ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            submitted.append(fn)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(pipeline, "worker_pool", lambda workers, preload: Pool(max_workers=workers))
    cleaner = pipeline._Cleaner(dataclasses.replace(CONFIG, workers=2), pipeline.tqdm(disable=True))
    assert cleaner.starting is not None  # before the first page is read: the forks overlap the reading
    cleaner.starting.join()
    assert submitted == [os.getpid, os.getpid]  # a pool forks a worker per task no idle one takes
    list(cleaner.clean([_page(0, 10)]))
    assert submitted[2:] == [pipeline._fingerprinted_batch]  # started once: the batch is the next task
    cleaner.close()


def test_a_bug_on_one_page_costs_that_page_only(corpus, tmp_path, monkeypatch):
    real = pipeline.detect_language

    def fragile(articles: pd.DataFrame, **settings: object) -> StepResult:
        if articles["text"].str.contains("number 1").any():
            raise ValueError("a bug")
        return real(articles, **settings)

    monkeypatch.setattr(pipeline, "detect_language", fragile)
    summary = pipeline.run([corpus], tmp_path / "out", CONFIG, progress=False)

    rejects = tidings.load_rejects(tmp_path / "out")
    broken = rejects[rejects["reason"] == "internal_error"]
    assert broken["origin"].str.endswith("story-1.txt").tolist() == [True]
    assert broken["detail"].iloc[0].startswith("in step detect_language: ValueError: a bug")
    assert summary.articles == 5


def test_a_step_that_loses_rows_is_a_bug_not_bad_data(monkeypatch):
    monkeypatch.setattr(pipeline, "assign_ids", lambda articles: StepResult(articles.iloc[1:], articles.iloc[0:0]))
    pages = pipeline._pages_frame(
        [
            RawPage(origin=f"p{i}.txt", raw=f"Title {i}\n\nBody text of page {i}.".encode(), media_type="text")
            for i in range(2)
        ]
    )
    with pytest.raises(SchemaError, match="'assign_ids' lost rows: 2 in, 1 kept"):
        pipeline.clean_pages(pages, CONFIG)


def test_newest_fetch_of_a_url_wins_within_a_run():
    articles = pd.DataFrame(
        {
            "id": ["a", "a", "b", "a"],
            "fetched_at": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-01-01", None], utc=True),
            "origin": ["x1", "x2", "x3", "x4"],
        }
    )
    result = keep_newest_per_id(articles.sample(frac=1, random_state=3))
    assert result.kept.set_index("id")["origin"].to_dict() == {"a": "x2", "b": "x3"}
    assert sorted(result.rejected["origin"]) == ["x1", "x4"]
    assert set(result.rejected["reject_reason"]) == {"superseded"}


def test_rows_of_distinct_ids_come_back_in_id_order_as_the_rows_that_win_a_choice_do():
    fetched = pd.to_datetime(["2025-01-01", None, "2025-02-01", "2025-01-05", None], utc=True)
    articles = pd.DataFrame(
        {
            "id": ["d", "b", "e", "a", "c"],
            "fetched_at": fetched,
            "origin": ["x1", "x2", "x3", "x4", "x5"],
            "n": range(5),
        }
    )
    alone = keep_newest_per_id(articles)
    assert alone.rejected.empty
    # the same rows among older fetches of their ids: the general rule picks them, in the same order
    # (an older fetch, or for an undated row another undated one of a larger origin)
    earlier = fetched.where(fetched.isna(), pd.Timestamp("2024-12-01", tz="UTC"))
    older = articles.assign(fetched_at=earlier, origin="y", n=-1)
    chosen = keep_newest_per_id(pd.concat([older, articles], ignore_index=True))
    assert len(chosen.rejected) == 5
    pd.testing.assert_frame_equal(alone.kept, chosen.kept)
    assert alone.kept["id"].tolist() == ["a", "b", "c", "d", "e"]


def test_gzipped_html_and_nested_folders_are_read(tmp_path):
    folder = tmp_path / "site" / "2025" / "05"
    folder.mkdir(parents=True)
    html = (
        "<html><head><title>Drone trial</title></head><body><article><h1>Drone trial</h1>"
        + "<p>The port authority began a drone delivery trial between two container terminals on Monday.</p>" * 3
        + "</article></body></html>"
    )
    (folder / "drones.html.gz").write_bytes(gzip.compress(html.encode()))
    summary = pipeline.run([tmp_path / "site"], tmp_path / "out", CONFIG, progress=False)
    assert summary.articles == 1
    assert tidings.load(tmp_path / "out")["source"].tolist() == ["site"]


def test_gzipped_pages_are_decompressed_where_they_are_cleaned_and_bad_ones_are_the_readers_rejects(
    tmp_path, monkeypatch
):
    folder = tmp_path / "in"
    folder.mkdir()
    html = (
        "<html><head><title>Drone trial</title></head><body><article><h1>Drone trial</h1>"
        + "<p>The port authority began a drone delivery trial between two container terminals on Monday.</p>" * 3
        + "</article></body></html>"
    )
    (folder / "drones.html.gz").write_bytes(gzip.compress(html.encode()))
    (folder / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (folder / "cut.html.gz").write_bytes(gzip.compress(html.encode())[:-20])
    (folder / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"A" * 20_000))
    config = dataclasses.replace(CONFIG, max_input_bytes=10_000)
    read = [i for i in iter_inputs([folder], max_bytes=config.max_input_bytes) if isinstance(i, ReadReject)]
    expected = {(r.origin, str(r.stage), str(r.reason), r.detail) for r in read}
    assert {Path(r[0]).name for r in expected} == {"bomb.html.gz", "broken.html.gz", "cut.html.gz"}
    sent: list[list[RawPage]] = []
    real = pipeline._clean_batch

    def clean(batch: list[RawPage], config: CleaningConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
        sent.append(batch)
        return real(batch, config)

    monkeypatch.setattr(pipeline, "_clean_batch", clean)  # in this process: the -w 2 run's workers have the real one
    one = pipeline.run([folder], tmp_path / "one", config, progress=False)
    monkeypatch.undo()
    two = pipeline.run([folder], tmp_path / "two", dataclasses.replace(config, workers=2), progress=False)

    assert [page.gzipped for page in sent[0]] == [True] * 4  # the reader left all four compressed
    assert [page.gzipped for page in sent[1]] == [False]  # the page that decompressed
    for output, summary in ((tmp_path / "one", one), (tmp_path / "two", two)):
        rejects = tidings.load_rejects(output)
        got = set(zip(rejects["origin"], rejects["stage"], rejects["reason"], rejects["detail"], strict=True))
        assert got == expected
        assert (summary.pages, summary.articles) == (4, 1)
    pd.testing.assert_frame_equal(read_dataset(tmp_path / "one"), read_dataset(tmp_path / "two"))


def test_every_step_gets_plain_object_column_labels_even_after_a_step_made_arrow_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[object] = []

    def rebuilds_labels(frame: pd.DataFrame) -> StepResult:
        # a concat with a fresh DataFrame, as normalize_metadata does, gives pandas' default str labels
        rebuilt = pd.concat([frame, pd.DataFrame({"added": [1] * len(frame)}, index=frame.index)], axis=1)
        rebuilt = rebuilt.set_axis(pd.Index(list(rebuilt.columns), dtype="str"), axis=1)
        return StepResult(rebuilt, frame.iloc[0:0])

    def records_labels(frame: pd.DataFrame) -> StepResult:
        seen.append(frame.columns.dtype)
        return StepResult(frame.iloc[0:0], reject(frame, Stage.FILTER, RejectReason.TEXT_TOO_SHORT))

    monkeypatch.setattr(pipeline, "build_steps", lambda config: [("a", rebuilds_labels), ("b", records_labels)])
    page = RawPage(origin="x.html", raw=b"<p>hi</p>", media_type="html")
    pages = pd.DataFrame([{column: getattr(page, column) for column in PAGE_COLUMNS}])
    articles, rejects = pipeline.clean_pages(pages, CleaningConfig())
    assert seen == [object]
    assert articles.empty
    assert rejects["reason"].tolist() == [str(RejectReason.TEXT_TOO_SHORT)]
