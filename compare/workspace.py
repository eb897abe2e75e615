"""A corpus being compared: its manifest, loaded documents and corpus model.

Every command that aligns goes through a :class:`Workspace`, so documents are
read once and distinctiveness is always judged against the same background:
all documents of the manifest, plus any document given by path.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from align.corpus import DocumentEntry, Manifest, default_manifest_path, load_manifest
from align.document import Document, load_document, resolve
from align.errors import AlignError
from align.match import Aligner, Link, Settings

log = logging.getLogger(__name__)


@dataclass
class Workspace:
    manifest: Manifest
    settings: Settings = field(default_factory=Settings)
    encoding: str | None = None
    _docs: dict[str, Document] = field(default_factory=dict)
    _extra: dict[str, Document] = field(default_factory=dict)
    _models: dict[tuple, object] = field(default_factory=dict)

    @classmethod
    def open(cls, manifest_path: str | os.PathLike | None = None, settings: Settings | None = None,
             encoding: str | None = None) -> "Workspace":
        path = Path(manifest_path) if manifest_path is not None else default_manifest_path()
        return cls(load_manifest(path), settings or Settings(), encoding)

    # -- documents -----------------------------------------------------------
    def document(self, ref: str | os.PathLike | DocumentEntry) -> Document:
        """A manifest id, a manifest entry or a path; loaded once."""
        entry = ref if isinstance(ref, DocumentEntry) else resolve(ref, self.manifest)
        key = entry.id if entry.id in self.manifest else str(entry.file)
        doc = self._docs.get(key) or self._extra.get(key)
        if doc is None:
            doc = load_document(entry, manifest=self.manifest, encoding=self.encoding)
            if entry.id in self.manifest:
                self._docs[key] = doc
            else:
                self._extra[key] = doc
                self._models.clear()  # the background grows
        return doc

    def documents(self) -> list[Document]:
        """Every manifest document, parents before children."""
        return [self.document(e) for e in self.manifest.topological()]

    # -- alignment -----------------------------------------------------------
    def model(self):
        """The corpus model over all manifest documents and any extra ones."""
        from align.model import CorpusModel

        s = self.settings
        key = (s.unit, s.include_headings, s.ngram_range, s.word_weight, tuple(sorted(self._extra)))
        if key not in self._models:
            docs = self.documents() + list(self._extra.values())
            units = [u for d in docs for u in (d.alignable(s.unit) if s.include_headings else d.units(s.unit))]
            regions = [d.entry.region for d in docs if d.entry.region]
            self._models[key] = CorpusModel(units, regions=regions, ngram_range=s.ngram_range,
                                            word_weight=s.word_weight)
        return self._models[key]

    def align(self, parent: Document, child: Document) -> list[Link]:
        """Links of every child unit to the parent's units."""
        if not parent.units() and not parent.headings:
            raise AlignError(f"{parent.doc_id}: the parent has no text to align to")
        return Aligner(self.settings, model=self.model()).fit(parent).align_links(child)
