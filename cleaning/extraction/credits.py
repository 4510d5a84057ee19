"""Bylines and datelines at the top of the body: one rule for every page and script.

trafilatura keeps the byline or the publication stamp on some pages ("By Sam Okafor |
1 December 2026", "记者 李家明", "Veröffentlicht am 06.12.2022") and drops it on others. A
line among the first few of the body that holds nothing but such a credit (dates, times, a
byline label, names, separators) is the page's header, not its story: it leaves the body and
goes to removed_lines, where metadata reads authors and dates. A line that tells anything
else (a sentence, a headline) stays, and so does a dateline that opens the story
("新华社北京3月5日电", "CAIRO — ..."): it is part of the first paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["LEAD_CREDIT", "LEAD_LINES", "drop_lead_credits", "is_credit_line"]

# the name under which removed_lines and boilerplate_rules record the credit lines cut from the top
LEAD_CREDIT = "lead_credit"

# the credit sits among the first lines: after the headline's kicker or standfirst at most
LEAD_LINES = 3
# a byline with a date and two or three names fits in this; longer lines are prose
_MAX_CHARS = 100
# what is left after dates, labels and separators: a few names ("Sam Okafor", "伊琳 李清芬")
_MAX_NAME_TOKENS = 6

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_MONTHS = (
    r"jan(?:uary|uar|vier|eiro)?|feb(?:ruary|ruar|rero|vrier|ereiro)?|mar(?:ch|s|zo|ço)?|märz|apr(?:il|ile)?|avril|"
    r"abril|may|mai|mayo|maio|jun(?:e|i|io|ho)?|juin|jul(?:y|i|io|ho)?|juillet|aug(?:ust)?|août|agosto|"
    r"sep(?:t|tember|tiembre|tembre|embro)?|setembro|oct(?:ober|obre)?|okt(?:ober)?|octubre|outubro|"
    r"nov(?:ember|embre|iembre|embro)?|dec(?:ember)?|dez(?:ember|embro)?|déc(?:embre)?|dic(?:iembre)?"
)
_WEEKDAYS = (
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
    r"segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira"
)
# a day-precise date: 2022-01-20, 20.01.2022, 1/20/22, 1月20日, 20 January 2022, January 20th, 22 de outubro de 2010
_DATE = re.compile(
    rf"(?:(?:19|20)\d\d\s*[-./年]\s*\d{{1,2}}\s*[-./月]\s*\d{{1,2}}\s*日?"
    rf"|\b\d{{1,2}}\s*[-./]\s*\d{{1,2}}\s*[-./]\s*(?:19|20)?\d\d\b"
    rf"|\d{{1,2}}\s*月\s*\d{{1,2}}\s*日"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th|er|\.|º)?\s*(?:de\s+)?(?:{_MONTHS})\b\.?,?\s*(?:de\s+)?(?:(?:19|20)\d\d)?"
    rf"|\b(?:{_MONTHS})\b\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b,?\s*(?:(?:19|20)\d\d)?)",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b\d{1,2}[:.h]\d\d(?::\d\d)?\s*(?:a\.?m\.?|p\.?m\.?|uhr|h)?(?:\s*(?:[A-Z]{2,4}|GMT[+-]?\d*|UTC[+-]?\d*)\b)?",
    re.IGNORECASE,
)
# a byline's label: "By", "Von", "Por", "Par" before a name; "Autor:", "Text:"; 记者, 作者, 文／
_LABEL = re.compile(
    r"^\s*(?:(?:by|von|por|par|written by|posted by|text von|texte de|geschrieben von|erstellt von|"
    r"ein (?:artikel|beitrag) von)\s|(?:autor(?:in|en)?|autor:innen|author|authors|text|texte|redaktion)\s*:)"
    r"|(?:记者|記者|通讯员|通訊員|特约记者|特約記者|作者|撰文|文\s*[/／|｜]|发布者|發佈者)",
    re.IGNORECASE,
)
# the words a stamp is written with: "Posted on Thursday at", "Veröffentlicht am", "às", 发布时间
_STAMP_WORDS = re.compile(
    r"\b(?:posted|published|updated|last updated|written|created|modified|veröffentlicht|veröffentlichung|"
    r"aktualisiert|erstellt|geändert|stand|datum|date|publié|mis à jour|publicado|actualizado|atualizado|"
    r"publikacja|aktualizacja|data|on|at|am|um|uhr|and|und|y|e|et|the|le|la|el|de|del|às|a las|à|von|by|por|par|"
    rf"{_WEEKDAYS})\b|发布时间|發佈時間|发表于|發表於|发表时间|發表時間|更新时间|更新時間|时间|時間|日期|&|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[|•·/\\,，、;；:：()\[\]【】（）<>«»“”\"'\-–—_*=~+#.…]+")
# a name's word: capitalised, a Han run (a name, or the outlet before 记者), or a particle (von, de, y)
_NAME_TOKEN = re.compile(
    rf"^(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]*|[{_HAN}·]{{2,10}}|von|van|de|der|den|del|da|di|du|la|le|y|ten|zu|al|bin)$"
)
# "Por A, B y": the byline goes on in the next line, so neither line is a whole credit
_DANGLING = re.compile(r"(?:\s(?:and|und|y|et|e|&)|[,、，])\s*$", re.IGNORECASE)
# "TNW中文站 10月14日报道", "新华社北京3月5日电": the dateline opens the story
_REPORTS = re.compile(r"(?:报道|報道|电|電|讯|訊|消息)\W*$")


def is_credit_line(line: str) -> bool:
    """Tell whether line holds only a byline and/or a publication date (and names, labels, separators)."""
    text = line.strip()
    if not text or len(text) > _MAX_CHARS or "@" in text or _REPORTS.search(text) or _DANGLING.search(text):
        return False  # "@" : an embedded post's signature ("— Team (@team) June 1, 2017")
    if not (_DATE.search(text) or _LABEL.search(text)):
        return False
    rest = text
    for pattern in (_DATE, _TIME, _LABEL, _STAMP_WORDS, _SEPARATORS):
        rest = pattern.sub(" ", rest)
    tokens = rest.split()
    return len(tokens) <= _MAX_NAME_TOKENS and all(_NAME_TOKEN.match(token) for token in tokens)


def drop_lead_credits(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split off the credit lines among the first LEAD_LINES lines; return (kept lines, credit lines).

    A body that is nothing but one such line keeps it: it is all the page had.
    """
    if len(lines) < 2:
        return list(lines), []
    credits = [i for i in range(min(LEAD_LINES, len(lines))) if is_credit_line(lines[i])]
    if len(credits) == len(lines):
        return list(lines), []
    return [line for i, line in enumerate(lines) if i not in credits], [lines[i] for i in credits]
