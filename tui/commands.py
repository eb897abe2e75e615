"""Command palette entries, namespaced: ``open: 台州 ← 浙江``, ``view: section
map``, ``filter: partial only``, ``export: pairs as XLSX``."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .data import RELATIONS

if TYPE_CHECKING:
    from .app import PlanechoApp

VIEWS = {"pairs": "pairs", "divergences": "divergences", "sectionmap": "section map", "lineage": "phrase lineage"}
TABS = {"dropped": "dropped", "local_additions": "local additions", "changed_targets": "changed targets",
        "rebranded_phrases": "re-branded phrases"}
FORMATS = {"csv": "CSV", "xlsx": "XLSX", "parquet": "Parquet", "jsonl": "JSONL"}


class PlanechoCommands(Provider):
    """The main actions of planecho, by name."""

    def commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: "PlanechoApp" = self.app  # type: ignore[assignment]
        s = app.session
        out: list[tuple[str, Callable[[], object], str]] = []
        pair = getattr(self.screen, "pair", None)
        if pair is not None:
            for view, name in VIEWS.items():
                out.append((f"view: {name}", partial(app.action_view, view), f"{s.pair_label(pair)}"))
            for tab, name in TABS.items():
                out.append((f"view: {name}", partial(app.show_divergence, tab), "a tab of the divergences view"))
            out.append((f"view: text of {s.short(pair.child)}", partial(app.open_document, pair.child, None, pair=pair),
                        s.title(pair.child)))
            out.append((f"view: text of {s.short(pair.parent)}",
                        partial(app.open_document, pair.parent, None, pair=pair), s.title(pair.parent)))
            for rel in RELATIONS:
                out.append((f"filter: {rel} only", partial(app.filter_pairs, relation=rel), "pair view"))
            out.append(("filter: linked only (not local)", partial(app.filter_pairs, relation="linked"), "pair view"))
            for step in (0.3, 0.5, 0.7):
                out.append((f"filter: score ≥ {step}", partial(app.filter_pairs, min_score=step), "pair view"))
            out.append(("filter: clear", partial(app.filter_pairs, clear=True), "all relations, any score, all chapters"))
        out.append(("view: home (hierarchy)", app.action_home, "the corpus tree with echo and coverage"))
        table = app.export_target()
        if table is not None:
            name, df = table
            for fmt, label in FORMATS.items():
                out.append((f"export: {name} as {label}", partial(app.export, fmt),
                            f"{len(df)} rows → {app.export_path(name, fmt)}"))
        for p in s.pairs():
            out.append((f"open: {s.pair_label(p)}", partial(app.open_pair, p), f"{s.title(p.child)} ← {s.title(p.parent)}"))
        out.append(("help: key bindings", app.action_help, "every key of this screen"))
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands():
            score = max(matcher.match(name), matcher.match(f"{name} {help_text}") * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
