"""Find the original capture a WARC revisit record stands for: by record id, URI and date, or payload digest.

A revisit (WARC 1.1 section 6.7) holds no payload: `identical-payload-digest` says the
payload equals an earlier capture's, `server-not-modified` that the server answered 304.
The original is named by `WARC-Refers-To` (its record id), by `WARC-Refers-To-Target-URI`
with `WARC-Refers-To-Date`, or only by the `WARC-Payload-Digest` both records share.
"""

from __future__ import annotations

from warcio.recordloader import ArcWarcRecord

__all__ = ["capture_keys", "is_arc_name", "is_archive_name", "revisit_keys"]

# the digest of an empty payload: every redirect and 304 shares it, it names no capture
_EMPTY_DIGESTS = {"sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", "sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}


def _header(record: ArcWarcRecord, name: str) -> str:
    value = record.rec_headers.get_header(name)
    return str(value).strip().removeprefix("<").removesuffix(">") if value else ""


def _keys(record_id: str, uri: str, date: str, digest: str) -> list[str]:
    keys = [f"id:{record_id}"] if record_id else []
    if uri and date:
        keys.append(f"at:{uri} {date}")
    if digest and digest not in _EMPTY_DIGESTS:
        keys.append(f"digest:{digest}")
    return keys


def capture_keys(record: ArcWarcRecord) -> list[str]:
    """Return the keys a revisit may name this response or resource record by (none for non-2xx responses)."""
    http = record.http_headers
    if record.rec_type == "response" and http is not None and not (http.get_statuscode() or "").startswith("2"):
        return []
    # record ids keep their angle brackets in WARC-Refers-To: compare them as written
    record_id = str(record.rec_headers.get_header("WARC-Record-ID") or "").strip()
    return _keys(record_id, _header(record, "WARC-Target-URI"), _header(record, "WARC-Date"), _digest(record))


def revisit_keys(record: ArcWarcRecord) -> list[str]:
    """Return the keys of the capture a revisit record refers to, the most specific first."""
    refers_to = str(record.rec_headers.get_header("WARC-Refers-To") or "").strip()
    uri = _header(record, "WARC-Refers-To-Target-URI") or _header(record, "WARC-Target-URI")
    return _keys(refers_to, uri, _header(record, "WARC-Refers-To-Date"), _digest(record))


def _digest(record: ArcWarcRecord) -> str:
    return _header(record, "WARC-Payload-Digest")


def is_arc_name(name: str) -> bool:
    """Tell whether a file name is a legacy ARC file's (.arc, .arc.gz)."""
    return name.lower().removesuffix(".gz").endswith(".arc")


def is_archive_name(name: str) -> bool:
    """Tell whether a file name is a WARC's or an ARC's, gzipped or not."""
    return is_arc_name(name) or name.lower().removesuffix(".gz").endswith(".warc")
