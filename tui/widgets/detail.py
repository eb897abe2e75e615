"""The selected pair side by side, with the engine's evidence marked."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from .. import render


CORRECTED = {"removed": "corrected: a link of this unit was marked wrong",
             "added": "link added by a scholar", "confirmed": "link confirmed by a scholar",
             "changed": "relation set by a scholar"}


class PairDetail(VerticalScroll):
    """Child and parent wording of one link: shared phrases highlighted,
    inserted / deleted / reworded spans marked from the diff, changed numbers
    called out.  Long clauses wrap; on narrow screens the sides stack."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(id="detail-head", markup=False)
        yield Static(id="detail-notes", markup=False)
        with Horizontal(id="detail-sides"):
            with Vertical(classes="side"):
                yield Static(id="child-title", classes="side-title", markup=False)
                yield Static(id="child-text", classes="side-text", markup=False)
            with Vertical(classes="side"):
                yield Static(id="parent-title", classes="side-title", markup=False)
                yield Static(id="parent-text", classes="side-text", markup=False)
        yield Static(render.legend(), id="detail-legend", markup=False)

    def clear(self, message: str = "") -> None:
        self.query_one("#detail-head", Static).update(Text(message, style="dim"))
        for wid in ("#child-title", "#child-text", "#parent-title", "#parent-text", "#detail-notes"):
            self.query_one(wid, Static).update("")

    def show_link(self, link, child_name: str, parent_name: str, *, self_citation: str = "") -> None:
        """The link's relation and evidence; ``self_citation`` (``child``, ``parent`` or
        ``both``): which side names its own plan or basis documents (not counted)."""
        child, parent, notes = render.link_texts(link)
        head = Text()
        head.append(link.relation, style=render.RELATION_STYLE.get(link.relation, ""))
        if link.corrected == "added":
            head.append("  (no engine evidence: the scholar's link)", style="dim")
        elif link.parent is not None:
            head.append(f"  score {link.score:.2f}")
            head.append(f"  ·  child covered {link.child_coverage:.0%}, parent covered {link.parent_coverage:.0%}",
                        style="dim")
            if link.anchor:
                head.append("  ·  programme ", style="dim")
                head.append(link.anchor, style=render.STYLES["programme"])
        else:
            head.append("  no parent source: a local addition", style="dim")
        if self_citation:
            side = "child and parent" if self_citation == "both" else self_citation
            head.append(f"\n§ self-citation ({side}): a plan naming itself or the documents it is drawn up from; "
                        "shown, not counted in echo or coverage", style="dim")
        if link.corrected:
            head.append(f"\n✎ {CORRECTED.get(link.corrected, link.corrected)}", style="bold yellow")
            if link.note:
                head.append(f" · {link.note}")
            head.append("  (u undoes)", style="dim")
        self.query_one("#detail-head", Static).update(head)
        self.query_one("#child-title", Static).update(self._title("child", child_name, link.child))
        self.query_one("#child-text", Static).update(child)
        if link.parent is not None:
            self.query_one("#parent-title", Static).update(self._title("parent", parent_name, link.parent))
            self.query_one("#parent-text", Static).update(parent)
        else:
            self.query_one("#parent-title", Static).update(Text(f"parent · {parent_name}", style="bold dim"))
            self.query_one("#parent-text", Static).update(Text("—", style="dim"))
        notes_text = Text()
        for n in notes:
            if notes_text:
                notes_text.append("\n")
            notes_text.append("changed number ", style="bold")
            notes_text.append(n, style=render.STYLES["number"])
        self.query_one("#detail-notes", Static).update(notes_text)
        self.scroll_home(animate=False)

    @staticmethod
    def _title(side: str, name: str, unit) -> Text:
        t = Text()
        t.append(f"{side} · {name} ", style="bold")
        t.append(unit.unit_id, style="dim")
        if unit.section:
            t.append("\n")
            t.append(" > ".join(unit.section), style="italic dim")
        return t
