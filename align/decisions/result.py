"""An alignment and what the comparison layer needs to read from it.

:class:`Alignment` bundles the links of one child→parent pair with where
each programme term (lexicon entry or quoted name) occurs on both sides and
how distinctive it is in the background, so divergences, phrase lineage and
the TUI read the engine's findings instead of recomputing them.  It pickles
(the on-disk cache stores it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from align.decisions.match import Aligner, Link, Settings, parent_status
from align.records import Unit


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
    parent_region: str = ""  # the issuing regions (manifest ``region``): absolute totals compare only within one
    child_region: str = ""
    parent_title: str = ""  # the plans' titles (manifest ``title``): a plan naming itself is preamble
    child_title: str = ""

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


def build_alignment(parent, child, settings: Settings, model=None, *, lexicon=None) -> Alignment:
    """Align two documents and collect term occurrences (``model``: the pair's
    own :func:`~align.retrieval.model.pair_model` when None)."""
    parent_units, child_units = _units(parent, settings), _units(child, settings)
    if model is None:
        from align.retrieval.model import pair_model

        model = pair_model(parent_units, child_units, lexicon=lexicon, settings=settings,
                           regions=[d.entry.region for d in (parent, child) if d.entry.region])
    links = Aligner(settings, model=model).fit(parent).align_links(child)
    result = Alignment(parent.doc_id, child.doc_id, settings, parent_units, child_units, links,
                       parent_region=parent.entry.region, child_region=child.entry.region,
                       parent_title=parent.entry.title, child_title=child.entry.title)
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
    for t, ids in _unquoted_originals(model.prepared(parent_units), result).items():
        result.parent_terms.setdefault(t, ids)
    terms = set(result.parent_terms) | set(result.child_terms) | set(result.child_quoted)
    known = sorted(t for t in terms if t in model.terms.terms)
    other = sorted(terms.difference(known))
    result.term_weight = {t: model.terms.weight(t) for t in known}
    result.term_weight.update(zip(other, term_weights(model, other)))
    return result


def _unquoted_originals(parents, result: Alignment) -> dict[str, tuple[str, ...]]:
    """The parent's own unquoted phrases that a name the child quotes may vary:
    for each quoted child name the parent does not use, the parent's strings of
    the same length sharing its first half (千年古城 for a child's “千年府城”),
    never said by the centre (:mod:`align.retrieval.background`) and within one clause.
    What is a re-brand among them is decided in :mod:`compare.divergence`."""
    from bisect import bisect_right
    from itertools import accumulate

    from align.retrieval.background import term_counts

    heads: dict[tuple[int, str], None] = {}
    for name in result.child_quoted:
        if name not in result.parent_terms and len(name) >= 4:
            heads[(len(name), name[: len(name) // 2])] = None
    found: dict[str, list[str]] = {}
    if not heads:
        return {}
    # the parents' forms joined by a line break (never in a form), each head searched once
    forms = [p.form.text for p in parents]
    joined = "\n".join(forms)
    starts = list(accumulate((len(f) + 1 for f in forms), initial=0))
    for n, head in heads:
        at = joined.find(head)
        while at >= 0:
            k = bisect_right(starts, at) - 1
            form, i = forms[k], at - starts[k]
            cand = form[i : i + n]
            if len(cand) == n and cand.isalpha() and not any(ch in "|◇" for ch in cand):
                ids = found.setdefault(cand, [])
                if parents[k].unit.unit_id not in ids:
                    ids.append(parents[k].unit.unit_id)
            at = joined.find(head, at + 1)
    national = term_counts(list(found))
    return {t: tuple(ids) for (t, ids), c in zip(found.items(), national) if c == 0}


def term_weights(model, terms: list[str]) -> list[float]:
    """Distinctiveness of terms that are not known programme terms: the mean
    weight of each one's characters in the background."""
    from align.retrieval.lexicon import strip_punct
    from align.textnorm import matching_key

    forms = [strip_punct(matching_key(t)) for t in terms]
    many = model.weights.char_weights_many([f for f in forms if len(f) > 1])
    out, k = [], 0
    for f in forms:
        if len(f) > 1:
            w, k = many[k], k + 1
        else:
            w = model.weights.char_weights(f)
        out.append(sum(w) / len(w) if w else 0.0)
    return out
