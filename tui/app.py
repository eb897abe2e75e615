"""The planecho terminal UI: browse the hierarchy, aligned pairs, divergences,
section maps, phrase lineage and the documents, keyboard first.

>>> app = make_app()                      # the bundled manifest, results from the cache
>>> app = make_app(child="linhai-14fyp-outline", parent="taizhou-urbanization-14fyp")  # opens that pair

The app reads what the engine produced (through :class:`tui.data.Session`)
and only filters, sorts and formats it.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import get_current_worker

from align.errors import PlanechoError

from .commands import PlanechoCommands
from .data import Pair, Session
from .screens.base import ExportableScreen, PairView
from .screens.home import HomeScreen

log = logging.getLogger(__name__)

VIEWS = {  # view → (module, class); imported when first shown, so the home screen starts sooner
    "pairs": ("pair", "PairScreen"),
    "divergences": ("divergences", "DivergenceScreen"),
    "sectionmap": ("sectionmap", "SectionMapScreen"),
    "lineage": ("lineage", "LineageScreen"),
}


def view_class(view: str) -> type[PairView]:
    from importlib import import_module

    module, name = VIEWS[view]
    return getattr(import_module(f"tui.screens.{module}"), name)


class PlanechoApp(App):
    """Use :func:`make_app` to build one."""

    CSS_PATH = "app.tcss"
    TITLE = "planecho"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (160, "-huge")]
    COMMANDS = App.COMMANDS | {PlanechoCommands}
    BINDINGS = [  # e first: a narrow footer keeps it
        Binding("e", "export_dialog", "Export", id="app.export"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("f1", "help", "Help", show=False, id="app.help"),
        Binding("escape", "back", "Back", id="app.back"),
    ]

    class HomeReady(Message):
        """Every pair of the manifest is loaded (from the cache or computed)."""

    def __init__(self, session: Session, *, start_pair: Pair | None = None, out_dir: str | os.PathLike = "outputs",
                 started: float | None = None) -> None:
        super().__init__()
        self.session = session
        self.start_pair = start_pair
        self.out_dir = Path(out_dir)
        self.started = started if started is not None else time.perf_counter()
        self.ready_seconds: float | None = None  # process (or make_app) start → home loaded

    def get_default_screen(self) -> HomeScreen:
        return HomeScreen()

    def on_mount(self) -> None:
        if self.start_pair is not None:
            self.open_pair(self.start_pair)

    def on_planecho_app_home_ready(self, _: HomeReady) -> None:
        self.ready_seconds = time.perf_counter() - self.started
        log.debug("home screen ready in %.2f s", self.ready_seconds)

    def report_error(self, message: str) -> None:
        """A user-facing problem (bad input): a notification, never a traceback."""
        self.notify(message, title="planecho", severity="error", timeout=10)

    # -- navigation ----------------------------------------------------------------
    @property
    def home(self) -> HomeScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    def current_pair(self) -> Pair | None:
        for screen in reversed(self.screen_stack):
            pair = getattr(screen, "pair", None)
            if pair is not None:
                return pair
        return None

    def _unwind(self, keep) -> None:
        """Pop screens above the first one (from the top) for which keep(screen) holds."""
        while len(self.screen_stack) > 1 and not keep(self.screen):
            self.pop_screen()

    def show_view(self, view: str, pair: Pair) -> PairView:
        """Show one view of a pair: switch from another pair view, or push over home."""
        name = f"{view}|{pair.parent}|{pair.child}"
        if not self.is_screen_installed(name):
            self.install_screen(view_class(view)(pair), name)
        target = self.get_screen(name)
        self._unwind(lambda s: isinstance(s, (PairView, HomeScreen)))
        if self.screen is not target:
            if isinstance(self.screen, PairView):
                self.switch_screen(name)
            else:
                self.push_screen(name)
        return target  # type: ignore[return-value]

    def open_pair(self, pair: Pair) -> None:
        self.show_view("pairs", pair)

    def action_view(self, view: str) -> None:
        pair = self.current_pair()
        if pair is None:
            self.notify("open a pair first (Enter on a plan of the hierarchy)")
            return
        self.show_view(view, pair)

    def pair_changed(self, pair: Pair) -> None:
        """A correction changed ``pair``'s results: views of it not on the stack are
        built afresh when next shown, and the home screen shows its new scores."""
        for name in [f"{view}|{pair.parent}|{pair.child}" for view in VIEWS] + [
                f"doc|{doc}|{pair.parent}|{pair.child}" for doc in (pair.parent, pair.child)]:
            if self.is_screen_installed(name) and self.get_screen(name) not in self.screen_stack:
                self.uninstall_screen(name)
        self.refresh_home(pair)

    @work(thread=True, group="home-refresh")
    def refresh_home(self, pair: Pair) -> None:
        try:
            self.session.scores(pair)
        except PlanechoError:
            return
        self.call_from_thread(self.home.relabel, pair.child)

    def action_home(self) -> None:
        self._unwind(lambda s: isinstance(s, HomeScreen))

    def show_divergence(self, tab: str) -> None:
        pair = self.current_pair()
        if pair is not None:
            screen = self.show_view("divergences", pair)
            if screen.loaded:
                self.call_after_refresh(screen.show_tab, tab)
            else:
                screen.initial_tab = tab

    def filter_pairs(self, *, clear: bool = False, **changes) -> None:
        """Apply a filter to the pair view of the current pair (shown first)."""
        pair = self.current_pair()
        if pair is None:
            return
        screen = self.show_view("pairs", pair)
        if clear:
            screen.action_clear_filters()  # type: ignore[attr-defined]
        else:
            screen.set_filter(**changes)  # type: ignore[attr-defined]

    def open_document(self, doc_id: str, unit_id: str | None, *, pair: Pair | None = None) -> None:
        """The document view of ``doc_id`` (units marked against ``pair``), at ``unit_id``."""
        from .screens.document import DocumentScreen

        if pair is not None and doc_id not in (pair.parent, pair.child):
            pair = None
        name = f"doc|{doc_id}|{pair.parent + '|' + pair.child if pair else '-'}"
        if not self.is_screen_installed(name):
            self.install_screen(DocumentScreen(doc_id, pair), name)
        target = self.get_screen(name)
        if target in self.screen_stack:
            self._unwind(lambda s: s is target)
        else:
            self.push_screen(target)
        if unit_id is not None:
            target.goto(unit_id)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "back":
            return len(self.screen_stack) > 1
        if action == "view":
            pair = getattr(self.screen, "pair", None)
            if pair is None:
                return False
            return None if getattr(self.screen, "VIEW", None) == parameters[0] else True
        if action == "export_dialog":
            return isinstance(self.screen, ExportableScreen)
        return True

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        from .screens.help import HelpScreen, binding_rows

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(binding_rows(self.screen)))

    # -- export --------------------------------------------------------------------
    def base_screen(self) -> Screen:
        """The current screen, looking through the command palette and dialogs."""
        for screen in reversed(self.screen_stack):
            if not isinstance(screen, ModalScreen):
                return screen
        return self.screen_stack[0]

    def export_target(self):
        """(table name, DataFrame as shown) of the current screen, or None."""
        screen = self.base_screen()
        if not isinstance(screen, ExportableScreen):
            return None
        found = screen.export_table()
        return found if found is not None and found[1] is not None else None

    def export_path(self, table: str, fmt: str) -> Path:
        return self.session.export_path(self.out_dir, self.current_pair_of_screen(), table, fmt)

    def current_pair_of_screen(self) -> Pair | None:
        return getattr(self.base_screen(), "pair", None)

    def action_export_dialog(self) -> None:
        from .screens.dialogs import export_dialog

        found = self.export_target()
        if found is None:
            self.notify("nothing to export on this screen yet", severity="warning")
            return
        name, df = found
        pair = self.current_pair_of_screen()
        shown = self.export_path(name, "<format>")

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.write_export(df, pair, name, fmt)

        self.push_screen(export_dialog(name, len(df), str(shown)), chosen)

    def export(self, fmt: str) -> None:
        """Export the current table in ``fmt`` (the command palette's ``export:`` entries)."""
        found = self.export_target()
        if found is None:
            self.notify("nothing to export on this screen", severity="warning")
            return
        self.write_export(found[1], self.current_pair_of_screen(), found[0], fmt)

    @work(thread=True, group="export")
    def write_export(self, df, pair: Pair | None, table: str, fmt: str) -> None:
        try:
            path = self.session.export(df, self.out_dir, pair, table, fmt)
        except PlanechoError as e:
            self.call_from_thread(self.report_error, f"export failed: {e}")
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self.notify, f"{len(df)} rows → {path}", title="exported")


def make_app(manifest_path: str | os.PathLike | None = None, child: str | None = None, parent: str | None = None,
             *, use_cache: bool = True, out_dir: str | os.PathLike = "outputs",
             started: float | None = None, lexicon_files: tuple = (), generic_files: tuple = (),
             corrections: str | os.PathLike | bool = True) -> PlanechoApp:
    """Build the app: check the manifest and the two document refs (PlanechoError
    if bad, before anything starts); documents are read and aligned later, in a
    worker, from the result cache when it has them.

    ``child`` and ``parent`` (manifest ids or file paths) open that pair at once.
    ``corrections``: the scholar's corrections file (True: ``corrections.jsonl``
    beside the manifest; False: none, and no correcting).
    """
    from align.reading.corpus import default_manifest_path
    from align.reading.document import resolve
    from compare.workspace import Workspace

    if (child is None) != (parent is None):
        raise PlanechoError("give both CHILD and PARENT to open a pair, or neither")
    path = Path(manifest_path) if manifest_path is not None else default_manifest_path()
    ws = Workspace.open(path, use_cache=use_cache, lexicon_files=lexicon_files, generic_files=generic_files,
                        corrections=corrections)
    extra: dict[str, str] = {}
    start = None
    if child is not None and parent is not None:
        ids = []
        for ref in (parent, child):
            entry = resolve(ref, ws.manifest)  # InputError: neither an id nor an existing file
            if entry.id not in ws.manifest:
                extra[entry.id] = str(ref)
            ids.append(entry.id)
        if ids[0] == ids[1]:
            raise PlanechoError("CHILD and PARENT are the same document")
        start = Pair(ids[0], ids[1])
    return PlanechoApp(Session(ws, extra=extra), start_pair=start, out_dir=out_dir, started=started)
