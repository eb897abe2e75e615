"""Engine records as pandas DataFrames: the boundary where analysts meet them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from align.records import TableRecord, Unit

if TYPE_CHECKING:
    import pandas as pd

SECTION_SEP = " > "

UNIT_COLUMNS = ["doc", "unit_id", "kind", "section", "chapter", "paragraph", "text", "start", "end", "annotation"]


def units_frame(units: Iterable[Unit]) -> "pd.DataFrame":
    """One row per unit; ``section`` is the heading path joined with `` > ``;
    ``annotation`` the responsibility tags of the unit's measure (``责任单位：…``)."""
    import pandas as pd

    rows = [
        (u.doc_id, u.unit_id, u.kind, SECTION_SEP.join(u.section), u.chapter, u.paragraph, u.text, u.start, u.end,
         u.annotation)
        for u in units
    ]
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


def tables_frame(doc_id: str, tables: Iterable[TableRecord]) -> "pd.DataFrame":
    """Recognised tables, one row per table row, cells joined with `` | ``."""
    import pandas as pd

    rows = [
        (doc_id, t.table_id, t.caption, r, " | ".join(cells), t.start, t.end)
        for t in tables
        for r, cells in enumerate(t.rows)
    ]
    return pd.DataFrame(rows, columns=["doc", "table_id", "caption", "row", "cells", "start", "end"])


def cleaning_records(doc, *, show: str = "both", include_whitespace: bool = False) -> list[dict]:
    """The cleaning audit of ``doc`` as plain records (``planecho clean --format jsonl``).

    ``type`` is ``paragraph`` (a paragraph of the cleaned text, ``heading``
    its heading level or null), ``removal`` (a span taken out, with its
    ``reason``) or ``table`` (a table kept aside).  ``start``/``end`` are
    offsets in the original text; ``text`` is what stands there (for a
    paragraph, the cleaned text).
    """
    from compare.render import WHITESPACE_REASONS

    out: list[dict] = []
    if show in ("text", "both"):
        heading_at = {h.paragraph: h for h in doc.headings}
        for p, (s, e) in enumerate(doc.cleaned.paragraphs):
            start, end = doc.cleaned.offsets.span(s, e)
            h = heading_at.get(p)
            out.append({"doc": doc.doc_id, "type": "paragraph", "paragraph": p, "start": start, "end": end,
                        "heading": h.level if h is not None else None, "text": doc.cleaned.text[s:e]})
    if show in ("removed", "both"):
        for r in doc.removals:
            if include_whitespace or r.reason not in WHITESPACE_REASONS:
                out.append({"doc": doc.doc_id, "type": "removal", "start": r.start, "end": r.end,
                            "reason": r.reason, "detail": r.detail, "text": doc.original[r.start:r.end]})
        for t in doc.tables:
            out.append({"doc": doc.doc_id, "type": "table", "table_id": t.table_id, "start": t.start, "end": t.end,
                        "caption": t.caption, "rows": [list(row) for row in t.rows]})
    return out
