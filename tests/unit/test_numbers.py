"""Changed targets compare like with like: the same indicator with its full
label, the same kind and year, the same mode; years are never quantities."""
from align.reading.numbers import number_changes, quantities


def _q(text):
    return [(q.indicator, q.shown, q.kind, q.year, q.mode, q.scope) for q in quantities(text)]


def test_years_date_numbers_and_are_never_indicators():
    q = quantities("到2030年，全县森林覆盖率提高到63%，2026—2030年累计植树500万株")
    assert [x.shown for x in q] == ["63%", "500万"]
    assert (q[0].indicator, q[0].kind, q[0].year) == ("森林覆盖率", "target", 2030)
    assert all(x.indicator != "年份" and "年" not in x.indicator for x in q)


def test_labels_are_whole_words_from_the_clause():
    (q,) = quantities("要持续深化全域旅游示范区创建工作机制，确保县级以上文物保护单位开放率保持在95%以上。")
    assert q.indicator.endswith("开放率") and len(q.indicator) <= 14
    assert q.indicator in "县级以上文物保护单位开放率" and q.indicator[0] != "位"


def test_fenbie_gives_each_number_its_own_name():
    q = _q("农业总产值和粮食产量分别达到120亿元和30万吨，年均分别增长3%和2%。")
    assert [x[:2] for x in q] == [("农业总产值", "120亿元"), ("粮食产量", "30万吨"), ("", "3%"), ("", "2%")]


def test_from_to_marks_the_start_value_as_achieved():
    q = quantities("绿色建筑占新建建筑比重从45%提高到70%")
    assert [(x.indicator, x.kind) for x in q] == [("绿色建筑占新建建筑比重", "actual"), ("绿色建筑占新建建筑比重", "")]


def test_target_is_not_compared_with_an_achieved_value():
    parent = "到2027年，全省城市生活垃圾回收利用率达到60%。"
    assert number_changes("2022年，全市城市生活垃圾回收利用率为41%。", parent) == []  # an actual of another year
    assert number_changes("城市生活垃圾回收利用率已达41%，比上年提高5个百分点。", parent) == []  # achieved
    (c,) = number_changes("到2027年，全市城市生活垃圾回收利用率达到55%。", parent)
    assert (c.indicator, c.parent_value, c.child_value, c.direction, c.kind, c.year) == (
        "城市生活垃圾回收利用率", 60.0, 55.0, "lowered", "target", "2027")


def test_a_ceiling_is_a_target_not_compared_with_an_unmarked_rate():
    assert number_changes("城镇调查失业率4.6%，物价总体平稳", "城镇调查失业率控制在5.5%以内") == []


def test_targets_of_different_years_are_not_compared():
    assert number_changes("到2035年，森林覆盖率达到70%", "到2027年，森林覆盖率达到65%") == []


def test_a_reduction_is_not_compared_with_a_level():
    assert number_changes("单位产值能耗下降15%", "单位产值能耗达到0.4吨") == []
    assert number_changes("空气优良天数比率降低5%", "空气优良天数比率达到90%") == []


def test_scope_separates_totals_from_rates():
    q = quantities("人均公园绿地面积达到15平方米，城镇新增就业6万人，每万人拥有律师4人，数字经济增加值占比20%")
    assert [x.scope for x in q] == ["per_capita", "total", "intensity", "share"]
