"""How distinctive wording is across a background corpus.

Evidence that a child clause derives from a parent clause is weighed by how
rare the shared wording is among all units of the background documents (the
corpus being compared): shared 高质量发展 or 城镇化率达到 says little, shared
千年古城复兴 says a lot.  Each character of a matching form gets a weight in
[0, 1] from the inverse document frequency of the character bigrams around
it (a background under 1,000 units is judged as if it had 1,000, so that
a small corpus does not make everything look common); characters inside a generic phrase (``align/data/generic.txt``) and digits
get the floor weight.

>>> w = Weights(["推进高质量发展", "推动高质量发展", "实施千年古城复兴计划"])
>>> a, b = w.char_weights("高质量发展"), w.char_weights("千年古城复兴")
>>> sum(a) / len(a) < sum(b) / len(b)
True
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from align.retrieval.index import codepoints, gram_form_pairs, unique_inverse
from align.retrieval.prepare import UNIT_CACHE

FLOOR = 0.05
MIN_BACKGROUND = 1000  # a smaller background is judged as if it had this many units
DIGIT_WEIGHT = 0.05
_DIGITS = re.compile(r"[0-9%◇|]")  # digits, the self-reference placeholder and boundaries carry no evidence


_BITS = 21  # a code point fits in 21 bits: a bigram is one integer, (first << 21) | second


def _bigrams(forms: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bigram ``i`` of the concatenated forms (characters ``i``, ``i + 1``) as
    an integer, the form it starts in, whether it lies inside that form, and
    where each form starts in the concatenation (``starts[k]``, then the end)."""
    lens = np.fromiter(map(len, forms), dtype=np.int64, count=len(forms))
    starts = np.zeros(len(forms) + 1, dtype=np.int64)
    np.cumsum(lens, out=starts[1:])
    cp = codepoints(forms).astype(np.uint64)
    keys = (cp[:-1] << np.uint64(_BITS)) | cp[1:]
    owner = np.repeat(np.arange(len(forms), dtype=np.int64), lens)[:-1]
    inside = np.arange(1, len(cp)) < starts[owner + 1]  # the second character is in the same form
    return keys, owner, inside, starts


def pack_bigrams(text: str) -> np.ndarray:
    """The bigrams of one string, packed as :class:`Weights` keys them."""
    return _bigrams([text])[0] if len(text) > 1 else np.zeros(0, dtype=np.uint64)


def bigram_document_frequencies(forms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted packed bigram keys of ``forms`` and in how many forms each occurs."""
    if forms:
        keys, owner, inside, _ = _bigrams(forms)
        keys, owner = keys[inside], owner[inside]
    else:
        keys, owner = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    # document frequency: distinct (form, bigram) pairs per bigram
    packed = gram_form_pairs(keys, owner, len(forms))
    if packed is not None:
        vocab, col, _, _ = packed
        return vocab, np.bincount(col, minlength=len(vocab))
    vocab, codes = unique_inverse(keys)
    pairs, _ = np.unique(owner * max(len(vocab), 1) + codes, return_counts=True)  # (sorts; see unique_inverse)
    df = np.bincount(pairs % max(len(vocab), 1), minlength=len(vocab))
    return vocab, df


class _Frequencies:
    """Sorted packed bigram keys and their document frequencies."""

    def __init__(self, keys: np.ndarray, df: np.ndarray) -> None:
        self.keys, self.df = keys, df.astype(np.int64, copy=False)

    def of(self, distinct: np.ndarray) -> np.ndarray:
        """The document frequency of each of the sorted, distinct keys ``distinct``
        (0 for keys not in the table): a binary search of sorted keys in sorted
        keys, which is fast (looking up every bigram of a plan this way, after
        ``np.unique``, takes about as long as pandas' hash table, without
        importing pandas in a command that needs it for nothing else)."""
        if len(self.keys) == 0:
            return np.zeros(len(distinct), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, distinct), len(self.keys) - 1)
        return np.where(self.keys[at] == distinct, self.df[at], 0)


_SHARED: dict[int, tuple[np.ndarray, _Frequencies]] = {}  # id of a background's keys → its table


def _shared_frequencies(background: tuple[np.ndarray, np.ndarray, int]) -> _Frequencies:
    """The table of a background's counts, made once per process (the shipped background's
    300,000 bigrams are not copied, merged or hashed again for every pair)."""
    keys, df, _ = background
    kept = _SHARED.get(id(keys))
    if kept is None or kept[0] is not keys:
        if len(_SHARED) >= 4:
            _SHARED.clear()
        kept = _SHARED[id(keys)] = (keys, _Frequencies(keys, df))
    return kept[1]


class Weights:
    """Bigram inverse document frequencies over background matching forms.

    Counted with NumPy (bigrams packed into integers); a form's character
    weights are looked up the same way, many forms at once
    (:meth:`char_weights_many`), or one at a time (:meth:`char_weights`).
    """

    def __init__(self, forms: Iterable[str], generic: Iterable[str] = (), *,
                 background: tuple[np.ndarray, np.ndarray, int] | None = None) -> None:
        forms = list(forms)
        self.n = max(len(forms) + (background[2] if background else 0), 1)
        self._max = math.log(max(self.n, MIN_BACKGROUND) + 1)
        self._generic = tuple(sorted({g for g in generic if len(g) >= 2}, key=len, reverse=True))
        self._generic_re = re.compile("|".join(re.escape(g) for g in self._generic)) if self._generic else None
        # a bigram's document frequency is its count in these forms plus its count in the shipped
        # background; the background's table is shared by every Weights of the process
        self._own = _Frequencies(*bigram_document_frequencies(forms))
        self._background = _shared_frequencies(background) if background is not None else None
        self._unseen = self._weight(0)
        self._by_df = np.zeros(0, dtype=np.float64)  # the weight of each document frequency looked up (NaN: not yet)

    def _weight(self, df: int) -> float:
        idf = math.log((max(self.n, MIN_BACKGROUND) + 1) / (df + 1))
        return min(1.0, max(idf / self._max, FLOOR))

    def _frequencies(self, keys: np.ndarray) -> np.ndarray:
        distinct, inverse = np.unique(keys, return_inverse=True)
        df = self._own.of(distinct)
        if self._background is not None:
            df = df + self._background.of(distinct)
        return df[inverse.ravel()]

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        """Weights of packed bigrams (the unseen weight for bigrams in no form)."""
        df = self._frequencies(keys)
        # a bigram's weight depends on its document frequency only: computed
        # (with math.log, as always) once per frequency that occurs, looked up per bigram
        top = int(df.max()) if len(df) else 0
        if top >= len(self._by_df):
            grown = np.full(top + 1, np.nan)
            grown[: len(self._by_df)] = self._by_df
            self._by_df = grown
        table = self._by_df
        missing = np.zeros(len(table), dtype=bool)
        missing[df] = True
        missing &= np.isnan(table)
        for d in np.flatnonzero(missing).tolist():
            table[d] = self._weight(d)
        return table[df]

    def bigram(self, g: str) -> float:
        """Weight of one bigram: 1 for a bigram seen once, near 0 for ubiquitous ones."""
        if len(g) != 2:
            return self._unseen
        return float(self._lookup(np.array([(ord(g[0]) << _BITS) | ord(g[1])], dtype=np.uint64))[0])

    def df(self, g: str) -> int:
        """In how many forms (these and the background's) the bigram ``g`` occurs."""
        if len(g) != 2:
            return 0
        return int(self._frequencies(np.array([(ord(g[0]) << _BITS) | ord(g[1])], dtype=np.uint64))[0])

    def char_weights(self, form: str) -> list[float]:
        """One weight per character of a matching form: the mean weight of the
        bigrams it is part of; generic phrases and digits at the floor."""
        if len(form) <= 1:
            return [FLOOR] * len(form)
        return self.char_weights_many([form])[0]

    def char_weights_many(self, forms: Sequence[str]) -> list[list[float]]:
        """:meth:`char_weights` of many forms, computed together (the same lists)."""
        forms = list(forms)
        if not forms:
            return []
        keys, _, inside, starts = _bigrams(forms)
        bw = self._lookup(keys)
        total = len(keys) + 1
        # character c: mean of bigram c-1 (if it is inside c's form) and bigram c (if inside)
        left = np.zeros(total, dtype=bool)
        left[1:] = inside
        right = np.zeros(total, dtype=bool)
        right[:-1] = inside
        prev = np.zeros(total)
        prev[1:] = bw
        nxt = np.zeros(total)
        nxt[:-1] = bw
        w = np.where(left & right, (prev + nxt) / 2, np.where(left, prev, np.where(right, nxt, FLOOR)))
        bounds = starts.tolist()
        out = []
        for k, form in enumerate(forms):
            ws = w[bounds[k] : bounds[k + 1]].tolist()
            self._floors(form, ws)
            out.append(ws)
        return out

    def _floors(self, form: str, out: list[float]) -> None:
        """Characters of generic phrases at the floor weight, digits at theirs."""
        floor, digits = _floor_positions(form, self._generic_re)
        for i in floor:
            out[i] = FLOOR
        for i in digits:
            out[i] = DIGIT_WEIGHT


@lru_cache(maxsize=UNIT_CACHE)
def _floor_positions(form: str, generic: re.Pattern[str] | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Positions of a form's characters inside generic phrases, and of its digits (kept per
    form for the process: they depend on nothing else, and a plan's forms recur in its pairs)."""
    floor = () if generic is None else tuple(i for m in generic.finditer(form) for i in range(m.start(), m.end()))
    return floor, tuple(m.start() for m in _DIGITS.finditer(form))
