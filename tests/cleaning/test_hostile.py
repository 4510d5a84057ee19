"""Hostile input: every path ends as an article or a reject with a reason; no crash, no hang, no runaway memory."""

from __future__ import annotations

import collections
import dataclasses
import gzip
import io
import json
import os
import threading
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaning.config import CleaningConfig
from cleaning.inputs import readers
from cleaning.inputs.decoding import decode_bytes
from cleaning.inputs.files import display_path
from cleaning.inputs.readers import RawPage, ReadReject, iter_inputs
from cleaning.inputs.structured import load_yaml
from cleaning.pipeline import run
from cleaning.schema import QualityFlag, RejectReason
from cleaning.storage.dataset import load_articles, load_rejects
from tests.fixtures.hostile import BOMB_LIMIT, build_corpus, outcomes

PAGE = "<html><head><title>Budget day</title></head><body><article><p>" + "The budget grows next year. " * 30
PAGE += "</p></article></body></html>"


def read_all(*paths: Path, max_bytes: int = BOMB_LIMIT) -> list[RawPage | ReadReject]:
    """Read paths in a thread, failing (not hanging) if reading blocks."""
    result: list[RawPage | ReadReject] = []
    worker = threading.Thread(target=lambda: result.extend(iter_inputs(list(paths), max_bytes=max_bytes)), daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "reading blocked"
    return result


def only_reject(items: list[RawPage | ReadReject]) -> ReadReject:
    assert len(items) == 1, items
    assert isinstance(items[0], ReadReject), items
    return items[0]


def clean(inputs: list[Path], output: Path, **settings: object) -> None:
    config = dataclasses.replace(CleaningConfig(), max_input_bytes=BOMB_LIMIT, **settings)  # type: ignore[arg-type]
    run(inputs, output, config, progress=False)


def warc_bytes(bodies: list[bytes], *, gzipped: bool = False, encoding: str | None = None) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for n, body in enumerate(bodies):
        headers = [("Content-Type", "text/html; charset=utf-8")] + (
            [("Content-Encoding", encoding)] if encoding else []
        )
        record = writer.create_warc_record(
            f"https://example.com/{n}",
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
        )
        writer.write_record(record)
    return buffer.getvalue()


# --- what is not a regular file is never opened -------------------------------------------


def test_a_fifo_is_rejected_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.html")
    reject = only_reject(read_all(tmp_path / "pipe.html"))
    assert reject.reason == RejectReason.NOT_A_REGULAR_FILE
    assert "FIFO" in reject.detail


def test_a_fifo_in_a_folder_does_not_block_the_rest(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "page.html").write_text(PAGE)
    items = read_all(tmp_path)
    assert [type(i).__name__ for i in items] == ["RawPage", "ReadReject"]


def test_a_symlink_to_a_device_is_rejected_not_read(tmp_path: Path) -> None:
    (tmp_path / "zero.html").symlink_to("/dev/zero")
    reject = only_reject(read_all(tmp_path / "zero.html"))
    assert (reject.reason, reject.detail) == (
        RejectReason.NOT_A_REGULAR_FILE,
        "a character device: only regular files are read",
    )


def test_dangling_symlinks_and_symlink_loops_are_rejects(tmp_path: Path) -> None:
    (tmp_path / "dangling.html").symlink_to(tmp_path / "gone.html")
    (tmp_path / "a.html").symlink_to(tmp_path / "b.html")
    (tmp_path / "b.html").symlink_to(tmp_path / "a.html")
    items = read_all(tmp_path)
    assert sorted((Path(r.origin).name, r.reason, r.detail) for r in items if isinstance(r, ReadReject)) == [
        ("a.html", RejectReason.UNREADABLE, "symlink loop"),
        ("b.html", RejectReason.UNREADABLE, "symlink loop"),
        ("dangling.html", RejectReason.UNREADABLE, "dangling symlink"),
    ]


def test_symlinked_folders_are_followed_once(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "page.html").write_text(PAGE)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "linked").symlink_to(elsewhere, target_is_directory=True)
    (inputs / "linked-again").symlink_to(elsewhere, target_is_directory=True)
    (inputs / "loop").symlink_to(inputs, target_is_directory=True)
    items = read_all(inputs)
    assert [Path(i.origin).relative_to(inputs).as_posix() for i in items] == ["linked/page.html"]


def test_a_file_name_that_is_not_utf8_is_cleaned_and_written(tmp_path: Path) -> None:
    name = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.html"))
    name.write_text(PAGE)
    clean([tmp_path], tmp_path / "out")
    origins = load_articles(tmp_path / "out")["origin"].tolist()
    assert origins == [f"{tmp_path}/caf\\xe9.html"]


# --- sizes are capped after decompression -------------------------------------------------


def test_a_gzip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"A" * (BOMB_LIMIT * 4)))
    reject = only_reject(read_all(tmp_path / "bomb.html.gz"))
    assert reject.reason == RejectReason.TOO_LARGE
    assert f"more than {BOMB_LIMIT:,} bytes" in reject.detail


def test_a_jsonl_line_past_the_cap_is_rejected_and_the_next_line_read(tmp_path: Path) -> None:
    big = json.dumps({"url": "https://example.com/big", "html": "x" * (BOMB_LIMIT + 1)})
    small = json.dumps({"url": "https://example.com/small", "html": PAGE})
    (tmp_path / "pages.jsonl.gz").write_bytes(gzip.compress(f"{big}\n{small}\n".encode()))
    items = read_all(tmp_path / "pages.jsonl.gz")
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [
        ("ReadReject", RejectReason.TOO_LARGE),
        ("RawPage", None),
    ]
    assert items[1].url == "https://example.com/small"


def _compress(encoding: str, data: bytes) -> bytes:
    if encoding == "gzip":
        return gzip.compress(data)
    if encoding == "br":
        return pytest.importorskip("brotli").compress(data, quality=5)
    return pytest.importorskip("backports.zstd").compress(data)


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_a_content_encoding_bomb_in_a_warc_stops_at_the_cap(tmp_path: Path, encoding: str) -> None:
    bomb = _compress(encoding, b"<html><body><p>" + b"A" * (BOMB_LIMIT * 8))
    page = _compress(encoding, PAGE.encode())
    (tmp_path / "bomb.warc.gz").write_bytes(warc_bytes([bomb, page], gzipped=True, encoding=encoding))
    items = read_all(tmp_path / "bomb.warc.gz")
    assert isinstance(items[0], ReadReject)
    assert items[0].reason == RejectReason.TOO_LARGE
    assert items[0].url == "https://example.com/0"
    assert isinstance(items[1], RawPage)  # the page after the bomb decodes as usual
    assert items[1].raw == PAGE.encode()


def test_the_cleaning_cap_is_the_crawl_cap() -> None:
    from crawler import settings

    assert CleaningConfig().max_input_bytes == settings.DOWNLOAD_MAXSIZE


# --- text that cannot be stored is repaired and flagged -----------------------------------


def test_lone_surrogates_in_jsonl_are_replaced_and_flagged(tmp_path: Path) -> None:
    line = '{"url": "https://example.com/\\ud800", "source": "s\\udfff", "html": "' + PAGE.replace('"', '\\"') + '"}'
    (tmp_path / "feed.jsonl").write_text(line + "\n")
    clean([tmp_path], tmp_path / "out")
    articles = load_articles(tmp_path / "out")
    assert articles["url"].tolist() == ["https://example.com/%EF%BF%BD"]
    assert articles["source"].tolist() == ["s\ufffd"]
    assert QualityFlag.ENCODING_REPLACED.value in articles["quality_flags"].iloc[0]


def test_lone_surrogates_in_yaml_front_matter_are_replaced(tmp_path: Path) -> None:
    body = "The budget grows next year. " * 20
    (tmp_path / "post.md").write_text(f'---\ntitle: "Budget \\ud800 day"\n---\n{body}\n')
    clean([tmp_path], tmp_path / "out")
    articles = load_articles(tmp_path / "out")
    assert articles["title"].tolist() == ["Budget \ufffd day"]
    assert QualityFlag.ENCODING_REPLACED.value in articles["quality_flags"].iloc[0]


# --- parsers never recurse or expand without bound ----------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "detail"),
    [
        ("deep.md", "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nbody\n", "nested deeper than 64 levels"),
        ("deep-toml.md", "+++\nx = " + "[" * 5000 + "]" * 5000 + "\n+++\nbody\n", "nested too deeply"),
        ("recursive.md", "---\na: &a [*a]\n---\nbody\n", "refers to itself"),
    ],
)
def test_deep_front_matter_is_unreadable_with_detail(tmp_path: Path, name: str, text: str, detail: str) -> None:
    (tmp_path / name).write_text(text)
    reject = only_reject(read_all(tmp_path / name))
    assert reject.reason == RejectReason.UNREADABLE
    assert detail in reject.detail


def test_a_yaml_alias_bomb_is_refused_at_once() -> None:
    lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 9) + "]" for n in range(8)]
    with pytest.raises(ValueError, match="expands to more than"):
        load_yaml("\n".join(lines) + "\nauthor: *i\n")
    # a few aliases, as real front matter uses them, still load
    assert load_yaml("base: &b {x: 1}\nother: *b\n") == {"base": {"x": 1}, "other": {"x": 1}}


def test_deep_json_lines_are_unreadable_and_the_file_goes_on(tmp_path: Path) -> None:
    lines = [
        "[" * 100_000,
        '{"url": "u", "html": ' + "[" * 100 + "]" * 100 + "}",
        json.dumps({"url": "v", "html": PAGE}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")
    items = read_all(tmp_path / "feed.jsonl")
    assert [getattr(i, "reason", "page") for i in items] == [RejectReason.UNREADABLE, RejectReason.UNREADABLE, "page"]
    assert "nested" in items[0].detail or "Expecting" in items[0].detail
    assert "nested deeper than 64 levels" in items[1].detail


# --- nothing vanishes -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.warc", "empty.warc.gz", "empty.jsonl", "empty.html", "empty.md"])
def test_zero_byte_files_are_rejects(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    reject = only_reject(read_all(tmp_path / name))
    assert (reject.reason, reject.detail) == (RejectReason.EMPTY_INPUT, "0 bytes")


def test_a_jsonl_file_of_blank_lines_is_a_reject(tmp_path: Path) -> None:
    (tmp_path / "blank.jsonl").write_text("\n\n  \n")
    assert only_reject(read_all(tmp_path / "blank.jsonl")).reason == RejectReason.EMPTY_INPUT


def test_a_content_length_past_the_file_end_does_not_swallow_later_records(tmp_path: Path) -> None:
    data = warc_bytes([PAGE.encode(), PAGE.encode(), PAGE.encode()])
    first = data.index(b"Content-Length: ")
    end = data.index(b"\r\n", first)
    data = data[:first] + b"Content-Length: 99999999" + data[end:]
    (tmp_path / "overrun.warc").write_bytes(data)
    items = read_all(tmp_path / "overrun.warc")
    assert [(type(i).__name__, i.url) for i in items] == [
        ("ReadReject", "https://example.com/0"),
        ("RawPage", "https://example.com/1"),
        ("RawPage", "https://example.com/2"),
    ]
    assert "truncated" in items[0].detail


def test_a_warc_whose_only_response_has_a_mangled_target_is_a_reject(tmp_path: Path) -> None:
    # a flipped byte ("ohttps://"): the record reads whole, but is no page; the file must not vanish
    data = warc_bytes([PAGE.encode()]).replace(b"WARC-Target-URI: https://", b"WARC-Target-URI: ohttps://")
    (tmp_path / "mangled.warc").write_bytes(data)
    reject = only_reject(read_all(tmp_path / "mangled.warc"))
    assert reject.reason == RejectReason.EMPTY_INPUT
    assert "no page in the archive" in reject.detail


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_warc_cut_inside_its_first_header_is_a_reject(tmp_path: Path, gzipped: bool) -> None:
    head = warc_bytes([PAGE.encode()])[:30]
    (tmp_path / "cut.warc.gz").write_bytes(gzip.compress(head) if gzipped else head)
    reject = only_reject(read_all(tmp_path / "cut.warc.gz"))
    assert reject.reason == RejectReason.UNREADABLE


def test_a_reader_bug_costs_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.html").write_text(PAGE)
    (tmp_path / "b.html").write_text(PAGE)
    real = readers._read_document

    def buggy(path: Path, *args: object) -> object:
        if path.name == "a.html":
            raise KeyError("boom")
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(readers, "_read_document", buggy)
    items = read_all(tmp_path)
    assert [(Path(i.origin).name, getattr(i, "reason", "page")) for i in items] == [
        ("a.html", RejectReason.INTERNAL_ERROR),
        ("b.html", "page"),
    ]
    assert "KeyError: 'boom'" in items[0].detail


# --- garbage is not text ----------------------------------------------------------------------


def test_random_bytes_are_not_text_and_real_pages_are() -> None:
    import random

    rng = random.Random(7)
    assert all(decode_bytes(rng.randbytes(n)).not_text for n in (100, 1000, 50_000) for _ in range(20))
    pages = Path(__file__).parents[1] / "fixtures" / "pages"
    real = [p.read_bytes() for p in sorted(pages.glob("*.html"))]
    assert real
    assert [p for p in real if decode_bytes(p).not_text] == []


def test_random_bytes_named_html_are_rejected_as_not_text(tmp_path: Path) -> None:
    import random

    (tmp_path / "noise.html").write_bytes(random.Random(3).randbytes(4000))
    clean([tmp_path], tmp_path / "out")
    rejects = load_rejects(tmp_path / "out")
    assert rejects["reason"].tolist() == [RejectReason.NOT_TEXT.value]
    assert "control or replacement characters" in rejects["detail"].iloc[0]


def test_a_markdown_post_without_front_matter_is_titled_by_its_first_heading(tmp_path: Path) -> None:
    (tmp_path / "post.md").write_text("# Budget *day* in Hong Kong\n\n" + "The budget grows next year. " * 20)
    clean([tmp_path], tmp_path / "out")
    assert load_articles(tmp_path / "out")["title"].tolist() == ["Budget day in Hong Kong"]


# --- the fuzz corpus ----------------------------------------------------------------------------


def test_a_fuzz_corpus_of_2000_hostile_files_ends_in_articles_and_rejects(tmp_path: Path) -> None:
    made = build_corpus(tmp_path / "in", 2000, seed=16)
    assert len(made) >= 2000
    clean([tmp_path / "in"], tmp_path / "out")
    found = outcomes(tmp_path / "out")
    vanished = [m for m in made if display_path(m.path) not in found]
    assert vanished == []
    wrong = [(m.kind, m.expect, found[display_path(m.path)]) for m in made if m.expect]
    assert [w for w in wrong if w[2] != {w[1]}] == []
    kinds = collections.Counter(m.kind for m in made)
    assert kinds["random_html"] > 100
    assert kinds["gzip_bomb"] > 10
    assert kinds["fifo"] == 1
