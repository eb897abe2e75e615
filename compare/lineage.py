"""Phrase lineage: where a phrase and its variants occur down the hierarchy,
and which of a parent's distinctive phrases each child carries.

>>> from align.reading.document import document_from_text
>>> p = document_from_text("一、文化\\n\\n全力实施千年古城复兴计划。", "p", level="province")
>>> d = document_from_text("一、文化\\n\\n打响“千年府城”文化品牌，彰显千年古城的文化力量。", "d", level="county")
>>> [(r["doc"], r["match"], r["matched"]) for r in trace_rows("千年古城", [d, p])]
[('p', 'exact', '千年古城'), ('d', 'variant', '千年府城'), ('d', 'exact', '千年古城')]
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from align.reading.corpus import LEVELS
from align.decisions.match import SECTION_SEP
from align.decisions.phrases import Searchable, context_of, find_phrase, phrase_status, variant_evidence

if TYPE_CHECKING:
    import pandas as pd

TRACE_COLUMNS = ["level", "doc", "unit_id", "section", "match", "matched", "distance", "context"]
CONTEXT = 24


def _level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def trace_rows(phrase: str, documents: Iterable, *, variants: bool = True) -> list[dict]:
    """Occurrences of ``phrase`` and its forms in ``documents`` (see :func:`trace`)."""
    docs = sorted(documents, key=lambda d: _level_rank(d.level))
    regions = [d.entry.region for d in docs if d.entry.region]
    found = []
    for doc in docs:
        for u in doc.alignable():
            for m in find_phrase(phrase, u.text, variants=variants, forms=variants, regions=regions):
                found.append((doc, u, m))
    # a variant needs evidence beyond sharing characters: its context shares wording
    # with the context of an exact occurrence somewhere in the corpus
    exact_contexts = [context_of(u.text, m.start, m.end) for _, u, m in found if m.exact]
    # a "variant" the phrase's own plans (the highest level using it) also write is a sibling name
    top = min((_level_rank(d.level) for d, _, m in found if m.exact), default=None)
    origin = [Searchable("\x00".join(u.text for u in d.alignable())) for d in docs
              if top is not None and _level_rank(d.level) == top]
    siblings: dict[str, bool] = {}
    supported: set[tuple[str, str]] = set()  # (document, variant) with evidence at one occurrence at least
    for doc, u, m in found:
        if m.kind == "variant":
            if m.text not in siblings:
                siblings[m.text] = any(find_phrase(m.text, s, variants=False) for s in origin)
            if not siblings[m.text] and variant_evidence(phrase, u.text, m.start, m.end, exact_contexts):
                supported.add((doc.doc_id, m.text))
    rows = []
    for doc, u, m in found:
        if m.kind == "variant" and (doc.doc_id, m.text) not in supported:
            continue
        a, b = max(0, m.start - CONTEXT), min(len(u.text), m.end + CONTEXT)
        context = ("…" if a else "") + u.text[a:m.start] + "【" + m.text + "】" + u.text[m.end:b] + ("…" if b < len(u.text) else "")
        rows.append({"level": doc.level or "(none)", "doc": doc.doc_id, "unit_id": u.unit_id,
                     "section": SECTION_SEP.join(u.section), "match": m.kind,
                     "matched": m.text, "distance": m.distance, "context": context})
    return rows


def trace(phrase: str, documents: Iterable, *, variants: bool = True) -> "pd.DataFrame":
    """Every occurrence of ``phrase``, province first: exact; ``region`` (a region or
    self-reference swap, 之省 → 之市); ``short form`` / ``longer form`` (人地钱挂钩 ↔
    人地挂钩); and ``variant`` (one or two characters changed) where its context
    shares wording with an exact occurrence's."""
    import pandas as pd

    return pd.DataFrame(trace_rows(phrase, documents, variants=variants), columns=TRACE_COLUMNS)


PHRASE_COLUMNS = ["parent_doc", "phrase", "kind", "weight", "parent_units", "child_doc", "status", "child_form"]
STATUSES = ("carried", "other form", "altered", "absent")


class _Child:
    """One child plan prepared for many phrase searches."""

    def __init__(self, doc, alignment=None) -> None:
        self.doc = doc
        self.units = list(doc.alignable())
        self.starts: list[int] = []
        k = 0
        for u in self.units:
            self.starts.append(k)
            k += len(u.text) + 1
        # one searchable text; NUL separates units so no match spans two
        self.search = Searchable("\x00".join(u.text for u in self.units))
        self.aligned: set[tuple[str, str]] = set()
        if alignment is not None:
            self.aligned = {(l.child.unit_id, l.parent.unit_id) for l in alignment.links
                            if l.parent is not None and l.relation != "local"}

    def unit_at(self, pos: int):
        from bisect import bisect_right

        i = bisect_right(self.starts, pos) - 1
        return self.units[i], pos - self.starts[i]


def phrase_table(parent, phrases: Sequence, children: Iterable,
                 alignments: "Mapping[str, object] | None" = None) -> "pd.DataFrame":
    """For each distinctive phrase of ``parent`` and each child: ``carried`` (it
    occurs, or a region / self-reference swap of it), ``other form`` (a short form
    or a longer form of it occurs), ``altered`` (only a close variant occurs that
    the parent never uses itself, and that sits in a unit aligned with one using
    the phrase — ``alignments``: child id → its alignment to ``parent`` — or in
    the same measure's context) or ``absent``."""
    import pandas as pd

    children = list(children)
    alignments = alignments or {}
    kids = {c.doc_id: _Child(c, alignments.get(c.doc_id)) for c in children}
    punits = {u.unit_id: u for u in parent.alignable()}
    psearch = Searchable("\x00".join(u.text for u in punits.values()))
    rows = []
    for ph in phrases:
        contexts = [context_of(u.text, m.start, m.end) for u in (punits.get(i) for i in ph.unit_ids) if u is not None
                    for m in find_phrase(ph.text, u.text, variants=False)]
        for c in children:
            status, form = _status(ph, kids[c.doc_id], contexts, psearch,
                                   [r for r in (parent.entry.region, c.entry.region) if r])
            rows.append((parent.doc_id, ph.text, ph.kind, ph.weight, ph.count, c.doc_id, status, form))
    return pd.DataFrame(rows, columns=PHRASE_COLUMNS)


def _status(ph, kid: _Child, contexts: list[str], parent_search, regions) -> tuple[str, str]:
    status, form = phrase_status(ph.text, [kid.search])
    if status == "carried":
        return status, form
    found = find_phrase(ph.text, kid.search, forms=True, regions=regions)
    for kind, status in (("region", "carried"), ("short form", "other form"), ("longer form", "other form")):
        for m in found:
            if m.kind == kind:
                return status, m.text
    for m in found:
        if m.kind != "variant" or find_phrase(m.text, parent_search, variants=False):
            continue  # the parent uses the "variant" itself: another name, not an alteration
        unit, at = kid.unit_at(m.start)
        aligned = any((unit.unit_id, p) in kid.aligned for p in ph.unit_ids)
        if aligned or variant_evidence(ph.text, unit.text, at, at + len(m.text), contexts):
            return "altered", m.text
    return "absent", ""
