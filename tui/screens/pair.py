"""Pair view: the aligned units of a child and a parent, filtered and sorted,
with the highlighted pair side by side below."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, Select, Static
from textual.widgets.select import InvalidSelectValueError

from .. import render
from ..data import RELATIONS
from ..widgets.detail import PairDetail
from ..widgets.table import SORT_KEYS, Col, FrameTable
from .base import HELP_FIRST, VIEW_BINDINGS, PairView
from .correct import CorrectionDialog, Derivation, NoteDialog
from ..widgets.footer import KeyFooter

if TYPE_CHECKING:
    import pandas as pd

RELATION_OPTIONS = [("all relations", "all"), ("linked (not local)", "linked")] + [(f"{r} only", r) for r in RELATIONS]
SCORE_STEPS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SCORE_OPTIONS = [("any score", 0.0)] + [(f"score ≥ {s:.1f}", s) for s in SCORE_STEPS[1:]]
ALL_CHAPTERS = "\x00all"

CORRECTED_MARK = "✎"
SELF_MARK = "§"  # the row's unit names its own plan or the documents it is drawn up from: shown, not counted
CORRECT = Binding.Group("correct", compact=True)  # "wc correct" in a narrow footer

def relation_cell(relation: str, row: dict) -> Text:
    """The relation, ✎ when a scholar's correction made or changed the row, and §
    when the row is a self-citation (:mod:`compare.selfcite`: not counted in the scores)."""
    text = render.cell(relation, 8, render.RELATION_STYLE.get(str(relation), ""))
    if row.get("corrected"):
        text.append(" " + CORRECTED_MARK, style="bold yellow")
    elif row.get("self_citation"):
        text.append(" " + SELF_MARK, style="dim")
    return text


PAIR_COLUMNS = [
    Col("child_text", "child", width=14, flex=1),
    Col("relation", "relation", width=10, kind="relation", fmt=lambda v, row: relation_cell(v, row)),
    Col("score", "score", width=6, kind="score", fmt=lambda v, row: Text(
        "" if row.get("relation") == "local" else render.score(v), justify="right")),
    Col("parent_text", "parent", width=14, flex=1),
    Col("child_section", "child section", width=14, flex=0, wide_only=True),
    Col("parent_section", "parent section", width=14, flex=0, wide_only=True),
]


@dataclass(frozen=True)
class PairFilter:
    relation: str = "all"  # all | linked | verbatim | adapted | partial | local
    min_score: float = 0.0
    chapter: str = ALL_CHAPTERS  # a child chapter (compare.score.chapter_label), or all
    query: str = ""  # substring of the child or the parent text

    def describe(self) -> str:
        parts = []
        if self.relation != "all":
            parts.append(self.relation)
        if self.min_score > 0:
            parts.append(f"score ≥ {self.min_score:.1f}")
        if self.chapter != ALL_CHAPTERS:
            parts.append(f"chapter {self.chapter[:12]}")
        if self.query:
            parts.append(f"“{self.query}”")
        return ", ".join(parts)


def filter_pairs(df: "pd.DataFrame", chapters: list[str], f: PairFilter) -> "pd.DataFrame":
    """The rows of the alignment table that pass the filter (index labels kept)."""
    mask = df["score"].fillna(0.0) >= f.min_score - 1e-9
    if f.relation == "linked":
        mask &= df["relation"] != "local"
    elif f.relation != "all":
        mask &= df["relation"] == f.relation
    if f.chapter != ALL_CHAPTERS:
        import pandas as pd

        mask &= pd.Series(chapters, index=df.index) == f.chapter
    if f.query:
        q = f.query
        mask &= (df["child_text"].str.contains(q, case=False, regex=False, na=False)
                 | df["parent_text"].str.contains(q, case=False, regex=False, na=False))
    return df[mask]


class SearchInput(Input):
    BINDINGS = [
        Binding("escape", "clear_search", "Clear search", id="pairs.search.clear"),
        Binding("down", "leave", "To the table", show=False),
    ]

    def action_clear_search(self) -> None:
        self.screen.close_search(clear=True)  # type: ignore[attr-defined]

    def action_leave(self) -> None:
        self.screen.close_search(clear=False)  # type: ignore[attr-defined]


class PairScreen(PairView):
    """The alignment table of one pair, with filters, search and the detail pane."""

    VIEW = "pairs"
    VIEW_TITLE = "aligned pairs"
    BINDINGS = [
        HELP_FIRST,
        Binding("slash", "search", "Search", id="pairs.search"),
        Binding("r", "cycle_relation", "Relation", id="pairs.relation"),
        Binding("t", "open_text('child')", "Text", id="pairs.child_text"),
        Binding("w", "mark_wrong", "Wrong link", id="pairs.wrong", group=CORRECT),
        Binding("c", "mark_derived", "Derived from…", id="pairs.correct", group=CORRECT),
        Binding("z", "zoom_detail", "Zoom", id="pairs.zoom"),
        *VIEW_BINDINGS,
        Binding("m", "cycle_score", "Min score", id="pairs.min_score", show=False),
        Binding("x", "clear_filters", "Clear filters", id="pairs.clear", show=False),
        Binding("T", "open_text('parent')", "Parent text", id="pairs.parent_text", show=False),
        Binding("u", "undo_correction", "Undo the corrections of this unit", id="pairs.undo", show=False),
        # sorting works wherever the focus is (the table has the same keys)
        Binding("1", "sort_column(0)", "Sort by column 1…9 (again: reverse)", key_display="1…9", id="pairs.sort",
                show=False),
        *[Binding(k, f"sort_column({i})", f"Sort by column {k}", show=False) for i, k in enumerate(SORT_KEYS) if i],
    ]
    FOOTER_WIDE_ONLY = {"pairs.child_text"}  # Enter opens the text too
    ZOOM = ("", "-detail-large", "-detail-full")  # the detail pane: 45 %, 70 %, all but a few table rows

    def __init__(self, pair) -> None:
        super().__init__(pair)
        self.filter = PairFilter()
        self.frame = None
        self.chapters: list[str] = []
        self.links: list = []
        self._search_timer = None
        self._return_to: tuple[str, str | None] | None = None  # (child unit, parent unit) after a reload
        self.zoom = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Select(RELATION_OPTIONS, value=self.filter.relation, allow_blank=False, compact=True,
                         id="f-relation")
            yield Select(SCORE_OPTIONS, value=self.filter.min_score, allow_blank=False, compact=True, id="f-score")
            yield Select([("all chapters", ALL_CHAPTERS)], value=ALL_CHAPTERS, allow_blank=False, compact=True,
                         id="f-chapter")
            yield Static("", id="f-count", markup=False)
        yield SearchInput(self.filter.query, placeholder="search child or parent text · Enter/↓ table · Esc clear",
                          compact=True, id="search", classes="-open" if self.filter.query else "")
        with Vertical(id="body"):
            yield FrameTable(PAIR_COLUMNS, id="pairs-table")
            yield PairDetail(id="detail")
        yield KeyFooter()

    # -- loading ---------------------------------------------------------------
    def fetch(self):
        s = self.session
        s.scores(self.pair)  # the home screen's figures, again after a correction
        return s.alignment(self.pair), s.pair_frame(self.pair), s.child_chapters(self.pair)

    def show(self, data) -> None:
        alignment, frame, chapters = data
        self.links, self.frame, self.chapters = alignment.links, frame, chapters
        options = [("all chapters", ALL_CHAPTERS)] + [
            (render.cell(ch or "(前言)", 40), ch) for ch in dict.fromkeys(chapters)]
        chapter = self.query_one("#f-chapter", Select)
        chapter.set_options(options)
        with self.prevent(Select.Changed):
            chapter.value = self.filter.chapter if self.filter.chapter in set(chapters) else ALL_CHAPTERS
        self.refresh_rows(keep_cursor=self._return_to is not None)
        if self._return_to is not None:
            self.select_unit(*self._return_to)
            self._return_to = None
        else:
            self.query_one(FrameTable).focus()

    # -- filtering -------------------------------------------------------------
    def set_filter(self, **changes) -> None:
        """Change the filter (from the filter bar, keys or the command palette)."""
        new = replace(self.filter, **changes)
        if new == self.filter:
            return
        self.filter = new
        if not self.is_mounted or self.frame is None:
            return  # compose / show() use self.filter
        with self.prevent(Select.Changed):
            self.query_one("#f-relation", Select).value = new.relation
            self.query_one("#f-score", Select).value = new.min_score
            chapter = self.query_one("#f-chapter", Select)
            try:
                chapter.value = new.chapter
            except InvalidSelectValueError:
                chapter.value = ALL_CHAPTERS
        search = self.query_one(SearchInput)
        if search.value != new.query:
            with self.prevent(Input.Changed):
                search.value = new.query
            search.set_class(bool(new.query), "-open")
        self.refresh_rows()

    def refresh_rows(self, *, keep_cursor: bool = True) -> None:
        if self.frame is None:
            return
        shown = filter_pairs(self.frame, self.chapters, self.filter)
        table = self.query_one(FrameTable)
        table.show(shown, keep_cursor=keep_cursor)
        count = Text(f"{len(shown)} of {len(self.frame)} rows")
        if self.filter.describe():
            count.append(f" · {self.filter.describe()}", style="dim")
        self.query_one("#f-count", Static).update(count)
        self.update_detail()

    @on(Select.Changed, "#f-relation")
    def _relation_changed(self, event: Select.Changed) -> None:
        self.set_filter(relation=event.value)

    @on(Select.Changed, "#f-score")
    def _score_changed(self, event: Select.Changed) -> None:
        self.set_filter(min_score=float(event.value))

    @on(Select.Changed, "#f-chapter")
    def _chapter_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self.set_filter(chapter=event.value)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        # typing re-filters after a short pause, not on every key
        if self._search_timer is not None:
            self._search_timer.stop()
        query = event.value.strip()
        self._search_timer = self.set_timer(0.15, lambda: self.set_filter(query=query))

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self.set_filter(query=event.value.strip())
        self.close_search(clear=False)

    def action_search(self) -> None:
        search = self.query_one(SearchInput)
        search.add_class("-open")
        search.focus()

    def close_search(self, *, clear: bool) -> None:
        search = self.query_one(SearchInput)
        if self._search_timer is not None:
            self._search_timer.stop()
        if clear:
            search.value = ""
            search.remove_class("-open")
            self.set_filter(query="")
        elif not search.value:
            search.remove_class("-open")
        self.query_one(FrameTable).focus()

    def action_cycle_relation(self) -> None:
        values = [v for _, v in RELATION_OPTIONS]
        self.set_filter(relation=values[(values.index(self.filter.relation) + 1) % len(values)])

    def action_cycle_score(self) -> None:
        k = SCORE_STEPS.index(self.filter.min_score) if self.filter.min_score in SCORE_STEPS else 0
        self.set_filter(min_score=SCORE_STEPS[(k + 1) % len(SCORE_STEPS)])

    def action_clear_filters(self) -> None:
        self.set_filter(relation="all", min_score=0.0, chapter=ALL_CHAPTERS, query="")
        self.query_one(SearchInput).remove_class("-open")

    # -- the highlighted pair ----------------------------------------------------
    def current_link(self):
        idx = self.query_one(FrameTable).current_index()
        if idx is None or not (0 <= int(idx) < len(self.links)):
            return None
        return self.links[int(idx)]

    @on(FrameTable.RowHighlighted, "#pairs-table")
    def _row_highlighted(self) -> None:
        self.update_detail()

    def update_detail(self) -> None:
        detail = self.query_one(PairDetail)
        link = self.current_link()
        if link is None:
            detail.clear("no row: change the filters (x clears them)")
            return
        s = self.session
        row = self.query_one(FrameTable).current_record() or {}
        detail.show_link(link, s.short(self.pair.child), s.short(self.pair.parent),
                         self_citation=str(row.get("self_citation") or ""))

    def select_unit(self, child_id: str, parent_id: str | None = None) -> bool:
        """Highlight the row of a child unit (its link to ``parent_id`` if it is still there)."""
        table = self.query_one(FrameTable)
        if table.frame is None:
            return False
        rows = table.frame[table.frame["child_id"] == child_id]
        if rows.empty:
            return False
        exact = rows[rows["parent_id"] == (parent_id or "")]
        return table.select_index((exact if not exact.empty else rows).index[0])

    # -- sorting, zoom -------------------------------------------------------------
    def action_sort_column(self, index: int) -> None:
        self.query_one(FrameTable).action_sort_column(index)

    def action_zoom_detail(self) -> None:
        self.zoom = (self.zoom + 1) % len(self.ZOOM)
        for k, cls in enumerate(self.ZOOM):
            if cls:
                self.set_class(k == self.zoom, cls)
        table = self.query_one(FrameTable)
        self.call_after_refresh(lambda: table.move_cursor(row=table.cursor_row, animate=False, scroll=True))

    # -- corrections -------------------------------------------------------------
    def _can_correct(self) -> bool:
        if self.session.corrections_path is None:
            self.notify("corrections are off (--no-corrections)", severity="warning")
            return False
        return self.frame is not None

    def action_mark_wrong(self) -> None:
        link = self.current_link()
        if link is None or not self._can_correct():
            return
        if link.parent is None:
            self.notify("a local unit has no link to mark wrong: c marks it as derived from a parent unit",
                        severity="warning")
            return
        s = self.session
        title = Text()
        title.append("Mark this link wrong", style="bold")
        title.append(f" · {s.pair_label(self.pair)}", style="dim")
        body = Text()
        body.append(f"child  {link.child.unit_id}  ", style="bold")
        body.append(render.cell(link.child.text, 140))
        body.append(f"\nparent {link.parent.unit_id}  ", style="bold")
        body.append(render.cell(link.parent.text, 140))
        body.append(f"\nnow {link.relation} {link.score:.2f}; the link is removed from every run, export, "
                    "score and session, and eval --corrections reads it as a label", style="dim")

        def done(note: str | None) -> None:
            if note is not None:
                self.save_correction(link.child, link.parent, "none", note)

        self.app.push_screen(NoteDialog(title, body), done)

    def action_mark_derived(self) -> None:
        link = self.current_link()
        if link is None or not self._can_correct():
            return
        alignment = self.session.alignment(self.pair)
        initial = link.parent or self._nearest_parent()
        relation = link.relation if link.parent is not None else "adapted"

        def done(d: Derivation | None) -> None:
            if d is not None:
                self.save_correction(link.child, d.parent, d.relation, d.note)

        self.app.push_screen(CorrectionDialog(link.child, alignment.parent_units,
                                              parent_name=self.session.short(self.pair.parent),
                                              initial=initial, relation=relation), done)

    def _nearest_parent(self):
        """The parent unit of the nearest linked row above (where a local unit's source most likely is)."""
        idx = self.query_one(FrameTable).current_index()
        if idx is None:
            return None
        for k in range(int(idx), -1, -1):
            if self.links[k].parent is not None:
                return self.links[k].parent
        return None

    def action_undo_correction(self) -> None:
        link = self.current_link()
        if link is None or not self._can_correct():
            return
        if not link.corrected:
            self.notify("this unit has no correction to undo", severity="warning")
            return
        self._return_to = (link.child.unit_id, link.parent.unit_id if link.parent else None)
        self.session.undo_corrections(self.pair, link.child)
        self.notify(f"corrections of {link.child.unit_id} removed", title="corrections")
        self.reload()

    def save_correction(self, child, parent, relation: str, note: str) -> None:
        from align.errors import PlanechoError

        try:
            self.session.correct(self.pair, child, parent, relation, note)
        except PlanechoError as e:
            self.papp.report_error(f"correction not saved: {e}")
            return
        what = "link marked wrong" if relation == "none" else f"{child.unit_id} ← {parent.unit_id} {relation}"
        self.notify(f"{what} → {self.session.corrections_path}", title="correction saved")
        self._return_to = (child.unit_id, parent.unit_id if relation != "none" else None)
        self.reload()

    def reload(self) -> None:
        """Read the pair's (corrected) results again; other views of the pair are rebuilt when shown."""
        self.papp.pair_changed(self.pair)
        self.set_loading(True)
        self.load()

    @on(FrameTable.Activated, "#pairs-table")
    def _row_selected(self) -> None:
        self.action_open_text("child")

    def action_open_text(self, side: str) -> None:
        link = self.current_link()
        if link is None:
            return
        if side == "parent":
            if link.parent is None:
                self.notify("a local unit has no parent unit", severity="warning")
                return
            self.papp.open_document(self.pair.parent, link.parent.unit_id, pair=self.pair)
        else:
            self.papp.open_document(self.pair.child, link.child.unit_id, pair=self.pair)

    def export_table(self):
        table = self.query_one(FrameTable)
        return ("pairs", table.frame) if table.frame is not None else None
