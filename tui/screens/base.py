"""What the views of one (child, parent) pair share: the view keys, loading
the pair's results in a worker, and the table ``e`` exports."""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from align.errors import PlanechoError

from ..data import Pair

if TYPE_CHECKING:
    import pandas as pd

    from ..app import PlanechoApp
    from ..data import Session

HELP_FIRST = Binding("question_mark", "app.help", "Help", key_display="?", id="app.help")  # listed early in the footer

VIEWS = Binding.Group("views", compact=True)  # one footer label below 100 columns: "pdsl views"

VIEW_BINDINGS = [
    Binding("p", "app.view('pairs')", "Pairs", id="view.pairs", group=VIEWS),
    Binding("d", "app.view('divergences')", "Divergences", id="view.divergences", group=VIEWS),
    Binding("s", "app.view('sectionmap')", "Section map", id="view.sectionmap", group=VIEWS),
    Binding("l", "app.view('lineage')", "Lineage", id="view.lineage", group=VIEWS),
]


class ExportableScreen(Screen):
    """A screen with a current table that ``e`` exports."""

    pair: Pair | None = None

    def export_table(self) -> tuple[str, "pd.DataFrame"] | None:
        """(table name, the table as currently filtered and sorted) or None."""
        return None


class PairView(ExportableScreen):
    """One of the views of a pair: pairs, divergences, section map, lineage."""

    VIEW = ""
    VIEW_TITLE = ""
    # each view lists HELP_FIRST, its own keys, then VIEW_BINDINGS (the footer keeps that order)

    def __init__(self, pair: Pair) -> None:
        super().__init__()
        self.pair = pair
        self.loaded = False

    @property
    def papp(self) -> "PlanechoApp":
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> "Session":
        return self.papp.session

    def sub_title_for_pair(self) -> None:
        self.sub_title = f"{self.session.pair_label(self.pair)} · {self.VIEW_TITLE}"

    def on_mount(self) -> None:
        self.sub_title_for_pair()
        self.set_loading(True)
        self.load()

    def set_loading(self, on: bool) -> None:
        body = self.query("#body")
        if body:
            body.first().loading = on

    @work(thread=True, exclusive=True, group="pair-load")
    def load(self) -> None:
        """Fetch this view's results from the engine (the cache, or computed here)."""
        worker = get_current_worker()
        try:
            data = self.fetch()
        except PlanechoError as e:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.failed, str(e))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._loaded, data)

    def _loaded(self, data) -> None:
        self.set_loading(False)
        self.loaded = True
        self.show(data)

    def failed(self, message: str) -> None:
        self.set_loading(False)
        self.papp.report_error(f"{self.session.pair_label(self.pair)}: {message}")

    def fetch(self):
        """Runs in a worker thread: the engine results this view shows."""
        raise NotImplementedError

    def show(self, data) -> None:
        """Runs on the UI thread with what fetch() returned."""
        raise NotImplementedError
