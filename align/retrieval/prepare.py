"""The matching form of a unit: what the aligner compares.

From the unit's key (width-folded text) the matching form

* drops a leading numbering label (``一、`` ``（三）`` ``1.`` ``一是`` ``——``),
* folds self-references and region names to one placeholder ``◇`` — 我省,
  全市, 浙江, 台州市… — because a child saying 我市 where its parent said 我省
  is the same wording (省级/市级 likewise),
* drops punctuation and spaces, keeping one boundary mark ``|`` where a
  quotation mark or a clause mark (，；：。…) stood between kept characters,

and keeps, for every character of the form, its position in the key, so what
is found on the form can be shown on the original text.

>>> f = matching_form("（三）深化“人地钱挂钩”政策，全省推进。", regions=("浙江省",))
>>> f.text
'深化|人地钱挂钩|政策|◇推进'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from align.reading.labels import match_label
from align.textnorm import HAN_CLASS

PLACEHOLDER = "◇"
_SELF_REFS = (
    "我省", "本省", "全省", "我市", "本市", "全市", "我区", "本区", "全区", "我县", "本县", "全县",
    "省级", "市级", "区级", "县级", "省域", "市域",
)
_LEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|——|—|－|-|·)")
_KEPT = rf"{HAN_CLASS}0-9A-Za-z%◇"  # the characters a matching form keeps
_DROP = re.compile(rf"[^{_KEPT}]+")
#: kept in place of a quotation mark or a clause mark, so that no shared phrase
#: (tile) and no programme term spans one: 创新“飞地… is not 创新飞地…, and a
#: quoted name matches only whole.  It weighs nothing (:mod:`align.retrieval.weights`).
BOUNDARY = "|"
_BOUNDARY = re.compile("[\u201c\u201d\u2018\u2019\"'「」『』《》〈〉,;:!?。，；：！？]")


def region_variants(regions: Iterable[str]) -> tuple[str, ...]:
    """浙江省 → (浙江省, 浙江); 台州市路桥区 → (台州市路桥区, 路桥区, 路桥, …)."""
    out: set[str] = set()
    for r in regions:
        r = r.strip()
        if not r:
            continue
        out.add(r)
        for part in re.findall(r"[^省市区县]+[省市区县]", r):
            out.add(part)
            if len(part) >= 3:
                out.add(part[:-1])
    return tuple(sorted(out, key=len, reverse=True))


def _pattern(regions: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted(set(_SELF_REFS) | set(regions), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


@dataclass(frozen=True, slots=True)
class MatchForm:
    text: str  # the matching form
    pos: tuple[int, ...]  # position in the key of each character of ``text``


_REGION_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}  # regions as given → pattern


#: units whose text-only results (matching form, quoted names) a process keeps: a plan's units are
#: read again by every pair the plan is in (a few plans' worth; a long batch keeps the latest)
UNIT_CACHE = 50_000


def matching_form(key: str, regions: Iterable[str] = ()) -> MatchForm:
    """The matching form of a unit key (see the module docstring)."""
    return _matching_form(key, tuple(regions))


@lru_cache(maxsize=UNIT_CACHE)
def _matching_form(key: str, given: tuple[str, ...]) -> MatchForm:
    pattern = _REGION_PATTERNS.get(given)
    if pattern is None:
        regs = region_variants(given)
        pattern = _PATTERNS.get(regs)
        if pattern is None:
            pattern = _PATTERNS[regs] = _pattern(regs)
        _REGION_PATTERNS[given] = pattern
    start = 0
    lab = match_label(key)
    if lab is not None:
        start = lab.end
    m = _LEAD.match(key, start)
    if m:
        start = m.end()
    chars: list[str] = []
    pos: list[int] = []
    i = start
    for m in pattern.finditer(key, start):
        _keep(key, i, m.start(), chars, pos)
        chars.append(PLACEHOLDER)
        pos.append(m.start())
        i = m.end()
    _keep(key, i, len(key), chars, pos)
    return MatchForm("".join(chars), tuple(pos))


def _keep(key: str, i: int, j: int, chars: list[str], pos: list[int]) -> None:
    """The kept characters of ``key[i:j]`` onto ``chars``, their positions onto
    ``pos`` (by the runs of dropped characters between them: few per unit);
    a dropped run holding a quotation mark or a clause mark becomes one
    :data:`BOUNDARY` between kept characters."""
    for m in _DROP.finditer(key, i, j):
        if m.start() > i:
            chars.append(key[i : m.start()])
            pos.extend(range(i, m.start()))
        if chars and m.end() < len(key) and (b := _BOUNDARY.search(key, m.start(), m.end())):
            chars.append(BOUNDARY)
            pos.append(b.start())
        i = m.end()
    if j > i:
        chars.append(key[i:j])
        pos.extend(range(i, j))
