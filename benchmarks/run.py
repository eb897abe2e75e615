"""Run every benchmark and print its figures (``make bench``).

Speed and memory targets live here, not in the tests: these machines are
shared, so figures are medians of fresh processes, printed with the CPU time
beside the wall time and with the machine described on top.

==================  ===============================================  ==========
benchmark           what                                             target
==================  ===============================================  ==========
ingest_segment      read, clean, segment the five documents          < 1 s
align_speed         corpus model + the 8 declared pairs              < 2 s
main_job            ``planecho run``, empty cache                    < 10 s
tui_startup         ``planecho tui`` to a loaded home, cached        < 1.5 s
align_scale         50k × 50k synthetic units: time, peak memory     < 60 s, 4 GB
libraries           own code against the library it stands in for   own kept
                    (jieba, scikit-learn, the Python tiling), on     only if ≥ 2×
                    the pair loop of ``planecho run``
batch_scale         generated corpora of 100/300/1,000 plans on      2 workers ≥ 1.7×,
                    1 process and 2 Dask workers; cold ``score``     < 1 GB/worker
==================  ===============================================  ==========

Usage::

    .venv/bin/python benchmarks/run.py            # everything (align_scale takes minutes)
    .venv/bin/python benchmarks/run.py --quick    # fewer repeats, align_scale at 10k × 10k, batch_scale at 100 plans
    .venv/bin/python benchmarks/run.py main_job tui_startup
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "ingest_segment": (["--big", "50"], ["--repeats", "3"]),
    "align_speed": ([], ["--repeats", "3"]),
    "main_job": ([], ["--repeats", "1"]),
    "tui_startup": ([], ["--repeats", "3"]),
    "align_scale": ([], ["-n", "10000", "--no-memory-run"]),
    "libraries": ([], ["--repeats", "3"]),
    "batch_scale": ([], ["--quick"]),
}


def machine() -> str:
    mem = ""
    try:
        kb = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    load = f", load {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return (f"{platform.machine()} {os.cpu_count()} cores{mem}{load} · Python {platform.python_version()} · "
            f"{platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", choices=[[], *BENCHMARKS], metavar="NAME",
                    help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller scale run")
    args = ap.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    print(f"machine: {machine()}\n")
    failed = []
    for name in names:
        full, quick = BENCHMARKS[name]
        r = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *(quick if args.quick else full)])
        print()
        if r.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
