"""Score alignments against labelled gold items (``../shared/gold`` format).

Each gold item is a child sentence with the parent passage it derives from
(or none) and a kind.  Scoring follows the gold set's FORMAT.md:

* the child sentence is located in the child's original text (whitespace
  ignored) and matched to the units of our segmentation that lie inside it
  (a unit counts when at least half of it lies inside the sentence, or it
  covers at least half of the sentence — segmentations differ at the edges);
* the item is *linked* when any of those units has a link (relation other
  than ``local``); the link is *correct* when its parent unit overlaps the
  gold parent passage;
* positives are ``verbatim`` and ``paraphrase`` (our ``adapted``):
  TP = positives linked correctly, FP = links made for ``none`` items and
  positives linked only to wrong passages, FN = positives not linked correctly;
* ``partial`` items are reported apart: recall of a correct link, and of a
  correct link whose relation is ``partial``;
* relation agreement compares, on correctly linked items, the relation of the
  best correct link with the gold kind.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from align.errors import InputError, json_lines

GOLD_KINDS = ("verbatim", "paraphrase", "partial", "none")
POSITIVE = ("verbatim", "paraphrase")
KIND_TO_RELATION = {"verbatim": "verbatim", "paraphrase": "adapted", "partial": "partial", "none": "local"}


@dataclass(frozen=True, slots=True)
class GoldItem:
    id: str
    child_doc: str
    parent_doc: str
    child: str
    parent: str | None
    kind: str
    note: str = ""


def read_gold(path: str | os.PathLike) -> list[GoldItem]:
    """Read a gold ``.jsonl`` file; a bad line is an error naming file and line."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such gold file" if not p.exists() else "is not a file", path=p)
    items = []
    for n, d in json_lines(p, "a gold .jsonl file", "a gold item"):
        try:
            kind = d["kind"]
            if kind not in GOLD_KINDS:
                raise ValueError(f"unknown kind {kind!r} (expected one of {', '.join(GOLD_KINDS)})")
            for name in ("id", "child_doc", "parent_doc", "child"):
                _text_field(name, d[name])
            _text_field("parent", d.get("parent"), optional=True)
            _text_field("note", d.get("note", ""))
            items.append(GoldItem(d["id"], d["child_doc"], d["parent_doc"], d["child"], d.get("parent"), kind, d.get("note", "")))
        except (KeyError, ValueError, TypeError) as e:
            what = f"missing field {e}" if isinstance(e, KeyError) else str(e)
            raise InputError(f"line {n}: not a gold item ({what})", path=p) from None
    if not items:
        raise InputError("no gold items in the file", path=p)
    return items


def _text_field(name: str, value: object, optional: bool = False) -> None:
    """A gold field must be text (``parent`` may be null)."""
    if not (isinstance(value, str) or (optional and value is None)):
        raise ValueError(f"field {name!r} must be {'text or null' if optional else 'text'}, not {type(value).__name__}")


class Locator:
    """Finds passages in a text ignoring whitespace, returning original spans."""

    def __init__(self, original: str) -> None:
        self._index = [i for i, ch in enumerate(original) if not ch.isspace()]
        self._stripped = "".join(original[i] for i in self._index)

    def find(self, passage: str) -> tuple[int, int] | None:
        q = re.sub(r"\s", "", passage)
        if not q:
            return None
        k = self._stripped.find(q)
        if k < 0:
            return None
        return self._index[k], self._index[k + len(q) - 1] + 1


@dataclass(frozen=True, slots=True)
class LinkView:
    """What scoring needs of one link."""

    child_id: str
    parent_id: str | None
    relation: str
    score: float
    parent_text: str = ""


@dataclass
class ItemResult:
    item: GoldItem
    child_units: list[str]
    links: list[LinkView]
    correct: list[LinkView]

    @property
    def linked(self) -> bool:
        return bool(self.links)

    @property
    def predicted(self) -> str:
        pool = self.correct or self.links
        if not pool:
            return "local"
        return max(pool, key=lambda l: l.score).relation


@dataclass
class PairEval:
    child_doc: str
    parent_doc: str
    items: list[ItemResult] = field(default_factory=list)

    def counts(self) -> dict[str, float | None]:
        """Counts and rates; a rate whose denominator is zero is ``None`` (undefined:
        shown as "—"), e.g. recall for a pair without derived items."""
        pos = [r for r in self.items if r.item.kind in POSITIVE]
        none = [r for r in self.items if r.item.kind == "none"]
        part = [r for r in self.items if r.item.kind == "partial"]
        tp = sum(1 for r in pos if r.correct)
        fp = sum(1 for r in none if r.linked) + sum(1 for r in pos if r.linked and not r.correct)
        fn = len(pos) - tp
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / len(pos) if pos else None
        if precision is None or recall is None:
            f1 = None
        else:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        linked_ok = [r for r in self.items if r.item.kind != "none" and r.correct]
        agree = sum(1 for r in linked_ok if r.predicted == KIND_TO_RELATION[r.item.kind])
        return {
            "items": len(self.items),
            "positives": len(pos),
            "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1,
            "none_items": len(none),
            "false_link_rate": (sum(1 for r in none if r.linked) / len(none)) if none else None,
            "partial_items": len(part),
            "partial_recall": (sum(1 for r in part if r.correct) / len(part)) if part else None,
            "partial_as_partial": (sum(1 for r in part if r.correct and r.predicted == "partial") / len(part)) if part else None,
            "relation_agreement": agree / len(linked_ok) if linked_ok else None,
            "linked_items": len(linked_ok),
        }

    def confusion(self) -> Counter:
        """(gold kind, predicted relation) counts over all items."""
        return Counter((r.item.kind, r.predicted if r.linked else "local") for r in self.items)

    def errors(self) -> list[ItemResult]:
        out = []
        for r in self.items:
            k = r.item.kind
            if k == "none" and r.linked:
                out.append(r)
            elif k in POSITIVE and not r.correct:
                out.append(r)
            elif k == "partial" and not (r.correct and r.predicted == "partial"):
                out.append(r)
            elif k in POSITIVE and r.correct and r.predicted != KIND_TO_RELATION[k]:
                out.append(r)
        return out


def units_inside(units: Iterable, span: tuple[int, int]) -> list:
    """Units lying (mostly) inside an original span."""
    a, b = span
    out = []
    for u in units:
        overlap = min(b, u.end) - max(a, u.start)
        if overlap <= 0:
            continue
        if overlap >= 0.5 * (u.end - u.start) or overlap >= 0.5 * (b - a):
            out.append(u)
    return out


def score_items(items: list[GoldItem], child_doc, parent_doc, child_units, parent_units,
                links: Iterable[LinkView]) -> PairEval:
    """Score the links of one child→parent pair against its gold items."""
    by_child: dict[str, list[LinkView]] = {}
    for link in links:
        if link.relation != "local" and link.parent_id:
            by_child.setdefault(link.child_id, []).append(link)
    parent_span = {u.unit_id: (u.start, u.end) for u in parent_units}
    child_loc, parent_loc = Locator(child_doc.original), Locator(parent_doc.original)
    result = PairEval(child_doc.doc_id, parent_doc.doc_id)
    for item in items:
        span = child_loc.find(item.child)
        if span is None:
            raise InputError(f"gold item {item.id}: child sentence not found in {child_doc.doc_id}")
        inside = units_inside(child_units, span)
        links_here = [l for u in inside for l in by_child.get(u.unit_id, [])]
        correct: list[LinkView] = []
        if item.parent:
            pspan = parent_loc.find(item.parent)
            if pspan is None:
                raise InputError(f"gold item {item.id}: parent passage not found in {parent_doc.doc_id}")
            for l in links_here:
                a, b = parent_span.get(l.parent_id, (0, 0))
                if min(b, pspan[1]) > max(a, pspan[0]):
                    correct.append(l)
        result.items.append(ItemResult(item, [u.unit_id for u in inside], links_here, correct))
    return result


def evaluate_gold(path: str | os.PathLike, manifest, settings=None, docs: dict | None = None,
                  lexicon=None) -> list[PairEval]:
    """Align the document pairs a gold file names and score them (``lexicon``:
    an :class:`~align.retrieval.lexicon.Lexicon`, default the bundled one).  An error about
    its items (an unknown plan, a sentence not in its plan) names the file."""
    from align.errors import PlanechoError

    items = read_gold(path)
    try:
        return evaluate_items(items, manifest, settings, docs, lexicon=lexicon)
    except PlanechoError as e:
        raise InputError(str(e), path=path) from e


def evaluate_items(items: list[GoldItem], manifest, settings=None, docs: dict | None = None,
                   lexicon=None) -> list[PairEval]:
    """Align the document pairs the gold items name and score them."""
    from align.reading.document import load_document
    from align.decisions.match import Aligner, Settings

    settings = settings or Settings()
    docs = {} if docs is None else docs
    pairs: dict[tuple[str, str], list[GoldItem]] = {}
    for it in items:
        pairs.setdefault((it.child_doc, it.parent_doc), []).append(it)
    results = []
    for (child_id, parent_id), group in pairs.items():
        for d in (child_id, parent_id):
            if d not in docs:
                docs[d] = load_document(d, manifest=manifest)
        child, parent = docs[child_id], docs[parent_id]
        aligner = Aligner(settings, lexicon=lexicon).fit(parent)  # the pair's own model, as every command
        links = aligner.align_links(child)
        views = [LinkView(l.child.unit_id, l.parent.unit_id if l.parent else None, l.relation, l.score,
                          l.parent.text if l.parent else "") for l in links]
        results.append(score_items(group, child, parent, child.alignable(settings.unit),
                                   parent.alignable(settings.unit), views))
    return results
