"""The HTML report lists dropped and local groups in document order, marks
self-citations, and the section map has one fixed labelled scale."""
import re

from align.reading.document import document_from_text
from align.decisions.match import Settings
from align.retrieval.model import CorpusModel
from align.decisions.result import build_alignment
from compare.report import render_report
from compare.sectionmap import _wrap, section_map

PARENT = ("一、总体要求\n\n坚持陆海统筹，推动港产城融合发展。\n\n二、空间布局\n\n构建一核两翼的滨海发展带。\n\n"
          "三、产业体系\n\n培育海洋生物医药产业集群。\n\n四、公共服务\n\n建设海岛流动医疗服务站。")
CHILD = ("一、总体要求\n\n坚持陆海统筹，推动港产城融合发展。\n\n二、城市品质\n\n发展夜间经济，打造美食街区。\n\n"
         "三、乡村振兴\n\n建设共富工坊。")


def _alignment():
    p, c = document_from_text(PARENT, "p", title="甲规划"), document_from_text(CHILD, "c", title="乙规划")
    return p, c, build_alignment(p, c, Settings(), CorpusModel(p.alignable() + c.alignable()))


def test_dropped_and_local_groups_follow_the_document_not_code_points():
    p, c, a = _alignment()
    html = render_report(a, p, c, b"png")
    dropped = html[html.index("Dropped from the parent"):html.index("Local additions")]
    found = re.findall(r"<summary>(.+?) \(\d+\)</summary>", dropped)
    assert found == ["二、空间布局", "三、产业体系", "四、公共服务"]  # code-point order would put 三 before 二
    added = re.findall(r"<summary>(.+?) \(\d+\)</summary>", html[html.index("Local additions"):])
    assert added == ["二、城市品质", "三、乡村振兴"]


def test_chapter_names_are_wrapped_whole_and_headings_give_one_chapter():
    title = "以数字化改革为牵引全面提升城市治理体系和治理能力现代化水平"
    assert _wrap(title, 10).replace("\n", "") == title and "…" not in _wrap(title, 10)
    # a heading written with a closing stop labels its section without it: one chapter, not two
    p = document_from_text("一、发展基础。\n\n全市生产总值跃上新台阶。\n\n二、目标任务。\n\n推进城市有机更新。", "p")
    c = document_from_text("一、目标任务\n\n推进城市有机更新。", "c")
    a = build_alignment(p, c, Settings(), CorpusModel(p.alignable() + c.alignable()))
    assert list(section_map(a).index) == ["一、发展基础", "二、目标任务"]
