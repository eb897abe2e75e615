"""Wall time of the main job, ``planecho run``, on the bundled corpora.

Issue 4: the main job completes in under 10 s from a cold start: a fresh
process and an empty result cache (``PLANECHO_CACHE_DIR`` points to a new
folder), writing every table, the workbook, figures and reports to a new
output folder.  A warm run (the cache filled by the cold one) is timed too.
Each is the console command in a subprocess, as a user runs it.

Usage::

    .venv/bin/python benchmarks/main_job.py              # 3 cold and 3 warm runs
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 10.0


def run_once(cache: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child)"""
    env = {**os.environ, "PLANECHO_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = time.perf_counter()
    subprocess.run([sys.executable, "-m", "compare.cli", "run", "--out", str(out)], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - s
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    cold, warm = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp, "cache")
            cold.append(run_once(cache, Path(tmp, "out1")))
            warm.append(run_once(cache, Path(tmp, "out2")))
    c, w = statistics.median(x for x, _ in cold), statistics.median(x for x, _ in warm)
    print(f"main_job: planecho run on the bundled corpora, median of {args.repeats}")
    print(f"cold (empty cache)   {c:6.2f} s   CPU {statistics.median(y for _, y in cold):6.2f} s   "
          f"(target < {TARGET_S:.0f} s: {'met' if c < TARGET_S else 'NOT met'})")
    print(f"warm (cache filled)  {w:6.2f} s   CPU {statistics.median(y for _, y in warm):6.2f} s")
    print(f"runs cold {' '.join(format(x, '.2f') for x, _ in cold)} · warm {' '.join(format(x, '.2f') for x, _ in warm)}")
    print("(CPU counts the figure worker too: it runs beside the tables on the second core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
