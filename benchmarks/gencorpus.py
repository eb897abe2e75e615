"""A generated national corpus: N plans, nation → provinces → cities → counties,
whose expected echo is known for every (child, ancestor) pair.

The plans are made of real plan sentences — the body sentences of the
bundled plans (``corpora/``), as planecho segments them — so the engine
meets real wording; the hierarchy is made by hand-free, seeded rules:

* the sentences are de-duplicated (no two share a run of ``SHARED`` or more
  characters, so no two unrelated sentences echo each other by more than a
  phrase) and split into four pools, one per level: a plan's *own*
  sentences come from its level's pool, so no plan above it holds them;
* the nation's plan is ``--nation`` sentences of its pool;
* each child plan **carries** a share of its parent's sentences, in order
  (the others are **dropped**; the drop rate is drawn per plan), some of them
  **reworded** the way a lower level does (a number changed, a self-reference
  turned to its own level: 全省 → 全市, or 进一步 inserted before a verb —
  edits planecho counts as verbatim), and **adds** its own sentences (the add
  rate, drawn per plan, is their share of the plan's sentences) at random
  places between them.

Every sentence remembers the plans it passed through, so for a plan and any
ancestor the **planted echo** is the share of the plan's characters (body
sentences) that came from that ancestor — what planecho's echo (weight 1
for verbatim) should find.  ``expected.csv`` lists it for every pair.

Output: one ``.txt`` per plan (a title line, then paragraphs of 3–5
sentences under chapter headings), ``manifest.toml`` and ``expected.csv``.

Usage::

    .venv/bin/python benchmarks/gencorpus.py OUT_DIR -n 300 [--seed 1]

From Python (tests, benchmarks)::

    from gencorpus import generate
    corpus = generate("/tmp/national", 30)       # -> Generated (manifest path, expected echoes)
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20260101
SHARED = 8  # two kept sentences never share a run of this many characters (punctuation aside)
NATION_SENTENCES = 120
DROP = (0.25, 0.6)  # a child drops this share of its parent's sentences (drawn per plan)
ADD = (0.15, 0.5)  # a child's own sentences are this share of its sentences (drawn per plan)
REWORD = 0.3  # share of carried sentences reworded
LEVEL_SELF = {"nation": "全国", "province": "全省", "city": "全市", "county": "全县"}
_SELF = re.compile(r"全国|全省|全市|全县|全区|我国|我省|我市|我县|我区")
_DIGIT = re.compile(r"\d")
_VERB = re.compile(r"推进|加快|加强|实施|完善|提升|建设")
_PUNCT = re.compile(r"[\W\d_]+")
_STOPS = "。！？；"
NUMERALS = "一二三四五六七八九十"
# made-up place names (no real region's wording is needed): two characters + the level's suffix
NAME_CHARS = "安宁平和泰康丰瑞清明嘉兴华远长乐永定文德昌盛新阳云川江山海湖林泉"


@dataclass
class Sentence:
    text: str
    lineage: frozenset[str]  # ids of the plans it passed through (added in the first)


@dataclass
class Plan:
    id: str
    level: str
    region: str
    parent: "Plan | None"
    sentences: list[Sentence] = field(default_factory=list)

    def ancestors(self) -> list["Plan"]:
        out, p = [], self.parent
        while p is not None:
            out.append(p)
            p = p.parent
        return out


@dataclass
class Generated:
    manifest: Path
    #: (child id, ancestor id) -> planted echo in [0, 1]
    expected: dict[tuple[str, str], float]
    plans: list[Plan]


def planted_echo(child: Plan, ancestor: Plan) -> float:
    total = sum(len(s.text) for s in child.sentences)
    came = sum(len(s.text) for s in child.sentences if ancestor.id in s.lineage)
    return round(came / total, 4) if total else 0.0


def source_sentences(manifest_path: str | Path | None = None) -> list[str]:
    """Body sentences of the bundled plans, as planecho segments them,
    de-duplicated so that no two share a run of ``SHARED`` characters."""
    from align.reading.corpus import default_manifest_path, load_manifest
    from align.reading.document import load_document

    m = load_manifest(manifest_path or default_manifest_path())
    seen: set[str] = set()
    out: list[str] = []
    for entry in m.documents:
        for u in load_document(entry, manifest=m).units("sentence"):
            t = u.text.strip()
            if u.kind != "body" or not 16 <= len(t) <= 120 or t[-1] not in _STOPS or "\n" in t:
                continue
            t = t[:-1] + "。"  # a sentence ending in ； would run into the next one
            key = _PUNCT.sub("", t)
            grams = {key[i : i + SHARED] for i in range(len(key) - SHARED + 1)}
            if not grams or grams & seen:
                continue
            seen |= grams
            out.append(t)
    return out


def reword(text: str, level: str, rng: random.Random) -> str:
    """A lower level's light rewording: a number changed, the self-reference of its level, or 进一步."""
    digits = [m.start() for m in _DIGIT.finditer(text)]
    if digits and rng.random() < 0.5:
        i = rng.choice(digits)
        return text[:i] + str((int(text[i]) + rng.randint(1, 8)) % 10) + text[i + 1 :]
    found = _SELF.search(text)
    if found:
        return text[: found.start()] + LEVEL_SELF[level] + text[found.end() :]
    verb = _VERB.search(text)
    if verb and "进一步" not in text:
        return text[: verb.start()] + "进一步" + text[verb.start() :]
    return text


def _shape(n: int) -> tuple[int, int, int]:
    """(provinces, cities, counties) for ``n`` plans in all (one is the nation)."""
    if n < 4:
        raise ValueError("a national corpus needs at least 4 plans (nation, province, city, county)")
    provinces = max(1, round(0.04 * n))
    cities = max(provinces, round(0.2 * n))
    counties = n - 1 - provinces - cities
    if counties < cities:
        cities = max(provinces, (n - 1 - provinces) // 2)
        counties = n - 1 - provinces - cities
    return provinces, cities, counties


def _names(rng: random.Random, count: int, suffix: str, used: set[str]) -> list[str]:
    out = []
    while len(out) < count:
        name = "".join(rng.sample(NAME_CHARS, 2)) + suffix
        if name not in used:
            used.add(name)
            out.append(name)
    return out


def _child(plan: Plan, pool: list[str], rng: random.Random) -> None:
    parent = plan.parent
    assert parent is not None
    drop, add = rng.uniform(*DROP), rng.uniform(*ADD)
    kept = [s for s in parent.sentences if rng.random() >= drop] or parent.sentences[:1]
    own_n = max(1, round(len(kept) * add / (1 - add)))
    carried = []
    for s in kept:
        text = reword(s.text, plan.level, rng) if rng.random() < REWORD else s.text
        carried.append(Sentence(text, s.lineage | {plan.id}))
    own = [Sentence(t, frozenset({plan.id})) for t in rng.sample(pool, min(own_n, len(pool)))]
    slots = sorted(rng.randrange(len(carried) + 1) for _ in own)
    out: list[Sentence] = []
    j = 0
    for i, s in enumerate(carried):
        while j < len(own) and slots[j] <= i:
            out.append(own[j])
            j += 1
        out.append(s)
    out.extend(own[j:])
    plan.sentences = out


def _text(plan: Plan, title: str, rng: random.Random) -> str:
    lines = [title, ""]
    chapter, i = 0, 0
    sents = [s.text for s in plan.sentences]
    while i < len(sents):
        chapter += 1
        numeral = NUMERALS[chapter - 1] if chapter <= 10 else f"十{NUMERALS[(chapter - 11) % 10]}"
        lines += [f"第{numeral}章　重点任务{chapter}", ""]
        end = min(len(sents), i + rng.randint(8, 16))
        while i < end:
            k = rng.randint(3, 5)
            lines += ["".join(sents[i : min(end, i + k)]), ""]
            i = min(end, i + k)
    return "\n".join(lines)


def generate(out_dir: str | Path, n: int, *, seed: int = SEED, nation: int = NATION_SENTENCES,
             sentences: list[str] | None = None) -> Generated:
    """Write ``n`` plans, ``manifest.toml`` and ``expected.csv`` to ``out_dir``."""
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pool = list(sentences if sentences is not None else source_sentences())
    rng.shuffle(pool)
    q = len(pool) // 4
    pools = {"nation": pool[:q], "province": pool[q : 2 * q], "city": pool[2 * q : 3 * q], "county": pool[3 * q :]}
    n_prov, n_city, n_county = _shape(n)
    used: set[str] = set()
    top = Plan("nation", "nation", "中华人民共和国", None,
               [Sentence(t, frozenset({"nation"})) for t in pools["nation"][:nation]])
    plans = [top]
    provinces = [Plan(f"province-{i:03d}", "province", r, top)
                 for i, r in enumerate(_names(rng, n_prov, "省", used))]
    cities = [Plan(f"city-{i:04d}", "city", r, provinces[i % n_prov])
              for i, r in enumerate(_names(rng, n_city, "市", used))]
    counties = [Plan(f"county-{i:05d}", "county", r, cities[i % n_city])
                for i, r in enumerate(_names(rng, n_county, "县", used))]
    for level in (provinces, cities, counties):
        for plan in level:
            _child(plan, pools[plan.level], rng)
        plans += level
    entries = []
    for plan in plans:
        title = f"{plan.region}国民经济和社会发展第十四个五年规划纲要"
        (out / f"{plan.id}.txt").write_text(_text(plan, title, rng), encoding="utf-8")
        parents = f'["{plan.parent.id}"]' if plan.parent else "[]"
        entries.append(f'[[document]]\nid = "{plan.id}"\ntitle = "{title}"\nlevel = "{plan.level}"\n'
                       f'region = "{plan.region}"\ndate = "2021-06"\nfile = "{plan.id}.txt"\nparents = {parents}\n')
    manifest = out / "manifest.toml"
    manifest.write_text(f"# Generated by benchmarks/gencorpus.py: {n} plans, seed {seed}.\n\n" + "\n".join(entries),
                        encoding="utf-8")
    expected = {(p.id, a.id): planted_echo(p, a) for p in plans for a in p.ancestors()}
    with open(out / "expected.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["child_doc", "parent_doc", "planted_echo"])
        for (c, a), e in expected.items():
            w.writerow([c, a, e])
    return Generated(manifest, expected, plans)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("-n", type=int, default=100, help="number of plans (default 100)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--nation", type=int, default=NATION_SENTENCES, help="sentences of the nation's plan")
    args = ap.parse_args(argv)
    g = generate(args.out_dir, args.n, seed=args.seed, nation=args.nation)
    levels = {}
    for p in g.plans:
        levels[p.level] = levels.get(p.level, 0) + 1
    print(f"{len(g.plans)} plans ({', '.join(f'{v} {k}' for k, v in levels.items())}), {len(g.expected)} pairs; "
          f"manifest {g.manifest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
