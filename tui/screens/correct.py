"""Dialogs of a scholar's corrections: mark a link wrong (with a note), or mark
a child unit as derived from a chosen parent unit with a relation."""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from .. import render
from ..widgets.lists import KeyOptionList

DERIVED = ("verbatim", "adapted", "partial")
MAX_OPTIONS = 400  # parent units listed at once; typing narrows them


def _unit_line(unit, width: int = 60) -> Text:
    t = Text()
    t.append(f"{unit.unit_id:<11}", style="dim")
    t.append(render.cell(unit.text, width))
    return t


class NoteDialog(ModalScreen):
    """A title, what is corrected, and a one-line note; Enter saves, Esc cancels.
    Dismisses with the note ("" for none) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: Text, body: Text) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.body, id="note-body", markup=False)
            yield Input(placeholder="note (optional): why", id="note")
            yield Static(Text("Enter saves to the corrections file · Esc cancels", style="dim"),
                         classes="dialog-note", markup=False)

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Derivation:
    parent: object  # the parent Unit
    relation: str
    note: str


class CorrectionDialog(ModalScreen):
    """Choose the parent unit a child unit derives from (type to narrow the
    list), the relation, and a note.  Dismisses with a :class:`Derivation` or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "save", "Save", id="dialog.save"),
    ]

    def __init__(self, child, parent_units: list, *, parent_name: str, initial=None,
                 relation: str = "adapted") -> None:
        super().__init__()
        self.child = child
        self.parent_units = parent_units
        self.parent_name = parent_name
        self.initial = initial
        self.relation = relation if relation in DERIVED else "adapted"
        self.shown: list = []

    def compose(self) -> ComposeResult:
        title = Text()
        title.append("Derived from which parent unit? ", style="bold")
        title.append(f"{self.child.unit_id} ", style="dim")
        title.append(render.cell(self.child.text, 120))
        with Vertical(classes="dialog", id="correct-dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            yield Select([(r, r) for r in DERIVED], value=self.relation, allow_blank=False, compact=True,
                         id="relation")
            yield Input(placeholder=f"search the units of {self.parent_name} (text or id)", compact=True,
                        id="unit-search")
            yield KeyOptionList(id="units")
            yield Input(placeholder="note (optional)", compact=True, id="note")
            yield Static(Text("Enter on a unit, then Enter in the note saves (or ctrl+s) · Esc cancels",
                              style="dim"), classes="dialog-note", markup=False)

    def on_mount(self) -> None:
        self.fill("")
        self.query_one("#units", KeyOptionList).focus()

    def fill(self, query: str) -> None:
        q = query.strip()
        units = [u for u in self.parent_units if not q or q in u.text or q == u.unit_id]
        self.shown = units[:MAX_OPTIONS]
        if self.initial is not None and self.initial in units and self.initial not in self.shown:
            self.shown.append(self.initial)
        options = self.query_one("#units", KeyOptionList)
        options.clear_options()
        # one line per unit: the dialog's width (110, at most 96 % of the screen) less borders, padding and the id
        width = max(20, min(110, int(self.app.size.width * 0.96)) - 2 - 2 - 8 - 11)
        options.add_options([Option(_unit_line(u, width), id=str(k)) for k, u in enumerate(self.shown)])
        if self.initial is not None and self.initial in self.shown:
            options.highlighted = self.shown.index(self.initial)
        elif self.shown:
            options.highlighted = 0

    @on(Input.Changed, "#unit-search")
    def _search(self, event: Input.Changed) -> None:
        self.fill(event.value)

    @on(Input.Submitted, "#unit-search")
    def _to_list(self) -> None:
        self.query_one("#units", KeyOptionList).focus()

    @on(OptionList.OptionSelected, "#units")
    def _chosen(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _note_done(self) -> None:
        self.action_save()

    def chosen(self):
        options = self.query_one("#units", KeyOptionList)
        k = options.highlighted
        return self.shown[k] if k is not None and 0 <= k < len(self.shown) else None

    def action_save(self) -> None:
        unit = self.chosen()
        if unit is None:
            self.notify("choose a parent unit first", severity="warning")
            return
        relation = self.query_one("#relation", Select).value
        self.dismiss(Derivation(unit, str(relation), self.query_one("#note", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
