"""Large models and alignments: work shared with forked processes.

Building a :class:`~align.retrieval.model.CorpusModel` over many units counts the
background's jieba words in a second process (:class:`ForkedCall`) while
this one computes the character statistics.

Aligning (:func:`align_in_processes`) is independent per child unit except
for one step: the chapter correspondence (the section prior) is voted by the
strong links of *all* child units before any relation is decided.  So the child units are cut into
contiguous slices, one per process, and each process

1. prepares and measures its slice (retrieval, candidates, features) and
   sends its chapter votes;
2. receives the chapter map made from every slice's votes;
3. decides its links and sends them back, with units as indices (the
   main process holds the same units: workers are forked from it, after the
   corpus model and the parent side were built, so nothing large is sent to
   them and they start at once).

Every process queries the retrieval index single-threaded: the threads of
the top-k product are OpenMP's, whose pool does not survive a fork (a
forked process that starts them again hangs).  The main process does the
first slice itself.  The links come back in child order: the result is the
same as aligning in one process.  If a worker
dies (killed, out of memory) or fails, its slice is done in the main process
with a warning, not lost.

The processes are the standard library's (:func:`fork_pool`: a
:class:`~concurrent.futures.ProcessPoolExecutor` with the ``fork`` context,
one per slice so that a slice's two calls run in the same process), and each
ends when the process that started it ends, even by ``kill -9``
(:func:`die_with_parent`).
"""
from __future__ import annotations

import ctypes
import functools
import itertools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from align.records import Unit

if TYPE_CHECKING:
    from align.decisions.match import Aligner, Link

log = logging.getLogger(__name__)
T = TypeVar("T")
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: processes a large task uses when its caller gives no ``jobs`` (None: the cores this process may use);
#: 1 where tasks already run side by side, one per core (the batch scorer's workers: :mod:`compare.batch`)
default_jobs: int | None = None


def jobs_for(n: int, jobs: int | None, start: int) -> int:
    """Processes for a task of ``n`` items: 1 below ``start`` items (forking
    costs more than it saves) or where processes cannot be forked (only Linux
    is assumed to fork safely); else ``jobs`` (None: :data:`default_jobs`, else
    the cores this process may use), no more than one per ``start // 2`` items."""
    if n < start or not sys.platform.startswith("linux"):
        return 1
    jobs = jobs if jobs is not None else default_jobs or len(os.sched_getaffinity(0))
    return max(1, min(jobs, n // max(1, start // 2)))


# ---------------------------------------------------------------------------
# worker processes that end with their parent


def die_with_parent(parent: int, parent_main_thread: int | None = None) -> None:
    """Initializer of a worker process: it ends when the process that started it
    ends, even by ``kill -9`` (which leaves no chance to stop it).

    On Linux, when the worker was forked by the parent's main thread, the kernel
    kills it (``prctl(PR_SET_PDEATHSIG, SIGKILL)``; the signal follows the
    *thread* that forked, hence the condition); otherwise a daemon thread checks
    twice a second whether the parent is still there.
    """
    if os.getppid() != parent:  # the parent ended before we got here
        os._exit(1)
    if sys.platform.startswith("linux") and threading.get_ident() == parent_main_thread:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # it ended meanwhile
                    os._exit(1)
                return
        except (OSError, AttributeError):  # no prctl here: watch instead
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="planecho-parent-watch", daemon=True).start()


_FORKING = threading.local()  # per forking thread (two threads may fork at once): the handlers it holds


def _logging_handlers() -> list:
    """Every logging handler of the process, in one order for every thread (no two forking threads
    take two locks in opposite orders)."""
    found = dict.fromkeys(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            found.update(dict.fromkeys(logger.handlers))
    return sorted((h for h in found if getattr(h, "lock", None) is not None), key=id)


def _hold_handlers() -> None:
    held = _FORKING.held = _logging_handlers()
    for h in held:
        h.acquire()


def _release_handlers() -> None:
    for h in reversed(getattr(_FORKING, "held", ())):
        h.release()
    _FORKING.held = []


def _forget_handlers() -> None:  # in the child: the standard library gave it fresh handler locks
    _FORKING.held = []


@functools.cache
def guard_logging_across_forks() -> None:
    """Fork only when no thread is writing a log record (once per process, for every fork after).

    A process forked while another of its threads is inside a logging handler
    inherits the handler's stream with its internal lock taken, and hangs at its
    first log line (Dask's event loop logs from its own thread while a local
    cluster forks its workers; seen as a test run that never ended).  The
    standard library gives the child fresh handler locks, not fresh stream
    locks: so every handler's lock is held across the fork, which waits for a
    record being written to be done."""
    os.register_at_fork(before=_hold_handlers, after_in_parent=_release_handlers, after_in_child=_forget_handlers)


def fork_pool(workers: int = 1) -> ProcessPoolExecutor:
    """A :class:`~concurrent.futures.ProcessPoolExecutor` of forked processes
    (they start at the first ``submit`` and inherit this process's memory as it
    is then) that end when this process ends."""
    guard_logging_across_forks()
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent,
                               initargs=(os.getpid(), threading.main_thread().ident))


def stop(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down now: queued calls are cancelled and running ones stopped
    (their result is no longer wanted)."""
    # the standard pool cannot stop a running call (before Python 3.14): its processes are ended here
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


#: calls waiting to be forked: a forked worker reads its call here (a closure cannot be pickled)
_CALLS: dict[int, Callable[[], Any]] = {}
_NEXT = itertools.count()


def _run_registered(token: int) -> Any:
    return _CALLS[token]()


def _lost(exc: BaseException) -> str:
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return "the process ended without an answer (killed or out of memory?)"
    return f"{type(exc).__name__}: {exc}"


class ForkedCall:
    """``fn()`` computed in a forked process while this one goes on.

    :meth:`result` waits for the value (sent back pickled).  If the process
    dies or ``fn`` fails there, ``fn()`` is run here instead, with a warning.
    """

    def __init__(self, fn: Callable[[], T], what: str) -> None:
        self._fn, self._what = fn, what
        token = next(_NEXT)
        _CALLS[token] = fn
        try:
            self._pool = fork_pool(1)
            self._future: Future = self._pool.submit(_run_registered, token)  # forks now: the worker has fn
        finally:
            del _CALLS[token]
        self._proc = next(iter(self._pool._processes.values()))  # type: ignore[attr-defined]

    def result(self) -> T:
        try:
            value = self._future.result()
        except Exception as exc:  # noqa: BLE001 - reported; computed here instead
            log.warning("%s: %s; computing it in the main process", self._what, _lost(exc))
            self.close()
            return self._fn()
        self.close()
        return value

    def close(self) -> None:
        """End the process: after :meth:`result` it is ending by itself;
        before, the value is no longer wanted and it is stopped."""
        if self._future.done():
            self._pool.shutdown(wait=True)
        else:
            stop(self._pool)


def slices(n: int, parts: int) -> list[range]:
    """``range(n)`` cut into ``parts`` contiguous slices of near-equal size."""
    bounds = [n * k // parts for k in range(parts + 1)]
    return [range(a, b) for a, b in zip(bounds, bounds[1:])]


#: what a worker of :func:`align_in_processes` inherits: the aligner and child units of each alignment
_ALIGNING: dict[int, tuple["Aligner", Sequence[Unit]]] = {}
#: in a worker: its measured slice, kept between the two calls
_MEASURED: dict[tuple[int, range], tuple] = {}


def align_in_processes(aligner: "Aligner", child_units: Sequence[Unit], jobs: int) -> list["Link"]:
    """:meth:`Aligner._measure` … :meth:`Aligner._decide_all` over ``jobs``
    processes (this one included); ``aligner`` has its parent side set.

    Each further slice has a one-process :func:`fork_pool` of its own, so its two
    calls (:func:`_work`: measure and vote; :func:`_finish`: decide) run in the
    same process, which keeps the slice's measurements in between."""
    parts = slices(len(child_units), jobs)
    token = next(_NEXT)
    _ALIGNING[token] = (aligner, child_units)
    pools: list[ProcessPoolExecutor] = []
    try:
        votes_of: list[Future] = []
        for part in parts[1:]:
            pools.append(fork_pool(1))
            votes_of.append(pools[-1].submit(_work, token, part))  # forks now
        del _ALIGNING[token]

        children, feats = aligner._measure(child_units[parts[0].start : parts[0].stop], threads=1)
        votes = aligner._votes(children, feats)
        local: dict[range, tuple] = {}  # slices whose worker was lost: measured here

        def lose(part: range, exc: BaseException) -> None:
            log.warning("child units %d–%d: %s; aligning them in the main process", part.start, part.stop - 1,
                        _lost(exc))
            if part not in local:
                local[part] = aligner._measure(child_units[part.start : part.stop], threads=1)

        for part, future in zip(parts[1:], votes_of):
            try:
                votes += future.result()
            except Exception as exc:  # noqa: BLE001 - the slice is measured here
                lose(part, exc)
                votes += aligner._votes(*local[part])
        chapters = aligner._chapter_map(votes)
        links_of: list[Future | None] = []
        for part, pool in zip(parts[1:], pools):
            if part in local:
                links_of.append(None)
                continue
            try:
                links_of.append(pool.submit(_finish, token, part, chapters))
            except Exception as exc:  # noqa: BLE001 - it died after voting
                lose(part, exc)
                links_of.append(None)

        links = aligner._decide_all(children, feats, chapters)
        for part, future in zip(parts[1:], links_of):
            got = None
            if future is not None:
                try:
                    got = future.result()
                except Exception as exc:  # noqa: BLE001 - the slice is done here
                    lose(part, exc)
            if got is None:
                links += aligner._decide_all(*local.pop(part), chapters)
            else:
                links += _links(got, child_units, part, aligner)
        return links
    finally:  # normally every worker is idle by now; after an error here, they are stopped
        _ALIGNING.pop(token, None)
        for pool in pools:
            stop(pool)


def _work(token: int, part: range) -> list:
    """In a worker: measure the slice (kept for :func:`_finish`) and return its chapter votes."""
    aligner, child_units = _ALIGNING[token]
    children, feats = aligner._measure(child_units[part.start : part.stop], threads=1)
    _MEASURED[(token, part)] = (children, feats)
    return aligner._votes(children, feats)


def _finish(token: int, part: range, chapters) -> list[tuple]:
    """In a worker: decide the slice's links with the chapter map of all slices."""
    aligner, _ = _ALIGNING[token]
    children, feats = _MEASURED.pop((token, part))
    return _compact(aligner._decide_all(children, feats, chapters), children, aligner)


def _compact(links: list["Link"], children, aligner: "Aligner") -> list[tuple]:
    """Links with their units as indices (child within the slice, parent)."""
    child_at = {id(c.unit): i for i, c in enumerate(children)}
    parent_at = {id(p.unit): j for j, p in enumerate(aligner.parents_)}
    return [(child_at[id(l.child)], -1 if l.parent is None else parent_at[id(l.parent)], l.relation, l.score,
             l.child_coverage, l.parent_coverage, l.anchor, l.evidence) for l in links]


def _links(compact: list[tuple], child_units: Sequence[Unit], part: range, aligner: "Aligner") -> list["Link"]:
    from align.decisions.match import Link

    parents = aligner.parents_
    return [Link(child_units[part.start + i], None if j < 0 else parents[j].unit, *rest) for i, j, *rest in compact]
