"""``planecho eval`` shows "—" where a figure is undefined, never a made-up 1.00."""
import io

from rich.console import Console

from align.decisions.evaluate import GoldItem, ItemResult, LinkView, PairEval
from compare.render import render_eval


def _item(kind, linked):
    gold = GoldItem(f"i-{kind}-{linked}", "c", "p", "子句", None if kind == "none" else "父句", kind)
    links = [LinkView("c1", "p1", "partial", 0.3)] if linked else []
    return ItemResult(gold, ["c1"], links, links if kind != "none" else [])


def test_a_pair_without_derived_items_has_no_precision_recall_or_f1():
    result = PairEval("c", "p", [_item("none", False), _item("none", False)])
    c = result.counts()
    assert c["precision"] is None and c["recall"] is None and c["f1"] is None
    assert c["false_link_rate"] == 0.0 and c["partial_recall"] is None
    out = io.StringIO()
    render_eval(result, Console(file=out, width=200), show_errors=False)
    row = next(line for line in out.getvalue().splitlines() if "of 2" in line)
    assert row.count("—") >= 3 and "1.00" not in row


def test_defined_figures_are_still_computed():
    c = PairEval("c", "p", [_item("paraphrase", True), _item("verbatim", False), _item("none", True)]).counts()
    assert (c["precision"], c["recall"]) == (0.5, 0.5) and c["f1"] == 0.5 and c["false_link_rate"] == 1.0
