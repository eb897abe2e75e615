"""A DataTable that shows a pandas DataFrame: literal text cells cut to the
column width, columns sized to the widget (text columns share the rest),
sorting by clicking a header or pressing its number, j/k to move."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from .. import render

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Col:
    """A shown column: DataFrame column ``name`` under ``label``."""

    name: str
    label: str
    width: int = 8  # cells; the minimum for a flex column
    flex: int = 0  # share of the width left over by the fixed columns
    kind: str = "text"  # text | relation | score | pct | int | bool
    wide_only: bool = False  # hidden on narrow screens (< 100 columns)
    fmt: Callable[[Any, dict], Text] | None = None  # (value, whole row) → cell, for special columns

    def format(self, value: Any, width: int, row: dict | None = None) -> Text:
        if self.fmt is not None:
            text = self.fmt(value, row or {})
            if text.cell_len > width:
                text.truncate(width, overflow="ellipsis")
            text.no_wrap = True
            return text
        if self.kind == "relation":
            return render.cell(value, width, render.RELATION_STYLE.get(str(value), ""))
        if self.kind == "score":
            return Text(render.score(value), justify="right")
        if self.kind == "pct":
            return Text(render.pct(value), justify="right")
        if self.kind == "int":
            return Text("" if value is None else str(value), justify="right")
        if self.kind == "bool":
            return Text("yes" if bool(value) else "no", style="green" if value else "dim")
        return render.cell(value, width)


SORT_KEYS = "123456789"


class FrameTable(DataTable):
    """Rows of a DataFrame; the row key of each row is its index label."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("enter", "activate", "Open (text or unit)", show=False, id="table.open"),
        Binding("1", "sort_column(0)", "Sort by column 1…9 (again: reverse)", key_display="1…9", id="table.sort",
                show=False),
        *[Binding(k, f"sort_column({i})", f"Sort by column {k}", show=False) for i, k in enumerate(SORT_KEYS) if i],
    ]

    class Sorted(Message):
        def __init__(self, table: "FrameTable", column: str, descending: bool) -> None:
            super().__init__()
            self.table, self.column, self.descending = table, column, descending

        @property
        def control(self) -> "FrameTable":
            return self.table

    class Activated(Message):
        """Enter (or a double click) on a row: open what it points to."""

        def __init__(self, table: "FrameTable", index: Any) -> None:
            super().__init__()
            self.table, self.index = table, index

        @property
        def control(self) -> "FrameTable":
            return self.table

    def __init__(self, columns: list[Col], *, narrow_at: int = 100, row_style: Callable[[Any], str] | None = None,
                 **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.spec = columns
        self.narrow_at = narrow_at
        self.base = None  # the frame given to show(), before sorting
        self.frame = None  # what is shown, in display order
        self.sort_by: str | None = None
        self.sort_desc = False
        self._widths: tuple[int, ...] = ()
        self._cells: dict[tuple, Text] = {}  # (column, width, value) → formatted cell
        self._pending = False  # rows to build once the table has a size

    # -- data ------------------------------------------------------------------
    def show(self, df: "pd.DataFrame | None", *, keep_cursor: bool = True) -> None:
        """Show ``df`` (sorted by the current sort column, if any); None empties the table."""
        self.base = df
        if df is None:
            self.frame = None
            self.clear()
            return
        self._apply(keep_cursor=keep_cursor)

    def _apply(self, *, keep_cursor: bool = True) -> None:
        if self.base is None:
            return
        df = self.base
        if self.sort_by is not None and self.sort_by in df.columns:
            df = df.sort_values(self.sort_by, ascending=not self.sort_desc, kind="stable", na_position="last")
        self.frame = df
        self._rebuild(keep_cursor=keep_cursor)

    def visible_columns(self) -> list[Col]:
        narrow = self.app.size.width < self.narrow_at if self.is_attached else False
        return [c for c in self.spec if not (narrow and c.wide_only)]

    def _column_widths(self, cols: list[Col]) -> tuple[int, ...]:
        total = max(self.size.width, 40) - 2 - 2 * self.cell_padding * len(cols)  # scrollbar, padding
        fixed = sum(c.width for c in cols if not c.flex)
        flex = sum(c.flex for c in cols)
        spare = max(0, total - fixed - sum(c.width for c in cols if c.flex))
        widths = []
        for c in cols:
            widths.append(c.width + (spare * c.flex // flex if c.flex and flex else 0))
        return tuple(widths)

    def _rebuild(self, *, keep_cursor: bool = True) -> None:
        if not self.size.width:
            # not laid out (or hidden): widths would be guesses; on_resize builds it
            self._pending = True
            return
        self._pending = False
        key = self.current_key() if keep_cursor else None
        cols = self.visible_columns()
        widths = self._column_widths(cols)
        self._widths = widths
        self.clear(columns=True)
        for c, w in zip(cols, widths):
            label = Text(c.label)
            if c.name == self.sort_by:  # the arrow always shows: the label gives way
                arrow = "▼" if self.sort_desc else "▲"
                if label.cell_len + 2 > w:
                    label.truncate(max(0, w - 1), overflow="ellipsis" if w > 3 else "crop")
                    label.append(arrow, style="bold")
                else:
                    label.append(" " + arrow, style="bold")
            self.add_column(label, width=w, key=c.name)
        if self.frame is None:
            return
        names = list(self.frame.columns)
        cache = self._cells
        if len(cache) > 50_000:
            cache.clear()

        def fmt(c: Col, w: int, row: dict) -> Text:
            value = row.get(c.name)
            if c.fmt is not None:
                return c.format(value, w, row)
            try:
                key = (c.name, w, value)
                hit = cache.get(key)
            except TypeError:  # unhashable value
                return c.format(value, w, row)
            if hit is None:
                hit = cache[key] = c.format(value, w, row)
            return hit

        for idx, *vals in self.frame.itertuples(index=True, name=None):
            row = dict(zip(names, vals))
            self.add_row(*(fmt(c, w, row) for c, w in zip(cols, widths)), key=str(idx))
        if key is not None and key in self.rows:
            self.move_cursor(row=self.get_row_index(key), animate=False, scroll=True)
        elif self.row_count:
            self.move_cursor(row=0, animate=False)

    def on_resize(self) -> None:
        if not self.size.width:
            return
        cols = self.visible_columns()
        if self._pending or self._column_widths(cols) != self._widths or len(cols) != len(self._widths):
            self._rebuild()

    # -- cursor ----------------------------------------------------------------
    def current_key(self) -> str | None:
        if not self.row_count or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None

    def current_index(self) -> Any:
        """The DataFrame index label of the highlighted row (or None)."""
        key = self.current_key()
        if key is None or self.frame is None:
            return None
        for label in (key, int(key) if key.lstrip("-").isdigit() else None):
            if label is not None and label in self.frame.index:
                return label
        return None

    def current_record(self) -> dict | None:
        idx = self.current_index()
        return None if idx is None else self.frame.loc[idx].to_dict()

    def select_index(self, label: Any) -> bool:
        key = str(label)
        if key in self.rows:
            self.move_cursor(row=self.get_row_index(key), animate=False, scroll=True)
            return True
        return False

    def action_activate(self) -> None:
        idx = self.current_index()
        if idx is not None:
            self.post_message(self.Activated(self, idx))

    def on_click(self, event) -> None:
        if event.chain == 2:  # a double click opens, like Enter
            self.action_activate()

    # -- sorting ---------------------------------------------------------------
    def sort_on(self, name: str) -> None:
        """Sort by column ``name``; again on the same column reverses the order."""
        if self.sort_by == name:
            self.sort_desc = not self.sort_desc
        else:
            self.sort_by, self.sort_desc = name, False
        self._apply()
        self.post_message(self.Sorted(self, name, self.sort_desc))

    def action_sort_column(self, index: int) -> None:
        cols = self.visible_columns()
        if 0 <= index < len(cols):
            self.sort_on(cols[index].name)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_on(str(event.column_key.value))
