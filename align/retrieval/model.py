"""What the aligner learns from a background corpus, computed once.

A :class:`CorpusModel` is built from the units of the documents being
compared (for the CLI: every document of the manifest; for a single pair in
Python: the two documents).  It holds the character weights, the programme
terms and their weights, the TF-IDF vectorisers, and caches each unit's
matching form and vector, so scoring many pairs of one corpus repeats no
work.  Alignments depend on the background only through how distinctive
wording is judged to be.  From ``FORK_FROM`` units on, the jieba words of
most of the background are counted in a forked process (``jobs``, as for
the :class:`~align.decisions.match.Aligner`) while this one computes the rest, then
counts the words of the last ``1 - WORKER_WORDS`` of the forms itself; the
two parts are joined as numbers (:func:`~align.retrieval.index.join_encoded`), the same
counts as one process would find.

>>> from align.reading.document import document_from_text
>>> a = document_from_text("一、目标\\n\\n全面实施千年古城复兴计划。", "a")
>>> model = CorpusModel(a.alignable())
>>> model.prepared(a.alignable())[1].terms
{'千年古城复兴': 4, '千年古城': 4}
"""
from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager

from align.retrieval.features import MIN_TILE, Prepared, TermSet, add_terms, defined_short_forms, term_candidates
from align.forked import ForkedCall, jobs_for
from align.retrieval.index import NgramIndex, join_encoded
from align.retrieval.lexicon import Lexicon, load_lexicon, strip_punct
from align.retrieval.prepare import MatchForm, matching_form
from align.records import Unit
from align.textnorm import matching_key
from align.retrieval.tiling import cached_gram_index
from align.retrieval.weights import Weights

log = logging.getLogger(__name__)

_TOKENIZERS: dict[int, tuple[Lexicon, object]] = {}
FORK_FROM = 20_000  # background units from which jieba runs in a second process while the rest is computed
# the share of the background's forms whose words the second process counts; this one counts the rest
# after its own work (character weights, terms, n-grams), which takes about as long as jieba on 1/8
WORKER_WORDS = 0.88


_TOKEN_CACHES: dict[int, dict[str, list[str]]] = {}
TOKEN_CACHE_SIZE = 200_000  # forms whose words a process keeps (pairs share their plans' forms)


def _token_cache(lexicon: Lexicon) -> dict[str, list[str]]:
    """The words of matching forms, per lexicon, shared by every model of the
    process: each plan's forms are cut once however many pairs it is in
    (emptied when it grows past ``TOKEN_CACHE_SIZE``, e.g. in a long batch)."""
    cache = _TOKEN_CACHES.setdefault(id(shared_tokenizer(lexicon)), {})
    if len(cache) > TOKEN_CACHE_SIZE:
        cache.clear()
    return cache


def shared_tokenizer(lexicon: Lexicon):
    """One jieba tokenizer per lexicon per process (jieba takes a moment to load)."""
    from align.retrieval.tokens import Tokenizer

    key = id(lexicon)
    if key not in _TOKENIZERS:
        _TOKENIZERS[key] = (lexicon, Tokenizer(lexicon))
    return _TOKENIZERS[key][1]


@contextmanager
def paused_gc():
    """Pause Python's cyclic garbage collector for a block of engine work.

    Building a corpus model and aligning allocate a great many small
    containers (lists, tuples, dicts) and create no reference cycles, so the
    collector's passes — full passes over every object a large model keeps
    alive — find nothing and cost a fifth of the time.  Reference counting
    frees everything as before; the collector is re-enabled afterwards if it
    was enabled before.

    What the block allocated and kept is then moved to the oldest generation
    (``gc.freeze()`` + ``gc.unfreeze()``: two list splices, and the young
    generation's allocation count reset): re-enabled plainly, the collector's
    next young pass would walk every object the block kept — about 7 % of a
    bundled pair's time.  Those objects are still examined by the collector's
    full passes, which come as usual.  Not done when the program has frozen
    objects itself (``gc.freeze()`` before forking, say): unfreezing would thaw them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():  # never thaw what the program itself froze
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _cached_cut(cache: dict[str, list[str]], cut: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """``cut`` (jieba's words of a form) through ``cache``."""

    def tokens(form: str) -> list[str]:
        tok = cache.get(form)
        if tok is None:
            tok = cache[form] = cut(form)
        return tok

    return tokens


class CorpusModel:
    def __init__(self, units: Iterable[Unit], *, regions: Sequence[str] = (), lexicon: Lexicon | None = None,
                 ngram_range: tuple[int, int] = (2, 4), word_weight: float = 0.35, max_df: float = 0.2,
                 jobs: int | None = None, national: bool = True, national_scale: float = 10.0,
                 name_score: float = float("inf")) -> None:
        with paused_gc():  # builds many small containers, no cycles
            units = list(units)
            self.regions = tuple(dict.fromkeys(r for r in regions if r))
            self.lexicon = lexicon or load_lexicon()
            self.tokenizer = shared_tokenizer(self.lexicon)
            self.generic = [strip_punct(matching_key(g)) for g in self.lexicon.generic]
            self._forms: dict[str, MatchForm] = {}  # unit key → matching form
            forms = [self._form(u).text for u in units]
            self.size = len(units)
            self._tok_cache = _token_cache(self.lexicon)
            # the words of a form, through the cache: a function, not a bound method, so the index
            # does not refer back to the model (no cycle: a pair's model is freed when the pair ends)
            self._tokens = _cached_cut(self._tok_cache, self.tokenizer.cut)
            self.index = NgramIndex(ngram_range=ngram_range, word_weight=word_weight, max_df=max_df,
                                    tokenize=self._tokens)
            words = None
            if self.index.uses_words and jobs_for(len(forms), jobs, FORK_FROM) > 1:
                # jieba over most of a large background in a second process meanwhile; the rest here, last
                cut = round(len(forms) * WORKER_WORDS)
                words = ForkedCall(lambda: self.index.encode_words(forms[:cut]), "counting the background's words")
            try:
                bg = None
                if national:
                    from align.retrieval.background import bigram_counts

                    bg = bigram_counts()
                self.weights = Weights(forms, self.generic, background=bg)
                terms = term_candidates(units, self.lexicon.terms, self.tokenizer.is_word)
                #: unquoted programme names the parent sets and the child carries, with their scores
                self.names = self._names(units, forms, name_score, national_scale)
                self.terms = TermSet(terms, self.generic, forms, national=national_scale if national else 0.0,
                                     aliases=defined_short_forms(units), named=self.names)
                # the background's vectors, kept: units of the background are not vectorised again
                self._background = self.index.fit_transform(
                    forms, None if words is None else lambda: self._words_with(words, forms[cut:]))
            finally:
                if words is not None:
                    words.close()  # after an error: the process is not left waiting to send
            self._rows: dict[str, int] = {}
            for i, f in enumerate(forms):
                self._rows.setdefault(f, i)
            self._prepared: dict[tuple[str, str], Prepared] = {}
            self._grams: dict[tuple[str, str], dict[str, list[int]]] = {}
            self._matrices: dict[tuple[str, ...], object] = {}

    def _names(self, units: list[Unit], forms: list[str], min_score: float, national_scale: float) -> dict[str, float]:
        """Unquoted names (:func:`~align.retrieval.names.coined_names`) the first
        document of ``units`` sets and another carries (a pair's model: the parent first)."""
        if not units:
            return {}
        from align.retrieval.names import coined_names

        first = units[0].doc_id
        setter = [f for u, f in zip(units, forms) if u.doc_id == first]
        carrier = [f for u, f in zip(units, forms) if u.doc_id != first]
        return coined_names(setter, carrier, self._tokens, self.tokenizer.is_word, min_score,
                            national_scale=national_scale)

    def _words_with(self, words: ForkedCall, rest: list[str]):
        """The background's words: the other process's part, then ``rest``, counted here."""
        mine = self.index.encode_words(rest)
        return self.index.fit_encoded_words(join_encoded(words.result(), mine))

    def _form(self, u: Unit) -> MatchForm:
        f = self._forms.get(u.key)
        if f is None:
            f = self._forms[u.key] = matching_form(u.key, self.regions)
        return f

    def prepared(self, units: Sequence[Unit]) -> list[Prepared]:
        """Matching forms, weights and programme terms of units (cached)."""
        out: list[Prepared | None] = []
        new: list[tuple[int, Unit, MatchForm]] = []
        for u in units:
            p = self._prepared.get((u.doc_id, u.unit_id))
            if p is None or p.unit.key != u.key:
                new.append((len(out), u, self._form(u)))
                p = None
            out.append(p)
        if new:
            weights = self.weights.char_weights_many([form.text for _, _, form in new])
            fresh = []
            for (at, u, form), w in zip(new, weights):
                p = out[at] = self._prepared[(u.doc_id, u.unit_id)] = Prepared(u, form, w, sum(w))
                fresh.append(p)
            add_terms(fresh, self.terms, self.tokenizer.is_word)
        return out  # type: ignore[return-value]

    def grams(self, p: Prepared, min_len: int) -> dict[str, list[int]]:
        """:func:`~align.retrieval.tiling.gram_index` of a unit's form (cached: parents are
        measured against many children, and in many pairs)."""
        key = (p.unit.doc_id, p.unit.unit_id)
        g = self._grams.get(key)
        if g is None:
            g = self._grams[key] = cached_gram_index(p.form.text, min_len)
        return g

    def matrix(self, prepared: Sequence[Prepared]):
        """Stacked TF-IDF vectors of prepared units (cached per unit list)."""
        key = tuple(f"{p.unit.doc_id}\x00{p.unit.unit_id}" for p in prepared)
        m = self._matrices.get(key)
        if m is None:
            m = self._matrices[key] = self.vectors([p.form.text for p in prepared])
        return m

    def vectors(self, forms: Sequence[str]):
        """The stacked TF-IDF vectors of matching forms: rows of the background
        matrix for forms of the background (vectorising is row by row, so they
        are the rows ``index.transform`` would give), the rest transformed."""
        import numpy as np

        rows = np.fromiter((self._rows.get(f, -1) for f in forms), dtype=np.int64, count=len(forms))
        new = rows < 0
        if not new.any():
            return self._background[rows]
        if new.all():
            return self.index.transform(forms)
        from scipy.sparse import vstack

        fresh = self.index.transform([f for f, n in zip(forms, new) if n])
        order = np.empty(len(forms), dtype=np.int64)
        order[~new] = np.arange(int((~new).sum()))
        order[new] = np.arange(int((~new).sum()), len(forms))
        return vstack([self._background[rows[~new]], fresh], format="csr")[order]


def pair_model(parent_units: Sequence[Unit], child_units: Sequence[Unit], *, regions: Sequence[str] = (),
               lexicon: Lexicon | None = None, settings=None, jobs: int | None = None) -> CorpusModel:
    """The corpus model of one (parent, child) pair: the two plans' units over
    the shipped national background (:mod:`align.retrieval.background`).  Every entry
    point (the Python API, ``score``, ``run``, ``eval``, the TUI, batches)
    builds a pair's model here, so a pair's result depends only on the two
    plans, the settings and what ships with planecho — not on what else is
    being compared."""
    from align.decisions.match import Settings

    s = settings or Settings()
    return CorpusModel(list(parent_units) + list(child_units), regions=regions, lexicon=lexicon,
                       ngram_range=s.ngram_range, word_weight=s.word_weight, max_df=s.max_df,
                       national_scale=s.national_scale, name_score=s.name_score,
                       jobs=jobs)
