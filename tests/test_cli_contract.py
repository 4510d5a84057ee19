"""What scripts, cron and Makefiles rely on, through the real command line: exit codes, early checks, -v/-q."""

from __future__ import annotations

import csv
import functools
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tidings
from tests.conftest import ENGLISH_BODY, write_article

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
    assert "every one of the 2 inputs was rejected" in result.stderr.splitlines()[-1]


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
    for number in range(2000):  # several seconds of work: the signal lands mid-run, never after it
        body = f"Story {number}: the council met on day {number} and voted {number} to {number + 1}. " * 6
        write_article(tmp_path / "in", f"story-{number:03d}.txt", f"Story number {number} of the day", body)
    command = [sys.executable, "-m", "tidings", "clean", str(tmp_path / "in"), "-o", str(tmp_path / "out")]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "out" / ".tidings" / "staging").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Interrupted" in stderr
    assert "Traceback" not in stderr
    again = tidings_cli("clean", tmp_path / "in", "-o", tmp_path / "out", "-q")
    assert again.returncode == 0, again.stderr
    assert len(tidings.load(tmp_path / "out")) == 2000


@pytest.fixture
def cleaned(tmp_path):
    """An output holding two articles and one reject."""
    write_article(tmp_path / "in", "lab.txt", "Cyberport opens an AI lab")
    write_article(
        tmp_path / "in", "tram.txt", "Trams get an AI dispatcher", ENGLISH_BODY.replace("laboratory", "depot")
    )
    (tmp_path / "in" / "junk.bin").write_bytes(b"\x00\x01")
    result = tidings_cli("clean", tmp_path / "in", "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    return tmp_path / "out"


def test_every_output_folder_gets_the_column_readme(cleaned):
    assert (cleaned / "README.md").read_bytes() == (ROOT / "cleaning" / "storage" / "README.dataset.md").read_bytes()


def test_export_jsonl_to_stdout_with_filters_and_columns(cleaned):
    result = tidings_cli("export", cleaned, "--format", "jsonl", "--columns", "title,authors,fetched_at")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["title"] for r in rows) == ["Cyberport opens an AI lab", "Trams get an AI dispatcher"]
    assert all(set(r) == {"title", "authors", "fetched_at"} and r["authors"] == [] for r in rows)
    none = tidings_cli("export", cleaned, "--format", "jsonl", "--language", "fr")
    assert none.returncode == 0
    assert none.stdout == ""


def test_export_csv_to_a_file_and_rejects(cleaned, tmp_path):
    target = tmp_path / "articles.csv"
    result = tidings_cli("export", cleaned, "--format", "csv", "-o", target)
    assert result.returncode == 0, result.stderr
    with open(target, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    assert rows[0]["authors"] == "[]"
    rejects = tidings_cli("export", cleaned, "--format", "csv", "--rejects", "--columns", "origin,reason")
    assert rejects.stdout.splitlines()[0] == "origin,reason"
    assert rejects.stdout.splitlines()[1].endswith("junk.bin,unsupported_format")


def test_export_refuses_an_unknown_column_or_a_missing_dataset(cleaned, tmp_path):
    bad = tidings_cli("export", cleaned, "--format", "csv", "--columns", "headline")
    assert bad.returncode == 2
    assert "unknown column 'headline'" in _one_error_line(bad)
    missing = tidings_cli("export", tmp_path / "typo", "--format", "csv")
    assert missing.returncode == 2
    assert "does not exist" in _one_error_line(missing)


def test_sources_lists_a_valid_file_and_refuses_an_invalid_one(tmp_path):
    listed = tidings_cli("sources", ROOT / "sources.example.toml")
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines()[1:]]
    assert "rthk-en" in names
    assert "valid:       8 source(s)" in listed.stderr
    as_json = tidings_cli("sources", ROOT / "sources.example.toml", "--json")
    assert json.loads(as_json.stdout.splitlines()[0])["name"] == "rthk-en"
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nname = "bad"\nfeeds = ["not-a-url"]\n', encoding="utf-8")
    refused = tidings_cli("sources", bad)
    assert refused.returncode == 2
    assert "source 'bad', field 'feeds'" in _one_error_line(refused)


def test_the_crawl_help_example_names_a_source_of_the_example_file():
    listed = tidings_cli("sources", ROOT / "sources.example.toml").stdout
    names = {line.split()[0] for line in listed.splitlines()[1:]}
    text = " ".join(tidings_cli("crawl", "--help").stdout.split())  # however click wrapped it
    example = re.search(r"tidings crawl --sources (\S+) --source (\S+)", text)
    assert example is not None
    assert example.group(1) == "sources.example.toml"
    assert example.group(2) in names


def test_extract_a_saved_page_prints_one_json_article(tmp_path):
    page = write_article(tmp_path, "story.txt", "Cyberport opens an AI lab")
    result = tidings_cli("extract", page)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    article = json.loads(line)
    assert article["title"] == "Cyberport opens an AI lab"
    assert article["language"] == "en"
    assert not (tmp_path / "output").exists()


def test_extract_a_url_served_on_loopback(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    paragraphs = "".join(f"<p>{line}</p>" for line in ENGLISH_BODY.splitlines())
    (site / "story.html").write_text(
        f"<html><head><title>Cyberport opens an AI lab</title></head><body><article><h1>Cyberport opens an AI lab</h1>"
        f"{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        found = tidings_cli("extract", f"{base}/story.html")
        missing = tidings_cli("extract", f"{base}/nope.html")
        server.shutdown()
    assert found.returncode == 0, found.stderr
    article = json.loads(found.stdout)
    assert article["url"] == f"{base}/story.html"
    assert article["title"] == "Cyberport opens an AI lab"
    assert "forty companies" in article["text"]
    assert missing.returncode == 3
    assert missing.stdout == ""
    assert "http_error (HTTP 404" in missing.stderr


def test_origins_are_absolute_however_the_inputs_were_given(tmp_path):
    write_article(tmp_path / "in", "story.txt", "A story")
    (tmp_path / "in" / "junk.bin").write_bytes(b"\x00")
    command = [sys.executable, "-m", "tidings", "clean", "in", "-o", "out", "-q"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120)
    assert tidings.load(tmp_path / "out")["origin"].tolist() == [str(tmp_path / "in" / "story.txt")]
    assert tidings.load_rejects(tmp_path / "out")["origin"].tolist() == [str(tmp_path / "in" / "junk.bin")]


def _warc_response(url: bytes, status: bytes, content_type: bytes, body: bytes) -> bytes:
    """One gzipped WARC response record with exactly these bytes (warcio refuses to write non-ASCII headers)."""
    import gzip

    http = b"HTTP/1.1 " + status + b"\r\nContent-Type: " + content_type + b"\r\n\r\n" + body
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: " + url + b"\r\nWARC-Date: 2025-05-14T02:30:00Z\r\n"
        b"WARC-Record-ID: <urn:uuid:" + url.hex().encode()[:32] + b">\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: " + str(len(http)).encode() + b"\r\n\r\n"
    )
    return gzip.compress(head + http + b"\r\n\r\n")


def test_reject_details_are_bounded_printable_text_whatever_the_input_bytes(tmp_path):
    noise = bytes(range(256)) * 8
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "blob.txt").write_bytes(b"\x00\x01\xff\xfe" + noise)
    (folder / "nul.html").write_bytes(b"<html><body><p>\x00\x00\x1b[2J</p>" + noise + b"</body></html>")
    (folder / "post.md").write_bytes(b'+++\ntitle = "\x00\x1b[31m' + noise[:64] + b"\n+++\n\nbody\n")
    (folder / "lines.jsonl").write_bytes(
        b'{"url": "http://e.com/\x1b[31m", "html": 5}\n\xff\xfe\x00' + noise[:300] + b"\n"
    )
    (folder / "crawl.warc.gz").write_bytes(
        _warc_response(b"http://example.com/err", b"503 Busy \x00\xff\x1b[31m" + b"\x07" * 3000, b"text/html", noise)
        + _warc_response(b"http://example.com/ct", b"200 OK", b"application/\x00\xff\x1b" + b"x" * 3000, noise)
        + _warc_response(b"http://example.com/cs", b"200 OK", b"text/html; charset=\x00\xff", b"<p>\x00</p>")
        + _warc_response(b"http://example.com/bin", b"200 OK", b"text/html", noise * 4)
    )
    out = tmp_path / "out"
    result = tidings_cli("clean", folder, "-o", out)
    assert result.returncode == 0, result.stderr
    rejects = tidings.load_rejects(out)
    assert len(rejects) >= 6
    assert "internal_error" not in set(rejects["reason"])  # a NUL in a charset label is no tidings bug
    for reason, detail in zip(rejects["reason"], rejects["detail"], strict=True):
        assert isinstance(detail, str), reason
        assert len(detail) <= 1000, (reason, len(detail))
        assert all(line.isprintable() for line in detail.split("\n")), (reason, detail)
    http = rejects.loc[rejects["reason"] == "http_error", "detail"].item()
    assert http.startswith("HTTP 503 Busy \\x00ÿ\\x1b[31m\\x07")  # escaped, readable, cut
    assert "characters in all" in http
    exported = tidings_cli("export", out, "--format", "csv", "--rejects")
    assert exported.returncode == 0, exported.stderr
    assert "\x00" not in exported.stdout
    assert "\x1b" not in exported.stdout


def test_an_empty_folder_exits_3_saying_no_pages_were_found(tmp_path):
    (tmp_path / "empty").mkdir()
    result = tidings_cli("clean", tmp_path / "empty", "-o", tmp_path / "out")
    assert result.returncode == 3, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("nothing:     no pages found in the inputs"), last
    assert "rejected" not in last
    assert "pages read:  0" in result.stderr
