"""The aligner on small texts: relations, links, evidence, edge cases."""
from __future__ import annotations

import pytest

from align.reading.document import document_from_text
from align.decisions.match import Aligner, Settings, align_documents, parent_status
from align.reading.numbers import number_changes, quantities
from align.retrieval.tiling import tiles
from align.retrieval.weights import Weights

PARENT = "\n\n".join([
    "四、高质量推动农业转移人口全面融入城市",
    "（一）持续深化户籍制度改革",
    "全面深化户籍制度改革，我省推动常住人口全面享有城市基本公共服务，提高落户便利度。",
    "（二）推进千年古城复兴",
    "加快实施千年古城复兴计划，开展全省千年古城复兴试点创建，分批开展30个左右试点。",
    "到2025年，全省常住人口城镇化率达到75%，城乡居民收入比缩小到1.90:1左右。",
    "坚持以习近平新时代中国特色社会主义思想为指导，推动高质量发展。",
    "建立城乡统一的户口登记制度，实行按居住地登记户口的迁移制度。",
    "新型居住证制度实现全省覆盖，建立与居住证挂钩的基本公共服务提供机制。",
])
CHILD = "\n\n".join([
    "四、高质量推动农业转移人口全面融入城市",
    "全面深化户籍制度改革，我市推动常住人口全面享有城市基本公共服务，提高落户便利度。",
    "保护台州府城历史文化，全力实施“千年古城复兴”，推进紫阳街等历史街区改造，疏解非保护功能。",
    "到2025年，全市常住人口城镇化率达到65%左右，城乡居民收入比缩小到1.85:1左右。",
    "坚持以习近平新时代中国特色社会主义思想为指导，推动高质量发展，建设港口城市。",
    "城乡统一的户口登记制度建立健全，实行按居住地登记户口的迁移制度，新型居住证制度实现全市覆盖，建立与居住证挂钩的基本公共服务提供机制。",
    "大力发展夜间经济，打造紫阳街夜市和灵湖夜游品牌。",
])


@pytest.fixture(scope="module")
def table():
    parent = document_from_text(PARENT, "parent", title="省规划")
    child = document_from_text(CHILD, "child", title="市规划")
    return align_documents(parent, child)


def row(table, start):
    return table[table.child_text.str.startswith(start)]


def test_near_identical_wording_with_self_reference_changed_is_verbatim(table):
    r = row(table, "全面深化户籍制度改革")
    assert r.relation.tolist() == ["verbatim"] and r.parent_text.iloc[0].startswith("全面深化户籍制度改革")
    assert row(table, "四、高质量").relation.tolist() == ["verbatim"]


def test_a_quoted_programme_name_with_local_content_is_partial(table):
    r = row(table, "保护台州府城")
    assert r.relation.tolist() == ["partial"]
    assert "千年古城复兴" in r.parent_text.iloc[0] and "千年古城复兴" in r.shared_phrases.iloc[0]


def test_generic_boilerplate_alone_makes_no_link(table):
    assert row(table, "坚持以习近平").relation.tolist() == ["local"]
    assert row(table, "大力发展夜间经济").relation.tolist() == ["local"]
    assert row(table, "大力发展夜间经济").parent_id.iloc[0] == ""


def test_a_child_sentence_merging_two_parent_sentences_links_to_both(table):
    r = row(table, "城乡统一的户口登记制度")
    assert len(r) == 2
    assert {t[:6] for t in r.parent_text} == {"建立城乡统一", "新型居住证制"}


def test_changed_target_is_reported(table):
    r = row(table, "到2025年")
    assert r.relation.iloc[0] in ("verbatim", "adapted")
    assert "75% → 65%" in r.numbers_changed.iloc[0] and "lowered" in r.numbers_changed.iloc[0]


def test_every_child_unit_appears_and_columns_are_stable(table):
    child = document_from_text(CHILD, "child")
    assert set(table.child_id) == {u.unit_id for u in child.alignable()}
    assert list(table.columns[:12]) == ["child_doc", "child_id", "child_section", "child_text", "parent_doc", "parent_id",
                                        "parent_section", "parent_text", "relation", "score", "shared_phrases",
                                        "numbers_changed"]
    assert table.score.between(0, 1).all()


def test_evidence_positions_point_into_both_texts():
    parent = document_from_text(PARENT, "parent")
    child = document_from_text(CHILD, "child")
    links = Aligner().fit(parent).align_links(child)
    for link in links:
        if link.evidence is None or link.parent is None:
            continue
        for ph in link.evidence.phrases:
            assert link.child.text[ph.child_start:ph.child_end] == ph.text
            from align.retrieval.lexicon import strip_punct
            from align.textnorm import matching_key
            assert strip_punct(matching_key(link.parent.text[ph.parent_start:ph.parent_end])).replace("我省", "") != ""
        for op in link.evidence.diff:
            assert link.parent.text[op.parent_start:op.parent_end] == op.parent_text
            assert link.child.text[op.child_start:op.child_end] == op.child_text


def test_parent_units_are_carried_or_dropped():
    parent = document_from_text(PARENT, "parent")
    child = document_from_text(CHILD, "child")
    links = Aligner().fit(parent).align_links(child)
    status = {p.text[:6]: s for p, s, _ in parent_status(parent.alignable(), links)}
    assert status["全面深化户籍"] == "carried" and status["坚持以习近平"] == "dropped"


def test_self_alignment_is_all_verbatim():
    doc = document_from_text(PARENT, "same")
    t = align_documents(doc, doc)
    assert (t.relation == "verbatim").all() and (t.score == 1.0).all() and len(t) == len(doc.alignable())


def test_empty_parent_or_child():
    doc = document_from_text(PARENT, "p")
    assert Aligner().fit([]).align_links(doc) and all(l.relation == "local" for l in Aligner().fit([]).align_links(doc))
    assert align_documents(doc, []).empty


def test_clause_units_and_unfitted_aligner():
    parent = document_from_text(PARENT, "parent")
    child = document_from_text(CHILD, "child")
    t = align_documents(parent, child, Settings(unit="clause"))
    assert t.child_id.str.contains(r"\.c\d").any()
    with pytest.raises(Exception, match="fitted"):
        Aligner().align_links(child)


def test_tiles_find_inverted_clauses():
    assert sorted(tiles("不断完善基础设施和公共服务", "基础设施和公共服务不断完善")) == [(0, 9, 4), (4, 0, 9)]
    assert tiles("推进建设", "加快发展") == []


def test_generic_phrases_weigh_least():
    w = Weights(["推动高质量发展", "坚持高质量发展", "实施千年古城复兴计划"], generic=["高质量发展"])
    assert max(w.char_weights("高质量发展")) < min(w.char_weights("千年古城"))


def test_numbers_units_and_changes():
    q = quantities("新增就业19.7万人，城乡居民收入比缩小到1.90:1，到二〇三五年")
    assert [(x.value, x.unit) for x in q] == [(197000.0, "人"), (1.9, ":1")]  # a year is never a quantity
    ch = number_changes("城乡居民收入比缩小到1.85:1", "城乡居民收入比缩小到1.90∶1左右")
    assert [(c.parent_value, c.child_value, c.direction) for c in ch] == [(1.9, 1.85, "lowered")]
    assert number_changes("建成100个未来社区", "完成投资3万亿元") == []


def test_links_survive_pickling_whole():
    """Forked workers send evidence back pickled (records pickle as their fields)."""
    import pickle

    parent = document_from_text(PARENT, "parent")
    child = document_from_text(CHILD, "child")
    links = Aligner().fit(parent).align_links(child)
    again = pickle.loads(pickle.dumps(links, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == links
    numbers = [n for l in again if l.evidence for n in l.evidence.numbers]
    assert numbers and all(type(n).__name__ == "NumberChange" for n in numbers)
    assert any(p.programme for l in again if l.evidence for p in l.evidence.phrases)


def test_look_alike_characters_of_pdf_extraction_and_invisible_marks_do_not_hide_a_restatement():
    """A Kangxi radical (⼀ for 一, as PDF extraction leaves it) is folded for matching and a zero-width
    space inside a word is cleaned away like a space (a recorded removal): the child restates the parent
    word for word; the text shown is the child's own, the Kangxi radical kept."""
    from align.decisions.phrases import find_phrase

    parent = document_from_text("加快长三角一体化发展，推动乡村振兴战略全面落地见效。", "parent", title="省规划")
    child_text = "加快长三角⼀体化发展，推动乡村\u200b振兴战略全面落地见效。"
    child = document_from_text(child_text, "child", title="市规划")
    t = align_documents(parent, child)
    assert t.relation.tolist() == ["verbatim"] and t.child_text.tolist() == [child_text.replace("\u200b", "")]
    assert [r.reason for r in child.cleaned.removals if child_text[r.start : r.end] == "\u200b"] == ["space"]
    found = find_phrase("乡村振兴", child_text, variants=False)
    assert [(m.text, m.exact) for m in found] == [("乡村\u200b振兴", True)]
