"""A real Redis for tests: the one `.ci/run` started (TIDINGS_TEST_REDIS), or a private redis-server on a free port."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# redis://127.0.0.1:PORT/DB of a Redis whose databases from DB on the tests may flush: test runs on one
# machine sharing it (helpers, CI jobs) each take the first database no other run holds (a lock file each)
ENV = "TIDINGS_TEST_REDIS"
PRIVATE = ["--protected-mode", "yes"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def private_redis(databases: int = 1) -> Iterator[str]:
    """Start redis-server on 127.0.0.1 on a free port, without persistence; yield its URL; stop it."""
    binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else "")
    if not binary:
        pytest.skip(f"no redis-server on PATH and {ENV} unset (apt-get install redis-server; .ci/run does)")
    with tempfile.TemporaryDirectory(prefix="tidings-redis-") as directory:
        private = [*PRIVATE, "--databases", str(databases), "--dir", directory]
        for _attempt in range(5):  # the port may be taken between choosing and binding it
            port = _free_port()
            process = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", *private],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if _wait_for(port, process):
                break
        else:
            pytest.fail("redis-server did not start")
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
        time.sleep(0.05)
    process.kill()
    return False


@contextlib.contextmanager
def _database_of_our_own(url: str) -> Iterator[str]:
    """Yield `url` with the first database from its own on that no other process holds, held until the end.

    Two test runs given the same TIDINGS_TEST_REDIS used to flush and fill one database at once: a crawl
    worker of one run took the other run's frontier requests (the other fixture server's URLs, refused as
    blocked_url) and the run ended with exit code 3. The lock is a file per server and database, released
    by the kernel when its holder dies; when every database is held, wait for the first.
    """
    import redis

    parts = redis.connection.parse_url(url)
    first = int(parts.get("db") or 0)
    with redis.Redis.from_url(url) as client:
        try:
            count = int(client.config_get("databases").get("databases", 16))
        except redis.ResponseError:  # CONFIG disabled (rename-command): the default
            count = 16
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    host, port = parts.get("host", "localhost"), parts.get("port", 6379)
    directory = Path(tempfile.gettempdir())
    for db in [*range(first, max(count, first + 1)), None]:
        blocking = db is None
        db = first if db is None else db
        handle = (directory / f"tidings-test-redis-{host}-{port}-{db}.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield f"{base}/{db}"
        finally:
            handle.close()
        return


@contextlib.contextmanager
def empty_redis() -> Iterator[str]:
    """Yield the URL of an empty Redis database, private to the caller."""
    import redis

    url = os.environ.get(ENV)
    if url:
        with _database_of_our_own(url) as own:
            client = redis.Redis.from_url(own)
            client.flushdb()
            try:
                yield own
            finally:
                client.flushdb()
                client.close()
        return
    with private_redis() as url:
        yield url
