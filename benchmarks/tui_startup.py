"""Time from starting ``planecho tui`` to a loaded home screen, with cached results.

Issue 5: with the results of ``planecho run`` in the cache, the home screen
(the hierarchy with every pair's echo and coverage) appears in under 1.5 s.

The cache is filled once in a private folder (``PLANECHO_CACHE_DIR``), as
``planecho run`` fills it; then each repeat is a fresh Python process that
imports the CLI and the app, builds it as ``planecho tui`` does and runs it
headless (Textual's ``run_test``) until the home screen reports every pair
loaded.  The clock starts before the first import, so Python's own start-up
(~0.05 s) is the only part not counted.

Usage::

    .venv/bin/python benchmarks/tui_startup.py             # 5 runs
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

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.5


def fill_cache() -> float:
    from compare.workspace import Workspace

    s = time.perf_counter()
    ws = Workspace.open(None, use_cache=True)
    for pair in ws.pairs():
        ws.alignment(pair.parent, pair.child)
    for parent in {pair.parent for pair in ws.pairs()}:
        ws.phrases(parent)
    return time.perf_counter() - s


def one_run() -> dict:
    t0 = time.perf_counter()
    import asyncio

    import compare.cli  # noqa: F401  (what the console script imports first)
    from tui.app import make_app

    t1 = time.perf_counter()
    app = make_app(started=t0)

    async def drive() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(2000):
                if app.ready_seconds is not None:
                    break
                await pilot.pause(0.005)

    asyncio.run(drive())
    return {"imports": t1 - t0, "ready": app.ready_seconds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="fresh processes to run (median shown)")
    ap.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--fill", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.once:
        print(json.dumps(one_run()))
        return 0
    if args.fill:
        print(json.dumps({"fill": fill_cache()}))
        return 0
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PLANECHO_CACHE_DIR": cache}

        def child(flag: str) -> dict:
            out = subprocess.run([sys.executable, __file__, flag], check=True, capture_output=True, text=True,
                                 cwd=ROOT, env=env).stdout
            return json.loads(out.strip().splitlines()[-1])

        fill = child("--fill")["fill"]
        runs = [child("--once") for _ in range(args.repeats)]
    if any(r["ready"] is None for r in runs):
        print("tui_startup: the home screen never reported ready")
        return 1
    ready = statistics.median(r["ready"] for r in runs)
    print(f"tui_startup: planecho tui to a loaded home screen, cached results, median of {len(runs)} fresh processes")
    print(f"filling the cache first (not counted)  {fill:6.2f} s")
    print(f"imports (CLI, Textual, the app)        {statistics.median(r['imports'] for r in runs):6.2f} s   (counted)")
    print(f"home screen loaded                     {ready:6.2f} s   "
          f"(target < {TARGET_S} s: {'met' if ready < TARGET_S else 'NOT met'})")
    print(f"runs                                   {' '.join(format(r['ready'], '.2f') for r in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
