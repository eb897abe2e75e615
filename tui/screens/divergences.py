"""Divergences: where the child departs from the parent, one tab per kind."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Header, Static, TabbedContent, TabPane

from .. import render
from ..widgets.table import Col, FrameTable
from .base import HELP_FIRST, VIEW_BINDINGS, PairView
from ..widgets.footer import KeyFooter

TABS = {  # table name → (tab title, columns)
    "dropped": ("Dropped", [
        Col("parent_chapter", "parent chapter", width=16),
        Col("parent_text", "dropped parent unit", width=20, flex=1),
        Col("parent_section", "section", width=24, wide_only=True),
        Col("parent_id", "unit", width=11, wide_only=True),
    ]),
    "local_additions": ("Local additions", [
        Col("child_chapter", "child chapter", width=16),
        Col("child_text", "child unit with no source", width=20, flex=1),
        Col("child_section", "section", width=24, wide_only=True),
        Col("child_id", "unit", width=11, wide_only=True),
    ]),
    "changed_targets": ("Changed targets", [
        Col("indicator", "indicator", width=14),
        Col("kind", "kind", width=6),
        Col("year", "year", width=4, wide_only=True),
        Col("scope", "scope", width=9, wide_only=True),
        Col("parent_shown", "parent", width=9),
        Col("child_shown", "child", width=9),
        Col("direction", "change", width=7),
        Col("relation", "relation", width=8, kind="relation", wide_only=True),
        Col("child_text", "child unit", width=16, flex=1),
        Col("parent_text", "parent unit", width=16, flex=1, wide_only=True),
    ]),
    "rebranded_phrases": ("Re-branded phrases", [
        Col("parent_phrase", "parent name", width=12),
        Col("child_phrase", "child name", width=12),
        Col("aligned", "in a pair", width=9, kind="bool"),
        Col("evidence", "evidence", width=13, wide_only=True),
        Col("child_example", "child example", width=16, flex=1),
        Col("parent_example", "parent example", width=16, flex=1, wide_only=True),
    ]),
}


def target_of(table: str, row: dict) -> tuple[str, str] | None:
    """("child" | "parent", unit id) a divergence row points to."""
    if table == "dropped":
        return "parent", row["parent_id"]
    if table in ("local_additions", "changed_targets"):
        return "child", row["child_id"]
    if table == "rebranded_phrases":
        ids = str(row.get("child_ids") or "").split()
        return ("child", ids[0]) if ids else None
    return None


class DivergenceScreen(PairView):
    VIEW = "divergences"
    VIEW_TITLE = "divergences"
    BINDINGS = [
        HELP_FIRST,
        Binding("left_square_bracket", "tab(-1)", "Prev tab", key_display="[", id="divergences.prev"),
        Binding("right_square_bracket", "tab(1)", "Next tab", key_display="]", id="divergences.next"),
        Binding("t", "open_text", "Text", id="divergences.open"),
        *VIEW_BINDINGS,
    ]

    initial_tab: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="body"):
            with TabbedContent(id="tabs"):
                for name, (title, cols) in TABS.items():
                    with TabPane(title, id=f"tab-{name}"):
                        yield FrameTable(cols, id=f"table-{name}", classes="divergence-table")
            yield Static("", id="div-detail", markup=False)
        yield KeyFooter()

    def fetch(self):
        return {name: self.session.divergence(self.pair, name) for name in TABS}

    def show(self, data) -> None:
        tabs = self.query_one(TabbedContent)
        for name, df in data.items():
            self.query_one(f"#table-{name}", FrameTable).show(df, keep_cursor=False)
            tabs.get_tab(f"tab-{name}").label = Text(f"{TABS[name][0]} ({len(df)})")
        if self.initial_tab:
            self.show_tab(self.initial_tab)
            self.initial_tab = None
        self.focus_active_table()
        self.update_detail()

    # -- tabs ------------------------------------------------------------------
    def active_name(self) -> str:
        active = self.query_one(TabbedContent).active or "tab-dropped"
        return active.removeprefix("tab-")

    def active_table(self) -> FrameTable:
        return self.query_one(f"#table-{self.active_name()}", FrameTable)

    def focus_active_table(self) -> None:
        self.active_table().focus()

    def show_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"
        self.focus_active_table()
        self.update_detail()

    def action_tab(self, step: int) -> None:
        names = list(TABS)
        self.show_tab(names[(names.index(self.active_name()) + step) % len(names)])

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        self.call_after_refresh(self.focus_active_table)
        self.update_detail()

    # -- rows ------------------------------------------------------------------
    @on(FrameTable.RowHighlighted, ".divergence-table")
    def _highlighted(self) -> None:
        self.update_detail()

    def update_detail(self) -> None:
        if not self.loaded:
            return
        name = self.active_name()
        row = self.active_table().current_record()
        out = Text()
        if row is None:
            out.append("nothing in this tab", style="dim")
        elif name == "dropped":
            out.append(f"{row['parent_section']}\n", style="italic dim")
            out.append(str(row["parent_text"]))
        elif name == "local_additions":
            out.append(f"{row['child_section']}\n", style="italic dim")
            out.append(str(row["child_text"]))
        elif name == "changed_targets":
            out.append(f"{row['indicator'] or '(数值)'}: {row['parent_shown']} → {row['child_shown']} ({row['direction']})\n",
                       style=render.STYLES["number"])
            out.append("child  ", style="bold")
            out.append(str(row["child_text"]) + "\n")
            out.append("parent ", style="bold")
            out.append(str(row["parent_text"]))
        else:
            out.append(f"{row['parent_phrase']} → {row['child_phrase']}", style=render.STYLES["programme"])
            out.append("  in an aligned pair\n" if row["aligned"] else "  not in an aligned pair\n", style="dim")
            out.append("child  ", style="bold")
            out.append(str(row["child_example"]) + "\n")
            out.append("parent ", style="bold")
            out.append(str(row["parent_example"]))
        self.query_one("#div-detail", Static).update(out)

    @on(FrameTable.Activated, ".divergence-table")
    def _activated(self) -> None:
        self.action_open_text()

    def action_open_text(self) -> None:
        row = self.active_table().current_record()
        target = target_of(self.active_name(), row) if row else None
        if target is None:
            return
        side, unit_id = target
        doc = self.pair.child if side == "child" else self.pair.parent
        self.papp.open_document(doc, unit_id, pair=self.pair)

    def export_table(self):
        table = self.active_table()
        return (self.active_name(), table.frame) if table.frame is not None else None
