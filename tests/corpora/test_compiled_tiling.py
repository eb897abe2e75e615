"""Alignments tiled by the compiled kernel give the links tiling in Python gives."""
from __future__ import annotations

import dataclasses
import sys

import pytest

from align import match
from align.match import Aligner, Settings
from align.model import CorpusModel


def _links(parent, child, model, **kw):
    return Aligner(Settings(), model=model, **kw).fit(parent).align_links(child)


@pytest.mark.parametrize("parent_id, child_id", [
    ("zhejiang-urbanization-14fyp", "taizhou-urbanization-14fyp"),
    ("taizhou-urbanization-14fyp", "linhai-14fyp-outline"),
])
def test_compiled_links_are_the_python_links(docs, monkeypatch, parent_id, child_id):
    parent, child = docs[parent_id], docs[child_id]
    model = CorpusModel(parent.alignable() + child.alignable(), regions=("浙江", "台州", "临海"))
    assert len(child.alignable()) < match.COMPILED_FROM  # the default for a plan pair: Python
    python = _links(parent, child, model, jobs=1)
    monkeypatch.setattr(match, "COMPILED_FROM", 0)
    used = []
    real = Aligner._features_compiled
    monkeypatch.setattr(Aligner, "_features_compiled", lambda *a: used.append(1) or real(*a))
    compiled = _links(parent, child, model, jobs=1)
    assert used
    assert sum(l.relation != "local" for l in python) > 50
    assert compiled == python  # every field: relation, score, coverages, anchor, evidence


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked alignment is Linux-only")
def test_compiled_and_forked(docs, monkeypatch):
    parent, child = docs["zhejiang-urbanization-14fyp"], docs["taizhou-urbanization-14fyp"]
    model = CorpusModel(parent.alignable() + child.alignable(), regions=("浙江", "台州"))
    python = _links(parent, child, model, jobs=1)
    monkeypatch.setattr(match, "COMPILED_FROM", 0)
    monkeypatch.setattr(match, "PARALLEL_FROM", 60)
    assert _links(parent, child, model, jobs=2) == python


def test_a_unit_too_long_for_the_kernel_is_tiled_in_python(docs, monkeypatch):
    from align.tiling_jit import MAX_FORM

    parent, child = docs["zhejiang-urbanization-14fyp"], docs["taizhou-urbanization-14fyp"]
    model = CorpusModel(parent.alignable() + child.alignable(), regions=("浙江", "台州"))
    monkeypatch.setattr(match, "COMPILED_FROM", 0)
    parents = model.prepared(parent.alignable())
    units = child.alignable()
    assert Aligner._compiled(units, parents)
    long = dataclasses.replace(units[0], key="甲" * MAX_FORM)
    assert not Aligner._compiled([long] + units[1:], parents)


def test_without_numba_the_links_are_tiled_in_python(docs, monkeypatch, caplog):
    parent, child = docs["zhejiang-urbanization-14fyp"], docs["taizhou-urbanization-14fyp"]
    model = CorpusModel(parent.alignable() + child.alignable(), regions=("浙江", "台州"))
    python = _links(parent, child, model, jobs=1)
    monkeypatch.setattr(match, "COMPILED_FROM", 0)
    monkeypatch.setitem(sys.modules, "align.tiling_jit", None)  # import fails, as without numba
    with caplog.at_level("WARNING", logger="align.match"):
        assert _links(parent, child, model, jobs=1) == python
    assert "compiled tiling unavailable" in caplog.text


def test_pairs_left_out_could_pass_no_test(docs, monkeypatch):
    """``_may_pass`` holds wherever ``_textual`` (either way) or ``_partial`` does, for pairs without an anchor."""
    import numpy as np

    parent, child = docs["zhejiang-urbanization-14fyp"], docs["taizhou-urbanization-14fyp"]
    model = CorpusModel(parent.alignable() + child.alignable(), regions=("浙江", "台州"))
    got = []
    real = Aligner._decide_all
    monkeypatch.setattr(Aligner, "_decide_all",
                        lambda self, ch, feats, m: got.append((self, feats)) or real(self, ch, feats, m))
    _links(parent, child, model, jobs=1)  # in Python: every pair over the mass bound measured
    aligner, all_feats = got[0]
    feats = [f for fs in all_feats for _, f in fs if f.anchor < aligner.settings.anchor_weight]
    may = aligner._may_pass(*(np.array(x) for x in zip(*[(f.mass, f.cc, f.pc, f.best, sum(k for *_, k in f.tiles))
                                                         for f in feats])))
    passes = [aligner._textual(f) or aligner._textual(f, True) or aligner._partial(f) for f in feats]
    assert sum(passes) > 100 and not all(may)  # real pairs, and some are left out
    assert all(m for m, p in zip(may.tolist(), passes) if p)

