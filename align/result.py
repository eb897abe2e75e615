"""An alignment and what the comparison layer needs to read from it.

:class:`Alignment` bundles the links of one child→parent pair with where
each programme term (lexicon entry or quoted name) occurs on both sides and
how distinctive it is in the background, so divergences, phrase lineage and
the TUI read the engine's findings instead of recomputing them.  It pickles
(the on-disk cache stores it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .match import Aligner, Link, Settings, parent_status
from .records import Unit


@dataclass
class Alignment:
    parent_doc: str
    child_doc: str
    settings: Settings
    parent_units: list[Unit]
    child_units: list[Unit]
    links: list[Link]
    parent_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # term → parent unit ids
    child_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    child_quoted: dict[str, tuple[str, ...]] = field(default_factory=dict)  # terms the child puts in quotes
    term_weight: dict[str, float] = field(default_factory=dict)

    def best_links(self) -> dict[str, Link]:
        """The strongest link of each child unit (by relation, then score)."""
        order = {"verbatim": 0, "adapted": 1, "partial": 2, "local": 3}
        best: dict[str, Link] = {}
        for l in self.links:
            cur = best.get(l.child.unit_id)
            if cur is None or (order[l.relation], -l.score) < (order[cur.relation], -cur.score):
                best[l.child.unit_id] = l
        return best

    def parent_status(self):
        return parent_status(self.parent_units, self.links)


def _units(doc, settings: Settings) -> list[Unit]:
    return doc.alignable(settings.unit) if settings.include_headings else doc.units(settings.unit)


def build_alignment(parent, child, settings: Settings, model) -> Alignment:
    """Align two documents with a corpus model and collect term occurrences."""
    links = Aligner(settings, model=model).fit(parent).align_links(child)
    parent_units, child_units = _units(parent, settings), _units(child, settings)
    result = Alignment(parent.doc_id, child.doc_id, settings, parent_units, child_units, links)
    for units, target in ((parent_units, result.parent_terms), (child_units, result.child_terms)):
        occ: dict[str, list[str]] = {}
        for p in model.prepared(units):
            for t in p.terms:
                occ.setdefault(t, []).append(p.unit.unit_id)
        target.update({t: tuple(ids) for t, ids in occ.items()})
    quoted: dict[str, list[str]] = {}
    for p in model.prepared(child_units):
        for t in p.quoted:
            quoted.setdefault(t, []).append(p.unit.unit_id)
    result.child_quoted = {t: tuple(ids) for t, ids in quoted.items()}
    terms = set(result.parent_terms) | set(result.child_terms) | set(result.child_quoted)
    result.term_weight = {t: model.terms.weight(t) if t in model.terms.terms else term_weight(model, t) for t in terms}
    return result


def term_weight(model, term: str) -> float:
    """Distinctiveness of a term that is not a known programme term: the mean
    weight of its characters in the background."""
    from .lexicon import strip_punct
    from .textnorm import matching_key

    w = model.weights.char_weights(strip_punct(matching_key(term)))
    return sum(w) / len(w) if w else 0.0
