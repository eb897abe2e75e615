"""Phrase lineage: a phrase (one of the parent's distinctive phrases, or
typed) and where it and its close variants occur, level by level."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from .. import render
from ..widgets.table import Col, FrameTable
from .base import HELP_FIRST, VIEW_BINDINGS, PairView
from ..widgets.footer import KeyFooter

STATUS_STYLE = {"carried": "green", "altered": "yellow", "absent": "dim"}


def _status(value, row) -> Text:
    t = Text(str(value), style=STATUS_STYLE.get(str(value), ""))
    if value == "altered" and row.get("child_form"):
        t.append(f" {row['child_form']}", style="yellow")
    return t


def _context(value, row) -> Text:
    """The engine's context string, its 【match】 highlighted."""
    text = Text(str(value).replace("\n", " "))
    marked = f"【{row.get('matched', '')}】"
    k = text.plain.find(marked)
    if k >= 0:
        style = render.STYLES["programme"] if row.get("match") == "exact" else render.STYLES["replaced"]
        text.stylize(style, k, k + len(marked))
    return text


class LineageScreen(PairView):
    VIEW = "lineage"
    VIEW_TITLE = "phrase lineage"
    BINDINGS = [
        HELP_FIRST,
        Binding("slash,i", "type_phrase", "Type a phrase", key_display="/", id="lineage.type"),
        Binding("t", "open_text", "Text", id="lineage.open"),
        *VIEW_BINDINGS,
    ]

    def __init__(self, pair) -> None:
        super().__init__(pair)
        self.phrase: str | None = None
        self.trace_frame = None

    def compose(self) -> ComposeResult:
        s = self.app.session  # type: ignore[attr-defined]
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="phrase-pane"):
                yield Input(placeholder="type a phrase · Enter traces it", compact=True, id="phrase-input")
                yield FrameTable([
                    Col("phrase", f"{s.short(self.pair.parent)}'s distinctive phrases", width=12, flex=1),
                    Col("kind", "kind", width=9, wide_only=True),
                    Col("weight", "weight", width=6, kind="score"),
                    Col("status", f"in {s.short(self.pair.child)}", width=10, fmt=_status),
                ], id="phrases")
            with Vertical(id="trace-pane"):
                yield Static("", id="trace-summary", markup=False)
                yield FrameTable([
                    Col("level", "level", width=8),
                    Col("doc", "plan", width=12, fmt=lambda v, row: render.cell(s.short(str(v)))),
                    Col("match", "match", width=7),
                    Col("context", "context", width=20, flex=1, fmt=_context),
                    Col("section", "section", width=20, wide_only=True),
                ], id="trace")
        yield KeyFooter()

    def fetch(self):
        return self.session.phrase_status(self.pair)

    def show(self, data) -> None:
        phrases = self.query_one("#phrases", FrameTable)
        phrases.show(data, keep_cursor=False)
        phrases.focus()
        self.query_one("#trace-summary", Static).update(
            Text("choose a phrase (Enter) or type one (/): its occurrences in every plan, province first", style="dim"))
        if len(data):
            self.trace(str(data.iloc[0]["phrase"]))

    # -- tracing ---------------------------------------------------------------
    @on(FrameTable.RowHighlighted, "#phrases")
    def _phrase_highlighted(self) -> None:
        row = self.query_one("#phrases", FrameTable).current_record()
        if row is not None:
            self.trace(str(row["phrase"]))

    @on(FrameTable.Activated, "#phrases")
    def _phrase_chosen(self) -> None:
        trace = self.query_one("#trace", FrameTable)
        if trace.row_count:
            trace.focus()

    @on(Input.Submitted, "#phrase-input")
    def _typed(self, event: Input.Submitted) -> None:
        phrase = event.value.strip()
        if phrase:
            self.trace(phrase)
            self.query_one("#trace", FrameTable).focus()

    def action_type_phrase(self) -> None:
        self.query_one("#phrase-input", Input).focus()

    def trace(self, phrase: str) -> None:
        if phrase == self.phrase:
            return
        self.phrase = phrase
        self.query_one("#trace-summary", Static).update(Text(f"tracing “{phrase}” …", style="dim"))
        self.run_trace(phrase)

    @work(thread=True, exclusive=True, group="trace")
    def run_trace(self, phrase: str) -> None:
        df = self.session.trace(phrase)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_trace, phrase, df)

    def show_trace(self, phrase: str, df) -> None:
        if phrase != self.phrase:
            return
        self.trace_frame = df
        self.query_one("#trace", FrameTable).show(df, keep_cursor=False)
        self.query_one("#trace-summary", Static).update(self.summary(phrase, df))

    def summary(self, phrase: str, df) -> Text:
        """Occurrences per level and plan, as the engine's trace lists them."""
        s = self.session
        out = Text()
        out.append(f"“{phrase}”", style="bold")
        out.append(f"  {len(df)} occurrence{'s' if len(df) != 1 else ''}\n", style="dim")
        if not len(df):
            out.append("not found in any plan of the manifest", style="dim")
            return out
        lines = []
        for level, by_level in df.groupby("level", sort=False):
            parts = []
            for doc, rows in by_level.groupby("doc", sort=False):
                exact = int((rows["match"] == "exact").sum())
                variants = sorted(set(rows.loc[rows["match"] != "exact", "matched"]))
                part = f"{s.short(doc)} {exact} exact"
                if variants:
                    part += f", {len(rows) - exact} variant ({'、'.join(variants[:3])})"
                parts.append(part)
            lines.append(f"{level}: " + " · ".join(parts))
        out.append("\n".join(lines))
        return out

    @on(FrameTable.Activated, "#trace")
    def _occurrence_chosen(self) -> None:
        self.action_open_text()

    def action_open_text(self) -> None:
        row = self.query_one("#trace", FrameTable).current_record()
        if row is None:
            return
        self.papp.open_document(str(row["doc"]), str(row["unit_id"]), pair=self.pair)

    def export_table(self):
        trace = self.query_one("#trace", FrameTable)
        if trace.frame is not None and self.focused is not self.query_one("#phrases", FrameTable):
            return "lineage", trace.frame
        phrases = self.query_one("#phrases", FrameTable)
        return ("phrases", phrases.frame) if phrases.frame is not None else None
