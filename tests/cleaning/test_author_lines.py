"""Bylines printed without the usual opener: a label, the name and a date; a name alone beside
the dateline; roles glued to the name; institutions declared as authors; editors as the only credit.
"""

from __future__ import annotations

import pytest

from cleaning.metadata.authors import bare_names_beside_date, clean_names, names_from_value, read_bylines
from cleaning.metadata.fields import pick_authors
from cleaning.metadata.pagemeta import read_page_meta


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        # a label, the poster's name, then the date: one word is a name after such a label
        ("Geschrieben von Cooper am 25.08.2015 22:30 (1599 x gelesen)", ["Cooper"]),
        ("Erstellt von Fabian am Dienstag 6. Mai 2014", ["Fabian"]),
        ("Posted by Jane Doe on May 3, 2021", ["Jane Doe"]),
        # a weekday or a month after the label is no name
        ("Veröffentlicht von Montag am 3. Mai 2021", []),
        # the writer who took the pictures too
        ("Text & Fotos: Ivan Valetny", ["Ivan Valetny"]),
        ("Text und Bild: Anna Berg", ["Anna Berg"]),
    ],
)
def test_labelled_bylines_in_the_header(line, authors):
    assert read_bylines([line], top=0, bottom=0).authors == authors


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # markup put the role or a link label right after the name, without a space
        ("By Howard BlumeStaff Writer", ["Howard Blume"]),
        ("Inga HoeltmannFollow", ["Inga Hoeltmann"]),
        ("Jane DoeSenior Editor", ["Jane Doe"]),
        # a name that merely ends in such a word keeps it
        ("Peter Follower", ["Peter Follower"]),
    ],
)
def test_roles_glued_to_the_name(raw, expected):
    assert clean_names([raw]) == expected


def test_declared_values_with_entities_and_institutions():
    # the page's HTML entities left in its JSON-LD are decoded
    assert names_from_value("Jos&eacute; Mart&iacute;nez") == ["José Martínez"]
    # an institution's name is no list of people, however it splits
    assert names_from_value("Bayerische Landesanstalt für Wald und Forstwirtschaft - LWF") == []
    assert names_from_value("Office of the Mayor and Jane Doe") == []
    # names with particles and co-bylines still are people
    assert names_from_value("Walter von Aachen und Jane Doe") == ["Walter von Aachen", "Jane Doe"]
    assert names_from_value("View all posts by Daniel Lemire") == ["Daniel Lemire"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Kommentar", "19. Oktober 2019", "Boris T. Kaiser", "1 Kommentar"], ["Boris T. Kaiser"]),
        (["Jane Doe", "May 3, 2021"], ["Jane Doe"]),
        # no date beside it, one word, a headline, an outlet
        (["Angela Merkel", "Berlin", "3. Mai 2020"], []),
        (["Stefanus", "26. Januar 2022"], []),
        (["Why Prices Rose in Spring", "May 3, 2021"], []),
        (["Harbour Daily News", "May 3, 2021"], []),
    ],
)
def test_a_name_alone_beside_the_dateline(lines, expected):
    assert bare_names_beside_date(lines) == expected


def _authors(html: str, header: list[str], body: list[str] | None = None) -> tuple[list[str], list[str]]:
    page = read_page_meta(html)
    return pick_authors(page, {}, {}, {}, body or ["Erster Absatz des Artikels."], [], header, ["Beispielblatt"])


def test_a_bare_name_beside_the_date_is_the_byline_only_when_nothing_else_names_one():
    header = ["Kaisers Wochenrückblick", "19. Oktober 2019", "Boris T. Kaiser", "1 Kommentar"]
    assert _authors("<html><body><p>x</p></body></html>", header)[0] == ["Boris T. Kaiser"]
    # an element marked as the author wins over a sidebar heading beside a date
    marked = '<html><body><span class="author">Weinlachgummi</span></body></html>'
    assert _authors(marked, ["Serien Killer", "Samstag, 9. September 2017"])[0] == ["Weinlachgummi"]


def test_a_printed_poster_beats_the_declared_site_account():
    html = '<html><head><meta name="author" content="EFC Bayrische Bembel"></head><body></body></html>'
    header = ["Eintracht stellt Weichen", "Geschrieben von Cooper am 25.08.2015 22:30 (1599 x gelesen)"]
    assert _authors(html, header)[0] == ["Cooper"]


def test_the_compiling_editor_is_credited_only_when_no_writer_is():
    body = ["第一段正文内容比较长。", "第二段。", "来源：巴彦淖尔日报 编辑：山石"]
    assert _authors("<html><body></body></html>", [], body) == (["山石"], ["山石"])
    # beside a writer, an editor is an editor
    body = ["记者 胡晓蓉", "第一段正文内容比较长。", "编辑：孙重远"]
    assert _authors("<html><body></body></html>", [], body) == (["胡晓蓉"], ["孙重远"])
    # a desk's responsible editor never wrote the story
    body = ["第一段正文内容比较长。", "第二段。", "责任编辑：李静"]
    assert _authors("<html><body></body></html>", [], body) == ([], ["李静"])


def test_a_bare_name_holding_the_sites_name_is_a_section():
    assert bare_names_beside_date(["Axios Future", "Jan 18, 2019"], ["axios.com"]) == []
    assert bare_names_beside_date(["Marie de Vries", "Jan 18, 2019"], ["nieuws.de"]) == ["Marie de Vries"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Uta Staschewski, Projektleiterin der HSS", ["Uta Staschewski"]),
        ("Jane Doe, Head of Research", ["Jane Doe"]),
        ("Walter von Aachen, Anna Berg", ["Walter von Aachen", "Anna Berg"]),
    ],
)
def test_a_job_title_after_the_name_is_no_second_person(value, expected):
    assert names_from_value(value) == expected
