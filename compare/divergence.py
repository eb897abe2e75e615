"""Where a child plan departs from its parent.

* **dropped** — parent body units no child unit links to, by parent chapter;
* **local additions** — child body units with no source, by child chapter;
* **changed targets** — linked pairs whose numbers for the same indicator
  differ (from the engine's evidence, :mod:`align.reading.numbers`): the same kind
  (target with target, achieved value with achieved value) and year, the same
  mode (level or change); rates, shares, per-capita values and intensities
  compare across levels, absolute totals only between plans of the same
  region (a district's revenue is not a city's "lowered");
* **re-branded phrases** — a programme name the child quotes that the parent
  never uses (anywhere in its text) but that is a close variant of a
  distinctive parent programme name (千年古城 → 千年府城): same length, the
  first half (the name's head) kept, one character changed (two in names of
  six or more), not merely a numeral changed (七连创 → 九连创 is a count), and
  not a region or self-reference swap (掌上办事之省 → 掌上办事之市: the engine
  folds those as the same wording).  Sharing characters is not enough: a row
  needs ``evidence`` — ``aligned pair`` (a child unit using the variant is
  linked to a parent unit using the original) or ``same context`` (the child
  unit names the original too, or its context shares wording with the
  original's, :func:`align.decisions.phrases.variant_evidence`).  Each variant is paired
  with its closest originals only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from align.decisions.match import SECTION_SEP
from align.decisions.result import Alignment

from .score import chapter_label, counted

if TYPE_CHECKING:
    import pandas as pd

MIN_REBRAND_WEIGHT = 0.6


def dropped(a: Alignment) -> "pd.DataFrame":
    """Parent body units no counted child unit links to (self-citations left out, as in the scores)."""
    import pandas as pd

    rows = [(a.child_doc, a.parent_doc, chapter_label(p) or "(前言)", p.unit_id, SECTION_SEP.join(p.section), p.text)
            for p, status, _ in counted(a).parent if status == "dropped"]
    return pd.DataFrame(rows, columns=["child_doc", "parent_doc", "parent_chapter", "parent_id", "parent_section",
                                       "parent_text"])


def local_additions(a: Alignment) -> "pd.DataFrame":
    """Child body units with no counted source (self-citations left out, as in the scores)."""
    import pandas as pd

    c = counted(a)
    rows = [(a.child_doc, a.parent_doc, chapter_label(u) or "(前言)", u.unit_id, SECTION_SEP.join(u.section), u.text)
            for u in c.child if c.relation(u.unit_id) == "local"]
    return pd.DataFrame(rows, columns=["child_doc", "parent_doc", "child_chapter", "child_id", "child_section",
                                       "child_text"])


CHANGE_COLUMNS = ["child_doc", "parent_doc", "indicator", "kind", "year", "scope", "parent_value", "child_value",
                  "unit", "direction", "parent_shown", "child_shown", "relation", "child_id", "parent_id", "child_text",
                  "parent_text"]


def same_region(a: Alignment) -> bool:
    """Whether the two plans were issued for the same region (absolute totals then compare)."""
    return bool(a.parent_region) and a.parent_region == a.child_region


def changed_targets(a: Alignment) -> "pd.DataFrame":
    """Changed targets of one alignment (see the module doc); ``kind`` is
    ``target``, ``actual`` or empty (the text does not say), ``year`` the year
    both numbers refer to where given, ``scope`` share / per_capita /
    intensity / total."""
    import pandas as pd

    totals = same_region(a)
    rows = []
    for l in a.links:
        if l.parent is None or l.evidence is None or l.relation == "local":
            continue
        for n in l.evidence.numbers:
            if n.scope == "total" and not totals:
                continue
            rows.append((a.child_doc, a.parent_doc, n.indicator, n.kind, n.year, n.scope, n.parent_value,
                         n.child_value, n.unit, n.direction, n.parent_text, n.child_text, l.relation,
                         l.child.unit_id, l.parent.unit_id, l.child.text, l.parent.text))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


_NUMERALS = set("0123456789〇零一二三四五六七八九十百千万两")


def variant_distance(original: str, variant: str) -> int | None:
    """Changed characters if ``variant`` re-brands ``original``, else None."""
    if original == variant or len(original) != len(variant) or len(original) < 3:
        return None
    half = len(original) // 2
    if variant[:half] != original[:half]:
        return None
    changed = [(x, y) for x, y in zip(original, variant) if x != y]
    if len(changed) > (2 if len(original) >= 6 else 1):
        return None
    if all(x in _NUMERALS and y in _NUMERALS for x, y in changed):
        return None
    return len(changed)


REBRAND_COLUMNS = ["child_doc", "parent_doc", "parent_phrase", "child_phrase", "aligned", "evidence", "parent_ids",
                   "child_ids", "parent_example", "child_example"]


def rebrands(a: Alignment) -> "pd.DataFrame":
    import pandas as pd

    from align.decisions.phrases import Searchable, context_of, find_phrase, is_region_swap, variant_evidence

    units = {u.unit_id: u for u in a.parent_units}
    cunits = {u.unit_id: u for u in a.child_units}
    linked = {(l.child.unit_id, l.parent.unit_id) for l in a.links if l.parent is not None and l.relation != "local"}
    parent_words = set(a.parent_terms)
    parent_text = Searchable("\x00".join(u.text for u in a.parent_units))
    regions = [r for r in (a.parent_region, a.child_region) if r]
    # a variant keeps the length and the first half of its original: look only there
    by_head: dict[tuple[int, str], list[tuple[str, list[str]]]] = {}
    for original, parent_ids in sorted(a.parent_terms.items()):
        if a.term_weight.get(original, 0.0) >= MIN_REBRAND_WEIGHT:
            by_head.setdefault((len(original), original[: len(original) // 2]), []).append((original, parent_ids))
    rows = []
    for variant, child_ids in sorted(a.child_quoted.items()):
        if variant in parent_words:
            continue
        found = []
        for original, parent_ids in by_head.get((len(variant), variant[: len(variant) // 2]), ()):
            d = variant_distance(original, variant)
            if d is not None:
                found.append((d, original, parent_ids))
        closest = min((d for d, *_ in found), default=None)
        if found and find_phrase(variant, parent_text, variants=False):
            continue  # the parent writes it too (unquoted): a name of its own, not a re-brand
        for d, original, parent_ids in found:
            if d != closest or is_region_swap(original, variant, regions):
                continue
            aligned = any((c, p) in linked for c in child_ids for p in parent_ids)
            evidence = "aligned pair" if aligned else ""
            if not evidence:
                contexts = [context_of(units[p].text, m.start, m.end) for p in parent_ids
                            for m in find_phrase(original, units[p].text, variants=False)]
                for c in child_ids:
                    text = cunits[c].text
                    if any(variant_evidence(original, text, m.start, m.end, contexts)
                           for m in find_phrase(variant, text, variants=False)):
                        evidence = "same context"
                        break
            if not evidence:
                continue
            rows.append((a.child_doc, a.parent_doc, original, variant, aligned, evidence, " ".join(parent_ids),
                         " ".join(child_ids), units[parent_ids[0]].text, cunits[child_ids[0]].text))
    df = pd.DataFrame(rows, columns=REBRAND_COLUMNS)
    return df.sort_values(["aligned", "parent_phrase"], ascending=[False, True], kind="stable").reset_index(drop=True)
