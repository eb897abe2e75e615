"""Cleaning on the national smart-manufacturing plan (a PDF extraction with a
dot-leader table of contents and page numbers) and Shandong's action plan
(every measure closed by a （责任单位：…） tag)."""
from __future__ import annotations

import re

import pytest

from align.reading.document import load_document
from helpers import assert_lossless, body_share

MIIT = "miit-14fyp-smart-manufacturing-plan"
SD = "shandong-smart-manufacturing-action-2022"


@pytest.fixture(scope="module")
def plans(manifest):
    return {i: load_document(i, manifest=manifest) for i in (MIIT, SD)}


def test_national_plan_toc_is_gone_and_chapters_come_from_the_body(plans):
    doc = plans[MIIT]
    assert doc.chapters() == ["一、现状与形势", "二、总体思路", "三、重点任务", "四、保障措施", "五、组织实施"]
    toc = "".join(doc.original[r.start:r.end] for r in doc.removals if r.reason == "toc")
    assert "目 录" in toc and toc.count("......") >= 15
    for item in doc.alignable("sentence"):
        assert not re.search(r"[.…]{4}", item.text), item.text
    first = min(h.start for h in doc.headings if h.level == 1)
    assert all(r.end <= first for r in doc.removals if r.reason == "toc")


def test_national_plan_page_numbers_are_removed_and_sentences_rejoined(plans):
    doc = plans[MIIT]
    pages = [doc.original[r.start:r.end] for r in doc.removals if r.reason == "page"]
    assert pages == [str(n) for n in range(1, 16)]
    sentences = [u.text for u in doc.units("sentence")]
    assert any(s.endswith("充分发挥地方、行业和企业积极性，分层分类系统推动智能制造创新发展。") for s in sentences)
    text = doc.cleaned.text  # pages that broke a word: the word is whole again, no digit inside
    assert "加大技术改造投入" in text and "航空航天大型复合材料" in text and "各有关部门按照职责分工" in text


def test_shandong_responsibility_tags_become_annotations(plans):
    doc = plans[SD]
    tags = doc.annotations
    assert len(tags) == 14 and {a.kind for a in tags} == {"responsibility"}
    assert all(a.value.startswith("责任单位：") and "省工业和信息化厅" in a.value for a in tags)
    units = doc.units("sentence")
    assert not any("责任单位" in u.text for u in doc.alignable("sentence"))
    carried = {u.annotation for u in units if u.annotation}
    assert carried == {a.value for a in tags}
    measure = next(u for u in units if "首版次高端软件" in u.text)
    assert measure.annotation == "责任单位：省工业和信息化厅、省科技厅"


@pytest.mark.parametrize("doc_id", [MIIT, SD])
def test_new_plans_lose_no_character_and_keep_their_body(plans, doc_id):
    doc = plans[doc_id]
    assert_lossless(doc, "sentence")
    assert_lossless(doc, "clause")
    assert body_share(doc) >= 0.97
