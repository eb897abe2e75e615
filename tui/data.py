"""What the terminal UI reads from the engine, and nothing more.

:class:`Session` wraps a :class:`~compare.workspace.Workspace`: it hands the
screens documents, the pairs of the hierarchy, their alignments and the
tables the comparison layer derives from them (scores, divergences, section
maps, lineage), memoising each engine call.  It never computes a score, a
relation or a divergence itself: the UI only filters, sorts and formats what
comes back.  Engine calls may run in worker threads, so they are serialised
by one lock (the workspace is not thread-safe).

No Textual here: the screens import this module, not the other way round.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from align.errors import PlanechoError

if TYPE_CHECKING:
    import pandas as pd

    from align.reading.document import Document
    from align.decisions.result import Alignment
    from compare.workspace import Workspace

RELATIONS = ("verbatim", "adapted", "partial", "local")


@dataclass(frozen=True, slots=True)
class Pair:
    """A child document compared with one of its ancestors (ids)."""

    parent: str
    child: str

    @property
    def name(self) -> str:
        """``<child>__<parent>``, as in the reports and figures of ``planecho run``
        (:func:`compare.run.pair_name`: ids holding ``__`` are escaped, so two
        pairs never share a name)."""
        from compare.run import pair_name

        return pair_name(self.parent, self.child)


_SUFFIX = re.compile(r"(省|市|区|县|自治州|自治区)$")
_YEAR = re.compile(r"^\d{4}年")


def _region_short(region: str) -> str:
    short = _SUFFIX.sub("", region)
    return short if len(short) >= 2 else region


class Session:
    """The documents and comparison results of one manifest, for the UI.

    >>> from compare.workspace import Workspace
    >>> s = Session(Workspace.open())
    >>> s.short("taizhou-urbanization-14fyp"), s.short("zhejiang-urbanization-14fyp")
    ('台州·新型城镇', '浙江')
    """

    def __init__(self, workspace: "Workspace", *, extra: dict[str, str] | None = None) -> None:
        self.ws = workspace
        self.lock = threading.RLock()
        self.errors: dict[str, str] = {}  # doc id (or "*") → one-line message
        self._refs: dict[str, str] = {e.id: e.id for e in workspace.manifest.documents}
        self._extra_titles: dict[str, str] = {}
        for doc_id, ref in (extra or {}).items():
            self._refs.setdefault(doc_id, ref)
            self._extra_titles[doc_id] = Path(ref).name
        self._memo: dict[tuple, Any] = {}
        self._shorts = self._short_names()

    # -- the hierarchy (manifest only: no document is read) -------------------
    @property
    def manifest(self):
        return self.ws.manifest

    def manifest_label(self) -> str:
        """The manifest as shown: its folder and name (never a machine-specific path)."""
        p = Path(self.manifest.path)
        return f"{p.parent.name}/{p.name}" if p.parent.name else p.name

    def entries(self):
        """Manifest entries, parents before children."""
        return self.manifest.topological()

    def entry(self, doc_id: str):
        return self.manifest.get(doc_id) if doc_id in self.manifest else None

    def title(self, doc_id: str) -> str:
        e = self.entry(doc_id)
        return e.title if e is not None else self._extra_titles.get(doc_id, doc_id)

    def level(self, doc_id: str) -> str:
        e = self.entry(doc_id)
        return (e.level if e is not None else "") or "—"

    def pairs(self) -> list[Pair]:
        """Every (ancestor, document) pair of the manifest, parents first."""
        return [Pair(parent=x.parent, child=x.child) for x in self.ws.pairs()]

    def ancestors(self, doc_id: str) -> list[tuple[str, int]]:
        """(ancestor id, distance) of a manifest document, nearest first."""
        if doc_id not in self.manifest:
            return []
        return [(e.id, d) for e, d in self.manifest.ancestors(doc_id)]

    def short(self, doc_id: str) -> str:
        """A short Chinese name: the region, plus a few characters of the title
        when two documents share a region (台州·新型城镇, 台州·政府工作)."""
        return self._shorts.get(doc_id, doc_id)

    def _short_names(self) -> dict[str, str]:
        by_region: dict[str, list] = {}
        for e in self.manifest.documents:
            by_region.setdefault(_region_short(e.region) if e.region else e.id, []).append(e)
        out = {}
        for short, entries in by_region.items():
            for e in entries:
                if len(entries) == 1:
                    out[e.id] = short
                    continue
                rest = _YEAR.sub("", e.title.replace(e.region, "", 1)) if e.region else e.title
                rest = re.sub(r"^[\W_]+", "", rest)
                out[e.id] = f"{short}·{rest[:4]}" if rest else e.id
        for doc_id in self._refs:
            out.setdefault(doc_id, doc_id)
        return out

    def pair_label(self, pair: Pair) -> str:
        return f"{self.short(pair.child)} ← {self.short(pair.parent)}"

    # -- engine calls, memoised ------------------------------------------------
    def _get(self, key: tuple, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def has(self, *key) -> bool:
        return tuple(key) in self._memo

    def document(self, doc_id: str) -> "Document":
        def load():
            try:
                return self.ws.document(self._refs.get(doc_id, doc_id))
            except PlanechoError as e:
                self.errors[doc_id] = str(e)
                raise

        return self._get(("document", doc_id), load)

    def load_documents(self, progress: Callable[[str], None] | None = None) -> dict[str, str]:
        """Read every manifest document; return the ones that failed with their message."""
        failed = {}
        for e in self.entries():
            if progress:
                progress(f"reading {e.id}")
            try:
                self.document(e.id)
            except PlanechoError as err:
                failed[e.id] = str(err)
        return failed

    def needs_engine(self) -> bool:
        """Whether some pair is in neither memory nor the cache (it will be aligned)."""
        with self.lock:
            return any(not self.ws.has_alignment(self.document(p.parent), self.document(p.child))
                       for p in self.pairs())

    def engine_stages(self) -> list[tuple[str, Callable[[], Any]]]:
        """The slow first steps of aligning, to report one by one: the engine's
        libraries, then the shipped national background every pair is judged against."""
        from align.retrieval import background

        def locked(fn):
            def run():
                with self.lock:
                    return fn()
            return run

        def national():
            background.bigram_counts()
            background.forms()

        return [("loading the engine (jieba's dictionary)…", locked(self.ws.prepare_engine)),
                ("loading the national background…", locked(national))]

    def alignment(self, pair: Pair) -> "Alignment":
        return self._get(("alignment", pair), lambda: self.ws.alignment(self.document(pair.parent),
                                                                         self.document(pair.child)))

    def scores(self, pair: Pair) -> dict[str, Any]:
        from compare.score import pair_scores

        return self._get(("scores", pair), lambda: pair_scores(self.alignment(pair)))

    def scores_frame(self) -> "pd.DataFrame":
        """The scores of every pair loaded so far (the home screen's table)."""
        import pandas as pd

        from compare.score import SCORE_COLUMNS

        rows = [self._memo[("scores", p)] for p in self.pairs() if ("scores", p) in self._memo]
        return pd.DataFrame(rows, columns=SCORE_COLUMNS)

    def chapter_scores(self, pair: Pair) -> list[dict[str, Any]]:
        from compare.score import chapter_scores

        return self._get(("chapter_scores", pair), lambda: chapter_scores(self.alignment(pair)))

    def pair_frame(self, pair: Pair) -> "pd.DataFrame":
        """The alignment table: row ``i`` is ``alignment(pair).links[i]``."""
        from compare.selfcite import alignment_table

        return self._get(("pairs", pair), lambda: alignment_table(self.alignment(pair), self.ws.settings))

    def child_chapters(self, pair: Pair) -> list[str]:
        """The child chapter of each link, in link order (:func:`compare.score.chapter_label`:
        a heading written with a closing 。 is the same chapter as its section)."""
        from compare.score import chapter_label

        return self._get(("chapters", pair), lambda: [chapter_label(l.child) for l in self.alignment(pair).links])

    def divergence(self, pair: Pair, kind: str) -> "pd.DataFrame":
        """``dropped``, ``local_additions``, ``changed_targets`` or ``rebranded_phrases``."""
        from compare import divergence

        fn = {"dropped": divergence.dropped, "local_additions": divergence.local_additions,
              "changed_targets": divergence.changed_targets, "rebranded_phrases": divergence.rebrands}[kind]
        return self._get(("divergence", kind, pair), lambda: fn(self.alignment(pair)))

    def section_map(self, pair: Pair) -> "pd.DataFrame":
        from compare.sectionmap import section_map

        return self._get(("section_map", pair), lambda: section_map(self.alignment(pair)))

    def best_links(self, pair: Pair) -> dict:
        return self._get(("best", pair), lambda: self.alignment(pair).best_links())

    def counted_links(self, pair: Pair) -> dict:
        """The strongest link of each child unit the scores count (self-citations left out:
        :func:`compare.score.counted`), as the section map's cells use them."""
        from compare.score import counted

        return self._get(("counted", pair), lambda: counted(self.alignment(pair)).best)

    def parent_status(self, pair: Pair) -> list:
        return self._get(("parent_status", pair), lambda: self.alignment(pair).parent_status())

    def phrases(self, doc_id: str) -> list:
        """The distinctive phrases of a document (engine's choice and order)."""
        return self._get(("phrases", doc_id), lambda: self.ws.phrases(self.document(doc_id)))

    def phrase_status(self, pair: Pair) -> "pd.DataFrame":
        """For each distinctive phrase of the parent: carried, altered or absent in the child."""
        from compare.lineage import phrase_table

        return self._get(("phrase_status", pair), lambda: phrase_table(
            self.document(pair.parent), self.phrases(pair.parent), [self.document(pair.child)],
            {pair.child: self.alignment(pair)}))

    def trace(self, phrase: str) -> "pd.DataFrame":
        """Every occurrence of ``phrase`` and its variants in the manifest's documents, province first."""
        from compare.lineage import trace

        def run():
            docs = [self.document(e.id) for e in self.entries()]
            return trace(phrase, docs)

        return self._get(("trace", phrase), run)

    # -- corrections -------------------------------------------------------------
    @property
    def corrections_path(self) -> Path | None:
        """The scholar's corrections file (None: corrections are off)."""
        return self.ws.corrections_path

    def correct(self, pair: Pair, child, parent, relation: str, note: str = "") -> None:
        """Save a correction of ``child`` → ``parent`` (relation ``none``: the link is
        wrong) and forget this pair's results: they are read again, corrected."""
        from compare import corrections

        with self.lock:
            self.ws.correct(corrections.make(child, parent, relation, note))
            self.forget(pair)

    def undo_corrections(self, pair: Pair, child) -> None:
        """Drop the corrections of a child unit in this pair (the engine's links return)."""
        with self.lock:
            self.ws.correct(undo=(child, pair.parent))
            self.forget(pair)

    def forget(self, pair: Pair) -> None:
        """Drop every memoised result of ``pair``."""
        with self.lock:
            for key in [k for k in self._memo if pair in k]:
                del self._memo[key]

    # -- exports ---------------------------------------------------------------
    @staticmethod
    def export_path(out_dir: str | os.PathLike, pair: Pair | None, table: str, fmt: str) -> Path:
        """``outputs/tui-<child>__<parent>-<table>.<ext>`` (``tui-<table>.<ext>`` without a pair)."""
        stem = f"tui-{pair.name}-{table}" if pair is not None else f"tui-{table}"
        return Path(out_dir) / f"{stem}.{fmt}"

    def export(self, df: "pd.DataFrame", out_dir: str | os.PathLike, pair: Pair | None, table: str,
               fmt: str) -> Path:
        """Write a table with the engine's writer (atomic replace of the same export name)."""
        from compare.export import write_table

        meta = {"source": "planecho tui", "table": table, "settings": self.ws.settings.to_dict(),
                "manifest": str(self.manifest.path)}
        if pair is not None:
            meta.update(parent=pair.parent, child=pair.child)
        return write_table(df, self.export_path(out_dir, pair, table, fmt), meta=meta)
