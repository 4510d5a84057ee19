"""Exact and near duplicates: clusters, canonical rows, cross-script links, the persisted index."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
import random
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import hypothesis
import hypothesis.strategies as st
import numpy as np
import opencc
import pandas as pd
import pytest

from cleaning import pipeline
from cleaning.config import CleaningConfig, DedupConfig
from cleaning.duplicates import dedup, minhash
from cleaning.duplicates.dedup import fingerprint_articles, mark_duplicates, near_duplicate_pairs, with_fingerprints
from cleaning.duplicates.index import DedupIndex, index_params, unindexed_ids, usable_index
from cleaning.duplicates.minhash import content_hashes, normalize_for_shingles, signatures, simplify_chinese
from cleaning.errors import ConfigError
from cleaning.storage.dataset import load_articles
from cleaning.storage.index_store import BANDS, DOCS
from cleaning.storage.snapshot import Store, Transaction
from tests.cleaning.dedup_variants import load_articles as fixture_articles
from tests.cleaning.dedup_variants import synthetic_set, true_jaccard

CONFIG = DedupConfig()
NO_STORED = pd.DataFrame({"id": pd.Series([], dtype=object), "duplicate_of": pd.Series([], dtype=object)})


def _articles(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "text": [r[1] for r in rows],
            "published_at": pd.to_datetime([r[2] for r in rows], utc=True),
        }
    )


def _dedup(
    articles: pd.DataFrame,
    index: DedupIndex | None = None,
    stored: pd.DataFrame = NO_STORED,
    config: DedupConfig = CONFIG,
) -> tuple[dict[str, str | None], dict[str, str | None], DedupIndex]:
    marked, updates, new_index = mark_duplicates(
        articles, index=usable_index(index, config), stored=stored, restored=[], config=config
    )
    return dict(zip(marked["id"], marked["duplicate_of"], strict=True)), updates, new_index


def _text(name: str) -> str:
    article = next(a for a in fixture_articles() if a.name.startswith(name))
    return "\n".join(article.paragraphs)


def _edited(text: str) -> str:
    """A syndicated copy: a boilerplate line added, one word changed."""
    return text.replace(" the ", " a ", 1).replace("的", "之", 1) + "\nSubscribe to our newsletter."


# -- exact duplicates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "canonical"),
    [
        (["2025-05-14T08:00Z", "2025-05-14T07:00Z", "2025-05-15T00:00Z"], "b"),  # earliest published
        ([None, "2025-05-14T07:00Z", None], "b"),  # undated rows come last
        ([None, None, None], "a"),  # all undated: smallest id
        (["2025-05-14T07:00Z", "2025-05-14T07:00Z", None], "a"),  # same time: smallest id
    ],
)
def test_exact_duplicates_point_at_the_canonical_row(dates: list[str | None], canonical: str) -> None:
    text = _text("en_01")
    marked, _, _ = _dedup(_articles([("a", text, dates[0]), ("b", text.upper(), dates[1]), ("c", text, dates[2])]))
    assert {i: d for i, d in marked.items() if d is not None} == {i: canonical for i in "abc" if i != canonical}
    assert marked[canonical] is None


_FULLWIDTH_HELLO_WORLD = "\uff28\uff25\uff2c\uff2c\uff2f\u3000\uff37\uff2f\uff32\uff2c\uff24"


def test_content_hash_ignores_case_width_and_punctuation() -> None:
    marked, _, _ = _dedup(
        _articles(
            [
                ("a", "Hello,   World!", None),
                ("b", "hello world", None),
                ("c", _FULLWIDTH_HELLO_WORLD, None),
                ("d", "hello there", None),
            ]
        )
    )
    assert marked == {"a": None, "b": "a", "c": "a", "d": None}


# -- near duplicates ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["en_02", "en_07", "zh_02", "zh_08"])
def test_edited_copy_is_a_near_duplicate_and_other_stories_are_not(name: str) -> None:
    text = _text(name)
    others = [a for a in fixture_articles() if a.language == name[:2] and not a.name.startswith(name)]
    rows = [("orig", text, "2025-05-14T00:00Z"), ("copy", _edited(text), "2025-05-14T03:00Z")]
    rows += [(a.name, "\n".join(a.paragraphs), "2025-05-13T00:00Z") for a in others]
    marked, _, _ = _dedup(_articles(rows))
    assert marked["copy"] == "orig"
    assert all(marked[a.name] is None for a in others), "unrelated stories on the same topic were linked"


@pytest.mark.parametrize("conversion", ["s2t", "s2hk", "s2tw"])
def test_same_story_in_traditional_and_simplified_is_linked(conversion: str) -> None:
    simplified = _text("zh_05")
    traditional = opencc.OpenCC(conversion).convert(simplified)
    assert traditional != simplified
    marked, _, _ = _dedup(
        _articles(
            [
                ("hant", traditional, "2025-05-14T00:00Z"),
                ("hans", simplified, "2025-05-14T01:00Z"),
                ("other", _text("zh_04"), None),
            ]
        )
    )
    assert marked == {"hant": None, "hans": "hant", "other": None}


def test_cluster_members_point_directly_at_the_canonical_row() -> None:
    # a chain: each copy drops the next paragraph, so the last is far from the first
    paragraphs = list(fixture_articles()[0].paragraphs)
    chain = ["\n".join(paragraphs[i:]) for i in range(3)]
    assert true_jaccard(chain[0], chain[2], word_ngram=5, char_ngram=4) < CONFIG.threshold
    marked, _, index = _dedup(_articles([(f"c{i}", t, f"2025-05-1{i}T00:00Z") for i, t in enumerate(chain)]))
    assert marked == {"c0": None, "c1": "c0", "c2": "c0"}
    assert index.docs.set_index("id")["canonical"].to_dict() == {"c0": "c0", "c1": "c0", "c2": "c0"}


def test_text_without_words_is_kept_alone() -> None:
    marked, _, index = _dedup(_articles([("a", "!!! ???", None), ("b", "... ---", None), ("c", _text("en_03"), None)]))
    assert marked == {"a": None, "b": "a", "c": None}  # same normalized text: exact duplicates only
    assert set(index.docs["id"]) == {"a", "b", "c"}


# -- signatures ---------------------------------------------------------------------------------


def test_normalize_for_shingles() -> None:
    # HK and TW variant glyphs (裏, 着) reach the same Simplified character as the standard ones
    assert simplify_chinese("數碼港裏面著重資訊裡") == "数码港里面着重资讯里"
    assert normalize_for_shingles("香港著力打造「數碼港」— ÉCOLE ﬁ, 1,234!") == "香港着力打造 数码港 école fi 1 234"


def test_signature_does_not_depend_on_the_batch_or_the_process() -> None:
    texts = [_text("en_01"), _text("zh_01"), "short", "", "two words", "三个字"]
    alone = np.concatenate([signatures([t], num_perm=64, word_ngram=5, char_ngram=4, seed=3) for t in texts])
    together = signatures(texts[::-1], num_perm=64, word_ngram=5, char_ngram=4, seed=3)[::-1]
    assert np.array_equal(alone, together)
    code = (
        "import sys, json; from cleaning.duplicates.minhash import signatures; "
        "sig = signatures(json.load(sys.stdin), num_perm=64, word_ngram=5, char_ngram=4, seed=3); "
        "print(json.dumps(sig.tolist()))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PYTHONPATH": str(Path.cwd())},
    )
    assert np.array_equal(np.array(json.loads(other.stdout), dtype=np.uint32), alone)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(st.lists(st.text(max_size=60), min_size=1, max_size=6))
@hypothesis.example(["abc \ud800 def", "\x00", "", "ǅ ß ﬁ 數碼"])  # a lone surrogate, NUL, empty, case/width/script
def test_any_text_gets_a_signature_and_hash_that_do_not_depend_on_its_neighbours(texts: list[str]) -> None:
    together = signatures(texts, num_perm=16, word_ngram=3, char_ngram=2, seed=1)
    alone = np.concatenate([signatures([t], num_perm=16, word_ngram=3, char_ngram=2, seed=1) for t in texts])
    assert np.array_equal(together, alone)
    assert content_hashes(texts) == [content_hashes([t])[0] for t in texts]
    assert normalize_for_shingles(normalize_for_shingles(texts[0])) == normalize_for_shingles(texts[0])


def test_a_signature_is_the_same_in_a_batch_of_either_script() -> None:
    # a batch of mostly Chinese and one of mostly English text take different vectorised paths
    mixed = "香港數碼港 Cyberport 與 OpenAI 合作推出 GPT-4o 課程，首批學員 120 人"
    kwargs = {"num_perm": 64, "word_ngram": 3, "char_ngram": 2, "seed": 5}
    alone = signatures([mixed], **kwargs)
    among_chinese = signatures([_text("zh_01"), mixed, _text("zh_01")], **kwargs)[1:2]
    among_english = signatures([_text("en_01"), mixed, _text("en_01")], **kwargs)[1:2]
    assert np.array_equal(alone, among_chinese)
    assert np.array_equal(alone, among_english)


@hypothesis.settings(max_examples=100, deadline=None)
@hypothesis.given(st.text(max_size=80))
@hypothesis.example("ǅ Straße ﬁ İ ΐ 數碼\x00\ud800")
def test_content_hash_is_sha1_of_the_documented_normalization(text: str) -> None:
    folded = unicodedata.normalize("NFKC", text).casefold()
    spaced = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in folded)
    expected = hashlib.sha1(re.sub(" +", " ", spaced).strip(" ").encode("utf-8", "surrogatepass")).hexdigest()
    assert content_hashes([text]) == [expected]


def test_nfkc_agrees_with_unicodedata_on_every_bmp_character_in_context() -> None:
    # around each character: a base letter and combining marks it may compose with (é, ガ from
    # half-width ｶﾞ), a Hangul leading jamo, a full-width comma (changed by the table) and an astral letter
    for codepoint in range(0x10000):
        char = chr(codepoint)
        text = f"e{char}\u0301カ{char}\u3099\uff76\uff9e\u1100{char}\u1161，{char}𝐀"
        assert minhash.nfkc(text) == unicodedata.normalize("NFKC", text), hex(codepoint)
        assert minhash.nfkc(char) == unicodedata.normalize("NFKC", char), hex(codepoint)


_NFKC_TRICKY = (
    "，。：（）！？　…‥ｶﾞﾟ\u3099\u309a\u0301\u0308\u0327\u1100\u1161\u11a8가ﬁ①㈱㍿Å\u00a0\u00b5ǅ𝐀\U0002f800\ud800eAカ中"
)


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(st.text() | st.text(alphabet=st.sampled_from(_NFKC_TRICKY), max_size=30))
@hypothesis.example("全角，逗号……和ｶﾞ")
def test_nfkc_is_unicodedata_nfkc(text: str) -> None:
    assert minhash.nfkc(text) == unicodedata.normalize("NFKC", text)


def test_the_casefold_table_agrees_with_str_casefold_everywhere() -> None:
    packed = minhash._folded_classes()
    folds, expands = packed & minhash._FOLD_BITS, (packed & minhash._EXPANDS) != 0
    classes = packed >> minhash._CLASS_SHIFT
    for codepoint in range(0x110000):
        if 0xD800 <= codepoint < 0xE000:
            continue
        folded = chr(codepoint).casefold()
        if len(folded) > 1:
            assert expands[codepoint], hex(codepoint)
        else:
            assert not expands[codepoint], hex(codepoint)
            assert folds[codepoint] == ord(folded), hex(codepoint)
            assert classes[codepoint] == minhash._char_classes()[ord(folded)], hex(codepoint)


def test_bad_lsh_parameters_raise() -> None:
    with pytest.raises(ConfigError, match="bands"):
        usable_index(None, DedupConfig(bands=20, rows=8, num_perm=128))


# -- the synthetic set: recall and precision ----------------------------------------------------


def test_recall_and_precision_on_syndicated_copies() -> None:
    variants = synthetic_set()
    texts = [v.text for v in variants]
    found = set(near_duplicate_pairs(texts, config=CONFIG))
    similar_pairs = [
        (a, b)
        for a, b in itertools.combinations(range(len(variants)), 2)
        if variants[a].base == variants[b].base
        and true_jaccard(texts[a], texts[b], word_ngram=CONFIG.word_ngram, char_ngram=CONFIG.char_ngram) >= 0.8
    ]
    assert len(similar_pairs) > 300, "the synthetic set should hold many similar pairs"
    recall = sum(pair in found for pair in similar_pairs) / len(similar_pairs)
    assert recall >= 0.95
    # precision of the clusters: members of one cluster come from one story
    marked, _, _ = _dedup(_articles([(f"{i:04d}", t, None) for i, t in enumerate(texts)]))
    canonical = {i: d or i for i, d in marked.items()}
    clustered = [(a, b) for a, b in itertools.combinations(sorted(canonical), 2) if canonical[a] == canonical[b]]
    related = sum(variants[int(a)].base == variants[int(b)].base for a, b in clustered)
    assert related / len(clustered) >= 0.99
    assert len({canonical[f"{i:04d}"] for i, v in enumerate(variants)}) >= len(fixture_articles())


# -- incremental: the index carries the dataset ---------------------------------------------------


def _stored(marked_runs: list[dict[str, str | None]], updates: list[dict[str, str | None]]) -> pd.DataFrame:
    rows: dict[str, str | None] = {}
    for marked, update in zip(marked_runs, updates, strict=True):
        rows.update(update)
        rows.update(marked)
    return pd.DataFrame({"id": list(rows), "duplicate_of": list(rows.values())}, dtype=object)


def test_two_runs_give_what_one_run_gives() -> None:
    rng = random.Random(5)
    variants = synthetic_set()
    rows = [
        (f"{i:04d}", v.text, f"2025-05-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00Z")
        for i, v in enumerate(variants)
    ]
    everything, _, _ = _dedup(_articles(rows))
    rng.shuffle(rows)
    first, _, index = _dedup(_articles(rows[:120]))
    second, updates, index = _dedup(_articles(rows[120:]), index, stored=_stored([first], [{}]))
    combined = {**first, **updates, **second}
    assert combined == everything
    assert any(everything[i] != first[i] for i in first), "some stored rows should have changed canonical"
    assert index.docs.set_index("id")["canonical"].to_dict() == {i: d or i for i, d in everything.items()}


def test_shuffled_input_gives_the_same_clusters() -> None:
    variants = synthetic_set()[:60]
    rows = [
        (f"{i:04d}", v.text, None if i % 7 == 0 else f"2025-05-{i % 28 + 1:02d}T00:00Z") for i, v in enumerate(variants)
    ]
    reference, _, _ = _dedup(_articles(rows))
    random.Random(1).shuffle(rows)
    shuffled, _, _ = _dedup(_articles(rows))
    assert shuffled == reference


def test_unindexed_ids_are_the_rows_the_index_does_not_hold_as_stored() -> None:
    _, _, index = _dedup(
        _articles(
            [("a", _text("en_01"), None), ("b", _text("en_02"), "2025-05-14T00:00Z"), ("c", _text("en_03"), None)]
        )
    )
    stored = index.docs[["id", "content_hash", "published_at"]].assign(duplicate_of=None)
    assert unindexed_ids(index, stored) == set()
    changed = stored.assign(
        content_hash=["other", *stored["content_hash"][1:]],
        published_at=[stored["published_at"][0], pd.Timestamp("2025-05-15", tz="UTC"), stored["published_at"][2]],
    )
    extra = pd.DataFrame({"id": ["d"], "content_hash": ["x"], "published_at": [pd.NaT], "duplicate_of": [None]})
    assert unindexed_ids(index, pd.concat([changed, extra], ignore_index=True)) == {"a", "b", "d"}


def test_a_replaced_article_leaves_its_cluster() -> None:
    text = _text("en_04")
    first, _, index = _dedup(
        _articles(
            [
                ("a", text, "2025-01-01T00:00Z"),
                ("b", _edited(text), "2025-01-02T00:00Z"),
                ("c", _edited(_edited(text)), "2025-01-03T00:00Z"),
            ]
        )
    )
    assert first == {"a": None, "b": "a", "c": "a"}
    # the page of "a" now holds another story: b and c form a cluster of their own
    second, updates, index = _dedup(
        _articles([("a", _text("en_05"), "2025-01-04T00:00Z")]), index, stored=_stored([first], [{}])
    )
    assert second == {"a": None}
    assert updates == {"b": None, "c": "b"}
    assert index.docs.set_index("id")["canonical"].to_dict() == {"a": "a", "b": "b", "c": "b"}


# -- end to end through pipeline.run --------------------------------------------------------------


@pytest.fixture
def dated_inputs(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str | None, ...]]:
    """Let .txt inputs have a URL, a publication date and a fetch date (metadata steps are not under test)."""
    meta: dict[str, tuple[str | None, ...]] = {}
    build_steps = pipeline.build_steps

    def set_meta(articles: pd.DataFrame) -> pipeline.StepResult:
        rows = [(*meta[Path(origin).name], None)[:3] for origin in articles["origin"]]
        return pipeline.StepResult(
            articles.assign(
                url=[r[0] for r in rows],
                published_at=pd.to_datetime([r[1] for r in rows], utc=True),
                fetched_at=pd.to_datetime([r[2] for r in rows], utc=True),
            ),
            articles.iloc[0:0],
        )

    def with_meta(config: CleaningConfig) -> list[tuple[str, pipeline.Step]]:
        steps = build_steps(config)
        at = [name for name, _ in steps].index("normalize_metadata") + 1
        return [*steps[:at], ("set_test_metadata", set_meta), *steps[at:]]

    monkeypatch.setattr(pipeline, "build_steps", with_meta)
    return meta


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Title of {name}\n{text}\n", encoding="utf-8")
    return path


def _dataset(output: Path) -> dict[str, str | None]:
    articles = load_articles(output)
    return {u: (None if pd.isna(d) else d) for u, d in zip(articles["url"], articles["duplicate_of"], strict=True)}


def _index(output: Path) -> tuple[pd.DataFrame, int, dict]:
    """The stored dedup index: its docs, its band rows, its parameters."""
    snapshot = Store(output).current()
    assert snapshot is not None
    docs = pd.concat([pd.read_parquet(p) for p in snapshot.paths(DOCS)] or [pd.DataFrame({"id": []})])
    bands = sum(e.rows for e in snapshot.entries(BANDS))
    return docs, bands, snapshot.manifest.meta["dedup_params"]


def _ids(output: Path) -> dict[str, str]:
    articles = load_articles(output)
    return dict(zip(articles["url"], articles["id"], strict=True))


def test_incremental_runs_link_new_articles_to_stored_ones(tmp_path: Path, dated_inputs: dict) -> None:
    out = tmp_path / "out"
    story, traditional = _text("zh_03"), opencc.OpenCC("s2hk").convert(_text("zh_03"))
    dated_inputs.update(
        {
            "first.txt": ("https://a.example/1", "2025-05-14T06:00Z"),
            "exact.txt": ("https://b.example/1", "2025-05-14T09:00Z"),
            "other.txt": ("https://a.example/2", "2025-05-14T07:00Z"),
            "copy.txt": ("https://c.example/1", "2025-05-14T08:00Z"),
            "earlier.txt": ("https://d.example/1", "2025-05-14T01:00Z"),
        }
    )
    config = CleaningConfig()
    pipeline.run(
        [
            _write(tmp_path / "run1", "first.txt", story),
            _write(tmp_path / "run1", "exact.txt", story),
            _write(tmp_path / "run1", "other.txt", _text("zh_04")),
        ],
        out,
        config,
        progress=False,
    )
    ids = _ids(out)
    assert _dataset(out) == {
        "https://a.example/1": None,
        "https://b.example/1": ids["https://a.example/1"],
        "https://a.example/2": None,
    }

    pipeline.run([_write(tmp_path / "run2", "copy.txt", _edited(traditional))], out, config, progress=False)
    assert _dataset(out)["https://c.example/1"] == ids["https://a.example/1"]

    # an earlier-published copy arrives: it becomes canonical and the stored rows follow it
    summary = pipeline.run([_write(tmp_path / "run3", "earlier.txt", _edited(story))], out, config, progress=False)
    ids = _ids(out)
    earlier = ids["https://d.example/1"]
    assert _dataset(out) == {
        "https://a.example/1": earlier,
        "https://b.example/1": earlier,
        "https://c.example/1": earlier,
        "https://a.example/2": None,
        "https://d.example/1": None,
    }
    assert summary.duplicates == 0
    docs, _, _ = _index(out)
    assert sorted(docs["id"]) == sorted(ids.values())
    assert dict(zip(docs["id"], docs["canonical"], strict=True)) == {i: earlier for i in ids.values()} | {
        ids["https://a.example/2"]: ids["https://a.example/2"]
    }


def test_an_older_fetch_does_not_replace_the_indexed_text(tmp_path: Path, dated_inputs: dict) -> None:
    out = tmp_path / "out"
    dated_inputs.update(
        {
            "new.txt": ("https://a.example/1", "2025-05-14T06:00Z", "2025-06-02T00:00Z"),
            "old.txt": ("https://a.example/1", "2025-05-14T06:00Z", "2025-06-01T00:00Z"),
            "copy.txt": ("https://b.example/1", "2025-05-15T06:00Z", "2025-06-03T00:00Z"),
        }
    )
    pipeline.run([_write(tmp_path / "run1", "new.txt", _text("en_10"))], out, CleaningConfig(), progress=False)
    config = CleaningConfig()
    summary = pipeline.run([_write(tmp_path / "run2", "old.txt", _text("en_09"))], out, config, progress=False)
    assert summary.kept_existing == 1
    pipeline.run([_write(tmp_path / "run3", "copy.txt", _edited(_text("en_10")))], out, config, progress=False)
    assert _dataset(out)["https://b.example/1"] == _ids(out)["https://a.example/1"]


def test_changed_parameters_rebuild_the_index(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "out"
    story = _text("en_06")
    pipeline.run([_write(tmp_path / "in", "a.txt", story)], out, CleaningConfig(), progress=False)
    changed = CleaningConfig(dedup=dataclasses.replace(CONFIG, word_ngram=3, bands=16, rows=8))
    with caplog.at_level(logging.WARNING, logger="cleaning.shards"):
        pipeline.run([_write(tmp_path / "in2", "b.txt", _edited(story))], out, changed, progress=False)
    assert "rebuilding" in caplog.text
    docs, bands, params = _index(out)
    assert params == index_params(changed.dedup)
    assert len(docs) == 2
    assert bands == 2 * 16
    rows = load_articles(out).sort_values("id")
    assert rows["duplicate_of"].tolist()[1] == rows["id"].tolist()[0]  # undated: the smaller id is canonical


def _parquet_rows(output: Path) -> list[dict]:
    articles = load_articles(output).drop(columns=["origin"])
    return articles.sort_values("id").astype(str).to_dict("records")


def test_worker_count_and_input_order_do_not_change_the_output(tmp_path: Path) -> None:
    variants = synthetic_set()[:24]
    files = [_write(tmp_path / "in", f"{i:02d}.txt", v.text) for i, v in enumerate(variants)]
    one = tmp_path / "one"
    pipeline.run(files, one, CleaningConfig(workers=1), progress=False)
    two = tmp_path / "two"
    shuffled = files[:]
    random.Random(3).shuffle(shuffled)
    pipeline.run(shuffled, two, dataclasses.replace(CleaningConfig(workers=2), batch_size=5), progress=False)
    assert _parquet_rows(one) == _parquet_rows(two)
    assert sum(row["duplicate_of"] not in ("None", "<NA>", "nan") for row in _parquet_rows(one)) >= 12


def _killed_commit(*_: object) -> None:
    raise KeyboardInterrupt  # as a kill between writing the files and switching the snapshot


def test_a_run_killed_before_its_commit_leaves_the_output_and_reruns_to_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = _text("en_08")
    runs = [[("a.txt", story)], [("b.txt", _edited(story))], [("c.txt", _edited(_edited(story)))]]

    def run_all(out: Path, kill_second: bool) -> None:
        for number, files in enumerate(runs):
            paths = [_write(tmp_path / f"in{number}", name, text) for name, text in files]
            if number == 1 and kill_second:
                before = _parquet_rows(out)
                with monkeypatch.context() as patch:
                    patch.setattr(Transaction, "commit", _killed_commit)
                    with pytest.raises(KeyboardInterrupt):
                        pipeline.run(paths, out, CleaningConfig(), progress=False)
                assert _parquet_rows(out) == before
            pipeline.run(paths, out, CleaningConfig(), progress=False)

    run_all(tmp_path / "clean", kill_second=False)
    run_all(tmp_path / "killed", kill_second=True)
    assert _parquet_rows(tmp_path / "killed") == _parquet_rows(tmp_path / "clean")
    docs, _, _ = _index(tmp_path / "killed")
    assert len(docs) == 3


def test_a_run_without_articles_keeps_the_index(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pipeline.run([_write(tmp_path / "in", "a.txt", _text("en_01"))], out, CleaningConfig(), progress=False)
    unreadable = tmp_path / "junk" / "data.bin"
    unreadable.parent.mkdir()
    unreadable.write_bytes(b"\x00\x01")
    summary = pipeline.run([unreadable], out, CleaningConfig(), progress=False)
    assert summary.articles == 0
    docs, _, _ = _index(out)
    assert docs["id"].tolist() == load_articles(out)["id"].tolist()


def test_an_empty_index_links_later_articles(tmp_path: Path) -> None:
    out = tmp_path / "out"
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00")
    pipeline.run([junk], out, CleaningConfig(), progress=False)  # no articles: an empty index
    docs, _, _ = _index(out)
    assert len(docs) == 0
    story = _text("zh_06")
    pipeline.run([_write(tmp_path / "in", "a.txt", story)], out, CleaningConfig(), progress=False)
    pipeline.run([_write(tmp_path / "in2", "b.txt", _edited(story))], out, CleaningConfig(), progress=False)
    rows = load_articles(out).sort_values("id")
    assert rows["duplicate_of"].tolist()[1] == rows["id"].tolist()[0]


def test_a_killed_run_that_replaced_an_article_is_repaired(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dated_inputs: dict,
) -> None:
    out = tmp_path / "out"
    dated_inputs.update(
        {
            "v1.txt": ("https://a.example/live", "2025-05-14T06:00Z", "2025-05-14T07:00Z"),
            "v2.txt": ("https://a.example/live", "2025-05-14T06:00Z", "2025-05-14T09:00Z"),
            "copy.txt": ("https://b.example/1", "2025-05-15T06:00Z", "2025-05-15T07:00Z"),
        }
    )
    pipeline.run([_write(tmp_path / "in1", "v1.txt", _text("en_03"))], out, CleaningConfig(), progress=False)
    # the page at the same URL now holds another story; the run dies before its commit, then runs again
    v2 = _write(tmp_path / "in2", "v2.txt", _text("en_05"))
    with monkeypatch.context() as patch:
        patch.setattr(Transaction, "commit", _killed_commit)
        with pytest.raises(KeyboardInterrupt):
            pipeline.run([v2], out, CleaningConfig(), progress=False)
    pipeline.run([v2], out, CleaningConfig(), progress=False)
    pipeline.run([_write(tmp_path / "in3", "copy.txt", _edited(_text("en_05")))], out, CleaningConfig(), progress=False)
    assert _dataset(out)["https://b.example/1"] == _ids(out)["https://a.example/live"]


# -- fingerprints computed batch by batch (the workers) --------------------------------------------


def test_fingerprints_computed_a_batch_at_a_time_are_those_of_the_whole_set() -> None:
    texts = [v.text for v in synthetic_set()]
    texts += ["", "   ", "ß and ﬁ expand when casefolded", "x" * 300_000]  # no tokens; str.casefold; cut
    articles = pd.DataFrame(
        {
            "id": [f"id-{n:04d}" for n in range(len(texts))],
            "text": texts,
            "published_at": pd.Series([None] * len(texts), dtype=object),
        }
    )
    whole = fingerprint_articles(articles, CONFIG)
    rng = random.Random(3)
    cuts = sorted(rng.sample(range(1, len(texts)), 12))
    batches = [articles.iloc[a:b] for a, b in itertools.pairwise([0, *cuts, len(texts)])]
    gathered = pd.concat([with_fingerprints(batch, CONFIG) for batch in batches])
    assert gathered["signature"].notna().all()

    shuffled = gathered.sample(frac=1, random_state=5)  # the rows follow the shard's sort: the fingerprints too
    staged = fingerprint_articles(shuffled, CONFIG)
    order = shuffled.index.to_numpy()
    pd.testing.assert_frame_equal(staged.docs, whole.docs.iloc[order].reset_index(drop=True))
    np.testing.assert_array_equal(staged.signatures, whole.signatures[order])
    assert (whole.signatures == minhash.EMPTY).all(axis=1).any()  # the texts with no tokens are there too


_HASHES = st.integers(0, 6) | st.sampled_from([2**63, 2**64 - 1])  # few values, so hashes collide


@hypothesis.given(
    seeds=st.lists(st.integers(0, 12), max_size=6),
    width=st.integers(1, 3),
    data=st.data(),
    rows=st.lists(st.tuples(_HASHES, st.integers(0, 12)), max_size=30),
    dtypes=st.sampled_from([("uint64", "int64"), ("object", "int64"), ("uint64", "int32"), ("int64", "int64")]),
)
@hypothesis.settings(max_examples=300, deadline=None)
def test_candidate_pairs_are_those_of_the_pandas_merge(
    seeds: list[int],
    width: int,
    data: st.DataObject,
    rows: list[tuple[int, int]],
    dtypes: tuple[str, str],
) -> None:
    hash_dtype, pos_dtype = dtypes
    if hash_dtype == "int64":
        rows = [(h, p) for h, p in rows if h < 2**63]
    bands = np.array(
        data.draw(
            st.lists(st.lists(_HASHES, min_size=width, max_size=width), min_size=len(seeds), max_size=len(seeds))
        ),
        dtype=np.uint64,
    ).reshape(len(seeds), width)
    table = pd.DataFrame(
        {
            "band_hash": pd.Series([h for h, _ in rows], dtype=hash_dtype),
            "pos": pd.Series([p for _, p in rows], dtype=pos_dtype),
        }
    )
    seed_array = np.array(seeds, dtype=np.int64)
    low, high = dedup._candidate_pairs(seed_array, bands, table)
    want_low, want_high = dedup._merged_candidate_pairs(seed_array, bands, table)
    assert low.tolist() == want_low.tolist()
    assert high.tolist() == want_high.tolist()
    assert low.dtype == want_low.dtype == np.int64
