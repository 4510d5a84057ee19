"""The writer a page names only where no byline is: signing the article's last paragraph.

Read only when no byline, metadata or extractor named anyone. A signature is a person's name
in parentheses closing the last paragraph ("… bleibt spannend. (Christian P. Stadtfeld)"); a
bare last line of capitalized words is as often a heading ("Externer Inhalt", "Weiterführender
Link"), and a copyright line names the publisher, or a site named like a person ("Women Can
Talk Sports"): on the dev sets both named someone wrong more often than right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["closing_signature"]

# two to four capitalized words, initials allowed between them ("Christian P. Stadtfeld")
_PERSON = re.compile(
    r"(?P<name>[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+)?"
    r"(?:\s+(?:[A-Z]\.|[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+)?)){1,3})"
)
# in parentheses after the last sentence or alone on a line: "… spannend. (Christian P. Stadtfeld) +++"
_SIGNED = re.compile(r"(?:^|[.!?»“\"]\s*)\(\s*" + _PERSON.pattern + r"\s*\)\s*(?:\+{3}|\*{3}|■|□|#)?$")
# words that make a capitalized run a company, an outlet or a heading, not a person
_NOT_PERSON = re.compile(
    r"\b(?:GmbH|AG|Inc|Ltd|LLC|Verlag|Media|Medien|News|Zeitung|Group|Gruppe|Press|Presse|Foundation|Stiftung"
    r"|Verband|Verein|Team|Redaktion|Online|Network|Netzwerk|Magazin|Magazine|Blog|Radio|TV|Studio|Design"
    r"|Bild|Bilder|Foto|Fotos|Photo|Photos|Quelle|Source|Ende|The|Der|Die|Das)\b"
)
_LAST_LINES = 2  # the signature may sit above a last "Fotos: …" line the extractor kept


def _person(name: str) -> str | None:
    name = " ".join(name.split())
    return None if _NOT_PERSON.search(name) else name


def closing_signature(body_lines: Sequence[str]) -> list[str]:
    """Return the name in parentheses that signs the article's last paragraph, if one does."""
    lines = [line.strip() for line in body_lines if line.strip()]
    for line in reversed(lines[-_LAST_LINES:]):
        match = _SIGNED.search(line)
        if match and (name := _person(match.group("name"))):
            return [name]
    return []
