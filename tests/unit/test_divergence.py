"""Divergences a reader accepts: re-brands need evidence and are never a
region swap; the phrase table keeps whole names; short forms are found;
absolute totals are compared only between plans of one region."""
import dataclasses

from align.reading.document import document_from_text
from align.decisions.match import Settings
from align.retrieval.model import CorpusModel
from align.decisions.phrases import find_phrase, is_region_swap, short_forms, word_ngrams
from align.decisions.result import build_alignment
from compare.divergence import changed_targets, rebrands
from compare.lineage import phrase_table, trace


def _align(parent_text, child_text):
    p = document_from_text(parent_text, "p", title="甲省规划", level="province")
    c = document_from_text(child_text, "c", title="乙市规划", level="city")
    return p, c, build_alignment(p, c, Settings(), CorpusModel(p.alignable() + c.alignable()))


def test_region_swap_is_never_a_rebrand_but_a_changed_brand_with_evidence_is():
    parent = ("一、数字政府\n\n全面建成“掌上办事之省”，深化政务服务改革。\n\n"
              "二、文化\n\n实施“海岛文化名城”建设工程，打造海岛文化名城特色街区。")
    child = ("一、数字政府\n\n全面建成“掌上办事之市”，深化政务服务改革。\n\n"
             "二、文化\n\n打响“海岛文化名镇”品牌，彰显海岛文化名城的历史底蕴。")
    _, _, a = _align(parent, child)
    rb = rebrands(a)
    assert "掌上办事之市" not in set(rb.child_phrase)
    assert is_region_swap("掌上办事之省", "掌上办事之市") and not is_region_swap("未来城市", "未来城区")
    row = rb[rb.child_phrase == "海岛文化名镇"]
    assert list(row.parent_phrase) == ["海岛文化名城"] and row.evidence.iloc[0] in ("aligned pair", "same context")


def test_sharing_characters_is_not_evidence_of_a_variant():
    parent = "一、区域\n\n唱好甲市、乙市“双城记”，提升中心城市能级。"
    child = "一、格局\n\n融入新发展格局，建设“双循环”节点城市。"
    p, c, a = _align(parent, child)
    assert "双循环" not in set(rebrands(a).child_phrase)
    rows = trace("双城记", [p, c])
    assert set(rows.match) == {"exact"}


def test_phrase_table_keeps_whole_words_only():
    assert "的方向和" not in word_ngrams("明确发展的方向和重点任务")
    assert all(not g.startswith(("的", "和")) and not g.endswith(("的", "和")) for g in word_ngrams("明确发展的方向和重点任务"))
    assert "业转移人口" not in word_ngrams("推动农业转移人口市民化")


def test_short_forms_and_longer_forms_are_found_by_components():
    assert short_forms("人地钱挂钩") == ["人地挂钩", "人钱挂钩", "地钱挂钩"]
    assert short_forms("城市有机更新") == []  # not an enumeration
    found = find_phrase("人地钱挂钩", "深化“人地挂钩”政策，完善“人钱挂钩”机制", forms=True)
    assert [(m.text, m.kind) for m in found] == [("人地挂钩", "short form"), ("人钱挂钩", "short form")]
    found = find_phrase("人地挂钩", "完善“人地钱挂钩”激励性配套政策", forms=True)
    assert [(m.text, m.kind) for m in found] == [("人地钱挂钩", "longer form")]


def test_phrase_table_reports_other_forms_and_region_swaps_as_carried_forms():
    parent = ("一、市民化\n\n完善“人地钱挂钩”激励性配套政策，推进农业转移人口市民化。\n\n"
              "健全“人地钱挂钩”考核评价机制，落实农业转移人口市民化奖励。\n\n二、数字政府\n\n全面建成“掌上办事之省”。")
    child = "一、市民化\n\n深化“人地挂钩”政策，推进农业转移人口市民化。\n\n二、数字政府\n\n全面建成“掌上办事之市”。"
    p, c, a = _align(parent, child)

    class Phrase:
        def __init__(self, text):
            self.text, self.kind, self.weight, self.count = text, "programme", 1.0, 1
            self.unit_ids = tuple(u.unit_id for u in p.alignable() if text in u.text)

    df = phrase_table(p, [Phrase("人地钱挂钩"), Phrase("掌上办事之省")], [c], {"c": a})
    got = dict(zip(df.phrase, zip(df.status, df.child_form)))
    assert got["人地钱挂钩"] == ("other form", "人地挂钩")
    assert got["掌上办事之省"] == ("carried", "掌上办事之市")


def test_totals_compare_only_within_one_region_rates_across_levels():
    parent = "一、目标\n\n到2025年，新增城镇就业120万人，常住人口城镇化率达到75%。"
    child = "一、目标\n\n到2025年，新增城镇就业12万人，常住人口城镇化率达到70%。"
    _, _, a = _align(parent, child)
    different = changed_targets(dataclasses.replace(a, parent_region="甲省", child_region="乙市"))
    assert list(different.indicator) == ["常住人口城镇化率"] and list(different.direction) == ["lowered"]
    assert list(different.kind) == ["target"] and list(different.year) == ["2025"]
    same = changed_targets(dataclasses.replace(a, parent_region="乙市", child_region="乙市"))
    assert set(same.indicator) == {"常住人口城镇化率", "新增城镇就业"}
