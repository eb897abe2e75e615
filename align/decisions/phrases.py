"""Distinctive phrases of a plan, and finding a phrase or its variants in text.

A plan's distinctive phrases are its programme terms (lexicon entries and
quoted names) and its frequent distinctive n-grams: runs of whole jieba words
of 4–8 characters, starting and ending with a word of two or more characters
(no particle or stray character at an edge), that recur in at least two of its units and are rare in the background
corpus — so no fragment such as 「的方向和」 or 「业转移人口市民化」.

A phrase is *carried* by another text when it occurs there (or a form that
differs only by a region or self-reference swap, 掌上办事之省 → 掌上办事之市:
the engine folds those as the same wording); *altered* when only a close
variant does: the same length, the first and last characters kept and one
inner character changed (千年古城 → 千年府城; two in phrases of 6+ characters),
or a whole quoted name that keeps half of the phrase as its head and changes
at most two characters (“千年商都”).  A variant never spans punctuation, starts
and ends on word boundaries, is not a numeral change, and needs evidence
beyond sharing characters (:func:`variant_evidence`): it sits in a unit
aligned with one using the original, or its context shares wording with the
original's.  A phrase's *short forms* are sub-sequences of its components that
keep the head (人地钱挂钩 → 人地挂钩, 人钱挂钩; :func:`short_forms`), and a phrase
is a *part* of a longer name that inserts one component (人地挂钩 ⊂ 人地钱挂钩).

>>> [(m.text, m.exact) for m in find_phrase("千年古城", "围绕“千年府城”，推进千年古城复兴")]
[('千年府城', False), ('千年古城', True)]
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from align.retrieval.lexicon import KEPT_CHAR, strip_punct
from align.textnorm import HAN_CLASS, matching_key

MIN_NGRAM, MAX_NGRAM = 4, 8
MIN_PHRASE_WEIGHT = 0.5
#: characters of wording (a run of Chinese characters) two contexts must share to be the same measure's context
MIN_SHARED_CONTEXT = 6
CONTEXT_CHARS = 16  # characters each side of an occurrence read as its context
_HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
#: administrative suffixes: swapping one for another is a self-reference, never a re-brand
ADMIN_CHARS = frozenset("国省市区县州镇乡村")
_NUMERALS = frozenset("0123456789〇零一二三四五六七八九十百千万两")


def _tokenizer():
    from align.retrieval.lexicon import load_lexicon
    from align.retrieval.model import shared_tokenizer

    return shared_tokenizer(load_lexicon())


_BOUNDS: dict[str, frozenset[int]] = {}


def word_bounds(run: str) -> frozenset[int]:
    """Offsets in a run of Chinese characters where a jieba word starts or ends."""
    found = _BOUNDS.get(run)
    if found is None:
        words = _tokenizer().cut(run)
        if "".join(words) != run:  # should not happen on a Han run: every offset is a boundary then
            found = frozenset(range(len(run) + 1))
        else:
            offs, k = {0}, 0
            for w in words:
                k += len(w)
                offs.add(k)
            found = frozenset(offs)
        if len(_BOUNDS) > 100_000:
            _BOUNDS.clear()
        _BOUNDS[run] = found
    return found


def on_word_bounds(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` starts and ends where jieba words of its Han run do."""
    a = start
    while a > 0 and _HAN_RUN.match(text, a - 1, a):
        a -= 1
    b = end
    while b < len(text) and _HAN_RUN.match(text, b, b + 1):
        b += 1
    bounds = word_bounds(text[a:b])
    return (start - a) in bounds and (end - a) in bounds


def is_region_swap(original: str, variant: str, regions: Sequence[str] = ()) -> bool:
    """Whether two names differ only by administrative suffixes or region names
    (掌上办事之省 → 掌上办事之市): the self-reference the engine folds, never a re-brand."""
    from align.retrieval.prepare import matching_form

    if len(original) == len(variant):
        changed = [i for i, (x, y) in enumerate(zip(original, variant)) if x != y]
        if changed and all(_admin_word(original, i) and _admin_word(variant, i) for i in changed):
            return True
    return matching_form(original, regions).text == matching_form(variant, regions).text


def _may_fold(original: str, variant: str, regions: Sequence[str]) -> bool:
    """A quick test before :func:`is_region_swap`: some changed character can be part
    of an administrative suffix, a self-reference or a region name."""
    chars = _fold_chars(tuple(regions))
    return any(x != y and (x in chars or y in chars) for x, y in zip(original, variant))


@lru_cache(maxsize=64)
def _fold_chars(regions: tuple[str, ...]) -> frozenset[str]:
    from align.retrieval.prepare import _SELF_REFS, region_variants

    return frozenset("".join(_SELF_REFS) + "".join(region_variants(regions))) | ADMIN_CHARS


def _admin_word(name: str, i: int) -> bool:
    """Whether ``name[i]`` is an administrative suffix standing as a word of its own
    (之省, 先行市), not inside a word (城市) nor counted (三区一镇)."""
    if name[i] not in ADMIN_CHARS or (i > 0 and name[i - 1] in _NUMERALS):
        return False
    k, bounds = 0, {0}
    for w in _plain_cut(name):
        k += len(w)
        bounds.add(k)
    return i in bounds and i + 1 in bounds


def numeral_change(original: str, variant: str) -> bool:
    """Whether only numerals changed (七连创 → 九连创 is a count, not a name)."""
    changed = [(x, y) for x, y in zip(original, variant) if x != y]
    return bool(changed) and all(x in _NUMERALS and y in _NUMERALS for x, y in changed)


def _grams(text: str, n: int) -> set[str]:
    return {r[i : i + n] for r in _HAN_RUN.findall(text) for i in range(len(r) - n + 1)}


def shares_wording(a: str, b: str, n: int = MIN_SHARED_CONTEXT) -> bool:
    """Whether two contexts share a run of ``n`` Chinese characters."""
    return not _grams(a, n).isdisjoint(_grams(b, n))


def context_of(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> str:
    """The words around an occurrence (the occurrence itself left out)."""
    return text[max(0, start - chars) : start] + "\x00" + text[end : end + chars]


def variant_evidence(phrase: str, unit_text: str, start: int, end: int, original_contexts: Sequence[str]) -> bool:
    """Whether a variant at ``unit_text[start:end]`` sits in the context of the
    measure that uses ``phrase``: its unit names the original too (打响“千年府城”文化品牌，
    彰显千年古城的文化力), or its context shares a run of :data:`MIN_SHARED_CONTEXT`
    characters with one of the original's contexts.  (An aligned pair is the other
    evidence; the caller knows the alignment.)"""
    rest = unit_text[:start] + "\x00" + unit_text[end:]
    for m in find_phrase(phrase, rest, variants=False):
        gap = rest[m.end : start] if m.end <= start else rest[start + 1 : m.start]
        if len("".join(_HAN_RUN.findall(gap))) >= 2:
            return True  # named apart from it (not a sibling in a list: “掌上办事之省”“掌上办公之省”)
    mine = context_of(unit_text, start, end)
    return any(shares_wording(mine, c) for c in original_contexts)


@lru_cache(maxsize=4096)
def _components(phrase: str) -> list[str]:
    """The components of an enumerating name: single-character items read by jieba
    without the lexicon (where the name itself is one word) and a head word of 2+
    characters (人地钱挂钩 → 人, 地, 钱, 挂钩); ``[phrase]`` for any other name
    (城市有机更新 is not an enumeration: 城市更新 is not its short form)."""
    words = _plain_cut(phrase)
    if len(words) < 3 or len(words[-1]) < 2 or any(len(w) != 1 for w in words[:-1]):
        return [phrase]
    return list(words)


def _plain_cut(text: str) -> list[str]:
    """jieba words of ``text`` without the project lexicon (so a listed name splits into its parts)."""
    global _PLAIN
    if _PLAIN is None:
        from align.retrieval.lexicon import load_lexicon
        from align.retrieval.tokens import Tokenizer

        _PLAIN = Tokenizer(load_lexicon(bundled=False))
    return _PLAIN.cut(text)


_PLAIN = None


def short_forms(phrase: str) -> list[str]:
    """Short forms of an enumerating name: sub-sequences of its components
    (:func:`_components`) that keep the head and at least two items
    (人地钱挂钩 → 人地挂钩, 人钱挂钩, 地钱挂钩).

    >>> short_forms("人地钱挂钩")
    ['人地挂钩', '人钱挂钩', '地钱挂钩']
    """
    from itertools import combinations

    parts = _components(phrase)
    if len(parts) < 4:  # the head and three items: dropping one leaves two
        return []
    head, rest = parts[-1], parts[:-1]
    out = []
    for k in range(len(rest) - 1, 1, -1):
        for keep in combinations(rest, k):
            form = "".join(keep) + head
            if len(form) >= 4 and form != phrase:
                out.append(form)
    return list(dict.fromkeys(out))


def longer_form_pattern(phrase: str) -> "re.Pattern[str] | None":
    """A pattern for names that insert one single-character component into
    ``phrase``'s enumeration (人地挂钩 → 人地钱挂钩), or None."""
    parts = _components(phrase)
    if len(parts) < 3 or any(len(p) != 1 for p in parts[:-1]):
        return None
    gaps = [re.escape(p) for p in parts[:-1]]
    alternatives = []
    for i in range(1, len(gaps)):
        alternatives.append("".join(gaps[:i]) + f"[{HAN_CLASS}]" + "".join(gaps[i:]) + re.escape(parts[-1]))
    alternatives.append("".join(gaps) + f"[{HAN_CLASS}]" + re.escape(parts[-1]))
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    text: str  # as written in the searched text
    start: int
    end: int
    exact: bool
    distance: int
    kind: str = "exact"  # "exact", "variant", "region" (a self-reference swap), "short form", "longer form"


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


def find_phrase(phrase: str, text: "str | Searchable", *, variants: bool = True,
                forms: bool = False, regions: Sequence[str] = ()) -> list[PhraseMatch]:
    """Occurrences of ``phrase`` in ``text`` (punctuation and width ignored),
    exact ones and, with ``variants``, close variants (candidates: whether one is a
    re-brand needs evidence, :func:`variant_evidence`) and region swaps; with
    ``forms``, also short forms and longer forms (:func:`short_forms`,
    :func:`longer_form_pattern`).  Positions index the text."""
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
                region = 0 < d <= 2 and _may_fold(target, window, regions) and is_region_swap(target, window, regions)
                if region or ((inner or quoted_name) and not numeral_change(target, window)
                              and on_word_bounds(raw, a, b)):
                    out.append(PhraseMatch(raw[a:b], a, b, False, d, "region" if region else "variant"))
                    taken[k : k + L] = b"\x01" * L
            k = norm.find(target[0], k + 1)
    if forms:
        found = [(f, "short form") for f in short_forms(target)]
        longer = longer_form_pattern(target)
        if longer is not None:
            found += [(m.group(0), "longer form") for m in longer.finditer(norm)]
        for form, kind in dict.fromkeys(found):
            n = len(form)
            k = norm.find(form)
            while k >= 0:
                a, b = pos[k], pos[k + n - 1] + 1
                if not any(taken[k : k + n]) and b - a == n and on_word_bounds(raw, a, b):
                    out.append(PhraseMatch(raw[a:b], a, b, False, abs(n - L), kind))
                    taken[k : k + n] = b"\x01" * n
                k = norm.find(form, k + n)
    return sorted(out, key=lambda m: m.start)


def word_ngrams(run: str, lo: int = MIN_NGRAM, hi: int = MAX_NGRAM) -> set[str]:
    """Runs of consecutive jieba words of ``lo``–``hi`` characters in a run of
    Chinese characters, starting and ending with a word of two or more characters
    (a single character at an edge is a particle, a verb or a piece of a word jieba
    did not know: 的方向和, 好杭州, 全体居民人均可).

    >>> sorted(word_ngrams("明确发展的方向和重点"))  # never 的方向和, 展的方向
    ['发展的方向', '发展的方向和重点', '方向和重点', '明确发展', '明确发展的方向']
    >>> sorted(word_ngrams("唱好杭州宁波"))
    ['杭州宁波']
    """
    bounds = sorted(word_bounds(run))
    words = [run[a:b] for a, b in zip(bounds, bounds[1:])]
    starts = bounds[:-1]
    out = set()
    for i, w in enumerate(words):
        if len(w) == 1:
            continue
        n = 0
        for j in range(i, len(words)):
            n += len(words[j])
            if n > hi:
                break
            if n >= lo and len(words[j]) > 1:
                out.add(run[starts[i] : starts[i] + n])
    return out


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
    # frequent distinctive n-grams: runs of whole words
    counts: Counter[str] = Counter()  # units containing each n-gram
    for p in prepared:
        # runs of the key, where punctuation still separates clauses (the matching form drops it:
        # 「以人为核心、高质量为导向」 would give 核心高质量为导向)
        counts.update({g for run in _HAN_RUN.findall(p.unit.key) for g in word_ngrams(run)})
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
        where = [p.unit.unit_id for p in prepared if g in p.unit.key]  # all Han: inside a Han run
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
