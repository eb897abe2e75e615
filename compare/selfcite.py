"""Self-citations: the sentences in which a plan names itself or the documents
it was drawn up from.

A plan opens (and often closes) with sentences such as 「根据《…建议》，编制本规划」,
「现将《…规划》印发给你们」 or 「《…纲要》已经…审议通过」.  They are preamble, not
policy: a child's preamble citing its basis resembles the parent's own preamble
once place names are folded, and would otherwise count as echo.  A unit is
preamble when

* it contains the plan's own title (from the manifest; quotation marks, book
  title marks and a trailing parenthesis such as （草案） ignored), or
* it cites a document in 《…》 after a verb of basis (根据, 依据, 按照, 贯彻落实…)
  and says that something is drawn up (编制, 制定, 制订) from it, or
* it says that this very plan is drawn up (编制本规划, 制定本行动计划…).

Preamble units stay in every table, flagged; echo, coverage, section maps,
dropped and local units leave them out (like headings).

>>> from align.reading.document import document_from_text
>>> d = document_from_text("根据《某省发展规划》，编制本规划。\\n\\n一、目标\\n\\n推进城市有机更新。", "d")
>>> [u.text for u in d.alignable() if u.unit_id in preamble_ids(d.alignable(), "某市发展规划")]
['根据《某省发展规划》，编制本规划。']
"""
from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Iterable
from typing import TYPE_CHECKING

from align.retrieval.prepare import UNIT_CACHE
from align.textnorm import matching_key

if TYPE_CHECKING:
    import pandas as pd

_MARKS = re.compile(r"[\s“”\"'‘’「」『』《》〈〉<>·]")
_TRAILING_NOTE = re.compile(r"[（(][^（()）]*[)）]$")
_BASIS = re.compile(r"(?:根据|依据|按照|依照|遵照|贯彻落实|落实)[^。；]{0,80}《[^》]{2,80}》[^。；]{0,120}?(?:编制|制定|制订)")
_THIS_PLAN = re.compile(r"(?:编制|制定|制订|印发|出台)(?:了|好)?本(?:规划|纲要|计划|行动计划|方案|实施方案|意见|报告)")
_MIN_TITLE = 6


def _norm(text: str) -> str:
    return _MARKS.sub("", matching_key(text))


def title_forms(title: str) -> list[str]:
    """The forms of a plan's title to look for: as written, without a trailing
    note in brackets, and without a leading year."""
    forms = []
    t = _norm(title)
    while t:
        forms.append(t)
        shorter = _TRAILING_NOTE.sub("", t)
        if shorter == t:
            break
        t = shorter
    forms += [re.sub(r"^\d{4}年(?:度)?", "", f) for f in forms]
    return [f for f in dict.fromkeys(forms) if len(f) >= _MIN_TITLE]


def is_self_citation(text: str, titles: Iterable[str] = ()) -> bool:
    """Whether a unit's text names its own plan or the documents the plan is drawn up from.

    >>> is_self_citation("为贯彻落实《国家规划纲要》，加快推动产业发展，编制本规划。")
    True
    >>> is_self_citation("编制出台《城市更新五年行动计划》，建立健全省级统筹机制。")
    False
    """
    key = matching_key(text)
    if _BASIS.search(key) or _THIS_PLAN.search(key):
        return True
    flat = _norm(text)
    return any(t in flat for t in titles)


def preamble_ids(units: Iterable, title: str = "") -> frozenset[str]:
    """Ids of the units that are self-citations (see the module doc)."""
    forms = tuple(title_forms(title)) if title else ()
    return frozenset(u.unit_id for u in units if _self_cited(u.text, forms))


@lru_cache(maxsize=UNIT_CACHE)
def _self_cited(text: str, titles: tuple[str, ...]) -> bool:
    """:func:`is_self_citation`, kept per text for the process (a plan's units recur in its pairs)."""
    return is_self_citation(text, titles)


_MEMO: dict[int, tuple] = {}


def preamble(a) -> tuple[frozenset[str], frozenset[str]]:
    """(child unit ids, parent unit ids) that are preamble in an alignment
    (computed once per alignment object)."""
    import weakref

    hit = _MEMO.get(id(a))
    if hit is not None and hit[0]() is a:
        return hit[1]
    found = preamble_ids(a.child_units, a.child_title), preamble_ids(a.parent_units, a.parent_title)
    key = id(a)
    _MEMO[key] = (weakref.ref(a, lambda _ref, key=key: _MEMO.pop(key, None)), found)
    return found


def alignment_table(a, settings=None) -> "pd.DataFrame":
    """The alignment table of ``a`` (:func:`align.decisions.match.alignment_frame`) with a
    ``self_citation`` column: ``child``, ``parent`` or ``both`` when the row's
    unit names its own plan or basis documents (shown, never counted), else empty."""
    from align.decisions.match import alignment_frame

    table = alignment_frame(a.links, settings if settings is not None else a.settings, parent_doc=a.parent_doc)
    cpre, ppre = preamble(a)
    flags = []
    for cid, pid in zip(table["child_id"], table["parent_id"]):
        c, p = cid in cpre, bool(pid) and pid in ppre
        flags.append("both" if c and p else "child" if c else "parent" if p else "")
    table.insert(table.columns.get_loc("relation") + 1, "self_citation", flags)
    return table
