"""Calibrate the aligner's decision values by cross-validation over labelled gold.

``python -m align.decisions.calibrate GOLD.jsonl… [--folds 5] [--grid small|full|wide]``
(``--sensitivity``: instead, each decision value moved by ±15 % in turn)

For every combination of a small grid over the few decision values that
matter most (:data:`GRID`: the textual-derivation mass and coverage, the
programme-term weight that makes a ``partial`` link, how much a use in the
national background counts), every gold pair
is aligned once (the pair's corpus model is built once per value of the
knobs it depends on) and each gold item scored
(:func:`align.decisions.evaluate.score_items`).  Then, fold by fold (scikit-learn's
``GroupKFold``; a group is one chapter of one child plan, so neighbouring
sentences — and the same sentence labelled against two parents — never sit
on both sides), the combination with the best pooled F1 on the training
folds (by :func:`_objective`) is chosen and its results on the held-out
fold are kept.  Each item is
so predicted exactly once by settings chosen without it.

Printed per gold pair: the in-sample figures of the defaults, the in-sample
figures of the best combination, and the cross-validated figures (pooled over
the held-out folds) with their spread (standard deviation of F1 over the
folds that hold positives), plus the values each fold chose.  A large
gap between in-sample and cross-validated figures means the settings fit the
labelled items, not the task.
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from dataclasses import replace
from pathlib import Path

from align.decisions.evaluate import POSITIVE, ItemResult, LinkView, read_gold, score_items

#: the decision values calibrated, and the values tried (the defaults of Settings are among them)
GRID = {
    "national_scale": (3.0, 10.0, 30.0),
    "anchor_weight": (0.55, 0.65, 0.75),
    "min_mass": (5.0, 7.0, 9.0),
    "mass_relief": (0.0, 2.0, 4.0),
}
MODEL_KNOBS = ("national_scale", "ngram_range", "word_weight")  # knobs the pair's corpus model depends on
SMALL_GRID = {k: GRID[k] for k in ("anchor_weight", "min_mass", "mass_relief")}
#: the three decision knobs one step either side of the defaults (``--grid wide``): whether the
#: values the folds choose lie inside the values tried, not at their edge
WIDE_GRID = {"national_scale": (10.0,), "anchor_weight": (0.65, 0.75, 0.85), "min_mass": (7.0, 9.0, 11.0),
             "mass_relief": (2.0, 4.0, 6.0)}
PARTIAL_SHARE = 0.25  # in the objective: F1 + this × partial recall (partial links are recall-only in the gold)


def metrics(results: list[ItemResult]) -> dict[str, float | None]:
    """Pooled precision, recall, F1 (None where undefined), false-link rate and partial recall."""
    pos = [r for r in results if r.item.kind in POSITIVE]
    none = [r for r in results if r.item.kind == "none"]
    part = [r for r in results if r.item.kind == "partial"]
    tp = sum(1 for r in pos if r.correct)
    fp = sum(1 for r in none if r.linked) + sum(1 for r in pos if r.linked and not r.correct)
    p = tp / (tp + fp) if tp + fp else None
    rec = tp / len(pos) if pos else None
    f1 = (2 * p * rec / (p + rec) if p + rec else 0.0) if p is not None and rec is not None else None
    return {"precision": p, "recall": rec, "f1": f1, "tp": tp, "fp": fp, "positives": len(pos),
            "false_links": (sum(1 for r in none if r.linked) / len(none)) if none else None,
            "partial_recall": (sum(1 for r in part if r.correct) / len(part)) if part else None}


def _objective(results: list[ItemResult]) -> float:
    """What the calibration maximises: pooled F1 (false links on ``none``
    items count against it), plus :data:`PARTIAL_SHARE` × partial recall."""
    m = metrics(results)
    return (m["f1"] or 0.0) + PARTIAL_SHARE * (m["partial_recall"] or 0.0)


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def run(gold_paths: list[Path], *, folds: int = 5, grid: dict | None = None, out=sys.stdout) -> dict:
    from sklearn.model_selection import GroupKFold

    from align.reading.corpus import default_manifest_path, load_manifest
    from align.reading.document import load_document
    from align.decisions.match import Aligner, Settings
    from align.retrieval.model import pair_model

    grid = grid or GRID
    base = Settings()
    manifest = load_manifest(default_manifest_path())
    docs: dict[str, object] = {}
    by_pair: dict[tuple[str, str], list] = {}
    for path in gold_paths:
        for it in read_gold(path):
            by_pair.setdefault((it.child_doc, it.parent_doc), []).append(it)
    names = list(grid)
    combos = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
    default = {k: getattr(base, k) for k in names}
    if default not in combos:
        combos.append(default)
    # results[c][pair] = item results of combination c
    results: list[dict[tuple[str, str], list[ItemResult]]] = [dict() for _ in combos]
    for (child_id, parent_id), items in by_pair.items():
        for d in (child_id, parent_id):
            if d not in docs:
                docs[d] = load_document(d, manifest=manifest)
        child, parent = docs[child_id], docs[parent_id]
        units = lambda doc: doc.alignable(base.unit)  # noqa: E731
        models = {}
        for c, combo in enumerate(combos):
            key = tuple(combo.get(k, getattr(base, k)) for k in MODEL_KNOBS)
            if key not in models:
                models.clear()
                models[key] = pair_model(units(parent), units(child), settings=replace(base, **combo),
                                         regions=[d.entry.region for d in (parent, child) if d.entry.region])
            model = models[key]
            links = Aligner(replace(base, **combo), model=model).fit(parent).align_links(child)
            views = [LinkView(l.child.unit_id, l.parent.unit_id if l.parent else None, l.relation, l.score,
                              l.parent.text if l.parent else "") for l in links]
            results[c][(child_id, parent_id)] = score_items(items, child, parent, units(child), units(parent),
                                                            views).items
        print(f"aligned {child_id} ← {parent_id} with {len(combos)} settings", file=sys.stderr)

    # groups: one chapter of one child plan
    pairs = list(by_pair)
    order = [(pair, i) for pair in pairs for i in range(len(by_pair[pair]))]
    chapter = {}
    for pair in pairs:
        child = docs[pair[0]]
        for i, r in enumerate(results[0][pair]):
            sect = ""
            for u in child.alignable(base.unit):
                if u.unit_id in r.child_units:
                    sect = u.section[0] if u.section else ""
                    break
            chapter[(pair, i)] = f"{pair[0]}|{sect}"
    groups = [chapter[k] for k in order]
    k = min(folds, len(set(groups)))
    held: dict[tuple, ItemResult] = {}
    fold_f1: dict[tuple[str, str], list[float]] = {p: [] for p in pairs}
    chosen: list[dict] = []
    for train, test in GroupKFold(n_splits=k).split(order, groups=groups):
        train_keys = [order[i] for i in train]
        best = max(range(len(combos)),
                   key=lambda c: (_objective([results[c][p][i] for p, i in train_keys]), combos[c] == default))
        chosen.append(combos[best])
        test_keys = [order[i] for i in test]
        for p, i in test_keys:
            held[(p, i)] = results[best][p][i]
        for pair in pairs:
            m = metrics([results[best][p][i] for p, i in test_keys if p == pair])
            if m["positives"] and m["f1"] is not None:
                fold_f1[pair].append(m["f1"])

    # in-sample: defaults, and the best combination on all items
    everything = [(p, i) for p, i in order]
    best_all = max(range(len(combos)),
                   key=lambda c: (_objective([results[c][p][i] for p, i in everything]), combos[c] == default))
    d_index = combos.index(default)
    report = {"pairs": {}, "chosen": chosen, "best_in_sample": combos[best_all], "default": default}
    print(f"\n{len(combos)} settings over {', '.join(names)}; {k}-fold GroupKFold by child chapter "
          f"({len(set(groups))} groups, {len(order)} items)", file=out)
    head = f"{'pair':58} {'':14} {'P':>5} {'R':>5} {'F1':>5} {'±F1':>5} {'false':>6} {'part.':>6}"
    print(head, file=out)
    for pair in pairs + [("all", "")]:
        keys = [(p, i) for p, i in order if pair[0] == "all" or p == pair]
        rows = {
            "in-sample, defaults": metrics([results[d_index][p][i] for p, i in keys]),
            "in-sample, best": metrics([results[best_all][p][i] for p, i in keys]),
            "cross-validated": metrics([held[(p, i)] for p, i in keys]),
        }
        spread = fold_f1.get(pair, [f for fs in fold_f1.values() for f in fs]) if pair[0] != "all" else \
            [f for fs in fold_f1.values() for f in fs]
        sd = statistics.pstdev(spread) if len(spread) > 1 else None
        label = "all pairs" if pair[0] == "all" else f"{pair[0]} ← {pair[1]}"
        for what, m in rows.items():
            print(f"{label[:58]:58} {what:14.14} {_fmt(m['precision']):>5} {_fmt(m['recall']):>5} {_fmt(m['f1']):>5} "
                  f"{_fmt(sd) if what == 'cross-validated' else '':>5} {_fmt(m['false_links']):>6} "
                  f"{_fmt(m['partial_recall']):>6}", file=out)
            label = ""
        report["pairs"][pair] = {**rows, "f1_sd": sd}
    print("\nchosen per fold: " + "; ".join(", ".join(f"{k}={v:g}" for k, v in c.items()) for c in chosen), file=out)
    print("best in sample: " + ", ".join(f"{k}={v:g}" for k, v in combos[best_all].items()) +
          " | defaults: " + ", ".join(f"{k}={v:g}" for k, v in default.items()), file=out)
    return report


def sensitivity(gold_paths: list[Path], *, step: float = 0.15, out=sys.stdout) -> list[tuple]:
    """In-sample figures of the defaults and of each numeric decision value
    moved by ±``step`` (one at a time): which values the results hang on."""
    from dataclasses import fields

    from align.reading.corpus import default_manifest_path, load_manifest
    from align.decisions.evaluate import evaluate_gold
    from align.decisions.match import Settings

    manifest = load_manifest(default_manifest_path())
    docs: dict = {}
    base = Settings()

    def run_with(s) -> dict:
        items = [it for path in gold_paths for r in evaluate_gold(path, manifest, s, docs) for it in r.items]
        return metrics(items)

    ref = run_with(base)
    rows = [("defaults", "", ref)]
    skip = {"top_k", "min_phrase", "identical_min_chars", "prior_min_links"}  # counts, not thresholds
    for f in fields(base):
        value = getattr(base, f.name)
        if f.name in skip or isinstance(value, bool) or not isinstance(value, (int, float)) or not value:
            continue
        for factor in (1 - step, 1 + step):
            moved = round(value * factor, 4) if isinstance(value, float) else round(value * factor)
            rows.append((f.name, moved, run_with(replace(base, **{f.name: moved}))))
    print(f"{'value moved':24} {'to':>7} {'F1':>5} {'ΔF1':>6} {'false':>6} {'part.':>6}", file=out)
    for name, moved, m in rows:
        delta = (m["f1"] or 0) - (ref["f1"] or 0)
        print(f"{name:24} {moved!s:>7} {_fmt(m['f1']):>5} {delta:+.3f} {_fmt(m['false_links']):>6} "
              f"{_fmt(m['partial_recall']):>6}", file=out)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m align.decisions.calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", nargs="+", type=Path, help="gold .jsonl files (../shared/gold/*.jsonl)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--grid", choices=("small", "full", "wide"), default="full",
                    help="full: GRID; small: without national_scale; wide: one step either side of the defaults")
    ap.add_argument("--sensitivity", action="store_true",
                    help="instead: the in-sample figures with each decision value moved by ±15 %%")
    args = ap.parse_args(argv)
    if args.sensitivity:
        sensitivity(args.gold)
    else:
        run(args.gold, folds=args.folds, grid={"small": SMALL_GRID, "full": GRID, "wide": WIDE_GRID}[args.grid])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
