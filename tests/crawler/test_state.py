"""The crawl state: seen articles, articles pending another try, listing validators."""

from __future__ import annotations

from pathlib import Path

from crawler.state import CrawlState


def test_seen_urls_survive_a_reopen(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "crawl.sqlite")
    assert state.mark_seen(["http://a/1", "http://a/2", "http://a/1", ""]) == 2
    state.close()
    state = CrawlState(tmp_path / "crawl.sqlite")
    assert state.is_seen("http://a/1")
    assert not state.is_seen("http://a/3")
    assert state.mark_seen(["http://a/1"]) == 0
    state.close()


def test_pending_articles_are_offered_until_fetched_or_out_of_attempts(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "crawl.sqlite")
    state.add_pending("http://a/down", "a", {"title": "Down"}, "http_503")
    state.add_pending("http://b/down", "b", {}, "TimeoutError")
    assert state.pending(["a"], max_attempts=3) == [("http://a/down", "a", {"title": "Down"})]
    state.add_pending("http://a/down", "a", {"title": "Down"}, "http_503")
    state.add_pending("http://a/down", "a", {"title": "Down"}, "http_503")
    assert state.pending(["a"], max_attempts=3) == []  # three crawls failed on it: give up
    # oldest failure first: b failed once, a failed again since
    assert [url for url, _, _ in state.pending(["a", "b"], max_attempts=5)] == ["http://b/down", "http://a/down"]
    state.mark_seen(["http://b/down"])
    assert [url for url, _, _ in state.pending(["a", "b"], max_attempts=5)] == ["http://a/down"]
    state.close()


def test_validators_are_stored_and_forgotten(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "crawl.sqlite")
    assert state.validators("http://a/feed") == (None, None)
    state.store_validators("http://a/feed", '"abc"', "Sat, 21 Nov 2026 10:00:00 GMT")
    assert state.validators("http://a/feed") == ('"abc"', "Sat, 21 Nov 2026 10:00:00 GMT")
    state.store_validators("http://a/feed", None, None)  # the server stopped sending them
    assert state.validators("http://a/feed") == (None, None)
    state.close()
