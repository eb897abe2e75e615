"""The main job: compare every document of a manifest with its ancestors and
write every table, figure and report to a folder.

Everything is computed (or read from the cache) before anything is written:
:func:`compute` reads every document of the manifest before aligning any
pair, and :func:`write_outputs` builds every table before writing the first
file, so a bad document or manifest leaves the output folder untouched.  The
files are written into a staging folder beside the output folder, which then
replaces it as a whole, so a failure while writing (a full disk) or a killed
run leaves the previous run's complete set.  Over a manifest, a document that
cannot be read is left out and listed in the ``problems`` table unless the
workspace is strict (see :func:`load_documents`).  With a worker process
(:mod:`compare.rendering`, on two or more cores), the worker reads the
documents while the main process loads the engine's libraries, then draws
figures and reports while the main process aligns and builds tables; the
worker returns them, the main process writes them.

Output layout (``DIR`` = ``--out``, default ``outputs/``)::

    DIR/summary.csv              one row per (child, parent): echo, coverage, counts
    DIR/planecho.xlsx            every table below, one sheet each
    DIR/tables/<table>.csv|.parquet|.jsonl   (``problems``: what was left out, and why)
    DIR/figures/<child>__<parent>.png   section maps
    DIR/reports/<child>__<parent>.html  one self-contained report per pair
    DIR/reports/index.html       links to the reports, with the summary
    DIR/units/<doc>.<unit>.csv   the segmented documents; DIR/corpus.csv
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from align.textnorm import escape_text
from align.errors import ExportError, InputError, PlanechoError

from . import divergence
from .export import FORMATS, staged_folder, write_table, write_workbook
from .hierarchy import chains, triples
from .lineage import phrase_table
from .rendering import Renderer
from .score import SCORE_COLUMNS, chapter_scores, pair_scores
from .selfcite import alignment_table
from .sectionmap import section_map_long
from .tables import tables_frame, units_frame
from .workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from align.reading.document import Document

log = logging.getLogger(__name__)

TABLES = ("scores", "chapter_scores", "alignments", "dropped", "local_additions", "changed_targets",
          "rebranded_phrases", "phrases", "chains", "section_maps", "problems")


@dataclass
class Results:
    """Every table of a run, plus the alignments behind them."""

    tables: dict[str, "pd.DataFrame"]
    alignments: dict[tuple[str, str], object]
    written: list[Path] = field(default_factory=list)
    #: documents that could not be read and pairs that could not be aligned (rows of the problems table)
    problems: list[dict] = field(default_factory=list)
    #: figures and reports being drawn (``compute(..., reports=True)``); closed by write_outputs
    renderer: Renderer | None = None

    def close(self) -> None:
        """Stop the drawing worker (write_outputs does this itself)."""
        if self.renderer is not None:
            self.renderer.close()


def load_documents(ws: Workspace, units: tuple[str, ...] = ("sentence", "clause")) -> dict[str, "Document"]:
    """Every readable manifest document, read, cleaned and segmented into ``units``
    (both by default: the main job exports both).

    With ``ws.strict`` (the library's default) the first unreadable document
    raises its :class:`~align.errors.PlanechoError` and nothing is written;
    otherwise it is recorded in ``ws.failed`` (quietly: :func:`compute` reports
    it) and left out, and the others are returned.
    """
    docs: dict[str, "Document"] = {}
    for entry in ws.manifest.topological():
        if entry.id in ws.failed:
            continue
        try:
            d = ws.document(entry)
            for kind in units:
                d.alignable(kind)
        except PlanechoError as e:
            if ws.strict:
                raise
            ws.failed[entry.id] = e
            continue
        docs[entry.id] = d
    return docs


def _quote_id(doc_id: str) -> str:
    """``doc_id`` as written in an output file name: unchanged unless it holds
    ``__`` or starts or ends with ``_`` (then ``_`` is written ``%5F``; ``%`` is
    always ``%25``), so ``<child>__<parent>`` names one pair only."""
    out = doc_id.replace("%", "%25")
    if "__" in doc_id or doc_id.startswith("_") or doc_id.endswith("_"):
        out = out.replace("_", "%5F")
    return out


def pair_name(parent: str, child: str) -> str:
    """The file stem of a pair's figure and report: ``<child>__<parent>``.

    Two different pairs never share a name, whatever their ids:

    >>> pair_name("c", "a__b"), pair_name("b__c", "a")
    ('a%5F%5Fb__c', 'a__b%5F%5Fc')
    """
    return f"{_quote_id(child)}__{_quote_id(parent)}"


PROBLEM_COLUMNS = ["doc", "parent_doc", "file", "step", "problem"]


def problem_rows(ws: Workspace, pair_errors: dict[tuple[str, str], PlanechoError] | None = None) -> list[dict]:
    """The ``problems`` table: one row per document that could not be read
    (``step`` = ``read``) and per pair that could not be aligned (``align``)."""
    rows = []
    for doc_id, e in ws.failed.items():
        entry = ws.manifest.get(doc_id)
        rows.append({"doc": doc_id, "parent_doc": "", "file": str(entry.file), "step": "read",
                     "problem": escape_text(_reason(e))})
    for (parent, child), e in (pair_errors or {}).items():
        rows.append({"doc": child, "parent_doc": parent, "file": str(ws.manifest.get(child).file), "step": "align",
                     "problem": escape_text(_reason(e))})
    return rows


def _reason(e: PlanechoError) -> str:
    """An error's message without the path it starts with (the table has a ``file`` column)."""
    text = str(e)
    if e.path and text.startswith(f"{e.path}: "):
        return text[len(e.path) + 2:]
    return text


def compute(ws: Workspace, *, progress: Callable[[str], None] | None = None, reports: bool = False,
            renderer: Renderer | None = None) -> Results:
    """All comparison tables over the manifest's hierarchy.

    Every document is read, cleaned and segmented first, so a bad file fails
    the run before any alignment work (and long before anything is written) --
    unless ``ws.strict`` is off: then unreadable documents and pairs that cannot
    be aligned are left out, each reported once (a warning naming the file and
    the reason) and listed in :attr:`Results.problems` and the ``problems`` table.
    With ``reports``, each pair's section map and report start drawing in a
    worker as soon as the pair is aligned (:attr:`Results.renderer`; ``renderer``: the one
    to draw with, e.g. started before a progress bar, instead of a new one).
    """
    if not reports:
        renderer = None
    elif renderer is None:
        renderer = Renderer(warm_up=False)
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
        # libraries (jieba's dictionary); then it imports matplotlib
        renderer.read_documents(ws)
        renderer.warm_up()
        ws.prepare_engine()
        ws.adopt(renderer.documents())
    docs = load_documents(ws)
    for doc_id, e in ws.failed.items():
        log.warning("skipped %s: %s", doc_id, escape_text(str(e)))
    if not docs and ws.failed:
        raise InputError(f"none of the {len(ws.failed)} documents could be read; nothing to compare",
                         path=ws.manifest.path)
    alignments = {}
    pair_errors: dict[tuple[str, str], PlanechoError] = {}
    for pair in ws.pairs():
        parent, child = pair.parent, pair.child
        if parent not in docs or child not in docs:
            continue
        step(f"align {child} ← {parent}")
        try:
            alignments[(parent, child)] = a = ws.alignment(parent, child)
        except PlanechoError as e:
            if ws.strict:
                raise
            pair_errors[(parent, child)] = e
            log.warning("skipped %s ← %s: %s", child, parent, escape_text(str(e)))
            continue
        if renderer is not None:
            renderer.submit((parent, child), a, docs[parent], docs[child])
    pairs = list(alignments)
    step("tables")
    scores, chapters, aligned, dropped, added, changed, rebrands, maps = [], [], [], [], [], [], [], []
    for (parent, child), a in alignments.items():
        row = pair_scores(a)
        distance = dict((e.id, d) for e, d in ws.manifest.ancestors(child)).get(parent, 1)
        row.update(child_level=docs[child].level, parent_level=docs[parent].level, distance=distance)
        scores.append(row)
        chapters.extend(chapter_scores(a))
        aligned.append(alignment_table(a, ws.settings))
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
            phrase_rows.append(phrase_table(docs[doc_id], ws.phrases(doc_id), children,
                                            {c.doc_id: alignments[(doc_id, c.doc_id)] for c in children}))
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
        "problems": pd.DataFrame(problem_rows(ws, pair_errors), columns=PROBLEM_COLUMNS),
    }
    return Results(tables, alignments, problems=tables["problems"].to_dict("records"))


#: the top-level names of an output folder that a run writes; anything else there is the user's and is kept
OWNED = frozenset({"summary.csv", "planecho.xlsx", "corpus.csv", "tables", "figures", "reports", "units"})


def check_output(ws: Workspace, out_dir: str | Path) -> Path:
    """The real path of a run's output folder (:func:`~compare.export.check_output_folder`), refused
    when the run writes where it reads: a file of the run's (the manifest, a plan, the corrections, a
    lexicon) inside one of the folders a run replaces, or named like a file it writes."""
    from .export import check_output_folder

    out = check_output_folder(out_dir)
    for f in ws.input_files():
        try:
            rel = Path(os.path.realpath(f)).relative_to(out)
        except ValueError:
            continue
        if rel.parts and rel.parts[0] in OWNED:
            raise ExportError(f"holds {rel.as_posix()}, which this run reads and would replace; give the results "
                              "another folder", path=out)
    return out


def write_outputs(ws: Workspace, results: Results, out_dir: str | Path, *, formats=FORMATS, reports: bool = True,
                  progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write tables (each format), the workbook, figures, reports and unit tables.

    Every table is built before the first file is written, so an error while
    building them writes nothing; figures and reports are written last, from
    the drawing worker's results (or drawn now if :func:`compute` was not
    asked for them).  Everything is written into a staging folder beside
    ``out_dir`` that replaces it as a whole at the end
    (:func:`~compare.export.staged_folder`): a failed or killed run leaves the
    previous run's complete set.  Two outputs that would share a path (even
    one differing only in case) fail the run before anything is written.
    Stops the drawing worker when done.
    """
    import pandas as pd

    step = progress or (lambda msg: None)
    out = check_output(ws, out_dir)
    docs = load_documents(ws)
    per_doc: dict[str, pd.DataFrame] = {}
    for d in docs.values():
        for kind in ("sentence", "clause"):
            per_doc[f"units/{d.doc_id}.{kind}.csv"] = units_frame(d.alignable(kind))
        if d.tables:
            per_doc[f"tables/source_tables/{d.doc_id}.csv"] = tables_frame(d.doc_id, d.tables)
    per_doc["corpus.csv"] = pd.DataFrame([d.stats() for d in docs.values()])
    names = ["summary.csv", *(f"tables/{name}.{fmt}" for name in results.tables for fmt in formats if fmt != "xlsx"),
             *per_doc, *(["planecho.xlsx"] if "xlsx" in formats else [])]
    if reports:
        names += [f"{folder}/{pair_name(p, c)}.{ext}" for p, c in results.alignments
                  for folder, ext in (("figures", "png"), ("reports", "html"))] + ["reports/index.html"]
    _check_distinct(names, out)
    renderer = results.renderer
    if reports:  # pairs compute() did not start drawing (it was asked for tables only): draw now
        if renderer is None:
            renderer = results.renderer = Renderer()
        started = set(renderer.keys())
        for (p, c), a in results.alignments.items():
            if (p, c) not in started:
                renderer.submit((p, c), a, docs[p], docs[c])
    written: list[str] = []
    try:
        with staged_folder(out, owned=OWNED) as stage:
            meta = {"settings": ws.settings.to_dict(), "manifest": str(ws.manifest.path)}
            step("tables")
            write_table(results.tables["scores"], stage / "summary.csv")
            written.append("summary.csv")
            for name, df in results.tables.items():
                for fmt in formats:
                    if fmt != "xlsx":
                        write_table(df, stage / "tables" / f"{name}.{fmt}", meta=meta)
                        written.append(f"tables/{name}.{fmt}")
            for name, df in per_doc.items():
                write_table(df, stage / name)
                written.append(name)
            if "xlsx" in formats:
                step("workbook")
                write_workbook(results.tables, stage / "planecho.xlsx", meta=meta)
                written.append("planecho.xlsx")
            if reports and renderer is not None:
                renderer.share_work()
                for p, c in results.alignments:
                    step(f"report {c} ← {p}")
                    png, html = renderer.result((p, c))
                    for name, data in ((f"figures/{pair_name(p, c)}.png", png),
                                       (f"reports/{pair_name(p, c)}.html", html.encode("utf-8"))):
                        _write_bytes(data, stage / name)
                        written.append(name)
                _write_index(results, docs, stage / "reports" / "index.html")
                written.append("reports/index.html")
    finally:
        results.close()
    paths = [out / name for name in written]
    results.written.extend(paths)
    return paths


def _check_distinct(names: list[str], out: Path) -> None:
    """Fail before writing if two outputs would land on one file (also where case is ignored)."""
    import unicodedata

    seen: dict[str, str] = {}
    for name in names:
        folded = unicodedata.normalize("NFC", name).casefold()
        if folded in seen:
            raise ExportError(f"two outputs of this run would share one file: {escape_text(seen[folded])} and "
                              f"{escape_text(name)}; give the documents ids that differ by more than case",
                              path=out)
        seen[folded] = name
    long = [n for n in names if any(len(part.encode("utf-8")) > 255 for part in n.split("/"))]
    if long:
        raise ExportError(f"output file name over 255 bytes: {escape_text(long[0])}; use shorter ids", path=out)


def _write_bytes(data: bytes, path: Path) -> Path:
    from .export import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


SCORES_EXPLAINED = (
    "<dl><dt>echo</dt><dd>How much of the child plan comes from the parent: the share of the child's body text "
    "(in characters) that derives from a parent sentence, each sentence weighted by how it was carried down: "
    "verbatim 1.0 (near-identical wording), adapted 0.7 (the same measure reworded), partial 0.3 (a parent phrase or "
    "programme name inside otherwise local text), local 0. 100 % would be a child copied whole.</dd>"
    "<dt>coverage</dt><dd>How much of the parent the child carries down: the share of the parent's body sentences "
    "that at least one child sentence derives from.</dd>"
    "<dt>verbatim / adapted / partial</dt><dd>child sentences by their strongest relation; <b>dropped</b>: parent "
    "sentences no child sentence derives from.</dd></dl>"
    "<p>Headings and self-citations (sentences in which a plan names itself or the documents it is drawn up from, "
    "such as 根据《…》编制本规划) are not counted. Each report's section map shades, on one fixed scale (0–100 % of "
    "the child chapter), where in the parent each child chapter's echoed text comes from.</p>"
)


def _write_index(results: Results, docs, path: Path) -> Path:
    from urllib.parse import quote

    from markupsafe import escape

    from .export import atomic_path

    rows = []
    for r in results.tables["scores"].to_dict("records"):
        name = pair_name(r["parent_doc"], r["child_doc"])
        rows.append(
            f'<tr><td><a href="{escape(quote(name + ".html"))}">{escape(docs[r["child_doc"]].title)}</a></td>'
            f'<td>{escape(docs[r["parent_doc"]].title)}</td><td>{r["echo"]:.1%}</td><td>{r["coverage"]:.1%}</td>'
            f'<td>{r["verbatim"]}</td><td>{r["adapted"]}</td><td>{r["partial"]}</td><td>{r["dropped"]}</td></tr>'
        )
    html = ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>planecho reports</title>"
            "<style>body{font-family:sans-serif;margin:2em auto;max-width:1000px}table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #ddd;padding:.3em .5em}dt{font-weight:bold}</style></head><body>"
            "<h1>planecho: echo of each plan in its ancestors</h1>" + SCORES_EXPLAINED +
            "<table><tr><th>child</th><th>parent</th><th>echo</th><th>coverage</th><th>verbatim</th><th>adapted</th>"
            "<th>partial</th><th>dropped</th></tr>" + "".join(rows) + "</table>" + _problems_html(results)
            + "</body></html>")
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def _problems_html(results: Results) -> str:
    """The documents and pairs left out of the run, as a list under the summary."""
    from markupsafe import escape

    if not results.problems:
        return ""
    items = "".join(
        f"<li><b>{escape(r['doc'])}</b>{' ← ' + str(escape(r['parent_doc'])) if r['parent_doc'] else ''} "
        f"({escape(r['step'])}): {escape(r['file'])}: {escape(r['problem'])}</li>" for r in results.problems)
    return f"<h2>Left out of this run: {len(results.problems)}</h2><ul>{items}</ul>"
