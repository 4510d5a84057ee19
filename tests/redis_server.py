"""A real Redis for tests: the one `.ci/run` started (TIDINGS_TEST_REDIS), or a private redis-server on a free port."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ENV = "TIDINGS_TEST_REDIS"  # redis://127.0.0.1:PORT/DB of a Redis the tests may flush
PRIVATE = ["--protected-mode", "yes", "--databases", "1"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    """Start redis-server on 127.0.0.1 on a free port, without persistence; yield its URL; stop it."""
    binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else "")
    if not binary:
        pytest.skip(f"no redis-server on PATH and {ENV} unset (apt-get install redis-server; .ci/run does)")
    with tempfile.TemporaryDirectory(prefix="tidings-redis-") as directory:
        private = [*PRIVATE, "--dir", directory]
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
def empty_redis() -> Iterator[str]:
    """Yield the URL of an empty Redis database, private to the caller."""
    import redis

    url = os.environ.get(ENV)
    if url:
        client = redis.Redis.from_url(url)
        client.flushdb()
        try:
            yield url
        finally:
            client.flushdb()
            client.close()
        return
    with private_redis() as url:
        yield url
