"""Per-unit matching data and the features of a (child, parent) candidate pair.

All evidence is weighted by how distinctive it is in the background corpus
(:mod:`align.retrieval.weights`):

* ``cc`` / ``pc`` — share of the child's / parent's weighted characters
  covered by common substrings of 3+ characters (greedy string tiling, in
  any order);
* ``mass`` — the weighted characters of the child so covered (absolute);
* ``best`` — the weighted characters of the single longest-weighing shared
  substring;
* ``anchor`` — the distinctiveness (0–1) of the rarest programme term both
  share: a lexicon entry, a quoted expression (“…”) or a defined short form
  of either document, or an unquoted name of the pair (:mod:`align.retrieval.names`).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from align.retrieval.lexicon import strip_punct
from align.retrieval.prepare import UNIT_CACHE, MatchForm, matching_form
from align.records import Unit
from align.textnorm import matching_key
from align.retrieval.tokens import quoted_terms
from align.retrieval.tiling import shared_tiles, tiles
from align.retrieval.weights import MIN_BACKGROUND, Weights

MIN_TILE = 3


@dataclass(slots=True)
class Prepared:
    """A unit in matching form, with its character weights and terms."""

    unit: Unit
    form: MatchForm
    weights: list[float]
    total: float
    terms: dict[str, int] = field(default_factory=dict)  # programme term → position in form
    quoted: frozenset[str] = frozenset()  # programme-like terms the unit itself puts in quotes


class TermSet:
    """Programme terms (lexicon + quoted expressions) and their distinctiveness.

    A term's weight is the inverse document frequency of the term among the
    background units, scaled to [0, 1]: a label in three units weighs far
    more than one in three hundred.  With ``national`` > 0 the shipped
    national background counts too, each of its sentences using a term
    standing for ``national`` units: a phrase the centre says is national
    vocabulary, which any plan can take from Beijing (the national sample is
    small, so one use there stands for many elsewhere).  Terms nested in longer ones count too
    (掌上办事 inside 掌上办事之市), but never a piece of a number (五个一 is
    not in 十五个一).  ``aliases`` maps a long form to the short form a plan
    defined for it: the two are one term.
    """

    def __init__(self, terms: Iterable[str], generic: Iterable[str], background_forms: Sequence[str], *,
                 national: float = 0.0, aliases: dict[str, str] | None = None,
                 named: Iterable[str] = ()) -> None:
        gen = {g for g in generic}
        #: long form → the short form a plan defined for it (:mod:`align.retrieval.abbrev`): one term
        self.aliases = {a: b for a, b in (aliases or {}).items() if a != b and len(a) >= 2 and len(b) >= 2}
        #: unquoted phrases the plans use as names (:mod:`align.retrieval.names`): names like quoted ones
        self.named = frozenset(named) - gen
        terms = set(terms) | set(self.aliases) | set(self.aliases.values()) | self.named
        self.terms = sorted({t for t in terms if len(t) >= 2 and t not in gen}, key=len, reverse=True)
        self._set = frozenset(self.terms)
        self._automaton = None  # every term, found in one pass over a form (pyahocorasick)
        if self.terms:
            import ahocorasick

            self._automaton = ahocorasick.Automaton()
            for t in self.terms:
                self._automaton.add_word(t, t)
            self._automaton.make_automaton()
        rank = {t: i for i, t in enumerate(sorted(self.terms, key=len))}
        self._nested = {t: sorted({t[a:b] for a in range(len(t)) for b in range(a + 2, len(t) + 1)
                                   if b - a < len(t) and t[a:b] in self._set and not _cut_numeral(t, a, b)},
                                  key=rank.__getitem__)
                        for t in self.terms}
        n = len(background_forms)
        df: dict[str, int] = {}
        if national:  # the shipped national background counts too (align.retrieval.background), each use ``national`` times
            from align.retrieval import background

            n += background.bigram_counts()[2]  # the number of its sentences, shipped with the counts
            df = {t: round(c * national) for t, c in zip(self.terms, background.term_counts(self.terms)) if c}
        n = max(n, MIN_BACKGROUND)
        # background form → its terms (read again when units are prepared)
        self._found: dict[str, dict[str, int]] = {}
        for f in background_forms:
            found = self._found.get(f)
            if found is None:
                found = self._found[f] = self.find(f)
            for t in found:
                df[t] = df.get(t, 0) + 1
        self._weight = {t: min(1.0, math.log((n + 1) / (df.get(t, 0) + 1)) / math.log(n + 1)) for t in self.terms}

    def find(self, form: str) -> dict[str, int]:
        """Terms occurring in a matching form, with their first position.

        At each position the longest term starting there is found (terms
        nested in it are added with it), scanning left to right.  Every
        occurrence of every term is found in one pass (pyahocorasick's
        automaton of the terms); the longest at each start is taken.
        """
        found: dict[str, int] = {}
        if self._automaton is None:
            return found
        longest: dict[int, str] = {}
        for end, t in self._automaton.iter(form):
            i = end - len(t) + 1
            if len(t) > len(longest.get(i, "")):
                longest[i] = t
        for i in sorted(longest):
            t = longest[i]
            if t in found or _cut_numeral(form, i, i + len(t)):
                continue
            found[t] = i
            for u in self._nested[t]:
                found.setdefault(u, i + t.index(u))
        for t, short in self.aliases.items():  # a long form is its short form too
            if t in found:
                found.setdefault(short, found[t])
        return found

    def terms_of(self, form: str) -> dict[str, int]:
        """:meth:`find`, looked up for forms of the background (do not modify the dict)."""
        found = self._found.get(form)
        return found if found is not None else self.find(form)

    def weight(self, term: str) -> float:
        return self._weight.get(term, 0.0)


_NUMERALS = frozenset("0123456789〇零一二两三四五六七八九十百千万")


def _cut_numeral(form: str, a: int, b: int) -> bool:
    """Whether ``form[a:b]`` cuts a number: it starts (ends) with a numeral
    that continues before (after) it — 五个一 inside 十五个一 is another name."""
    return bool((a > 0 and form[a] in _NUMERALS and form[a - 1] in _NUMERALS)
                or (b < len(form) and form[b - 1] in _NUMERALS and form[b] in _NUMERALS))


_PERIOD = re.compile(r"^[0-9〇零一二三四五六七八九十百]+(?:五|年|五规划)?$")
_HAN = re.compile(r"[\u3400-\u9fff]")
MIN_QUOTED_HAN = 3


def _no_word(w: str) -> bool:
    return False


def quoted_programme_terms(text: str, is_word: Callable[[str], bool] = _no_word) -> list[str]:
    """Quoted expressions of a text that may name a programme: at least three
    Chinese characters, not a plan period (“十四五”), and not a word of the
    general dictionary (``is_word``: 高水平 is vocabulary, 标准地 a label)."""
    return list(_quoted_programme_terms(text, is_word))


@lru_cache(maxsize=UNIT_CACHE)
def _quoted_programme_terms(text: str, is_word: Callable[[str], bool]) -> tuple[str, ...]:
    """:func:`quoted_programme_terms`, kept per text for the process: a plan's
    units are read again by every pair it is in."""
    out = []
    for q in quoted_terms(text):
        q = strip_punct(matching_key(q))
        if len(_HAN.findall(q)) >= MIN_QUOTED_HAN and not _PERIOD.match(q) and not is_word(q):
            out.append(q)
    return tuple(out)


def defined_short_forms(units: Iterable[Unit]) -> dict[str, str]:
    """Long form → short form, for every short form the units define
    (:func:`align.retrieval.abbrev.abbreviations`), in matching-form spelling."""
    out: dict[str, str] = {}
    for u in units:
        if "简称" in u.text or "称" in u.text or "“" in u.text or '"' in u.text:
            for long, short in _defined(u.text):
                out.setdefault(long, short)
    return out


@lru_cache(maxsize=UNIT_CACHE)
def _defined(text: str) -> tuple[tuple[str, str], ...]:
    """(long form, short form) pairs a text defines, in matching-form spelling (kept per text
    for the process: a plan's units are read again by every pair it is in)."""
    from align.retrieval.abbrev import abbreviations

    return tuple((strip_punct(matching_key(long)), strip_punct(matching_key(short)))
                 for short, long in abbreviations(text))


def term_candidates(units: Iterable[Unit], lexicon_terms: Iterable[str],
                    is_word: Callable[[str], bool] = _no_word) -> set[str]:
    """Lexicon terms plus the quoted programme-like expressions of the units."""
    out = {strip_punct(matching_key(t)) for t in lexicon_terms}
    for u in units:
        out.update(_quoted_programme_terms(u.text, is_word))
    return {t for t in out if len(t) >= 2}


def prepare(units: Iterable[Unit], regions: Sequence[str], weights: Weights) -> list[Prepared]:
    """Matching forms and character weights (terms are added by :func:`add_terms`)."""
    units = list(units)
    forms = [matching_form(u.key, regions) for u in units]
    weights_of = weights.char_weights_many([f.text for f in forms])
    return [Prepared(u, form, w, sum(w)) for u, form, w in zip(units, forms, weights_of)]


def add_terms(prepared: Iterable[Prepared], termset: TermSet, is_word: Callable[[str], bool]) -> None:
    """Each unit's programme terms; a short form a plan defined counts as quoted (a name by definition),
    and so does a phrase the plans use as a name (:mod:`align.retrieval.names`)."""
    defined = set(termset.aliases.values()) | termset.named
    for p in prepared:
        p.terms = termset.terms_of(p.form.text)
        quoted = quoted_programme_terms(p.unit.text, is_word)
        if defined:
            quoted += [t for t in p.terms if t in defined]
        p.quoted = frozenset(quoted)


class _GramMass(dict):
    """The masses of :func:`gram_mass`, each computed when first read: a
    child's candidates share a fraction of its grams (a third, on the
    bundled plans)."""

    __slots__ = ("_per", "_grams")

    def __init__(self, per: list[float], grams: dict[str, list[int]]) -> None:
        super().__init__()
        self._per, self._grams = per, grams

    def __missing__(self, g: str) -> float:
        at, per = self._grams[g], self._per
        m = self[g] = per[at[0]] if len(at) == 1 else sum(per[i] for i in at)
        return m


def gram_mass(c: Prepared, c_grams: dict[str, list[int]]) -> dict[str, float]:
    """For each ``MIN_TILE``-gram of a child, the weight of the characters its
    occurrences cover, counted once per occurrence (see :func:`shared_mass_bound`);
    a mapping that computes a gram's mass when it is first read (a gram not
    in ``c_grams`` is a ``KeyError``)."""
    w = c.weights
    if MIN_TILE == 3:  # the same sums as below ((a + b) + c), without a slice per position
        per = [a + b + x for a, b, x in zip(w, w[1:], w[2:])]
    else:
        per = [sum(w[i : i + MIN_TILE]) for i in range(len(w) - MIN_TILE + 1)]  # per occurrence
    return _GramMass(per, c_grams)


def shared_mass_bound(c: Prepared, c_grams: dict[str, list[int]], shared: Iterable[str]) -> float:
    """An upper bound of the ``mass`` of a pair: the child's weight on the
    characters covered by the ``MIN_TILE``-grams it shares with the parent
    (``shared``; ``c_grams`` is the child's :func:`~align.retrieval.tiling.gram_index`).
    Every character of a tile is so covered (a tile is a common substring of
    ``MIN_TILE`` or more characters), and weights are positive.  The sum of
    :func:`gram_mass` over ``shared`` bounds this bound in turn (overlaps
    counted twice) and is cheaper.
    """
    covered: set[int] = set()
    for g in shared:
        for i in c_grams[g]:
            covered.update(range(i, i + MIN_TILE))
    w = c.weights
    return sum(w[i] for i in covered)


@dataclass(frozen=True, slots=True)
class PairFeatures:
    cc: float
    pc: float
    mass: float
    best: float
    anchor: float
    anchor_term: str
    anchor_quoted: bool  # the child puts the anchor term in quotation marks
    tiles: tuple[tuple[int, int, int], ...]
    cosine: float


def pair_features(c: Prepared, p: Prepared, termset: TermSet, cosine: float = 0.0,
                  p_grams: dict[str, list[int]] | None = None, c_grams: dict[str, list[int]] | None = None,
                  shared: Iterable[str] | None = None) -> PairFeatures:
    """The features of a pair.  With both units' :func:`~align.retrieval.tiling.gram_index`
    (``c_grams``, ``p_grams``) and the grams they share (``shared``), the tiles
    are found from the shared grams only (the same tiles)."""
    if shared is not None and c_grams is not None and p_grams is not None:
        t = shared_tiles(c.form.text, p.form.text, c_grams, p_grams, shared, MIN_TILE)
    else:
        t = tiles(c.form.text, p.form.text, MIN_TILE, p_grams)
    wc, wp = c.weights, p.weights
    sc = sp = best = 0.0
    for i, j, k in t:
        a = sum(wc[i : i + k])
        sc += a
        sp += sum(wp[j : j + k])
        best = max(best, a)
    return features_of_tiles(c, p, termset, cosine, tuple(t), sc, sp, best)


def features_of_tiles(c: Prepared, p: Prepared, termset: TermSet, cosine: float,
                      found: tuple[tuple[int, int, int], ...], sc: float, sp: float, best: float) -> PairFeatures:
    """The features of a pair from its tiles (``found``) and their weighted sums (child,
    parent, heaviest tile on the child's side)."""
    anchor, anchor_term, quoted = 0.0, "", False
    for term in c.terms.keys() & p.terms.keys():
        w = termset.weight(term)
        q = any(term in t for t in c.quoted)
        # ties go to the longer term, then the later in code-point order: the
        # same term whatever order the set (Python's hash seed) gives
        if (q, w, len(term), term) > (quoted, anchor, len(anchor_term), anchor_term):
            anchor, anchor_term, quoted = w, term, q
    return PairFeatures(
        cc=sc / c.total if c.total else 0.0,
        pc=sp / p.total if p.total else 0.0,
        mass=sc,
        best=best,
        anchor=anchor,
        anchor_term=anchor_term,
        anchor_quoted=quoted,
        tiles=found,
        cosine=cosine,
    )
