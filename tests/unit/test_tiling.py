"""The compiled tiling (align.tiling_jit) gives exactly what the Python tiling gives.

Large alignments tile their pairs with the numba kernel, small ones in
Python; the links must not depend on which.  Compared here: the tiles (in
the order taken), the weighted sums behind cc / pc / mass / best, and
Python's own ``sum()`` (compensated from Python 3.12 on), on plan text and
on random strings over a small alphabet (many repeats and overlaps).
"""
from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align import tiling, tiling_jit
from align.document import load_document
from align.features import MIN_TILE, TermSet, pair_features, prepare
from align.prepare import matching_form
from align.records import Unit
from align.weights import Weights


@pytest.fixture(scope="module")
def forms():
    doc = load_document("taizhou-urbanization-14fyp")
    return [matching_form(u.text, ("浙江省", "台州市")).text for u in doc.alignable("clause")]


def test_one_pair():
    inverted = ("不断完善基础设施和公共服务", "基础设施和公共服务不断完善")
    assert tiling_jit.tiles(*inverted) == [(4, 0, 9), (0, 9, 4)]
    assert tiling_jit.tiles("推进建设", "加快发展") == []
    assert tiling_jit.tiles("ab", "abc") == []
    assert tiling_jit.tiles("甲乙丙甲乙丙甲乙丙", "甲乙丙丁甲乙丙") == [(0, 0, 3), (3, 4, 3)]
    assert tiling_jit.tiles("", "") == []


def test_tiles_on_plan_text(forms):
    pairs = [(a, b) for a in forms[:60] for b in forms[:200]]
    assert sum(1 for a, b in pairs if tiling.tiles(a, b)) > 300  # pairs that share wording, not only empty ones
    for a, b in pairs:
        assert tiling_jit.tiles(a, b) == tiling.tiles(a, b), (a, b)


@settings(max_examples=300, deadline=None)
@given(st.text("甲乙丙丁", max_size=40), st.text("甲乙丙丁", max_size=40), st.integers(1, 5))
def test_tiles_on_repetitive_text(a, b, min_len):
    assert tiling_jit.tiles(a, b, min_len) == tiling.tiles(a, b, min_len)


def test_many_matches_grow_the_scratch_space():
    a, b = "甲乙丙" * 60, "甲乙丙" * 50  # thousands of maximal matches in one pair
    assert tiling_jit.tiles(a, b) == tiling.tiles(a, b)


def _unit(k: int, text: str) -> Unit:
    return Unit("d", f"u{k}", (), 0, text, text, 0, len(text))


def test_sums_are_the_features_sums(forms):
    weights = Weights(forms)
    termset = TermSet([], [], forms)
    units = prepare([_unit(k, f) for k, f in enumerate(forms[:300])], (), weights)
    children, parents = units[:80], units[80:]
    pc, pp = np.meshgrid(np.arange(len(children)), np.arange(len(parents)), indexing="ij")
    packed_children = tiling_jit.Packed.of([c.form.text for c in children], [c.weights for c in children], MIN_TILE,
                                           grams=False)
    packed_parents = tiling_jit.Packed.of([p.form.text for p in parents], [p.weights for p in parents], MIN_TILE)
    m = tiling_jit.measure_pairs(packed_children, packed_parents, pc.ravel(), pp.ravel())
    shared = 0
    for q, (ci, pi) in enumerate(zip(pc.ravel().tolist(), pp.ravel().tolist())):
        f = pair_features(children[ci], parents[pi], termset)
        assert m.tiles_of(q) == f.tiles
        assert m.child_sum[q] == f.mass and m.best[q] == f.best
        assert m.tiled[q] == sum(k for *_, k in f.tiles)
        assert m.parent_sum[q] / parents[pi].total == f.pc  # (pc is stored divided by the parent's total)
        shared += bool(f.tiles)
    assert shared > 100


def _neumaier(xs: list[float]) -> float:
    """CPython 3.12's sum() of floats (Objects/bltinmodule.c), written out."""
    total, c = xs[0], 0.0
    for x in xs[1:]:
        t = total + x
        c += (total - t) + x if abs(total) >= abs(x) else (x - t) + total
        total = t
    return total + c if c and math.isfinite(c) else total


def _plain(xs: list[float]) -> float:
    total = xs[0]
    for x in xs[1:]:
        total += x
    return total


def test_sums_are_pythons_sum():
    rng = random.Random(7)
    for _ in range(500):
        xs = [rng.choice([0.05, 1.0, 1e-9, 1e9]) * rng.random() for _ in range(rng.randint(1, 30))]
        w = np.array(xs)
        assert tiling_jit._sum(w, 0, len(xs), False) == _plain(xs)
        assert tiling_jit._sum(w, 0, len(xs), True) == _neumaier(xs)
        assert tiling_jit._sum(w, 0, len(xs), tiling_jit._COMPENSATED) == sum(xs)  # this Python's sum()


def test_too_long_a_form_is_refused():
    with pytest.raises(ValueError, match="characters"):
        tiling_jit.Packed.of(["甲" * tiling_jit.MAX_FORM], [[1.0] * tiling_jit.MAX_FORM], MIN_TILE)
