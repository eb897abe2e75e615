"""Small frozen records that flow through the engine.

Offsets (``start``/``end``) always index the *original* text of a document:
the decoded characters of a ``.txt`` file, or the text extracted from a
``.docx``/``.pdf``/``.html`` file (see :mod:`align.reading.ingest`).  ``end`` is
exclusive.  The text shown and exported is the cleaned text, which is the
original with recorded removals taken out, so every character of ``text``
has an original offset.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields


def pickled_by_fields(cls):
    """Class decorator for a frozen, slotted dataclass: pickle it as
    ``cls(*field values)``.  The default for such classes goes through a
    generated ``__getstate__``/``__setstate__`` pair per object, several times
    slower for the hundreds of thousands of small evidence records a forked
    worker sends back (:mod:`align.forked`)."""
    names = tuple(f.name for f in fields(cls))
    get = operator.attrgetter(*names)
    if len(names) == 1:
        cls.__reduce__ = lambda self: (cls, (get(self),))
    else:
        cls.__reduce__ = lambda self: (cls, get(self))
    return cls


@dataclass(frozen=True, slots=True)
class Source:
    """A document as read from disk, before any cleaning."""

    path: str
    text: str
    format: str  # "txt", "docx", "pdf", "html"
    encoding: str | None  # detected or forced encoding for .txt/.html, else None
    size_bytes: int
    #: data tables the file marks up as tables (.docx, .html), rendered in
    #: ``text`` one tab-separated line per row: where they are and their cells
    tables: tuple[KnownTable, ...] = ()


@dataclass(frozen=True, slots=True)
class KnownTable:
    """A table the source format itself marks up: its span in ``Source.text``."""

    start: int
    end: int
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Removal:
    """A span of the original text that the cleaning took out, and why."""

    start: int
    end: int
    reason: str  # one of align.reading.clean.REASONS
    detail: str = ""


@dataclass(frozen=True, slots=True)
class TableRecord:
    """A flattened table recognised in the original, kept aside as rows of cells."""

    table_id: str
    start: int
    end: int
    caption: str
    rows: tuple[tuple[str, ...], ...]
    section: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Annotation:
    """A note about the plan rather than plan text, kept aside as data.

    ``kind`` is ``"responsibility"`` (a per-measure tag such as
    ``（责任单位：省工业和信息化厅）``: who implements the measure),
    ``"issuer"`` (an issuing footer: ``××局办公室 2020年9月22日印发``,
    ``抄送：…``), ``"licence"`` (a wiki licence block) or ``"footnote"`` (the
    text of a note whose mark was found in the body).  Its span of the
    original is a removal with reason ``annotation``: never aligned, never
    counted as the plan's own text.
    """

    annotation_id: str
    kind: str
    start: int
    end: int
    text: str  # the span as written, brackets included
    value: str  # what it says: "责任单位：省工业和信息化厅、省科技厅", the issuer line…
    paragraph: int = -1  # cleaned paragraph of the measure it belongs to (responsibility tags), else -1


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of the document body; ``path`` holds it and its ancestors."""

    doc_id: str
    heading_id: str
    level: int  # 1 = outermost
    form: str  # label form, e.g. "cn" for 一、, "paren_cn" for （一）
    label: str  # the numbering label as written ("一、", "（三）", "1.") or ""
    text: str  # the heading as shown, label included
    key: str  # matching key of ``text``
    start: int
    end: int
    paragraph: int
    path: tuple[str, ...]
    run_in: bool = False  # a topic sentence opening a paragraph


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Unit:
    """An alignment unit (sentence or clause) of the document body."""

    doc_id: str
    unit_id: str
    section: tuple[str, ...]
    paragraph: int
    text: str
    key: str
    start: int
    end: int
    kind: str = "body"  # "body", "heading" (headings can be aligned too) or "title" (never aligned)
    annotation: str = ""  # responsibility tags of its measure (Annotation.value, "; "-joined)

    @property
    def chapter(self) -> str:
        return self.section[0] if self.section else ""
