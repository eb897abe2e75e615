"""The aligner: which parent units each child unit derives from, how, and why.

Method (see README "How alignment works" for the full account):

1. every unit gets a matching form (:mod:`align.retrieval.prepare`) whose characters
   are weighted by how distinctive they are in the background corpus
   (:mod:`align.retrieval.weights`);
2. candidates: the top-k parents by TF-IDF cosine over character n-grams and
   jieba words (:mod:`align.retrieval.index`), plus every parent sharing a distinctive
   programme term with the child;
3. each candidate pair is measured (:mod:`align.retrieval.features`): weighted
   coverage of child and parent by shared substrings, the shared mass, the
   longest shared phrase, the rarest shared programme term;
4. relations, in this order:

   * ``verbatim`` / ``adapted`` — textual derivation: shared mass ≥
     ``min_mass`` and one side covered ≥ ``min_coverage`` (the other ≥
     ``min_other_coverage``); ``verbatim`` when the child is near-wholly
     covered (≥ ``verbatim_child``) or both sides largely are
     (``verbatim_pair``);
   * ``partial`` — no textual derivation, but a distinctive programme term
     (weight ≥ ``anchor_weight``) that the child quotes or that comes with
     ``anchor_mass`` of shared wording, or one long distinctive shared
     phrase (≥ ``phrase_weight``);
   * ``local`` — none of that;

5. a child unit links to the best candidate and to further textual
   candidates that cover ≥ ``extra_mass`` of its wording the first did not
   (a child merging two parent sentences links to both).

The score of a link is ``0.45·max(cc, pc) + 0.35·min(cc, pc) + 0.20·min(1,
mass/20)`` in [0, 1], where cc/pc are the weighted coverages of child and
parent: 1.0 for identical wording, around 0.5 for a clear adaptation, below
0.3 for a partial echo.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from align.errors import AlignError
from align.retrieval.features import MIN_TILE, PairFeatures, Prepared, gram_mass, pair_features, shared_mass_bound
from align.retrieval.lexicon import Lexicon
from align.reading.numbers import NumberChange, number_changes
from align.reading.structure import heading_title
from align.records import Unit, pickled_by_fields
from align.retrieval.tiling import cached_gram_index

if TYPE_CHECKING:
    import pandas as pd

    from align.reading.document import Document
    from align.retrieval.model import CorpusModel

log = logging.getLogger(__name__)

RELATIONS = ("verbatim", "adapted", "partial", "local")
_MARGIN = 1e-6  # slack for float sums in the candidate pre-filter
ENGINE_VERSION = "1"
PARALLEL_FROM = 4000  # child units from which an alignment is split among processes


@dataclass(frozen=True)
class Settings:
    """Every knob of the aligner; stored in each export's metadata."""

    unit: str = "sentence"  # "sentence" or "clause"
    include_headings: bool = True  # align section headings too
    top_k: int = 10  # retrieval candidates per child unit (by TF-IDF cosine)
    min_cosine: float = 0.04  # retrieval candidates below this are not measured (unless anchored)
    ngram_range: tuple[int, int] = (2, 4)  # character n-gram lengths of the TF-IDF view
    word_weight: float = 0.35  # share of the jieba-word cosine in retrieval
    max_df: float = 0.2  # retrieval leaves out n-grams and words in more than this share of the compared units
    name_score: float = 14.0  # an unquoted phrase both plans repeat is a programme name from this much name evidence (bits; align.retrieval.names)
    national_scale: float = 10.0  # a programme term's use in one national-background sentence counts as this many units
    min_mass: float = 9.0  # textual link: the child's weighted characters covered by shared wording, at least…
    mass_relief: float = 4.0  # the mass a textual link needs falls by this × min(cc, pc): a short unit wholly restated
    min_coverage: float = 0.40  # …and one side covered this much…
    min_other_coverage: float = 0.10  # …and the other side this much
    verbatim_child: float = 0.85  # a textual link is verbatim when the child is covered this much…
    verbatim_pair: tuple[float, float] = (0.55, 0.75)  # …or child ≥ this and parent ≥ that
    anchor_weight: float = 0.75  # a shared programme term this distinctive (0–1) makes a partial link…
    anchor_mass: float = 4.0  # …when the child quotes it or the pair shares this much weighted wording
    anchor_coverage: float = 0.60  # an anchored child this covered is textual even below min_mass
    phrase_weight: float = 6.0  # partial link: one shared phrase weighing this much…
    phrase_coverage: float = 0.20  # …covering this much of both sides
    extra_mass: float = 4.0  # a further parent for a child unit: weighted wording the earlier links left uncovered
    section_prior: bool = True  # use the chapter correspondence found by strong links
    prior_min_mass: float = 5.0  # min_mass inside a corresponding chapter…
    prior_min_coverage: float = 0.35  # …and min_coverage there
    prior_min_links: int = 2  # strong links that establish a chapter correspondence
    single_phrase_share: float = 0.9  # shared mass in one phrase: a carried phrase, not an adaptation…
    single_phrase_mass: float = 10.0  # …when that phrase weighs less than this…
    single_phrase_coverage: float = 0.6  # …and covers less than this of the child
    identical_coverage: float = 0.95  # both sides covered this much (and identical_min_chars shared)…
    identical_min_chars: int = 8  # …is verbatim on any background
    heading_coverage: float = 0.5  # a heading restates a parent unit when both are covered this much and a shared phrase of theirs is not the centre's wording
    prior_min_share: float = 0.25  # a parent chapter takes this share of a child chapter's strong links to correspond
    score_weights: tuple[float, float, float] = (0.45, 0.35, 0.20)  # link score: max(cc, pc), min(cc, pc), mass…
    score_mass: float = 20.0  # …as min(1, mass / this)
    min_phrase: int = 4  # shortest shared phrase reported as evidence, and that can make a heading a restatement

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def digest(self) -> str:
        blob = json.dumps({"engine": ENGINE_VERSION, **self.to_dict()}, sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------
# Records


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SharedPhrase:
    """Wording both units share; positions index each unit's ``text``."""

    text: str
    child_start: int
    child_end: int
    parent_start: int
    parent_end: int
    programme: bool = False  # a lexicon term or quoted programme name


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DiffOp:
    """One edit from the parent's wording to the child's."""

    op: str  # "replace", "insert" (only in the child), "delete" (only in the parent)
    parent_start: int
    parent_end: int
    child_start: int
    child_end: int
    parent_text: str
    child_text: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Evidence:
    phrases: tuple[SharedPhrase, ...]
    diff: tuple[DiffOp, ...]
    numbers: tuple[NumberChange, ...]

    def phrase_texts(self) -> list[str]:
        return [p.text for p in self.phrases]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Link:
    """A child unit and one parent unit it derives from (or none: ``local``)."""

    child: Unit
    parent: Unit | None
    relation: str
    score: float
    child_coverage: float = 0.0
    parent_coverage: float = 0.0
    anchor: str = ""
    evidence: Evidence | None = None
    #: set by a scholar's correction (:mod:`compare.corrections`), never by the engine:
    #: "added", "confirmed", "changed" or "removed"; ``note`` is the scholar's note
    corrected: str = ""
    note: str = ""


# ---------------------------------------------------------------------------
# Aligner


@dataclass(frozen=True)
class _ParentSide:
    """What every child unit is measured against, computed once per alignment."""

    model: "CorpusModel"
    by_term: dict[str, list[int]]  # heavy programme term → parents holding it
    grams: list[dict[str, list[int]]]  # each parent's MIN_TILE-gram index (for tiling)
    masses: dict[int, dict[str, float]] = field(default_factory=dict)  # parent → its gram_mass, made when first needed


def _units_of(obj: "Document | Sequence[Unit]", settings: Settings) -> tuple[str, list[Unit], tuple[str, ...]]:
    from align.reading.document import Document

    if isinstance(obj, Document):
        units = obj.alignable(settings.unit) if settings.include_headings else obj.units(settings.unit)
        return obj.doc_id, units, (obj.entry.region,) if obj.entry.region else ()
    units = list(obj)
    return (units[0].doc_id if units else ""), units, ()


class Aligner:
    """Align child units to parent units (scikit-learn shape).

    >>> from align.reading.document import document_from_text
    >>> parent = document_from_text("一、目标\\n\\n全面实施千年古城复兴计划，开展试点创建。", "parent")
    >>> child = document_from_text("一、目标\\n\\n我市全面实施千年古城复兴计划，开展试点创建。", "child")
    >>> [(l.child.text, l.relation) for l in Aligner().fit(parent).align_links(child)]
    [('一、目标', 'local'), ('我市全面实施千年古城复兴计划，开展试点创建。', 'verbatim')]

    ``model`` is a :class:`~align.retrieval.model.CorpusModel`; without one, the pair
    builds its own (:func:`~align.retrieval.model.pair_model`: the two documents over
    the shipped national background), as every entry point does.  From ``PARALLEL_FROM`` child units on, the child
    units are split among ``jobs`` forked processes (:mod:`align.forked`);
    the links are the same.
    """

    def __init__(self, settings: Settings | None = None, *, model: "CorpusModel | None" = None,
                 lexicon: Lexicon | None = None, regions: Sequence[str] = (), jobs: int | None = None) -> None:
        self.settings = settings or Settings()
        self.model = model
        self.lexicon = lexicon
        self.regions = tuple(regions)
        self.jobs = jobs  # processes for large alignments (None: the usable cores); results do not depend on it

    def fit(self, parent: "Document | Sequence[Unit]") -> "Aligner":
        if self.settings.unit not in ("sentence", "clause"):
            raise AlignError(f"unit must be 'sentence' or 'clause', not {self.settings.unit!r}")
        self.parent_doc_, self.parent_units_, self._parent_regions = _units_of(parent, self.settings)
        return self

    def _model_for(self, child_units: list[Unit], regions: tuple[str, ...]) -> "CorpusModel":
        if self.model is not None:
            return self.model
        from align.retrieval.model import pair_model

        s = self.settings
        return pair_model(self.parent_units_, child_units, regions=self.regions + self._parent_regions + regions,
                          lexicon=self.lexicon, settings=s)

    # -- aligning ------------------------------------------------------------
    def align_links(self, child: "Document | Sequence[Unit]") -> list[Link]:
        """One ``Link`` per (child unit, parent unit) link; ``local`` rows for the rest."""
        if not hasattr(self, "parent_units_"):
            raise AlignError("the aligner must be fitted on a parent before aligning")
        child_doc, child_units, regions = _units_of(child, self.settings)
        if not child_units:
            return []
        if not self.parent_units_:
            return [Link(u, None, "local", 0.0) for u in child_units]
        if child_doc == self.parent_doc_ and [u.key for u in child_units] == [u.key for u in self.parent_units_]:
            return [Link(u, p, "verbatim", 1.0, 1.0, 1.0, "", evidence(u, p)) for u, p in zip(child_units, self.parent_units_)]
        from align.retrieval.model import paused_gc

        with paused_gc():  # many small containers, no cycles (see paused_gc)
            return self._align(child_units, regions)

    def _align(self, child_units: list[Unit], regions: tuple[str, ...]) -> list[Link]:
        model = self._model_for(child_units, regions)
        s = self.settings
        self.parents_ = parents = model.prepared(self.parent_units_)
        model.index.top_k = s.top_k
        model.index.set_parents(model.matrix(parents))
        by_term: dict[str, list[int]] = {}
        for j, p in enumerate(parents):
            for t in p.terms:
                if model.terms.weight(t) >= s.anchor_weight:
                    by_term.setdefault(t, []).append(j)
        self._side = _ParentSide(model, by_term, [model.grams(p, MIN_TILE) for p in parents])
        try:
            jobs = self._jobs_for(len(child_units))
            if jobs > 1:
                from align.forked import align_in_processes

                return align_in_processes(self, child_units, jobs)
            children, all_feats = self._measure(child_units)
            chapters = self._chapter_map(self._votes(children, all_feats))
            return self._decide_all(children, all_feats, chapters)
        finally:
            del self._side

    def _jobs_for(self, n_children: int) -> int:
        """Processes for aligning ``n_children`` units (:func:`~align.forked.jobs_for`)."""
        from align.forked import jobs_for

        return jobs_for(n_children, self.jobs, PARALLEL_FROM)

    def _measure(self, child_units: Sequence[Unit], threads: int | None = None
                 ) -> tuple[list[Prepared], list[list[tuple[int, PairFeatures]]]]:
        """The candidates of each child unit and their features (step 2–3)."""
        s, model, by_term = self.settings, self._side.model, self._side.by_term
        children = model.prepared(child_units)
        hits = model.index.query_matrix(model.matrix(children), s.min_cosine, threads=threads)
        pools = []  # per child: its candidate parents (ascending) and their cosines
        for c, cand in zip(children, hits):
            cos = {j: v for j, v in cand if v >= s.min_cosine}
            pool = set(cos)
            for t in c.terms:
                pool.update(by_term.get(t, ()))
            pools.append((sorted(pool), cos))
        return children, self._features(children, pools)

    def _least_mass(self, c: Prepared) -> tuple[float, float, float]:
        """What a pair of ``c`` and a parent must share to pass a test without a heavy
        shared programme term, as (``floor``, ``least``, ``coverage``): with less shared
        mass than ``floor`` neither ``_textual`` (with or without the chapter prior) nor
        ``_partial`` can hold; below it only a near-identical pair, or a heading restating
        the parent (:meth:`_restated_heading`), can, and they need at least ``least`` (a
        share of ``c``'s weight) and the parent covered at least ``coverage``.  Pairs below
        ``least`` are not measured.

        A textual link needs ``mass ≥ m − mass_relief·min(cc, pc)`` (``m``: ``min_mass``, or
        ``prior_min_mass`` in a corresponding chapter), and ``min(cc, pc) ≤ cc = mass / c.total``,
        so it needs ``mass ≥ m·c.total / (c.total + mass_relief)``: the relief helps a short unit
        more than a long one."""
        s = self.settings
        share = min(1.0, c.total / (c.total + s.mass_relief)) if c.total + s.mass_relief > 0 else 1.0  # a negative relief raises it
        floor = min(s.min_mass * share, s.prior_min_mass * share, s.phrase_weight) - _MARGIN
        coverage = min(s.identical_coverage, s.heading_coverage) if c.unit.kind == "heading" else s.identical_coverage
        least = min(floor, coverage * c.total - _MARGIN) if c.total else floor
        return floor, least, coverage - _MARGIN

    def _heavy(self, c: Prepared) -> set[str]:
        termset = self._side.model.terms
        return {t for t in c.terms if termset.weight(t) >= self.settings.anchor_weight}

    def _features(self, children: list[Prepared], pools) -> list[list[tuple[int, PairFeatures]]]:
        """Features of the candidate pairs, tiled in Python.  A pair whose shared mass
        cannot reach the ``least`` of :meth:`_least_mass` is not measured at all (the
        tighter bound is only worth computing when the rough one is close), nor one below
        its ``floor`` whose parent side cannot be covered ``coverage`` (the sum of the
        parent's gram masses over the shared grams bounds the parent's covered weight)."""
        parents, parent_grams, termset = self.parents_, self._side.grams, self._side.model.terms
        parent_mass = self._side.masses
        all_feats = []
        for c, (pool, cos) in zip(children, pools):
            heavy = self._heavy(c)
            c_grams = cached_gram_index(c.form.text, MIN_TILE)  # kept: a child is measured in each of its pairs
            c_mass = gram_mass(c, c_grams)
            floor, least, coverage = self._least_mass(c)
            feats = []
            for j in pool:
                p_grams = parent_grams[j]
                shared = c_grams.keys() & p_grams.keys()
                if not heavy or heavy.isdisjoint(parents[j].terms):
                    rough = sum(map(c_mass.__getitem__, shared))
                    if rough < least or (rough < 3 * least and shared_mass_bound(c, c_grams, shared) < least):
                        continue
                    if rough < floor:  # only a near-identical pair or a restated heading: the parent mostly covered
                        if j not in parent_mass:
                            parent_mass[j] = gram_mass(parents[j], p_grams)
                        if sum(map(parent_mass[j].__getitem__, shared)) < coverage * parents[j].total:
                            continue
                feats.append((j, pair_features(c, parents[j], termset, cos.get(j, 0.0), p_grams, c_grams, shared)))
            all_feats.append(feats)
        return all_feats

    def _votes(self, children: list[Prepared], all_feats) -> list[tuple[str, str]]:
        """(child chapter, parent chapter) of each child's best strong (textual) link."""
        if not self.settings.section_prior:
            return []
        votes = []
        for c, feats in zip(children, all_feats):
            strong = [(self.score(f), j) for j, f in feats if self._textual(f)]
            if strong:
                _, j = max(strong)
                votes.append((chapter_of(c.unit), chapter_of(self.parents_[j].unit)))
        return votes

    def _chapter_map(self, votes: Sequence[tuple[str, str]]) -> dict[str, frozenset[str]]:
        """Child chapter → parent chapters it follows, from the strong links' votes."""
        from collections import Counter, defaultdict

        by_chapter: dict[str, Counter] = defaultdict(Counter)
        for ch, pc in votes:
            by_chapter[ch][pc] += 1
        out = {}
        for ch, counter in by_chapter.items():
            total = sum(counter.values())
            keep = {pc for pc, n in counter.items() if n >= self.settings.prior_min_links and n >= self.settings.prior_min_share * total and pc}
            if ch and keep:
                out[ch] = frozenset(keep)
        return out

    def _decide_all(self, children: list[Prepared], all_feats, chapters: dict[str, frozenset[str]]) -> list[Link]:
        links: list[Link] = []
        for c, feats in zip(children, all_feats):
            links.extend(self._decide(c, feats, chapters.get(chapter_of(c.unit), frozenset())))
        return links

    def _textual(self, f: PairFeatures, prior: bool = False) -> bool:
        s = self.settings
        if f.cc >= s.identical_coverage and f.pc >= s.identical_coverage and sum(n for *_, n in f.tiles) >= s.identical_min_chars:
            return True
        mass, cov = (s.prior_min_mass, s.prior_min_coverage) if prior else (s.min_mass, s.min_coverage)
        lo = min(f.cc, f.pc)
        mass -= s.mass_relief * lo
        if f.anchor >= s.anchor_weight and f.cc >= s.anchor_coverage and f.mass >= s.anchor_mass:
            mass = min(mass, s.anchor_mass)
        return f.mass >= mass and max(f.cc, f.pc) >= cov and lo >= s.min_other_coverage

    def _restated_heading(self, c: Prepared, f: PairFeatures) -> bool:
        """A child heading restating the parent unit of ``f``: most of both is shared
        (``heading_coverage``), and no sentence of the national background uses all the
        words of one of their shared phrases of ``min_phrase`` or more characters
        (:func:`~align.retrieval.names.national_together`).  A heading is too short for the
        shared mass a textual link needs; wording the centre uses (强化政策保障: 强化, 政策
        and 保障 share seven national sentences) is boilerplate any two plans share."""
        s = self.settings
        if c.unit.kind != "heading" or min(f.cc, f.pc) < s.heading_coverage or not f.tiles:
            return False
        from align.retrieval.names import national_together

        cut = self._side.model.tokenizer.cut
        for i, _, n in sorted(f.tiles, key=lambda t: (-t[2], t[0])):
            if n < s.min_phrase:
                break
            words = tuple(cut(c.form.text[i : i + n]))
            if words and national_together(words)[1] == 0:
                return True
        return False

    def _partial(self, f: PairFeatures) -> bool:
        s = self.settings
        anchored = f.anchor >= s.anchor_weight and (f.anchor_quoted or f.mass >= s.anchor_mass)
        phrase = f.best >= s.phrase_weight and min(f.cc, f.pc) >= s.phrase_coverage
        return anchored or phrase

    def _relation(self, f: PairFeatures) -> str:
        """verbatim / adapted / partial for a textual link."""
        s = self.settings
        if f.cc >= s.verbatim_child or (f.cc >= s.verbatim_pair[0] and f.pc >= s.verbatim_pair[1]):
            return "verbatim"
        one_phrase = f.mass > 0 and f.best / f.mass >= s.single_phrase_share and f.mass < s.single_phrase_mass
        if one_phrase and f.cc < s.single_phrase_coverage:
            return "partial"
        return "adapted"

    def score(self, f: PairFeatures) -> float:
        """The link score in [0, 1] (README "How alignment works", step 8)."""
        hi, lo = max(f.cc, f.pc), min(f.cc, f.pc)
        a, b, c = self.settings.score_weights
        return round(min(1.0, a * hi + b * lo + c * min(1.0, f.mass / self.settings.score_mass)), 4)

    def _decide(self, c: Prepared, feats: list[tuple[int, PairFeatures]], mapped: frozenset[str]) -> list[Link]:
        def in_mapped(j: int) -> bool:
            p = self.parents_[j].unit
            return p.kind != "heading" and chapter_of(p) in mapped

        textual = sorted(((self.score(f), j, f) for j, f in feats
                          if self._textual(f, in_mapped(j)) or self._restated_heading(c, f)),
                         key=lambda t: (-t[0], t[1]))
        if textual:
            out = []
            covered = bytearray(len(c.form.text))
            for sc, j, f in textual:
                if out:  # a further link only for enough wording the links so far do not cover
                    new = sum(c.weights[i + k] for i, _, n in f.tiles for k in range(n) if not covered[i + k])
                    if new < self.settings.extra_mass:
                        continue
                for i, _, n in f.tiles:
                    covered[i : i + n] = b"\x01" * n
                out.append(self._link(c, self.parents_[j], self._relation(f), sc, f))
            return out
        partial = [(f.anchor_quoted, in_mapped(j), f.mass, -j, j, f) for j, f in feats if self._partial(f)]
        if partial:
            *_, j, f = max(partial)
            return [self._link(c, self.parents_[j], "partial", self.score(f), f)]
        return [Link(c.unit, None, "local", 0.0)]

    def _link(self, c: Prepared, p: Prepared, relation: str, score: float, f: PairFeatures) -> Link:
        ev = evidence(c.unit, p.unit, c, p, f, self.settings.min_phrase)
        return Link(c.unit, p.unit, relation, score, round(f.cc, 4), round(f.pc, 4), f.anchor_term, ev)

    def align(self, child: "Document | Sequence[Unit]") -> "pd.DataFrame":
        """The alignment table (see :func:`alignment_frame`)."""
        return alignment_frame(self.align_links(child), self.settings, parent_doc=self.parent_doc_)


def chapter_of(u: Unit) -> str:
    """The top-level section a unit belongs to (a chapter heading is its own, named as in
    section paths: without a closing stop)."""
    if u.section:
        return u.section[0]
    return heading_title(u.text) if u.kind == "heading" else ""


# ---------------------------------------------------------------------------
# Evidence


def evidence(child: Unit, parent: Unit, cp: Prepared | None = None, pp: Prepared | None = None,
             f: PairFeatures | None = None, min_phrase: int = 4) -> Evidence:
    """Shared phrases, the character diff and changed numbers of a pair."""
    import Levenshtein

    phrases: list[SharedPhrase] = []
    if cp is not None and pp is not None and f is not None:
        cpos, ppos = cp.form.pos, pp.form.pos
        for i, j, n in sorted(f.tiles):
            if n < min_phrase:
                continue
            cs, ce = cpos[i], cpos[i + n - 1] + 1
            ps, pe = ppos[j], ppos[j + n - 1] + 1
            phrases.append(SharedPhrase(child.text[cs:ce], cs, ce, ps, pe, False))
        # by position, the longer of two terms at one position first (千年古城复兴 before 千年古城):
        # a fixed order, not the set's (which changes with Python's hash seed)
        for term in sorted(cp.terms.keys() & pp.terms.keys(), key=lambda t: (cp.terms[t], -len(t), t)):
            a, b = cp.terms[term], pp.terms[term]
            cs, ce = cpos[a], cpos[a + len(term) - 1] + 1
            ps, pe = ppos[b], ppos[b + len(term) - 1] + 1
            phrases.append(SharedPhrase(child.text[cs:ce], cs, ce, ps, pe, True))
    ops = []
    for op, a1, a2, b1, b2 in Levenshtein.opcodes(parent.key, child.key):
        if op != "equal":
            ops.append(DiffOp(op, a1, a2, b1, b2, parent.text[a1:a2], child.text[b1:b2]))
    return Evidence(tuple(phrases), tuple(ops), tuple(number_changes(child.text, parent.text)))


# ---------------------------------------------------------------------------
# Tables

ALIGNMENT_COLUMNS = [
    "child_doc", "child_id", "child_section", "child_text", "parent_doc", "parent_id", "parent_section",
    "parent_text", "relation", "score", "shared_phrases", "numbers_changed",
    "child_kind", "parent_kind", "child_start", "child_end", "parent_start", "parent_end",
    "child_coverage", "parent_coverage", "anchor_term", "corrected", "correction_note",
]
SECTION_SEP = " > "
LIST_SEP = " | "


def alignment_frame(links: Sequence[Link], settings: Settings | None = None, *, parent_doc: str = "") -> "pd.DataFrame":
    """One row per link (one per child unit, more where it links to several parents).
    ``parent_doc``: the plan the child was aligned to, named on its ``local`` rows
    too, so that a table joining several pairs keeps each row's pair."""
    import pandas as pd

    rows = []
    for l in links:
        c, p, ev = l.child, l.parent, l.evidence
        rows.append((
            c.doc_id, c.unit_id, SECTION_SEP.join(c.section), c.text,
            p.doc_id if p else parent_doc, p.unit_id if p else "", SECTION_SEP.join(p.section) if p else "", p.text if p else "",
            l.relation, l.score,
            LIST_SEP.join(dict.fromkeys(ev.phrase_texts())) if ev else "",
            LIST_SEP.join(n.describe() for n in ev.numbers) if ev else "",
            c.kind, p.kind if p else "", c.start, c.end, p.start if p else None, p.end if p else None,
            l.child_coverage, l.parent_coverage, l.anchor, l.corrected, l.note,
        ))
    df = pd.DataFrame(rows, columns=ALIGNMENT_COLUMNS)
    df["parent_start"] = df["parent_start"].astype("Int64")
    df["parent_end"] = df["parent_end"].astype("Int64")
    if settings is not None:
        df.attrs["settings"] = settings.to_dict()
    return df


def parent_status(parent_units: Sequence[Unit], links: Sequence[Link]) -> list[tuple[Unit, str, list[Link]]]:
    """Per parent unit: ``carried`` (with the links that carry it) or ``dropped``."""
    by_parent: dict[str, list[Link]] = {}
    for l in links:
        if l.parent is not None and l.relation != "local":
            by_parent.setdefault(l.parent.unit_id, []).append(l)
    out = []
    for p in parent_units:
        ls = sorted(by_parent.get(p.unit_id, []), key=lambda l: -l.score)
        out.append((p, "carried" if ls else "dropped", ls))
    return out


def align_documents(parent: "Document | Sequence[Unit]", child: "Document | Sequence[Unit]",
                    settings: Settings | None = None, *, model: "CorpusModel | None" = None) -> "pd.DataFrame":
    """Align ``child`` to ``parent``: the alignment table as a DataFrame.

    A pure function of (parent, child, settings): the same table as every
    command gives for the pair.  ``model`` overrides the pair's own corpus
    model (:func:`~align.retrieval.model.pair_model`), e.g. to judge distinctiveness
    against another background.

    >>> from align.reading.document import document_from_text
    >>> p = document_from_text("（三）完善“人地钱挂钩”激励性配套政策\\n\\n深化“人地挂钩”政策，推动常住人口增长规模与城镇建设用地规模相匹配。", "p")
    >>> c = document_from_text("3.深化“人地钱挂钩”政策\\n\\n深化“人地挂钩”政策，推动常住人口增长规模与城镇建设用地规模相匹配。", "c")
    >>> align_documents(p, c)[["child_text", "relation"]].values.tolist()[1]
    ['深化“人地挂钩”政策，推动常住人口增长规模与城镇建设用地规模相匹配。', 'verbatim']
    """
    settings = settings or Settings()
    aligner = Aligner(settings, model=model).fit(parent)
    return alignment_frame(aligner.align_links(child), settings, parent_doc=aligner.parent_doc_)
