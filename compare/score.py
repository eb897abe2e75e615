"""Echo and coverage: how much of a plan echoes its parent, and how much of
the parent it carries down.

* ``echo(child | parent) = Σ len(u)·w(rel(u)) / Σ len(u)`` over the child's
  body units u (headings and self-citations excluded), where rel(u) is the
  strongest relation of u's links and w(verbatim) = 1.0, w(adapted) = 0.7,
  w(partial) = 0.3, w(local) = 0.  Lengths are characters of the cleaned text.
* ``coverage(child | parent) = carried / all`` over the parent's body units
  (self-citations excluded); a parent unit is carried when at least one
  counted child unit links to it.

Self-citations (:mod:`compare.selfcite`: a plan naming itself or the
documents it is drawn up from) are preamble on both sides: a link from or to
one is shown in the tables but never counted.  :func:`counted` is the one
place that says which units and links count; the section map, the divergence
tables and ``planecho align``'s summary read it too.

Both come per document and per chapter (echo by the child's chapters,
coverage by the parent's).  Scoring a pair is a pure function of (child,
parent, settings): :func:`score` maps over any number of documents.

>>> from align.reading.document import document_from_text
>>> p = document_from_text("一、目标\\n\\n全面实施千年古城复兴计划，开展试点创建。\\n\\n推进城市有机更新。", "p")
>>> c = document_from_text("一、目标\\n\\n全面实施千年古城复兴计划，开展试点创建。\\n\\n发展夜间经济。", "c")
>>> score([c], parent=p)[["child_doc", "parent_doc", "echo", "coverage", "verbatim", "local", "dropped"]].values.tolist()
[['c', 'p', 0.7407, 0.5, 1, 1, 1]]
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from align.decisions.match import Link, parent_status
from align.records import Unit
from align.decisions.result import Alignment

from .selfcite import preamble

if TYPE_CHECKING:
    import pandas as pd

WEIGHTS = {"verbatim": 1.0, "adapted": 0.7, "partial": 0.3, "local": 0.0}
RELATIONS = ("verbatim", "adapted", "partial", "local")
SCORE_COLUMNS = ["child_doc", "parent_doc", "echo", "coverage", *RELATIONS, "dropped"]


def chapter_label(u: Unit) -> str:
    """The chapter of a unit as the section paths name it: a top-level heading
    unit gives its title the way its section is labelled (without a closing 。),
    so a chapter is one label whether read from its heading or its body."""
    from align.reading.structure import heading_title

    if u.section:
        return u.section[0]
    return heading_title(u.text) if u.kind == "heading" else ""


_ORDER = {"verbatim": 0, "adapted": 1, "partial": 2, "local": 3}


@dataclass(frozen=True)
class Counted:
    """What the scores count in one alignment."""

    child: list[Unit]  # the child's body units, self-citations excluded
    parent: list[tuple[Unit, str, list[Link]]]  # the parent's body units with carried / dropped, likewise
    best: dict[str, Link]  # the strongest counted link of each counted child unit (none: local)
    child_preamble: frozenset[str]
    parent_preamble: frozenset[str]

    def relation(self, unit_id: str) -> str:
        l = self.best.get(unit_id)
        return l.relation if l is not None else "local"


def counted(a: Alignment) -> Counted:
    """The units and links that count for echo and coverage (see the module doc)."""
    cpre, ppre = preamble(a)
    links = [l for l in a.links if l.child.unit_id not in cpre
             and (l.parent is None or l.parent.unit_id not in ppre)]
    best: dict[str, Link] = {}
    for l in links:
        cur = best.get(l.child.unit_id)
        if cur is None or (_ORDER[l.relation], -l.score) < (_ORDER[cur.relation], -cur.score):
            best[l.child.unit_id] = l
    child = [u for u in a.child_units if u.kind == "body" and u.unit_id not in cpre]
    parent = [(p, s, ls) for p, s, ls in parent_status(a.parent_units, links)
              if p.kind == "body" and p.unit_id not in ppre]
    return Counted(child, parent, best, cpre, ppre)


def relation_of_units(a: Alignment) -> dict[str, str]:
    """The strongest counted relation of each counted child unit."""
    return {uid: l.relation for uid, l in counted(a).best.items()}


def pair_scores(a: Alignment, c: Counted | None = None) -> dict[str, object]:
    """Echo, coverage and the counts per relation for one alignment."""
    c = c or counted(a)
    body = c.child
    total = sum(len(u.text) for u in body)
    echoed = sum(len(u.text) * WEIGHTS[c.relation(u.unit_id)] for u in body)
    parents = [(p, s) for p, s, _ in c.parent]
    carried = sum(1 for _, s in parents if s == "carried")
    counts = {r: 0 for r in RELATIONS}
    for u in body:
        counts[c.relation(u.unit_id)] += 1
    return {
        "child_doc": a.child_doc,
        "parent_doc": a.parent_doc,
        "echo": round(echoed / total, 4) if total else 0.0,
        "coverage": round(carried / len(parents), 4) if parents else 0.0,
        **counts,
        "dropped": len(parents) - carried,
    }


def chapter_scores(a: Alignment, c: Counted | None = None) -> list[dict[str, object]]:
    """Echo per child chapter and coverage per parent chapter."""
    c = c or counted(a)
    rows = []
    total: dict[str, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    echoed: dict[str, float] = defaultdict(float)
    order: list[str] = []
    for u in c.child:
        ch = chapter_label(u)
        if ch not in total:
            order.append(ch)
        total[ch] += len(u.text)
        units[ch] += 1
        echoed[ch] += len(u.text) * WEIGHTS[c.relation(u.unit_id)]
    for ch in order:
        rows.append({"child_doc": a.child_doc, "parent_doc": a.parent_doc, "side": "child", "chapter": ch or "(前言)",
                     "measure": "echo", "value": round(echoed[ch] / total[ch], 4) if total[ch] else 0.0,
                     "units": units[ch]})
    count: dict[str, int] = defaultdict(int)
    carried: dict[str, int] = defaultdict(int)
    porder: list[str] = []
    for p, status, _ in c.parent:
        ch = chapter_label(p)
        if ch not in count:
            porder.append(ch)
        count[ch] += 1
        carried[ch] += status == "carried"
    for ch in porder:
        rows.append({"child_doc": a.child_doc, "parent_doc": a.parent_doc, "side": "parent", "chapter": ch or "(前言)",
                     "measure": "coverage", "value": round(carried[ch] / count[ch], 4), "units": count[ch]})
    return rows


def score_pair(workspace, parent, child) -> dict[str, object]:
    """The score row of one (child, parent) pair: ``child_doc, parent_doc, echo,
    coverage`` and the counts per relation.

    The one way every command scores a pair (``planecho score``, the batch
    scorer of :mod:`compare.batch`, ``planecho run`` and the TUI read the same
    :meth:`~compare.workspace.Workspace.alignment`), so they agree exactly.
    ``parent`` and ``child`` are Documents or references the workspace knows
    (manifest ids, paths).

    >>> from compare.workspace import Workspace
    >>> ws = Workspace.open()
    >>> row = score_pair(ws, "zhejiang-urbanization-14fyp", "taizhou-urbanization-14fyp")  # doctest: +SKIP
    """
    return pair_scores(workspace.alignment(parent, child))


def score_in_worker(parent: str, child: str) -> dict[str, object] | None:
    """:func:`score_pair` in a side worker (:meth:`compare.sidework.SideWorker.split`)
    of two documents it holds by these keys (:func:`compare.sidework.document`);
    None when it fails there: the main process then scores the pair itself and
    reports the error as it would without a worker."""
    from align import forked

    from .sidework import document, workspace

    forked.default_jobs = 1  # the main process scores pairs meanwhile: no alignment here forks more
    try:
        ws, p, c = workspace(), document(parent), document(child)
        try:
            return score_pair(ws, p, c)
        finally:
            ws.release(p, c)  # the score row is all the worker keeps of a pair, as the main process
    except Exception:  # noqa: BLE001 - scored again, and reported, in the main process
        return None


def score(children: Iterable, *, parent=None, settings=None, model=None) -> "pd.DataFrame":
    """One row per (child, parent): ``child_doc, parent_doc, echo, coverage``
    and the counts per relation.  Children and parent are Documents (or an
    iterable of already computed :class:`Alignment`, with ``parent=None``)."""
    import pandas as pd

    from align.decisions.match import Settings
    from align.decisions.result import build_alignment

    rows = []
    for item in children:
        if isinstance(item, Alignment):
            rows.append(pair_scores(item))
            continue
        if parent is None:
            raise ValueError("score(): give parent= when scoring documents")
        rows.append(pair_scores(build_alignment(parent, item, settings or Settings(), model)))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
