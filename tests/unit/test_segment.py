"""Sentence and clause splitting."""
from __future__ import annotations

from align.reading.segment import clauses, sentences


def texts(spans):
    return [t for _, _, t in spans]


def test_sentence_stops_and_closing_marks():
    assert texts(sentences("推进城镇化。加快建设！是否可行？实施；")) == ["推进城镇化。", "加快建设！", "是否可行？", "实施；"]
    assert texts(sentences("他说：“要加快。”随后推进。")) == ["他说：“要加快。”", "随后推进。"]


def test_no_split_inside_quotes_titles_or_brackets():
    s = "根据《关于制定规划。的建议》编制规划，推进“千村示范。万村整治”工程（试点。）落地。"
    assert texts(sentences(s)) == [s]


def test_numbers_are_never_split():
    s = "增长1.5倍，规划期限为2021-2025年，比重达到1.2%。"
    assert texts(sentences(s)) == [s]


def test_half_width_stops():
    assert texts(sentences("推进建设;加快发展!完成?")) == ["推进建设;", "加快发展!", "完成?"]


def test_clauses_merge_short_fragments_into_a_neighbour():
    s = "同时，到2025年，全省常住人口城镇化率达到75%，城乡居民收入比缩小到1.9:1左右。"
    assert texts(clauses(s)) == ["同时，到2025年，全省常住人口城镇化率达到75%，", "城乡居民收入比缩小到1.9:1左右。"]


def test_clause_comma_between_digits_is_not_a_boundary():
    s = "投资1,000万元，建设公共服务设施，完善配套。"
    assert texts(clauses(s))[0] == "投资1,000万元，"


def test_unbalanced_quote_does_not_swallow_the_paragraph():
    s = "推进“数字化改革。加快建设。完成任务。"
    assert len(sentences(s)) == 3


def test_spans_tile_the_input():
    s = "（一）推进。“引号内。”外面，还有；最后"
    for split in (sentences, lambda t: clauses(t)):
        spans = split(s)
        assert "".join(texts(spans)) == s
        assert all(a == b for (_, a, _), (b, _, _) in zip(spans, spans[1:]))


def test_a_latin_full_stop_ends_a_sentence_between_chinese_characters_only():
    text = "全面提升城市品质.全面实施乡村振兴．到2025年达到3.5%，建设特色小镇2.0版。1.完善住房体系。"
    assert [t for _, _, t in sentences(text)] == ["全面提升城市品质.", "全面实施乡村振兴．",
                                                  "到2025年达到3.5%，建设特色小镇2.0版。", "1.完善住房体系。"]
