"""The main job: every document of a manifest, processed and written to a folder."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from align.corpus import Manifest
from align.document import Document, load_document

from .export import write_table
from .tables import tables_frame, units_frame

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    out_dir: Path
    documents: list[Document] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def run_corpus(manifest: Manifest, out_dir: Path, *, unit: str = "sentence", progress=None) -> RunResult:
    """Ingest, clean and segment every document; write unit and table records."""
    import pandas as pd

    result = RunResult(Path(out_dir))
    entries = manifest.topological()
    task = progress.add_task("documents", total=len(entries)) if progress else None
    for entry in entries:
        doc = load_document(entry, manifest=manifest)
        result.documents.append(doc)
        for kind in ("sentence", "clause"):
            frame = units_frame(doc.alignable(kind))
            result.written.append(write_table(frame, result.out_dir / "units" / f"{doc.doc_id}.{kind}.csv"))
        if doc.tables:
            result.written.append(write_table(tables_frame(doc.doc_id, doc.tables), result.out_dir / "tables" / f"{doc.doc_id}.csv"))
        if progress:
            progress.advance(task)
    corpus = pd.DataFrame([d.stats() for d in result.documents])
    result.written.append(write_table(corpus, result.out_dir / "corpus.csv"))
    return result
