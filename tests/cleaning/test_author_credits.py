"""Wire credits kept as printed, slash-joined credits, and account names from author elements."""

from __future__ import annotations

import pytest

from cleaning.metadata.authors import account_name, clean_names, is_agency_credit, is_site_name, read_bylines
from cleaning.metadata.pagemeta import read_page_meta


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        # an agency with an editor's initials or a desk is one credit, as printed
        ("Von: kel/dpa", ["kel/dpa"]),
        ("By AFP/The Ledger", ["AFP/The Ledger"]),
        # a person before an agency or an agency's code: the person (and the agency)
        ("Autor: Lena Brandt/SP-X", ["Lena Brandt"]),
        ("By Lena Brandt/Reuters", ["Lena Brandt", "Reuters"]),
        # slashes that join no agency are no credit
        ("By either/or", []),
    ],
)
def test_slash_credits(line, authors):
    assert read_bylines([line], top=0, bottom=0).authors == authors


def test_an_agency_credit_survives_the_site_name_and_slug_tests():
    assert is_agency_credit("AFP/Harbour Ledger")
    assert not is_site_name("AFP/Harbour Ledger", ["Harbour Ledger"])
    assert clean_names(["kel/dpa"]) == ["kel/dpa"]
    assert clean_names(["sophie-foster"]) == []
    assert not is_agency_credit("TCP/IP")


def test_wire_credits_in_the_dateline_and_at_the_end_are_credited():
    lines = ["Kiel (dpa/lno) – Der Hafen bleibt am Montag geschlossen.", "Zweiter Absatz.", "Dritter.", "Vierter."]
    assert read_bylines(lines).credited == ["dpa/lno"]
    closing = ["Erster Absatz.", "Zweiter.", "Dritter.", "So hieß es am Abend. (KZ mit AFP)"]
    assert read_bylines(closing).credited == ["KZ mit AFP"]
    # brackets that hold no agency credit nothing
    assert read_bylines(["Die Partei (SPD) – so hieß es – kam.", "Text (siehe oben)"]).credited == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("seawolf1987", "seawolf1987"),
        ("Author: Kai3dev am 02.03.2011, 10:15 Uhr", "Kai3dev"),
        ("von Gretel7", "Gretel7"),
        # no handles: placeholders, codes, ids, real names, counters
        ("admin2", None),
        ("user123", None),
        ("MP3", None),
        ("L_104485", None),
        ("Jane Doe", None),
        ("12 Kommentare", None),
    ],
)
def test_account_names(text, name):
    assert account_name(text) == name


def test_an_account_name_in_the_author_element_is_the_author():
    from cleaning.metadata.fields import pick_authors

    html = (
        "<html><body><h1>Winterlauf</h1><p class='meta'>10.12.2019 · von "
        "<span class='author vcard'><a rel='author' href='/author/seawolf1987/'>seawolf1987</a></span></p>"
        "<p>Heute ging es bei Schnee und Eis hinaus, ganze zwölf Kilometer am Fluss entlang.</p></body></html>"
    )
    page = read_page_meta(html)
    authors, _ = pick_authors(page, {}, {}, {}, ["Heute ging es bei Schnee und Eis hinaus."], [], [], ["Laufblog"])
    assert authors == ["seawolf1987"]


def test_a_slash_credit_with_the_date_after_it():
    from cleaning.metadata.authors import names_from_value

    assert names_from_value("Mara Quist / HNS / Updated: Mar 4, 2021, 09:10 IST") == ["Mara Quist"]


def test_a_byline_element_holding_only_the_label_does_not_hide_the_byline():
    html = (
        "<html><body><div class='login'><span class='username'>Username</span></div>"
        "<h1>Harbour closes</h1><p class='byline'><span class='byline-prefix'>By</span></p>"
        "<p class='story-byline'>By Mara Quist</p><p>The harbour closed on Monday after the storm.</p></body></html>"
    )
    assert read_page_meta(html).author_elements == ["By Mara Quist"]


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        # a degree after the comma stays with its holder, as printed
        ("By Mara Quist, MD", ["Mara Quist, MD"]),
        ("By Ana Pires, PhD, Tom Reyes, PhD, and Lea Wong, MPH", ["Ana Pires, PhD", "Tom Reyes, PhD", "Lea Wong, MPH"]),
        # "Last, First" stays one person; an agency after the comma is a co-byline
        ("By Quist, Mara", ["Mara Quist"]),
        ("By Mara Quist, Reuters", ["Mara Quist", "Reuters"]),
        # a lawyer's professional title is no part of the name
        ("Von Rechtsanwalt Jonas Feld", ["Jonas Feld"]),
    ],
)
def test_degrees_and_professional_titles(line, authors):
    assert read_bylines([line]).authors == authors


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("Ein Artikel von Lena Brandt | 27.01.2022 - 12:45", ["Lena Brandt"]),
        ("Beitrag von Lena Brandt", ["Lena Brandt"]),
        ("Artikel von heute und gestern", []),
        # after a "published" label and the date, a one-word name is the blogger's
        ("Veröffentlicht am 3. März 2021 von Jonte", ["Jonte"]),
        ("Veröffentlicht am 3. März 2021 von Montag", []),
        ("Posted on May 3, 2021 by admin", []),
    ],
)
def test_article_by_openers_and_one_word_bloggers(line, authors):
    assert read_bylines([line], top=0, bottom=0).authors == authors


def test_a_han_name_glued_to_its_date_in_an_author_element():
    from cleaning.metadata.authors import names_from_value

    assert names_from_value("林小雨2019-03-02 08:15:00") == ["林小雨"]


def test_a_preposition_byline_deep_in_the_text_cites_a_work():
    filler = ["Ein Absatz über das Reiten im Trab."] * 12
    lines = [*filler, "von Jonas Feld, Mara Quist und Lea Wong", *filler]
    assert read_bylines(lines).authors == []
    assert read_bylines(["von Jonas Feld und Mara Quist", *filler]).authors == ["Jonas Feld", "Mara Quist"]


def test_the_byline_under_the_headline_wins_over_one_in_the_text():
    from cleaning.metadata.fields import pick_authors
    from cleaning.metadata.pagemeta import PageMeta

    body = ["Erster Absatz über den Sitz im Trab.", "Zweiter Absatz.", "Literatur:", "von Jonas Feld und Mara Quist"]
    header = ["Schluss mit Poltern", "Ein Artikel von Lena Brandt | 27.01.2022 - 12:45"]
    authors, _ = pick_authors(PageMeta(), {}, {}, {}, body, [], header, ["Reiterblatt"])
    assert authors == ["Lena Brandt"]
    # with no byline under the headline, the text's is read
    authors, _ = pick_authors(PageMeta(), {}, {}, {}, body, [], header[:1], ["Reiterblatt"])
    assert authors == ["Jonas Feld", "Mara Quist"]


@pytest.mark.parametrize(
    ("text", "sites", "name"),
    [
        # a one-word handle or a writer's initials in the element marked as the author
        ("von Tomsen", ["Laufblog"], "Tomsen"),
        ("by KR", ["Harbour Ledger"], "KR"),
        # a first name on a domain of a first and a last name is its owner's
        ("Jorin", ["jorin-vesper.de"], "Jorin"),
        # the blogger's own subdomain on a blog host
        ("wanderfuchs", ["wanderfuchs.wordpress.com"], "wanderfuchs"),
        # the site's own name, a word of it, its initials, placeholders, labels and dates are no handles
        ("kochwelt", ["kochwelt.de"], None),
        ("Harbour", ["Harbour Ledger"], None),
        ("HL", ["Harbour Ledger"], None),
        ("Mtb", ["mtb-news.de"], None),
        ("wordpressadmin", ["Laufblog"], None),
        ("Montag", ["Laufblog"], None),
        ("Username", ["Laufblog"], None),
        ("Jane Doe", ["Laufblog"], None),
    ],
)
def test_handles_in_marked_author_elements(text, sites, name):
    from cleaning.metadata.authors import handle_name

    assert handle_name(text, sites) == name


@pytest.mark.parametrize(
    ("header", "authors"),
    [
        # a labelled byline of one word between headline and body
        (["Teekanne entkalken", "von Gretel7", "am 20.09.2020"], ["Gretel7"]),
        (["Posted in Garten by wanderfuchs on August 3, 2019"], ["wanderfuchs"]),
        (["Verfasst von: lesefuchs | 31. Dezember 2008"], ["lesefuchs"]),
        # a forum post's header: the poster, the date and time, glued by markup or not; the first
        # one only (later ones head the replies)
        (["Kein Netz seit dem Update", "pixelheini28.09.1912:44", "Hilfe!", "ta3Kim28.09.1913:39"], ["pixelheini"]),
        (["KlausSparfuchs 17.10.2019, 13:56 Uhr"], ["KlausSparfuchs"]),
        # a city or a label before the date is no handle; a capitalized word after "von" neither
        (["Berlin 17.10.2019, 13:56 Uhr"], []),
        (["aktualisiert 17.10.2019, 13:56 Uhr"], []),
        (["von Montag", "von Berlin aus"], []),
    ],
)
def test_handles_in_the_header(header, authors):
    from cleaning.metadata.authors import header_handle

    assert header_handle(header, ["Ratgeberforum"]) == authors


def test_a_marked_handle_is_the_author_when_nothing_else_names_one():
    from cleaning.metadata.fields import pick_authors

    html = (
        "<html><body><h1>Winterlauf</h1><p class='meta'>10.12.2019 · von "
        "<span class='author vcard'><a class='url fn n' href='/author/jorin/'>Jorin</a></span></p>"
        "<p>Heute ging es bei Schnee und Eis hinaus, ganze zwölf Kilometer am Fluss entlang.</p></body></html>"
    )
    page = read_page_meta(html)
    body = ["Heute ging es bei Schnee und Eis hinaus."]
    assert pick_authors(page, {}, {}, {}, body, [], [], ["jorin-vesper.de"])[0] == ["Jorin"]
    # on a site of its own name the same word is the site's
    assert pick_authors(page, {}, {}, {}, body, [], [], ["jorin.de"])[0] == []


def test_middle_names_in_brackets_stay_with_the_name():
    assert clean_names(["Lia (Maria Tavares) Couto"]) == ["Lia (Maria Tavares) Couto"]
    # brackets around a label, an agency or a form's note are still no name
    assert clean_names(["Name (required)", "Lia Couto (Reuters)", "(Maria) Couto", "Lia (wajib) Couto"]) == []


def test_a_declared_person_with_bracketed_middle_names():
    from cleaning.metadata.fields import pick_authors

    html = (
        '<html><head><script type=\'application/ld+json\'>{"@type": "NewsArticle", "author": '
        '[{"@type": "Person", "name": "Lia (Maria Tavares) Couto "}]}</script></head>'
        "<body><h1>Chuva forte</h1><p>Choveu muito na cidade durante toda a noite de domingo.</p></body></html>"
    )
    page = read_page_meta(html)
    assert pick_authors(page, {}, {}, {}, ["Choveu muito."], [], [], ["Diário"])[0] == ["Lia (Maria Tavares) Couto"]


@pytest.mark.parametrize(
    ("description", "authors"),
    [
        (
            "Posted by Ana Lund, Tim Berg and Kai R Holm - Browser team   Over the past years we built a tool …",
            ["Ana Lund", "Tim Berg", "Kai R Holm"],
        ),
        ("Geschrieben von Ana Lund - Die Stadt plant einen neuen Park …", ["Ana Lund"]),
        # prose that opens with "By" or names no one is no byline
        ("By Tuesday, the council will vote on the plan …", []),
        ("Posted by the city council, the plan is …", []),
    ],
)
def test_a_description_that_opens_with_the_byline(description, authors):
    from cleaning.metadata.authors import description_byline

    assert description_byline(description) == authors


def test_the_description_byline_names_the_authors_a_script_template_hides():
    from cleaning.metadata.fields import pick_authors

    html = (
        "<html><head><meta property='og:description' content='Posted by Ana Lund and Tim Berg - Browser team "
        "  Over the past years we built a tool …'></head><body><h1>A safer browser</h1>"
        "<script type='text/template'><span class='byline-author'>Posted by Ana Lund and Tim Berg</span></script>"
        "<p>Over the past years we built a tool that warns before you open a dangerous page.</p></body></html>"
    )
    page = read_page_meta(html)
    body = ["Over the past years we built a tool that warns before you open a dangerous page."]
    assert pick_authors(page, {}, {}, {}, body, [], [], ["Security Blog"])[0] == ["Ana Lund", "Tim Berg"]


@pytest.mark.parametrize(
    ("text", "opened", "desk"),
    [
        ("By Staff Writer", False, "Staff Writer"),
        ("von harbour-ledger.de Redaktion", True, "harbour-ledger.de Redaktion"),
        ("Garden Deals Team", False, "Garden Deals Team"),
        ("By Staff and news service reports", True, "Staff and news service reports"),
        # a line must open with the byline's "By" when asked; a person, the site, a date are no desk
        ("Garden Deals Team", True, None),
        ("By Jane Doe", False, None),
        ("Harbour Ledger", False, None),
        ("Team 2019 | Fotos", False, None),
    ],
)
def test_desk_credits(text, opened, desk):
    from cleaning.metadata.authors import desk_credit

    assert desk_credit(text, opened=opened) == desk


def test_a_desk_is_the_author_only_when_no_person_is_named():
    from cleaning.metadata.fields import pick_authors

    page = read_page_meta("<html><body><h1>Holiday deals</h1><p>Our team combs the web for deals.</p></body></html>")
    header = ["Holiday deals", "By Garden Deals Team", "Dec 19, 2016"]
    body = ["Our team combs the web for deals every day and shares the best ones."]
    assert pick_authors(page, {}, {}, {}, body, [], header, ["Harbour Ledger"])[0] == ["Garden Deals Team"]
    header = ["Holiday deals", "By Jane Doe", "Garden Deals Team", "Dec 19, 2016"]
    assert pick_authors(page, {}, {}, {}, body, [], header, ["Harbour Ledger"])[0] == ["Jane Doe"]
