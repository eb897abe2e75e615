"""Property: every character of the input ends up in exactly one heading,
unit or recorded removal, whatever the text looks like."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align.reading.document import document_from_text
from align.errors import InputError
from helpers import assert_lossless

HAN = "城镇化推进新型规划建设发展农业转移人口市民户籍改革社区未来古城复兴钱挂钩服务"
PUNCT = "，。、；：“”《》（）！？"

han_text = st.text(alphabet=HAN + PUNCT, min_size=1, max_size=40)
label = st.sampled_from(["一、", "（二）", "(三)", "1.", "2、", "（1）", "①", "第一章 ", "专栏 3-1 ", "", "## ", "**", "- "])
noise = st.sampled_from([" ", "  ", "\t", "\u3000", "\xa0", "\n", "\n\n", "%1", "2", "61.98", "Wi Fi", "---", "#",
                         "索引号: 1", "图 1 示意", "表 1 指标", "遗失公章一枚，声明作废。", "目 录", "（上接第一版）", "•", "**",
                         "\f", "（责任单位：省科技厅）", "（牵头单位：省财政厅（省国资委）", "…………3", "........ 12",
                         "2 0 0 5", "1 1万", "相关报道：", "办公室 2020年9月22日印发", "抄送：省委，", "Public domain",
                         "　", "第一节　", "。 （二）", "【版次】第3版", "1\n", "%1"])
line = st.tuples(label, han_text, st.lists(noise, max_size=3), han_text).map(lambda t: t[0] + t[1] + "".join(t[2]) + t[3])
document = st.lists(st.one_of(line, noise, han_text), min_size=1, max_size=30).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document)
def test_generated_plan_like_text_is_lossless(text):
    try:
        doc = document_from_text(text)
    except InputError:
        return  # nothing Chinese left: reported as a user error, nothing to check
    assert_lossless(doc, "sentence")
    assert_lossless(doc, "clause")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_arbitrary_unicode_is_lossless(text):
    try:
        doc = document_from_text(text)
    except InputError:
        return
    assert_lossless(doc, "sentence")
    assert_lossless(doc, "clause")


def test_ids_are_stable_for_the_same_input():
    text = "一、总体要求\n\n推进新型城镇化，加快建设。完善政策。\n\n（一）户籍\n\n深化改革。"
    a = [u.unit_id for u in document_from_text(text).units("clause")]
    b = [u.unit_id for u in document_from_text(text).units("clause")]
    assert a == b and len(set(a)) == len(a)
