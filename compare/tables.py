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
