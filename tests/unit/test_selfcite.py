"""A plan's sentences that name itself or the documents it is drawn up from are
preamble: flagged in the tables, never counted as echo or coverage."""
from align.reading.document import document_from_text
from align.decisions.match import Settings
from align.retrieval.model import CorpusModel
from align.decisions.result import build_alignment
from compare.divergence import dropped, local_additions
from compare.score import counted, pair_scores
from compare.sectionmap import section_map
from compare.selfcite import alignment_table, is_self_citation, preamble_ids

PARENT = ("根据《甲省国民经济和社会发展第十四个五年规划纲要》，编制甲省海岛振兴五年规划。\n\n"
          "一、目标\n\n全面实施渔港经济区提质计划，建设一批渔旅融合示范村。\n\n推进海岛公路环线贯通，改造提升客运码头。")
CHILD = ("根据《甲省海岛振兴五年规划》和《乙市国民经济和社会发展第十四个五年规划纲要》，编制乙市海岛振兴五年规划。\n\n"
         "一、目标\n\n全面实施渔港经济区提质计划，建设一批渔旅融合示范村。\n\n发展夜间经济，打造海鲜美食街区。")


def _alignment():
    p = document_from_text(PARENT, "p", title="甲省海岛振兴五年规划")
    c = document_from_text(CHILD, "c", title="乙市海岛振兴五年规划")
    return build_alignment(p, c, Settings(), CorpusModel(p.alignable() + c.alignable()))


def test_citation_sentences_are_recognised_and_ordinary_citations_are_not():
    assert is_self_citation("为深入贯彻落实《某某发展规划》等文件精神，结合本省实际，制定本行动计划。")
    assert is_self_citation("经区政府同意，现将《丙区养老服务发展规划》印发给你们。", ["丙区养老服务发展规划"])
    assert not is_self_citation("组织编制《智慧港口建设指南》等地方标准。")
    assert not is_self_citation("按照《民用建筑设计标准》要求，推进规范化建设。")


def test_a_plan_naming_itself_is_found_from_its_title_without_a_bracketed_note():
    d = document_from_text("《丁县乡村振兴规划（草案）》提请大会审议。\n\n一、任务\n\n建设美丽乡村。", "d")
    ids = preamble_ids(d.alignable(), "丁县乡村振兴规划（征求意见稿）")
    assert [u.text for u in d.alignable() if u.unit_id in ids] == ["《丁县乡村振兴规划（草案）》提请大会审议。"]


def test_self_citations_are_flagged_and_never_counted_as_echo():
    a = _alignment()
    c = counted(a)
    (cpre,), (ppre,) = c.child_preamble, c.parent_preamble
    assert cpre not in {u.unit_id for u in c.child} and ppre not in {p.unit_id for p, _, _ in c.parent}
    # the two preambles resemble each other: whatever the engine links, it is not echo
    scores = pair_scores(a)
    body = [u for u in a.child_units if u.kind == "body" and u.unit_id != cpre]
    echoed = sum(len(u.text) for u in body if c.relation(u.unit_id) == "verbatim")
    assert scores["echo"] == round(echoed / sum(len(u.text) for u in body), 4)
    assert scores["verbatim"] + scores["adapted"] + scores["partial"] + scores["local"] == len(body)
    table = alignment_table(a)
    assert set(table.loc[table.child_id == cpre, "self_citation"]) <= {"child", "both"}
    assert cpre not in set(local_additions(a).child_id) and ppre not in set(dropped(a).parent_id)
    assert abs(section_map(a).sum().sum() - scores["echo"]) < 1e-3
