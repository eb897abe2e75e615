"""The comparison layer on the bundled corpora: scores, divergences, lineage,
chains, section maps, exports and the cache."""
from __future__ import annotations

import pandas as pd
import pytest

from compare import divergence
from compare.hierarchy import chains
from compare.lineage import trace
from compare.score import pair_scores
from compare.workspace import Workspace

ZJ, TZ, DAILY, LH, LQ = ("zhejiang-urbanization-14fyp", "taizhou-urbanization-14fyp",
                         "taizhou-daily-2021-02-10-gov-report", "linhai-14fyp-outline", "luqiao-14fyp-outline")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    w = Workspace.open(use_cache=True, cache_dir=tmp_path_factory.mktemp("cache"))
    return w


@pytest.fixture(scope="module")
def scores(ws):
    return {(x.parent, x.child): pair_scores(ws.alignment(x.parent, x.child)) for x in ws.pairs()}


def test_hierarchy_pairs_include_every_ancestor(ws):
    pairs = [(x.parent, x.child) for x in ws.pairs()]
    assert (ZJ, TZ) in pairs and (TZ, LH) in pairs and (ZJ, LH) in pairs and (DAILY, LQ) in pairs
    assert len(pairs) == len(set(pairs)) == 9


def test_taizhou_echoes_zhejiang_most(scores):
    top = max((r for r in scores.values() if r["parent_doc"] == ZJ or r["child_doc"] == ZJ), key=lambda r: r["echo"])
    assert (top["parent_doc"], top["child_doc"]) == (ZJ, TZ)
    assert scores[(ZJ, TZ)]["echo"] >= 3 * scores[(ZJ, LQ)]["echo"]
    for r in scores.values():
        assert 0 <= r["echo"] <= 1 and 0 <= r["coverage"] <= 1


def test_renqian_clause_of_taizhou_links_to_zhejiangs(ws):
    a = ws.alignment(ZJ, TZ)
    links = [l for l in a.links if "人地钱挂钩" in l.child.text and l.parent is not None]
    assert links and all("人地钱挂钩" in l.parent.text for l in links)


def test_qiannian_gucheng_fuxing_traced_province_to_county(ws):
    t = trace("千年古城复兴", ws.documents())
    exact = t[t.match == "exact"]
    assert {ZJ, TZ, LH} <= set(exact.doc)
    assert list(dict.fromkeys(exact.level)) == ["province", "city", "county"]


def test_rebranding_of_qiannian_gucheng_is_found(ws):
    rb = divergence.rebrands(ws.alignment(ZJ, LH))
    row = rb[(rb.parent_phrase == "千年古城") & (rb.child_phrase == "千年府城")]
    assert len(row) == 1
    assert "千年府城" in row.child_example.iloc[0]


def test_changed_targets_report_the_urbanisation_rate(ws):
    ch = divergence.changed_targets(ws.alignment(ZJ, TZ))
    r = ch[ch.indicator.str.contains("城镇化率") & (ch.parent_value == 75.0)]
    assert r.child_value.tolist() == [65.0] and r.direction.tolist() == ["lowered"] and r.unit.tolist() == ["%"]


def test_dropped_and_local_additions_partition_the_body(ws, scores):
    a = ws.alignment(ZJ, TZ)
    d, l = divergence.dropped(a), divergence.local_additions(a)
    assert len(d) == scores[(ZJ, TZ)]["dropped"] and len(l) == scores[(ZJ, TZ)]["local"]
    assert d.parent_chapter.str.match(r"^[一二三四五六七八九十]+、|\(前言\)").all()


def test_chains_run_from_province_through_city_to_county(ws):
    df = chains(ws.alignment(ZJ, TZ), ws.alignment(TZ, LH), ws.alignment(ZJ, LH))
    assert set(df.status) <= {"carried through", "stops at parent", "skips parent", "dropped"}
    through = df[df.status == "carried through"]
    assert not through.empty
    assert (through.parent_id != "").all() and (through.child_id != "").all()


def test_cache_reuses_results_and_no_cache_recomputes(tmp_path, monkeypatch):
    import align.decisions.result

    first = Workspace.open(use_cache=True, cache_dir=tmp_path)
    a1 = first.alignment(TZ, LH)
    calls = []
    real = align.decisions.result.build_alignment
    monkeypatch.setattr(align.decisions.result, "build_alignment", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = Workspace.open(use_cache=True, cache_dir=tmp_path)
    a2 = again.alignment(TZ, LH)
    assert calls == [] and [l.relation for l in a2.links] == [l.relation for l in a1.links]
    fresh = Workspace.open(use_cache=False, cache_dir=tmp_path)
    fresh.alignment(TZ, LH)
    assert calls == [1]


def test_same_input_same_alignment_whatever_the_hash_seed(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED: nothing in the table
    (links, relations, scores, evidence, anchor terms) may depend on it."""
    import os
    import subprocess
    import sys

    tables = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.csv"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run([sys.executable, "-m", "compare.cli", "align", "--parent", "zhejiang-urbanization-14fyp",
                            "--child", "taizhou-urbanization-14fyp", "--no-cache", "-o", str(out)],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
        tables.append(out.read_bytes())
    assert tables[0] == tables[1]


def test_changed_targets_compare_like_with_like_on_the_bundled_plans(ws):
    rows = pd.concat([divergence.changed_targets(ws.alignment(x.parent, x.child)) for x in ws.pairs()])
    assert len(rows) >= 2
    assert not rows.indicator.str.contains("年份").any() and (rows.indicator.str.len() >= 2).all()
    regions = {e.id: e.region for e in ws.manifest.documents}
    totals = rows[rows.scope == "total"]
    assert all(regions[r.parent_doc] == regions[r.child_doc] for r in totals.itertuples())
    # Luqiao (a district) against the Taizhou city report: no city total is "lowered" to a district's
    assert rows[(rows.child_doc == LQ) & (rows.parent_doc == DAILY) & (rows.scope == "total")].empty
    # a year given on both sides is the same year
    assert all("/" not in y for y in rows.year)


def test_self_citations_are_not_echo_on_the_bundled_plans(ws):
    from compare.score import counted
    from compare.sectionmap import section_map

    a = ws.alignment(DAILY, LQ)
    c = counted(a)
    cited = [u for u in a.child_units if u.unit_id in c.child_preamble]
    assert any(u.text.startswith("台州市路桥区国民经济和社会发展第十四个五年规划") for u in cited)
    assert not set(c.child_preamble) & {u.unit_id for u in c.child}
    assert section_map(a).max().max() < 0.5  # the self-citation made a 70 % cell


def test_rebrands_carry_evidence_and_no_region_swap(ws):
    from align.decisions.phrases import is_region_swap

    for x in ws.pairs():
        rb = divergence.rebrands(ws.alignment(x.parent, x.child))
        assert set(rb.evidence) <= {"aligned pair", "same context"}
        assert not any(is_region_swap(r.parent_phrase, r.child_phrase) for r in rb.itertuples())


def test_trace_finds_the_short_forms_of_an_enumerating_name(ws):
    t = trace("人地钱挂钩", ws.documents())
    assert {"人地挂钩", "人钱挂钩"} <= set(t[t.match == "short form"].matched)
    assert "variant" not in set(trace("双城记", ws.documents()).match)


def test_phrase_ngrams_are_whole_words(ws):
    from align.decisions.phrases import _HAN_RUN, word_ngrams

    for doc in (ZJ, TZ, DAILY):
        for ph in ws.phrases(doc):
            if ph.kind == "ngram":
                units = [u for u in ws.document(doc).alignable() if u.unit_id in ph.unit_ids]
                assert any(ph.text in word_ngrams(run) for u in units for run in _HAN_RUN.findall(u.key)), ph.text
