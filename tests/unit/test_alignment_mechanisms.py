"""The alignment mechanisms that must hold on plans nobody labelled: small texts written here."""
from __future__ import annotations

from align.retrieval.abbrev import abbreviations
from align.retrieval.background import forms, term_counts
from align.reading.document import document_from_text
from align.decisions.match import align_documents
from align.retrieval.prepare import matching_form


def _relations(parent: str, child: str) -> dict[str, tuple[str, str]]:
    p = document_from_text(parent, "p", level="province")
    c = document_from_text(child, "c", level="city")
    t = align_documents(p, c)
    return {r.child_text: (r.relation, r.parent_text) for r in t.itertuples()}


def test_the_national_background_ships_and_knows_national_vocabulary():
    assert len(forms()) > 30_000
    national, provincial = term_counts(["一带一路", "人地钱挂钩未来社区"])
    assert national >= 10 and provincial == 0


def test_a_heading_restating_a_parent_heading_links():
    parent = ("一、推进农业转移人口市民化\n\n（三）完善财政转移支付与农业转移人口市民化挂钩机制\n\n"
              "加大对吸纳外来人口较多城市的奖励力度，推动公共资源按常住人口规模配置。")
    child = ("一、推进农业转移人口市民化\n\n3.完善财政转移支付与农业转移人口市民化挂钩机制。\n\n"
             "市财政每年安排专项资金，支持各县扩大学位供给。")
    rel = _relations(parent, child)
    relation, source = rel["3.完善财政转移支付与农业转移人口市民化挂钩机制。"]
    assert relation in ("verbatim", "adapted") and "挂钩机制" in source


def test_a_short_heading_restating_a_parent_unit_links_unless_it_shares_only_the_centres_wording():
    """A short heading is below the shared mass a sentence needs; restating a parent heading or
    clause (both mostly covered, a shared phrase whose words the national background never relates)
    links it.  Sharing a phrase the centre uses (综合国力, in the government work reports) does not."""
    parent = ("一、总体要求\n\n（二）提升海鲜名城能级\n\n扩大特色餐饮供给，培育老字号。\n\n"
              "（三）综合国力稳步提升\n\n经济总量再上新台阶。")
    child = ("一、总体要求\n\n2.增强海鲜名城能级\n\n新建一批美食街区。\n\n"
             "3.综合国力不断提升\n\n人均收入较快增长。")
    rel = _relations(parent, child)
    relation, source = rel["2.增强海鲜名城能级"]
    assert relation in ("verbatim", "adapted") and source == "（二）提升海鲜名城能级"
    assert rel["3.综合国力不断提升"][0] == "local"


def test_a_heading_restates_through_any_distinctive_phrase_but_boilerplate_headings_stay_local():
    """Identical boilerplate (强化政策保障: the centre relates 强化, 政策 and 保障) stays local even over
    sentences copied from the parent; a chapter heading sharing too little weight for a textual link
    restates the parent's through a phrase the centre never words so (迈入海港城市), beside one it
    does (发展的新阶段)."""
    parent = ("二、迈入海港城市成熟稳定发展的新阶段\n\n（一）强化政策保障\n\n"
              "设立海港城市专项资金，对新建冷链物流中心给予每家不超过五百万元补助。\n\n"
              "建立渔港经济区用海审批绿色通道，优先保障远洋渔业基地建设用海。")
    child = ("一、迈入海港城市高质量发展的新阶段\n\n（一）强化政策保障\n\n"
             "设立海港城市专项资金，对新建冷链物流中心给予每家不超过三百万元补助。\n\n"
             "建立渔港经济区用海审批绿色通道，优先保障远洋渔业基地建设用海。")
    rel = _relations(parent, child)
    assert rel["（一）强化政策保障"][0] == "local"
    relation, source = rel["一、迈入海港城市高质量发展的新阶段"]
    assert relation in ("verbatim", "adapted") and source == "二、迈入海港城市成熟稳定发展的新阶段"


def test_a_national_phrase_alone_links_nothing_but_a_parents_own_programme_does():
    parent = ("一、开放合作\n\n加快建设“一带一路”重要枢纽，完善国际物流通道。\n\n"
              "全面实施“古城焕新行动”，分批开展城市更新试点。")
    child = ("一、开放合作\n\n主动融入“一带一路”，拓展本地外贸企业的海外市场。\n\n"
             "深入推进“古城焕新行动”，打造本地文化旅游名片。")
    rel = _relations(parent, child)
    assert rel["主动融入“一带一路”，拓展本地外贸企业的海外市场。"][0] == "local"
    relation, source = rel["深入推进“古城焕新行动”，打造本地文化旅游名片。"]
    assert relation == "partial" and "古城焕新行动" in source


def test_a_fragment_of_a_quoted_name_is_not_the_name():
    rel = _relations("一、目标\n\n实施“五个一”工程，开展示范创建。", "一、目标\n\n推进“十五个一”工程，完善功能配套。")
    assert rel["推进“十五个一”工程，完善功能配套。"][0] == "local"


def test_shared_wording_never_spans_a_quotation_mark_or_a_clause_mark():
    assert matching_form("创新“飞地经济”模式，推进协作。").text == "创新|飞地经济|模式|推进协作"
    assert matching_form("“未来社区”建设。").text == "未来社区|建设"  # no mark at the ends


def test_abbreviations_are_learned_from_the_plans_and_count_as_the_programme():
    assert abbreviations("推动长江三角洲区域一体化发展（以下简称“长三角一体化”）。") == [
        ("长三角一体化", "长江三角洲区域一体化发展")]
    assert abbreviations("推进现代服务业制造化、先进制造业服务化“两业”融合") == [
        ("两业", "现代服务业制造化、先进制造业服务化")]
    assert abbreviations("构建自治、法治“三治”体系") == []  # three counted, two listed: not a definition
    parent = ("一、产业\n\n以现代服务业制造化、先进制造业服务化“两业”深度融合为方向，优先选择重点领域开展试点。\n\n"
              "推动城市建设。")
    child = "一、产业\n\n3.两业融合示范试点。\n\n建设一批公园。"
    relation, source = _relations(parent, child)["3.两业融合示范试点。"]
    assert relation == "partial" and "两业" in source


def test_a_pairs_result_does_not_depend_on_what_else_is_compared(tmp_path):
    """The same pair aligned alone (Python API) and inside a workspace with other plans."""
    from compare.workspace import Workspace
    from helpers import IDS

    ws = Workspace.open(None)
    a = ws.alignment(IDS[0], IDS[1])
    ws.document(IDS[3])  # another plan read into the same workspace
    b = Workspace.open(None).alignment(IDS[0], IDS[1])
    table = align_documents(ws.document(IDS[0]), ws.document(IDS[1]))
    links = [(l.child.unit_id, l.parent.unit_id if l.parent else None, l.relation, l.score) for l in a.links]
    assert links == [(l.child.unit_id, l.parent.unit_id if l.parent else None, l.relation, l.score) for l in b.links]
    assert links == [(r.child_id, r.parent_id or None, r.relation, r.score) for r in table.itertuples()]
