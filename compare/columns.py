"""What every column of planecho's tables means: the ``columns`` sheet of the
workbook, and the reference for the README's tables.

:func:`describe` answers for a (table, column); a column name means the same in
every table unless :data:`BY_TABLE` says otherwise.
"""
from __future__ import annotations

#: columns holding a share in [0, 1], shown as percentages in the workbook
PERCENT_COLUMNS = frozenset({"echo", "coverage", "share", "child_coverage", "parent_coverage"})

COLUMNS: dict[str, str] = {
    "child_doc": "id of the child plan (the lower-level plan that echoes its parent)",
    "parent_doc": "id of the parent plan (the higher-level plan; on a local row of the alignments, the plan it was compared with)",
    "grandparent_doc": "id of the plan two levels up (chains)",
    "child_level": "administrative level of the child plan (nation, province, city, county, district)",
    "parent_level": "administrative level of the parent plan",
    "distance": "levels between child and parent: 1 for a declared parent, 2 for a grandparent…",
    "echo": "share of the child's body text derived from the parent, weighted verbatim 1.0, adapted 0.7, "
            "partial 0.3, local 0 (headings and self-citations not counted)",
    "coverage": "share of the parent's body units that at least one child unit derives from",
    "verbatim": "child units whose strongest relation is verbatim (near-identical wording)",
    "adapted": "child units whose strongest relation is adapted (the same measure, reworded)",
    "partial": "child units whose strongest relation is partial (a distinctive parent phrase, the rest local)",
    "local": "child units with no parent source",
    "dropped": "parent units no child unit derives from",
    "child_id": "id of the child unit (p<paragraph>.s<sentence>, h<paragraph> for a heading)",
    "parent_id": "id of the parent unit",
    "grandparent_id": "id of the grandparent unit",
    "child_section": "heading path of the child unit, outermost first, joined with ' > '",
    "parent_section": "heading path of the parent unit",
    "child_text": "text of the child unit, as in the source",
    "parent_text": "text of the parent unit, as in the source",
    "grandparent_text": "text of the grandparent unit",
    "child_chapter": "top-level chapter of the child unit ((前言) before the first chapter)",
    "parent_chapter": "top-level chapter of the parent unit ((前言) before the first chapter)",
    "relation": "how the child unit derives from the parent unit: verbatim, adapted, partial or local",
    "self_citation": "child / parent / both when the unit names its own plan or the documents it is drawn up "
                     "from (根据《…》编制本规划): shown, never counted in echo or coverage",
    "score": "strength of the link in [0, 1]: 1 identical wording, ~0.5 a clear adaptation, < 0.3 a partial echo",
    "shared_phrases": "shared wording of 4+ characters and shared programme names, ' | '-separated",
    "numbers_changed": "numbers of the same indicator, kind and year that differ, e.g. 城镇化率 (target, 2025): "
                       "75% → 65% (lowered)",
    "child_kind": "body or heading",
    "parent_kind": "body or heading",
    "child_start": "offset of the child unit's first character in the original text",
    "child_end": "offset after the child unit's last character in the original text",
    "parent_start": "offset of the parent unit's first character in the original text",
    "parent_end": "offset after the parent unit's last character in the original text",
    "child_coverage": "weighted share of the child unit covered by wording shared with the parent unit",
    "parent_coverage": "weighted share of the parent unit covered by wording shared with the child unit",
    "anchor_term": "the rarest programme name the two units share",
    "side": "child (echo per child chapter) or parent (coverage per parent chapter)",
    "chapter": "the chapter (top-level section)",
    "measure": "echo or coverage",
    "value": "the measure's value for the chapter, a share in [0, 1]",
    "units": "body units of the chapter",
    "indicator": "what the numbers measure: the full label before the number (whole words)",
    "year": "the year both numbers refer to, where the text gives one",
    "scope": "share (rates, shares, ratios), per_capita, intensity or total (absolute amounts: compared only "
             "between plans of the same region)",
    "parent_value": "the parent's number in base units (万人 → 人)",
    "child_value": "the child's number in base units",
    "unit": "base unit of both numbers (%, 人, 元, 个百分点 …)",
    "direction": "raised or lowered: the child's value against the parent's",
    "parent_shown": "the parent's number as written",
    "child_shown": "the child's number as written",
    "parent_phrase": "the parent's programme name",
    "child_phrase": "the child's variant of it",
    "aligned": "whether a child unit using the variant is linked to a parent unit using the original",
    "evidence": "why the variant is taken for a re-brand: aligned pair, same measure context or systematic "
                "substitution",
    "parent_ids": "parent units using the original name, space-separated",
    "child_ids": "child units using the variant, space-separated",
    "parent_example": "a parent unit using the original",
    "child_example": "a child unit using the variant",
    "phrase": "a distinctive phrase of the parent: a programme name or a frequent distinctive n-gram",
    "weight": "distinctiveness of the phrase in [0, 1] against the background corpus",
    "parent_units": "parent units containing the phrase",
    "status": "what the child does with it",
    "child_form": "the form found in the child (the phrase itself, or its variant)",
    "direct": "whether the child also links straight to the grandparent unit",
    "parent_relation": "relation of the parent unit to the grandparent unit",
    "child_relation": "relation of the child unit to the parent unit",
    "share": "share of the child chapter's characters echoing the parent chapter (weighted as echo)",
    "key": "setting or property",
    "corrected": "empty for the engine's links; removed (a link of this unit was marked wrong), added, changed "
                 "(relation set by a scholar) or confirmed — from the corrections file",
    "correction_note": "the scholar's note on the correction",
    "doc": "id of the document",
    "file": "path of the document's file",
    "step": "read (the document could not be read) or align (the pair could not be aligned)",
    "problem": "why it was left out",
}

BY_TABLE: dict[tuple[str, str], str] = {
    ("changed_targets", "kind"): "target, actual (an achieved value) or empty (the text does not say); "
                                 "the same on both sides",
    ("changed_targets", "relation"): "relation of the linked pair the numbers come from",
    ("phrases", "kind"): "programme (a lexicon entry or quoted name) or ngram (frequent distinctive wording)",
    ("phrases", "status"): "carried (occurs in the child), altered (only a close variant does) or absent",
    ("chains", "status"): "carried through, stops at parent, skips parent or dropped",
    ("chains", "parent_doc"): "id of the middle plan (the child's parent, the grandparent's child)",
    ("chains", "parent_id"): "id of the middle plan's unit",
    ("chains", "parent_text"): "text of the middle plan's unit",
    ("section_maps", "parent_chapter"): "the parent's chapter (row of the section map)",
    ("section_maps", "child_chapter"): "the child's chapter (column of the section map)",
    ("about", "value"): "its value (JSON for structured settings)",
    ("problems", "parent_doc"): "the parent of a pair that could not be aligned (empty for a document)",
}


def describe(table: str, column: str) -> str:
    """What ``column`` of ``table`` means ("" if planecho does not know the column)."""
    return BY_TABLE.get((table, column)) or COLUMNS.get(column, "")


def column_rows(tables) -> list[tuple[str, str, str]]:
    """(sheet, column, meaning) for every column of every table, in order."""
    return [(name, str(c), describe(name, str(c))) for name, df in tables.items() for c in df.columns]
