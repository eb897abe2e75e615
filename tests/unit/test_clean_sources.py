"""Cleaning of sources the bundled plans do not show: one test (or a few) per
kind, each on a small text written here that imitates it."""
from __future__ import annotations

from align.reading.clean import clean_text
from align.reading.document import document_from_text
from align.reading.numbers import quantities
from helpers import assert_lossless

FILLER = "推进制造业数字化转型，加快建设智能工厂和数字化车间，提升企业创新能力和核心竞争力"  # 38 Chinese characters


def removed(c, src, reason):
    return [src[r.start:r.end] for r in c.removals if r.reason == reason]


def details(c, reason):
    return [r.detail for r in c.removals if r.reason == reason]


# -- footnote marks -------------------------------------------------------------


def test_footnote_marks_in_a_numbering_run_are_removed_with_the_proof():
    src = "常住人口城镇化率达到61.98%1。城镇落户条件全面放开放宽2新型居住证制度实现全覆盖，建成2个试点。"
    c = clean_text(src)
    assert c.text == "常住人口城镇化率达到61.98%。城镇落户条件全面放开放宽新型居住证制度实现全覆盖，建成2个试点。"
    assert removed(c, src, "footnote") == ["1", "2"]
    assert all("run 1–2" in d for d in details(c, "footnote"))


def test_real_numbers_where_a_footnote_could_stand_are_kept():
    src = ("一年来制定修订等9件地方性法规，实现“保7争6”目标。"
           "建设第5代移动通信基站3万个，开通5G网络。首位度3偏低的问题仍然存在。")
    c = clean_text(src)
    assert c.text == src
    assert removed(c, src, "footnote") == []


def test_a_single_mark_is_removed_when_its_note_is_found():
    src = f"全市森林覆盖率达到61.5%1，{FILLER}。\n\n{FILLER}。\n\n1 数据来源：全市森林资源年度监测。"
    c = clean_text(src)
    assert "61.5%，" in c.text
    (why,) = details(c, "footnote")
    assert why.startswith("note 1 at offset")
    (note,) = c.annotations
    assert (note.kind, note.value) == ("footnote", "1 数据来源：全市森林资源年度监测。")
    assert c.paragraph_texts() == [f"全市森林覆盖率达到61.5%，{FILLER}。", f"{FILLER}。"]


def test_a_run_of_marks_starting_again_at_one_and_a_lone_number_before_it():
    src = (f"{FILLER}，形成前1后三的格局。城镇化率达到61.98%1。落户条件全面放开放宽2新型居住证制度全覆盖。"
           f"{FILLER}，首位度3偏低。森林覆盖率达到62.6%1，增速2较快。")
    c = clean_text(src)
    assert "前1后三" in c.text  # a lone 1 between words proves nothing: the run starts again at the 1 after %
    assert "61.98%。" in c.text and "放宽新型" in c.text and "首位度偏低" in c.text
    assert "62.6%，" in c.text and "增速较快" in c.text
    assert removed(c, src, "footnote") == ["1", "2", "3", "1", "2"]


def test_a_single_mark_between_words_without_a_note_stays():
    src = f"{FILLER}，市区人口首位度3偏低。"
    c = clean_text(src)
    assert "首位度3偏低" in c.text


def test_a_single_mark_after_a_percent_sign_is_removed():
    src = f"常住人口城镇化率达到72.17%1。{FILLER}。"
    c = clean_text(src)
    assert "72.17%。" in c.text
    assert "where no number can follow" in details(c, "footnote")[0]


# -- tables of contents and page numbers ---------------------------------------


def test_dot_leader_table_of_contents_under_a_title_is_removed():
    src = "\n".join([
        "某某省智能制造发展规划", "目  录", "第一章 总体要求 ………………………… 3",
        "第二章 重点任务 …………………………5", "（一）加快系统创新................. 6",
        "第一章 总体要求", f"{FILLER}。", "第二章 重点任务", f"{FILLER}。",
    ])
    doc = document_from_text(src)
    toc = "".join(src[r.start:r.end] for r in doc.removals if r.reason == "toc")
    assert "目  录" in toc and "…… 3" in toc and "..... 6" in toc
    assert [h.text for h in doc.headings if h.level > 0] == ["第一章总体要求", "第二章重点任务"]
    assert_lossless(doc)


def test_dot_leader_entries_without_a_title_are_removed():
    src = f"（一）指导思想.......2\n（二）基本原则.......3\n（一）指导思想\n{FILLER}。"
    c = clean_text(src)
    assert c.paragraph_texts() == ["（一）指导思想", f"{FILLER}。"]
    assert set(details(c, "toc")) == {"dot-leader entries with page numbers"}


def test_page_numbers_on_their_own_lines_and_inside_a_sentence():
    page = "\n".join([FILLER + "。", FILLER[:20] + "。", FILLER[5:] + "。", FILLER[:31] + "。", FILLER[9:] + "。"])
    src = "\n".join([
        page, "1", page, "2", page,
        "加强前瞻性思考、全局性谋划，充分发挥地方、行业和企业积极性，", "3",
        "分层分类系统推动智能制造创新发展。", page, "4", page,
    ])
    c = clean_text(src)
    assert removed(c, src, "page") == ["1", "2", "3", "4"]
    assert "加强前瞻性思考、全局性谋划，充分发挥地方、行业和企业积极性，分层分类系统推动智能制造创新发展。" in c.paragraph_texts()
    assert "pages 1–4" in details(c, "page")[0]


def test_page_numbers_glued_to_the_end_of_a_line_where_a_page_broke():
    page = "\n".join([FILLER + "。", FILLER[:20] + "。", FILLER[5:] + "。", FILLER[:31] + "。", FILLER[9:] + "。"])
    src = "\n".join([
        page, "推进新型工业化，提升产业链供应链现代化水平，加快构2", "建智能制造发展生态。", page,
        "充分发挥地方、行业和企业积极性，3", "分层分类系统推动智能制造创新发展。", page,
        "完成200项以上国家、行业标准的制修订，建成120个以4", "上具有行业和区域影响力的工业互联网平台。", page,
        "全年新增上市公司达到62", "家，其中智能制造企业12", "家。",
    ])
    c = clean_text(src)
    assert removed(c, src, "page") == ["2", "3", "4"]
    paras = c.paragraph_texts()
    assert "推进新型工业化，提升产业链供应链现代化水平，加快构建智能制造发展生态。" in paras
    assert "完成200项以上国家、行业标准的制修订，建成120个以上具有行业和区域影响力的工业互联网平台。" in paras
    assert "达到62" in c.text and "企业12" in c.text  # numbers going on with their unit on the next line


def test_bare_numbers_close_together_are_not_page_numbers():
    src = "重点项目\n1\n智能工厂\n2\n数字车间\n3\n工业互联网平台\n" + FILLER + "。"
    c = clean_text(src)
    assert removed(c, src, "page") == []


def test_form_feeds_are_page_breaks():
    src = f"{FILLER}，\n\f加快发展。"
    c = clean_text(src)
    assert removed(c, src, "page") == ["\f"]
    assert c.paragraph_texts() == [f"{FILLER}，加快发展。"]


# -- letter-spaced digits -------------------------------------------------------


def test_letter_spaced_digits_are_joined_and_read_as_numbers():
    src = "2 0 0 5年，全省高速公路通车里程达到1 1万公里，增长8 . 5 %。2020 2025 两列照旧。"
    doc = document_from_text(src)
    text = doc.cleaned.text
    assert "2005年" in text and "11万公里" in text and "8.5%" in text and "2020 2025" in text
    assert "letter-spaced digits (newspaper database)" in details(doc.cleaned, "space")
    found = [q for u in doc.units() for q in quantities(u.text)]
    assert {110000, 8.5} <= {q.value for q in found}
    assert {q.year for q in found if q.value in (110000, 8.5)} == {2005}  # the year is read whole
    assert_lossless(doc)


# -- headers and footers --------------------------------------------------------


def test_database_header_and_related_reports_are_chrome():
    src = "\n".join([
        "【分类号】F127", "【版次】第3版", "【作者】本报记者", f"{FILLER}。", f"{FILLER}。",
        "相关报道：", "全省智能制造大会召开", "十家企业入选示范工厂",
    ])
    c = clean_text(src)
    assert c.paragraph_texts() == [f"{FILLER}。", f"{FILLER}。"]
    chrome = details(c, "chrome")
    assert "database record header" in chrome and "相关报道 list" in chrome


def test_database_title_and_text_labels_go_but_the_title_and_text_stay():
    src = f"【标题】某某省智能制造行动计划\n【作者】本报记者\n【版次】第3版\n【正文】{FILLER}。\n{FILLER}。"
    c = clean_text(src)
    assert c.paragraph_texts() == ["某某省智能制造行动计划", f"{FILLER}。", f"{FILLER}。"]
    assert removed(c, src, "chrome") == ["【标题】", "【作者】本报记者", "【版次】第3版", "【正文】"]


def test_previous_next_navigation_of_a_wiki_page_is_chrome():
    src = f"某某省国民经济和社会发展第十一个五年规划纲要\n←第十个五年计划纲要\t第十一个五年规划纲要\t第十二个五年规划纲要→\n{FILLER}。"
    c = clean_text(src)
    assert c.paragraph_texts() == ["某某省国民经济和社会发展第十一个五年规划纲要", f"{FILLER}。"]
    assert details(c, "chrome") == ["previous / next navigation (←…→)"]


def test_licence_block_and_issuing_footer_are_annotations():
    src = "\n".join([
        f"{FILLER}。",
        "抄送：省委各部门，省人大常委会办公厅，",
        "省政协办公厅。",
        "某某省工业和信息化厅办公室",
        "2020年9月22日印发",
        "本作品是中华人民共和国的法律、法规、国家机关的决议、决定、命令和其他具有立法、行政、司法性质的文件，依据《中华人民共和国著作权法》第五条，本作品不适用于该法。",
        "Public domain",
    ])
    doc = document_from_text(src)
    assert doc.cleaned.paragraph_texts() == [f"{FILLER}。"]
    kinds = [(a.kind, a.value) for a in doc.annotations]
    assert ("issuer", "抄送：省委各部门，省人大常委会办公厅， 省政协办公厅。") in kinds
    assert ("issuer", "某某省工业和信息化厅办公室 2020年9月22日印发") in kinds
    assert [k for k, _ in kinds].count("licence") == 2
    assert all(a.paragraph == -1 for a in doc.annotations)
    assert_lossless(doc)


# -- headings set off by spaces -------------------------------------------------


def test_heading_set_off_by_full_width_spaces_is_split_from_its_sentence():
    src = "第一节　加强水利建设　水利建设要全面规划，统筹安排。\n一、总体要求  推进新型工业化，建设制造强省。"
    doc = document_from_text(src)
    assert doc.cleaned.paragraph_texts() == ["第一节加强水利建设", "水利建设要全面规划，统筹安排。", "一、总体要求",
                                             "推进新型工业化，建设制造强省。"]
    assert [h.text for h in doc.headings] == ["第一节加强水利建设", "一、总体要求"]
    assert doc.units()[0].section == ("第一节加强水利建设",)
    assert_lossless(doc)


def test_a_short_labelled_sentence_with_spaces_is_not_split():
    src = "一、坚持创新，深化改革　推进新型工业化。"
    assert clean_text(src).paragraph_texts() == ["一、坚持创新，深化改革推进新型工业化。"]


def test_heading_glued_after_a_stop_and_a_space_goes_on_its_own_line():
    src = f"{FILLER}。 （二）深化推广应用，开拓转型升级新路径。\n{FILLER}。"
    assert clean_text(src).paragraph_texts() == [f"{FILLER}。", "（二）深化推广应用，开拓转型升级新路径。",
                                                 f"{FILLER}。"]


# -- sentence stops lost in extraction ------------------------------------------


LOST = [
    "为贯彻落实国家规划，加快推动智能制造发展，特制定本行动计划",
    "一、总体要求",
    "（一）指导思想",
    "以新一代信息技术与先进制造技术深度融合为主线，深入实施智能制造工程",
    "着力提升创新能力、供给能力、支撑能力和应用水平",
    "（二）主要目标",
    "到2025年，规模以上制造业企业大部分实现数字化网络化",
    "重点行业骨干企业初步应用智能化，建成一批智能制造示范工厂",
    "二、重点任务",
    "支持企业、高校、科研院所等组建联合体，开展技术和管理创新",
    "加强用产学研协同创新，着力突破关键核心技术和系统集成技术",
    "培育一批系统解决方案供应商，推广智能制造新模式新业态",
    "建设智能制造公共服务平台，提升检验检测和咨询诊断服务能力",
]


def test_lost_stops_are_recovered_from_the_line_structure():
    src = "\n".join(LOST)
    doc = document_from_text(src)
    units = [u.text for u in doc.units()]
    assert units == [t for t in LOST if not t.startswith(("一、", "二、", "（"))]
    stops = [r for r in doc.removals if r.reason == "stop"]
    assert len(stops) == 8 and "0 of 9 long lines end with one" in stops[0].detail
    assert [h.text for h in doc.headings] == ["一、总体要求", "（一）指导思想", "（二）主要目标", "二、重点任务"]
    assert_lossless(doc)


def test_a_text_that_keeps_its_stops_still_rejoins_a_line_cut_mid_sentence():
    lines = [t + "。" for t in LOST if len(t) > 20]
    lines[5:6] = ["加强用产学研协同创新，着力突破关键核心技术", "和系统集成技术。"]  # a page break mid-sentence
    c = clean_text("\n".join(lines))
    assert not details(c, "stop")
    assert "加强用产学研协同创新，着力突破关键核心技术和系统集成技术。" in c.paragraph_texts()


def test_a_wrapped_paragraph_ending_without_a_stop_records_the_decision():
    width = ["推进制造业数字化转型，加快建设智能工厂和数字化车间，提升"] * 24
    src = "\n".join(width[:11] + ["企业创新能力和核心竞争力"] + width[11:] + ["创新能力。"])
    c = clean_text(src)
    assert c.wrapped_width is not None
    (stop,) = details(c, "stop")
    assert "shorter than the text width" in stop
    assert len(c.paragraphs) == 2


# -- responsibility tags --------------------------------------------------------


def test_responsibility_tags_are_kept_aside_as_annotations_of_their_measure():
    src = "\n".join([
        "二、重点任务",
        "（一）提升科技创新能力。支持参与国家重点项目，提升产业基础高级化水平。（责任单位：省发展改革委、省工业和信息化厅）",
        "（二）增加装备供给。培育首台（套）重大技术装备。（牵头单位：省工业和信息化厅（省国防科工办）；配合单位：省财政厅）",
        "（三）完善标准体系。编制地方标准。",
        "责任单位：省市场监管局",
        "（四）加强统计。完善指标（单位：亿元），按季度发布。",
    ])
    doc = document_from_text(src)
    values = [a.value for a in doc.annotations]
    assert values == ["责任单位：省发展改革委、省工业和信息化厅", "牵头单位：省工业和信息化厅（省国防科工办）；配合单位：省财政厅",
                      "责任单位：省市场监管局"]
    assert all(a.kind == "responsibility" for a in doc.annotations)
    assert not any("单位：省" in u.text for u in doc.units())
    by_text = {u.text: u.annotation for u in doc.units()}
    assert by_text["支持参与国家重点项目，提升产业基础高级化水平。"] == values[0]
    assert by_text["培育首台（套）重大技术装备。"] == values[1]
    assert by_text["编制地方标准。"] == values[2]
    assert "（单位：亿元）" in doc.cleaned.text and by_text["完善指标（单位：亿元），按季度发布。"] == ""
    assert_lossless(doc)


def test_a_responsibility_tag_with_an_invisible_character_inside_is_still_a_tag():
    """A web page's zero-width space or soft hyphen inside 责任单位 (or before a tag line) hides nothing."""
    src = "\n".join([
        "二、重点任务",
        "（一）提升科技创新能力。支持参与国家重点项目。（责任\u200b单位：省发展改革委）",
        "（二）增加装备供给。培育首台（套）重大技术装备。（牵头单位\u00ad：省工业和信息化厅）",
        "\ufeff责任单位：省市场监管局",
    ])
    doc = document_from_text(src)
    assert [a.value.replace("\u200b", "").replace("\u00ad", "").replace("\ufeff", "") for a in doc.annotations] == [
        "责任单位：省发展改革委", "牵头单位：省工业和信息化厅", "责任单位：省市场监管局"]
    assert not any("单位" in u.text for u in doc.units())
    assert_lossless(doc)


def test_units_table_has_the_annotation_column():
    from compare.tables import units_frame

    doc = document_from_text("（一）加强协调。建立工作机制。（责任单位：省工业和信息化厅）")
    frame = units_frame(doc.alignable())
    assert frame["annotation"].tolist()[-1] == "责任单位：省工业和信息化厅"
