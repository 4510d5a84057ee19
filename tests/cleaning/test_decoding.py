"""Decoding: each source of charset truth, lying declarations, codec upgrades, replacement flag."""

from __future__ import annotations

import codecs

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.inputs.decoding import codec_name, decode_bytes, decode_pages, not_text_reason
from cleaning.schema import QualityFlag, RejectReason

# long enough that the detector and the UTF-8 check have real evidence to work on
ZH_HANS = "香港科技园今日公布人工智能发展报告，多家初创企业获得新一轮融资，业界认为数码港的生态正在成熟。" * 3
ZH_HANT = "香港特別行政區政府今日公佈創新科技發展藍圖，數碼港與科學園將聯合推動人工智能產業。" * 3
FRENCH = "Le café de l'été était très apprécié à Genève; la société a annoncé des résultats."


def html_page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("x-gbk", "gb18030"),
        ("cp936", "gb18030"),
        ("gb_2312-80", "gb18030"),
        ("big5", "big5hkscs"),
        ("cp950", "big5hkscs"),
        ("x-big5", "big5hkscs"),
        ("iso-8859-1", "cp1252"),
        ("latin-1", "cp1252"),
        ("US-ASCII", "cp1252"),
        ("utf8", "utf-8"),
        ("'UTF-8'", "utf-8"),
        ("shift_jis", "cp932"),
        ("no-such-charset", None),
        (None, None),
        ("", None),
    ],
)
def test_codec_name_upgrades_to_supersets(label: str | None, expected: str | None) -> None:
    assert codec_name(label) == expected


def test_header_charset_decodes_gbk_without_markup_declaration() -> None:
    raw = html_page(ZH_HANS).encode("gbk")
    result = decode_bytes(raw, "gbk")
    assert (result.encoding, result.replaced) == ("gb18030", False)
    assert ZH_HANS in result.text


def test_header_wins_over_meta_when_both_decode() -> None:
    # bytes valid in both Big5-HKSCS and GB18030: the header is trusted first
    raw = html_page(ZH_HANT, '<meta charset="gbk">').encode("big5")
    assert raw.decode("gb18030")  # the meta's codec would decode too, into nonsense
    result = decode_bytes(raw, "big5")
    assert result.encoding == "big5hkscs"
    assert ZH_HANT in result.text


def test_meta_charset_and_http_equiv() -> None:
    for head in ('<meta charset="big5">', '<meta http-equiv="Content-Type" content="text/html; charset=big5">'):
        result = decode_bytes(html_page(ZH_HANT, head).encode("big5"))
        assert result.encoding == "big5hkscs"
        assert ZH_HANT in result.text


def test_gb18030_characters_beyond_gb2312_under_a_gb2312_label() -> None:
    text = "镕基与𠮷野家" + ZH_HANS  # 镕 is GBK-only, 𠮷 needs GB18030's four-byte form
    result = decode_bytes(html_page(text, '<meta charset="gb2312">').encode("gb18030"))
    assert result.encoding == "gb18030"
    assert text in result.text


def test_hkscs_characters_under_a_big5_label() -> None:
    text = "啲嘢冇" + ZH_HANT  # Cantonese characters that exist only in HKSCS
    result = decode_bytes(html_page(text).encode("big5hkscs"), "big5")
    assert (result.encoding, result.replaced) == ("big5hkscs", False)
    assert text in result.text


def test_bom_beats_every_declaration() -> None:
    raw = codecs.BOM_UTF8 + html_page(ZH_HANS, '<meta charset="gbk">').encode("utf-8")
    result = decode_bytes(raw, "big5")
    assert result.encoding == "utf-8"
    assert not result.text.startswith("\ufeff")
    raw16 = codecs.BOM_UTF16_LE + html_page(ZH_HANT).encode("utf-16-le")
    result16 = decode_bytes(raw16, "iso-8859-1")
    assert result16.encoding == "utf-16-le"
    assert ZH_HANT in result16.text


def test_utf16_header_without_bom() -> None:
    raw = html_page("plain English").encode("utf-16-le")
    result = decode_bytes(raw, "utf-16-le")
    assert "plain English" in result.text


def test_cleaneval_wrapper_encoding_is_used_and_wrapper_stripped() -> None:
    body = html_page(ZH_HANS)
    raw = (
        f'<text id="http://news.example.com/a?x=1&amp;y=2" title="{ZH_HANS[:8]}" encoding="gb2312">\n{body}\n</text>\n'
    ).encode("gbk")
    result = decode_bytes(raw)
    assert result.encoding == "gb18030"
    assert result.wrapper_url == "http://news.example.com/a?x=1&y=2"
    assert result.text.startswith("<html>")
    assert "<text" not in result.text
    assert "</text>" not in result.text
    assert result.text.rstrip().endswith("</html>")


def test_wrapper_with_unknown_encoding_and_bom_after_it() -> None:
    raw = b'<text id="not a url" title="x" encoding="unset">\n' + codecs.BOM_UTF8 + html_page(ZH_HANS).encode()
    result = decode_bytes(raw)
    assert result.encoding == "utf-8"
    assert result.wrapper_url is None
    assert result.text.startswith("<html>")


def test_svg_text_element_is_not_a_wrapper() -> None:
    raw = b'<text x="10" y="20">label</text>'
    assert decode_bytes(raw).text == raw.decode()


def test_xml_declaration() -> None:
    raw = ('<?xml version="1.0" encoding="big5"?>\n' + html_page(ZH_HANT)).encode("big5")
    result = decode_bytes(raw)
    assert result.encoding == "big5hkscs"
    assert ZH_HANT in result.text


def test_detector_when_nothing_is_declared() -> None:
    result = decode_bytes(html_page(ZH_HANS).encode("gb18030"))
    assert result.encoding == "gb18030"
    assert (ZH_HANS in result.text, result.replaced) == (True, False)


def test_page_declaring_gb2312_that_is_utf8() -> None:
    raw = html_page(ZH_HANS, '<meta charset="gb2312">').encode("utf-8")
    result = decode_bytes(raw, "gb2312")
    assert result.encoding == "utf-8"
    assert ZH_HANS in result.text


def test_page_declaring_latin1_that_is_gbk() -> None:
    # a server default header: windows-1252 decodes most bytes, but the text would be mojibake
    raw = html_page(ZH_HANS).encode("gbk")
    result = decode_bytes(raw, "iso-8859-1")
    assert result.encoding == "gb18030"
    assert ZH_HANS in result.text


def test_real_latin1_page_keeps_windows_1252() -> None:
    raw = html_page(FRENCH + " “quoted”").encode("cp1252")
    result = decode_bytes(raw, "iso-8859-1")
    assert (result.encoding, result.replaced) == ("cp1252", False)
    assert FRENCH + " “quoted”" in result.text


def test_ascii_page_reports_declared_codec() -> None:
    result = decode_bytes(b"<p>plain</p>", "us-ascii")
    assert (result.text, result.encoding, result.replaced) == ("<p>plain</p>", "cp1252", False)
    assert decode_bytes(b"<p>plain</p>").encoding == "utf-8"


def test_truncated_character_keeps_declaration_and_flags_replacement() -> None:
    raw = html_page(ZH_HANS).encode("gbk")
    cut = raw.index(b"</p>") - 1  # the page was cut in the middle of its last character
    result = decode_bytes(raw[:cut] + raw[cut + 1 :], "gbk")
    assert (result.encoding, result.replaced) == ("gb18030", True)
    assert result.text.count("\ufffd") == 1
    assert ZH_HANS[:-1] + "\ufffd</p>" in result.text


def test_newlines_controls_and_bom_are_normalized() -> None:
    raw = codecs.BOM_UTF8 + "<p>一\r\n二\r三\x00四\x0c</p>".encode()
    assert decode_bytes(raw).text == "<p>一\n二\n三四</p>"


def test_text_media_ignores_meta_lookalikes() -> None:
    text = 'Write <meta charset="big5"> in the head. ' + ZH_HANS
    result = decode_bytes(text.encode("utf-8"), media_type="text")
    assert (result.text, result.encoding) == (text, "utf-8")


def test_decode_pages_step() -> None:
    pages = pd.DataFrame(
        {
            "origin": ["a", "b", "c"],
            "raw": [html_page(ZH_HANT).encode("big5"), b"", "x\ufffd".encode() + b"\xff"],
            "declared_charset": ["big5", None, "utf-8"],
            "media_type": ["html", "html", "text"],
            "quality_flags": [["short_text"], None, None],
        },
        dtype=object,
    )
    result = decode_pages(pages)
    assert list(result.kept["origin"]) == ["a", "c"]
    assert list(result.kept["encoding"]) == ["big5hkscs", "utf-8"]
    assert result.kept["quality_flags"].tolist() == [["short_text"], [QualityFlag.ENCODING_REPLACED.value]]
    assert ZH_HANT in result.kept["decoded"].iloc[0]
    assert list(result.rejected["origin"]) == ["b"]
    assert result.rejected["reject_reason"].tolist() == [RejectReason.EMPTY_INPUT.value]
    assert pages.columns.tolist() == ["origin", "raw", "declared_charset", "media_type", "quality_flags"]


def test_lying_utf8_header_on_big5_bytes_falls_to_the_detector() -> None:
    result = decode_bytes(html_page(ZH_HANT, '<meta charset="utf-8">').encode("big5"), "utf-8")
    assert (result.encoding, result.replaced) == ("big5hkscs", False)
    assert ZH_HANT in result.text


def test_big5_page_labelled_gb2312_is_read_as_big5() -> None:
    raw = html_page(ZH_HANT, '<meta charset="gb2312">').encode("big5")
    assert raw.decode("gb18030")  # valid GB18030 too: strict decoding alone cannot catch this lie
    result = decode_bytes(raw)
    assert (result.encoding, result.replaced) == ("big5hkscs", False)
    assert ZH_HANT in result.text


def test_gbk_page_labelled_gbk_stays_gbk() -> None:
    for text in (ZH_HANS, ZH_HANT):  # Traditional characters written in GBK too
        result = decode_bytes(html_page(text, '<meta charset="gbk">').encode("gbk"))
        assert (result.encoding, text in result.text) == ("gb18030", True)


@settings(max_examples=150, deadline=None)
@given(
    raw=st.binary(max_size=400),
    declared=st.sampled_from([None, "utf-8", "gbk", "big5", "latin-1", "utf-16", "bogus"]),
    media_type=st.sampled_from(["html", "text", "markdown"]),
)
def test_decode_bytes_never_raises_and_normalizes(raw: bytes, declared: str | None, media_type: str) -> None:
    result = decode_bytes(raw, declared, media_type=media_type)
    assert "\r" not in result.text
    assert "\x00" not in result.text
    assert not result.text.startswith("\ufeff")
    assert codecs.lookup(result.encoding)
    assert decode_bytes(raw, declared, media_type=media_type) == result  # deterministic


def test_decode_pages_on_an_empty_frame() -> None:
    pages = pd.DataFrame({"raw": [], "declared_charset": [], "media_type": []}, dtype=object)
    result = decode_pages(pages)
    assert (len(result.kept), len(result.rejected)) == (0, 0)
    assert {"decoded", "encoding", "quality_flags"} <= set(result.kept.columns)


def test_damaged_pages_keep_the_likely_codec() -> None:
    with_bom = codecs.BOM_UTF8 + html_page(ZH_HANS).encode() + b"\xff<p>tail</p>"
    result = decode_bytes(with_bom)
    assert (result.encoding, result.replaced, ZH_HANS in result.text) == ("utf-8", True, True)
    # no declaration, cut mid-character: windows-1252 would decode it "cleanly", as mojibake
    raw = html_page(ZH_HANS * 3).encode("gbk")
    cut = raw.index(b"</p>") - 1
    result = decode_bytes(raw[:cut] + raw[cut + 1 :])
    assert (result.encoding, result.replaced) == ("gb18030", True)
    assert ZH_HANS in result.text


def test_wrapper_after_a_bom() -> None:
    raw = codecs.BOM_UTF8 + f'<text id="https://e.hk/a" encoding="utf-8">\n{html_page(ZH_HANT)}</text>'.encode()
    result = decode_bytes(raw)
    assert (result.text, result.wrapper_url) == (html_page(ZH_HANT), "https://e.hk/a")


@pytest.mark.parametrize("noise", ["\x01", "\x1f", "\x7f", "\x85", "\x9f", "\ufffd"])
@pytest.mark.parametrize(("share", "not_text"), [(0.01, False), (0.019, False), (0.02, True), (0.05, True)])
@pytest.mark.parametrize("letters", ["abcde ", "中文字\xa0\xa0"])  # non-breaking spaces: bytes like noise's, not noise
def test_not_text_counts_every_kind_of_noise(noise: str, share: float, not_text: bool, letters: str) -> None:
    chars = 10_000
    noisy = round(share * chars)
    text = noise * noisy + (letters * chars)[: chars - noisy]
    assert (not_text_reason(text) is not None) is not_text
