"""The writer named only in parentheses at the article's end."""

from __future__ import annotations

import pytest

from cleaning.metadata.signatures import closing_signature


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Erster Absatz.", "Die Politik bleibt spannend. (Christian P. Stadtfeld) +++"], ["Christian P. Stadtfeld"]),
        (["Erster Absatz.", "(Anna Beck)"], ["Anna Beck"]),
        (["Erster Absatz.", "(Anna Beck)", "Fotos: Max Roth"], ["Anna Beck"]),
        # a name quoted mid-sentence, a bare heading, an agency and a caption are no signature
        (["Er sagte das (Angela Merkel) am Montag."], []),
        (["Erster Absatz.", "Externer Inhalt"], []),
        (["Erster Absatz.", "Text. (dpa)"], []),
        (["Erster Absatz.", "Text. (Foto Studio)"], []),
        ([], []),
    ],
)
def test_closing_signature(lines, expected):
    assert closing_signature(lines) == expected
