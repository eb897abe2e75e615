"""Echo and coverage: how much of a plan echoes its parent, and how much of
the parent it carries down.

* ``echo(child | parent) = Σ len(u)·w(rel(u)) / Σ len(u)`` over the child's
  body units u (headings excluded), where rel(u) is the strongest relation of
  u's links and w(verbatim) = 1.0, w(adapted) = 0.7, w(partial) = 0.3,
  w(local) = 0.  Lengths are characters of the cleaned text.
* ``coverage(child | parent) = carried / all`` over the parent's body units;
  a parent unit is carried when at least one child unit links to it.

Both come per document and per chapter (echo by the child's chapters,
coverage by the parent's).  Scoring a pair is a pure function of (child,
parent, settings): :func:`score` maps over any number of documents.

>>> from align.document import document_from_text
>>> p = document_from_text("一、目标\\n\\n全面实施千年古城复兴计划，开展试点创建。\\n\\n推进城市有机更新。", "p")
>>> c = document_from_text("一、目标\\n\\n全面实施千年古城复兴计划，开展试点创建。\\n\\n发展夜间经济。", "c")
>>> score([c], parent=p)[["child_doc", "parent_doc", "echo", "coverage", "verbatim", "local", "dropped"]].values.tolist()
[['c', 'p', 0.7407, 0.5, 1, 1, 1]]
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from align.match import chapter_of
from align.result import Alignment

if TYPE_CHECKING:
    import pandas as pd

WEIGHTS = {"verbatim": 1.0, "adapted": 0.7, "partial": 0.3, "local": 0.0}
RELATIONS = ("verbatim", "adapted", "partial", "local")
SCORE_COLUMNS = ["child_doc", "parent_doc", "echo", "coverage", *RELATIONS, "dropped"]


def relation_of_units(a: Alignment) -> dict[str, str]:
    """The strongest relation of each child unit."""
    return {uid: l.relation for uid, l in a.best_links().items()}


def pair_scores(a: Alignment) -> dict[str, object]:
    """Echo, coverage and the counts per relation for one alignment."""
    rel = relation_of_units(a)
    body = [u for u in a.child_units if u.kind == "body"]
    total = sum(len(u.text) for u in body)
    echoed = sum(len(u.text) * WEIGHTS[rel.get(u.unit_id, "local")] for u in body)
    parents = [(p, s) for p, s, _ in a.parent_status() if p.kind == "body"]
    carried = sum(1 for _, s in parents if s == "carried")
    counts = {r: 0 for r in RELATIONS}
    for u in body:
        counts[rel.get(u.unit_id, "local")] += 1
    return {
        "child_doc": a.child_doc,
        "parent_doc": a.parent_doc,
        "echo": round(echoed / total, 4) if total else 0.0,
        "coverage": round(carried / len(parents), 4) if parents else 0.0,
        **counts,
        "dropped": len(parents) - carried,
    }


def chapter_scores(a: Alignment) -> list[dict[str, object]]:
    """Echo per child chapter and coverage per parent chapter."""
    rel = relation_of_units(a)
    rows = []
    total: dict[str, int] = defaultdict(int)
    echoed: dict[str, float] = defaultdict(float)
    order: list[str] = []
    for u in a.child_units:
        if u.kind != "body":
            continue
        ch = chapter_of(u)
        if ch not in total:
            order.append(ch)
        total[ch] += len(u.text)
        echoed[ch] += len(u.text) * WEIGHTS[rel.get(u.unit_id, "local")]
    for ch in order:
        rows.append({"child_doc": a.child_doc, "parent_doc": a.parent_doc, "side": "child", "chapter": ch or "(前言)",
                     "measure": "echo", "value": round(echoed[ch] / total[ch], 4) if total[ch] else 0.0,
                     "units": sum(1 for u in a.child_units if u.kind == "body" and chapter_of(u) == ch)})
    count: dict[str, int] = defaultdict(int)
    carried: dict[str, int] = defaultdict(int)
    porder: list[str] = []
    for p, status, _ in a.parent_status():
        if p.kind != "body":
            continue
        ch = chapter_of(p)
        if ch not in count:
            porder.append(ch)
        count[ch] += 1
        carried[ch] += status == "carried"
    for ch in porder:
        rows.append({"child_doc": a.child_doc, "parent_doc": a.parent_doc, "side": "parent", "chapter": ch or "(前言)",
                     "measure": "coverage", "value": round(carried[ch] / count[ch], 4), "units": count[ch]})
    return rows


def score(children: Iterable, *, parent=None, settings=None, model=None) -> "pd.DataFrame":
    """One row per (child, parent): ``child_doc, parent_doc, echo, coverage``
    and the counts per relation.  Children and parent are Documents (or an
    iterable of already computed :class:`Alignment`, with ``parent=None``)."""
    import pandas as pd

    from align.match import Settings
    from align.result import build_alignment

    rows = []
    for item in children:
        if isinstance(item, Alignment):
            rows.append(pair_scores(item))
            continue
        if parent is None:
            raise ValueError("score(): give parent= when scoring documents")
        rows.append(pair_scores(build_alignment(parent, item, settings or Settings(), model)))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
