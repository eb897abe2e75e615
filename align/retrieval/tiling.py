"""Greedy string tiling: the common substrings two matching forms share.

The tiles of a pair are the common substrings of ``min_len``+ characters
found greedily, longest first, in any order (inverted clauses still match):

1. every maximal match — a start ``(i, j)`` where the two forms share the
   next ``min_len`` characters and not the one before, extended as far as
   they agree — as ``(length, i, j)``;
2. the matches in the order (longest, then lower ``i``, then lower ``j``);
   each is trimmed of the characters earlier tiles took (from the left, then
   from the right) and kept if ``min_len`` characters remain and none of
   them is taken.

Plain Python serves every alignment.  A numba-compiled copy of this tiling
(``align/retrieval/tiling_jit.py``, removed) was 10× faster on the pairs themselves but
saved the main job nothing (it was loaded only from 2,000 child units, which
no plan pair reaches; loading it takes a second or more), and the 50k × 50k
synthetic run took only 1.15× the CPU time without it (README "Benchmarks";
``benchmarks/libraries.py``): below the 2× for which planecho keeps faster
code of its own.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


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


#: units whose n-gram index (:func:`gram_index`) a process keeps: children and parents are measured
#: in every pair they are in (about a plan's units or several; each index is a few kB)
GRAM_CACHE = 8192


@lru_cache(maxsize=GRAM_CACHE)
def cached_gram_index(b: str, min_len: int = 3) -> dict[str, list[int]]:
    """:func:`gram_index`, kept for the process (do not modify the dict)."""
    return gram_index(b, min_len)


def tiles(a: str, b: str, min_len: int = 3, b_index: dict[str, list[int]] | None = None) -> list[tuple[int, int, int]]:
    """Greedy string tiling: non-overlapping common substrings of ``a`` and
    ``b`` (longest first), as ``(start_in_a, start_in_b, length)``.

    Order is free, so inverted clauses (不断完善X → X不断完善) still match.
    ``b_index``: ``b``'s :func:`gram_index`, when it is reused across many ``a``.

    >>> tiles("不断完善基础设施和公共服务", "基础设施和公共服务不断完善")
    [(4, 0, 9), (0, 9, 4)]
    """
    if len(a) < min_len or len(b) < min_len:
        return []
    a_index = gram_index(a, min_len)
    if b_index is None:
        b_index = gram_index(b, min_len)
    return shared_tiles(a, b, a_index, b_index, a_index.keys() & b_index.keys(), min_len)


def shared_tiles(a: str, b: str, a_index: dict[str, list[int]], b_index: dict[str, list[int]],
                 shared: Iterable[str], min_len: int = 3) -> list[tuple[int, int, int]]:
    """The tiles of ``a`` and ``b`` (:func:`tiles`) from their :func:`gram_index`
    and the ``min_len``-grams they share (``a_index.keys() & b_index.keys()``):
    a match can only start at a shared gram, so only those are visited."""
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
