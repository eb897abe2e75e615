"""Chains down the hierarchy: a provincial clause → the city clause carrying
it → the county clause carrying that one, and where the chain breaks.

For every grandparent G → parent P → child C of the manifest (C also
compared with G), each body unit g of G gets one row per path:

* ``carried through`` — g → p (P carries g) → c (C carries p);
* ``stops at parent`` — P carries g, C carries none of those P units;
* ``skips parent`` — P does not carry g but C links to g directly;
* ``dropped`` — neither carries it.

``direct`` marks rows where C also links to g itself.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from align.decisions.result import Alignment

if TYPE_CHECKING:
    import pandas as pd

CHAIN_COLUMNS = ["grandparent_doc", "parent_doc", "child_doc", "status", "direct",
                 "grandparent_id", "grandparent_text", "parent_id", "parent_text", "parent_relation",
                 "child_id", "child_text", "child_relation"]


def _carriers(a: Alignment) -> dict[str, list]:
    """parent unit id → links of the child units carrying it."""
    out: dict[str, list] = {}
    for l in a.links:
        if l.parent is not None and l.relation != "local":
            out.setdefault(l.parent.unit_id, []).append(l)
    return out


def chains(g_to_p: Alignment, p_to_c: Alignment, g_to_c: Alignment) -> "pd.DataFrame":
    import pandas as pd

    gp, pc, gc = _carriers(g_to_p), _carriers(p_to_c), _carriers(g_to_c)
    G, P, C = g_to_p.parent_doc, g_to_p.child_doc, p_to_c.child_doc
    rows = []
    for g in g_to_p.parent_units:
        if g.kind != "body":
            continue
        direct = {l.child.unit_id for l in gc.get(g.unit_id, [])}
        via = gp.get(g.unit_id, [])
        if via:
            for lp in via:
                down = pc.get(lp.child.unit_id, [])
                if down:
                    for lc in down:
                        rows.append((G, P, C, "carried through", lc.child.unit_id in direct, g.unit_id, g.text,
                                     lp.child.unit_id, lp.child.text, lp.relation, lc.child.unit_id, lc.child.text,
                                     lc.relation))
                else:
                    rows.append((G, P, C, "stops at parent", False, g.unit_id, g.text, lp.child.unit_id,
                                 lp.child.text, lp.relation, "", "", ""))
        elif direct:
            for l in gc[g.unit_id]:
                rows.append((G, P, C, "skips parent", True, g.unit_id, g.text, "", "", "", l.child.unit_id,
                             l.child.text, l.relation))
        else:
            rows.append((G, P, C, "dropped", False, g.unit_id, g.text, "", "", "", "", "", ""))
    return pd.DataFrame(rows, columns=CHAIN_COLUMNS)


def triples(manifest, pairs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(grandparent, parent, child) where all three pairs are compared."""
    have = set(pairs)
    out = []
    for g, p in pairs:
        for p2, c in pairs:
            if p2 == p and (g, c) in have and (g, p, c) not in out:
                out.append((g, p, c))
    return out
