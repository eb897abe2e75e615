"""The ``planecho`` command line: parses arguments and calls the library.

Data goes to stdout (tables, CSV, JSON lines); progress and messages go to
stderr.  A user error (bad file, bad manifest, unknown id…) prints one line
``planecho: error: …`` on stderr and exits with status 2.
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Optional

import click

from align.errors import PlanechoError

log = logging.getLogger("planecho")

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
UNIT_CHOICE = click.Choice(["sentence", "clause"])


def manifest_option(f):
    return click.option(
        "--manifest", "-m", "manifest_path", type=click.Path(path_type=Path), default=None,
        help="Corpus manifest (default: the bundled corpora/manifest.toml).",
    )(f)


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
    from align.corpus import default_manifest_path, load_manifest

    return load_manifest(path if path is not None else default_manifest_path())


def _load(ref: str, manifest_path: Optional[Path], encoding: Optional[str] = None):
    from align.document import load_document

    manifest = _manifest(manifest_path) if manifest_path is not None else None
    return load_document(ref, manifest=manifest, encoding=encoding)


def _stdout_console():
    from rich.console import Console

    return Console(soft_wrap=False, highlight=False)


# ---------------------------------------------------------------------------
# corpus / segment / clean


@app.command()
@manifest_option
def corpus(manifest_path: Optional[Path]) -> None:
    """List the documents: level, parents, encoding, size, sections, units.

    Example: planecho corpus
    """
    from rich.table import Table

    from align.document import load_document

    m = _manifest(manifest_path)
    numeric = ("characters", "chapters", "sections", "tables", "sentences", "clauses")
    table = Table(title=f"Corpus {m.path}")
    for col in ("id", "level", "region", "parents", "encoding") + numeric:
        table.add_column(col, justify="right" if col in numeric else "left")
    for entry in m.topological():
        st = load_document(entry, manifest=m).stats()
        table.add_row(
            entry.id, entry.level, entry.region, "\n".join(entry.parents) or "—", str(st["encoding"] or st["format"]),
            *(str(st[c]) for c in numeric),
        )
    _stdout_console().print(table)


@app.command()
@click.argument("doc")
@click.option("--unit", "-u", type=UNIT_CHOICE, default="sentence", show_default=True, help="Alignment unit.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True,
              help="table (readable) or jsonl (one object per unit).")
@click.option("--headings/--no-headings", default=False, help="Include section headings as units of kind 'heading'.")
@manifest_option
@encoding_option
def segment(doc: str, unit: str, fmt: str, headings: bool, manifest_path: Optional[Path], encoding: Optional[str]) -> None:
    """Split DOC into units with section path and original offsets.

    Example: planecho segment taizhou-urbanization-14fyp --unit clause --format jsonl
    """
    d = _load(doc, manifest_path, encoding)
    units = d.alignable(unit) if headings else d.units(unit)
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

    table = Table(title=f"{d.doc_id}: {len(units)} {unit} units")
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
@manifest_option
@encoding_option
def clean(doc: str, show: str, all_: bool, manifest_path: Optional[Path], encoding: Optional[str]) -> None:
    """Audit the cleaning of DOC: cleaned text and every removed span with its reason.

    Example: planecho clean zhejiang-urbanization-14fyp --show removed
    """
    from compare.render import render_clean

    d = _load(doc, manifest_path, encoding)
    render_clean(d, _stdout_console(), show=show, include_whitespace=all_)


def settings_options(f):
    f = click.option("--unit", "-u", type=UNIT_CHOICE, default="sentence", show_default=True,
                     help="Alignment unit.")(f)
    return f


def _settings(unit: str):
    from align.match import Settings

    return Settings(unit=unit)


@app.command()
@click.option("--parent", "-p", "parent_ref", required=True, help="Parent document: manifest id or file path.")
@click.option("--child", "-c", "child_ref", required=True, help="Child document: manifest id or file path.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the full table: .csv, .xlsx, .parquet or .jsonl (by extension).")
@click.option("--limit", type=int, default=25, show_default=True, help="Linked pairs shown in the summary.")
@settings_options
@manifest_option
@encoding_option
def align(parent_ref: str, child_ref: str, output: Optional[Path], limit: int, unit: str,
          manifest_path: Optional[Path], encoding: Optional[str]) -> None:
    """Align CHILD's units to PARENT's: relation, score and evidence per unit.

    Example: planecho align --parent zhejiang-urbanization-14fyp --child taizhou-urbanization-14fyp -o outputs/tz.xlsx
    """
    from align.match import alignment_frame
    from compare.export import format_of, write_table
    from compare.render import render_alignment
    from compare.workspace import Workspace

    if output is not None:
        format_of(output)  # fail on a bad extension before any work
    ws = Workspace.open(manifest_path, _settings(unit), encoding)
    parent, child = ws.document(parent_ref), ws.document(child_ref)
    if parent.doc_id == child.doc_id and parent.source.path == child.source.path:
        log.warning("aligning %s with itself: every unit is verbatim", parent.doc_id)
    links = ws.align(parent, child)
    table = alignment_frame(links, ws.settings)
    if output is not None:
        meta = {"parent": parent.doc_id, "child": child.doc_id, "settings": ws.settings.to_dict()}
        write_table(table, output, meta=meta)
        click.echo(f"planecho: wrote {len(table)} rows to {output}", err=True)
        return
    render_alignment(parent, child, links, _stdout_console(), limit=limit)


@app.command(name="eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--errors/--no-errors", default=True, show_default=True, help="List every error with both texts.")
@settings_options
@manifest_option
def eval_(gold: tuple[Path, ...], errors: bool, unit: str, manifest_path: Optional[Path]) -> None:
    """Score the aligner on labelled GOLD files (precision, recall, F1, partial recall, confusion).

    Example: planecho eval ../shared/gold/taizhou-from-zhejiang.jsonl
    """
    from align.evaluate import evaluate_gold, read_gold
    from compare.render import render_eval

    for g in gold:
        read_gold(g)  # validate every file before aligning anything
    manifest = _manifest(manifest_path)
    docs: dict = {}
    console = _stdout_console()
    for g in gold:
        for result in evaluate_gold(g, manifest, _settings(unit), docs):
            render_eval(result, console, show_errors=errors, source=str(g))


@app.command()
@manifest_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Folder the results are written to.")
def run(manifest_path: Optional[Path], out_dir: Path) -> None:
    """The main job: process every document of the manifest and write the results.

    Example: planecho run --out outputs
    """
    from rich.console import Console
    from rich.progress import Progress

    from compare.run import run_corpus

    m = _manifest(manifest_path)
    err = Console(stderr=True)
    with Progress(console=err, transient=True) as progress:
        result = run_corpus(m, out_dir, progress=progress)
    err.print(f"planecho: wrote {len(result.written)} files to {out_dir}/")
    from rich.table import Table

    table = Table(title="documents")
    for col in ("doc", "level", "chapters", "sections", "sentences", "clauses", "tables"):
        table.add_column(col)
    for d in result.documents:
        st = d.stats()
        table.add_row(*(str(st[c]) for c in ("doc", "level", "chapters", "sections", "sentences", "clauses", "tables")))
    _stdout_console().print(table)


# ---------------------------------------------------------------------------
# entry point


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: maps user errors to one line and exit 2."""
    logging.basicConfig(level=logging.WARNING, format="planecho: %(message)s", stream=sys.stderr)
    try:
        rv = app.main(args=argv, standalone_mode=False, prog_name="planecho")
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show(file=sys.stderr)
        sys.exit(2)
    except click.exceptions.Abort:
        print("planecho: aborted", file=sys.stderr)
        sys.exit(130)
    except PlanechoError as e:
        print(f"planecho: error: {e}", file=sys.stderr)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        print("planecho: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
