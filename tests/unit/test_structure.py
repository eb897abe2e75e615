"""Heading forms, levels, run-in headings, boxes and section paths."""
from __future__ import annotations

import pytest

from align.reading.clean import clean_text
from align.reading.labels import match_box, match_label
from align.reading.structure import detect, label_number


def structure(text: str):
    c = clean_text(text)
    return c, detect(c, "doc", c.md_paragraphs)


@pytest.mark.parametrize("text,form", [
    ("第二章 总体要求", "chapter"), ("第三节 城市更新", "section"), ("四、高质量推动", "cn"), ("（三）完善政策", "paren_cn"),
    ("(一)推进", "paren_cn"), ("( 一)推进", "paren_cn"), ("1.深化改革", "arabic"), ("2、推进", "arabic"),
    ("（1）加快", "paren_arabic"), ("①加快", "circled"),
])
def test_label_forms(text, form):
    assert match_label(text).form == form


@pytest.mark.parametrize("text", ["1.5亿元投资", "2021年工作", "一是人口加速流入", "十四五时期", "2.04:1缩小"])
def test_not_labels(text):
    assert match_label(text) is None


def test_label_numbers():
    assert [label_number(x) for x in ("十二、", "（三）", "3.", "②", "二十一、", "⑵", "⒊")] == [12, 3, 3, 2, 21, 2, 3]


def test_enclosed_numbers_of_pdf_extraction_are_the_labels_they_stand_for():
    """⑴ is （1） and ⒈ is 1. (single characters PDF extraction leaves): the same form and level."""
    assert (match_label("⑴推进海塘安澜工程").form, match_label("⒈推进").form) == ("paren_arabic", "arabic")
    _, st = structure("（一）水利\n\n⑴推进海塘安澜工程。加固海塘。\n\n⑵推动古城有机更新。保护街区。")
    assert [(h.text, h.level) for h in st.headings] == [("（一）水利", 1), ("⑴推进海塘安澜工程。", 2),
                                                         ("⑵推动古城有机更新。", 2)]
    assert [b.section[-1] for b in st.blocks] == ["⑴推进海塘安澜工程", "⑵推动古城有机更新"]


def test_labels_written_with_look_alikes_or_invisible_characters_are_read_as_written_plainly():
    """Kangxi radicals (⼀ ⼆ ⼗ for 一 二 十, as PDF extraction leaves them) and a zero-width space or
    soft hyphen (web pages, Word files) inside a label: the same form and number, the text as written."""
    for odd, plain in [("第⼆章 总体要求", "第二章 总体要求"), ("⼗⼆、重点任务", "十二、重点任务"),
                       ("（⼀）指导思想", "（一）指导思想"), ("第\u200b二章 总体要求", "第二章 总体要求"),
                       ("\ufeff（三）完善政策", "（三）完善政策"), ("2\u00ad.深化改革", "2.深化改革"),
                       ("第十\u200b二章 总体要求", "第十二章 总体要求"), ("专栏⼆ 重点工程", "专栏二 重点工程")]:
        got, want = match_label(odd) or match_box(odd), match_label(plain) or match_box(plain)
        assert (got.form, got.rank, label_number(got.text)) == (want.form, want.rank, label_number(want.text))
        assert odd.startswith(got.text) and got.end == len(got.text)
    assert match_label("一．\u200b5亿元") is None and match_label("一．5亿元") is None  # an amount, not a label
    _, st = structure("第⼀章 总体要求\n\n⼀、发展基础\n\n（⼆）稳步推进城镇化\n\n推进建设。\n\n第\u200b二章 主要任务\n\n推进改革。")
    assert [(h.form, h.level) for h in st.headings] == [("chapter", 1), ("cn", 2), ("paren_cn", 3), ("chapter", 1)]
    assert [b.section[-1] for b in st.blocks] == ["（⼆）稳步推进城镇化", "第二章主要任务"]  # space, zero-width space: cleaned


def test_a_line_of_invisible_characters_is_blank_and_one_inside_a_word_is_space():
    c, st = structure("一、总体要求\n\n\u200b\n\n推\u200b进改革。\ufeff\n\n\u200b。")
    assert "\u200b" not in c.text and "\ufeff" not in c.text
    assert c.text[c.paragraphs[0][0] : c.paragraphs[0][1]] != "\u200b"
    assert "推进改革。" in c.text
    assert any(r.detail.startswith("invisible character") for r in c.removals)


def test_a_run_in_heading_closed_by_a_full_stop_between_chinese_characters_heads_only_its_paragraph():
    """``1.推进改革.深化…``: the stop some extractions write for 。 ends the run-in heading, so the
    sentence after it stays body text (the label's own ``1.`` is no stop)."""
    for body in ("深化户籍制度改革，放开落户限制。推进居住证制度全覆盖。", "深化户籍制度改革，放开落户限制。"):
        _, st = structure("一、总体要求\n\n1.推进户籍制度改革." + body)
        run_in = [h for h in st.headings if h.run_in]
        assert [h.text for h in run_in] == ["1.推进户籍制度改革."]
        assert [(b.section, b.end - b.start) for b in st.blocks] == [(("一、总体要求", "1.推进户籍制度改革"), len(body))]


def test_nested_sections_and_paths():
    _, st = structure(
        "一、总体要求\n\n（一）指导思想\n\n坚持以人为本。\n\n1.深化改革。推进户籍制度改革。\n\n（二）主要目标\n\n到2025年，城镇化率达到75%。\n\n二、重点任务\n\n推进建设。"
    )
    sections = [b.section for b in st.blocks]
    assert sections == [
        ("一、总体要求", "（一）指导思想"),
        ("一、总体要求", "（一）指导思想", "1.深化改革"),
        ("一、总体要求", "（二）主要目标"),
        ("二、重点任务",),
    ]
    run_in = [h for h in st.headings if h.run_in]
    assert [h.text for h in run_in] == ["1.深化改革。"] and run_in[0].level == 3


def test_skipped_forms_nest_by_rank_not_by_position():
    _, st = structure("一、总体要求\n\n1.深化改革\n\n推进改革。\n\n二、重点任务\n\n推进建设。")
    assert [(h.text, h.level) for h in st.headings] == [("一、总体要求", 1), ("1.深化改革", 2), ("二、重点任务", 1)]


def test_unlabelled_topic_sentences_are_run_in_headings_for_their_paragraph_only():
    _, st = structure(
        "（一）成就\n\n综合实力稳步提升。2020年地区生产总值达669亿元。\n\n产业转型提质增效。产业结构持续优化。\n\n但也要清醒地看到，发展仍不平衡。"
    )
    assert [h.text for h in st.headings if h.form == "run_in"] == ["综合实力稳步提升。", "产业转型提质增效。"]
    assert [b.section for b in st.blocks] == [("（一）成就", "综合实力稳步提升"), ("（一）成就", "产业转型提质增效"), ("（一）成就",)]


def test_a_lone_short_sentence_is_not_a_heading():
    _, st = structure("（一）就业\n\n持续优化公共就业服务。加强公共就业服务平台建设。\n\n加强劳动者权益保障，完善制度。")
    assert [h.text for h in st.headings] == ["（一）就业"]


def test_box_nests_items_until_the_outer_numbering_resumes():
    _, st = structure(
        "（三）生态\n\n1.深化清新空气建设。加强污染防治。\n\n2.实施强基行动。推进工程。\n\n专栏 5-2 建设主要抓手\n\n"
        "1.城市防洪。谋划工程。\n\n2.水资源配置。推进水库。\n\n3.幸福河湖。系统推进。\n\n3.建设无废城市。落实目标。"
    )
    levels = {h.text: (h.level, h.path) for h in st.headings}
    assert levels["专栏5-2建设主要抓手"][0] == 2
    assert levels["1.城市防洪。"][1][1] == "专栏5-2建设主要抓手"
    assert levels["3.建设无废城市。"][1] == ("（三）生态", "3.建设无废城市")


def test_titles_before_the_first_chapter_are_level_zero():
    _, st = structure("台州市新型城镇化发展规划\n\n推进新型城镇化是重大决策。\n\n一、新阶段\n\n内容在此。")
    assert [(h.text, h.level, h.path) for h in st.headings][0] == ("台州市新型城镇化发展规划", 0, ())
    assert st.blocks[0].section == ()


def test_markdown_headings_use_the_label_not_the_hash_count():
    _, st = structure("# 规划纲要\n\n## 一、开启新征程\n\n#### （一）成就。\n\n内容。\n\n##### （二）挑战。\n\n内容。")
    assert [(h.text, h.level) for h in st.headings] == [("规划纲要", 0), ("一、开启新征程", 1), ("（一）成就。", 2), ("（二）挑战。", 2)]
