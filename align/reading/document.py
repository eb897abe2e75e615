"""A plan document taken through the whole text pipeline.

``load_document`` reads a file (:mod:`align.reading.ingest`), cleans it
(:mod:`align.reading.clean`), finds its headings (:mod:`align.reading.structure`) and serves
its alignment units (:mod:`align.reading.segment`) on demand.

>>> doc = load_document("taizhou-urbanization-14fyp")
>>> doc.chapters()[3]
'四、高质量推动农业转移人口全面融入城市'
>>> u = next(u for u in doc.units("sentence") if "人地挂钩" in u.text)
>>> u.section[-1]
'3.深化“人地钱挂钩”激励性配套政策'
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from align.reading.clean import Cleaned, clean_text
from align.reading.corpus import DocumentEntry, Manifest, default_manifest_path, entry_for_path, load_manifest
from align.errors import InputError
from align.textnorm import escape_text
from align.reading.ingest import read_source
from align.records import Annotation, Heading, Removal, Source, TableRecord, Unit
from align.reading.segment import UNITS, clauses, sentences
from align.reading.structure import Block, detect
from align.textnorm import HAN_RE, han_count, matching_key

log = logging.getLogger(__name__)


@dataclass
class Document:
    """A cleaned, structured plan text and the metadata the manifest gives it."""

    entry: DocumentEntry
    source: Source
    cleaned: Cleaned
    headings: list[Heading]
    blocks: list[Block]
    _units: dict[str, list[Unit]] = field(default_factory=dict, repr=False)

    # -- metadata -----------------------------------------------------------
    @property
    def doc_id(self) -> str:
        return self.entry.id

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def level(self) -> str:
        return self.entry.level

    @property
    def original(self) -> str:
        return self.source.text

    @property
    def removals(self) -> list[Removal]:
        return self.cleaned.removals

    @property
    def tables(self) -> list[TableRecord]:
        return self.cleaned.tables

    @property
    def annotations(self) -> list[Annotation]:
        """Responsibility tags, issuing footers and licence blocks kept aside (never aligned)."""
        return self.cleaned.annotations

    # -- structure ----------------------------------------------------------
    def chapters(self) -> list[str]:
        """Titles of the top-level headings of the body, in order."""
        return [h.path[0] for h in self.headings if h.level == 1 and h.form != "run_in"]

    def section_headings(self) -> list[Heading]:
        """Headings that are part of section paths (titles excluded)."""
        return [h for h in self.headings if h.level > 0]

    def units(self, unit: str = "sentence") -> list[Unit]:
        """Body units (sentences or clauses) in document order."""
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
        if unit not in self._units:
            self._units[unit] = list(self._segment(unit))
        return self._units[unit]

    def heading_units(self) -> list[Unit]:
        """Section headings as alignable units (kind ``"heading"``; made once)."""
        if "heading" not in self._units:
            self._units["heading"] = [
                Unit(self.doc_id, h.heading_id, h.path[:-1], h.paragraph, h.text, h.key, h.start, h.end, "heading")
                for h in self.section_headings()
            ]
        return self._units["heading"]

    def title_units(self) -> list[Unit]:
        """The title headings (level 0, before the first chapter) as units of kind ``"title"``.

        They are not aligned, but with :meth:`alignable` they account for every
        character of the text that no removal took (the lossless promise).
        """
        return [
            Unit(self.doc_id, h.heading_id, (), h.paragraph, h.text, h.key, h.start, h.end, "title")
            for h in self.headings if h.level == 0
        ]

    def alignable(self, unit: str = "sentence") -> list[Unit]:
        """Headings and body units together, in document order (made once per unit)."""
        key = f"alignable {unit}"
        if key not in self._units:
            self._units[key] = sorted(self.heading_units() + self.units(unit), key=lambda u: u.start)
        return self._units[key]

    def _segment(self, unit: str):
        text, offsets = self.cleaned.text, self.cleaned.offsets
        counters: dict[int, int] = {}
        notes: dict[int, list[str]] = {}  # paragraph -> the responsibility tags of its measure
        for a in self.annotations:
            if a.paragraph >= 0:
                notes.setdefault(a.paragraph, []).append(a.value)
        for block in self.blocks:
            body = text[block.start : block.end]
            for s_start, s_end, sentence in sentences(body):
                n = counters.get(block.paragraph, 0) + 1
                counters[block.paragraph] = n
                sid = f"p{block.paragraph:04d}.s{n:02d}"
                pieces = [(s_start, s_end, sentence, sid)]
                if unit == "clause":
                    pieces = [
                        (s_start + a, s_start + b, t, f"{sid}.c{k}")
                        for k, (a, b, t) in enumerate(clauses(sentence), 1)
                    ]
                note = "; ".join(notes.get(block.paragraph, ()))
                for a, b, t, uid in pieces:
                    o_start, o_end = offsets.span(block.start + a, block.start + b)
                    yield Unit(self.doc_id, uid, block.section, block.paragraph, t, matching_key(t), o_start, o_end,
                               annotation=note)

    # -- figures ------------------------------------------------------------
    def stats(self) -> dict[str, object]:
        units = self.units("sentence")
        return {
            "doc": self.doc_id,
            "level": self.level,
            "parents": ",".join(self.entry.parents),
            "format": self.source.format,
            "encoding": self.source.encoding or "",
            "characters": len(self.original),
            "clean_characters": len(self.cleaned.text),
            "han_characters": han_count(self.cleaned.text),
            "chapters": len(self.chapters()),
            "sections": len(self.section_headings()),
            "tables": len(self.tables),
            "annotations": len(self.annotations),
            "sentences": len(units),
            "clauses": len(self.units("clause")),
        }


def build_document(entry: DocumentEntry, source: Source) -> Document:
    """Clean and structure an already-read source."""
    cleaned = clean_text(source.text, source.tables)
    if not cleaned.text.strip() or HAN_RE.search(cleaned.text) is None:
        raise InputError("no Chinese plan text left after cleaning (only page chrome?)", path=source.path)
    structure = detect(cleaned, entry.id, cleaned.md_paragraphs)
    return Document(entry, source, cleaned, structure.headings, structure.blocks)


def document_from_text(text: str, doc_id: str = "text", *, title: str = "", level: str = "",
                       parents: tuple[str, ...] = ()) -> Document:
    """A document built from a string (no file): handy in scripts and tests.

    >>> document_from_text("一、总体要求\\n\\n推进以人为核心的新型城镇化。").units()[0].section
    ('一、总体要求',)
    """
    entry = DocumentEntry(doc_id, title or doc_id, level, "", "", Path(doc_id), tuple(parents))
    return build_document(entry, Source(doc_id, text, "txt", None, len(text.encode("utf-8"))))


def resolve(ref: str | os.PathLike, manifest: Manifest | None = None) -> DocumentEntry:
    """A manifest id, or a path to a plan file outside the manifest."""
    ref_s = os.fspath(ref)
    if manifest is not None and ref_s in manifest:
        return manifest.get(ref_s)
    if Path(ref_s).exists():
        entry = entry_for_path(ref_s)
        if manifest is not None and entry.id in manifest and manifest.get(entry.id).file != entry.file:
            # a file named like a manifest document but another file: known by its path, not that id
            entry = replace(entry, id=escape_text(ref_s))
        return entry
    if manifest is None:
        try:
            manifest = load_manifest(default_manifest_path())
        except Exception:  # no usable bundled manifest: it is a path then
            return entry_for_path(ref_s)
        if ref_s in manifest:
            return manifest.get(ref_s)
    hint = ""
    if manifest is not None:
        from difflib import get_close_matches

        close = get_close_matches(ref_s, manifest.ids(), n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else f" (manifest ids: {', '.join(manifest.ids())})"
    raise InputError(f"not a document id in the manifest, nor an existing file{hint}", path=ref_s)


def load_document(
    ref: str | os.PathLike | DocumentEntry,
    *,
    manifest: Manifest | None = None,
    encoding: str | None = None,
) -> Document:
    """Read, clean and structure a document given by manifest id, path or entry."""
    entry = ref if isinstance(ref, DocumentEntry) else resolve(ref, manifest)
    source = read_source(entry.file, encoding=encoding or entry.encoding)
    log.debug("%s: read %s (%s, %s)", entry.id, entry.file, source.format, source.encoding)
    return build_document(entry, source)
