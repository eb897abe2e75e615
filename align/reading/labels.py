"""Numbering labels that open headings in Chinese plans.

Each form has a rank (smaller = outer).  Documents skip forms freely (a plan
may go from 一、 straight to 1.), so :mod:`align.reading.structure` turns ranks into
levels with a stack rather than using the ranks as levels.

>>> match_label("（三）完善“人地钱挂钩”激励性配套政策")
Label(form='paren_cn', rank=4.0, text='（三）', end=3)
>>> match_label("1.5亿元") is None
True
"""
from __future__ import annotations

import re
from typing import NamedTuple

CN_NUM = "一二三四五六七八九十百零〇两"
_CN = f"[{CN_NUM}]{{1,4}}"

# (form, rank, pattern) — tried in order; the first match wins.
_FORMS: tuple[tuple[str, float, re.Pattern[str]], ...] = (
    ("part", 0.0, re.compile(rf"第\s*(?:{_CN}|\d{{1,2}})\s*(?:篇|部分)\s*")),
    ("chapter", 1.0, re.compile(rf"第\s*(?:{_CN}|\d{{1,2}})\s*章\s*")),
    ("section", 2.0, re.compile(rf"第\s*(?:{_CN}|\d{{1,2}})\s*节\s*")),
    ("cn", 3.0, re.compile(rf"{_CN}\s*[、．]\s*")),
    ("paren_cn", 4.0, re.compile(rf"[（(]\s*{_CN}\s*[）)]\s*")),
    ("arabic", 5.0, re.compile(r"\d{1,2}\s*(?:[、．]|\.(?!\d))\s*")),
    ("paren_arabic", 6.0, re.compile(r"[（(]\s*\d{1,2}\s*[）)]\s*")),
    ("circled", 7.0, re.compile(r"[\u2460-\u2473\u3251-\u325f]\s*")),
)

_FIRST_CHARS = frozenset("第（(" + CN_NUM)


def _can_open_label(ch: str) -> bool:
    """Can a label of one of :data:`_FORMS` start with the character ``ch``?

    The first characters their patterns allow: 第, an opening parenthesis, a
    Chinese numeral, a decimal digit (what ``\\d`` matches) or a circled
    number.  Keep in step with :data:`_FORMS` (a test checks it).
    """
    return (ch in _FIRST_CHARS or ch.isdecimal() or "\u2460" <= ch <= "\u2473"
            or "\u3251" <= ch <= "\u325f")

BOX_RE = re.compile(r"专栏\s*(?:[0-9一二三四五六七八九十]+(?:\s*[-－—.]\s*\d+)?)?\s*[:：]?\s*")
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
    if not _can_open_label(text[:1]):
        return None  # no form starts so (most paragraphs): skip the eight patterns
    for form, rank, pattern in _FORMS:
        m = pattern.match(text)
        if m is None:
            continue
        rest = text[m.end():]
        if not rest:
            return None
        if form == "arabic" and rest[0] in "0123456789%年月日万亿":
            return None
        if form == "cn" and m.group(0).rstrip().endswith("．") and rest[:1].isdigit():
            return None
        return Label(form, rank, m.group(0), m.end())
    return None


def match_box(text: str) -> Label | None:
    """A 专栏 (box) heading such as ``专栏 3-1  完善城市综合服务功能主要抓手``."""
    m = BOX_RE.match(text)
    if m is None or len(text) > 60 or text.rstrip().endswith("。"):
        return None
    return Label(BOX_FORM, -1.0, m.group(0), m.end())
