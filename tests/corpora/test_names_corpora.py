"""Unquoted programme names on the bundled plans (align/retrieval/names.py)."""
from __future__ import annotations

from align.decisions.match import Settings, align_documents
from align.retrieval.model import pair_model


def _model(docs, child, parent):
    p, c = docs[parent], docs[child]
    return pair_model(p.alignable(), c.alignable(), settings=Settings(),
                      regions=[d.entry.region for d in (p, c) if d.entry.region])


def test_linhai_carries_the_zhejiang_programme_no_plan_quotes(docs):
    """未来社区: a Zhejiang programme neither plan puts in quotation marks."""
    table = align_documents(docs["zhejiang-urbanization-14fyp"], docs["linhai-14fyp-outline"], Settings())
    mentions = table[table.child_text.str.contains("未来社区")]
    assert mentions.child_id.nunique() >= 5
    carried = mentions[(mentions.relation != "local") & mentions.parent_text.str.contains("未来社区", na=False)]
    assert carried.child_id.nunique() >= 4


def test_field_vocabulary_of_two_plans_is_not_a_name(docs):
    """智能工厂 runs through two smart-manufacturing plans: their topic, not a carried label."""
    names = _model(docs, "shandong-smart-manufacturing-action-2022", "miit-14fyp-smart-manufacturing-plan").names
    assert "智能工厂" not in names


def test_names_found_are_never_said_by_the_centre(docs):
    from align.retrieval.background import term_counts

    names = _model(docs, "linhai-14fyp-outline", "zhejiang-urbanization-14fyp").names
    assert "未来社区" in names
    assert term_counts(sorted(names)) == [0] * len(names)
