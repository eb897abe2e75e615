"""Numbers with their units and the indicator they measure, and how they changed.

>>> [(q.indicator, q.value, q.unit) for q in quantities("常住人口城镇化率达到65%左右，新增就业8万人")]
[('常住人口城镇化率', 65.0, '%'), ('新增就业', 80000.0, '人')]
>>> [(c.indicator, c.parent_value, c.child_value, c.direction) for c in
...  number_changes("常住人口城镇化率达到65%左右", "全省城镇化水平跨上新台阶,常住人口城镇化率达75%")]
[('常住人口城镇化率', 75.0, 65.0, 'lowered')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from .records import pickled_by_fields
from .textnorm import HAN_CLASS, matching_key

_MULT = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
_UNITS = (
    "个百分点", "平方公里", "平方米", "公里", "千米", "万人", "亿元", "万元", "万亩", "万吨", "万户", "万个",
    "美元", "元", "人", "个", "家", "所", "项", "条", "座", "亩", "吨", "年", "倍", "张", "辆", "处", "场", "万",
    "亿", "%", "‰",
)
_NUM = re.compile(
    r"(?<![\d.:])(\d+(?:,\d{3})*(?:\.\d+)?)\s*(:\s*1(?![\d.])|" + "|".join(re.escape(u) for u in _UNITS) + r")?"
)
_VERBS = re.compile(
    r"(?:达到|达|为|超过|超|突破|提高到|提升到|提高至|提升至|增加到|增长到|缩小到|缩小至|降至|降低到|下降到|控制在|保持在|稳定在|"
    r"以上|左右|累计|年均|至|到|增长|提高|下降|降低|约|的|占|在)+$"
)
_CONTEXT = re.compile(f"[{HAN_CLASS}A-Za-z]+$")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Quantity:
    value: float  # in base units (万人 → 人 × 10 000)
    shown: str  # as written, e.g. "65%"
    unit: str  # base unit: "%", "人", "元", "年" …
    indicator: str  # the words before the number, verbs trimmed
    start: int  # position in the text
    end: int


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class NumberChange:
    indicator: str
    parent_value: float
    child_value: float
    unit: str
    parent_text: str
    child_text: str
    direction: str  # "raised", "lowered"

    def describe(self) -> str:
        return f"{self.indicator or '(数值)'}: {self.parent_text} → {self.child_text} ({self.direction})"


def _base(unit: str) -> tuple[str, float]:
    if not unit:
        return "", 1.0
    if unit in ("个百分点", ":1"):
        return unit, 1.0
    if unit[0] in _MULT and len(unit) > 1:
        return unit[1:], _MULT[unit[0]]
    if unit in _MULT:
        return "", _MULT[unit]
    return unit, 1.0


def quantities(text: str) -> list[Quantity]:
    """Numbers of a text with unit and indicator; years are unit ``年``."""
    key = matching_key(text)
    out = []
    for m in _NUM.finditer(key):
        raw, unit = m.group(1), re.sub(r"\s", "", m.group(2) or "")
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            continue
        base, mult = _base(unit)
        before = key[max(0, m.start() - 16) : m.start()]
        ctx = _CONTEXT.search(before)
        indicator = _VERBS.sub("", ctx.group(0)) if ctx else ""
        if base == "年" and not indicator:
            indicator = "年份"
        out.append(Quantity(value * mult, text[m.start() : m.end()], base, indicator[-12:], m.start(), m.end()))
    return out


def _same_indicator(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return a.endswith(b) or b.endswith(a) or fuzz.ratio(a, b) >= 70


def number_changes(child: str, parent: str) -> list[NumberChange]:
    """Numbers that measure the same indicator (same unit, similar words
    before them) in both texts but differ in value."""
    changes = []
    parent_q = quantities(parent)
    used: set[int] = set()
    for cq in quantities(child):
        for k, pq in enumerate(parent_q):
            if k in used or pq.unit != cq.unit or not _same_indicator(cq.indicator, pq.indicator):
                continue
            used.add(k)
            if abs(pq.value - cq.value) > 1e-9 * max(1.0, abs(pq.value)):
                changes.append(NumberChange(
                    cq.indicator if len(cq.indicator) >= len(pq.indicator) else pq.indicator,
                    pq.value, cq.value, cq.unit, pq.shown, cq.shown,
                    "raised" if cq.value > pq.value else "lowered",
                ))
            break
    return changes
