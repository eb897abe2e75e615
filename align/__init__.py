"""planecho's analysis engine: read, clean, structure and segment plan texts,
and align the clauses of a child plan with those of its parent.

>>> from align import load_document, align_documents   # doctest: +SKIP
>>> table = align_documents(load_document("zhejiang-urbanization-14fyp"),
...                         load_document("taizhou-urbanization-14fyp"))  # doctest: +SKIP
"""
from __future__ import annotations

__all__ = ["load_document", "document_from_text", "Aligner", "Settings", "align_documents", "CorpusModel"]


def __getattr__(name: str):
    # lazy: importing align stays cheap for the CLI
    if name in ("load_document", "document_from_text"):
        from align.reading import document

        return getattr(document, name)
    if name in ("Aligner", "Settings", "align_documents"):
        from align.decisions import match

        return getattr(match, name)
    if name == "CorpusModel":
        from align.retrieval.model import CorpusModel

        return CorpusModel
    raise AttributeError(name)
