"""Home: the corpus hierarchy, each plan with its echo and coverage against
its parent(s); Enter opens a pair."""
from __future__ import annotations

import time

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Header, ProgressBar, Static, Tree
from textual.worker import get_current_worker

from align.errors import PlanechoError

from .. import render
from ..data import Pair
from ..widgets.lists import KeyTree
from ..widgets.table import Col, FrameTable
from .base import HELP_FIRST, ExportableScreen
from ..widgets.footer import KeyFooter
from .dialogs import ChoiceDialog

LEVEL_MARK = {"nation": "国", "province": "省", "city": "市", "county": "县", "district": "区"}
SCORE_CELLS = 26  # "  echo  23.3% · cov  29.2%"
GUIDE = 4  # cells of tree guide per level

SCORE_COLUMNS = [
    Col("parent", "against", width=12),
    Col("distance", "up", width=3, kind="int"),
    Col("echo", "echo", width=6, kind="pct"),
    Col("coverage", "cover", width=6, kind="pct"),
    Col("verbatim", "verb.", width=5, kind="int", wide_only=True),
    Col("adapted", "adap.", width=5, kind="int", wide_only=True),
    Col("partial", "part.", width=5, kind="int", wide_only=True),
    Col("local", "local", width=5, kind="int", wide_only=True),
    Col("dropped", "drop.", width=5, kind="int"),
]


def pad(text: Text, cells: int) -> Text:
    """Cut or pad to exactly ``cells`` terminal cells (CJK counts two)."""
    text = text.copy()
    if text.cell_len > cells:
        text.truncate(cells, overflow="ellipsis")
    text.pad_right(cells - cell_len(text.plain))
    return text


class HierarchyTree(KeyTree):
    BINDINGS = [Binding("enter", "select_cursor", "Open pair", id="home.open"),
                Binding("space", "toggle_node", "Fold", show=False, id="home.fold")]
    _labelled_width = 0

    def on_resize(self) -> None:
        # labels are cut to the width; a new label can change the virtual size (another
        # Resize), so relabel only when the width itself changed
        if self.size.width != self._labelled_width:
            self._labelled_width = self.size.width
            self.screen.relabel_all()  # type: ignore[attr-defined]


class HomeScreen(ExportableScreen):
    BINDINGS = [
        HELP_FIRST,
        Binding("t", "open_text", "Text", id="home.text"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, list] = {}
        self.ready = False
        self.pandas_ready = False
        self.failed_pairs: dict[Pair, str] = {}

    @property
    def session(self):
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="loading"):
            yield Static("reading the plans…", id="loading-label", markup=False)
            yield ProgressBar(total=len(self.session.entries()) + 2 + len(self.session.pairs()), id="progress",
                              show_eta=False)
        yield Static("", id="errors", markup=False)
        with Horizontal(id="body"):
            yield HierarchyTree(Text(""), id="hierarchy")
            with Vertical(id="side"):
                yield Static("", id="doc-info", markup=False)
                yield FrameTable(SCORE_COLUMNS, narrow_at=160, id="doc-scores")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "hierarchy · echo and coverage against each parent"
        self.fill_tree()
        tree = self.query_one("#hierarchy", KeyTree)
        tree.focus()
        self.load_all()

    # -- the tree ----------------------------------------------------------------
    def fill_tree(self) -> None:
        s = self.session
        tree = self.query_one("#hierarchy", KeyTree)
        tree.auto_expand = False
        tree.root.label = Text(f"{s.manifest_label()} · {len(s.entries())} plans · {len(s.pairs())} pairs",
                               style="bold")
        tree.root.data = None
        self.nodes.clear()
        ids = {e.id for e in s.entries()}

        def add(node, entry, parent_id, depth):
            kids = s.manifest.children(entry.id)
            data = (entry.id, parent_id, depth)
            label = self.label(*data)
            child = node.add(label, data=data, expand=True) if kids else node.add_leaf(label, data=data)
            self.nodes.setdefault(entry.id, []).append(child)
            for kid in kids:
                add(child, kid, entry.id, depth + 1)

        for e in s.entries():
            if not [p for p in e.parents if p in ids]:
                add(tree.root, e, None, 1)
        tree.root.expand()
        tree.cursor_line = 1 if tree.root.children else 0

    def label(self, doc_id: str, parent_id: str | None, depth: int) -> Text:
        """Level mark, title (cut to fit: the scores line up in one column), echo and
        coverage against the plan it sits under."""
        s = self.session
        width = self.query_one("#hierarchy").size.width if self.is_mounted else 0
        expandable = 2 if s.manifest.children(doc_id) else 0  # "▼ "
        room = (width or 72) - GUIDE * depth - expandable - 3 - SCORE_CELLS - 1
        title_cells = max(12, min(cell_len(s.title(doc_id)), room))
        t = Text()
        t.append(LEVEL_MARK.get(s.level(doc_id), "·"), style="bold magenta")
        t.append(" ")
        t.append(pad(Text(s.title(doc_id)), title_cells))
        if parent_id is None:
            t.append("  top of the hierarchy", style="dim")
            return t
        pair = Pair(parent_id, doc_id)
        if pair in self.failed_pairs or doc_id in s.errors or parent_id in s.errors:
            t.append("  failed", style="bold red")
        elif s.errors and not s.has("scores", pair):
            t.append("  not compared", style="dim")
        elif s.has("scores", pair):
            sc = s.scores(pair)
            t.append("  echo ", style="dim")
            t.append(f"{sc['echo']:6.1%}", style="bold")
            t.append(" · cov ", style="dim")
            t.append(f"{sc['coverage']:6.1%}", style="bold")
        else:
            t.append("  …", style="dim")
        return t

    def relabel(self, doc_id: str) -> None:
        for node in self.nodes.get(doc_id, []):
            node.set_label(self.label(*node.data))

    def relabel_all(self) -> None:
        for doc_id in self.nodes:
            self.relabel(doc_id)

    def current_doc(self) -> tuple[str, str | None] | None:
        node = self.query_one("#hierarchy", KeyTree).cursor_node
        return node.data[:2] if node is not None and node.data else None

    @on(Tree.NodeSelected, "#hierarchy")
    def _selected(self) -> None:
        self.action_open_pair()

    @on(Tree.NodeHighlighted, "#hierarchy")
    def _highlighted(self) -> None:
        self.update_side()

    def update_side(self) -> None:
        with_table = self.pandas_ready  # the side table needs pandas; until it is imported, the info only
        s = self.session
        info = self.query_one("#doc-info", Static)
        cur = self.current_doc()
        table = self.query_one("#doc-scores", FrameTable)
        if cur is None:
            info.update(Text("planecho: how each plan echoes the plans above it.\n"
                             "echo = share of a plan's text derived from its parent (verbatim 1, adapted 0.7, "
                             "partial 0.3); coverage = share of the parent's units carried down.", style="dim"))
            table.display = False
            return
        doc_id, _ = cur
        e = s.entry(doc_id)
        out = Text()
        out.append(s.title(doc_id), style="bold")
        if e is not None:
            out.append(f"\n{e.level} · {e.region} · {e.date} · {e.file.name}", style="dim")
            if e.notes:
                out.append(f"\n{e.notes}", style="italic dim")
        ancestors = s.ancestors(doc_id)
        if not ancestors:
            out.append("\ntop of the hierarchy: open one of the plans below it", style="dim")
        if doc_id in s.errors:
            out.append(f"\n{s.errors[doc_id]}", style="bold red")
        info.update(out)
        table.display = bool(ancestors) and with_table
        if table.display:
            import pandas as pd

            rows = []
            for anc, distance in ancestors:
                pair = Pair(anc, doc_id)
                sc = s.scores(pair) if s.has("scores", pair) else {}
                rows.append({"parent": s.short(anc), "parent_doc": anc, "distance": distance, **{
                    k: sc.get(k) for k in ("echo", "coverage", "verbatim", "adapted", "partial", "local", "dropped")}})
            table.show(pd.DataFrame(rows), keep_cursor=False)

    # -- loading -------------------------------------------------------------------
    class Progress(Message):
        def __init__(self, done: int, total: int, text: str, doc: str | None = None) -> None:
            super().__init__()
            self.done, self.total, self.text, self.doc = done, total, text, doc

    class Loaded(Message):
        def __init__(self, failed: dict[str, str] | None = None) -> None:
            super().__init__()
            self.failed = failed or {}

    @work(thread=True, exclusive=True, group="home-load")
    def load_all(self) -> None:
        """Read every plan and align every pair (from the cache when it has them).
        The bar moves with each stage: each plan read, then — when some pair is
        not in the cache — the engine's libraries and the corpus model, then
        each pair.  Progress goes by messages (post_message is thread-safe and
        does not wait), at most every 0.1 s within a stage: from the cache the
        whole load takes a fraction of a second."""
        worker = get_current_worker()
        s = self.session
        pairs = s.pairs()
        n_docs = len(s.entries())
        total = n_docs + 2 + len(pairs)
        last = [0.0]
        done = [0]

        def progress(text: str, doc: str | None = None, *, step: int = 0, force: bool = False) -> None:
            done[0] += step
            now = time.monotonic()
            if doc is not None:  # a pair is done: its label in the tree (the bar follows)
                self.post_message(self.Progress(done[0], total, text, doc))
            elif force or now - last[0] >= 0.1:
                last[0] = now
                self.post_message(self.Progress(done[0], total, text, doc))

        reads = [0]

        def reading(text: str) -> None:  # called before each plan is read
            done[0] = reads[0]
            reads[0] += 1
            progress(text)

        failed = s.load_documents(progress=reading)
        if failed:
            self.post_message(self.Loaded(failed))
            return
        done[0] = n_docs
        if s.needs_engine():
            for text, run in s.engine_stages():
                if worker.is_cancelled:
                    return
                progress(text, force=True)
                run()
                done[0] += 1
        else:
            done[0] += 2
        for k, pair in enumerate(pairs, 1):
            if worker.is_cancelled:
                return
            progress(f"aligning {s.pair_label(pair)} ({k}/{len(pairs)})…", force=k == 1)
            try:
                s.scores(pair)
            except PlanechoError as e:
                self.failed_pairs[pair] = str(e)
                self.app.call_from_thread(self.app.report_error, f"{s.pair_label(pair)}: {e}")  # type: ignore
            progress("", pair.child, step=1)
        if not worker.is_cancelled:
            self.post_message(self.Loaded())

    @work(thread=True, exclusive=True, group="warm")
    def warm_up(self) -> None:
        """Import pandas (every table needs it) once the home screen is drawn."""
        import pandas  # noqa: F401

        self.pandas_ready = True
        self.app.call_from_thread(self._side_if_shown)

    def _side_if_shown(self) -> None:
        from textual.css.query import NoMatches

        try:
            self.update_side()
        except NoMatches:  # the app is closing: the side pane is gone
            pass

    def on_home_screen_progress(self, event: Progress) -> None:
        self.query_one("#progress", ProgressBar).update(total=event.total, progress=event.done)
        if event.doc is not None:
            self.relabel(event.doc)
            return
        self.query_one("#loading-label", Static).update(Text(event.text, style="dim"))

    def on_home_screen_loaded(self, event: Loaded) -> None:
        if event.failed:
            self.documents_failed(event.failed)
        else:
            self.all_ready()

    def documents_failed(self, failed: dict[str, str]) -> None:
        self.query_one("#loading").display = False
        lines = Text()
        lines.append("Some plans could not be read, so nothing can be compared yet "
                     "(distinctiveness is judged against every plan of the manifest):\n", style="bold")
        for message in failed.values():
            lines.append(f"• {message}\n")
        self.relabel_all()
        lines.append("Fix or remove them in the manifest, then start planecho tui again. ctrl+q quits.", style="dim")
        errors = self.query_one("#errors", Static)
        errors.update(lines)
        errors.add_class("-shown")
        self.app.notify("some plans could not be read: see the message on the home screen", severity="error",
                        timeout=10)

    def all_ready(self) -> None:
        self.ready = True
        self.query_one("#loading").display = False
        self.relabel_all()
        self.set_timer(0.3, self.warm_up)
        self.app.post_message(self.app.HomeReady())  # type: ignore[attr-defined]

    # -- actions -----------------------------------------------------------------
    def action_open_pair(self) -> None:
        cur = self.current_doc()
        if cur is None:
            return
        doc_id, tree_parent = cur
        ancestors = self.session.ancestors(doc_id)
        if not ancestors:
            self.notify("the top of the hierarchy has no parent: open one of the plans below it")
            return
        if len(ancestors) == 1:
            self.app.open_pair(Pair(ancestors[0][0], doc_id))  # type: ignore[attr-defined]
            return
        self.app.push_screen(self.parent_dialog(doc_id, tree_parent),
                             lambda parent: parent and self.app.open_pair(Pair(parent, doc_id)))  # type: ignore

    def parent_dialog(self, doc_id: str, tree_parent: str | None) -> ChoiceDialog:
        s = self.session
        options = []
        for anc, distance in s.ancestors(doc_id):
            t = Text()
            t.append(pad(Text(s.short(anc), style="bold"), 14))
            t.append(pad(Text("parent" if distance == 1 else f"{distance} levels up", style="dim"), 12))
            pair = Pair(anc, doc_id)
            if s.has("scores", pair):
                sc = s.scores(pair)
                t.append(f"echo {sc['echo']:6.1%} · cov {sc['coverage']:6.1%}")
            t.append(f"\n{s.title(anc)}", style="dim")
            options.append((t, anc))
        title = Text()
        title.append(s.short(doc_id), style="bold")
        title.append(" against which plan?")
        return ChoiceDialog(title, options, highlight=tree_parent, note="Enter opens · Esc cancels",
                            dialog_id="parent-dialog")

    @on(FrameTable.Activated, "#doc-scores")
    def _score_row(self, event: FrameTable.Activated) -> None:
        cur = self.current_doc()
        row = event.table.current_record()
        if cur and row:
            self.app.open_pair(Pair(row["parent_doc"], cur[0]))  # type: ignore[attr-defined]

    def action_open_text(self) -> None:
        cur = self.current_doc()
        if cur is None:
            return
        doc_id, parent = cur
        self.app.open_document(doc_id, None, pair=Pair(parent, doc_id) if parent else None)  # type: ignore

    def export_table(self):
        if not self.ready:
            return None
        return "scores", self.session.scores_frame()
