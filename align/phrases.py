"""Distinctive phrases of a plan, and finding a phrase or its variants in text.

A plan's distinctive phrases are its programme terms (lexicon entries and
quoted names) and its frequent distinctive n-grams: wording of 4–8
characters that recurs in at least two of its units and is rare in the
background corpus.  A phrase is *carried* by another text when it occurs
there, *altered* when only a close variant does: the same length, the first
and last characters kept and one inner character changed (千年古城 →
千年府城; two in phrases of 6+ characters), or a whole quoted name that keeps
half of the phrase as its head and changes at most two characters
(“千年商都”).  A variant never spans punctuation.

>>> [(m.text, m.exact) for m in find_phrase("千年古城", "围绕“千年府城”，推进千年古城复兴")]
[('千年府城', False), ('千年古城', True)]
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .lexicon import KEPT_CHAR, strip_punct
from .textnorm import HAN_CLASS, matching_key

MIN_NGRAM, MAX_NGRAM = 4, 8
MIN_PHRASE_WEIGHT = 0.5
_HAN_RUN = re.compile(f"[{HAN_CLASS}]+")


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    text: str  # as written in the searched text
    start: int
    end: int
    exact: bool
    distance: int


def _norm_with_map(text: str) -> tuple[str, list[int]]:
    key = matching_key(text)
    keep = [m.start() for m in KEPT_CHAR.finditer(key)]
    return strip_punct(key), keep


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(1), m.end(1)) for m in re.finditer(r"[“\"「『]([^“”\"「」『』\n]{2,20})[”\"」』]", text)]


class Searchable:
    """A text prepared once for many phrase searches."""

    __slots__ = ("text", "norm", "pos", "quoted")

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.pos = _norm_with_map(text)
        self.quoted = {(a, b) for a, b in _quoted_spans(text)}


def find_phrase(phrase: str, text: "str | Searchable", *, variants: bool = True) -> list[PhraseMatch]:
    """Occurrences of ``phrase`` in ``text`` (punctuation and width ignored),
    exact ones and, with ``variants``, close variants; positions index the text."""
    import Levenshtein

    s = text if isinstance(text, Searchable) else Searchable(text)
    target = strip_punct(matching_key(phrase))
    norm, pos, raw = s.norm, s.pos, s.text
    if not target or not norm:
        return []
    out: list[PhraseMatch] = []
    L = len(target)
    taken = bytearray(len(norm))
    k = norm.find(target)
    while k >= 0:
        out.append(PhraseMatch(raw[pos[k] : pos[k + L - 1] + 1], pos[k], pos[k + L - 1] + 1, True, 0))
        taken[k : k + L] = b"\x01" * L
        k = norm.find(target, k + L)
    if variants and L >= 3:
        half = L // 2
        inner_limit = 2 if L >= 6 else 1
        k = norm.find(target[0])
        while 0 <= k <= len(norm) - L:
            window = norm[k : k + L]
            a, b = pos[k], pos[k + L - 1] + 1
            if not any(taken[k : k + L]) and b - a == L and _HAN_RUN.fullmatch(window):
                d = Levenshtein.hamming(window, target)
                inner = window[-1] == target[-1] and 0 < d <= inner_limit
                quoted_name = (a, b) in s.quoted and window[:half] == target[:half] and 0 < d <= 2
                if inner or quoted_name:
                    out.append(PhraseMatch(raw[a:b], a, b, False, d))
                    taken[k : k + L] = b"\x01" * L
            k = norm.find(target[0], k + 1)
    return sorted(out, key=lambda m: m.start)


@dataclass(frozen=True, slots=True)
class DistinctivePhrase:
    text: str
    kind: str  # "programme" (lexicon or quoted name) or "ngram"
    weight: float  # distinctiveness in [0, 1]
    count: int  # units of the plan containing it
    unit_ids: tuple[str, ...]


def distinctive_phrases(prepared: Sequence, model, *, limit: int = 50, ngram_limit: int = 25) -> list[DistinctivePhrase]:
    """The distinctive phrases of one plan's prepared units (see module doc)."""
    out: dict[str, DistinctivePhrase] = {}
    occ: dict[str, list[str]] = defaultdict(list)
    for p in prepared:
        for t in p.terms:
            occ[t].append(p.unit.unit_id)
    for t, ids in occ.items():
        w = model.terms.weight(t)
        if w >= MIN_PHRASE_WEIGHT:
            out[t] = DistinctivePhrase(t, "programme", round(w, 3), len(set(ids)), tuple(dict.fromkeys(ids)))
    # frequent distinctive n-grams of Chinese characters
    counts: Counter[str] = Counter()  # units containing each n-gram
    for p in prepared:
        counts.update({run[i : i + n] for run in _HAN_RUN.findall(p.form.text)
                       for n in range(MIN_NGRAM, MAX_NGRAM + 1) for i in range(len(run) - n + 1)})
    scored = []
    for g, c in counts.items():
        if c < 2 or g in out:
            continue
        w = model.weights.char_weights(g)
        mean = sum(w) / len(w)
        if mean >= MIN_PHRASE_WEIGHT:
            scored.append((c * mean * len(g), g, c, mean))
    scored.sort(reverse=True)
    chosen: list[str] = []
    for _, g, c, mean in scored:
        if any(g in longer and counts[longer] >= c for longer in chosen) or any(g in t for t in out):
            continue
        chosen = [x for x in chosen if not (x in g and counts[x] <= c)]
        chosen.append(g)
    programmes = sorted(out.values(), key=lambda d: (-d.weight * d.count, d.text))[:limit]
    ngrams = []
    for g in chosen[:ngram_limit]:
        w = model.weights.char_weights(g)
        where = [p.unit.unit_id for p in prepared if g in p.form.text]  # all Han: inside a Han run
        ngrams.append(DistinctivePhrase(g, "ngram", round(sum(w) / len(w), 3), counts[g], tuple(dict.fromkeys(where))))
    return programmes + ngrams


def phrase_status(phrase: str, texts: "Sequence[str | Searchable]") -> tuple[str, str]:
    """``("carried", phrase)``, ``("altered", variant)`` or ``("absent", "")``
    for a phrase across the units of another plan (pass :class:`Searchable`
    texts when checking many phrases)."""
    texts = [t if isinstance(t, Searchable) else Searchable(t) for t in texts]
    for t in texts:  # exact occurrences first: a fast search, and most phrases have one
        for m in find_phrase(phrase, t, variants=False):
            return "carried", m.text
    for t in texts:  # no exact occurrence anywhere: the first close variant
        for m in find_phrase(phrase, t):
            return "altered", m.text
    return "absent", ""
