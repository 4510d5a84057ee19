"""A quiet loopback HTTP server for a folder of site files: the demo site, and the crawler's test sites.

Every served file has the bytes `{{BASE}}` replaced by the server's base URL
(`http://127.0.0.1:PORT`); that works in GBK and Big5 files too, as the marker is ASCII.
It speaks enough HTTP for a crawler to meet real-world behaviour: Content-Type by
extension, gzip when accepted, ETag/Last-Modified with 304, and per-path behaviour
from an optional `_routes.json` at the site root:

    {"/old": {"status": 301, "location": "/new"},
     "/flaky.html": {"fail_times": 1},                     # 500 once, then the file
     "/big5.html": {"headers": {"Content-Type": "text/html; charset=big5"}},
     "/gone.html": {"status": 404}, "/feed.xml": {"gzip": true}}
"""

from __future__ import annotations

import collections
import dataclasses
import email.utils
import gzip
import hashlib
import http.server
import json
import threading
import time
from pathlib import Path
from typing import Any, Self
from urllib.parse import unquote, urlsplit

__all__ = ["DemoServer", "ServedRequest"]

MARKER = b"{{BASE}}"
ROUTES_FILE = "_routes.json"
CONTENT_TYPES = {
    ".html": "text/html",  # no charset on purpose: pages must declare their own, as many real ones do
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".gz": "application/gzip",
}


@dataclasses.dataclass(frozen=True)
class ServedRequest:
    """One request the server answered: for tests to check what a crawler fetched."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    at: float  # time.monotonic() when answered


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and the demo print only what they mean to

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _send(self, status: int, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        # recorded first: a client that has read the answer always finds its request in the log
        self.server.record(ServedRequest(self.command, self.path, status, dict(self.headers.items()), time.monotonic()))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)

    def _serve(self, *, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        route = self.server.route(path)
        if route.get("fail_times") and self.server.count_failure(path) <= int(route["fail_times"]):
            self._send(500, {"Content-Type": "text/plain"}, b"temporary failure\n", send_body)
            return
        status = int(route.get("status", 200))
        if route.get("fail_times") and status >= 500:
            status = 200  # {"status": 500, "fail_times": 1}: the 500 was the failure, then the file
        if status in {301, 302, 303, 307, 308}:
            location = str(route.get("location", "/")).replace(MARKER.decode(), self.server.base_url)
            self._send(status, {"Location": location}, b"", send_body)
            return
        file = self.server.resolve(path)
        if file is None:
            self._send(404, {"Content-Type": "text/html"}, b"<html><body><h1>Not found</h1></body></html>", send_body)
            return
        body = self.server.render(file)
        headers = {"Content-Type": CONTENT_TYPES.get(file.suffix.lower(), "application/octet-stream")}
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = int(file.stat().st_mtime)
        headers |= {"ETag": etag, "Last-Modified": email.utils.formatdate(modified, usegmt=True)}
        headers |= {str(k): str(v) for k, v in (route.get("headers") or {}).items()}
        if status == 200 and self._not_modified(etag, modified):
            self._send(304, {"ETag": etag, "Last-Modified": headers["Last-Modified"]}, b"", send_body)
            return
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if wants_gzip and route.get("gzip", len(body) >= self.server.gzip_min_bytes):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self._send(status, headers, body, send_body)

    def _not_modified(self, etag: str, modified: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return modified <= email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    root: Path
    base_url: str
    gzip_min_bytes: int

    def __init__(self, address: tuple[str, int], root: Path, gzip_min_bytes: int) -> None:
        super().__init__(address, _Handler)
        self.root = root.resolve()
        self.gzip_min_bytes = gzip_min_bytes
        self.base_url = f"http://{address[0]}:{self.server_address[1]}"
        self.requests: list[ServedRequest] = []
        self._failures: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def record(self, served: ServedRequest) -> None:
        with self._lock:
            self.requests.append(served)

    def count_failure(self, path: str) -> int:
        with self._lock:
            self._failures[path] += 1
            return self._failures[path]

    def route(self, path: str) -> dict[str, Any]:
        # read on every request, so a test can change behaviour between two crawls
        routes_file = self.root / ROUTES_FILE
        if not routes_file.is_file():
            return {}
        routes = json.loads(routes_file.read_text(encoding="utf-8"))
        route = routes.get(path, {})
        return route if isinstance(route, dict) else {}

    def resolve(self, path: str) -> Path | None:
        candidate = (self.root / path.lstrip("/")).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_relative_to(self.root) or not candidate.is_file() or candidate.name == ROUTES_FILE:
            return None
        return candidate

    def render(self, file: Path) -> bytes:
        data = file.read_bytes()
        base = self.base_url.encode("ascii")
        if file.suffix.lower() == ".gz":  # a gzip file served as is (sitemap.xml.gz): replace inside it
            return gzip.compress(gzip.decompress(data).replace(MARKER, base), mtime=0)
        return data.replace(MARKER, base)


class DemoServer:
    """Serve a folder on 127.0.0.1 in a background thread; use as a context manager.

    with DemoServer(Path("tests/fixtures/site/news")) as server:
        print(server.base_url)
    """

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 0, gzip_min_bytes: int = 1024) -> None:
        self._server = _Server((host, port), Path(root), gzip_min_bytes)
        # a short poll interval: stop() returns in 50 ms instead of the default 500
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="demo-server", daemon=True
        )

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`, no trailing slash."""
        return self._server.base_url

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def requests(self) -> list[ServedRequest]:
        """Every request answered so far, in order."""
        with self._server._lock:
            return list(self._server.requests)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and wait for the thread."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
