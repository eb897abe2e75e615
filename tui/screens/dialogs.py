"""Small modal dialogs: choosing a parent, choosing an export format."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..widgets.lists import KeyOptionList

FORMAT_LABELS = {
    "csv": "CSV  · UTF-8 with BOM, opens in Excel",
    "xlsx": "XLSX · Excel workbook",
    "parquet": "Parquet · typed columns, for pandas/R",
    "jsonl": "JSONL · one JSON object per line",
}


class ChoiceDialog(ModalScreen):
    """A title and a short list; Enter or a click chooses, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str | Text, options: list[tuple[Text | str, str]], *, note: str | Text = "",
                 highlight: str | None = None, dialog_id: str = "dialog") -> None:
        super().__init__()
        self.title_text = title if isinstance(title, Text) else Text(title)
        self.options = options
        self.note = note if isinstance(note, Text) else Text(note, style="dim")
        self.initial = highlight
        self.dialog_id = dialog_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id=self.dialog_id):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield KeyOptionList(*[Option(p if isinstance(p, Text) else Text(p), id=v) for p, v in self.options],
                                id="choices")
            if self.note:
                yield Static(self.note, classes="dialog-note", markup=False)

    def on_mount(self) -> None:
        choices = self.query_one("#choices", KeyOptionList)
        ids = [v for _, v in self.options]
        choices.highlighted = ids.index(self.initial) if self.initial in ids else 0
        choices.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def export_dialog(table: str, rows: int, example_path: str) -> ChoiceDialog:
    title = Text()
    title.append("Export ", style="bold")
    title.append(table, style="bold cyan")
    title.append(f" · {rows} row{'s' if rows != 1 else ''} as shown (filters and sort applied)")
    return ChoiceDialog(title, [(Text(label), fmt) for fmt, label in FORMAT_LABELS.items()],
                        note=f"to {example_path} · Esc cancels", dialog_id="export-dialog")
