"""Numbers with their units and the indicator they measure, and how they changed.

A number is read with what makes two numbers comparable:

* **indicator** — the full label before it in its clause (never cut inside a
  word: a long label keeps its last jieba words), with time phrases, leading
  markers (确保, 力争, 全省…) and trailing verbs (达到, 提高到…) removed.  In
  “A和B分别达到X和Y” X belongs to A and Y to B; in “A从X提高到Y” both are A.
  Years (“2025年”) are never quantities: they date the numbers after them.
* **kind** — ``target`` (到2025年…, 力争, 确保, 目标, 控制在…以内…), ``actual`` (an
  achieved value: 已, 完成, 成效, 比上年…, or the start value of “从X提高到Y”) or
  ``""`` when the sentence does not say; **year** the year it refers to.
* **mode** — ``level`` (达到65%) or ``change`` (提高20%, 年均增长6%).
* **scope** — ``share`` (%, ‰, 个百分点, ratios, rates and shares), ``per_capita``
  (人均…), ``intensity`` (每…, 单位…, 密度, 强度) or ``total`` (an absolute
  amount, which only compares between plans of the same region).

Two numbers are a changed target only when they have the same indicator,
unit, mode and kind, and the same year where both give one.

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

from align.records import pickled_by_fields
from align.textnorm import HAN_CLASS, matching_key

_MULT = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
_UNITS = (
    "个百分点", "平方公里", "平方米", "公里", "千米", "万人", "亿元", "万元", "万亩", "万吨", "万户", "万个",
    "美元", "元", "人", "个", "家", "所", "项", "条", "座", "亩", "吨", "年", "倍", "张", "辆", "处", "场", "万",
    "亿", "%", "‰",
)
_NUM = re.compile(
    r"(?<![\d.:])(\d+(?:,\d{3})*(?:\.\d+)?)\s*(:\s*1(?![\d.])|" + "|".join(re.escape(u) for u in _UNITS) + r")?"
)
_CHANGE_VERB = "提高|提升|增长|增加|下降|降低|减少|缩短|缩小|压减|压缩|削减|扩大|翻"
_VERBS = re.compile(
    r"(?:达到|达|为|超过|超|突破|提高到|提升到|提高至|提升至|增加到|增长到|缩小到|缩小至|降至|降低到|下降到|降到|控制在|"
    r"保持在|稳定在|稳定|保持|以上|左右|累计|年均|平均|分别|预计|力争|争取|确保|将|要|再|共|总计|合计|约|的|占|在|"
    + _CHANGE_VERB + r")+$"
)
_CHANGE_END = re.compile(f"(?:{_CHANGE_VERB})(?:了)?(?:约)?$")
_LEADING = re.compile(
    r"^(?:其中|确保|力争|争取|预计|实现|推动|推进|全面|累计|同时|并且|并|且|使|让|我国|全国|全省|全市|全区|全县|我省|我市|我区|我县|"
    r"本省|本市|本区|本县|全|和|及|与|、|的)+"
)
# a year (or year range) and the time words around it: dates numbers, never a quantity
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?:\s*[—－\-~～至到]\s*(?:19|20)?\d{2,4})?\s*年(?:底|末|前|初|内|度)?")
_TIME = re.compile(
    r"(?:(?:到|至|力争到|力争至|争取到|预计到|截至|截止)?(?<![\d.])(?:19|20)\d{2}(?:\s*[—－\-~～至到]\s*(?:19|20)?\d{2,4})?"
    r"\s*年(?:底|末|前|初|内|度)?|十[一二三四五六七八九]五(?:期间|时期|末|初)?|“十[一二三四五六七八九]五”(?:期间|时期|末|初)?"
    r"|今年|去年|上年|明年|近年来|近[一二三四五六七八九十\d]+年|过去[一二三四五六七八九十\d]*年|五年来|以来)"
)
_CLAUSE_END = re.compile(r"[，,；;。：:！？!?、（）()“”\"《》\n]")
_CONNECTOR = re.compile(r"^\s*(?:和|、|及|与|,|，)\s*$")
_TO_VERB = re.compile(r"^\s*(?:提高到|提升到|提高至|提升至|增加到|增长到|扩大到|缩小到|缩小至|降至|降低到|下降到|降到|减少到|到|至|—|-|～|~)\s*$")
_TARGET_BEFORE_YEAR = re.compile(r"(?:到|至|力争到|力争至|争取到|预计到|力争|争取)\s*$")
_TARGET_WORDS = re.compile(r"力争|争取|确保|目标|预期|将达到|要达到|规划期|展望|远景|控制在|以内|不低于|不高于|不超过|不少于")
_ACTUAL_WORDS = re.compile(
    r"已经|已|完成了|实现了|成效|成绩|比上年|较上年|同比|比去年|增长了|提高了|下降了|提前|五年来|过去|以来|上年|去年|"
    r"累计完成|取得|荣获|获评|入选"
)
_CONTEXT = re.compile(f"[{HAN_CLASS}A-Za-z]+$")
_MAX_LABEL = 14


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Quantity:
    value: float  # in base units (万人 → 人 × 10 000)
    shown: str  # as written, e.g. "65%"
    unit: str  # base unit: "%", "人", "元", "年" (a duration) …
    indicator: str  # the full label before the number, verbs and time words trimmed; "" when unknown
    start: int  # position in the text
    end: int
    kind: str = ""  # "target", "actual" or "" (not stated)
    year: int | None = None  # the year it refers to, when stated
    mode: str = "level"  # "level" or "change"
    scope: str = "total"  # "share", "per_capita", "intensity" or "total"


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
    kind: str = ""  # "target", "actual" or "" — the same on both sides
    year: str = ""  # "2025", "2025/2035" when the two sides give different years… never: years must agree
    scope: str = "total"  # see Quantity.scope

    def describe(self) -> str:
        what = self.indicator or "(数值)"
        tag = ", ".join(x for x in (self.kind, self.year, "total" if self.scope == "total" else "") if x)
        return f"{what}{f' ({tag})' if tag else ''}: {self.parent_text} → {self.child_text} ({self.direction})"


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


_words_cache: dict[str, list[str]] = {}


def _words(label: str) -> list[str]:
    """jieba words of a label (the project tokenizer with the policy lexicon)."""
    found = _words_cache.get(label)
    if found is None:
        from align.retrieval.lexicon import load_lexicon
        from align.retrieval.model import shared_tokenizer

        found = shared_tokenizer(load_lexicon()).cut(label)
        if "".join(found) != label:  # the tokenizer drops punctuation: labels have none, but be safe
            found = list(label)
        if len(_words_cache) > 50_000:
            _words_cache.clear()
        _words_cache[label] = found
    return found


def _clip(label: str) -> str:
    """A label of at most ``_MAX_LABEL`` characters ending where it ended, cut at a word boundary."""
    if len(label) <= _MAX_LABEL:
        return label
    kept: list[str] = []
    n = 0
    for w in reversed(_words(label)):
        if n + len(w) > _MAX_LABEL and kept:
            break
        kept.append(w)
        n += len(w)
    return "".join(reversed(kept))


def _label(raw: str) -> tuple[str, str]:
    """(indicator, mode) from the text between a clause start and a number."""
    text = _TIME.sub("", raw)
    mode = "change" if _CHANGE_END.search(_VERBS_NO_CHANGE.sub("", text)) or re.search(r"年均(?:增长|提高|下降)?$", text) else "level"
    text = _VERBS.sub("", text)
    text = _LEADING.sub("", text)
    ctx = _CONTEXT.search(text)
    text = ctx.group(0) if ctx else ""
    text = _LEADING.sub("", text)
    return (_clip(text) if len(text) >= 2 else ""), mode


# trailing words that may follow a change verb without making it a level ("提高20%以上")
_VERBS_NO_CHANGE = re.compile(r"(?:以上|左右|约|了|分别|平均)+$")


def _scope(indicator: str, unit: str) -> str:
    if unit in ("%", "‰", "个百分点", ":1", "倍") or re.search(r"率|比重|占比|比例|比$|指数|系数|覆盖面", indicator):
        return "share"
    if "人均" in indicator:
        return "per_capita"
    if re.search(r"每|单位|密度|强度|万人|千人|百人|户均", indicator):
        return "intensity"
    return "total"


def _sentence_bounds(key: str, pos: int) -> tuple[int, int]:
    a = max(key.rfind(ch, 0, pos) for ch in "。！？；;!?\n") + 1
    ends = [k for k in (key.find(ch, pos) for ch in "。！？；;!?\n") if k >= 0]
    return a, (min(ends) if ends else len(key))


def _kind_and_year(key: str, start: int) -> tuple[str, int | None]:
    """What the sentence says about the number at ``start``: target or actual, and its year."""
    s0, s1 = _sentence_bounds(key, start)
    before = key[s0:start]
    year, kind = None, ""
    for m in _YEAR.finditer(before):
        year = int(m.group(1))
        end_year = re.search(r"[—－\-~～至到]\s*((?:19|20)?\d{2,4})\s*年", m.group(0))
        if end_year:
            y = end_year.group(1)
            year = int(y) if len(y) == 4 else int(m.group(1)[:2] + y[-2:])
        kind = "target" if _TARGET_BEFORE_YEAR.search(before[: m.start()]) or m.group(0).endswith("前") else ""
    sentence = key[s0:s1]
    if not kind:
        if _ACTUAL_WORDS.search(sentence):
            kind = "actual"
        elif _TARGET_WORDS.search(sentence):
            kind = "target"
    return kind, year


def _is_year(key: str, m: re.Match) -> bool:
    raw, unit = m.group(1), (m.group(2) or "")
    if not re.fullmatch(r"(?:19|20)\d{2}", raw):
        return False
    after = key[m.end() : m.end() + 3]
    return unit == "年" or (not unit and re.match(r"\s*(?:[—－\-~～至到]\s*(?:19|20)?\d{2,4}\s*)?年", key[m.end():m.end() + 10]) is not None) \
        or (not unit and after[:1] in "—－-~～")


def quantities(text: str) -> list[Quantity]:
    """Numbers of a text with unit, indicator, kind, year, mode and scope (see module doc).

    >>> [(q.indicator, q.kind, q.year) for q in quantities("到2025年，全市常住人口城镇化率达到70%")]
    [('常住人口城镇化率', 'target', 2025)]
    """
    key = matching_key(text)
    out: list[Quantity] = []
    prev_end, prev_label, prev_mode, group, group_at = -1, "", "level", [], 0
    for m in _NUM.finditer(key):
        if _is_year(key, m):
            continue
        raw, unit = m.group(1), re.sub(r"\s", "", m.group(2) or "")
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            continue
        base, mult = _base(unit)
        clause_start = max(k.end() for k in _CLAUSE_END.finditer(key, 0, m.start())) if _CLAUSE_END.search(key, 0, m.start()) else 0
        between = key[prev_end : m.start()] if prev_end >= 0 else None
        kind, year = _kind_and_year(key, m.start())
        if between is not None and group and _CONNECTOR.match(between) and group_at < len(group):
            indicator, mode = group[group_at], prev_mode  # A和B分别达到X和Y: Y belongs to B
            group_at += 1
        elif between is not None and _CONNECTOR.match(between):
            indicator, mode = "", prev_mode  # “增长X和Y” without 分别's list of names: whose is not said
        elif between is not None and _TO_VERB.match(between) and prev_label and out and out[-1].end == prev_end:
            indicator, mode = prev_label, "level"  # A从X提高到Y: X is the start value (achieved), Y the new level
            first = out[-1]
            out[-1] = Quantity(first.value, first.shown, first.unit, first.indicator, first.start, first.end,
                               "actual", first.year, "level", first.scope)
            group = []
        else:
            raw_label = key[max(clause_start, prev_end if prev_end >= 0 else 0) : m.start()]
            if prev_end > clause_start:  # another number earlier in the clause: the label is the clause's start
                raw_label = key[clause_start : m.start()]
                raw_label = _NUM.sub("", raw_label)
            raw_label = re.sub(r"从$", "", raw_label)
            group = []
            shared = re.search(r"分别(?:" + _CHANGE_VERB + r"|达到|达|为|是|突破|超过|提高到|提升到|控制在)?[^和及与、]{0,3}$",
                               _TIME.sub("", raw_label))
            indicator, mode = _label(raw_label)
            if shared:
                parts = [p for p in re.split(r"和|及|与|、", _LEADING.sub("", _VERBS.sub("", _TIME.sub("", raw_label)))) if p]
                if len(parts) >= 2:
                    group = [_clip(_LEADING.sub("", p)) if len(p) >= 2 else "" for p in parts]
                    indicator, group_at = group[0], 1
                else:
                    indicator = ""  # “年均分别增长X和Y”: whose growth is not said here
        out.append(Quantity(value * mult, text[m.start() : m.end()], base, indicator, m.start(), m.end(), kind, year,
                            mode, _scope(indicator, base)))
        prev_end, prev_label, prev_mode = m.end(), indicator, mode
    return out


def _same_indicator(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= 4 and long.endswith(short):
        return True
    # the head of a Chinese noun phrase is at its end: 城镇化率, 可支配收入
    return a[-2:] == b[-2:] and fuzz.ratio(a, b) >= 75


def comparable(c: Quantity, p: Quantity) -> bool:
    """Whether two numbers measure the same thing the same way (see module doc)."""
    if c.unit != p.unit or c.mode != p.mode or c.kind != p.kind:
        return False
    if c.year is not None and p.year is not None and c.year != p.year:
        return False
    if (c.year is None) != (p.year is None) and c.kind != "target":
        return False
    return _same_indicator(c.indicator, p.indicator)


def number_changes(child: str, parent: str) -> list[NumberChange]:
    """Numbers that measure the same indicator the same way (:func:`comparable`)
    in both texts but differ in value."""
    changes = []
    parent_q = quantities(parent)
    used: set[int] = set()
    for cq in quantities(child):
        for k, pq in enumerate(parent_q):
            if k in used or not comparable(cq, pq):
                continue
            used.add(k)
            if abs(pq.value - cq.value) > 1e-9 * max(1.0, abs(pq.value)):
                years = sorted({y for y in (pq.year, cq.year) if y is not None})
                changes.append(NumberChange(
                    cq.indicator if len(cq.indicator) >= len(pq.indicator) else pq.indicator,
                    pq.value, cq.value, cq.unit, pq.shown, cq.shown,
                    "raised" if cq.value > pq.value else "lowered", cq.kind, "/".join(map(str, years)),
                    "total" if "total" in (cq.scope, pq.scope) else cq.scope,
                ))
            break
    return changes
