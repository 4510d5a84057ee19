"""Canonical URLs: one spelling per page."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.config import CleaningConfig
from cleaning.metadata.urls import absolute_url, canonicalize, choose_canonical, same_site

TRACKING = CleaningConfig().tracking_parameters


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Example.COM:80/a/b?z=1&a=2&utm_source=x&fbclid=y#frag", "http://www.example.com/a/b?a=2&z=1"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://news.example/story?UTM_Medium=a&id=5&from=rss", "https://news.example/story?id=5"),
        ("https://news.example/a b?q=中文", "https://news.example/a%20b?q=%E4%B8%AD%E6%96%87"),
        ("ftp://example.com/file", None),
        ("not a url", None),
        ("", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_canonicalize(url, expected):
    assert canonicalize(url, tracking_parameters=TRACKING) == expected


def test_tracking_prefixes_and_names():
    assert canonicalize("https://x.example/?utm_anything=1&keep=2&ref=3", tracking_parameters=("utm_", "ref")) == (
        "https://x.example/?keep=2"
    )
    # "ref" is a name, not a prefix: "reference" stays
    assert (
        canonicalize("https://x.example/?reference=1", tracking_parameters=("ref",)) == "https://x.example/?reference=1"
    )


def test_declared_canonical_preferred_on_same_site_only():
    page = "http://www.news.example/a/1?utm_source=rss"
    assert (
        choose_canonical(page, ["https://news.example/a/1"], tracking_parameters=TRACKING) == "https://news.example/a/1"
    )
    assert (
        choose_canonical(page, ["https://other.example/a/1"], tracking_parameters=TRACKING)
        == "http://www.news.example/a/1"
    )
    # a canonical pointing at the homepage is a CMS mistake
    assert (
        choose_canonical(page, ["https://news.example/"], tracking_parameters=TRACKING) == "http://www.news.example/a/1"
    )
    assert (
        choose_canonical(page, ["/a/1?b=2&a=1"], tracking_parameters=TRACKING) == "http://www.news.example/a/1?a=1&b=2"
    )
    assert (
        choose_canonical(None, ["https://news.example/a/1"], tracking_parameters=TRACKING) == "https://news.example/a/1"
    )
    assert choose_canonical(None, [None], tracking_parameters=TRACKING) is None


def test_helpers():
    assert absolute_url("/img/a.jpg", "https://news.example/a/1") == "https://news.example/img/a.jpg"
    assert absolute_url("javascript:void(0)", "https://news.example/") is None
    assert same_site("https://news.example/a", "https://www.news.example/b")
    assert same_site("https://finance.news.example/a", "https://news.example/b")
    assert not same_site("https://news.example/a", "https://other.example/b")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_canonicalize_never_crashes_and_is_idempotent(tail):
    once = canonicalize("https://Example.com/" + tail, tracking_parameters=TRACKING)
    if once is not None:
        assert canonicalize(once, tracking_parameters=TRACKING) == once
