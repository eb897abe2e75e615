"""Batch scoring at scale: generated national corpora of 100, 300 and 1,000 plans.

For each size, a corpus is generated (:mod:`gencorpus`: nation → provinces →
cities → counties, every pair's planted echo known) and every plan is scored
against each of its ancestors twice, each run in a fresh process with an
empty cache:

* **1 process**: what ``planecho score --manifest`` does — one
  :class:`~compare.workspace.Workspace`, pair after pair
  (:func:`compare.score.score_pair`);
* **2 workers**: :func:`compare.batch.score_batch` on a local Dask cluster
  of two worker processes (results written as pairs finish, in small batches, as in production).

Printed per size: pairs, pairs per second over the whole job (start-up of the
engine, reading, the model, every pair; the interpreter's imports excluded)
for both, the speed-up, the median cost of one pair (its alignment and score,
as timed where it ran: wall time, and below the thread's CPU time, which the
machine's other load does not inflate), the peak memory (RSS) of the single process and of
each Dask worker, and the planted-echo error (mean and largest |echo −
planted| over the pairs).  Then the cold ``planecho score --manifest
corpora/manifest.toml --no-cache`` on the bundled corpus (wall time of the
command, start-up included).  The CPU time of each whole job (every process,
workers included) and the machine's CPU pressure (Linux PSI) are printed too:
on a shared machine whose cores are busy, processes of one session share that
session's CPU share (the kernel's autogroup scheduling), so a second worker
adds little CPU and wall-clock speed-ups understate two free cores.  Below
it, where the 2-worker job's CPU went: the client process (imports, the
scheduler and the nannies, which a local cluster runs there, pair keys,
Parquet writes), the workers' task threads (the pairs, and loading the engine
and reading plans) and their other threads (start-up imports, Dask's event
loop: messages, transfers, heartbeats, monitors).

On a shared machine one pair of runs says little (the same code has given
1.21× and 1.77× minutes apart): ``--rounds N`` runs both jobs N times in
turn and prints each round's speed-up and their median.

Targets (issue 15, on the 2-core machine): 2 workers ≥ 1.7× one process;
cost per pair flat as the corpus grows (the 1,000-plan run ≤ 3.5× the
300-plan run); peak memory per worker < 1 GB; median cost per pair of
bundled-size plans ≤ 0.15 s; the cold ``score`` of the bundled manifest ≤ 2 s.

Usage::

    .venv/bin/python benchmarks/batch_scale.py                  # 100, 300, 1000 plans
    .venv/bin/python benchmarks/batch_scale.py --sizes 100 300
    .venv/bin/python benchmarks/batch_scale.py --sizes 100 --rounds 5   # the speed-up: median of 5 paired rounds
    .venv/bin/python benchmarks/batch_scale.py --quick          # 100 plans, cold score once
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

ONE_PROCESS = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from compare.score import score_pair
from compare.workspace import Workspace
ws = Workspace.open(sys.argv[1], use_cache=False)
costs, cpus, rows = [], [], []
for p, c in ((x.parent, x.child) for x in ws.pairs()):
    t, cpu = time.perf_counter(), time.thread_time()
    rows.append(score_pair(ws, p, c))
    costs.append(time.perf_counter() - t)
    cpus.append(time.thread_time() - cpu)
    ws.release(ws.document(p), ws.document(c))  # as `planecho score` does: the score row is kept
wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "costs": costs, "cpus": cpus, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "rows": [[r["child_doc"], r["parent_doc"], r["echo"]] for r in rows]}))
"""

TWO_WORKERS = r"""
import json, logging, resource, sys, time
t0 = time.perf_counter()
from compare.batch import local_client, score_batch
import pandas as pd


def threads():
    # this worker's CPU: its task thread, and the rest (start-up imports, then Dask's event loop:
    # messages, transfers, heartbeats, monitors)
    import threading, psutil
    tasks = {t.native_id for t in threading.enumerate() if "Dask-Default-Threads" in t.name}
    out = {"loop": 0.0, "tasks": 0.0}
    for t in psutil.Process().threads():
        out["tasks" if t.id in tasks else "loop"] += t.user_time + t.system_time
    return out


if __name__ == "__main__":  # the workers are spawned processes: they import this module again
    client = local_client(int(sys.argv[3]), dashboard=False)
    try:
        result = score_batch(sys.argv[1], sys.argv[2], client=client, use_cache=False)
        wall = time.perf_counter() - t0
        rss = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        split = list(client.run(threads).values())
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    me = resource.getrusage(resource.RUSAGE_SELF)
    done = pd.read_parquet(sys.argv[2] + "/scores")
    costs, cpus = done["seconds"].tolist(), done["cpu_seconds"].tolist()
    print(json.dumps({"wall": wall, "costs": costs, "cpus": cpus, "worker_rss": list(rss.values()),
                      "client_cpu": me.ru_utime + me.ru_stime, "worker_split": split,
                      "rows": result.summary[["child_doc", "parent_doc", "echo"]].values.tolist(),
                      "failures": len(result.failures)}))
"""


def _run(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh process; its JSON answer plus ``cpu``, the CPU time
    of that process and every process it started (the Dask workers included)."""
    import resource

    env = {**os.environ, "PLANECHO_CACHE_DIR": tempfile.mkdtemp(prefix="planecho-bench-cache-")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{r.stderr[-3000:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return out


def _pressure() -> str:
    """The share of time runnable tasks waited for a CPU (Linux PSI), averaged over the last minute."""
    try:
        line = open("/proc/pressure/cpu").readline()
        return f"CPU pressure {float(line.split('avg60=')[1].split()[0]):.0f} %"
    except (OSError, IndexError, ValueError):
        return "CPU pressure unknown"


def _error(rows: list, expected: dict) -> tuple[float, float]:
    errs = [abs(echo - expected[(c, p)]) for c, p, echo in rows]
    return statistics.fmean(errs), max(errs)


def scale(n: int, workers: int, tmp: Path, rounds: int = 1) -> dict:
    """Both jobs on a generated corpus of ``n`` plans, ``rounds`` times in
    turn (1 process, then the workers, then again): the speed-up is the
    median of the rounds' ratios, each of two runs minutes apart, and the other
    figures are those of the median round."""
    sys.path.insert(0, str(HERE))
    from gencorpus import generate

    g = generate(tmp / f"corpus-{n}", n)
    runs = []
    for k in range(rounds):
        one = _run(ONE_PROCESS, str(g.manifest))
        two = _run(TWO_WORKERS, str(g.manifest), str(tmp / f"out-{n}-{k}"), str(workers))
        runs.append((one["wall"] / two["wall"], one, two))
    ratios = [r for r, _, _ in runs]
    _, one, two = sorted(runs, key=lambda x: x[0])[len(runs) // 2]
    pairs = len(one["rows"])
    assert all(len(t["rows"]) == pairs and not t["failures"] for _, _, t in runs)
    same = all(sorted(map(tuple, o["rows"])) == sorted(map(tuple, t["rows"])) == sorted(map(tuple, one["rows"]))
               for _, o, t in runs)
    return {
        "plans": n, "pairs": pairs, "ratios": ratios,
        "one_rate": pairs / one["wall"], "two_rate": pairs / two["wall"],
        "one_wall": one["wall"], "two_wall": two["wall"],
        "one_cost": statistics.median(one["costs"]), "two_cost": statistics.median(two["costs"]),
        "one_cpu": statistics.median(one["cpus"]), "two_cpu": statistics.median(two["cpus"]),
        "two_cpu_total": sum(two["cpus"]), "one_job_cpu": one["cpu"], "two_job_cpu": two["cpu"],
        "two_client_cpu": two["client_cpu"], "two_loops": sum(w["loop"] for w in two["worker_split"]),
        "two_tasks": sum(w["tasks"] for w in two["worker_split"]),
        "pressure": _pressure(),
        "one_rss": one["rss"], "worker_rss": max(two["worker_rss"]),
        "error": _error(two["rows"], g.expected), "same": same,
    }


def cold_score(repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        env = {**os.environ, "PLANECHO_CACHE_DIR": tempfile.mkdtemp(prefix="planecho-bench-cache-")}
        t = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "planecho"), "score", "--manifest",
                        str(ROOT / "corpora" / "manifest.toml"), "--no-cache"], check=True, env=env,
                       capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000], help="corpus sizes in plans")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes (default 2)")
    ap.add_argument("--repeats", type=int, default=3, help="runs of the cold score (median)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run both jobs this many times in turn per size (the speed-up: median of the rounds)")
    ap.add_argument("--quick", action="store_true", help="100 plans only, cold score once")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    sizes, repeats = ([100], 1) if args.quick else (args.sizes, args.repeats)
    print(f"batch_scale: generated national corpora of {', '.join(map(str, sizes))} plans; "
          f"1 process vs {args.workers} Dask workers (fresh processes, empty caches)")
    print(f"{'plans':>6} {'pairs':>6} {'1 proc p/s':>10} {f'{args.workers} wkr p/s':>10} {'speed-up':>8} "
          f"{'cost/pair 1p':>12} {'cost/pair wkr':>13} {'RSS 1 proc':>10} {'RSS/worker':>10} "
          f"{'echo err mean/max':>18} same")
    results = []
    with tempfile.TemporaryDirectory(prefix="planecho-batch-scale-") as tmp:
        for n in sizes:
            r = scale(n, args.workers, Path(tmp), args.rounds)
            results.append(r)
            print(f"{r['plans']:>6} {r['pairs']:>6} {r['one_rate']:>10.2f} {r['two_rate']:>10.2f} "
                  f"{statistics.median(r['ratios']):>7.2f}× {r['one_cost']:>11.3f}s {r['two_cost']:>12.3f}s "
                  f"{r['one_rss'] / 2**30:>8.2f}GB {r['worker_rss'] / 2**30:>8.2f}GB "
                  f"{r['error'][0]:>9.4f}/{r['error'][1]:.4f} {'yes' if r['same'] else 'NO'}", flush=True)
    for r in results:
        if len(r["ratios"]) > 1:
            print(f"  {r['plans']} plans: speed-up of each round {', '.join(f'{x:.2f}×' for x in r['ratios'])} "
                  f"(median {statistics.median(r['ratios']):.2f}×; the lines below: the median round)")
        print(f"  {r['plans']} plans: whole job {r['one_wall']:.1f} s in 1 process, {r['two_wall']:.1f} s on "
              f"{args.workers} workers; median CPU per pair {r['one_cpu']:.3f} s in 1 process, "
              f"{r['two_cpu']:.3f} s in a worker (all pairs: {r['two_cpu_total']:.0f} CPU-s); CPU of the whole job "
              f"{r['one_job_cpu']:.0f} s in 1 process, {r['two_job_cpu']:.0f} s with {args.workers} workers "
              f"(every process); {r['pressure']} during the run")
        print(f"    where the {args.workers}-worker job's CPU went: {r['two_client_cpu']:.1f} s in the client process "
              f"(imports, scheduler, nannies, keys, Parquet writes); in the workers {r['two_tasks']:.1f} s of tasks "
              f"(pairs {r['two_cpu_total']:.1f} s, the rest loading the engine and reading plans) and "
              f"{r['two_loops']:.1f} s besides (start-up imports, Dask's event loop); "
              f"{r['two_job_cpu'] - r['two_client_cpu'] - r['two_tasks'] - r['two_loops']:.1f} s elsewhere "
              f"(workers' threads that had ended, their shutdown, the client's exit)")
    by = {r["plans"]: r for r in results}
    if 300 in by and 1000 in by:
        print(f"1,000-plan run / 300-plan run: {by[1000]['two_wall'] / by[300]['two_wall']:.2f}× the time for "
              f"{by[1000]['pairs'] / by[300]['pairs']:.2f}× the pairs (target ≤ 3.5×)")
    times = cold_score(repeats)
    print(f"cold `planecho score --manifest corpora/manifest.toml --no-cache`: median {statistics.median(times):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in times)}; target ≤ 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
