"""Parquet I/O: schema round trip, atomic writes, upsert rules, typed loading."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tidings
from cleaning.config import CleaningConfig
from cleaning.errors import SchemaError
from cleaning.pipeline import run
from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA
from cleaning.storage.dataset import DatasetPaths, read_columns, to_table, upsert_articles, upsert_rejects, write_table

UTC = dt.UTC


def article(row_id: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": row_id,
        "url": f"https://example.com/{row_id}",
        "source": "example",
        "site_name": "Example",
        "title": f"Title {row_id}",
        "authors": ["Jane Doe"],
        "editors": [],
        "published_at": dt.datetime(2025, 5, 14, 2, 0, tzinfo=UTC),
        "published_offset_minutes": 480,
        "published_precision": "minute",
        "published_source": "meta",
        "modified_at": None,
        "language": "en",
        "language_confidence": 0.99,
        "secondary_script_share": 0.0,
        "text": f"Body of {row_id}.",
        "text_chars": 10,
        "description": None,
        "categories": ["tech"],
        "tags": [],
        "image_url": None,
        "content_hash": f"hash-{row_id}",
        "duplicate_of": None,
        "quality_flags": [],
        "boilerplate_rules": [],
        "encoding": "utf-8",
        "fetched_at": dt.datetime(2025, 5, 15, tzinfo=UTC),
        "origin": f"in/{row_id}.html",
        "tidings_version": "test",
    }
    row.update(changes)
    return row


def table(*rows: dict[str, object]) -> pa.Table:
    return to_table(pd.DataFrame(list(rows)), ARTICLE_SCHEMA)


def test_round_trip_keeps_values_and_types(tmp_path):
    written = table(
        article("a"), article("b", authors=["陈大文", "Li Wei"], published_at=None, published_offset_minutes=None)
    )
    upsert_articles(DatasetPaths(tmp_path).articles, written)

    assert pq.read_schema(tmp_path / "articles" / "part-0.parquet").equals(ARTICLE_SCHEMA, check_metadata=False)
    loaded = tidings.load(tmp_path)
    assert loaded["published_at"].dtype == "datetime64[us, UTC]"
    assert isinstance(loaded["id"].dtype, pd.StringDtype)
    assert loaded["authors"].tolist() == [["Jane Doe"], ["陈大文", "Li Wei"]]
    assert pd.isna(loaded["published_at"][1])
    assert loaded["published_offset_minutes"][0] == 480
    assert pd.isna(loaded["published_offset_minutes"][1])
    assert pd.read_parquet(tmp_path / "articles")["id"].tolist() == ["a", "b"]


def test_to_table_names_missing_columns():
    with pytest.raises(SchemaError, match="missing columns"):
        to_table(pd.DataFrame([article("a")]).drop(columns=["text"]), ARTICLE_SCHEMA)


def test_a_dataset_of_another_schema_is_refused(tmp_path):
    (tmp_path / "articles").mkdir()
    pq.write_table(pa.table({"id": ["x"]}), tmp_path / "articles" / "part-0.parquet")
    with pytest.raises(SchemaError, match="another schema"):
        upsert_articles(tmp_path / "articles", table(article("a")))


def test_upsert_replaces_by_id_and_keeps_one_row_each(tmp_path):
    directory = tmp_path / "articles"
    upsert_articles(directory, table(article("a"), article("b")))
    stats, lost = upsert_articles(directory, table(article("b", title="New b"), article("c")))

    assert (stats.inserted, stats.replaced, stats.kept_existing, stats.total) == (1, 1, 0, 3)
    assert lost.num_rows == 0
    stored = read_columns(directory, ["id", "title"]).set_index("id")["title"].to_dict()
    assert stored == {"a": "Title a", "b": "New b", "c": "Title c"}


def test_a_stored_newer_fetch_wins_over_an_older_one(tmp_path):
    directory = tmp_path / "articles"
    upsert_articles(
        directory, table(article("a", title="fetched later", fetched_at=dt.datetime(2025, 6, 1, tzinfo=UTC)))
    )
    stats, lost = upsert_articles(directory, table(article("a", title="fetched earlier")))

    assert stats.kept_existing == 1
    assert lost.column("title").to_pylist() == ["fetched earlier"]
    assert read_columns(directory, ["title"])["title"].tolist() == ["fetched later"]


def test_duplicate_updates_rewrite_stored_rows(tmp_path):
    directory = tmp_path / "articles"
    upsert_articles(directory, table(article("a"), article("b")))
    upsert_articles(directory, table(article("c")), duplicate_updates={"a": "c", "b": float("nan")})
    stored = read_columns(directory, ["id", "duplicate_of"]).set_index("id")["duplicate_of"]
    assert stored["a"] == "c"
    assert pd.isna(stored["b"])


def test_rejects_of_a_reprocessed_origin_are_replaced(tmp_path):
    directory = tmp_path / "rejects"

    def rejects(*rows: tuple[str, str]) -> pa.Table:
        return to_table(
            pd.DataFrame(
                [
                    {
                        "origin": o,
                        "url": None,
                        "source": "s",
                        "stage": "read",
                        "reason": r,
                        "detail": "",
                        "fetched_at": None,
                        "tidings_version": "test",
                    }
                    for o, r in rows
                ]
            ),
            REJECT_SCHEMA,
        )

    upsert_rejects(directory, rejects(("x.html", "no_text"), ("y.bin", "unsupported_format")), resolved_origins=[])
    # x.html now produced an article, z.html is new
    upsert_rejects(directory, rejects(("z.html", "no_text")), resolved_origins=["x.html"])
    assert sorted(pq.read_table(directory).column("origin").to_pylist()) == ["y.bin", "z.html"]


def test_rejects_answered_by_url_and_repeated_rejects_keep_one_row(tmp_path):
    directory = tmp_path / "rejects"

    def rejects(*rows: tuple[str, str | None, str]) -> pa.Table:
        return to_table(
            pd.DataFrame(
                [
                    {
                        "origin": o,
                        "url": u,
                        "source": "s",
                        "stage": "read",
                        "reason": r,
                        "detail": "",
                        "fetched_at": None,
                        "tidings_version": "test",
                    }
                    for o, u, r in rows
                ]
            ),
            REJECT_SCHEMA,
        )

    feed = "https://example.com/feed.xml"
    flaky = "https://example.com/2025/05/flaky.html"
    upsert_rejects(
        directory,
        rejects(
            ("a.warc@1", feed, "not_an_article"),
            ("a.warc@2", flaky + "?utm_source=x", "http_error"),
            ("a.warc@3", flaky, "superseded"),
            ("pages.jsonl:4", flaky, "unreadable"),
        ),
        resolved_origins=[],
    )
    # the next crawl: the feed again, and the flaky page answered (it is now an article)
    written = upsert_rejects(
        directory,
        rejects(("b.warc@1", feed, "not_an_article"), ("b.warc@2", flaky, "http_error")),
        resolved_origins=["b.warc@3"],
        resolved_urls={flaky},
        url_key=lambda url: url.split("?")[0],
    )

    stored = pq.read_table(directory).to_pandas()
    assert written.column("origin").to_pylist() == ["b.warc@1"]
    # a malformed input line is about that input, not the URL: it stays
    assert sorted(zip(stored["origin"], stored["reason"], strict=True)) == [
        ("a.warc@3", "superseded"),
        ("b.warc@1", "not_an_article"),
        ("pages.jsonl:4", "unreadable"),
    ]


def test_a_failed_write_leaves_the_previous_dataset_intact(tmp_path):
    directory = tmp_path / "articles"
    upsert_articles(directory, table(article("a")))
    before = (directory / "part-0.parquet").read_bytes()

    def batches():
        yield table(article("b"))
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_table(directory, batches(), ARTICLE_SCHEMA)
    assert (directory / "part-0.parquet").read_bytes() == before
    assert [p.name for p in directory.iterdir()] == ["part-0.parquet"]


def test_a_killed_write_leaves_the_previous_dataset_readable(tmp_path):
    directory = tmp_path / "articles"
    upsert_articles(directory, table(article("a")))
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        import pandas as pd
        from cleaning.storage.dataset import to_table, write_table
        from cleaning.schema import ARTICLE_SCHEMA
        from tests.cleaning.test_dataset import article

        def batches():
            for i in range(1000):
                yield to_table(pd.DataFrame([article(f"x{{i}}")]), ARTICLE_SCHEMA)
                Path({str(ready)!r}).touch()
                time.sleep(0.05)

        write_table(Path({str(directory)!r}), batches(), ARTICLE_SCHEMA)
    """)
    root = Path(__file__).parents[2]
    process = subprocess.Popen([sys.executable, "-c", script], cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert ready.exists(), "the writer never started"
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert tidings.load(tmp_path)["id"].tolist() == ["a"]
    # the next write clears what the killed one left behind
    upsert_articles(directory, table(article("b")))
    assert sorted(p.name for p in directory.iterdir()) == ["part-0.parquet"]
    assert tidings.load(tmp_path)["id"].tolist() == ["a", "b"]


def test_load_without_duplicates_keeps_canonical_rows(tmp_path):
    upsert_articles(DatasetPaths(tmp_path).articles, table(article("a"), article("b", duplicate_of="a")))
    assert tidings.load(tmp_path, duplicates=False)["id"].tolist() == ["a"]
    assert len(tidings.load(tmp_path)) == 2


def test_loading_an_output_without_articles_gives_typed_empty_frames(tmp_path):
    (tmp_path / "in").mkdir()
    run([tmp_path / "in"], tmp_path / "out", CleaningConfig(), progress=False)  # no input: an empty snapshot
    articles = tidings.load(tmp_path / "out")
    assert list(articles.columns) == ARTICLE_SCHEMA.names
    assert len(articles) == 0
    assert len(tidings.load_rejects(tmp_path / "out")) == 0


def test_loading_a_folder_without_a_dataset_raises(tmp_path):
    with pytest.raises(tidings.NoDatasetError, match="holds no tidings dataset"):
        tidings.load(tmp_path)


def test_arrow_backed_string_columns_convert_as_python_strings_do() -> None:
    schema = pa.schema([pa.field("id", pa.large_string()), pa.field("text", pa.large_string())])
    texts = ["first", None, "三", "", "x" * 1000]
    parts = [pd.Series(texts[:2], dtype="str"), pd.Series(texts[2:], dtype="str")]
    arrow = pd.DataFrame({"id": [f"id-{n}" for n in range(5)], "text": pd.concat(parts, ignore_index=True)})
    plain = arrow.astype(object)
    assert isinstance(arrow["text"].dtype, pd.StringDtype)
    assert arrow["text"].dtype.storage == "pyarrow"  # what the new path takes

    table = to_table(arrow, schema)

    assert table.equals(to_table(plain, schema))
    assert table.column("text").num_chunks == 1  # one chunk, as a list gave: the same files
    assert table.column("text").to_pylist() == texts
