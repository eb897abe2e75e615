"""Help: the key bindings of the screen below and of the whole app."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

ABOUT = (
    "planecho shows how a plan echoes the plans above it (province → city → county).\n"
    "echo = share of the child's text derived from the parent (verbatim 1.0, adapted 0.7, partial 0.3, local 0); "
    "coverage = share of the parent's units carried into the child.\n"
    "Views of a pair: p pairs · d divergences · s section map · l phrase lineage; t opens the text (at the highlighted unit); "
    "Esc goes back; e exports the table as shown; ctrl+p lists every action."
)


WIDGET_NAMES = {"FrameTable": "tables", "HierarchyTree": "hierarchy", "SectionGrid": "grid", "KeyTree": "tree",
                "KeyOptionList": "lists", "SearchInput": "search box"}


def binding_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, where) for the bindings active on ``screen``, then the app's."""
    app = screen.app
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        b: Binding = active.binding
        if not b.description or not b.id or (b.action, b.description) in seen:
            continue  # planecho's bindings carry ids; Textual's generic ones are summed up below
        seen.add((b.action, b.description))
        where = "everywhere" if active.node is app else ("this screen" if active.node is screen
                                                         else WIDGET_NAMES.get(type(active.node).__name__, "widget"))
        rows.append((b.key_display or app.get_key_display(b), b.description, where))
    extra = [("ctrl+p", "command palette: every action by name", "everywhere"),
             ("tab / shift+tab", "move between panes and filters", "everywhere"),
             ("↑ ↓ / j k", "move in lists and tables", "lists"),
             ("click a header", "sort by that column (again: reverse)", "tables"),
             ("ctrl+q", "quit", "everywhere")]
    for row in extra:
        if all(r[1].lower() != row[1].lower() for r in rows):
            rows.append(row)
    order = {"this screen": 0, "everywhere": 2}
    return sorted(rows, key=lambda r: order.get(r[2], 1))


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows  # computed before this screen covers the one it describes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Static(Text("planecho · keys", style="bold"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(Text(ABOUT, style="dim"), id="help-about", markup=False)
                table = Text()
                group = None
                for keys, description, where in self.rows:  # sorted by where: one heading per group
                    if where != group:
                        table.append(("\n" if group else "") + f"{'':>16}  {where}\n", style="bold dim")
                        group = where
                    table.append(f"{keys:>16}  ", style="bold cyan")
                    table.append(f"{description}\n")
                yield Static(table, id="help-keys", markup=False)
            yield Static(Text("Esc closes", style="dim"), classes="dialog-note")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
