"""The quick script of ``../shared/gold/BASELINES.md`` beside planecho, on the same labelled items.

Issue 12 asks that planecho link better than a 60-line character n-gram script
on labels it was not tuned on.  This is that script, as BASELINES.md describes
it: the plan text with its whitespace removed, split after 。！？；; character
2–3-gram TF-IDF (sublinear) over both plans; each child sentence's top 5
parent sentences by cosine re-ranked by 0.5·cosine + 0.5·rapidfuzz
``partial_ratio``; a link when that reaches 0.40.  Its links are scored by the
same procedure as planecho's (:func:`align.decisions.evaluate.score_items`,
FORMAT.md), and planecho's figures on the same items are printed beside them.
On ``../shared/gold/taizhou-from-zhejiang.jsonl`` it reproduces BASELINES.md's
row (P 0.89, R 0.93, F1 0.91, partial 0.22, false links 0.08).

Usage::

    .venv/bin/python benchmarks/quick_baseline.py benchmarks/heldout/*.jsonl ../shared/gold/*.jsonl
    .venv/bin/python benchmarks/quick_baseline.py --pool benchmarks/heldout/taizhou-from-zhejiang-[a23].jsonl
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

THRESHOLD = 0.40
TOP = 5


def sentences(doc_id: str, text: str) -> list[SimpleNamespace]:
    """Whitespace-free sentences (split after 。！？；), with their spans in ``text``."""
    kept = [i for i, ch in enumerate(text) if not ch.isspace()]
    flat = "".join(text[i] for i in kept)
    out = []
    for m in re.finditer(r"[^。！？；]+[。！？；]?", flat):
        if len(m.group()) >= 2:
            out.append(SimpleNamespace(unit_id=f"{doc_id}:{m.start()}", start=kept[m.start()],
                                       end=kept[m.end() - 1] + 1, text=m.group()))
    return out


def quick_links(child: list, parent: list) -> list:
    """The quick script's links of ``child`` sentences to ``parent`` sentences."""
    from rapidfuzz import fuzz
    from sklearn.feature_extraction.text import TfidfVectorizer

    from align.decisions.evaluate import LinkView

    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
    vec.fit([u.text for u in child + parent])
    sims = (vec.transform([u.text for u in child]) @ vec.transform([u.text for u in parent]).T).toarray()
    links = []
    for i, u in enumerate(child):
        def rerank(j: int) -> float:
            return 0.5 * sims[i, j] + 0.5 * fuzz.partial_ratio(u.text, parent[j].text) / 100

        best = max(sims[i].argsort()[::-1][:TOP], key=rerank)
        if rerank(best) >= THRESHOLD:
            links.append(LinkView(u.unit_id, parent[best].unit_id, "adapted", rerank(best), parent[best].text))
    return links


def _row(name: str, m: dict) -> str:
    from align.decisions.calibrate import _fmt

    def f(x: float | None) -> str:
        return _fmt(None if x is None else round(x, 6))  # 0.725 and 0.7250000000000001 print alike

    return (f"  {name:9} P {f(m['precision'])}  R {f(m['recall'])}  F1 {f(m['f1'])}  "
            f"false links {f(m['false_links'])}  partial {f(m['partial_recall'])}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", nargs="+", type=Path, help="labelled items (the format of ../shared/gold)")
    ap.add_argument("--pool", action="store_true",
                    help="also pool the items of every file per (child, parent) pair (give each sentence once)")
    args = ap.parse_args(argv)

    from align.decisions.calibrate import metrics
    from align.decisions.evaluate import evaluate_gold, read_gold, score_items
    from align.reading.corpus import default_manifest_path, load_manifest
    from align.reading.document import load_document

    manifest = load_manifest(default_manifest_path())
    docs: dict = {}
    pooled: dict[tuple[str, str], tuple[list, list, int]] = {}  # pair → quick's items, planecho's, files
    lines: list[str] = []  # printed once every file is scored: a bad file stops the run before any figure
    for path in args.gold:
        items = read_gold(path)
        pairs: dict[tuple[str, str], list] = {}
        for it in items:
            pairs.setdefault((it.child_doc, it.parent_doc), []).append(it)
        ours = {(r.child_doc, r.parent_doc): r for r in evaluate_gold(path, manifest, docs=docs)}
        for (child_id, parent_id), group in pairs.items():
            for d in (child_id, parent_id):
                if d not in docs:
                    docs[d] = load_document(d, manifest=manifest)
            c, p = docs[child_id], docs[parent_id]
            cu, pu = sentences(child_id, c.original), sentences(parent_id, p.original)
            quick = score_items(group, c, p, cu, pu, quick_links(cu, pu))
            mine = ours[(child_id, parent_id)].items
            lines += [f"{path.name}: {child_id} ← {parent_id} ({len(group)} items)",
                      _row("quick", metrics(quick.items)), _row("planecho", metrics(mine))]
            q, o, n = pooled.get((child_id, parent_id), ([], [], 0))
            pooled[(child_id, parent_id)] = (q + quick.items, o + mine, n + 1)
    if args.pool:
        for (child_id, parent_id), (q, o, n) in pooled.items():
            lines += [f"pooled over {n} files: {child_id} ← {parent_id} ({len(o)} items)",
                      _row("quick", metrics(q)), _row("planecho", metrics(o))]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    from align.errors import PlanechoError

    try:
        raise SystemExit(main())
    except (PlanechoError, OSError) as e:  # a gold file that cannot be read or names no manifest plan
        print(f"quick_baseline: error: {e}", file=sys.stderr)
        raise SystemExit(2)
