"""The ``planecho`` command line: parses arguments and calls the library.

Data goes to stdout (tables, CSV, JSON lines); progress and messages go to
stderr.  A user error (bad file, bad manifest, unknown id, an operating-system
error on reading or writing…) prints one line ``planecho: error: …`` on stderr
and exits with status 2.  A run over a manifest (``run``, ``export``, ``score``,
``corpus``) goes on without a plan it cannot read, lists it and exits with
status 3 (:data:`EXIT_PROBLEMS`) -- or, with ``--strict``, stops with status 2.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Optional

import click

from align.errors import PlanechoError
from align.textnorm import escape_text

log = logging.getLogger("planecho")

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
UNIT_CHOICE = click.Choice(["sentence", "clause"])


def manifest_option(f):
    return click.option(
        "--manifest", "-m", "manifest_path", type=click.Path(path_type=Path), default=None,
        help="Corpus manifest (default: the bundled corpora/manifest.toml).",
    )(f)


#: exit status of a run that completed for the readable plans but left some out (see README, "Errors")
EXIT_PROBLEMS = 3


def strict_option(f):
    return click.option("--strict", is_flag=True,
                        help="Stop at the first document that cannot be read (default: leave it out, list it "
                             f"under problems and exit with status {EXIT_PROBLEMS}).")(f)


def encoding_option(f):
    return click.option("--encoding", default=None, help="Force the text encoding of a .txt file (e.g. gb18030, big5).")(f)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="planecho", prog_name="planecho")
@click.option("-v", "--verbose", count=True, help="More messages on stderr (-vv for debug).")
def app(verbose: int) -> None:
    """Show how Chinese government plans echo the plans above them.

    Documents are given by their id in the manifest or as a file path.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.getLogger().setLevel(level)


def _manifest(path: Optional[Path]):
    from align.reading.corpus import default_manifest_path, load_manifest

    return load_manifest(path if path is not None else default_manifest_path())


def _load(ref: str, manifest_path: Optional[Path], encoding: Optional[str] = None):
    from align.reading.document import load_document

    manifest = _manifest(manifest_path) if manifest_path is not None else None
    return load_document(ref, manifest=manifest, encoding=encoding)


def _shown(path) -> str:
    """A path as shown in a message line (control characters escaped)."""
    return escape_text(str(path))


def _stdout_console():
    """The console for data on stdout.  In a terminal, tables fit its width; piped
    or redirected, a table of fixed columns (ids, counts) is printed at its
    natural width, so no id is cut (``planecho corpus | cat``), and
    everything else at ``$COLUMNS`` (default 80)."""
    import os

    from rich.console import Console
    from rich.table import Table

    class StdoutConsole(Console):
        def print(self, *objects, **kwargs):  # type: ignore[override]
            if self.piped and "width" not in kwargs:
                table = objects[0] if len(objects) == 1 and isinstance(objects[0], Table) else None
                width = self.piped
                if table is not None:
                    width = max(width, self._whole(table))
                kwargs["width"] = width
            super().print(*objects, **kwargs)

        def _whole(self, table: Table) -> int:
            """The width that keeps every no_wrap column whole (the others wrap, ≥ 12 cells)."""
            opts = self.options.update_width(100_000)
            try:
                need = sum(m.maximum if c.no_wrap else min(m.maximum, 12)
                           for c in table.columns for m in [table._measure_column(self, opts, c)])
                return need + table._extra_width
            except Exception:  # rich's internals moved: its own fitting
                return 0

    console = StdoutConsole(soft_wrap=False, highlight=False)
    console.piped = 0
    if not console.is_terminal:
        try:
            console.piped = max(20, int(os.environ.get("COLUMNS", "")))
        except ValueError:
            console.piped = 80
        console.width = 100_000  # each print chooses its width (above)
    return console


# ---------------------------------------------------------------------------
# corpus / segment / clean


def _remember_files(kind: str):
    """Keep --lexicon / --generic files in the click context for :func:`_lexicon_files`."""
    def callback(ctx, param, value):
        ctx.meta[f"planecho.{kind}"] = tuple(value or ())
        return value
    return callback


def _lexicon_files() -> dict[str, tuple[Path, ...]]:
    meta = click.get_current_context().meta
    return {"lexicon_files": meta.get("planecho.lexicon", ()), "generic_files": meta.get("planecho.generic", ())}


def cache_options(f):
    """--no-cache, the user's lexicon files and the corrections (every command that aligns takes them)."""
    f = click.option("--no-cache", is_flag=True, help="Recompute everything instead of reading the result cache.")(f)
    return corrections_option(lexicon_options(f))


def _remember_corrections(ctx, param, value):
    if value is not None or "planecho.corrections" not in ctx.meta:
        ctx.meta["planecho.corrections"] = value
    return value


def corrections_option(f):
    """--corrections FILE / --no-corrections (default: corrections.jsonl beside the manifest)."""
    f = click.option("--no-corrections", "no_corrections", is_flag=True, expose_value=False,
                     callback=lambda ctx, p, v: _remember_corrections(ctx, p, False if v else None),
                     help="Ignore the scholar's corrections (the engine's links only).")(f)
    f = click.option("--corrections", "corrections", type=click.Path(path_type=Path), default=None,
                     expose_value=False, callback=_remember_corrections,
                     help="A scholar's corrections to apply (JSONL; default: corrections.jsonl beside the "
                          "manifest, if it exists).")(f)
    return f


def _corrections(*, must_exist: bool = True):
    """What Workspace.open takes: a file, True (beside the manifest) or False (none).
    A file named with --corrections must exist, except for the TUI (which creates it)."""
    value = click.get_current_context().meta.get("planecho.corrections")
    if value is None:
        return True
    if value is not False and must_exist and not value.is_file():
        raise PlanechoError("no such corrections file" if not value.exists() else "is not a file", path=value)
    return value


def lexicon_options(f):
    f = click.option("--lexicon", "lexicon_files", multiple=True, type=click.Path(path_type=Path), expose_value=False,
                     callback=_remember_files("lexicon"),
                     help="Extra lexicon file (same format as align/data/lexicon.txt); repeatable.")(f)
    f = click.option("--generic", "generic_files", multiple=True, type=click.Path(path_type=Path),
                     expose_value=False, callback=_remember_files("generic"),
                     help="Extra generic-phrase file (same format as align/data/generic.txt); repeatable.")(f)
    return f


@app.command()
@manifest_option
@strict_option
def corpus(manifest_path: Optional[Path], strict: bool) -> int:
    """List the documents: level, parents, encoding, size, sections, units.

    Example: planecho corpus
    """
    from rich.table import Table
    from rich.text import Text

    from align.reading.document import load_document

    m = _manifest(manifest_path)
    numeric = ("characters", "chapters", "sections", "tables", "sentences", "clauses")
    table = Table(title=Text(f"Corpus {m.path}"))
    for col in ("id", "level", "region", "parents", "encoding") + numeric:
        table.add_column(col, justify="right" if col in numeric else "left", no_wrap=True)
    failed = 0
    for entry in m.topological():
        try:
            st = load_document(entry, manifest=m).stats()
        except PlanechoError as e:
            if strict:
                raise

            log.warning("skipped %s: %s", entry.id, escape_text(str(e)))
            failed += 1
            table.add_row(Text(entry.id), entry.level, Text(entry.region), Text("\n".join(entry.parents) or "—"),
                          Text("unreadable", style="red"), *("—" for _ in numeric))
            continue
        table.add_row(
            Text(entry.id), entry.level, Text(entry.region), Text("\n".join(entry.parents) or "—"),
            str(st["encoding"] or st["format"]), *(str(st[c]) for c in numeric),
        )
    _stdout_console().print(table)
    return _problems_status([None] * failed, "the lines above")


@app.command()
@click.argument("doc")
@click.option("--unit", "-u", type=UNIT_CHOICE, default="sentence", show_default=True, help="Alignment unit.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True,
              help="table (readable) or jsonl (one object per unit).")
@click.option("--headings/--no-headings", default=False,
              help="Include section headings (kind 'heading') and title lines (kind 'title') as units.")
@manifest_option
@encoding_option
def segment(doc: str, unit: str, fmt: str, headings: bool, manifest_path: Optional[Path], encoding: Optional[str]) -> None:
    """Split DOC into units with section path and original offsets.

    Example: planecho segment taizhou-urbanization-14fyp --unit clause --format jsonl
    """
    d = _load(doc, manifest_path, encoding)
    units = sorted(d.title_units() + d.alignable(unit), key=lambda u: u.start) if headings else d.units(unit)
    if fmt == "jsonl":
        out = sys.stdout
        for u in units:
            out.write(json.dumps(
                {"doc": u.doc_id, "id": u.unit_id, "kind": u.kind, "section": list(u.section), "paragraph": u.paragraph,
                 "text": u.text, "start": u.start, "end": u.end},
                ensure_ascii=False) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{d.doc_id}: {len(units)} {unit} units"))
    table.add_column("id", no_wrap=True)
    table.add_column("section", overflow="fold", max_width=36)
    table.add_column("text", overflow="fold")
    table.add_column("offsets", no_wrap=True, justify="right")
    for u in units:
        table.add_row(u.unit_id, Text(" > ".join(u.section[-2:])), Text(u.text), f"{u.start}–{u.end}")
    _stdout_console().print(table)


@app.command()
@click.argument("doc")
@click.option("--show", type=click.Choice(["text", "removed", "both"]), default="both", show_default=True,
              help="The cleaned text, the removed spans, or both.")
@click.option("--all", "all_", is_flag=True, help="Also list whitespace-only removals (layout, spaces, line breaks).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True,
              help="table (readable) or jsonl (one object per paragraph, removal and table).")
@manifest_option
@encoding_option
def clean(doc: str, show: str, all_: bool, fmt: str, manifest_path: Optional[Path], encoding: Optional[str]) -> None:
    """Audit the cleaning of DOC: cleaned text and every removed span with its reason.

    Example: planecho clean zhejiang-urbanization-14fyp --show removed
    """
    from compare.render import render_clean

    d = _load(doc, manifest_path, encoding)
    if fmt == "jsonl":
        from compare.tables import cleaning_records

        for record in cleaning_records(d, show=show, include_whitespace=all_):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    render_clean(d, _stdout_console(), show=show, include_whitespace=all_)


def settings_options(f):
    f = click.option("--unit", "-u", type=UNIT_CHOICE, default="sentence", show_default=True,
                     help="Alignment unit.")(f)
    return f


def _settings(unit: str):
    from align.decisions.match import Settings

    return Settings(unit=unit)


@app.command()
@click.option("--parent", "-p", "parent_ref", required=True, help="Parent document: manifest id or file path.")
@click.option("--child", "-c", "child_ref", required=True, help="Child document: manifest id or file path.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the full table: .csv, .xlsx, .parquet or .jsonl (by extension); a new file "
                   "unless --force.")
@click.option("--force", "-f", is_flag=True, help="Let -o replace an existing file (never an input of the command).")
@click.option("--limit", type=click.IntRange(min=0), default=25, show_default=True,
              help="Linked pairs shown in the summary.")
@settings_options
@manifest_option
@encoding_option
@cache_options
def align(parent_ref: str, child_ref: str, output: Optional[Path], force: bool, limit: int, unit: str,
          manifest_path: Optional[Path], encoding: Optional[str], no_cache: bool) -> None:
    """Align CHILD's units to PARENT's: relation, score and evidence per unit.

    Example: planecho align --parent zhejiang-urbanization-14fyp --child taizhou-urbanization-14fyp -o outputs/tz.xlsx
    """
    from compare.export import format_of, write_table
    from compare.render import render_alignment
    from compare.selfcite import alignment_table
    from compare.workspace import Workspace

    if output is not None:
        format_of(output)  # fail on a bad extension before any work
        if os.path.lexists(output) and not force:
            raise PlanechoError("exists; add --force to replace it, or name a new file", path=output)
    ws = Workspace.open(manifest_path, _settings(unit), encoding, use_cache=not no_cache, **_lexicon_files(),
                        corrections=_corrections())
    parent, child = ws.document(parent_ref), ws.document(child_ref)
    if output is not None:
        _refuse_input(output, ws.input_files())
    if parent.doc_id == child.doc_id and parent.source.path == child.source.path:
        log.warning("aligning %s with itself: every unit is verbatim", parent.doc_id)
    a = ws.alignment(parent, child)
    table = alignment_table(a, ws.settings)
    if output is not None:
        meta = {"parent": parent.doc_id, "child": child.doc_id, "settings": ws.settings.to_dict()}
        write_table(table, output, meta=meta)
        click.echo(f"planecho: wrote {len(table)} rows to {_shown(output)}", err=True)
        return
    render_alignment(a, _stdout_console(), limit=limit)


def _refuse_input(output: Path, inputs: list[Path]) -> None:
    """An output file may not replace a file the command reads (with or without --force)."""
    for f in inputs:
        try:
            same = os.path.samefile(output, f)
        except (OSError, ValueError):  # either is missing (or unreachable): not the same file
            same = False
        if same:
            raise PlanechoError(f"is an input of this command ({f.name}); write the table elsewhere", path=output)


@app.command(name="eval")
@click.argument("gold", nargs=-1, type=click.Path(path_type=Path))
@click.option("--corrections", "corrections_file", type=click.Path(path_type=Path), default=None,
              help="Also score against a scholar's corrections (the TUI's corrections.jsonl) as labels.")
@click.option("--errors/--no-errors", default=True, show_default=True, help="List every error with both texts.")
@settings_options
@manifest_option
@lexicon_options
def eval_(gold: tuple[Path, ...], corrections_file: Optional[Path], errors: bool, unit: str,
          manifest_path: Optional[Path]) -> None:
    """Score the aligner on labelled GOLD files, or on a scholar's --corrections
    (precision, recall, F1, partial recall, confusion). The engine's links are
    scored, without the corrections applied.

    Examples: planecho eval ../shared/gold/taizhou-from-zhejiang.jsonl
              planecho eval --corrections corpora/corrections.jsonl
    """
    from align.decisions.evaluate import evaluate_gold, evaluate_items, read_gold
    from align.retrieval.lexicon import load_lexicon
    from compare.render import render_eval

    if not gold and corrections_file is None:
        raise PlanechoError("give GOLD files, --corrections FILE, or both")
    files = _lexicon_files()
    lexicon = load_lexicon(files["lexicon_files"], files["generic_files"])
    for g in gold:
        read_gold(g)  # validate every file before aligning anything
    manifest = _manifest(manifest_path)
    docs: dict = {}
    labels = _correction_labels(corrections_file, manifest, docs) if corrections_file is not None else None
    console = _stdout_console()
    for g in gold:
        for result in evaluate_gold(g, manifest, _settings(unit), docs, lexicon=lexicon):
            render_eval(result, console, show_errors=errors, source=str(g))
    if labels is not None:
        for result in evaluate_items(labels, manifest, _settings(unit), docs, lexicon=lexicon):
            render_eval(result, console, show_errors=errors, source=str(corrections_file))


def _correction_labels(path: Path, manifest, docs: dict) -> list:
    """A corrections file as gold items (validated, matched to the current units)."""
    from align.reading.document import load_document
    from compare import corrections as corr

    if not path.is_file():
        raise PlanechoError("no such corrections file" if not path.exists() else "is not a file", path=path)
    found = corr.read(path)
    if not found:
        raise PlanechoError("no corrections in the file", path=path)
    for c in found:
        for doc_id in (c.child_doc, c.parent_doc):
            if doc_id not in docs:
                if doc_id not in manifest:
                    raise PlanechoError(f"line {c.line}: {doc_id!r} is not a document of {manifest.path}", path=path)
                docs[doc_id] = load_document(manifest.get(doc_id), manifest=manifest)
    items, unmatched = corr.gold_items(found, docs)
    if unmatched:
        by_pair: dict = {}
        for c in unmatched:
            by_pair.setdefault((c.parent_doc, c.child_doc), []).append(c)
        for (p, c), group in by_pair.items():
            log.warning("%s", corr.warning(path, p, c, group))
    if not items:
        raise PlanechoError("no correction matches a unit of the current documents", path=path)
    return items


def _workspace(manifest_path: Optional[Path], unit: str = "sentence", encoding: Optional[str] = None,
               no_cache: bool = False):
    from compare.workspace import Workspace

    return Workspace.open(manifest_path, _settings(unit), encoding, use_cache=not no_cache, **_lexicon_files(),
                          corrections=_corrections())


class _Stages:
    """Progress of a long command on stderr: a transient bar in a terminal;
    otherwise (a log, a pipe) one line per stage, printed when the stage is
    done, with its time — so a command that fails in its first stage still
    prints its one error line only."""

    def __init__(self, description: str, total: int) -> None:
        import time

        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        self._clock = time.perf_counter
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                            console=console, transient=True, disable=not console.is_terminal)
        self.task = self.bar.add_task(description, total=total)
        self._current: tuple[str, float] | None = None

    def __enter__(self) -> "_Stages":
        self.bar.__enter__()
        return self

    def __exit__(self, kind, value, tb) -> None:
        self.bar.__exit__(kind, value, tb)
        if kind is None:
            self._done()

    def _done(self) -> None:
        if self._current is not None and self.bar.disable:
            msg, start = self._current
            click.echo(f"planecho: {msg} ({self._clock() - start:.1f} s)", err=True)
        self._current = None

    def advance(self) -> None:
        """One more item of the current stage done."""
        self.bar.advance(self.task)

    def __call__(self, msg: str) -> None:
        """A new stage begins (the previous one is done)."""
        self._done()
        self._current = (msg, self._clock())
        self.bar.update(self.task, description=msg[:70])
        self.bar.advance(self.task)


def _run(manifest_path, out_dir: Path, formats, reports: bool, unit: str, no_cache: bool, strict: bool = False):
    from compare.run import check_output, compute, write_outputs

    ws = _workspace(manifest_path, unit, no_cache=no_cache)
    ws.strict = strict
    check_output(ws, out_dir)  # an unusable --out fails before any work
    n_steps = len(ws.pairs()) * (2 if reports else 1) + 5
    renderer = None
    if reports:
        from compare.rendering import Renderer

        renderer = Renderer(warm_up=False)
        renderer.start()  # forked before the progress bar's thread starts
    with _Stages("planecho", n_steps) as step:
        results = compute(ws, progress=step, reports=reports, renderer=renderer)
        written = write_outputs(ws, results, out_dir, formats=formats, reports=reports, progress=step)
    return ws, results, written


FORMAT_OPTION = click.option("--format", "formats", default="csv,xlsx,parquet,jsonl", show_default=True,
                             help="Comma-separated table formats to write.")


def _formats(value: str) -> tuple[str, ...]:
    from compare.export import FORMATS

    out = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in value.split(",") if f.strip()))  # once each
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise PlanechoError(f"--format: unknown format {', '.join(bad) or '(none)'}; use {', '.join(FORMATS)}")
    return out


@app.command()
@manifest_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Folder the results are written to.")
@settings_options
@strict_option
@cache_options
def run(manifest_path: Optional[Path], out_dir: Path, unit: str, strict: bool, no_cache: bool) -> int:
    """The main job: compare every plan with its ancestors; write tables, figures and reports.

    Example: planecho run --out outputs
    """
    from compare.render import render_run_summary

    ws, results, written = _run(manifest_path, out_dir, ("csv", "xlsx", "parquet", "jsonl"), True, unit, no_cache,
                                strict)
    click.echo(f"planecho: wrote {len(written)} files to {_shown(out_dir)}/ "
               f"(reports: {_shown(out_dir)}/reports/index.html)", err=True)
    render_run_summary(results, _stdout_console())
    return _problems_status(results.problems, f"{_shown(out_dir)}/tables/problems.csv")


def _problems_status(problems: list, where: str) -> int:
    """Exit status 3 and a closing line when some documents or pairs were left out."""
    if not problems:
        return 0
    click.echo(f"planecho: {len(problems)} left out (listed in {where}); exit status {EXIT_PROBLEMS}", err=True)
    return EXIT_PROBLEMS


@app.command()
@manifest_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Folder the results are written to.")
@FORMAT_OPTION
@click.option("--reports/--no-reports", default=True, show_default=True, help="Also write HTML reports and figures.")
@settings_options
@strict_option
@cache_options
def export(manifest_path: Optional[Path], out_dir: Path, formats: str, reports: bool, unit: str, strict: bool,
           no_cache: bool) -> int:
    """Write every comparison table (and reports) without the summary.

    Example: planecho export --format csv,xlsx --no-reports
    """
    fmts = _formats(formats)
    _, results, written = _run(manifest_path, out_dir, fmts, reports, unit, no_cache, strict)
    click.echo(f"planecho: wrote {len(written)} files to {_shown(out_dir)}/", err=True)
    return _problems_status(results.problems, f"{_shown(out_dir)}/tables/problems.*")


@app.command()
@click.argument("children", nargs=-1)
@click.option("--parent", "-p", "parent_ref", default=None, help="Parent document (id or path) for the CHILDREN.")
@click.option("--format", "-f", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
              help="Output on stdout.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Batch mode: score the pairs on Dask, writing them as they finish (a file per small batch) "
                   "to OUT/scores/ (Parquet); a second run skips the finished pairs.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="With --out: worker processes of the local cluster (default: the cores).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="With --out: use the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786) instead of a local one.")
@settings_options
@manifest_option
@strict_option
@cache_options
def score(children: tuple[str, ...], parent_ref: Optional[str], fmt: str, out_dir: Optional[Path],
          workers: Optional[int], scheduler: Optional[str], unit: str, manifest_path: Optional[Path],
          strict: bool, no_cache: bool) -> int:
    """Echo and coverage of each CHILD against --parent, or of every manifest pair.

    \b
    Examples:
      planecho score linhai-14fyp-outline luqiao-14fyp-outline --parent taizhou-urbanization-14fyp
      planecho score --manifest corpora/manifest.toml --format jsonl
      planecho score --manifest big/manifest.toml --out scores/ --workers 8
    """
    from compare.score import score_in_worker, score_pair
    from compare.sidework import SideWorker, keep

    if children and not parent_ref:
        raise PlanechoError("give --parent PARENT with the CHILD documents (or no CHILD to score the whole manifest)")
    if parent_ref and not children:
        raise PlanechoError("give one or more CHILD documents to score against --parent")
    if out_dir is None and (workers is not None or scheduler is not None):
        raise PlanechoError("--workers and --scheduler run a batch: give --out DIR for its results")
    if workers is not None and scheduler is not None:
        raise PlanechoError("give --workers (a local cluster) or --scheduler (an existing one), not both")
    if out_dir is not None and strict:
        raise PlanechoError("--strict does not apply to --out: a batch lists the pairs it cannot score in "
                            "OUT/failures.csv and scores the rest (exit status 3)")
    if out_dir is not None:
        df, failed = _score_batch(children, parent_ref, out_dir, workers, scheduler, unit, manifest_path, no_cache)
        _write_scores(df.to_dict("records"), fmt)
        if failed:
            click.echo(f"planecho: {failed} pairs not scored (listed above and in {_shown(out_dir)}/failures.csv): "
                       f"mend what the reasons name and run the same command again to score them; exit status "
                       f"{EXIT_PROBLEMS}", err=True)
            return EXIT_PROBLEMS
        return 0
    ws = _workspace(manifest_path, unit, no_cache=no_cache)
    problems: list = []
    # pairs are scored by this process and a worker forked from it together (compare.sidework), when
    # there are two or more and two cores
    with SideWorker() as worker:
        if children:  # a CHILD that cannot be read is listed and the others scored (unless --strict)
            parent = ws.document(parent_ref)
            kids = []
            for c in children:  # each read before any pair is scored
                try:
                    kids.append(ws.document(c))
                except PlanechoError as e:
                    if strict:
                        raise
                    if len(children) == 1:
                        raise  # nothing else to score: the user's error
                    why = str(e) if str(e).startswith(f"{c}:") else f"{c}: {e}"  # the reason names the file
                    log.warning("skipped %s", escape_text(why))
                    problems.append(e)
            if not kids:
                raise PlanechoError(f"none of the {len(children)} CHILD documents can be read (listed above)")
            pairs = [(parent, c) for c in kids]
            keep(ws, {"parent": parent, **{f"child {i}": c for i, c in enumerate(kids)}})  # the worker forks with them
            keys = [("parent", f"child {i}") for i in range(len(kids))]
        else:  # the manifest: every readable plan is scored, unreadable ones are listed (unless --strict)
            from compare.run import load_documents, problem_rows

            ws.strict = strict
            docs = load_documents(ws, (ws.settings.unit,))
            _warn_failed(ws)
            problems = problem_rows(ws)
            pairs = [(docs[x.parent], docs[x.child]) for x in ws.pairs() if x.parent in docs and x.child in docs]
            keys = [(p.doc_id, c.doc_id) for p, c in pairs]
            keep(ws, docs)
        if worker.parallel and len(pairs) >= 2:
            ws.prepare_engine()  # before the worker is forked: it starts with the engine
            worker.start()
        rows: list = [None] * len(pairs)
        with _Stages("scoring", len(pairs)) as step:
            here: set[int] = set()  # the pairs this process scored

            def score_here(i: int) -> dict | None:
                p, c = pairs[i]
                here.add(i)
                step(f"score {c.doc_id} ← {p.doc_id}")
                try:
                    return score_pair(ws, p, c)
                except PlanechoError as e:
                    if strict:
                        raise
                    log.warning("skipped %s ← %s: %s", c.doc_id, p.doc_id, escape_text(str(e)))
                    problems.append(e)
                    return None
                finally:
                    ws.release(p, c)  # the score row is all that is kept of a pair

            for i, row in worker.split(len(pairs), score_here, lambda i: (score_in_worker, keys[i]),
                                       waiting=lambda k: step(f"{k} pair{'s' if k > 1 else ''} from the worker")):
                if i not in here:
                    step.advance()
                rows[i] = row
    rows = [r for r in rows if r is not None]
    _write_scores(rows, fmt)
    return _problems_status(problems, "the lines above")


def _write_scores(rows: list[dict], fmt: str) -> None:
    """The score rows on stdout: CSV (as pandas writes it) or JSON lines (the
    standard library: a cold ``score`` of a few pairs need not import pandas)."""
    from compare.score import SCORE_COLUMNS

    if fmt == "csv":
        import csv

        out = csv.DictWriter(sys.stdout, SCORE_COLUMNS, lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
    else:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")


def _warn_failed(ws) -> None:
    """One line per document left out: ``planecho: skipped ID: FILE: REASON``."""
    for doc_id, e in ws.failed.items():
        log.warning("skipped %s: %s", doc_id, escape_text(str(e)))


def _not_the_cluster(record: logging.LogRecord) -> bool:
    """A log filter: drops the records of Dask and its event loop (see :func:`_score_batch`)."""
    return not record.name.startswith(("distributed", "tornado", "asyncio")) or record.levelno >= logging.CRITICAL


def _score_batch(children, parent_ref, out_dir: Path, workers, scheduler, unit: str, manifest_path, no_cache: bool):
    """``score --out``: the batch scorer of :mod:`compare.batch`, with progress on stderr."""
    from compare.batch import ProgressReport, connect, dashboard_of, score_batch

    import distributed  # noqa: F401 - sets up its loggers, which are quietened next

    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # the cluster's own chatter, its warnings and errors too (a worker lost and restarted: Dask computes
        # its pairs again; a lost scheduler: planecho says so; a pair that fails is listed with its reason);
        # -vv shows them
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        for handler in logging.getLogger().handlers:  # and its loggers with levels of their own
            handler.addFilter(_not_the_cluster)
    files = _lexicon_files()
    source = [(c, parent_ref) for c in children] if children else (manifest_path or None)
    client = None
    if scheduler is not None:
        client = connect(scheduler)
    try:
        with ProgressReport() as report:
            def show(c) -> None:
                link = dashboard_of(c)
                if link:
                    report.message(f"planecho: Dask dashboard at {link}")

            result = score_batch(source, out_dir, manifest=manifest_path if children else None, client=client,
                                 workers=workers, settings=_settings(unit), use_cache=not no_cache,
                                 corrections=_corrections(), progress=report, on_client=show, **files)
    finally:
        if client is not None:
            client.close()
    for r in result.failures.itertuples():
        click.echo(f"planecho: not scored: {r.child_doc} ← {r.parent_doc}: {r.reason}", err=True)
    click.echo(f"planecho: {result.computed} pairs scored, {result.skipped} already done, "
               f"{len(result.failures)} failed; results in {_shown(out_dir)}/scores/ and "
               f"{_shown(out_dir)}/summary.csv", err=True)
    return result.summary, len(result.failures)


@app.command()
@click.argument("phrase")
@click.option("--no-variants", is_flag=True, help="Exact occurrences only.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True)
@manifest_option
def trace(phrase: str, no_variants: bool, fmt: str, manifest_path: Optional[Path]) -> int:
    """Every occurrence of PHRASE and its close variants across the hierarchy, by level.

    Example: planecho trace 千年古城
    """
    from compare.lineage import trace as trace_phrase
    from compare.render import render_trace

    from compare.run import load_documents

    if not phrase.strip():
        raise PlanechoError("PHRASE is empty")
    ws = _workspace(manifest_path)
    ws.strict = False  # a plan that cannot be read is listed, the others searched
    docs = load_documents(ws, ())
    _warn_failed(ws)
    df = trace_phrase(phrase, list(docs.values()), variants=not no_variants)
    _emit(df, fmt, lambda: render_trace(phrase, df, _stdout_console()))
    return _problems_status(list(ws.failed), "the lines above")


@app.command()
@click.argument("parent")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True)
@manifest_option
@cache_options
def phrases(parent: str, fmt: str, manifest_path: Optional[Path], no_cache: bool) -> int:
    """The distinctive phrases of PARENT and, per child, whether each is carried, altered or absent.

    Example: planecho phrases zhejiang-urbanization-14fyp
    """
    from compare.lineage import phrase_table
    from compare.render import render_phrases

    ws = _workspace(manifest_path, no_cache=no_cache)
    doc = ws.document(parent)
    ids = [x.child for x in ws.pairs() if x.parent == doc.doc_id] if doc.doc_id in ws.manifest else []
    if not ids:
        raise PlanechoError(f"{doc.doc_id} has no child documents in the manifest to compare with")
    kids = []
    for child in ids:  # a child that cannot be read is listed, the others compared
        try:
            kids.append(ws.document(child))
        except PlanechoError as e:
            ws.failed[child] = e
    _warn_failed(ws)
    if not kids:
        raise PlanechoError(f"{doc.doc_id}: none of its child documents can be read (listed above)")
    df = phrase_table(doc, ws.phrases(doc), kids, {k.doc_id: ws.alignment(doc, k) for k in kids})
    _emit(df, fmt, lambda: render_phrases(df, _stdout_console()))
    return _problems_status(list(ws.failed), "the lines above")


def _emit(df, fmt: str, table) -> None:
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif fmt == "jsonl":
        for r in df.to_dict("records"):
            sys.stdout.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    else:
        table()


@app.command()
@click.argument("docs", nargs=-1, metavar="[CHILD PARENT]")
@manifest_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Folder the e key exports tables to.")
@cache_options
def tui(docs: tuple[str, ...], manifest_path: Optional[Path], out_dir: Path, no_cache: bool) -> None:
    """Browse the hierarchy, aligned pairs, divergences, section maps and texts in the terminal.

    Example: planecho tui linhai-14fyp-outline taizhou-urbanization-14fyp
    """
    if len(docs) not in (0, 2):
        raise PlanechoError("give two documents, CHILD and PARENT (ids or paths), or none to start at the hierarchy")
    from tui.app import make_app  # Textual is imported only here

    child, parent = docs if docs else (None, None)
    make_app(manifest_path, child, parent, use_cache=not no_cache, out_dir=out_dir, **_lexicon_files(),
             corrections=_corrections(must_exist=False)).run()


# ---------------------------------------------------------------------------
# entry point


def _print_error(message: str) -> None:
    """``planecho: error: …`` on stderr; control characters escaped, so each line
    of the message (a manifest's problems are one per line) stays one line."""
    lines = [escape_text(line) for line in message.split("\n")]
    print("planecho: error: " + "\n".join(lines), file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: maps user errors to one line and exit 2."""
    logging.basicConfig(level=logging.WARNING, format="planecho: %(message)s", stream=sys.stderr)
    try:
        rv = app.main(args=argv, standalone_mode=False, prog_name="planecho")
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:  # a usage error: one line too, naming the command's help
        ctx = getattr(e, "ctx", None)
        where = f" (see {ctx.command_path} --help)" if ctx is not None else ""
        _print_error(" ".join(e.format_message().split()) + where)
        sys.exit(2)
    except click.exceptions.Abort:
        print("planecho: aborted", file=sys.stderr)
        sys.exit(130)
    except PlanechoError as e:
        _print_error(str(e))
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except OSError as e:  # a file the library did not expect to fail (permissions, a full disk…)
        from align.errors import os_reason

        where = f"{e.filename}: " if e.filename is not None else ""
        _print_error(f"{where}{os_reason(e)}")
        sys.exit(2)
    except RuntimeError as e:  # pathlib's symbolic link loop (Python < 3.13): an OS error too
        from align.errors import is_link_loop

        if not is_link_loop(e):
            raise
        _print_error(str(e).replace("Symlink loop from ", "") + ": symbolic link loop")
        sys.exit(2)
    except KeyboardInterrupt:
        print("planecho: interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)


def console() -> None:
    """The ``planecho`` command: :func:`main`, then the process ends at once.

    What the interpreter does at exit that matters is done first — the
    ``atexit`` handlers (logging's, the process pools'), then stdout and stderr
    flushed — but not the teardown that frees every object one by one: after
    a command that loaded the engine (its background index, jieba's
    dictionary, the plans and their caches) that took a fifth of a cold
    ``planecho score``.  For the command line only: :func:`main` called from
    Python exits as usual."""
    import atexit
    import os
    import threading

    try:
        main()
        code: object = 0
    except SystemExit as e:
        code = e.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for thread in threading.enumerate():  # as the interpreter does first: wait for the threads that are not daemons
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # the handlers the interpreter runs at exit (CPython's own function for it)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            pass
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    console()
