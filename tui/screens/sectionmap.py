"""Section map: parent chapters × child chapters as a shaded grid; the
highlighted cell lists the aligned pairs behind it."""
from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from compare.score import chapter_label

from .. import render
from ..widgets.table import Col, FrameTable
from .base import HELP_FIRST, VIEW_BINDINGS, PairView
from ..widgets.footer import KeyFooter

FRONT = "(前言)"  # compare.sectionmap's name for text before the first chapter
CELL = 6
LABEL = re.compile(r"^\s*(第[一二三四五六七八九十百零〇0-9]+[章篇节部分编]|[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十]+[）)]|\d+[.、．])")

CELL_COLUMNS = [
    Col("child_text", "child", width=14, flex=1),
    Col("relation", "relation", width=8, kind="relation"),
    Col("score", "score", width=5, kind="score"),
    Col("parent_text", "parent", width=14, flex=1),
]


def short_chapter(title: str, width: int = CELL) -> str:
    """A chapter's numbering (一, 第三章) or its first characters, for a grid header."""
    if title == FRONT:
        return "前言"
    m = LABEL.match(title)
    if m:
        label = m.group(1).strip("、.．()（） ")
        return label
    return render.cell(title, width - 1).plain


class SectionGrid(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class SectionMapScreen(PairView):
    VIEW = "sectionmap"
    VIEW_TITLE = "section map"
    BINDINGS = [
        HELP_FIRST,
        Binding("t", "open_text", "Text", id="sectionmap.open"),
        *VIEW_BINDINGS,
    ]

    def __init__(self, pair) -> None:
        super().__init__(pair)
        self.matrix = None
        self.cell_key: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="body"):
            yield Static("", id="map-caption", markup=False)
            yield SectionGrid(cursor_type="cell", cell_padding=0, fixed_columns=1, zebra_stripes=False, id="grid")
            yield Static("", id="cell-info", markup=False)
            yield FrameTable(CELL_COLUMNS, id="cell-pairs")
        yield KeyFooter()

    def fetch(self):
        s = self.session
        return (s.section_map(self.pair), s.chapter_scores(self.pair), s.counted_links(self.pair),
                s.alignment(self.pair), s.pair_frame(self.pair))

    def show(self, data) -> None:
        self.matrix, chapters, self.best, alignment, self.frame = data
        self.link_index = {id(l): i for i, l in enumerate(alignment.links)}
        self.echo = {r["chapter"]: r["value"] for r in chapters if r["side"] == "child"}
        self.coverage = {r["chapter"]: r["value"] for r in chapters if r["side"] == "parent"}
        s = self.session
        caption = Text()
        caption.append("rows ", style="dim")
        caption.append(f"{s.short(self.pair.parent)} chapters", style="bold")
        caption.append(" × columns ", style="dim")
        caption.append(f"{s.short(self.pair.child)} chapters", style="bold")
        caption.append(" · cell = share of the child chapter's text echoing the parent chapter "
                       "(weighted by relation); a column sums to the chapter's echo", style="dim")
        self.query_one("#map-caption", Static).update(caption)
        grid = self.query_one(SectionGrid)
        grid.clear(columns=True)
        df = self.matrix
        vmax = float(df.values.max()) if df.size else 0.0
        grid.add_column(Text("parent \\ child", style="dim"), width=18, key="__row")
        for j, c in enumerate(df.columns):
            grid.add_column(Text(short_chapter(c).center(CELL)[:CELL]), width=CELL, key=str(j))
        for i, p in enumerate(df.index):
            cells = [render.cell(p, 17)]
            for v in df.iloc[i].tolist():
                label = f"{v:.0%}" if v >= 0.005 else ("·" if v <= 0 else "<1%")
                cells.append(Text(label.center(CELL), style=render.shade(v, vmax)))
            grid.add_row(*cells, key=str(i))
        if df.shape[0] and df.shape[1]:
            # start on the strongest cell
            flat = df.values.argmax()
            r, c = divmod(int(flat), df.shape[1])
            grid.move_cursor(row=r, column=c + 1, animate=False)
        grid.focus()
        self.update_cell()

    # -- the selected cell -----------------------------------------------------------
    def selected_chapters(self) -> tuple[str, str] | None:
        if self.matrix is None:
            return None
        grid = self.query_one(SectionGrid)
        row, col = grid.cursor_coordinate
        if col == 0 or not (0 <= row < self.matrix.shape[0]) or not (1 <= col <= self.matrix.shape[1]):
            return None
        return self.matrix.index[row], self.matrix.columns[col - 1]

    @on(DataTable.CellHighlighted, "#grid")
    def _cell_highlighted(self) -> None:
        self.update_cell()

    @on(DataTable.CellSelected, "#grid")
    def _cell_selected(self) -> None:
        self.update_cell()
        pairs = self.query_one("#cell-pairs", FrameTable)
        if pairs.row_count:
            pairs.focus()

    def update_cell(self) -> None:
        chosen = self.selected_chapters()
        info = self.query_one("#cell-info", Static)
        pairs = self.query_one("#cell-pairs", FrameTable)
        if chosen is None:
            info.update(Text("choose a cell: ←↑↓→ then Enter, or click", style="dim"))
            pairs.show(self.frame.iloc[0:0] if self.frame is not None else None)
            self.cell_key = None
            return
        if chosen == self.cell_key:
            return
        self.cell_key = chosen
        p, c = chosen
        value = float(self.matrix.loc[p, c])
        out = Text()
        out.append("parent ", style="dim")
        out.append(p, style="bold")
        out.append(f" (coverage {render.pct(self.coverage.get(p))})\n", style="dim")
        out.append("child  ", style="dim")
        out.append(c, style="bold")
        out.append(f" (echo {render.pct(self.echo.get(c))})\n", style="dim")
        links = self.links_behind(p, c)
        out.append(f"cell {value:.1%} · {len(links)} aligned pair{'s' if len(links) != 1 else ''} behind it",
                   style="bold")
        info.update(out)
        rows = [self.link_index[id(l)] for l in links]
        pairs.show(self.frame.loc[rows], keep_cursor=False)

    def links_behind(self, p: str, c: str) -> list:
        """The strongest counted links (those behind the cell's value) from child chapter c into parent chapter p."""
        out = []
        for l in self.best.values():
            if l.parent is None or l.relation == "local" or l.child.kind != "body":
                continue
            if (chapter_label(l.child) or FRONT) == c and (chapter_label(l.parent) or FRONT) == p:
                out.append(l)
        return sorted(out, key=lambda l: l.child.start)

    @on(FrameTable.Activated, "#cell-pairs")
    def _pair_activated(self) -> None:
        self.action_open_text()

    def action_open_text(self) -> None:
        pairs = self.query_one("#cell-pairs", FrameTable)
        row = pairs.current_record()
        if row is None:
            return
        self.papp.open_document(self.pair.child, row["child_id"], pair=self.pair)

    def export_table(self):
        pairs = self.query_one("#cell-pairs", FrameTable)
        if self.focused is pairs and pairs.frame is not None:
            return "section_map_cell", pairs.frame
        if self.matrix is None:
            return None
        return "section_map", self.matrix.reset_index()
