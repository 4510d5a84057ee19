"""The loopback server behaves like the real web the crawler meets: types, gzip, 304, routes, errors."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
from pathlib import Path

import pytest

from tidings.demo.server import DemoServer


def _get(server: DemoServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_base_marker_is_replaced_even_in_big5_files(server: DemoServer, site: Path) -> None:
    status, headers, body = _get(server, "/world/2026/11/big5-story.html")
    assert status == 200
    assert body == (site / "world/2026/11/big5-story.html").read_bytes().replace(b"{{BASE}}", server.base_url.encode())
    assert server.base_url.encode() in body
    assert headers["Content-Type"] == "text/html; charset=big5"  # from _routes.json


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/tech/2026/11/chip-lab.html", "text/html"),  # no charset unless configured
        ("/atom.xml", "application/xml"),
        ("/robots.txt", "text/plain"),
        ("/tech/", "text/html"),  # a directory serves its index.html
    ],
)
def test_content_type_by_extension(server: DemoServer, path: str, content_type: str) -> None:
    status, headers, _ = _get(server, path)
    assert (status, headers["Content-Type"]) == (200, content_type)


def test_gzip_only_when_accepted_and_large_enough(server: DemoServer) -> None:
    _, plain_headers, plain = _get(server, "/rss.xml")
    assert "Content-Encoding" not in plain_headers
    _, headers, body = _get(server, "/rss.xml", {"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == plain
    _, small_headers, _ = _get(server, "/atom.xml", {"Accept-Encoding": "gzip"})  # under 1 KiB
    assert "Content-Encoding" not in small_headers


def test_gzip_files_are_served_as_is_with_the_marker_replaced_inside(server: DemoServer) -> None:
    _, headers, body = _get(server, "/sitemap-recent.xml.gz")
    assert headers["Content-Type"] == "application/gzip"
    assert server.base_url.encode() in gzip.decompress(body)


def test_conditional_requests_get_304(server: DemoServer, site: Path) -> None:
    _, headers, _ = _get(server, "/atom.xml")
    assert _get(server, "/atom.xml", {"If-None-Match": headers["ETag"]})[0] == 304
    assert _get(server, "/atom.xml", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert _get(server, "/atom.xml", {"If-None-Match": '"other"'})[0] == 200
    (site / "atom.xml").write_text("<feed xmlns='http://www.w3.org/2005/Atom'/>", encoding="utf-8")
    assert _get(server, "/atom.xml", {"If-None-Match": headers["ETag"]})[0] == 200  # changed: new ETag


def test_routes_statuses_redirects_and_flaky_paths(server: DemoServer, site: Path) -> None:
    status, headers, _ = _get(server, "/tech/2026/11/moved.html")
    assert (status, headers["Location"]) == (301, "/tech/2026/11/moved-new.html")
    assert _get(server, "/tech/2026/11/flaky.html")[0] == 500
    assert _get(server, "/tech/2026/11/flaky.html")[0] == 200
    assert _get(server, "/tech/2026/11/flaky.html")[0] == 200
    assert _get(server, "/nothing-here.html")[0] == 404
    assert _get(server, "/_routes.json")[0] == 404  # configuration, not content
    assert _get(server, "/../../etc/passwd")[0] == 404
    routes = json.loads((site / "_routes.json").read_text())
    routes["/atom.xml"] = {"status": 404}
    (site / "_routes.json").write_text(json.dumps(routes))
    assert _get(server, "/atom.xml")[0] == 404  # routes are re-read: tests may change them


def test_requests_are_recorded_and_the_server_stops_cleanly(site: Path) -> None:
    server = DemoServer(site).start()
    _get(server, "/robots.txt", {"X-Probe": "1"})
    assert [(r.path, r.status, r.headers.get("X-Probe")) for r in server.requests] == [("/robots.txt", 200, "1")]
    server.stop()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", server.port), timeout=1):
        pass
