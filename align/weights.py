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
from collections import Counter
from collections.abc import Iterable

FLOOR = 0.05
MIN_BACKGROUND = 1000  # a smaller background is judged as if it had this many units
DIGIT_WEIGHT = 0.05
_DIGITS = re.compile(r"[0-9%◇]")  # digits and the self-reference placeholder carry no evidence


class Weights:
    """Bigram inverse document frequencies over background matching forms."""

    def __init__(self, forms: Iterable[str], generic: Iterable[str] = ()) -> None:
        df: Counter[str] = Counter()
        n = 0
        for f in forms:
            n += 1
            df.update({f[i : i + 2] for i in range(len(f) - 1)})
        self.n = max(n, 1)
        self._df = df
        self._max = math.log(max(self.n, MIN_BACKGROUND) + 1)
        self._generic = tuple(sorted({g for g in generic if len(g) >= 2}, key=len, reverse=True))
        self._generic_re = re.compile("|".join(re.escape(g) for g in self._generic)) if self._generic else None
        # a bigram's weight depends on its document frequency only: computed
        # once per frequency, looked up per bigram
        by_df: dict[int, float] = {}
        self._bigram = {g: by_df.get(d) or by_df.setdefault(d, self._weight(d)) for g, d in df.items()}
        self._unseen = self._weight(0)

    def _weight(self, df: int) -> float:
        idf = math.log((max(self.n, MIN_BACKGROUND) + 1) / (df + 1))
        return min(1.0, max(idf / self._max, FLOOR))

    def bigram(self, g: str) -> float:
        """Weight of one bigram: 1 for a bigram seen once, near 0 for ubiquitous ones."""
        return self._bigram.get(g, self._unseen)

    def df(self, g: str) -> int:
        return self._df.get(g, 0)

    def char_weights(self, form: str) -> list[float]:
        """One weight per character of a matching form."""
        n = len(form)
        if n == 0:
            return []
        if n == 1:
            return [FLOOR]
        get, unseen = self._bigram.get, self._unseen
        bw = [get(form[i : i + 2], unseen) for i in range(n - 1)]
        out = [bw[0]]
        out += [(a + b) / 2 for a, b in zip(bw, bw[1:])]  # (bw[i-1] + bw[i]) / 2 for 0 < i < n-1
        out.append(bw[-1])
        if self._generic_re is not None:
            for m in self._generic_re.finditer(form):
                for i in range(m.start(), m.end()):
                    out[i] = FLOOR
        for m in _DIGITS.finditer(form):
            out[m.start()] = DIGIT_WEIGHT
        return out


def gram_index(b: str, min_len: int = 3) -> dict[str, list[int]]:
    """Positions of each ``min_len``-gram of ``b`` (reused across many ``a``)."""
    index: dict[str, list[int]] = {}
    get = index.get
    for j in range(len(b) - min_len + 1):
        g = b[j : j + min_len]
        at = get(g)
        if at is None:
            index[g] = [j]
        else:
            at.append(j)
    return index


def tiles(a: str, b: str, min_len: int = 3, b_index: dict[str, list[int]] | None = None,
          a_grams: list[str] | None = None) -> list[tuple[int, int, int]]:
    """Greedy string tiling: non-overlapping common substrings of ``a`` and
    ``b`` (longest first), as ``(start_in_a, start_in_b, length)``.

    Order is free, so inverted clauses (不断完善X → X不断完善) still match.

    >>> tiles("不断完善基础设施和公共服务", "基础设施和公共服务不断完善")
    [(4, 0, 9), (0, 9, 4)]
    """
    if len(a) < min_len or len(b) < min_len:
        return []
    index = b_index if b_index is not None else gram_index(b, min_len)
    grams = a_grams if a_grams is not None else [a[i : i + min_len] for i in range(len(a) - min_len + 1)]
    if index.keys().isdisjoint(grams):
        return []
    found: list[tuple[int, int, int]] = []
    la, lb = len(a), len(b)
    for i, g in enumerate(grams):
        for j in index.get(g, ()):
            if i and j and a[i - 1] == b[j - 1]:
                continue  # not left-maximal: found from an earlier start
            k = min_len
            while i + k < la and j + k < lb and a[i + k] == b[j + k]:
                k += 1
            found.append((k, i, j))
    return _greedy(found, la, lb, min_len)


def shared_tiles(a: str, b: str, a_index: dict[str, list[int]], b_index: dict[str, list[int]],
                 shared: Iterable[str], min_len: int = 3) -> list[tuple[int, int, int]]:
    """:func:`tiles` of ``a`` and ``b`` from their :func:`gram_index` and the
    ``min_len``-grams they share (``a_index.keys() & b_index.keys()``): the
    same tiles in the same order, visiting only the shared grams."""
    found: list[tuple[int, int, int]] = []
    la, lb = len(a), len(b)
    for g in shared:
        at_b = b_index[g]
        for i in a_index[g]:
            for j in at_b:
                if i and j and a[i - 1] == b[j - 1]:
                    continue  # not left-maximal: found from an earlier start
                k = min_len
                while i + k < la and j + k < lb and a[i + k] == b[j + k]:
                    k += 1
                found.append((k, i, j))
    if len(found) == 1:
        k, i, j = found[0]
        return [(i, j, k)]
    return _greedy(found, la, lb, min_len)


def _greedy(found: list[tuple[int, int, int]], la: int, lb: int, min_len: int) -> list[tuple[int, int, int]]:
    """The tiles taken from maximal matches ``(length, i, j)``, longest first."""
    if not found:
        return []
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_a, used_b = bytearray(la), bytearray(lb)
    out = []
    for k, i, j in found:
        # trim the overlap with tiles already taken, keep the rest if long enough
        while k >= min_len and (used_a[i] or used_b[j]):
            i, j, k = i + 1, j + 1, k - 1
        while k >= min_len and (used_a[i + k - 1] or used_b[j + k - 1]):
            k -= 1
        if k < min_len or any(used_a[i : i + k]) or any(used_b[j : j + k]):
            continue
        used_a[i : i + k] = b"\x01" * k
        used_b[j : j + k] = b"\x01" * k
        out.append((i, j, k))
    return out
