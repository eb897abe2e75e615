"""Greedy string tiling of many (child, parent) pairs at once, compiled with numba.

The same tiles as :mod:`align.tiling` (see there for the rules), plus the
weighted sums the aligner needs (:func:`align.features.pair_features`): the
child's and the parent's weights on the tiled characters, tile by tile in
the order taken, each tile summed left to right, and the heaviest single
tile on the child's side.

A match start is found through the ``min_len``-grams of the parent, packed
into integers (21 bits per code point, up to three code points) and sorted
once per alignment; each child gram is looked up by binary search.  The
aligner measures every candidate pair of a slice of children in one call
(:func:`measure_pairs`) when the alignment is large enough to repay loading
the compiled code; :func:`tiles` tiles one pair (for tests, and to load the kernel).

Numba compiles the kernel on first use (a few seconds, once per machine)
and caches the machine code beside this file (``__pycache__``), or in the
user's cache directory when that is not writable; loading it takes about a
second, which is why small alignments stay in Python.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from itertools import chain
from dataclasses import dataclass

import numpy as np
from numba import njit

from .index import codepoints

_BITS = 21  # a code point fits in 21 bits
_KEY_CHARS = 3  # at most this many characters are packed into a gram key (63 bits)
MAX_FORM = 1 << _BITS  # forms must be shorter than this (a match is packed into 63 bits)
_COMPENSATED = sys.version_info >= (3, 12)  # Python's sum() of floats is compensated from 3.12 on


@dataclass(frozen=True)
class Packed:
    """Matching forms and their character weights, concatenated, and (for the
    parents' side) the ``min_len``-grams of each form sorted for lookup."""

    codes: np.ndarray  # int64 code points of all forms
    weights: np.ndarray  # float64, one per code point
    starts: np.ndarray  # int64, form k is codes[starts[k]:starts[k + 1]]
    gram_keys: np.ndarray  # int64, the grams of form k sorted: gram_keys[gram_starts[k]:gram_starts[k + 1]]
    gram_pos: np.ndarray  # int64, where each of those grams starts in its form
    gram_starts: np.ndarray  # int64
    min_len: int

    @classmethod
    def of(cls, forms: Sequence[str], weights: Sequence[Sequence[float]], min_len: int,
           grams: bool = True) -> "Packed":
        """The forms packed; their grams sorted for lookup only with ``grams``
        (the parents' side of a pair: a child's grams are read in order)."""
        if min_len < 1:
            raise ValueError("min_len must be at least 1")
        lens = np.fromiter(map(len, forms), dtype=np.int64, count=len(forms))
        if len(lens) and lens.max() >= MAX_FORM:
            raise ValueError(f"a form of {lens.max():,} characters: tiling compiles for forms under {MAX_FORM:,}")
        starts = np.zeros(len(forms) + 1, dtype=np.int64)
        np.cumsum(lens, out=starts[1:])
        codes = codepoints(forms).astype(np.int64)
        w = np.fromiter(chain.from_iterable(weights), dtype=np.float64, count=int(starts[-1]))
        n_grams = np.maximum(lens - min_len + 1, 0) if grams else np.zeros(len(forms), dtype=np.int64)
        gram_starts = np.zeros(len(forms) + 1, dtype=np.int64)
        np.cumsum(n_grams, out=gram_starts[1:])
        keys = np.empty(int(gram_starts[-1]), dtype=np.int64)
        pos = np.empty(int(gram_starts[-1]), dtype=np.int64)
        if grams:
            _sorted_grams(_position_keys(codes, min_len), starts, gram_starts, keys, pos)
        return cls(codes, w, starts, keys, pos, gram_starts, min_len)


@njit(cache=True, nogil=True)
def _sorted_grams(position_keys, starts, gram_starts, keys, pos):
    """Each form's gram keys (``position_keys`` at the positions where a whole
    gram fits) sorted by key, with their positions, into ``keys`` / ``pos``."""
    for f in range(len(starts) - 1):
        a, b = gram_starts[f], gram_starts[f + 1]
        for t in range(b - a):
            keys[a + t] = position_keys[starts[f] + t]
            pos[a + t] = t
        _heapsort(keys[a:b], pos[a:b])


@njit(cache=True, nogil=True)
def _first_at_least(keys, key):
    """The first index of sorted ``keys`` whose key is ``key`` or more (binary search)."""
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, nogil=True)
def _sift(x, y, root, end):
    while 2 * root + 1 < end:
        child = 2 * root + 1
        if child + 1 < end and x[child] < x[child + 1]:
            child += 1
        if x[root] >= x[child]:
            return
        x[root], x[child] = x[child], x[root]
        if y is not None:
            y[root], y[child] = y[child], y[root]
        root = child


@njit(cache=True, nogil=True)
def _heapsort(x, y=None):
    """Sort ``x`` in place, permuting ``y`` (if given) alike (heapsort: not
    stable, and it compiles in a fraction of ``np.sort``'s time)."""
    n = len(x)
    for root in range(n // 2 - 1, -1, -1):
        _sift(x, y, root, n)
    for end in range(n - 1, 0, -1):
        x[0], x[end] = x[end], x[0]
        if y is not None:
            y[0], y[end] = y[end], y[0]
        _sift(x, y, 0, end)


@njit(cache=True, nogil=True)
def _sum(w, start, k, compensated):
    """``sum(w[start:start + k])`` as Python computes it: left to right, and
    from Python 3.12 on with Neumaier's compensation (``compensated``)."""
    total = w[start]
    c = 0.0
    for t in range(start + 1, start + k):
        x = w[t]
        if not compensated:
            total += x
            continue
        s = total + x
        if abs(total) >= abs(x):
            c += (total - s) + x
        else:
            c += (x - s) + total
        total = s
    if c != 0.0 and np.isfinite(c):
        total += c
    return total


@njit(cache=True, nogil=True)
def _tile_pair(a, b, wa, wb, a_keys, b_keys, b_pos, min_len, compensated, out_i, out_j, out_k, at, scratch):
    """Tiles of one pair into ``out_*`` from ``at``; returns (count, child sum,
    parent sum, heaviest tile, scratch) — scratch grows when matches overflow it."""
    la, lb = len(a), len(b)
    n = 0
    for i in range(la - min_len + 1):
        key = a_keys[i]
        q = _first_at_least(b_keys, key)
        while q < len(b_keys) and b_keys[q] == key:
            j = b_pos[q]
            q += 1
            if i > 0 and j > 0 and a[i - 1] == b[j - 1]:
                continue  # not left-maximal: found from an earlier start
            k = 0
            while i + k < la and j + k < lb and a[i + k] == b[j + k]:
                k += 1
            if k < min_len:
                continue  # the packed key covers only the first characters of a longer gram
            if n == len(scratch):
                grown = np.empty(2 * len(scratch), dtype=np.int64)
                for t in range(n):  # (a loop: slice assignment compiles for seconds)
                    grown[t] = scratch[t]
                scratch = grown
            # longest first, then lower i, then lower j
            scratch[n] = ((np.int64(1 << _BITS) - k) << (2 * _BITS)) | (np.int64(i) << _BITS) | j
            n += 1
    found = scratch[:n]
    _heapsort(found)
    mask = np.int64((1 << _BITS) - 1)
    used_a = np.zeros(la, dtype=np.bool_)
    used_b = np.zeros(lb, dtype=np.bool_)
    count = 0
    sc = sp = best = 0.0
    for m in found:
        k = (1 << _BITS) - (m >> (2 * _BITS))
        i = (m >> _BITS) & mask
        j = m & mask
        # trim the overlap with tiles already taken, keep the rest if long enough
        while k >= min_len and (used_a[i] or used_b[j]):
            i += 1
            j += 1
            k -= 1
        while k >= min_len and (used_a[i + k - 1] or used_b[j + k - 1]):
            k -= 1
        if k < min_len:
            continue
        free = True
        for t in range(k):
            if used_a[i + t] or used_b[j + t]:
                free = False
                break
        if not free:
            continue
        for t in range(k):
            used_a[i + t] = True
            used_b[j + t] = True
        x = _sum(wa, i, k, compensated)
        y = _sum(wb, j, k, compensated)
        sc += x
        sp += y
        if x > best:
            best = x
        out_i[at + count] = i
        out_j[at + count] = j
        out_k[at + count] = k
        count += 1
    return count, sc, sp, best, scratch


@njit(cache=True, nogil=True)
def _measure(c_codes, c_w, c_starts, c_keys, p_codes, p_w, p_starts, p_keys, p_pos, p_gstarts,
             pair_c, pair_p, min_len, compensated, tile_starts, out_i, out_j, out_k, sums):
    scratch = np.empty(64, dtype=np.int64)
    for q in range(len(pair_c)):
        c, p = pair_c[q], pair_p[q]
        ca, cb = c_starts[c], c_starts[c + 1]
        pa, pb = p_starts[p], p_starts[p + 1]
        ga, gb = p_gstarts[p], p_gstarts[p + 1]
        count, sc, sp, best, scratch = _tile_pair(
            c_codes[ca:cb], p_codes[pa:pb], c_w[ca:cb], p_w[pa:pb], c_keys[ca:cb],
            p_keys[ga:gb], p_pos[ga:gb], min_len, compensated, out_i, out_j, out_k, tile_starts[q], scratch)
        tile_starts[q + 1] = tile_starts[q] + count
        sums[q, 0] = sc
        sums[q, 1] = sp
        sums[q, 2] = best


def _position_keys(codes: np.ndarray, min_len: int) -> np.ndarray:
    """The packed gram key starting at every position (garbage near the end of a form: never read there)."""
    width = min(min_len, _KEY_CHARS)
    keys = codes.copy()
    for d in range(1, width):
        nxt = np.zeros(len(codes), dtype=np.int64)
        nxt[: len(codes) - d] = codes[d:]
        keys = (keys << _BITS) | nxt
    return keys


@dataclass(frozen=True)
class Measured:
    """The tiles and weighted sums of many pairs: pair ``q`` has tiles
    ``(i[t], j[t], k[t])`` for ``t`` in ``starts[q]:starts[q + 1]``, in the
    order they were taken."""

    starts: np.ndarray
    i: np.ndarray
    j: np.ndarray
    k: np.ndarray
    child_sum: np.ndarray  # weight of the child's tiled characters
    parent_sum: np.ndarray
    best: np.ndarray  # child weight of the heaviest single tile
    tiled: np.ndarray  # characters tiled (on either side)

    def tiles_of(self, q: int) -> tuple[tuple[int, int, int], ...]:
        a, b = int(self.starts[q]), int(self.starts[q + 1])
        return tuple(zip(self.i[a:b].tolist(), self.j[a:b].tolist(), self.k[a:b].tolist()))


def measure_pairs(children: Packed, parents: Packed, pair_child: np.ndarray, pair_parent: np.ndarray) -> Measured:
    """Tile every pair ``(children[pair_child[q]], parents[pair_parent[q]])``
    (``parents`` packed with their grams)."""
    if children.min_len != parents.min_len:
        raise ValueError("children and parents packed with different min_len")
    min_len = parents.min_len
    pair_child = np.ascontiguousarray(pair_child, dtype=np.int64)
    pair_parent = np.ascontiguousarray(pair_parent, dtype=np.int64)
    c_len = np.diff(children.starts)[pair_child]
    p_len = np.diff(parents.starts)[pair_parent]
    room = int((np.minimum(c_len, p_len) // min_len).sum())  # tiles of min_len+ characters cannot overlap
    out_i, out_j, out_k = (np.empty(room, dtype=np.int64) for _ in range(3))
    starts = np.zeros(len(pair_child) + 1, dtype=np.int64)
    sums = np.zeros((len(pair_child), 3), dtype=np.float64)
    if len(pair_child):
        _measure(children.codes, children.weights, children.starts, _position_keys(children.codes, min_len),
                 parents.codes, parents.weights, parents.starts, parents.gram_keys, parents.gram_pos,
                 parents.gram_starts, pair_child, pair_parent, min_len, _COMPENSATED, starts, out_i, out_j, out_k, sums)
    end = int(starts[-1])
    owner = np.repeat(np.arange(len(pair_child)), np.diff(starts))
    tiled = np.bincount(owner, weights=out_k[:end], minlength=len(pair_child)).astype(np.int64)
    return Measured(starts, out_i[:end], out_j[:end], out_k[:end], sums[:, 0], sums[:, 1], sums[:, 2], tiled)


def tiles(a: str, b: str, min_len: int = 3) -> list[tuple[int, int, int]]:
    """The tiles of one pair, as ``(start_in_a, start_in_b, length)`` in the order taken.

    >>> tiles("不断完善基础设施和公共服务", "基础设施和公共服务不断完善")
    [(4, 0, 9), (0, 9, 4)]
    """
    pa = Packed.of([a], [[1.0] * len(a)], min_len, grams=False)
    pb = Packed.of([b], [[1.0] * len(b)], min_len)
    m = measure_pairs(pa, pb, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))
    return list(m.tiles_of(0))


def ready() -> None:
    """Compile or load the kernels now (a process forked afterwards inherits them)."""
    tiles("甲乙丙丁", "甲乙丙丁")
