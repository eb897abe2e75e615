"""Phrase lineage: where a phrase and its variants occur down the hierarchy,
and which of a parent's distinctive phrases each child carries.

>>> from align.document import document_from_text
>>> d = document_from_text("一、文化\\n\\n围绕“千年府城”，全力实施千年古城复兴计划。", "d", level="county")
>>> [(r["match"], r["matched"]) for r in trace_rows("千年古城", [d])]
[('variant', '千年府城'), ('exact', '千年古城')]
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from align.corpus import LEVELS
from align.match import SECTION_SEP
from align.phrases import Searchable, find_phrase, phrase_status

if TYPE_CHECKING:
    import pandas as pd

TRACE_COLUMNS = ["level", "doc", "unit_id", "section", "match", "matched", "distance", "context"]
CONTEXT = 24


def _level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def trace_rows(phrase: str, documents: Iterable, *, variants: bool = True) -> list[dict]:
    rows = []
    for doc in sorted(documents, key=lambda d: _level_rank(d.level)):
        for u in doc.alignable():
            for m in find_phrase(phrase, u.text, variants=variants):
                a, b = max(0, m.start - CONTEXT), min(len(u.text), m.end + CONTEXT)
                context = ("…" if a else "") + u.text[a:m.start] + "【" + m.text + "】" + u.text[m.end:b] + ("…" if b < len(u.text) else "")
                rows.append({"level": doc.level or "(none)", "doc": doc.doc_id, "unit_id": u.unit_id,
                             "section": SECTION_SEP.join(u.section), "match": "exact" if m.exact else "variant",
                             "matched": m.text, "distance": m.distance, "context": context})
    return rows


def trace(phrase: str, documents: Iterable, *, variants: bool = True) -> "pd.DataFrame":
    """Every occurrence of ``phrase`` and of its close variants, province first."""
    import pandas as pd

    return pd.DataFrame(trace_rows(phrase, documents, variants=variants), columns=TRACE_COLUMNS)


PHRASE_COLUMNS = ["parent_doc", "phrase", "kind", "weight", "parent_units", "child_doc", "status", "child_form"]


def phrase_table(parent, phrases: Sequence, children: Iterable) -> "pd.DataFrame":
    """For each distinctive phrase of ``parent`` and each child: carried,
    altered (a close variant only) or absent."""
    import pandas as pd

    rows = []
    children = list(children)
    # one searchable text per child; NUL separates units so no match spans two
    texts = {c.doc_id: [Searchable("\x00".join(u.text for u in c.alignable()))] for c in children}
    for ph in phrases:
        for c in children:
            status, form = phrase_status(ph.text, texts[c.doc_id])
            rows.append((parent.doc_id, ph.text, ph.kind, ph.weight, ph.count, c.doc_id, status, form))
    return pd.DataFrame(rows, columns=PHRASE_COLUMNS)
