"""Our own code against the library it stands in for, on the main job's data.

The project keeps a re-implementation of a library only where it is at least
2× faster on a job users run, tested equal (issue 12).  This prints the
ratios that decided the three cases, so the decision can be re-checked:

* ``tokens``: the route search of ``align/retrieval/tokens.py`` (removed) against
  jieba's own ``Tokenizer.lcut(text, HMM=False)`` with the same dictionary
  and user words, on every matching form the job tokenizes;
* ``index``: the NumPy term counting of ``align/retrieval/index.py`` (kept) against
  scikit-learn's ``TfidfVectorizer`` (``analyzer="char"``, 2–4-grams, and a
  word view with the jieba tokenizer, ``token_pattern=None``), fitting and
  transforming what the job does (the words are cut beforehand for both);
* ``words``: jieba-rs (``rjieba``, what ``align/retrieval/tokens.py`` cuts
  with now) against jieba's ``Tokenizer.lcut(text, HMM=False)`` on the same
  forms (the same words, checked), and loading each one's dictionary in a
  fresh process — a library chosen over another for speed, not own code;
* ``tfidf``: the TF-IDF weighting of ``align/retrieval/index.py``
  (:class:`~align.retrieval.index.SublinearTfidf`, kept) against
  scikit-learn's ``TfidfTransformer``: importing scikit-learn (in a fresh
  process, the cost a cold command pays) plus fitting and weighting the
  job's count matrices, against the own weighting alone (same matrices);
* ``tiling``: the numba tiling of ``align/retrieval/tiling_jit.py`` (removed) against
  the Python tiling of ``align/retrieval/tiling.py``, on every pair the job tiles.

The removed code is read from the commit before its removal (``--rev``,
git is needed) into a package of its own; the tiling kernel needs numba,
which planecho no longer installs (``pip install numba`` to re-check it).
The index is the one in ``align/`` now.

The job is the pair-scoring loop of ``planecho run``: every (ancestor,
descendant) pair of the bundled manifest, each with its own pair model
(:func:`align.retrieval.model.pair_model`), no result cache.  It is run once to record
the inputs each part receives; each part is then timed on those inputs, own
and library interleaved (the order alternating), in ``--repeats`` rounds.
Figures are medians; the machine is shared, so the load is printed, and
the per-round ratios are shown beside the ratio of the medians.  The job's
line gives what the part's own time saves on the whole loop.

Usage::

    .venv/bin/python benchmarks/libraries.py               # 7 rounds
    .venv/bin/python benchmarks/libraries.py --repeats 3 --only tokens index
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN_REV = "432b3a8"  # main before the re-implementations were replaced (issue 12)
OWN_FILES = ("index.py", "tokens.py", "tiling.py", "tiling_jit.py", "lexicon.py", "textnorm.py", "errors.py")
PARTS = ("tokens", "index", "words", "tfidf", "tiling")
_WORD = re.compile(r"\w")


def own_package(rev: str, into: Path):
    """The engine files of ``rev`` as the package ``planecho_own`` (imported from ``into``)."""
    pkg = into / "planecho_own"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name in OWN_FILES:
        src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:align/{name}"], check=True,
                             capture_output=True, text=True).stdout
        (pkg / name).write_text(src, encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module("planecho_own")


def record_job():
    """Run the job once; return its wall time and what each part received."""
    import align.retrieval.features
    import align.retrieval.index
    from compare.workspace import Workspace

    ws = Workspace.open()
    docs = {d.doc_id: d for d in ws.documents()}
    fits: list[list[str]] = []  # per pair: the forms the index is fitted on …
    queries: list[list[list[str]]] = []  # … and the lists of forms it transforms
    tiled: list[tuple[str, str, list[float], list[float]]] = []  # (child, parent) forms and weights tiled
    fit, transform, pair_features = (align.retrieval.index.NgramIndex.fit_transform, align.retrieval.index.NgramIndex.transform,
                                     align.retrieval.features.pair_features)

    def fit_rec(self, forms, *a, **k):
        fits.append(list(forms))
        queries.append([])
        return fit(self, fits[-1], *a, **k)

    def transform_rec(self, forms):
        queries[-1].append(list(forms))
        return transform(self, queries[-1][-1])

    def pair_rec(c, p, *a, **k):
        tiled.append((c.form.text, p.form.text, c.weights, p.weights))
        return pair_features(c, p, *a, **k)

    import align.decisions.match

    align.retrieval.index.NgramIndex.fit_transform, align.retrieval.index.NgramIndex.transform = fit_rec, transform_rec
    align.decisions.match.pair_features = pair_rec
    try:
        t = time.perf_counter()
        for parent, child in ws.pairs():
            ws.alignment(docs[parent], docs[child])
        wall = time.perf_counter() - t
    finally:
        align.retrieval.index.NgramIndex.fit_transform, align.retrieval.index.NgramIndex.transform = fit, transform
        align.decisions.match.pair_features = pair_features
    return wall, len(ws.pairs()), fits, queries, tiled


def job_cpu(repeats: int) -> float:
    """Median CPU time of the pair loop (fresh workspace each time, models not shared)."""
    from compare.workspace import Workspace

    times = []
    for _ in range(repeats):
        ws = Workspace.open()
        docs = {d.doc_id: d for d in ws.documents()}
        t = time.process_time()
        for parent, child in ws.pairs():
            ws.alignment(docs[parent], docs[child])
        times.append(time.process_time() - t)
    return statistics.median(times)


def ab(own, lib, repeats: int) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Interleaved (CPU, wall) timings of two callables (own first in even rounds, library first in
    odd ones).  The CPU time of this process is the steadier figure on a shared machine: waiting
    for a core does not count in it."""
    t_own, t_lib = [], []
    for r in range(repeats):
        for which in ((own, t_own), (lib, t_lib)) if r % 2 == 0 else ((lib, t_lib), (own, t_own)):
            fn, out = which
            s, c = time.perf_counter(), time.process_time()
            fn()
            out.append((time.process_time() - c, time.perf_counter() - s))
    return t_own, t_lib


def report(name: str, t_own, t_lib, job: float, what: str) -> None:
    for k, kind in ((0, "CPU "), (1, "wall")):
        own, lib = statistics.median(t[k] for t in t_own), statistics.median(t[k] for t in t_lib)
        rounds = sorted(l[k] / o[k] for o, l in zip(t_own, t_lib))
        print(f"{name if k == 0 else '':<7} {kind} own {own:7.3f} s   library {lib:7.3f} s   library/own {lib / own:5.2f}×"
              f"   (rounds {rounds[0]:.2f}–{rounds[-1]:.2f}×, median {statistics.median(rounds):.2f}×)")
        if k == 0:
            cpu_own, cpu_lib = own, lib
    print(f"        on the job (CPU): own saves {cpu_lib - cpu_own:+.3f} s of {job:.2f} s "
          f"→ job {(job - cpu_own + cpu_lib) / job:.3f}× as long with the library · {what}")


def bench_tokens(own_pkg, fits, queries, repeats: int, job: float) -> None:
    from align.retrieval.lexicon import load_lexicon

    tok = own_pkg.tokens.Tokenizer(load_lexicon())  # the old Tokenizer: jieba with the lexicon as user words
    per_pair = [list(dict.fromkeys(f + [x for q in qs for x in q])) for f, qs in zip(fits, queries)]
    lcut = tok._tok.lcut

    def library():
        return [[t for t in lcut(text, HMM=False) if _WORD.search(t)] for forms in per_pair for text in forms]

    def own():
        return [tok.cut(text) for forms in per_pair for text in forms]

    assert own() == library(), "own route search and jieba's lcut disagree"
    n = sum(map(len, per_pair))
    report("tokens", *ab(own, library, repeats), job, f"{n:,} forms cut, same words")


def bench_index(fits, queries, repeats: int, job: float) -> None:
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    from align.retrieval.index import NgramIndex
    from align.decisions.match import Settings
    from align.retrieval.model import shared_tokenizer
    from align.retrieval.lexicon import load_lexicon

    s = Settings()
    tok = shared_tokenizer(load_lexicon())
    words = {x: tok.cut(x) for f, qs in zip(fits, queries) for x in f + [y for q in qs for y in q]}
    get = words.__getitem__
    w = s.word_weight

    def library():
        out = []
        for forms, qs in zip(fits, queries):
            max_df = s.max_df if len(forms) > 50 else 1.0
            char = TfidfVectorizer(analyzer="char", ngram_range=s.ngram_range, lowercase=False, sublinear_tf=True,
                                   max_df=max_df, dtype=np.float32)
            word = TfidfVectorizer(tokenizer=get, token_pattern=None, lowercase=False, sublinear_tf=True,
                                   max_df=max_df, dtype=np.float32)
            rows = [hstack([char.fit_transform(forms) * np.float32(np.sqrt(1 - w)),
                            word.fit_transform(forms) * np.float32(np.sqrt(w))]).tocsr()]
            rows += [hstack([char.transform(q) * np.float32(np.sqrt(1 - w)),
                             word.transform(q) * np.float32(np.sqrt(w))]).tocsr() for q in qs]
            out.append(rows)
        return out

    def own():
        out = []
        for forms, qs in zip(fits, queries):
            idx = NgramIndex(ngram_range=s.ngram_range, word_weight=w, max_df=s.max_df, tokenize=get)
            out.append([idx.fit_transform(forms)] + [idx.transform(q) for q in qs])
        return out

    for a, b in zip((m for ms in own() for m in ms), (m for ms in library() for m in ms)):
        assert a.shape == b.shape and (a != b).nnz == 0, "own and scikit-learn's matrices differ"
    n = sum(len(f) + sum(map(len, qs)) for f, qs in zip(fits, queries))
    report("index", *ab(own, library, repeats), job, f"{len(fits)} fits, {n:,} rows vectorised, same matrices")


def _fresh(code: str, rounds: int = 3) -> float:
    """Median wall time of ``code`` in fresh interpreters (the interpreter's own start excluded)."""
    times = []
    for _ in range(rounds):
        out = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter()\n" + code
                              + "\nprint(time.perf_counter() - t)"], check=True, capture_output=True, text=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def bench_words(fits, queries, repeats: int, job: float) -> None:
    import jieba

    from align.retrieval.lexicon import load_lexicon
    from align.retrieval.tokens import Tokenizer, _cache_dir, _initialize

    ours = Tokenizer(load_lexicon())
    theirs = jieba.Tokenizer()
    theirs.tmp_dir = _cache_dir()
    _initialize(theirs)
    forms = list(dict.fromkeys(x for f, qs in zip(fits, queries) for x in f + [y for q in qs for y in q]))

    def library():
        return [[t for t in theirs.lcut(text, HMM=False) if _WORD.search(t)] for text in forms]

    def own():
        return [ours.cut(text) for text in forms]

    assert own() == library(), "jieba-rs and jieba cut differently"
    report("words", *ab(own, library, repeats), job, f"{len(forms):,} distinct forms cut (each once per process), "
           "same words; 'own' is jieba-rs here")
    rs = _fresh("import rjieba; rjieba.Jieba()")
    py = _fresh("import jieba, logging; jieba.setLogLevel(logging.WARNING)\n"
                "from align.retrieval.tokens import _cache_dir, _initialize\n"
                "t2 = jieba.Tokenizer(); t2.tmp_dir = _cache_dir(); _initialize(t2)")
    print(f"        loading the dictionary in a fresh process: jieba-rs {rs:.2f} s, jieba {py:.2f} s (medians of 3)")


def bench_tfidf(fits, queries, repeats: int, job: float) -> None:
    from align.retrieval.index import CharCounts, SublinearTfidf

    counts = []
    for forms, qs in zip(fits, queries):
        cc = CharCounts(2, 4)
        counts.append((cc.fit_counts(forms, 0.2 if len(forms) > 50 else 1.0), [cc.counts(q) for q in qs]))

    def run(make):
        out = []
        for fit, qs in counts:
            t = make().fit(fit)
            out.append([t.transform(fit.copy())] + [t.transform(q.copy()) for q in qs])
        return out

    from sklearn.feature_extraction.text import TfidfTransformer

    def library():
        return run(lambda: TfidfTransformer(sublinear_tf=True))

    def own():
        return run(SublinearTfidf)

    for a, b in zip((m for ms in own() for m in ms), (m for ms in library() for m in ms)):
        assert a.shape == b.shape and (a != b).nnz == 0, "own and scikit-learn's weights differ"
    t_own, t_lib = ab(own, library, repeats)
    imp = _fresh("import scipy.sparse, numpy\nt = time.perf_counter()\nimport sklearn.feature_extraction.text")
    print(f"tfidf   importing scikit-learn in a fresh process (after NumPy and SciPy): {imp:.2f} s (median of 3)")
    own_s, lib_s = (statistics.median(t[0] for t in x) for x in (t_own, t_lib))
    print(f"        weighting the job's {sum(1 + len(q) for _, q in counts)} matrices (CPU): own {own_s:.3f} s, "
          f"TfidfTransformer {lib_s:.3f} s; a cold command: own {own_s:.2f} s against "
          f"{lib_s + imp:.2f} s with the import ({(lib_s + imp) / own_s:.1f}×), same matrices")


def bench_tiling(own_pkg, tiled, repeats: int, job: float) -> None:
    import numpy as np

    from align.retrieval.features import MIN_TILE
    from align.retrieval.tiling import gram_index, shared_tiles

    try:
        jit = importlib.import_module("planecho_own.tiling_jit")
    except ImportError as exc:
        print(f"tiling  not measured: the removed kernel needs numba ({exc}); pip install numba to re-check")
        return
    jit.ready()  # compiled or loaded before the clock starts, as the aligner did
    children = list(dict.fromkeys((c, tuple(wc)) for c, _, wc, _ in tiled))
    parents = list(dict.fromkeys((p, tuple(wp)) for _, p, _, wp in tiled))
    ci = {x: k for k, x in enumerate(children)}
    pi = {x: k for k, x in enumerate(parents)}
    pc = np.array([ci[(c, tuple(wc))] for c, _, wc, _ in tiled], dtype=np.int64)
    pp = np.array([pi[(p, tuple(wp))] for _, p, _, wp in tiled], dtype=np.int64)

    def own():
        packed_c = jit.Packed.of([c for c, _ in children], [w for _, w in children], MIN_TILE, grams=False)
        packed_p = jit.Packed.of([p for p, _ in parents], [w for _, w in parents], MIN_TILE)
        m = jit.measure_pairs(packed_c, packed_p, pc, pp)
        return [list(m.tiles_of(q)) for q in range(len(tiled))]

    def library():
        p_grams = [gram_index(p, MIN_TILE) for p, _ in parents]
        out, c_grams, last = [], None, None
        for q in range(len(tiled)):
            c, p = children[pc[q]], parents[pp[q]]
            if pc[q] != last:
                c_grams, last = gram_index(c[0], MIN_TILE), pc[q]
            g = p_grams[pp[q]]
            found = shared_tiles(c[0], p[0], c_grams, g, c_grams.keys() & g.keys(), MIN_TILE)
            for i, j, k in found:  # the weighted sums the kernel also returns
                sum(c[1][i:i + k]), sum(p[1][j:j + k])
            out.append(found)
        return out

    assert own() == library(), "compiled and Python tiling disagree"
    report("tiling", *ab(own, library, repeats), job, f"{len(tiled):,} pairs tiled (the Python tiling is the "
           "'library' here: the aligner's own plain code), same tiles")
    loads = []
    for _ in range(3):  # what a process pays before its first compiled tiling (numba, the cached machine code)
        code = ("import time; t = time.perf_counter(); from planecho_own.tiling_jit import ready; ready(); "
                "print(time.perf_counter() - t)")
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(Path(jit.__file__).parents[1])}).stdout
        loads.append(float(out.split()[-1]))
    print(f"        loading the kernel in a fresh process: {statistics.median(loads):.2f} s (median of 3), "
          "paid once per process before the first compiled tiling")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="interleaved rounds (medians shown)")
    ap.add_argument("--rev", default=OWN_REV, help="commit holding the removed own code")
    ap.add_argument("--only", nargs="*", choices=PARTS, default=list(PARTS))
    args = ap.parse_args(argv)
    os.environ.setdefault("PLANECHO_CACHE_DIR", tempfile.mkdtemp(prefix="planecho-bench-"))
    load = f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores" if hasattr(os, "getloadavg") else ""
    tmp = Path(tempfile.mkdtemp(prefix="planecho-own-"))
    try:
        own_pkg = own_package(args.rev, tmp)
        importlib.import_module("planecho_own.tokens")
        _, n_pairs, fits, queries, tiled = record_job()
        job = job_cpu(3)
        print(f"libraries: own code (as of {args.rev}) against the library, on the pair loop of planecho run "
              f"({n_pairs} pairs, {sum(map(len, fits)):,} units in their models); {args.repeats} interleaved rounds")
        print(f"machine {load}; the pair loop takes {job:.2f} s of CPU time (median of 3, this code)")
        if "tokens" in args.only:
            bench_tokens(own_pkg, fits, queries, args.repeats, job)
        if "index" in args.only:
            bench_index(fits, queries, args.repeats, job)
        if "words" in args.only:
            bench_words(fits, queries, args.repeats, job)
        if "tfidf" in args.only:
            bench_tfidf(fits, queries, args.repeats, job)
        if "tiling" in args.only:
            bench_tiling(own_pkg, tiled, args.repeats, job)
        print("rule (issue 12): keep own code only where library/own ≥ 2× on a job users run")
        load = f"load {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
        print(f"machine at the end: {load}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
