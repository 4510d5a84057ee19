"""The test Redis helper: test runs sharing one TIDINGS_TEST_REDIS each get a database of their own."""

from __future__ import annotations

import pytest

from tests.redis_server import ENV, empty_redis, private_redis

redis = pytest.importorskip("redis")


def test_runs_sharing_one_redis_get_databases_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    with private_redis(databases=2) as server:
        monkeypatch.setenv(ENV, server)
        with empty_redis() as first, empty_redis() as second:
            assert first != second
            redis.Redis.from_url(first).set("tidings:news:requests", "ours")
            assert redis.Redis.from_url(second).dbsize() == 0
        with empty_redis() as again:  # released: the first database is free again, and flushed
            assert again == first
            assert redis.Redis.from_url(again).dbsize() == 0
