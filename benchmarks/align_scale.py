"""Aligning 50k child units against 50k parent units: time and peak memory.

Issue 3, speed target (b): a synthetic run — corpus sentences perturbed
(characters and words substituted, text inserted and deleted, clauses
reordered, place names swapped, numbers changed) — of 50,000 child units
against 50,000 parent units finishes in under 60 s with peak memory under
4 GB on the 2-core machine.

The data are generated from the sentences of the five bundled plans with a
seeded random generator, so a run is reproducible:

* parents: every corpus sentence perturbed into many variants, plus clauses
  of two or three sentences recombined, all distinct;
* children: a share (``--planted``, default 40 %) each derived from one
  known parent by a light perturbation; the rest recombined from clauses of
  random corpus sentences and perturbed more heavily (they may or may not
  echo some parent, as real plans do).

Units are built directly as :class:`align.records.Unit` records.  The corpus
model is built over parents and children (what ``align_documents`` does for
a pair without a shared model), then one :class:`~align.decisions.match.Aligner`
aligns the children (both share the work with forked processes at this
size: :mod:`align.forked`).  The figures: generation, model build,
alignment, total (model + alignment), each process's peak resident size
(``ru_maxrss``; pages shared after the fork count in each); from a second
run, the peak memory of the process and its workers together — their
proportional set sizes summed, sampled every 0.5 s (shared pages count
once; sampling reads each process's page tables, which slows a run by a
tenth, hence a run of its own); and, as a sanity check, how many planted
derivations were linked to their parent.

Usage::

    .venv/bin/python benchmarks/align_scale.py                 # 50k × 50k
    .venv/bin/python benchmarks/align_scale.py -n 10000        # smaller
    .venv/bin/python benchmarks/align_scale.py --no-memory-run   # time only
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

TARGET_S = 60.0
TARGET_GB = 4.0
SEED = 20240601
PLACES = ("浙江", "台州", "临海", "路桥", "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "丽水",
          "椒江", "黄岩", "温岭", "玉环", "天台", "仙居", "三门")
SELF_REFS = ("我省", "我市", "我区", "我县", "全省", "全市", "全区", "全县")
_CLAUSE = re.compile(r"(?<=[，；：、])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


# ---------------------------------------------------------------------------
# Synthetic data


class Perturber:
    """Random edits of plan sentences, drawing material from the corpus."""

    def __init__(self, sentences: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.sentences = sentences
        text = "".join(sentences)
        self.chars = sorted(set(_HAN.findall(text)))
        words = [text[i : i + 2] for i in range(0, len(text) - 1, 3)]
        self.words = [w for w in words if all(_HAN.match(c) for c in w)]
        self.phrases = [text[i : i + self.rng.randint(2, 6)] for i in range(0, len(text) - 6, 11)]
        self.phrases = [p for p in self.phrases if all(_HAN.match(c) for c in p)]

    def clauses(self, s: str) -> list[str]:
        return [c for c in _CLAUSE.split(s) if c]

    # single edits ----------------------------------------------------------
    def substitute_char(self, s: str) -> str:
        spots = [i for i, c in enumerate(s) if _HAN.match(c)]
        if not spots:
            return s
        i = self.rng.choice(spots)
        return s[:i] + self.rng.choice(self.chars) + s[i + 1 :]

    def substitute_word(self, s: str) -> str:
        if len(s) < 4:
            return s
        i = self.rng.randrange(len(s) - 2)
        return s[:i] + self.rng.choice(self.words) + s[i + 2 :]

    def insert(self, s: str) -> str:
        i = self.rng.randrange(len(s) + 1)
        return s[:i] + self.rng.choice(self.phrases) + s[i:]

    def delete(self, s: str) -> str:
        if len(s) < 12:
            return s
        n = self.rng.randint(1, 6)
        i = self.rng.randrange(len(s) - n)
        return s[:i] + s[i + n :]

    def reorder(self, s: str) -> str:
        parts = self.clauses(s)
        if len(parts) < 2:
            return s
        end = parts[-1][-1] if parts[-1][-1] in "。；！？" else ""
        body = [p.rstrip("，；：、。") for p in parts]
        self.rng.shuffle(body)
        return "，".join(b for b in body if b) + (end or "。")

    def swap_place(self, s: str) -> str:
        found = [p for p in PLACES + SELF_REFS if p in s]
        if not found:
            return self.substitute_word(s)
        old = self.rng.choice(found)
        pool = SELF_REFS if old in SELF_REFS else PLACES
        return s.replace(old, self.rng.choice([p for p in pool if p != old]))

    def change_number(self, s: str) -> str:
        nums = list(_DIGITS.finditer(s))
        if not nums:
            return self.insert(s)
        m = self.rng.choice(nums)
        return s[: m.start()] + str(self.rng.randint(1, 120)) + s[m.end() :]

    EDITS = ("substitute_char", "substitute_word", "insert", "delete", "reorder", "swap_place", "change_number")

    def perturb(self, s: str, edits: int) -> str:
        for _ in range(edits):
            s = getattr(self, self.rng.choice(self.EDITS))(s)
        return s

    def recombine(self, k: int) -> str:
        parts = []
        for s in self.rng.sample(self.sentences, k):
            cl = self.clauses(s)
            a = self.rng.randrange(len(cl))
            parts.extend(c.rstrip("，；：、。") for c in cl[a : a + self.rng.randint(1, 3)])
        return "，".join(p for p in parts if p) + "。"


def corpus_sentences() -> list[str]:
    from align.reading.corpus import default_manifest_path, load_manifest
    from align.reading.document import load_document

    manifest = load_manifest(default_manifest_path())
    out = []
    for e in manifest.documents:
        out.extend(u.text for u in load_document(e, manifest=manifest).units("sentence"))
    return [s for s in dict.fromkeys(out) if len(_HAN.findall(s)) >= 8]


def generate(n_parents: int, n_children: int, planted_share: float, seed: int = SEED):
    """Parent and child units, and the planted derivations (child index → parent index)."""
    from align.records import Unit
    from align.textnorm import matching_key

    rng = random.Random(seed)
    sentences = corpus_sentences()
    pert = Perturber(sentences, rng)

    parents: list[str] = []
    base: list[int] = []  # the corpus sentence each parent varies (-1: recombined)
    seen: set[str] = set()
    i = 0
    while len(parents) < n_parents:
        i += 1
        if rng.random() < 0.25:
            text, b = pert.recombine(rng.randint(2, 3)), -1
        else:
            b = i % len(sentences)
            text = pert.perturb(sentences[b], rng.randint(1, 4))
        if text not in seen:
            seen.add(text)
            parents.append(text)
            base.append(b)

    children: list[str] = []
    planted: dict[int, int] = {}
    while len(children) < n_children:
        if rng.random() < planted_share:
            j = rng.randrange(n_parents)
            planted[len(children)] = j
            children.append(pert.perturb(parents[j], rng.randint(1, 3)))
        else:
            children.append(pert.perturb(pert.recombine(rng.randint(1, 3)), rng.randint(2, 5)))

    def units(doc: str, texts: list[str], per_chapter: int) -> list[Unit]:
        out, pos = [], 0
        for k, t in enumerate(texts):
            chapter = f"{'一二三四五六七八九十'[(k // per_chapter) % 10]}、第{k // per_chapter + 1}部分"
            out.append(Unit(doc, f"u{k:06d}", (chapter,), k // 5, t, matching_key(t), pos, pos + len(t)))
            pos += len(t) + 1
        return out

    chapters = max(1, n_parents // 40)
    return (units("synthetic-parent", parents, chapters), units("synthetic-child", children, chapters),
            planted, base)


# ---------------------------------------------------------------------------
# Memory of the process and its workers


def _pss_kb(pid: int) -> int:
    """Proportional set size of a process (its private pages plus its share
    of pages shared with others: summed over processes, shared pages count once)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _child_pids(pid: int) -> list[int]:
    import glob

    out = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(path) as f:
                out += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return out


class MemorySampler:
    """Peak of the summed PSS of this process and its (forked) workers,
    sampled every ``interval`` seconds in a thread (Linux ``/proc``)."""

    def __init__(self, interval: float = 0.5) -> None:
        import os
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._pid = os.getpid()
        self._interval = interval
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = _pss_kb(self._pid) + sum(_pss_kb(c) for c in _child_pids(self._pid))
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(self._interval)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------------------
# One run


def one_run(n: int, planted_share: float, sample_memory: bool) -> dict:
    import contextlib
    import resource

    import jieba  # noqa: F401  (imports are start-up, as in align_speed)
    import Levenshtein  # noqa: F401
    import scipy.sparse  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401

    from align.decisions.match import Aligner, Settings
    from align.retrieval.model import CorpusModel

    t0 = time.perf_counter()
    parents, children, planted, base = generate(n, n, planted_share)
    t1 = time.perf_counter()
    cpu1 = os.times()
    settings = Settings()
    with (MemorySampler() if sample_memory else contextlib.nullcontext()) as memory:
        model = CorpusModel(parents + children, regions=("浙江省", "台州市"), ngram_range=settings.ngram_range,
                            word_weight=settings.word_weight)
        t2 = time.perf_counter()
        links = Aligner(settings, model=model).fit(parents).align_links(children)
        t3 = time.perf_counter()
    cpu2 = os.times()

    index = {u.unit_id: k for k, u in enumerate(parents)}
    linked: dict[int, set[int]] = {}
    child_index = {u.unit_id: k for k, u in enumerate(children)}
    relations: dict[str, int] = {}
    for l in links:
        relations[l.relation] = relations.get(l.relation, 0) + 1
        if l.parent is not None and l.relation != "local":
            linked.setdefault(child_index[l.child.unit_id], set()).add(index[l.parent.unit_id])
    found = sum(1 for c, p in planted.items() if p in linked.get(c, ()))
    sibling = sum(1 for c, p in planted.items() if p not in linked.get(c, ()) and base[p] >= 0
                  and any(base[q] == base[p] for q in linked.get(c, ())))
    return {
        "n": n, "generate": t1 - t0, "model": t2 - t1, "align": t3 - t2, "total": t3 - t1,
        "cpu": sum(cpu2[:4]) - sum(cpu1[:4]),  # user + system, this process and its (joined) workers
        "maxrss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9,
        "workers_maxrss_gb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e9,
        "pss_gb": memory.peak_kb * 1024 / 1e9 if sample_memory else None,
        "links": len(links), "relations": relations, "planted": len(planted), "found": found, "sibling": sibling,
        "children_linked": len(linked),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=50_000, help="parent units and child units (each)")
    ap.add_argument("--planted", type=float, default=0.4, help="share of children derived from a known parent")
    ap.add_argument("--no-memory-run", "--no-tracemalloc", dest="no_memory_run", action="store_true",
                    help="skip the second run that samples memory (peak RSS per process is still shown)")
    ap.add_argument("--once", choices=("plain", "memory"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.once:
        print(json.dumps(one_run(args.n, args.planted, args.once == "memory")))
        return 0

    def run(kind: str) -> dict:
        out = subprocess.run([sys.executable, __file__, "-n", str(args.n), "--planted", str(args.planted),
                              "--once", kind], check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    r = run("plain")
    print(f"align_scale: {r['n']:,} child units against {r['n']:,} parent units (seed {SEED})")
    print(f"generate units               {r['generate']:7.2f} s   (not counted)")
    print(f"corpus model + index         {r['model']:7.2f} s")
    print(f"align                        {r['align']:7.2f} s")

    def verdict(target: str, met: bool) -> str:
        if r["n"] != 50_000:
            return f"(the target, {target}, is for 50,000 × 50,000)"
        return f"(target {target}: {'met' if met else 'NOT met'})"

    print(f"total                        {r['total']:7.2f} s   {verdict(f'< {TARGET_S:.0f} s', r['total'] < TARGET_S)}")
    print(f"  CPU time                   {r['cpu']:7.2f} s   (this process and its workers: less noisy than wall time)")
    print(f"peak RSS                     {r['maxrss_gb']:7.2f} GB  main process; largest worker "
          f"{r['workers_maxrss_gb']:.2f} GB (pages shared after the fork count in both)")
    if not args.no_memory_run:
        m = run("memory")
        print(f"peak memory (summed PSS)     {m['pss_gb']:7.2f} GB  "
              f"{verdict(f'< {TARGET_GB:.0f} GB', m['pss_gb'] < TARGET_GB)}  (second run, sampled every 0.5 s)")
    else:
        bound = r["maxrss_gb"] + r["workers_maxrss_gb"]
        print(f"peak memory, at most         {bound:7.2f} GB  {verdict(f'< {TARGET_GB:.0f} GB', bound < TARGET_GB)}"
              "  (sum of the peak RSS above; the memory run gives the real figure)")
    rel = ", ".join(f"{k} {v:,}" for k, v in sorted(r["relations"].items()))
    print(f"links                        {r['links']:,} ({rel}); children linked {r['children_linked']:,}")
    print(f"planted derivations found    {r['found']:,} of {r['planted']:,} ({r['found'] / max(r['planted'], 1):.1%}); "
          f"{r['sibling']:,} more linked to another variant of the same sentence")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
