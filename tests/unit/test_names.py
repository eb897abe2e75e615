"""Unquoted programme names (align/retrieval/names.py): small texts written here.

The two plans below are short, so a name has few uses to show: the tests set
``name_score`` to 9 bits (the default, 14, is for plans of real length; the
corpus check is in tests/corpora/test_names_corpora.py).
"""
from __future__ import annotations

from dataclasses import replace

from align.decisions.match import Settings, align_documents
from align.reading.document import document_from_text
from align.retrieval.model import pair_model
from align.retrieval.names import name_score, national_together, noun_phrase

# 活力社区 is coined here: 活力 and 社区 are the centre's words, which it relates in one sentence.
# 城市功能 is an ordinary compound (the centre relates 城市 and 功能 in a dozen sentences);
# 数字乡村 is national vocabulary (the centre says it).  Each is repeated alike by both plans.
PARENT = """一、总体要求

全面推进活力社区建设，完善社区服务设施。
打造一批活力社区示范点，推动老旧小区改造提升。
按照活力社区标准，统筹布局托育和养老服务。
完善城市功能布局，提升城市功能品质。
强化城市功能配套，优化中心区公共空间。
加快数字乡村建设，推动农村电商发展。
推进数字乡村试点，完善农村信息基础设施。
建立健全河湖长制，加强水环境治理。
深化户籍制度改革，推动农业转移人口市民化。
加强耕地保护，严守永久基本农田。
"""
CHILD = """一、主要任务

聚焦活力社区，新建社区食堂三家。
建成东门活力社区，配套老年学堂。
探索活力社区运营机制，引入专业物业。
完善城市功能，新建滨江公园。
提升城市功能，改造南门菜场。
推进数字乡村，建设村级快递网点。
发展数字乡村，推广智慧农机。
新建停车位五百个，缓解停车难。
"""
SMALL = replace(Settings(), name_score=9.0)


def _docs():
    return document_from_text(PARENT, "p", level="province"), document_from_text(CHILD, "c", level="county")


def test_the_score_rises_with_repetition_and_falls_with_national_use_and_relatedness():
    base = name_score(3, 3, 200, 0, 0, 0.1)
    assert name_score(3, 6, 200, 0, 0, 0.1) > base  # the child repeats it more
    assert name_score(3, 3, 200, 12, 0, 0.1) < base  # the centre relates its words
    assert name_score(3, 3, 200, 0, 1, 0.1) < base  # the centre says it
    assert name_score(3, 3, 200, 0, 0, 0.5) < base  # its word is the plans' topic


def test_the_national_background_relates_ordinary_words_not_coined_ones():
    rare, together = national_together(("城市", "功能"))
    assert rare >= 50 and together >= 5
    rare, together = national_together(("活力", "社区"))
    assert rare >= 50 and together <= 1


def test_a_name_is_a_noun_phrase():
    assert noun_phrase(("未来", "社区")) and noun_phrase(("数字化", "改革"))
    assert not noun_phrase(("全面", "推动"))  # adverb + verb
    assert not noun_phrase(("打造", "一批"))  # verb + numeral


def test_a_coined_name_the_parent_repeats_is_found_and_ordinary_or_national_phrases_are_not():
    p, c = _docs()
    model = pair_model(p.alignable(), c.alignable(), settings=SMALL)
    assert set(model.names) == {"活力社区"}
    assert "活力社区" in model.terms.named
    off = pair_model(p.alignable(), c.alignable(), settings=replace(SMALL, name_score=float("inf")))
    assert off.names == {}


def test_an_unquoted_coined_name_is_carried_as_a_partial_link():
    p, c = _docs()
    table = align_documents(p, c, SMALL)
    rows = {r.child_text: r for r in table.itertuples()}
    for sentence in ("聚焦活力社区，新建社区食堂三家。", "建成东门活力社区，配套老年学堂。", "探索活力社区运营机制，引入专业物业。"):
        assert rows[sentence].relation == "partial"
        assert rows[sentence].anchor_term == "活力社区" and "活力社区" in rows[sentence].parent_text
    for sentence in ("完善城市功能，新建滨江公园。", "提升城市功能，改造南门菜场。",
                     "推进数字乡村，建设村级快递网点。", "发展数字乡村，推广智慧农机。", "新建停车位五百个，缓解停车难。"):
        assert rows[sentence].relation == "local", sentence
    # without the detector the coined name is ordinary wording, too short to link
    table = align_documents(p, c, replace(SMALL, name_score=float("inf")))
    assert set(table.relation) == {"local"}
