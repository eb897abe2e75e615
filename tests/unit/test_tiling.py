"""Greedy string tiling (align.retrieval.tiling): the shared substrings a pair is measured by.

Checked on small texts and on random strings over a small alphabet (many
repeats and overlaps): every tile is a common substring of ``min_len``+
characters, tiles never overlap on either side, the first is a longest
common substring, and no shared run of ``min_len`` characters is left untiled on both
sides.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from align.retrieval import tiling


def test_one_pair():
    inverted = ("不断完善基础设施和公共服务", "基础设施和公共服务不断完善")
    assert tiling.tiles(*inverted) == [(4, 0, 9), (0, 9, 4)]  # order is free: inverted clauses match
    assert tiling.tiles("推进建设", "加快发展") == []
    assert tiling.tiles("ab", "abc") == []
    assert tiling.tiles("甲乙丙甲乙丙甲乙丙", "甲乙丙丁甲乙丙") == [(0, 0, 3), (3, 4, 3)]
    assert tiling.tiles("", "") == []


def test_a_reused_gram_index_gives_the_same_tiles():
    b = "加快推进基础设施建设，完善公共服务"
    index = tiling.gram_index(b)
    for a in ("推进基础设施建设", "完善公共服务和基础设施", "无关的文字"):
        assert tiling.tiles(a, b, b_index=index) == tiling.tiles(a, b)


@settings(max_examples=300, deadline=None)
@given(st.text("甲乙丙丁", max_size=40), st.text("甲乙丙丁", max_size=40), st.integers(1, 5))
def test_tiles_are_disjoint_common_substrings_the_longest_first(a, b, min_len):
    found = tiling.tiles(a, b, min_len)
    used_a, used_b = set(), set()
    for i, j, k in found:
        assert k >= min_len and a[i : i + k] == b[j : j + k]
        span_a, span_b = set(range(i, i + k)), set(range(j, j + k))
        assert not (span_a & used_a) and not (span_b & used_b)
        used_a |= span_a
        used_b |= span_b
    longest = max((k for k in range(1, len(a) + 1) for i in range(len(a) - k + 1) if a[i : i + k] in b), default=0)
    if longest >= min_len:  # the first tile taken is a longest common substring
        assert found and found[0][2] == longest
    else:
        assert found == []
    for i in range(len(a) - min_len + 1):  # greedy to the end: no shared run left free on both sides
        for j in range(len(b) - min_len + 1):
            if a[i : i + min_len] == b[j : j + min_len]:
                assert set(range(i, i + min_len)) & used_a or set(range(j, j + min_len)) & used_b
