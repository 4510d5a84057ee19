"""Build a labelled near-duplicate set from the real-looking articles in tests/fixtures/dedup/.

Each article yields copies the way syndication changes a story: boilerplate lines added or
swapped, a paragraph dropped, paragraphs reordered, a few words edited, the other Chinese
script. Pairs are labelled related when they come from the same article.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re
from pathlib import Path

import opencc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"

_EN_BOILERPLATE = [
    "Subscribe to our newsletter for the latest technology news.",
    "Copyright 2025 Example Media Group. All rights reserved.",
    "Follow us on social media for more updates.",
    "This article first appeared in the print edition.",
    "Additional reporting by staff reporters.",
]
_ZH_BOILERPLATE = [
    "版权声明：本文版权归原作者所有，转载请注明出处。",
    "欢迎关注我们的公众号，获取更多科技资讯。",
    "（本文首发于印刷版）",
    "责任编辑：陈小明",
    "更多内容请下载本报应用程式。",
]
_EN_WORDS = ["new", "major", "local", "several", "recent", "early", "senior", "public", "large", "small"]
_ZH_WORDS = ["市场", "政府", "企业", "技术", "发展", "计划", "项目", "服务", "系统", "数据"]


@dataclasses.dataclass(frozen=True)
class Article:
    """One fixture article."""

    name: str
    language: str  # "en" or "zh"
    title: str
    paragraphs: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Variant:
    """A copy of an article, with the edits that made it."""

    base: str
    edits: str
    text: str


def load_articles() -> list[Article]:
    """Read every fixture article (first line title, then one paragraph per line)."""
    articles = []
    for path in sorted(FIXTURES.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        articles.append(Article(path.stem, path.stem[:2], lines[0], tuple(lines[1:])))
    return articles


def _edit_words(paragraphs: list[str], language: str, count: int, rng: random.Random) -> list[str]:
    out = list(paragraphs)
    for _ in range(count):
        i = rng.randrange(len(out))
        if language == "en":
            words = out[i].split(" ")
            j = rng.randrange(len(words))
            words[j] = rng.choice(_EN_WORDS)
            out[i] = " ".join(words)
        else:
            j = rng.randrange(max(1, len(out[i]) - 2))
            out[i] = out[i][:j] + rng.choice(_ZH_WORDS) + out[i][j + 2 :]
    return out


_CONVERTERS = {"s2t": opencc.OpenCC("s2t"), "s2hk": opencc.OpenCC("s2hk"), "s2tw": opencc.OpenCC("s2tw")}


def make_variants(article: Article, rng: random.Random) -> list[Variant]:
    """Return the original and its syndicated copies."""
    paragraphs = list(article.paragraphs)
    boilerplate = _EN_BOILERPLATE if article.language == "en" else _ZH_BOILERPLATE
    recipes: dict[str, list[str]] = {
        "original": paragraphs,
        "boilerplate": paragraphs + rng.sample(boilerplate, 2),
        "dateline": [rng.choice(boilerplate), *paragraphs],
        "drop_paragraph": paragraphs[:2] + paragraphs[3:],
        "reorder": paragraphs[:1] + paragraphs[3:4] + paragraphs[1:3] + paragraphs[4:],
        "edit_words": _edit_words(paragraphs, article.language, 4, rng),
        "edit_and_boilerplate": [*_edit_words(paragraphs, article.language, 2, rng), rng.choice(boilerplate)],
        "drop_and_edit": _edit_words(paragraphs[:4] + paragraphs[5:], article.language, 3, rng),
        "rewrite_heavy": _edit_words(paragraphs[1:2] + paragraphs[:1] + paragraphs[3:], article.language, 8, rng)
        + rng.sample(boilerplate, 2),
    }
    variants = [Variant(article.name, edits, "\n".join(body)) for edits, body in recipes.items()]
    if article.language == "zh":
        for name, converter in _CONVERTERS.items():
            variants.append(Variant(article.name, f"script_{name}", converter.convert("\n".join(paragraphs))))
        variants.append(
            Variant(
                article.name, "script_s2hk_boilerplate", _CONVERTERS["s2hk"].convert("\n".join(recipes["boilerplate"]))
            )
        )
        variants.append(
            Variant(
                article.name,
                "script_s2tw_drop_and_edit",
                _CONVERTERS["s2tw"].convert("\n".join(recipes["drop_and_edit"])),
            )
        )
    return variants


def synthetic_set(seed: int = 7) -> list[Variant]:
    """Return every variant of every fixture article, deterministically."""
    rng = random.Random(seed)
    return [v for article in load_articles() for v in make_variants(article, rng)]


_T2S = opencc.OpenCC("t2s")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


@functools.lru_cache(maxsize=4096)
def _shingle_set(text: str, word_ngram: int, char_ngram: int) -> frozenset[tuple[str, ...]]:
    tokens = _TOKEN.findall(_T2S.convert(text).casefold())
    cjk = sum(len(t) == 1 and ord(t) >= 0x3040 for t in tokens)
    size = char_ngram if cjk * 2 >= len(tokens) else word_ngram
    return frozenset(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


def true_jaccard(a: str, b: str, *, word_ngram: int, char_ngram: int) -> float:
    """Jaccard similarity of the two texts' shingle sets, computed the slow, obvious way."""
    left, right = _shingle_set(a, word_ngram, char_ngram), _shingle_set(b, word_ngram, char_ngram)
    return len(left & right) / len(left | right) if left | right else 1.0
