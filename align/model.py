"""What the aligner learns from a background corpus, computed once.

A :class:`CorpusModel` is built from the units of the documents being
compared (for the CLI: every document of the manifest; for a single pair in
Python: the two documents).  It holds the character weights, the programme
terms and their weights, the TF-IDF vectorisers, and caches each unit's
matching form and vector, so scoring many pairs of one corpus repeats no
work.  Alignments depend on the background only through how distinctive
wording is judged to be.

>>> from align.document import document_from_text
>>> a = document_from_text("一、目标\\n\\n全面实施千年古城复兴计划。", "a")
>>> model = CorpusModel(a.alignable())
>>> model.prepared(a.alignable())[1].terms
{'千年古城复兴': 4, '千年古城': 4}
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from .features import Prepared, TermSet, add_terms, grams_of, term_candidates
from .index import NgramIndex
from .lexicon import Lexicon, load_lexicon, strip_punct
from .prepare import matching_form
from .records import Unit
from .textnorm import matching_key
from .weights import Weights, gram_index

log = logging.getLogger(__name__)

_TOKENIZERS: dict[int, tuple[Lexicon, object]] = {}


def shared_tokenizer(lexicon: Lexicon):
    """One jieba tokenizer per lexicon per process (jieba takes a moment to load)."""
    from .tokens import Tokenizer

    key = id(lexicon)
    if key not in _TOKENIZERS:
        _TOKENIZERS[key] = (lexicon, Tokenizer(lexicon))
    return _TOKENIZERS[key][1]


class CorpusModel:
    def __init__(self, units: Iterable[Unit], *, regions: Sequence[str] = (), lexicon: Lexicon | None = None,
                 ngram_range: tuple[int, int] = (2, 4), word_weight: float = 0.35, max_df: float = 0.2) -> None:
        units = list(units)
        self.regions = tuple(dict.fromkeys(r for r in regions if r))
        self.lexicon = lexicon or load_lexicon()
        self.tokenizer = shared_tokenizer(self.lexicon)
        self.generic = [strip_punct(matching_key(g)) for g in self.lexicon.generic]
        self._forms: dict[str, str] = {}
        forms = [self._form(u).text for u in units]
        self.size = len(units)
        self.weights = Weights(forms, self.generic)
        terms = term_candidates(units, self.lexicon.terms, self.tokenizer.is_word)
        self.terms = TermSet(terms, self.generic, forms)
        self._tok_cache: dict[str, list[str]] = {}
        self.index = NgramIndex(ngram_range=ngram_range, word_weight=word_weight, max_df=max_df,
                                tokenize=self._tokens).fit(forms)
        self._prepared: dict[tuple[str, str], Prepared] = {}
        self._grams: dict[tuple[str, str], dict[str, list[int]]] = {}
        self._matrices: dict[tuple[str, ...], object] = {}

    def _form(self, u: Unit):
        return matching_form(u.key, self.regions)

    def _tokens(self, form: str) -> list[str]:
        tok = self._tok_cache.get(form)
        if tok is None:
            tok = self._tok_cache[form] = self.tokenizer.cut(form)
        return tok

    def prepared(self, units: Sequence[Unit]) -> list[Prepared]:
        """Matching forms, weights and programme terms of units (cached)."""
        out, new = [], []
        for u in units:
            p = self._prepared.get((u.doc_id, u.unit_id))
            if p is None or p.unit.key != u.key:
                form = self._form(u)
                w = self.weights.char_weights(form.text)
                p = Prepared(u, form, w, sum(w), grams=grams_of(form.text))
                self._prepared[(u.doc_id, u.unit_id)] = p
                new.append(p)
            out.append(p)
        if new:
            add_terms(new, self.terms, self.tokenizer.is_word)
        return out

    def grams(self, p: Prepared, min_len: int) -> dict[str, list[int]]:
        key = (p.unit.doc_id, p.unit.unit_id)
        g = self._grams.get(key)
        if g is None:
            g = self._grams[key] = gram_index(p.form.text, min_len)
        return g

    def matrix(self, prepared: Sequence[Prepared]):
        """Stacked TF-IDF vectors of prepared units (cached per unit list)."""
        key = tuple(f"{p.unit.doc_id}\x00{p.unit.unit_id}" for p in prepared)
        m = self._matrices.get(key)
        if m is None:
            m = self._matrices[key] = self.index.transform([p.form.text for p in prepared])
        return m
