"""Document view: the cleaned text with its section tree; aligned units marked
(against the pair the view was opened from), scrolling to a chosen unit."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from align.errors import PlanechoError

from .. import render
from ..data import Pair
from ..widgets.lists import KeyOptionList, KeyTree
from .base import HELP_FIRST, VIEW_BINDINGS
from ..widgets.footer import KeyFooter


class DocumentScreen(Screen):
    VIEW_TITLE = "document"
    BINDINGS = [
        HELP_FIRST,
        Binding("n", "next_mark(1)", "Next marked", id="document.next"),
        Binding("N", "next_mark(-1)", "Previous marked", show=False, id="document.previous"),
        *VIEW_BINDINGS,
    ]

    def __init__(self, doc_id: str, pair: Pair | None = None) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.pair = pair
        self.loaded = False
        self.pending: str | None = None  # unit to go to once loaded
        self.target: str | None = None
        self.spans: dict[str, tuple[int, int, int]] = {}  # unit id → (paragraph, start, end)
        self.by_para: dict[int, list[str]] = {}  # paragraph → its unit ids, in order
        self.units: dict[str, object] = {}
        self.marks: dict[str, str] = {}  # unit id → verbatim/adapted/partial/carried/dropped
        self.info: dict[str, str] = {}  # unit id → one line about its link(s)
        self.paragraphs: list[str] = []
        self.heading_paras: dict[int, object] = {}

    @property
    def session(self):
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield KeyTree("sections", id="toc")
            with Vertical(id="text-pane"):
                yield KeyOptionList(id="text")
                yield Static("", id="unit-info", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        s = self.session
        role = ""
        if self.pair is not None:
            role = " (child)" if self.doc_id == self.pair.child else " (parent)" if self.doc_id == self.pair.parent else ""
        self.sub_title = f"{s.short(self.doc_id)}{role} · document"
        self.query_one("#body").loading = True
        self.load()

    @work(thread=True, exclusive=True, group="doc-load")
    def load(self) -> None:
        s = self.session
        try:
            doc = s.document(self.doc_id)
            best = parent_status = None
            if self.pair is not None and self.doc_id == self.pair.child:
                best = s.best_links(self.pair)
            elif self.pair is not None and self.doc_id == self.pair.parent:
                parent_status = s.parent_status(self.pair)
        except PlanechoError as e:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self.failed, str(e))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, doc, best, parent_status)

    def failed(self, message: str) -> None:
        self.query_one("#body").loading = False
        self.app.report_error(f"{self.doc_id}: {message}")  # type: ignore[attr-defined]

    def show(self, doc, best, parent_status) -> None:
        s = self.session
        self.paragraphs = doc.cleaned.paragraph_texts()
        self.heading_paras = {h.paragraph: h for h in doc.headings}
        units = doc.alignable(s.ws.settings.unit)
        self.units = {u.unit_id: u for u in units}
        # where each unit sits in its paragraph (units tile the cleaned paragraphs in order)
        cursor: dict[int, int] = {}
        for u in units:
            para = self.paragraphs[u.paragraph] if 0 <= u.paragraph < len(self.paragraphs) else ""
            k = para.find(u.text, cursor.get(u.paragraph, 0))
            if k < 0:
                k = para.find(u.text)
            if k >= 0:
                self.spans[u.unit_id] = (u.paragraph, k, k + len(u.text))
                self.by_para.setdefault(u.paragraph, []).append(u.unit_id)
                cursor[u.paragraph] = k + len(u.text)
        other = ""
        if best is not None:
            other = s.short(self.pair.parent)
            for uid, l in best.items():
                if l.relation != "local":
                    self.marks[uid] = l.relation
                    self.info[uid] = f"{l.relation} {l.score:.2f} ← {other} {l.parent.unit_id}: {l.parent.text}"
                else:
                    self.info[uid] = f"local: no source in {other}"
        elif parent_status is not None:
            other = s.short(self.pair.child)
            for p, status, links in parent_status:
                self.marks[p.unit_id] = status
                if status == "carried":
                    self.info[p.unit_id] = (f"carried by {len(links)} unit{'s' if len(links) > 1 else ''} of {other}: "
                                            f"{links[0].relation} {links[0].score:.2f} {links[0].child.text}")
                else:
                    self.info[p.unit_id] = f"dropped: no unit of {other} links to it"
        self._fill_toc(doc)
        text = self.query_one("#text", KeyOptionList)
        text.clear_options()
        text.add_options([Option(self._paragraph(i), id=str(i)) for i in range(len(self.paragraphs))])
        legend = Text()
        if best is not None:
            legend = render.legend(("verbatim", "adapted", "partial"))
            legend.append(f"  (child units by their link to {other})", style="dim")
        elif parent_status is not None:
            legend = render.legend(("carried", "dropped"))
            legend.append(f"  (parent units, against {other})", style="dim")
        self.legend = legend
        self.query_one("#body").loading = False
        self.loaded = True
        self._update_info()
        if self.pending:
            self.goto(self.pending)
        else:
            text.focus()

    def _fill_toc(self, doc) -> None:
        tree = self.query_one("#toc", KeyTree)
        tree.clear()
        tree.root.label = Text(self.session.short(self.doc_id), style="bold")
        tree.root.data = 0
        tree.show_root = True
        stack = [(0, tree.root)]
        for h in doc.headings:
            level = max(h.level, 1)
            while len(stack) > 1 and stack[-1][0] >= level:
                stack.pop()
            label = render.cell(h.text, 60, "italic" if h.form in ("run_in", "title") else "")
            node = stack[-1][1].add(label, data=h.paragraph, expand=level < 2)
            stack.append((level, node))
        tree.root.expand()

    def _paragraph(self, i: int) -> Text:
        para = Text(self.paragraphs[i])
        h = self.heading_paras.get(i)
        if h is not None:
            para.stylize("bold", 0, min(len(h.text), len(para.plain)) if h.run_in else len(para.plain))
        for uid in self.by_para.get(i, ()):
            _, a, b = self.spans[uid]
            mark = self.marks.get(uid)
            if mark:
                para.stylize(render.UNIT_STYLE[mark], a, b)
            if uid == self.target:
                para.stylize(render.STYLES["target"], a, b)
        return para

    # -- moving ----------------------------------------------------------------
    def goto(self, unit_id: str | None) -> None:
        """Scroll to a unit and mark it."""
        if not self.loaded:
            self.pending = unit_id
            return
        self.pending = None
        if unit_id is None or unit_id not in self.spans:
            if unit_id:
                self.notify(f"unit {unit_id} is not in {self.doc_id}", severity="warning")
            return
        text = self.query_one("#text", KeyOptionList)
        previous = self.spans.get(self.target or "")
        self.target = unit_id
        para = self.spans[unit_id][0]
        for p in {para, previous[0] if previous else para}:
            text.replace_option_prompt_at_index(p, self._paragraph(p))
        text.highlighted = para
        text.scroll_to_highlight(top=True)
        text.focus()
        self._update_info()

    def action_next_mark(self, step: int) -> None:
        if not self.loaded:
            return
        ordered = [uid for uid, _ in sorted(self.spans.items(), key=lambda kv: (kv[1][0], kv[1][1]))
                   if self.marks.get(uid) not in (None, "dropped")]
        if not ordered:
            return
        text = self.query_one("#text", KeyOptionList)
        here = (text.highlighted or 0, self.spans[self.target][1] if self.target in self.spans else -1)
        if step > 0:
            after = [u for u in ordered if (self.spans[u][0], self.spans[u][1]) > here]
            nxt = after[0] if after else ordered[0]
        else:
            before = [u for u in ordered if (self.spans[u][0], self.spans[u][1]) < here]
            nxt = before[-1] if before else ordered[-1]
        self.goto(nxt)

    @on(Tree.NodeHighlighted, "#toc")
    def _toc_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if self.loaded and event.node.data is not None:
            text = self.query_one("#text", KeyOptionList)
            text.highlighted = int(event.node.data)
            text.scroll_to_highlight(top=True)

    @on(Tree.NodeSelected, "#toc")
    def _toc_selected(self, event: Tree.NodeSelected) -> None:
        if self.loaded and event.node.data is not None:
            self.query_one("#text", KeyOptionList).focus()

    @on(OptionList.OptionHighlighted, "#text")
    def _para_highlighted(self) -> None:
        self._update_info()

    def _update_info(self) -> None:
        text = self.query_one("#text", KeyOptionList)
        out = Text()
        para = text.highlighted
        units = []
        if para is not None:
            units = sorted(self.by_para.get(para, ()), key=lambda u: self.spans[u][1])
        if self.target in units:  # the unit jumped to first
            units.remove(self.target)
            units.insert(0, self.target)
        for uid in units[:2]:
            line = Text()
            line.append(f"{uid} ", style="bold" if uid == self.target else "dim")
            line.append(self.info.get(uid, "not compared" if self.pair is None else ""))
            line.truncate(max(20, self.size.width * 2 - 4), overflow="ellipsis")
            if out:
                out.append("\n")
            out.append(line)
        if len(units) > 2:
            out.append(f"\n… {len(units) - 2} more unit{'s' if len(units) > 3 else ''} in this paragraph", style="dim")
        if getattr(self, "legend", None):
            if out:
                out.append("\n")
            out.append(self.legend)
        self.query_one("#unit-info", Static).update(out)
