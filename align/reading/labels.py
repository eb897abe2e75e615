"""Numbering labels that open headings in Chinese plans.

Each form has a rank (smaller = outer).  Documents skip forms freely (a plan
may go from 一、 straight to 1.), so :mod:`align.reading.structure` turns ranks into
levels with a stack rather than using the ranks as levels.

>>> match_label("（三）完善“人地钱挂钩”激励性配套政策")
Label(form='paren_cn', rank=4.0, text='（三）', end=3)
>>> match_label("1.5亿元") is None
True

Labels are read through the look-alikes PDF extraction leaves (Kangxi radicals:
``第⼆章``) and the invisible characters of web pages (a zero-width space in
``第\u200b二章``); the label's text is the original:

>>> match_label("（⼆）稳步推进")
Label(form='paren_cn', rank=4.0, text='（⼆）', end=3)
"""
from __future__ import annotations

import re
from typing import NamedTuple

from align.textnorm import CJK_COMPAT_FOLD, INVISIBLE, INVISIBLE_CHARS

CN_NUM = "一二三四五六七八九十百零〇两"
_GAP = rf"[\s{INVISIBLE}]*"  # spaces, or characters no reader sees, inside a label
_CN = f"[{CN_NUM}](?:[{INVISIBLE}]*[{CN_NUM}]){{0,3}}"  # one to four numerals (十二, 第十\u200b二章)
_PREFIX = 64  # characters a label can take (its pattern is read on this much of a paragraph only)
_LEADING = re.compile(f"[{INVISIBLE}]*")

# (form, rank, pattern) — tried in order; the first match wins.
_FORMS: tuple[tuple[str, float, re.Pattern[str]], ...] = (
    ("part", 0.0, re.compile(rf"第{_GAP}(?:{_CN}|\d{{1,2}}){_GAP}(?:篇|部分){_GAP}")),
    ("chapter", 1.0, re.compile(rf"第{_GAP}(?:{_CN}|\d{{1,2}}){_GAP}章{_GAP}")),
    ("section", 2.0, re.compile(rf"第{_GAP}(?:{_CN}|\d{{1,2}}){_GAP}节{_GAP}")),
    ("cn", 3.0, re.compile(rf"{_CN}{_GAP}[、．]{_GAP}")),
    ("paren_cn", 4.0, re.compile(rf"[（(]{_GAP}{_CN}{_GAP}[）)]{_GAP}")),
    ("arabic", 5.0, re.compile(rf"(?:\d{{1,2}}{_GAP}(?:[、．]|\.(?!\d))|[\u2488-\u249b]){_GAP}")),  # also ⒈–⒛
    ("paren_arabic", 6.0, re.compile(rf"(?:[（(]{_GAP}\d{{1,2}}{_GAP}[）)]|[\u2474-\u2487]){_GAP}")),  # also ⑴–⒇
    ("circled", 7.0, re.compile(rf"[\u2460-\u2473\u3251-\u325f]{_GAP}")),
)

_FIRST_CHARS = frozenset("第（(" + CN_NUM)


def _can_open_label(ch: str) -> bool:
    """Can a label of one of :data:`_FORMS` start with the character ``ch``?

    The first characters their patterns allow: 第, an opening parenthesis, a
    Chinese numeral, a decimal digit (what ``\\d`` matches), or an enclosed
    number (① ⑴ ⒈).  Keep in step with :data:`_FORMS` (a test checks it).
    """
    return (ch in _FIRST_CHARS or ch.isdecimal() or "\u2460" <= ch <= "\u249b"
            or "\u3251" <= ch <= "\u325f")

BOX_RE = re.compile(rf"专栏{_GAP}(?:[0-9一二三四五六七八九十]+(?:{_GAP}[-－—.]{_GAP}\d+)?)?{_GAP}[:：]?{_GAP}")
RUN_IN_RANK = 8.0
BOX_FORM = "box"


class Label(NamedTuple):
    form: str
    rank: float
    text: str  # the label as written, trailing spaces included
    end: int  # index just after the label in the matched string


def match_label(text: str) -> Label | None:
    """The numbering label at the start of ``text``, or None.

    A bare number followed by a digit, a unit or a date word is not a label
    (``2021年``, ``1.5亿``), and ``一是`` enumerations are not headings.
    """
    at = _LEADING.match(text).end()
    if not _can_open_label(text[at : at + 1].translate(CJK_COMPAT_FOLD)):
        return None  # no form starts so (most paragraphs): skip the eight patterns
    folded = text[: at + _PREFIX + 1].translate(CJK_COMPAT_FOLD)  # same length: positions hold
    for form, rank, pattern in _FORMS:
        m = pattern.match(folded, at)
        if m is None:
            continue
        if m.end() >= len(text):
            return None
        after = folded[m.end() : m.end() + 1]  # the character after the label
        if form == "arabic" and after in "0123456789%年月日万亿":
            return None
        if form == "cn" and m.group(0).rstrip().rstrip(INVISIBLE_CHARS).endswith("．") and after.isdigit():
            return None
        return Label(form, rank, text[: m.end()], m.end())
    return None


def match_box(text: str) -> Label | None:
    """A 专栏 (box) heading such as ``专栏 3-1  完善城市综合服务功能主要抓手``."""
    at = _LEADING.match(text).end()
    m = BOX_RE.match(text[: at + _PREFIX + 1].translate(CJK_COMPAT_FOLD), at)  # 专栏⼆ (a Kangxi radical)
    if m is None or len(text) > 60 or text.rstrip().endswith("。"):
        return None
    return Label(BOX_FORM, -1.0, text[: m.end()], m.end())
