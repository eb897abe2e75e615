"""Behaviour of ingestion, cleaning, structure and segmentation on the five real plans."""
from __future__ import annotations

import re

import pytest

from helpers import IDS, assert_lossless, body_share

NOISE = ["中项网", "服务热线", "索引号", "浏览次数", "访问次数", "责编", "遗失", "声明作废", "发布机构", "扫码", "法律声明"]


@pytest.mark.parametrize("doc_id,chapters", [
    ("zhejiang-urbanization-14fyp", 9), ("taizhou-urbanization-14fyp", 9),
    ("linhai-14fyp-outline", 14), ("luqiao-14fyp-outline", 14),
])
def test_top_level_chapters_come_from_the_body(docs, doc_id, chapters):
    doc = docs[doc_id]
    found = doc.chapters()
    assert len(found) == chapters, found
    assert [re.match(r"[一二三四五六七八九十]+、", c).group(0) for c in found] == [
        f"{n}、" for n in "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四".split()[:chapters]
    ]
    first = min(h.start for h in doc.headings if h.level == 1)
    assert all(r.end <= first for r in doc.removals if r.reason == "toc")


def test_linhai_toc_is_removed_and_headings_are_not_duplicated(docs):
    doc = docs["linhai-14fyp-outline"]
    assert any(r.reason == "toc" for r in doc.removals)
    titles = [h.text for h in doc.headings if h.level == 1]
    assert len(titles) == len(set(titles)) == 14


@pytest.mark.parametrize("doc_id", IDS)
def test_no_unit_carries_page_noise(docs, doc_id):
    for u in docs[doc_id].alignable("sentence"):
        hits = [w for w in NOISE if w in u.text]
        assert not hits, (u.unit_id, u.text)


@pytest.mark.parametrize("doc_id", IDS)
def test_no_unit_is_a_bare_number_or_table_cell(docs, doc_id):
    for u in docs[doc_id].units("clause"):
        core = re.sub(r"[\s，。、；：,.;:%％()（）\-—]", "", u.text)
        assert re.search(r"[\u4e00-\u9fff]{2}", core), (u.unit_id, u.text)
        assert u.text not in ("预期性", "约束性")


@pytest.mark.parametrize("doc_id", IDS)
def test_no_space_between_two_chinese_characters(docs, doc_id):
    for u in docs[doc_id].alignable("clause"):
        assert not re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", u.text), (u.unit_id, u.text)


@pytest.mark.parametrize("doc_id", IDS)
def test_every_character_is_in_one_unit_heading_or_removal(docs, doc_id):
    assert_lossless(docs[doc_id], "sentence")
    assert_lossless(docs[doc_id], "clause")


@pytest.mark.parametrize("doc_id", IDS)
def test_units_and_headings_hold_the_plan_body(docs, doc_id, capsys):
    share = body_share(docs[doc_id])
    with capsys.disabled():
        print(f"\n  body share {doc_id}: {share:.2%}", end="")
    assert share >= 0.95


def test_taizhou_pdf_artefacts_are_repaired(docs):
    text = docs["taizhou-urbanization-14fyp"].cleaned.text
    assert "人 口" not in text and "常住人口城镇化率达到61.98%。" in text
    assert "放开放宽新型居住证制度" in text
    assert "仅占全市生产总值的36.46%" in text  # a sentence broken over a page, re-joined
    assert [t.caption.split()[0] for t in docs["taizhou-urbanization-14fyp"].tables] == ["表", "表"]


def test_newspaper_columns_are_rejoined_and_notices_dropped(docs):
    doc = docs["taizhou-daily-2021-02-10-gov-report"]
    sentences = [u.text for u in doc.units("sentence")]
    assert "市区天然气高压输配一期工程建成，一批综合供能服务站投运，实现中心城区和重点区域5G信号覆盖。" in sentences
    assert "三、全力以赴做好“十四五”开局工作" in doc.chapters()
    assert sum(1 for r in doc.removals if r.reason == "notice") == 2


def test_section_paths_nest_chapter_and_subsection(docs):
    doc = docs["taizhou-urbanization-14fyp"]
    unit = next(u for u in doc.units("sentence") if u.text.startswith("深化“人地挂钩”政策"))
    assert unit.section[:2] == ("四、高质量推动农业转移人口全面融入城市", "(一)持续深化户籍制度改革")
    zj = docs["zhejiang-urbanization-14fyp"]
    unit = next(u for u in zj.units("sentence") if "人地挂钩" in u.text and "政策" in u.text)
    assert unit.section[:2] == ("四、高质量推动农业转移人口全面融入城市", "(三)完善“人地钱挂钩”激励性配套政策")


@pytest.mark.parametrize("doc_id", IDS)
def test_offsets_index_the_original_file(docs, doc_id):
    doc = docs[doc_id]
    for u in doc.units("clause")[::25]:
        span = doc.original[u.start:u.end]
        assert span[0] == u.text[0] and span[-1] == u.text[-1]
