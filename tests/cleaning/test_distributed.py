"""--engine dask writes what --engine local writes: same rows, ids, duplicate_of, whatever the workers and order."""

from __future__ import annotations

import dataclasses
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cleaning.config import CleaningConfig
from cleaning.inputs.readers import iter_inputs, plan_shards, read_shard
from cleaning.pipeline import run
from tests.conftest import FIXTURES, SEEDS

distributed = pytest.importorskip("dask.distributed")

from cleaning.distributed import run_dask  # noqa: E402  (after the skip: needs dask)

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
    import tidings

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
    import tidings

    assert tidings.load_runs(tmp_path / "out")["engine"].tolist() == ["dask"]


def test_a_scheduler_needs_the_dask_engine(tmp_path: Path) -> None:
    result = _tidings("clean", str(SEEDS), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1")
    assert result.returncode == 2
    assert "--scheduler needs --engine dask" in result.stderr
