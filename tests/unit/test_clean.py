"""Cleaning on small texts: each removal kind, offsets, paragraphs."""
from __future__ import annotations

from align.reading.clean import clean_text


def reasons(c, original):
    return [(r.reason, original[r.start:r.end]) for r in c.removals]


def test_spaces_inside_chinese_are_removed_but_latin_words_keep_theirs():
    src = "常住人 口 662.2 万人,R&D Wi Fi 网络覆盖,2020 年增长 85. 1%。"
    c = clean_text(src)
    assert c.paragraph_texts() == ["常住人口662.2万人,R&D Wi Fi网络覆盖,2020年增长85.1%。"]
    assert {r for r, _ in reasons(c, src)} == {"space"}


def test_offsets_point_back_to_the_original_characters():
    src = "  人 口\n\n城镇 化率。"
    c = clean_text(src)
    for k, ch in enumerate(c.text):
        assert src[c.offsets.to_original(k)] == ch
    assert c.offsets.span(0, len(c.text)) == (2, len(src))


def test_footnote_digits_glued_to_numbers_and_words():
    src = "常住人口城镇化率达到61.98%1。城镇落户条件全面放开放宽2新型居住证制度实现全覆盖,建成2个试点。"
    c = clean_text(src)
    assert "61.98%。" in c.text and "放宽新型" in c.text and "建成2个" in c.text
    assert [t for r, t in reasons(c, src) if r == "footnote"] == ["1", "2"]


def test_hard_wrapped_newspaper_columns_are_rejoined_and_headings_kept_apart():
    body = [
        "坚持创新在现代化建设全局中的核心地",
        "位，走深走实科技新长征，强化创新驱",
        "动，集成创新资源，打造创新高地。",
    ]
    filler = "这是一个普通的段落文字内容需要足够长度啊。"
    lines = []
    for _ in range(12):  # enough lines of the column width for wrap detection
        lines += ["各位代表，一年来我们全力推进各项工作，", "取得了明显成效，人民群众获得感增强。", ""]
    lines += ["（一）实施创新引领提能行动"] + body + ["", "三、全力以赴做好“十四", "五”开局工作", "", filler]
    c = clean_text("\n".join(lines))
    paras = c.paragraph_texts()
    assert c.wrapped_width is not None
    assert "（一）实施创新引领提能行动" in paras
    assert "".join(body) in paras
    assert "三、全力以赴做好“十四五”开局工作" in paras


def test_pdf_page_break_inside_a_sentence_is_rejoined():
    src = "1.市区首位度不高。2020年,台州市区生产总值仅占全市生\n\n\n产总值的36.46%。\n\n(二)当前存在的问题\n\n台州市新型城镇化发展规划\n\n推进新型城镇化。"
    paras = clean_text(src).paragraph_texts()
    assert paras == ["1.市区首位度不高。2020年,台州市区生产总值仅占全市生产总值的36.46%。", "(二)当前存在的问题",
                     "台州市新型城镇化发展规划", "推进新型城镇化。"]


def test_markdown_marks_and_table_of_contents():
    src = "\n".join([
        "# 临海市规划纲要", "", "## 目 录", "", "### 一、开启新征程", "", "- (一) 高水平建成小康社会", "",
        "## **二、坚持创新驱动**", "", "---", "", "## 一、开启新征程", "", "### （一）高水平建成小康社会。", "",
        "**综合实力显著增强。**全市生产总值达到738.5亿元。",
    ])
    c = clean_text(src)
    assert c.paragraph_texts() == ["临海市规划纲要", "一、开启新征程", "（一）高水平建成小康社会。",
                                   "综合实力显著增强。全市生产总值达到738.5亿元。"]
    toc = "".join(src[r.start:r.end] for r in c.removals if r.reason == "toc")
    assert "目 录" in toc and "坚持创新驱动" in toc
    assert 1 in c.md_paragraphs and 3 not in c.md_paragraphs


def test_web_chrome_header_footer_and_metadata_rows():
    src = "\n".join([
        "当前位置:首页", " > 政务公开  > 规划信息", "索引号: 002668063/2021-94422 公开方式: 主动公开",
        "搜索", "  • 项目", "", "浙江省新型城镇化发展规划", "发布时间 所属行业 项目性质 地区", "2021-08-25 其他 浙江",
        "一、总体要求", "", "推进以人为核心的新型城镇化。", "",
        "咨询电话:400-816-1360", "法律声明:以上信息仅供用户使用,若因不合理使用导致法律问题,用户将承担相关法律责任。",
        "  • 寻找项目", "扫码下载APP",
    ])
    c = clean_text(src)
    assert c.paragraph_texts() == ["浙江省新型城镇化发展规划", "一、总体要求", "推进以人为核心的新型城镇化。"]
    chrome = [t for r, t in reasons(c, src) if r == "chrome"]
    assert any("索引号" in t for t in chrome) and any("法律声明" in t for t in chrome)


def test_lost_seal_notices_are_taken_out_of_the_page():
    src = "遗失台州浩业网\n络技术有限公司公章\n一 枚 ，印 章 编 号 为\n3310810135776，声 明\n作废。\n\n推进城市有机更新。"
    c = clean_text(src)
    assert c.paragraph_texts() == ["推进城市有机更新。"]
    assert any(r.reason == "notice" for r in c.removals)


def test_flattened_table_is_kept_as_rows_and_removed_from_text():
    cells = ["表 2 主要指标", "类别", "指标", "2020 年", "2025 年", "1", "常住人口城镇化率(%)", "61.98", "65",
             "2", "城市公园绿地服务半径覆盖率(%)", "82", "90", "注: ( 1 )2020 年基数采用“七普数据”。"]
    src = "推进新型城镇化。\n\n" + "\n\n".join(cells) + "\n\n三、高水平构建新格局"
    c = clean_text(src)
    assert c.paragraph_texts() == ["推进新型城镇化。", "三、高水平构建新格局"]
    (table,) = c.tables
    assert table.caption == "表 2 主要指标"
    assert ("1", "常住人口城镇化率(%)", "61.98", "65") in table.rows
    assert "七普数据" in src[table.start:table.end]


def test_tab_separated_table_rows():
    src = "表一 主要指标完成情况表\n\n类别\t序号\t指标名称\t2020年\n经济发展\t1\t地区生产总值(亿元)\t738.48\n\t2\t服务业比重(%)\t49.5\n\n综合判断，发展仍处于重要战略机遇期。"
    c = clean_text(src)
    assert c.paragraph_texts() == ["综合判断，发展仍处于重要战略机遇期。"]
    assert c.tables[0].rows[1] == ("经济发展", "1", "地区生产总值(亿元)", "738.48")


def test_figure_captions():
    src = "推进轨道交通建设。\n\n图 6  台州市综合交通规划布局图\n\n构建市区立体交通网络。"
    c = clean_text(src)
    assert c.paragraph_texts() == ["推进轨道交通建设。", "构建市区立体交通网络。"]
    assert [r.reason for r in c.removals if src[r.start:r.end].startswith("图")] == ["caption"]


def test_empty_and_whitespace_only_input():
    assert clean_text("").paragraphs == []
    c = clean_text(" \n\n\t\n")
    assert c.text == "" and all(r.reason == "layout" for r in c.removals)
