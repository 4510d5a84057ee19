"""Bylines in English and Chinese: who wrote the article, who edited it, and which 'authors'
are really the site's name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from cleaning.metadata.dates import iter_dates, normalize_digits

__all__ = [
    "Byline",
    "account_name",
    "bare_names_beside_date",
    "clean_names",
    "description_byline",
    "desk_credit",
    "handle_name",
    "header_handle",
    "is_agency",
    "is_agency_credit",
    "is_site_name",
    "names_from_value",
    "owns_site",
    "read_bylines",
]

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# common Chinese surnames: a bare 2-4 character line is only taken for a name when it
# starts with one of these, so that headings such as 市场分析 are not mistaken for people
_SURNAMES = set(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅高郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣"
    "蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閻段雷侯龙龍史陶黎"
    "贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申"
    "欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂成苗谷盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁"
    "蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党黨宫宮费費卜冷晏席卫衛米柏宗"
    "瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺官封谈談匡鞠惠"
    "荆荊乐樂冀郁胥南班储儲原栗燕楚鄢劳勞谌諶奚皮粟冼蔺藺楼樓盘盤满滿闻聞位厉厲伊仝区區郜海阎"
)
# the most frequent surnames, for bare name lines, where a looser test takes headings
# such as 全国版 or 原文名 for people
_FREQUENT_SURNAMES = set(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭"
    "田董袁潘蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁沈姚卢盧姜崔钟鍾谭譚陆陸汪范廖贾賈夏韦韋邹鄒孟熊秦邱江尹薛闫閻段雷侯龙龍"
)
# words that start with a surname character but are not names
# (word lists as split strings: SIM905's one-word-per-line literals read worse)
_NOT_NAMES = frozenset(
    "简介 简历 介绍 文章 来源 原文 查看 评论 表示 认为 指出 提出 发现 了解 获悉 报道 采访 说明 声明".split()  # noqa: SIM905
    + "信息 编辑 时间 日期 发表 发布 江湖".split()  # noqa: SIM905
    # script and language labels ("（简体中文）" after a link) start with surname characters too
    + "简体 簡體 繁体 繁體 正体 正體".split()  # noqa: SIM905
)
# CMS account names and "anonymous" in both languages: never a person's byline
_PLACEHOLDERS = frozenset(
    "admin administrator webmaster root guest anonymous unknown user author editor".split()  # noqa: SIM905
    + "佚名 匿名 管理员 管理員 小编 小編".split()  # noqa: SIM905
)
_COMPOUND_SURNAMES = tuple("欧阳 歐陽 司马 司馬 上官 诸葛 諸葛 东方 東方 皇甫 令狐 慕容 司徒 尉迟 长孙 長孫".split())  # noqa: SIM905

# words that make an "author" an outlet, a desk or an agency rather than a person
_OUTLET_WORDS = re.compile(
    r"新浪|搜狐|网易|網易|腾讯|騰訊|凤凰|鳳凰|新华|新華|人民|央视|央視|网$|網$|网站|網站|报|報|日报|日報|晚报|晚報|电视|電視|电台|電台|"
    r"广播|廣播|杂志|雜誌|通讯社|通訊社|新闻|新聞|传媒|傳媒|出版|编辑部|編輯部|政府|委员会|委員會|办公室|辦公室|集团|集團|公司|"
    r"\b(?:news|press|agency|media|staff|desk|bureau|reuters|associated|afp|bloomberg|times|post|wire|newswire|editorial|"
    r"team|online|daily|herald|tribune|journal|magazine|inc|ltd|limited|group|network|tv|radio|"
    r"project|foundation|institute|stiftung|verband|gmbh|e\.\s?v|"
    r"writer|correspondent|reporter|columnist|contributor|editor|photographer)\b",
    re.I,
)
_TITLES = re.compile(
    r"^(?:(?:dr|prof|professor|mr|mrs|ms|miss|sir|ir|hon|rechtsanwalt|rechtsanwältin|notar|notarin|dipl\.-ing)\.?\s+)+|"
    r"^(?:本报|本報|本刊|本台|本网|本網|特约|特約|实习|實習|见习|見習|首席|驻\S{1,4}|駐\S{1,4})?(?:记者|記者|通讯员|通訊員|撰稿人|特派员|特派員)\s*",
    re.I,
)

_SPLIT = re.compile(r"\s*(?:,|，|、|;|；|/|／|&|\band\b|\s及\s|\s和\s|\s+)\s*", re.I)
_PLACE_REPORT = re.compile(rf"(?:[{_HAN}]{{2}})?(?:综合报道|綜合報道|报道|報道|电|電|讯|訊|摄|攝)$")

_AUTHOR_LABEL = (
    r"(?:(?:[本驻駐特][报報刊台网網派]|见习|見習|实习|實習|首席|特约|特約)?(?:记者|記者)|通讯员|通訊員|实习生|實習生|作者|撰文|执笔人?|執筆人?|"
    r"文\s*[/／]|文\s*[｜|]|来稿|來稿|口述|撰稿|采写|採寫)"
)
_EDITOR_LABEL = r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯|校对|校對|审核|審核|主编|主編|值班编辑|值班編輯)"

# a byline label starts a line or a bracket, or follows the outlet ("光明日报记者"); "据记者了解"
# and "尊重作者的劳动" are prose
_CN_AUTHOR = re.compile(
    rf"(?:(?<=[\s(（【\[\]】)）□■●,，。:：|丨/报報网網社台道刊])|^)(?P<label>{_AUTHOR_LABEL})\s*(?P<colon>[:：]|[\[【])?\s*"
    r"(?P<names>[^\n:：()（）【】\[\]<>]{1,40})"
)
# "责任编辑：王珊珊", and the closing credit "（编辑 李艳霞）" with no colon
_CN_EDITOR = re.compile(
    rf"{_EDITOR_LABEL}\s*[:：]\s*(?P<names>[^\n:：()（）【】\[\]<>]{{1,30}})|"
    rf"(?<=[(（【\[])\s*{_EDITOR_LABEL}\s+(?P<paren>[^\n:：()（）【】\[\]<>]{{1,30}})(?=[)）】\]])"
)
_EN_AUTHOR = re.compile(
    r"^\s*(?P<opener>by|written by|reporting by|words by|story by|text by|reported by|compiled by|"
    r"(?:ein\s+)?(?:artikel|beitrag|bericht|gastbeitrag|kommentar)\s+von|"
    # the same byline in the other languages of the pages we read: "Von", "Par", "Por", "Door"
    r"text von|texte par|texto de|von|par|por|door|(?:text|autor|autorin|auteur|author)\s*:|"
    # the writer who took the pictures too: "Text & Fotos: …", "Text und Bild: …", "Texte et photos : …"
    r"(?:text|texte|texto)\s*(?:&|\+|und|and|et|y)\s*(?:fotos?|photos?|bilder?|bild|fotografie)\s*:)"
    r"[:\s]+(?P<names>[^\n]{2,120})$",
    re.I,
)
# openers that are prepositions in prose too ("Von Montag bis Freitag"): their names must all read as names
_PREPOSITIONS = frozenset(("von", "par", "por", "door"))
# "Posted on September 21, 2020 by Adi Tzlil", "14.05.2021 | von Jana Roth": a date, then the byline
_DATED_BYLINE = re.compile(
    r"^(?:(?:posted|published|veröffentlicht|erstellt|geschrieben|publié)\s+)?(?:on\s+|am\s+|le\s+)?"
    r"(?P<date>[\w.,/ -]{0,30}?\d[\w.,/: -]{0,24}?)\s*[,|·•–—-]?\s+(?:by|von|par)\s+(?P<names>[^\n|]{2,80})$",
    re.I,
)
# "11.12.2019 - Amelie Loevenich": a numeric date, a dash, the name
# weekdays and months, which follow "von" as often as a name does ("von Montag", "von März")
_CALENDAR_WORD = re.compile(
    r"(?:(?:mon|diens|donners|frei|sams|sonn)tag|mittwoch|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|heute|gestern)$",
    re.I,
)
# "Geschrieben von Cooper am 25.08.2015 22:30", "Posted by Jane on May 3, 2021": the label, the
# name, then the date; after such a label one word is the poster's name
_NAME_THEN_DATE = re.compile(
    r"^(?:geschrieben|erstellt|verfasst|eingetragen|veröffentlicht|gepostet|posted|written|published|publié|écrit)"
    r"\s+(?:von|by|par)\s+(?P<names>[^\n|,]{2,60}?)\s+(?:am|on|le|um|at)\s+(?=\S*\d|\w+,?\s+\d)",
    re.I,
)
_POSTED_LABEL = re.compile(r"(?:posted|published|veröffentlicht|erstellt|geschrieben|publié)\s", re.I)
_DATE_DASH = re.compile(r"^(?:\d{1,2}[./]\d{1,2}[./](?:19|20)?\d\d|(?:19|20)\d\d-\d\d-\d\d)\s*[-–—|·•]\s*")
_DATE_DASH_NAME = re.compile(_DATE_DASH.pattern + r"(?!.*\s[-–—|·•]\s)(?P<names>[^\n\d]{4,60})$")
# a label alone on its line, the name on the next ("Autor" / "Nikolai Huke")
_LONE_LABEL = re.compile(
    r"^(?:(?P<by>by|von|par|por|door|written by|geschrieben von|verfasst von)|"
    r"autor(?:in)?|author|auteur|reporter)\s*[:：]?$",
    re.I,
)
# "ByJ.R. Stone": an opener glued to the name (case matters: "Bypass", "Parker" are words)
_GLUED_OPENER = re.compile(r"^(By|Von|Por|Par)(?=[A-Z][\w.]*[\s.])")
_GLUED_OPENERS = ("By", "Von", "Por", "Par")
_EN_EDITOR = re.compile(r"(?:^|[;.(]\s*)(?:edited by|editing by|editor:)\s+(?P<names>[^;\n)]{2,80})", re.I)
# "海姑娘写于2005年6月12日", "ggjjzhzz 发表于 2005-9-15": the blog/forum author before a date
_POSTED_BY = re.compile(
    r"(?:^|\s)(?P<names>[^\s:：，,。]{2,20})\s*(?:写于|寫於|发表于|發表於|发布于|發佈於|posted\s+(?:on|at))\s*(?:19|20)\d\d"
)
# "由海姑娘张贴 @ 2005-06-14", "Posted by Jane Doe @ 10:56 am": blog footers naming the poster
# ("由于…发表于" is prose)
_POSTED_BY_NAME = re.compile(
    r"(?:^|[\s|｜])(?:由(?![于於此其])\s*(?P<han>[^\s:：，,。@]{2,20}?)\s*(?:张贴|張貼|发表|發表|发布|發佈|发帖|發帖|贴出|貼出)"
    r"\s*(?:@|于|於|[:：])?\s*(?:19|20)\d\d|posted\s+by\s+(?P<latin>[^\n@|:]{2,60}?)\s+(?:@|on|at)\s+[^\n]{0,20}?\d)",
    re.I,
)
# "来源: 尹娟": a source line that names a person, not an outlet, credits the contributor
_SOURCE_PERSON = re.compile(
    rf"(?:^|[\s|｜【\[])(?:来源|來源|稿源)\s*[:：]\s*(?P<names>[{_HAN}][{_HAN}\s、，,]{{1,20}})\s*(?:$|[】\]|｜])"
)
# a wire credit in the dateline ("Hamburg (dpa/lno) – Trotz …") or closing the text ("… (FR mit dpa)")
_DATELINE_CREDIT = re.compile(r"^[^()\n]{0,40}?[(（]\s*(?P<credit>[^()（）\n]{2,30}?)\s*[)）]\s*[-–—:]")
_CLOSING_CREDIT = re.compile(r"[(（]\s*(?P<credit>[^()（）\n]{2,30}?)\s*[)）]\s*\.?$")
_HANDLE = re.compile(rf"^\s*([{_HAN}\w]{{1,12}}&[{_HAN}\w]{{1,12}})(?:\s|$)")
_ORG_ENDINGS = set("界社网網报報台刊站馆館院局部所会會团團厂廠店")
# an article ending "（记者 胡晓蓉）", "（姚峰 上海报道）", "（常书香 马丹阳 ）"
_END_CREDIT = re.compile(rf"[(（]\s*(?P<names>[{_HAN}\s·]{{2,30}}?)\s*[)）]\s*$")
_DATELINE = re.compile(r"(?:19|20)\d\d\s*(?:年|-|/)\s*\d{1,2}")
_BRACKETED = re.compile(rf"[\[【(（]\s*([{_HAN}]{{2,4}})\s*[\]】)）]")
# "By", "Von", "Por", "Par" and the labels CMSs print before a name ("Erstellt von", "View all
# posts by", "Zeige alle Beiträge von"), in the languages of the pages we read
_BY_PREFIX = re.compile(
    r"^(?:(?:posted|written|reported|story|text|words|compiled)\s+by|by|von|vom|par|por|door|przez|"
    r"(?:erstellt|geschrieben|verfasst|gespeichert|eingestellt|veröffentlicht)\s+von|"
    r"(?:zeige\s+)?alle[s]?\s+(?:beiträge\s+|artikel\s+)?von|(?:view|see|more)\s+(?:all\s+)?(?:posts|stories|articles)\s+"
    r"(?:by|from)|show\s+all\s+articles\s+of|autor(?:in)?|author|auteur|texte?|interview)\s*[:：]?\s+"
    r"|^by\s*[:：]\s*",
    re.I,
)
_GLUED_BY = re.compile(
    r"^(?:By|Von|Por|Par|SHOW ALL ARTICLES OF|Show all articles of)(?=[A-Z][a-z])"
)  # "ByTravis Haney": case matters here
# what trails a name in a byline element: a date, a handle, the author's role, a link label
_MONTH_WORD = r"(?:jan|feb|mär|mar|apr|may|mai|jun|jul|aug|sep|oct|okt|nov|dec|dez)[a-zä]*\.?"
_TRAILER = re.compile(
    r"\s*[,|·•–—-]?\s+(?:\d|@\w|"
    + _MONTH_WORD
    # weekdays: German two-letter ones only with a dot or comma ("So" and "Do" are surnames too)
    + r"\s+\d|(?:mon|tue|wed|thu|fri|sat|sun)\b[.,]?(?:\s|$)|(?-i:Mo|Di|Mi|Do|Fr|Sa|So)[.,]"
    r"|(?:updated|aktualisiert|stand|published|veröffentlicht|am|on|le|el)\s+\d).*$"
    r"|(?<=[a-z])@\w+.*$",
    re.I,
)
# the author's role after the name ("Jane Doe Staff Writer"); "Technology Reporter" alone is no name
_ROLE = re.compile(
    r"[,\s]+(?:chefredakteur(?:in)?|redakteur(?:in)?|(?:senior\s+|staff\s+|chief\s+)?(?:[a-z]+\s+)?"
    r"(?:writer|editor|reporter|correspondent|columnist)|alle\s+artikel|weitere\s+artikel|mehr\s+artikel|"
    r"more\s+stories.*|mitglied\s+der\s.*|shares?|stand)\s*$",
    re.I,
)
# link labels and page chrome that byline elements hold instead of a name
_NOT_A_NAME = re.compile(
    r"^(?:by|von|par|por|posted|follow|folgen|username|weiter|weitere artikel|more|mehr|share|teilen|"
    r"view profile|profil|home|"
    r"afficher mon profil complet|read more|login|anmelden)$|\btheme\b|^theme|theme(?:grill|isle)|designed\b|"
    r"powered by|wordpress|drupal|joomla|\bphotos?\b|\bfotos?\b|\bbild\b|getty images|imago|shutterstock",
    re.I,
)
# a URL slug or account handle standing in for a name (sophie-foster, christian.stadtfeld)
_SLUG = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)+|\S*(?:\.(?:com|net|org|de|at|ch|fr|uk)\b|/)\S*")
# wire agencies: an author when they are the byline or a co-byline, never the site's own name
_AGENCIES = frozenset(
    (
        "associated press",
        "ap",
        "afp",
        "agence france-presse",
        "agence france presse",
        "dpa",
        "reuters",
        "xinhua",
        "efe",
        "agencia efe",
        "ansa",
        "apa",
        "kna",
        "epd",
        "sda",
        "keystone-sda",
        "kyodo",
        "yonhap",
        "aap",
        "tass",
        "anp",
        "belga",
        "lusa",
        "europa press",
        "pa media",
        "dpa-afx",
        "新华社",
        "新華社",
        "中新社",
        "中央社",
        "路透社",
        "法新社",
        "美联社",
        "美聯社",
        "共同社",
    )
)
_HAN_NAME = re.compile(rf"^[{_HAN}][{_HAN}·]{{1,3}}$")
# capitalized words, with the particles of European names between them ("Walter von Aachen")
_PARTICLES = r"(?:von|van|de|der|den|del|della|di|da|du|la|le|dos|das|do|bin|al|ten|ter|zu|y)"
_LATIN_NAME = re.compile(rf"^[A-Z][\w'’.-]*(?:\s+(?:{_PARTICLES}\s+)*[A-Z][\w'’.-]*){{0,4}}$")


@dataclasses.dataclass
class Byline:
    """Authors and editors read from one page, in the order found."""

    authors: list[str] = dataclasses.field(default_factory=list)
    editors: list[str] = dataclasses.field(default_factory=list)
    # people named only as the source ("来源: 尹娟"): authors when no byline names anyone
    credited: list[str] = dataclasses.field(default_factory=list)
    # editors credited by a plain "编辑：" line, not a desk's "责任编辑": who compiled a reposted
    # story, the only person such a page names
    compilers: list[str] = dataclasses.field(default_factory=list)


def _looks_like_chinese_name(token: str) -> bool:
    if not _HAN_NAME.match(token) or token[:2] in _NOT_NAMES:
        return False
    return token[0] in _SURNAMES or token.startswith(_COMPOUND_SURNAMES)


def _strip_title(name: str) -> str:
    previous = None
    while previous != name:
        previous = name
        name = _TITLES.sub("", name).strip(" \t:：-–—|()（）[]【】\"'“”~·•")
    return name


def is_agency(name: str) -> bool:
    """Tell whether name is a wire agency ("AFP", "dpa", "Associated Press", "新华社")."""
    return " ".join(name.casefold().split()) in _AGENCIES


# "det/dpa", "dpa/lno", "AFP/The Local", "Jane Doe/SP-X": a credit whose parts a slash joins
_SLASH_PART = re.compile(r"[^/\n]{1,40}")
_AGENCY_CODE = re.compile(r"[A-Z][A-Z0-9-]{1,6}")
_CREDIT_JOINS = re.compile(r"\s*/\s*|\s+(?:mit|with|und|and|et)\s+", re.I)


def is_agency_credit(name: str) -> bool:
    """Tell whether name is a wire agency's credit kept as printed: the agency beside an editor's
    initials, a regional desk or the site ("det/dpa", "dpa/lno", "AFP/The Local", "FR mit dpa").
    """
    parts = [part.strip() for part in _CREDIT_JOINS.split(name.strip())]
    return 2 <= len(parts) <= 4 and all(_SLASH_PART.fullmatch(part) for part in parts) and any(map(is_agency, parts))


def _slash_credit(segment: str) -> list[str] | None:
    """Read a slash-joined credit: a person before an agency or agency code is the person
    ("Jane Doe/SP-X", "Jane Doe/dpa" gives Jane Doe and dpa); an agency with initials, a desk or
    the site is one credit as printed ("det/dpa"). None when the segment is no such credit.
    """
    text = segment.strip()
    if "/" not in text or len(text) > 80:
        return None
    parts = [part.strip() for part in text.split("/")]
    while len(parts) > 2 and re.search(r"\d", parts[-1]):
        parts.pop()  # "Jane Doe / TNN / Updated: Oct 9, 2019": the date after the credit
    if not all(_SLASH_PART.fullmatch(part) for part in parts):
        return None
    people = [p for p in parts if " " in p and _LATIN_NAME.match(p) and not is_agency(p) and not p.startswith("The ")]
    if people and all(p in people or is_agency(p) or _AGENCY_CODE.fullmatch(p) for p in parts):
        return people + [p for p in parts if is_agency(p)]
    return [text] if any(map(is_agency, parts)) else None


# the role or a link label glued to the name by markup without a space ("Howard BlumeStaff
# Writer", "Inga HoeltmannFollow"): case matters, the glue is a lower-case letter before a capital
_GLUED_ROLE = re.compile(
    r"(?<=[a-zß-ÿ])(?:(?:Senior|Staff|Chief|Contributing|Guest)\s+)?(?:Staff Writer|Writer|Editor|Reporter|"
    r"Correspondent|Columnist|Contributor|Redakteur(?:in)?|Chefredakteur(?:in)?|Follow|Folgen)\s*$"
)


def _strip_byline_words(name: str) -> str:
    previous = None
    while previous != name:
        previous = name
        name = _GLUED_ROLE.sub("", _GLUED_BY.sub("", _BY_PREFIX.sub("", name)))
        name = _TRAILER.sub("", name).strip(" \t,;|·•–—-")
        without_role = _ROLE.sub("", name)
        if " " in without_role.strip():
            name = without_role.strip(" \t,;|·•–—-")
    # "谢若含2017-03-01 14:27": a Han name glued to the date after it
    return re.sub(rf"(?<=[{_HAN}])\s*\d.*$", "", name)


# a one-word account name with digits ("freeman1984", "Bo2man"): no person's name, so only
# taken from an element the page marks as the author, or a labelled byline in one
_ACCOUNT = re.compile(r"(?=(?:[^\W\d_]\S*){3})(?=\S*[^\W\d_]{2})[^\W\d_][^\W_]{1,23}")


def account_name(byline: str) -> str | None:
    """Return the account name an author element holds ("von freeman1984", "Author: Bo2man am
    29.12.2010"), or None when it holds no such one-word handle with digits.
    """
    name = _strip_byline_words(" ".join(byline.split()))
    if not _ACCOUNT.fullmatch(name) or not re.search(r"\d", name) or name.isupper() or len(re.findall(r"\d", name)) > 4:
        return None
    return None if re.sub(r"\d+$", "", name).casefold() in _PLACEHOLDERS else name


# "Bruno (Henrique Zecchin) Rodrigues": middle names in brackets between a first and a last name
_BRACKETED_MIDDLE = re.compile(r"(?P<first>[^()]+?)\s+\((?P<middle>[^()]+)\)\s+(?P<last>[^()]+)")


def _is_bracketed_middle_name(name: str) -> bool:
    parts = _BRACKETED_MIDDLE.fullmatch(name)
    return bool(parts) and bool(_LATIN_NAME.match(" ".join(parts.groups())))  # type: ignore[union-attr]


# a description that opens with the post's byline, as Blogger writes it from the post's first
# line ("Posted by Jane Doe and John Roe - Security team   Over the past few years …")
_DESCRIPTION_BYLINE = re.compile(
    r"^\s*(?:posted|written|geschrieben|verfasst|publié)\s+(?:by|von|par)\s+(?P<names>.{2,200})", re.I | re.S
)


def description_byline(description: str | None) -> list[str]:
    """Return the people a description names when it opens with a posted-by byline, or []."""
    match = _DESCRIPTION_BYLINE.match(description or "")
    return _split_english(" ".join(match.group("names").split()), strict=True) if match else []


def clean_names(names: Iterable[str]) -> list[str]:
    """Return names with bylines' labels, titles and trailers stripped, whitespace collapsed,
    and duplicates dropped, in order.
    """
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        if not isinstance(raw, str):
            continue
        name = _strip_title(_strip_byline_words(" ".join(raw.split())))
        # credentials and agency initials after a comma ("Rachael Link, MS", "CNN") are no names;
        # form labels ("Name *", "Nama (wajib") never are; wire agencies are
        agency = is_agency(name)
        if not agency and (
            re.fullmatch(r"[A-Z]{1,4}|[A-Z][a-z]?[A-Z]{1,3}", name)
            or (re.search(r"[*()<>{}=@:]", name) and not _is_bracketed_middle_name(name))
        ):
            continue
        if _NOT_A_NAME.search(name) or (_SLUG.fullmatch(name) and not is_agency_credit(name)):
            continue
        # "赵  培": a Han name split by typesetting spaces is one name
        if re.fullmatch(rf"[{_HAN}](?:\s*[{_HAN}]){{1,3}}", name):
            name = name.replace(" ", "")
        key = name.casefold()
        if name and key not in seen and key not in _PLACEHOLDERS and len(name) <= 60:
            seen.add(key)
            out.append(name)
    return out


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches in a str pattern


def _holds_word(text: str, word: str) -> bool:
    r"""Tell whether word occurs in text as a whole word, not before a possessive "'s": what
    re.search(rf"(?<!\w){re.escape(word)}(?!\w)(?!['’]s\b)", text) tells, without compiling a
    pattern for every name (a name is seldom asked about twice, so the patterns' cache misses).
    """
    at = text.find(word)
    while at != -1:
        end = at + len(word)
        if (
            (at == 0 or not _is_word_char(text[at - 1]))
            and (end == len(text) or not _is_word_char(text[end]))
            and not (
                text[end : end + 1] in ("'", "’")
                and text[end + 1 : end + 2] == "s"
                and (end + 2 == len(text) or not _is_word_char(text[end + 2]))
            )
        ):
            return True
        at = text.find(word, at + 1)
    return False


def is_site_name(name: str, site_names: Iterable[str | None] = ()) -> bool:
    """Tell whether an 'author' names the site, publisher or an outlet rather than a person.

    A wire agency is no outlet here (it is the byline), unless it is the site itself.
    """
    folded = " ".join(name.casefold().split())
    if not folded:
        return True
    if is_agency_credit(name):
        return False  # "AFP/The Local": the agency's byline, the site only beside it
    for site in site_names:
        if not site:
            continue
        site_folded = " ".join(site.casefold().split())
        if site_folded in folded:
            return True
        # the name inside the site's, as a whole word ("Ela" is not "Elavegan"); a blog named
        # after its author ("Matthew Davis's Blog") is the author's own
        if len(folded) >= 2 and _holds_word(site_folded, folded):
            return True
    if is_agency(name):
        return False
    return bool(_OUTLET_WORDS.search(name))


# hosts that give every blogger a subdomain: there the subdomain is the blogger's own name
_BLOG_HOSTS = frozenset(
    "wordpress.com blogspot.com blogger.com tumblr.com substack.com livejournal.com typepad.com over-blog.com".split()  # noqa: SIM905
    + "weebly.com wixsite.com jimdo.com github.io medium.com".split()  # noqa: SIM905
)
# words of a publication's name the outlet words above leave out: no person is called this
_PUBLICATION_WORDS = re.compile(
    r"\b(?:presse|zeitung|verlag|redaktion|rundschau|nachrichten|anzeiger|kurier|magazin|blog|forum|verein|"
    r"shop|club|community|zentrum|center|centre|service|digital|home)\b",
    re.I,
)
_SECOND_LEVEL = frozenset("co com org net ac gov edu or ne".split())  # noqa: SIM905


def owns_site(name: str, hosts: Iterable[str | None]) -> bool:
    """Tell whether name is the person whose own site this is: hakibenita.com by "Haki Benita",
    zahlenzauberin.wordpress.com by "zahlenzauberin". Such a site's name is its author's, so the
    name is no outlet; publications ("Presse Augsburg" on presse-augsburg.de) never pass.
    """
    words = name.split()
    if not words or _OUTLET_WORDS.search(name) or _PUBLICATION_WORDS.search(name) or is_agency(name):
        return False
    squashed = re.sub(r"[\W_]+", "", name.casefold())
    for host in hosts:
        labels = (host or "").casefold().removeprefix("www.").split(".")
        if len(labels) < 2 or " " in (host or ""):
            continue
        if ".".join(labels[-2:]) in _BLOG_HOSTS and len(labels) >= 3:
            own, person = labels[-3], True  # a blogger's handle may be one word
        else:
            own = labels[-3] if labels[-2] in _SECOND_LEVEL and len(labels) >= 3 else labels[-2]
            # on a domain of its own, only a person's full name: "Bustle" on bustle.com is the outlet
            person = 2 <= len(words) <= 4 and bool(_LATIN_NAME.match(name))
        if person and re.sub(r"[\W_]+", "", own) == squashed:
            return True
    return False


# a one-word handle ("Heiko", "LD", "gnaddrig", "macbacchi", "Marianne1"): letters first, then
# letters, digits, dots or dashes; or a writer's initials
_HANDLE_WORD = re.compile(r"[^\W\d_](?:[\w.-]{0,22}[^\W_])|[A-Z]{2,4}")
# a handle read off free text must look like one: a digit, a lower-case start, or capitals inside
# ("HansEhrlich"); a capitalized word before a date is as often a city ("Berlin 17.10.2019")
_HANDLE_SHAPED = re.compile(r"\S*\d|[a-zß-ÿ]|\S*[a-zß-ÿ][A-ZÀ-Þ]")
# the lower-case words that stand before a date as its label, not as anyone's handle
_DATE_LABELS = frozenset(
    "am um on at le el vom seit bis ab heute gestern stand datum date aktualisiert veröffentlicht erstellt".split()  # noqa: SIM905
    + "geändert updated posted published modified created publié actualizado publicado zuletzt letzte".split()  # noqa: SIM905
)
# "Posted in News by jdoe on May 3, 2021", "Verfasst von: mitundvoneinander", "von Marianne1":
# a byline label, then one word
_LABELLED_HANDLE = re.compile(
    r"^(?:(?:posted|written|published|geschrieben|verfasst|erstellt|veröffentlicht|eingetragen)"
    r"(?:\s+in\s+[^|]{1,40}?)?\s+(?:by|von|par)|by|von|par|por|autor(?:in)?|author|auteur)\s*[:：]?\s+"
    r"(?P<handle>[^\s|,:;]{2,24})(?:\s+(?:on|am|le|um|at)\s+\S.*)?$",
    re.I,
)
# a forum post's header: the poster's handle, then the date and time, glued or not
# ("macbacchi28.09.1912:44", "HansEhrlich 17.10.2019, 13:56 Uhr")
_POST_HEADER = re.compile(
    r"^(?P<handle>[^\W\d_][\w.-]{0,22}?[^\W_])\s*(?:\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})|(?:19|20)\d\d-\d\d-\d\d)"
    r",?\s*\d{1,2}:\d\d(?::\d\d)?(?:\s*uhr)?$",
    re.I,
)
_SEGMENTS = re.compile(r"\s+[|·•]\s+")


def handle_name(text: str, site_names: Sequence[str] = (), *, free_text: bool = False) -> str | None:
    """Return the one-word handle text holds ("von LD", "gnaddrig", "Heiko"), or None.

    A handle is no placeholder ("admin"), date word or outlet; it may be a word of the site's
    name ("Heiko" on heiko-adams.de, "gnaddrig" of "gnaddrig ad libitum": a blog named after its
    writer), never the whole of it ("kochbar" on kochbar.de), unless the site is the blogger's
    own subdomain. free_text (a line, not an element marked as the author) also asks for a
    handle's shape, so that a capitalized word ("Berlin") is not taken for one.
    """
    name = _strip_byline_words(" ".join(text.split()))
    if not _HANDLE_WORD.fullmatch(name) or (free_text and not _HANDLE_SHAPED.match(name)):
        return None
    folded = name.casefold()
    if (
        folded in _PLACEHOLDERS
        or "admin" in folded
        or re.sub(r"\d+$", "", folded) in _PLACEHOLDERS
        or folded in _DATE_LABELS
        or _CALENDAR_WORD.match(name)
        or re.fullmatch(_MONTH_WORD, folded)
        or _LABEL_WORD.fullmatch(folded)
        or _NOT_A_NAME.search(name)
        or _OUTLET_WORDS.search(name)
        or _PUBLICATION_WORDS.search(name)
        or len(re.findall(r"\d", name)) > 4
    ):
        return None
    initials = {"".join(w[0] for w in site.split()).casefold() for site in site_names if len(site.split()) >= 2}
    if name.isupper() and folded in initials:
        return None  # "JF" on the site of "Junge Freiheit": the site's own abbreviation
    if is_site_name(name, site_names) and not (owns_site(name, site_names) or _first_name_of_host(name, site_names)):
        return None
    return name


def _first_name_of_host(name: str, hosts: Sequence[str]) -> bool:
    # heiko-adams.de: a domain of two hyphen-joined words, a first and a last name, is its owner's
    folded = name.casefold()
    for host in hosts:
        labels = host.casefold().removeprefix("www.").split(".") if " " not in host else []
        for label in labels[:-1]:
            words = label.split("-")
            if len(words) == 2 and words[0] == folded and all(w.isalpha() and len(w) >= 2 for w in words):
                return not (
                    _OUTLET_WORDS.search(label.replace("-", " ")) or _PUBLICATION_WORDS.search(label.replace("-", " "))
                )
    return False


_LABEL_WORD = re.compile(r"by|von|par|por|door|de|posted|author|autor(?:in)?|auteur|username|user|benutzer")


def header_handle(header: Sequence[str], site_names: Sequence[str] = ()) -> list[str]:
    """Return the handle the lines between headline and body name as the poster: a labelled
    byline of one word ("Posted in News by jdoe on May 3, 2021", "von Marianne1"), else a forum
    post's header ("macbacchi28.09.1912:44"). The first such line only: later ones head replies.
    """
    texts = [" ".join(line.split()) for line in header]
    for text in texts:
        # a line with no separator is one segment; a post header holds a time ("12:44")
        for segment in _SEGMENTS.split(text) if "|" in text or "·" in text or "•" in text else (text,):
            labelled = _LABELLED_HANDLE.match(segment)
            if labelled and (name := handle_name(labelled.group("handle"), site_names, free_text=True)):
                return [name]
    for text in texts:
        posted = _POST_HEADER.match(text) if ":" in text else None
        if posted and (name := handle_name(posted.group("handle"), site_names, free_text=True)):
            return [name]
    return []


# the words of a desk's or a team's credit ("By Staff Writer", "von auto-motor.at Redaktion",
# "HLNF Staff Report", "Smart Shopping Team"): no person, but the byline the page prints
_DESK_WORDS = re.compile(
    r"\b(?:team|staff|redaktion|rédaction|redacción|redazione|redactie|newsroom|news\s+service)\b", re.I
)
_BYLINE_OPENER = re.compile(
    r"^(?:by|von|vom|par|por|door|written\s+by|posted\s+by|geschrieben\s+von)\s*[:：]?\s+", re.I
)


def desk_credit(text: str, *, opened: bool = False) -> str | None:
    """Return the desk or team a byline credits, as printed ("By Staff Writer" gives "Staff
    Writer"), or None when text names no desk. opened: the text must start with "By", "Von" ….
    """
    line = " ".join(text.split())
    without = _BYLINE_OPENER.sub("", line)
    if opened and without == line:
        return None
    name = without.strip(" ,;|·•–—-")
    if not (2 <= len(name) <= 50) or len(name.split()) > 6 or re.search(r"\d|[|:@]", name):
        return None
    return name if _DESK_WORDS.search(name) else None


def _split_chinese(segment: str, *, strict: bool = False) -> list[str]:
    """Split a byline segment into names; after the first (or, strict, for every) name,
    a Han token must start with a common surname, which stops at "来源", "摄影" and prose.
    """
    names: list[str] = []
    if not re.search(rf"[{_HAN}]", segment):
        return [] if strict else _split_english(segment)
    # "放飞&心情": an unspaced & inside one word is a forum handle, unless both halves are names
    handle = _HANDLE.match(segment)
    if handle and not strict and not all(map(_looks_like_chinese_name, handle.group(1).split("&"))):
        return [handle.group(1)]
    for token in _SPLIT.split(segment.strip()):
        token = _strip_title(token)
        # "朱丽娜 香港报道", "朱丽娜香港报道": the place and 报道 end the byline
        bare = _PLACE_REPORT.sub("", token)
        if bare != token:
            # after a name, a token ending in 报道 is the place ("彭冲 山东冠县报道");
            # fused to the first token, it carries the name ("朱丽娜香港报道")
            if not names and _HAN_NAME.match(bare):
                names.append(bare)
            break
        if not token:
            continue
        if _HAN_NAME.match(token):
            if (strict or names) and not _looks_like_chinese_name(token):
                break
            names.append(token)
        elif re.fullmatch(rf"[{_HAN}]{{5,}}", token):
            break  # the byline ran into the sentence that follows it
        elif re.fullmatch(r"[A-Za-z][\w.&'-]{1,30}", token) and not names and not strict:
            names.append(token)
            break
        else:
            break
    return names


# a second credit after the writer's ("Text von A Illustration von B", "By A Photographs by B")
_OTHER_CREDIT = re.compile(
    r"\s+(?:illustrations?|illustriert|fotos?|photos?|photographs?|photography|bilder?|grafik(?:en)?|graphics?|"
    r"videos?|kamera|mitarbeit)\b.*$",
    re.I,
)


# a job title after the name's comma ("Uta Staschewski, Projektleiterin der HSS", "Pressesprecher
# des Vereins", "Head of Research"): German compounds end in the role, English ones start with it
_JOB_TITLE = re.compile(
    r"^(?:\w*(?:leiter|referent|sprecher|direktor|beauftragter?|koordinator|assistent|mitarbeiter|vorsitzender?|"
    r"vorstand|geschäftsführer)(?:in)?|head|director|chair|president|professor|manager)\s+(?:der|des|of|for|für|im|am)\b",
    re.I,
)
_DEGREE = re.compile(r"(?:MD|M\.D\.|PhD|Ph\.D\.|MA|MS|MSc|MPH|MBA|RDN?|RN|DO|DDS|PharmD|LCSW|CPT)\.?")


def _split_english(segment: str, *, strict: bool = False) -> list[str]:
    """Split a Latin-script byline into names; strict (after "Von", "Par", "Por": words that
    also start prose), every part must be a name of two words or more, or the line is no byline.
    """
    # "Jane Doe and John Roe, Reuters" / "Jane Doe in Hong Kong" / "Jane Doe | Staff Writer"
    # / "A und B, dpa" / "A y B" / "Doe, Jane" (one person)
    segment = re.split(r"\s[|–—-]\s|\s+in\s+[A-Z]|\s+for\s+[A-Z]|\s+at\s+[A-Z]", segment, maxsplit=1)[0]
    # "par Didier Roy, 21 juin 2018": the date after the names is no name
    segment = _OTHER_CREDIT.sub("", segment)
    credit = _slash_credit(segment)
    segment = _TRAILER.sub("", segment)
    credit = credit if credit is not None else _slash_credit(segment)
    if credit is not None:
        return credit
    parts = [p.strip(" ") for p in re.split(r"\s*(?:,|;|&|\b(?:and|und|y|et)\b)\s*", segment)]
    # "Brenda Goodman, MA": a degree after the comma stays with its holder, as printed
    parts = [
        f"{part}, {parts[i + 1]}" if i + 1 < len(parts) and _DEGREE.fullmatch(parts[i + 1]) else part
        for i, part in enumerate(parts)
        if not (i and _DEGREE.fullmatch(part))
    ]
    last_first = re.fullmatch(r"\s*([A-Z][\w'’-]+)\s*,\s*([A-Z][\w'’.-]+)\s*", segment)
    if last_first and not any(map(is_agency, parts)) and not _DEGREE.fullmatch(last_first.group(2)):
        return [f"{last_first.group(2)} {last_first.group(1)}"]  # "Gillman, Steve" is one person
    names = []
    for token in parts:
        # a trailing dot stays on an initial or suffix ("Perry Bacon Jr.", "Juan Muñoz C.")
        token = token.strip(" ")
        if token.endswith(".") and len(token.rsplit(" ", 1)[-1]) > 3:
            token = token.rstrip(".")
        held, _, degree = token.rpartition(", ")
        token, degree = (held, f", {degree}") if held and _DEGREE.fullmatch(degree) else (token, "")
        token = _strip_title(_strip_byline_words(token))
        person = bool(_LATIN_NAME.match(token)) and not re.search(r"\d", token) and (not strict or " " in token)
        if is_agency(token):
            names.append(token)
        elif _OUTLET_WORDS.search(token) or _JOB_TITLE.match(token):
            break  # "Jane Doe, Senior Staff Technologist, ACLU Speech, Privacy …": an affiliation follows
        elif person:
            names.append(token + degree)
        elif strict and token:
            return []  # "Von Sprachregeln, Gender-Politik und «ganz normalem Deutsch»": a headline
    return names


# a lower-case word that is no particle of a name ("Landesanstalt für Wald", "Office of the")
_LOWER_WORD = re.compile(rf"(?!{_PARTICLES}\b)[a-zß-ÿ][\w'’-]*")


def _reads_as_organization(value: str) -> bool:
    """Tell whether a declared author value is an institution's name: a part, once split where
    bylines split, of three words or more with a lower-case word inside ("Bayerische Landesanstalt
    für Wald und Forstwirtschaft - LWF"). Split further, its pieces would pass for people.
    """
    head = re.split(r"\s[|–—-]\s", value, maxsplit=1)[0]
    for part in re.split(r"\s*(?:,|;|&|\b(?:and|und|y|et)\b)\s*", head):
        words = part.split()
        if _JOB_TITLE.match(part):
            continue  # "Jane Doe, Head of Research": the role after a person's name
        if len(words) >= 3 and words[0][:1].isupper() and any(_LOWER_WORD.fullmatch(w) for w in words[1:-1]):
            return True
    return False


def names_from_value(value: Any) -> list[str]:
    """Return person names from a metadata value: a string, a list, or JSON-LD Person objects.

    JSON-LD Organizations are publishers, not authors, and are skipped.
    """
    if value is None:
        return []
    if isinstance(value, dict):
        kind = str(value.get("@type", "")).lower()
        if "organization" in kind and "person" not in kind:
            return []
        return names_from_value(value.get("name"))
    if isinstance(value, list | tuple):
        return [name for item in value for name in names_from_value(item)]
    if not isinstance(value, str):
        return []
    # "Redacci&oacute;n": JSON-LD written with the page's HTML entities still in it
    text = " ".join((html.unescape(value) if "&" in value else value).split())
    if not text or text.startswith(("http://", "https://")):
        return []
    if re.search(rf"[{_HAN}]", text):
        # "谢若含2017-03-01 14:27:02": the date the name runs into is no part of it
        text = re.sub(rf"(?<=[{_HAN}])\s*(?:19|20)\d\d\s*[-/.年].*$", "", text)
        return _split_chinese(text) or ([text] if len(text) <= 12 else [])
    if _reads_as_organization(_BY_PREFIX.sub("", text)):
        return []
    names = _split_english(re.sub(r"^by\s+", "", text, flags=re.I))
    return names or ([text] if len(text) <= 40 and not re.search(r"\d", text) else [])


# every line a byline pattern above can read holds one of these words, opens with an English
# byline, or is a dateline beside a bracket; other lines are only read near the top and bottom,
# where bare names and closing credits sit. Plain words, not patterns: a search for any of them
# costs far less than the byline patterns it spares.
_HINT_WORDS = (
    *("记者", "記者", "通讯员", "通訊員", "实习生", "實習生", "作者", "撰文", "执笔", "執筆"),
    *("来稿", "來稿", "口述", "撰稿", "采写", "採寫"),
    *("编辑", "編輯", "责编", "責編", "校对", "校對", "审核", "審核", "主编", "主編"),
    *("写于", "寫於", "发表", "發表", "发布", "發佈", "发帖", "發帖", "张贴", "張貼", "贴出", "貼出"),
    *("来源", "來源", "稿源", "posted", "edited by", "editing by", "editor:"),
)
# the words in Chinese, in one scan: 3 to 8 times faster than a substring test per word; the
# English ones by substring tests, several times faster than a scan for them (whose every "e"
# and "p" would start a try), first for the stems every English word holds
_HINT = re.compile("|".join(re.escape(word) for word in _HINT_WORDS if not word.isascii()))
_ASCII_HINT_WORDS = tuple(word for word in _HINT_WORDS if word.isascii())
_ASCII_HINT_STEMS = ("posted", "edit")
# the letters re.I matches to ASCII letters although lower() does not make them ASCII
# ("ſ" matches "s", "ı" and "İ" match "i"): a line holding one is read by every pattern
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")
_EN_OPENERS = (
    *("by", "written by", "reporting by", "words by", "story by", "text by", "reported by", "compiled by"),
    *("ein artikel von ", "ein beitrag von ", "artikel von ", "beitrag von ", "gastbeitrag von "),
    *(
        "von ",
        "von:",
        "par ",
        "par:",
        "por ",
        "por:",
        "door ",
        "text:",
        "autor:",
        "autorin:",
        "auteur:",
        "author:",
        "text von ",
        "texte par ",
        "text & ",
        "text und ",
        "texte et ",
    ),
)
_SLASH_CREDIT = re.compile(r"文\s*[/／｜|]")
_MONTH_OR_DAY = re.compile(r"\d\d|\d[./]\d")


def _hinted(lowered: str) -> bool:
    """Tell whether a lower-cased line holds one of the hint words."""
    if not lowered.isascii() and _HINT.search(lowered) is not None:
        return True
    return any(map(lowered.__contains__, _ASCII_HINT_STEMS)) and any(map(lowered.__contains__, _ASCII_HINT_WORDS))


def _labelled(text: str) -> bool:
    """Tell whether a byline pattern that needs a label word (_CN_EDITOR, _EN_EDITOR, _CN_AUTHOR
    but for "文/", _POSTED_BY, _POSTED_BY_NAME, _SOURCE_PERSON) may match text: it holds a hint
    word in any case, or a letter that lower() does not fold as re.I does.
    """
    return _hinted(text.lower()) or (not text.isascii() and _FOLDS_TO_ASCII.search(text) is not None)


# cached: pick_authors reads the body's lines and then the page lines around it, which repeat
# most of them (a third of the calls on the trafilatura set)
@functools.lru_cache(maxsize=1024)
def _may_hold_byline(line: str) -> bool:
    lowered = line.lower()
    if _hinted(lowered) or lowered.lstrip().startswith(_EN_OPENERS):
        return True
    # a dated byline ("Posted on May 3, 2021 by …", "11.12.2019 - Jane Doe")
    if (" by " in lowered or " von " in lowered or " - " in lowered) and _MONTH_OR_DAY.search(line):
        return True
    if "文" in line and _SLASH_CREDIT.search(line):
        return True
    return ("[" in line or "【" in line or "(" in line or "（" in line) and _DATELINE.search(line) is not None


_DATELINE_OR_MONTH = re.compile(r"(?:19|20)\d\d|\d{1,2}[./]\d{1,2}[./]\d{2}", re.I)


def _join_lone_labels(lines: Sequence[str]) -> Sequence[str]:
    """Put a byline label alone on its line in front of the next line ("Autor" / "Jane Doe")."""
    if not any(len(line) <= 20 and _LONE_LABEL.match(line.strip()) for line in lines):
        return lines
    joined = list(lines)
    for index in range(len(joined) - 1):
        label = _LONE_LABEL.match(joined[index].strip())
        if label and joined[index + 1].strip():
            word = joined[index].strip().rstrip(":：")
            joined[index] = f"{word} {joined[index + 1]}" if label.group("by") else f"{word}: {joined[index + 1]}"
            joined[index + 1] = ""
    return joined


def _read_posted_and_sources(text: str, byline: Byline) -> None:
    """Add the posters' names a blog or forum footer gives, and the people a source line credits."""
    for match in _POSTED_BY.finditer(text):
        name = match.group("names")
        if _looks_like_chinese_name(name) or not re.search(rf"[{_HAN}]", name):
            byline.authors.append(name)
    for match in _POSTED_BY_NAME.finditer(text):
        if match.group("latin"):
            byline.authors += _split_english(match.group("latin"))
        elif _looks_like_chinese_name(match.group("han")) or not re.search(rf"[{_HAN}]", match.group("han")):
            byline.authors.append(match.group("han"))
    for match in _SOURCE_PERSON.finditer(text):
        names = _split_chinese(match.group("names"), strict=True)
        # every token a 2-3 character name: "来源：新华社", "来源：金融界" stay outlets
        if (
            names
            and len(names) == len(_SPLIT.split(match.group("names").strip()))
            and all(len(n) <= 3 and n[-1] not in _ORG_ENDINGS for n in names)
        ):
            byline.credited += names


def read_bylines(lines: Sequence[str], *, top: int = 8, bottom: int = 6) -> Byline:
    """Read authors and editors from the lines of a text: labelled bylines anywhere,
    'By ...' lines, bare name lines near the top, and closing credits near the bottom.
    """
    byline = Byline()
    lines = _join_lone_labels(lines)
    count = len(lines)
    opener_read = False
    dashed: list[str] = []
    for index, line in enumerate(lines):
        near_top, near_bottom = index < top, index >= count - bottom
        if not (near_top or near_bottom or _may_hold_byline(line)):
            continue
        text = " ".join(line.split())  # str.split() splits at U+3000 and U+00A0 too
        if not text:
            continue
        if text.startswith(_GLUED_OPENERS):
            text = _GLUED_OPENER.sub(r"\1 ", text)
        # most lines hold no label word: the label patterns, which scan the whole line, are spared
        has_label = _labelled(text)
        if has_label:
            for match in _CN_EDITOR.finditer(text):
                names = _split_chinese(match.group("names") or match.group("paren"))
                byline.editors += names
                if match.group(0).startswith(("编辑", "編輯")):
                    byline.compilers += names
            for match in _EN_EDITOR.finditer(text):
                byline.editors += _split_english(match.group("names"))
        if has_label or "文" in text:
            for match in _CN_AUTHOR.finditer(_CN_EDITOR.sub("", text) if has_label else text):
                # "记者了解到", "作者提出": without a colon, what follows the label must look like a name
                loose = bool(match.group("colon")) or bool(re.search(r"[/／|｜]", match.group("label")))
                byline.authors += _split_chinese(match.group("names"), strict=not loose)
        # one article has one byline: further "By …" lines are related stories' (a list of teasers)
        opener = None if opener_read else _EN_AUTHOR.match(text)
        strict = bool(opener) and opener.group("opener").lower().split()[-1] in _PREPOSITIONS  # type: ignore[union-attr]
        # "von A, B und C" deep in the text cites a book or a study: a preposition's byline sits
        # at the top or the bottom
        if opener and strict and (top or bottom) and not (near_top or near_bottom):
            opener = None
        if opener and len(text) <= 140:
            found = _split_english(opener.group("names"), strict=strict)
            byline.authors += found
            opener_read = bool(found)
        elif (
            not opener_read
            and len(text) <= 120
            and ((dated := _DATED_BYLINE.match(text)) and _DATELINE_OR_MONTH.search(dated.group("date")))
        ):
            found = _split_english(dated.group("names"), strict=True)
            # "Veröffentlicht am 10. Februar 2019 von Heiko": after the label, one word is the blogger
            one = dated.group("names").strip()
            if (
                not found
                and _POSTED_LABEL.match(text)
                and re.fullmatch(r"[A-ZÀ-Þ][a-zß-ÿ]{2,20}", one)
                and not _CALENDAR_WORD.match(one)
            ):
                found = [one]
            byline.authors += found
            opener_read = bool(found)
        elif not opener_read and len(text) <= 120 and (labelled := _NAME_THEN_DATE.match(text)):
            one = labelled.group("names").strip()
            found = _split_english(one, strict=True)
            if not found and re.fullmatch(r"[A-ZÀ-Þ][a-zß-ÿ]{2,20}", one) and not _CALENDAR_WORD.match(one):
                found = [one]
            byline.authors += found
            opener_read = bool(found)
        elif _DATE_DASH.match(text):
            dashed.append(text)
        if has_label:
            _read_posted_and_sources(text, byline)
        # the credit and bracket patterns need a bracket
        paren = "(" in text or "（" in text
        wire = (_DATELINE_CREDIT.match(text) if paren and index < 3 else None) or (
            _CLOSING_CREDIT.search(text) if paren and index >= count - 2 else None
        )
        if wire and (is_agency(wire.group("credit")) or is_agency_credit(wire.group("credit"))):
            byline.credited.append(wire.group("credit"))
        if near_top and len(text) <= 24:
            tokens = text.split(" ")
            if (
                1 <= len(tokens) <= 6
                and all(_looks_like_chinese_name(t) and len(t) <= 3 for t in tokens)
                and tokens[0][0] in _FREQUENT_SURNAMES
            ):
                byline.authors += tokens
        # "2004年7月16日08:19 [ 黄宇 ]": a bracketed name beside the dateline
        if (paren or "[" in text or "【" in text) and _DATELINE.search(text):
            for match in _BRACKETED.finditer(text):
                if _looks_like_chinese_name(match.group(1)):
                    byline.authors.append(match.group(1))
        # the text ends in no space: a closing credit ends it with its bracket
        if (near_bottom or near_top) and text.endswith((")", "）")):
            credit = _END_CREDIT.search(text)
            if credit and not _CN_AUTHOR.search(credit.group(0)):
                names = _split_chinese(credit.group("names"), strict=True)
                if names and all(_looks_like_chinese_name(n) for n in names):
                    byline.authors += names
    # one "date - name" line is a byline; several are a list of events or teasers
    dated_name = _DATE_DASH_NAME.match(dashed[0]) if len(dashed) == 1 and not opener_read else None
    if dated_name:
        byline.authors += _split_english(dated_name.group("names"), strict=True)
    byline.authors = clean_names(byline.authors)
    byline.editors = clean_names(byline.editors)
    byline.credited = clean_names(byline.credited)
    byline.compilers = clean_names(byline.compilers)
    return byline


# a dateline alone on its line is short; a name line beside it is the byline
_DATE_LINE_CHARS, _BARE_NAME_CHARS = 40, 40


def _is_date_line(line: str) -> bool:
    text = normalize_digits(line.strip())
    return 6 <= len(text) <= _DATE_LINE_CHARS and next(iter_dates(text, dt.UTC), None) is not None


def bare_names_beside_date(lines: Sequence[str], site_names: Iterable[str] = ()) -> list[str]:
    """Return the person named by a line that is only a name ("Boris T. Kaiser") right above or
    below a line that is only a date, between headline and body: a byline printed without "By".
    A name of two to five capitalized words, no outlet; a name under the date first (a kicker
    or a short headline sits above it), then one over it.
    """
    names = [" ".join(raw.split()) for raw in lines]
    # "Axios Future" on axios.com: the site's own name is in it, a newsletter's or a section's
    own = {
        label
        for site in site_names
        for label in re.split(r"[\W_]+", site.casefold().removeprefix("www."))
        if len(label) >= 4
    }
    candidates = [
        index
        for index, text in enumerate(names)
        if len(text) <= _BARE_NAME_CHARS
        and 2 <= len(text.split(" ")) <= 5
        and _LATIN_NAME.match(text)
        and not (re.search(r"\d", text) or text.isupper() or _OUTLET_WORDS.search(text))
        and not _PUBLICATION_WORDS.search(text)
        and not own.intersection(text.casefold().split())
    ]
    for step in (-1, 1):
        for index in candidates:
            if 0 <= index + step < len(lines) and _is_date_line(lines[index + step]):
                return clean_names([names[index]])
    return []
