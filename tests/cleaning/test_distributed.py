"""--engine dask writes what --engine local writes: same rows, ids, duplicate_of, whatever the workers and order."""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import tidings
from cleaning.config import CleaningConfig
from cleaning.inputs.readers import InputShard, iter_inputs, plan_shards, read_shard
from cleaning.pipeline import run
from cleaning.storage.snapshot import Store
from tests.conftest import FIXTURES, SEEDS

distributed = pytest.importorskip("dask.distributed")

from cleaning.distributed import plan_tasks, run_dask  # noqa: E402  (after the skip: needs dask)

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _corpus(root: Path) -> list[Path]:
    """Mixed inputs: WARC, saved pages, posts, JSONL, seeds, and exact and near copies of the dedup texts."""
    folders = []
    for name in ("inputs", "pages", "dedup"):
        folders.append(Path(shutil.copytree(FIXTURES / name, root / name)))
    folders.append(Path(shutil.copytree(SEEDS, root / "seeds")))
    copies = root / "copies"
    copies.mkdir()
    for n, text in enumerate(sorted((FIXTURES / "dedup").glob("*.txt"))):
        body = text.read_text(encoding="utf-8")
        (copies / f"exact_{n:02d}.txt").write_text(body, encoding="utf-8")  # the same text, another file
        words = body.split(" ")
        words[len(words) // 2] = "altered"
        (copies / f"near_{n:02d}.txt").write_text(" ".join(words), encoding="utf-8")
    folders.append(copies)
    return folders


def _table(output: Path, name: str) -> pd.DataFrame:
    frame = tidings.load(output) if name == "articles" else pd.read_parquet(output / name)
    keys = ["id"] if name == "articles" else ["origin", "reason", "url"]
    return frame.sort_values(keys).reset_index(drop=True)


@dataclasses.dataclass
class Runs:
    local: Path
    dask: list[Path]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("engines")
    inputs = _corpus(root / "in")
    local = root / "local"
    run(inputs, local, CleaningConfig(), progress=False)
    outputs = []
    # 2 workers of an own LocalCluster, inputs reversed, tiny shards and commits
    two = root / "dask-2"
    run_dask(list(reversed(inputs)), two, CleaningConfig(workers=2, slice_pages=7), progress=False, shard_files=3)
    outputs.append(two)
    # a running cluster joined by address, inputs shuffled, one shard per folder
    shuffled = inputs[:]
    random.Random(7).shuffle(shuffled)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        joined = root / "dask-joined"
        run_dask(shuffled, joined, CleaningConfig(), scheduler=cluster.scheduler_address, progress=False)
        outputs.append(joined)
    return Runs(local, outputs)


def test_the_dask_engine_writes_the_same_articles(runs: Runs) -> None:
    expected = _table(runs.local, "articles")
    assert len(expected) > 40
    assert expected["duplicate_of"].notna().sum() >= 10  # the copies were found: the comparison means something
    for output in runs.dask:
        got = _table(output, "articles")
        pd.testing.assert_frame_equal(got.drop(columns="tidings_version"), expected.drop(columns="tidings_version"))


def test_the_dask_engine_writes_the_same_rejects(runs: Runs) -> None:
    expected = _table(runs.local, "rejects")
    assert len(expected)
    for output in runs.dask:
        got = _table(output, "rejects")
        pd.testing.assert_frame_equal(
            got[["origin", "reason", "url", "source"]], expected[["origin", "reason", "url", "source"]]
        )


def test_shards_read_what_iter_inputs_reads(tmp_path: Path) -> None:
    inputs = [*_corpus(tmp_path), tmp_path / "missing.html"]
    shards, warcs = plan_shards(inputs, max_files=2)
    assert len(shards) > len(inputs)
    assert [w.name for w in warcs] == ["tidings-20250514023000-00000-fixture.warc.gz"]

    def key(item: object) -> tuple[str, ...]:
        return (type(item).__name__, str(getattr(item, "origin", "")), str(getattr(item, "url", "")))

    whole = [key(item) for item in iter_inputs(inputs)]
    parts = [key(item) for shard in shards for item in read_shard(shard)]
    assert parts == whole


def _tidings(*args: str, blocked: str = "") -> subprocess.CompletedProcess[str]:
    code = "import sys; from tidings.cli import main; sys.argv = ['tidings', *sys.argv[1:]]; main()"
    if blocked:  # as if the package were not installed
        code = f"import sys; sys.modules[{blocked!r}] = None; " + code
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


def test_without_dask_the_engine_says_what_to_install(tmp_path: Path) -> None:
    result = _tidings("clean", str(SEEDS), "-o", str(tmp_path / "out"), "--engine", "dask", blocked="dask.distributed")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["Error: --engine dask needs Dask: pip install 'tidings[dask]'"]


def test_the_cli_cleans_on_a_local_cluster(tmp_path: Path) -> None:
    result = _tidings("clean", str(SEEDS), "-o", str(tmp_path / "out"), "--engine", "dask", "-w", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "3 in the dataset" in result.stderr
    assert "INFO" not in result.stderr  # Dask's own chatter stays under the CLI's level
    assert tidings.load_runs(tmp_path / "out")["engine"].tolist() == ["dask"]


_STEPS = ("trafilatura", "lxml", "langdetect", "justext", "htmldate", "dateparser", "courlan")

_CLIENT = """
import sys
from pathlib import Path
from tidings.cli import main  # what `tidings clean --engine dask` imports
from tidings.history import clean
from cleaning.config import CleaningConfig
summary = clean([Path(sys.argv[1])], Path(sys.argv[2]), CleaningConfig(workers=2), progress=False, engine="dask")
print(summary.total_articles)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[3:])))
"""


def test_the_dask_client_and_its_scheduler_never_import_the_steps(tmp_path: Path) -> None:
    """The client plans, commits and reports over paths, ids and signatures: the steps load on the workers only."""
    done = subprocess.run(
        [sys.executable, "-c", _CLIENT, str(SEEDS), str(tmp_path / "out"), *_STEPS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    total, loaded = [*done.stdout.splitlines(), ""][:2]
    assert total == "3"  # the workers did clean the pages
    assert loaded == ""


def test_a_scheduler_needs_the_dask_engine(tmp_path: Path) -> None:
    result = _tidings("clean", str(SEEDS), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1")
    assert result.returncode == 2
    assert "--scheduler needs --engine dask" in result.stderr


def _units(folder: Path, sizes: list[int]) -> list[InputShard]:
    """One unit per file of folder, a file of each size (plan_tasks weighs units by their bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    units = []
    for n, size in enumerate(sizes):
        file = folder / f"page-{n:03d}.html"
        file.write_bytes(b"x" * size)
        units.append(InputShard(n, folder, (file,), (), n == 0))
    return units


def test_plan_tasks_keeps_every_unit_in_order_and_shrinks_tasks_towards_the_end(tmp_path: Path) -> None:
    units = _units(tmp_path / "even", [1000] * 64)
    tasks = plan_tasks(units, 2)
    assert [u for task in tasks for u in task] == units  # nothing lost, repeated or reordered
    sizes = [len(task) for task in tasks]
    assert sizes == sorted(sizes, reverse=True)  # guided self-scheduling: big first, small last
    assert sizes[0] == 16  # a quarter of the whole: half of it over 2 workers
    assert sizes[-1] <= 2
    assert len(tasks) >= 4  # every worker has more than one task to take
    assert all(size >= 1 for size in sizes)


def test_plan_tasks_caps_files_per_task_and_gives_a_big_unit_its_own_task(tmp_path: Path) -> None:
    units = _units(tmp_path / "even", [1000] * 40)
    assert max(len(task) for task in plan_tasks(units, 1, max_files=3)) == 3
    assert [u for task in plan_tasks(units, 1, max_files=3) for u in task] == units
    mixed = _units(tmp_path / "mixed", [100] * 5 + [100_000] + [100] * 5)
    tasks = plan_tasks(mixed, 2)
    assert [mixed[5]] in tasks  # larger than any task's target: alone, never grouped with the small ones
    assert [u for task in tasks for u in task] == mixed
    assert plan_tasks([], 2) == []


_RUN = """
import sys
from pathlib import Path
from cleaning.config import CleaningConfig
from cleaning.distributed import run_dask
summary = run_dask([Path(sys.argv[1])], Path(sys.argv[2]), CleaningConfig(workers=2, slice_pages=5),
                   progress=False, shard_files=1)
print(summary.pages, summary.resumed_from)
for line in summary.lines():
    print(line)
"""


def _start(inputs: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, str(inputs), str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_a_dask_run_killed_with_sigkill_resumes_and_ends_with_the_rows_of_an_unkilled_run(tmp_path: Path) -> None:
    from tests.cleaning.test_streaming import _jsonl, _variant_pages

    pages = _variant_pages(60)
    inputs = tmp_path / "in"
    for n in range(12):  # 12 files of 5 pages: with shard_files=1 and slice_pages=5, 12 commits
        _jsonl(inputs / f"dump-{n:02d}.jsonl", pages[5 * n : 5 * n + 5])
    clean = tmp_path / "clean"
    run([inputs], clean, CleaningConfig(), progress=False)
    killed = tmp_path / "killed"
    process = _start(inputs, killed)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:  # kill the client (and its cluster) mid-run
        snapshot = Store(killed).current()
        if snapshot is not None and snapshot.manifest.version >= 2:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    snapshot = Store(killed).current()
    assert snapshot is not None
    committed = len(tidings.load(killed, columns=["id"]))
    assert 0 < committed < 60
    again = _start(inputs, killed)
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0
    counts, *lines = out.splitlines()
    assert [int(n) for n in counts.split()] == [60, committed]  # committed pages are not cleaned again
    assert f"resumed:     after {committed} inputs an interrupted run had committed" in lines
    expected = _table(clean, "articles").drop(columns="tidings_version")
    pd.testing.assert_frame_equal(_table(killed, "articles").drop(columns="tidings_version"), expected)
    assert tidings.load_rejects(killed).equals(tidings.load_rejects(clean))
