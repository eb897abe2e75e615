"""The main job: compare every document of a manifest with its ancestors and
write every table, figure and report to a folder.

Everything is computed (or read from the cache) before anything is written:
:func:`compute` reads every document of the manifest before aligning any
pair, and :func:`write_outputs` builds every table before writing the first
file, so a bad document or manifest leaves the output folder untouched.  Each
file is written atomically, so a failure while writing (a full disk) may leave
some files of the run but never a half-written one.  With a worker process
(:mod:`compare.rendering`, on two or more cores), the worker reads the
documents while the main process loads the engine's libraries, then draws
figures and reports while the main process aligns and builds tables; the
worker returns them, the main process writes them.

Output layout (``DIR`` = ``--out``, default ``outputs/``)::

    DIR/summary.csv              one row per (child, parent): echo, coverage, counts
    DIR/planecho.xlsx            every table below, one sheet each
    DIR/tables/<table>.csv|.parquet|.jsonl
    DIR/figures/<child>__<parent>.png   section maps
    DIR/reports/<child>__<parent>.html  one self-contained report per pair
    DIR/reports/index.html       links to the reports, with the summary
    DIR/units/<doc>.<unit>.csv   the segmented documents; DIR/corpus.csv
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from align.match import alignment_frame

from . import divergence
from .export import FORMATS, write_table, write_workbook
from .hierarchy import chains, triples
from .lineage import phrase_table
from .rendering import Renderer
from .score import SCORE_COLUMNS, chapter_scores, pair_scores
from .sectionmap import section_map_long
from .tables import tables_frame, units_frame
from .workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from align.document import Document

log = logging.getLogger(__name__)

TABLES = ("scores", "chapter_scores", "alignments", "dropped", "local_additions", "changed_targets",
          "rebranded_phrases", "phrases", "chains", "section_maps")


@dataclass
class Results:
    """Every table of a run, plus the alignments behind them."""

    tables: dict[str, "pd.DataFrame"]
    alignments: dict[tuple[str, str], object]
    written: list[Path] = field(default_factory=list)
    #: figures and reports being drawn (``compute(..., reports=True)``); closed by write_outputs
    renderer: Renderer | None = None

    def close(self) -> None:
        """Stop the drawing worker (write_outputs does this itself)."""
        if self.renderer is not None:
            self.renderer.close()


def load_documents(ws: Workspace) -> dict[str, "Document"]:
    """Every manifest document, read, cleaned and segmented into both units.

    Raises the first document's :class:`~align.errors.InputError`; nothing
    is written.
    """
    docs = {d.doc_id: d for d in ws.documents()}
    for d in docs.values():
        for kind in ("sentence", "clause"):
            d.alignable(kind)
    return docs


def pair_name(parent: str, child: str) -> str:
    return f"{child}__{parent}"


def compute(ws: Workspace, *, progress: Callable[[str], None] | None = None, reports: bool = False) -> Results:
    """All comparison tables over the manifest's hierarchy.

    Every document is read, cleaned and segmented first, so a bad file fails
    the run before any alignment work (and long before anything is written).
    With ``reports``, each pair's section map and report start drawing in a
    worker as soon as the pair is aligned (:attr:`Results.renderer`).
    """
    renderer = Renderer(warm_up=False) if reports else None
    try:
        results = _compute(ws, progress, renderer)
    except BaseException:
        if renderer is not None:
            renderer.close()
        raise
    results.renderer = renderer
    return results


def _compute(ws: Workspace, progress: Callable[[str], None] | None, renderer: Renderer | None) -> Results:
    import pandas as pd

    step = progress or (lambda msg: None)
    step("read the plans")
    if renderer is not None and renderer.parallel:
        # the drawing worker reads the plans while this process loads the engine's
        # libraries (scikit-learn, jieba's dictionary: ~2 s); then it imports matplotlib
        renderer.read_documents(ws)
        renderer.warm_up()
        ws.prepare_engine()
        ws.adopt(renderer.documents())
    docs = load_documents(ws)
    pairs = ws.pairs()
    alignments = {}
    for parent, child in pairs:
        step(f"align {child} ← {parent}")
        alignments[(parent, child)] = a = ws.alignment(parent, child)
        if renderer is not None:
            renderer.submit((parent, child), a, docs[parent], docs[child])
    step("tables")
    scores, chapters, aligned, dropped, added, changed, rebrands, maps = [], [], [], [], [], [], [], []
    for (parent, child), a in alignments.items():
        row = pair_scores(a)
        distance = dict((e.id, d) for e, d in ws.manifest.ancestors(child)).get(parent, 1)
        row.update(child_level=docs[child].level, parent_level=docs[parent].level, distance=distance)
        scores.append(row)
        chapters.extend(chapter_scores(a))
        aligned.append(alignment_frame(a.links, ws.settings))
        dropped.append(divergence.dropped(a))
        added.append(divergence.local_additions(a))
        changed.append(divergence.changed_targets(a))
        rebrands.append(divergence.rebrands(a))
        maps.append(section_map_long(a))
    phrase_rows = []
    for doc_id in docs:
        children = [docs[c] for p, c in pairs if p == doc_id]
        if children:
            step(f"phrases of {doc_id}")
            phrase_rows.append(phrase_table(docs[doc_id], ws.phrases(doc_id), children))
    chain_rows = [chains(alignments[(g, p)], alignments[(p, c)], alignments[(g, c)])
                  for g, p, c in triples(ws.manifest, pairs)]

    def cat(frames):
        full = [f for f in frames if not f.empty]
        if full:
            return pd.concat(full, ignore_index=True)
        return frames[0].iloc[0:0] if frames else pd.DataFrame()

    tables = {
        "scores": pd.DataFrame(scores, columns=SCORE_COLUMNS + ["child_level", "parent_level", "distance"]),
        "chapter_scores": pd.DataFrame(chapters, columns=["child_doc", "parent_doc", "side", "chapter", "measure",
                                                          "value", "units"]),
        "alignments": cat(aligned),
        "dropped": cat(dropped),
        "local_additions": cat(added),
        "changed_targets": cat(changed),
        "rebranded_phrases": cat(rebrands),
        "phrases": cat(phrase_rows),
        "chains": cat(chain_rows),
        "section_maps": cat(maps),
    }
    return Results(tables, alignments)


def write_outputs(ws: Workspace, results: Results, out_dir: str | Path, *, formats=FORMATS, reports: bool = True,
                  progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write tables (each format), the workbook, figures, reports and unit tables.

    Every table is built before the first file is written, so an error while
    building them writes nothing; figures and reports are written last, from
    the drawing worker's results (or drawn now if :func:`compute` was not
    asked for them).  Stops the drawing worker when done.
    """
    import pandas as pd

    step = progress or (lambda msg: None)
    out = Path(out_dir)
    written: list[Path] = []
    docs = load_documents(ws)
    per_doc: dict[Path, pd.DataFrame] = {}
    for d in docs.values():
        for kind in ("sentence", "clause"):
            per_doc[out / "units" / f"{d.doc_id}.{kind}.csv"] = units_frame(d.alignable(kind))
        if d.tables:
            per_doc[out / "tables" / "source_tables" / f"{d.doc_id}.csv"] = tables_frame(d.doc_id, d.tables)
    per_doc[out / "corpus.csv"] = pd.DataFrame([d.stats() for d in docs.values()])
    renderer = results.renderer
    if reports:  # pairs compute() did not start drawing (it was asked for tables only): draw now
        if renderer is None:
            renderer = results.renderer = Renderer()
        started = set(renderer.keys())
        for (p, c), a in results.alignments.items():
            if (p, c) not in started:
                renderer.submit((p, c), a, docs[p], docs[c])
    try:
        meta = {"settings": ws.settings.to_dict(), "manifest": str(ws.manifest.path)}
        step("tables")
        written.append(write_table(results.tables["scores"], out / "summary.csv"))
        for name, df in results.tables.items():
            for fmt in formats:
                if fmt != "xlsx":
                    written.append(write_table(df, out / "tables" / f"{name}.{fmt}", meta=meta))
        for path, df in per_doc.items():
            written.append(write_table(df, path))
        if "xlsx" in formats:
            step("workbook")
            written.append(write_workbook(results.tables, out / "planecho.xlsx", meta=meta))
        if reports and renderer is not None:
            renderer.share_work()
            for p, c in results.alignments:
                step(f"report {c} ← {p}")
                png, html = renderer.result((p, c))
                written.append(_write_bytes(png, out / "figures" / f"{pair_name(p, c)}.png"))
                written.append(_write_bytes(html.encode("utf-8"), out / "reports" / f"{pair_name(p, c)}.html"))
            written.append(_write_index(results, docs, out / "reports" / "index.html"))
    finally:
        results.close()
    results.written.extend(written)
    return written


def _write_bytes(data: bytes, path: Path) -> Path:
    from .export import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _write_index(results: Results, docs, path: Path) -> Path:
    from markupsafe import escape

    from .export import atomic_path

    rows = []
    for r in results.tables["scores"].to_dict("records"):
        name = pair_name(r["parent_doc"], r["child_doc"])
        rows.append(
            f'<tr><td><a href="{escape(name)}.html">{escape(docs[r["child_doc"]].title)}</a></td>'
            f'<td>{escape(docs[r["parent_doc"]].title)}</td><td>{r["echo"]:.1%}</td><td>{r["coverage"]:.1%}</td>'
            f'<td>{r["verbatim"]}</td><td>{r["adapted"]}</td><td>{r["partial"]}</td><td>{r["dropped"]}</td></tr>'
        )
    html = ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>planecho reports</title>"
            "<style>body{font-family:sans-serif;margin:2em auto;max-width:1000px}table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #ddd;padding:.3em .5em}</style></head><body><h1>planecho: echo of each plan in its ancestors</h1>"
            "<table><tr><th>child</th><th>parent</th><th>echo</th><th>coverage</th><th>verbatim</th><th>adapted</th>"
            "<th>partial</th><th>dropped</th></tr>" + "".join(rows) + "</table></body></html>")
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
