"""sources.toml: a valid file loads into Sources; every mistake names the file, the source and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import Source, SourcesError, load_sources, parse_sources, select_sources

VALID = """
[[source]]
name = "rthk-en"
feeds = ["https://rthk.hk/rthk/news/rss/e_expressnews_elocal.xml"]
allow = ['/\\d{4}/']
deny = ['/video/']
timezone = "Asia/Hong_Kong"
max_age_days = 30

[[source]]
name = "site-b"
sitemaps = ["https://b.example/news-sitemap.xml"]
sections = ["https://b.example/tech/"]
depth = 2
"""


def test_a_valid_file_loads_into_sources(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(VALID, encoding="utf-8")
    first, second = load_sources(path)
    assert first == Source(
        name="rthk-en",
        feeds=("https://rthk.hk/rthk/news/rss/e_expressnews_elocal.xml",),
        allow=(r"/\d{4}/",),
        deny=("/video/",),
        timezone="Asia/Hong_Kong",
        max_age_days=30.0,
    )
    assert second.sitemaps == ("https://b.example/news-sitemap.xml",)
    assert second.depth == 2
    assert second.timezone is None


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ('name = "a"\nfeeds = ["ftp://x/feed"]', "feeds", "absolute http(s) URL"),
        ('name = "a"\nfeeds = "not a list of urls"', "feeds", "absolute http(s) URL"),
        ('name = "a"\nfeeds = [1]', "feeds", "list of URL strings"),
        ('name = "a"', "feeds", "at least one of feeds, sitemaps or sections"),
        ('name = "a"\nfeeds = ["https://x/f"]\nallow = ["("]', "allow", "not a valid regular expression"),
        ('name = "a"\nfeeds = ["https://x/f"]\ntimezone = "Hong Kong"', "timezone", "not a known IANA zone"),
        ('name = "a"\nfeeds = ["https://x/f"]\nmax_age_days = -1', "max_age_days", "positive number"),
        ('name = "a"\nfeeds = ["https://x/f"]\ndepth = 9', "depth", "integer from 1 to 5"),
        ('name = "a"\nfeeds = ["https://x/f"]\nfeed = ["https://x/g"]', "feed", "unknown field"),
        ('feeds = ["https://x/f"]', "name", "is required"),
    ],
)
def test_errors_name_the_file_the_source_and_the_field(body: str, field: str, problem: str) -> None:
    with pytest.raises(SourcesError) as caught:
        parse_sources(f"[[source]]\n{body}\n", "my-sources.toml")
    message = str(caught.value)
    assert message.startswith("my-sources.toml: ")
    assert f"field {field!r}" in message
    assert problem in message
    if "name =" in body:
        assert "source 'a'" in message


def test_file_level_errors() -> None:
    with pytest.raises(SourcesError, match="not valid TOML"):
        parse_sources("[[source]\nname=", "s.toml")
    with pytest.raises(SourcesError, match=r"no \[\[source\]\] tables"):
        parse_sources("title = 'x'", "s.toml")
    with pytest.raises(SourcesError, match="used twice"):
        parse_sources('[[source]]\nname="a"\nfeeds=["https://x/f"]\n[[source]]\nname="a"\nfeeds=["https://x/g"]')
    with pytest.raises(SourcesError, match="cannot read the sources file"):
        load_sources(Path("/nonexistent/sources.toml"))


def test_select_sources_keeps_named_ones_and_rejects_unknown_names() -> None:
    sources = parse_sources(VALID)
    assert [s.name for s in select_sources(sources, None)] == ["rthk-en", "site-b"]
    assert [s.name for s in select_sources(sources, ["site-b"])] == ["site-b"]
    with pytest.raises(SourcesError, match="unknown source 'nope'; known sources: rthk-en, site-b"):
        select_sources(sources, ["nope"])


def test_allow_and_deny_decide_what_is_an_article() -> None:
    source = Source(name="s", feeds=("https://x/f",), allow=(r"/\d{4}/\d{2}/",), deny=("/video/",))
    assert source.is_article_url("https://x/tech/2026/11/story.html")
    assert not source.is_article_url("https://x/video/2026/11/clip.html")
    assert not source.is_article_url("https://x/about.html")
    assert Source(name="s", feeds=("https://x/f",)).is_article_url("https://x/anything")


def test_the_example_sources_file_is_valid() -> None:
    sources = load_sources(Path(__file__).resolve().parents[2] / "sources.example.toml")
    assert len(sources) >= 3
