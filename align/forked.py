"""Large models and alignments: work shared with forked processes.

Building a :class:`~align.model.CorpusModel` over many units counts the
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
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from .records import Unit

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .match import Aligner, Link

log = logging.getLogger(__name__)
T = TypeVar("T")


def jobs_for(n: int, jobs: int | None, start: int) -> int:
    """Processes for a task of ``n`` items: 1 below ``start`` items (forking
    costs more than it saves) or where processes cannot be forked (only Linux
    is assumed to fork safely); else ``jobs`` (None: the cores this process
    may use), no more than one per ``start // 2`` items."""
    if n < start or not sys.platform.startswith("linux"):
        return 1
    jobs = jobs if jobs is not None else len(os.sched_getaffinity(0))
    return max(1, min(jobs, n // max(1, start // 2)))


class ForkedCall:
    """``fn()`` computed in a forked process while this one goes on.

    :meth:`result` waits for the value (sent back pickled).  If the process
    dies or ``fn`` fails there, ``fn()`` is run here instead, with a warning.
    """

    def __init__(self, fn: Callable[[], T], what: str) -> None:
        self._fn, self._what = fn, what
        ctx = multiprocessing.get_context("fork")
        self._conn, there = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_call, args=(fn, there), daemon=True)
        self._proc.start()
        there.close()

    def result(self) -> T:
        try:
            kind, payload = self._conn.recv()
        except (EOFError, OSError):
            kind, payload = "error", "the process ended without an answer (killed or out of memory?)"
        self.close()
        if kind == "error":
            log.warning("%s: %s; computing it in the main process", self._what, payload)
            return self._fn()
        return payload

    def close(self) -> None:
        """End the process: after :meth:`result` it is ending by itself;
        before, the value is no longer wanted and it is stopped."""
        if not self._conn.closed:
            if self._proc.is_alive() and not self._conn.poll():
                self._proc.terminate()
            self._conn.close()
        self._proc.join()


def _call(fn: Callable[[], object], conn: "Connection") -> None:
    try:
        value = fn()
    except BaseException as exc:  # reported; the main process computes it again
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(("value", value))
    finally:
        conn.close()


def slices(n: int, parts: int) -> list[range]:
    """``range(n)`` cut into ``parts`` contiguous slices of near-equal size."""
    bounds = [n * k // parts for k in range(parts + 1)]
    return [range(a, b) for a, b in zip(bounds, bounds[1:])]


def align_in_processes(aligner: "Aligner", child_units: Sequence[Unit], jobs: int) -> list["Link"]:
    """:meth:`Aligner._measure` … :meth:`Aligner._decide_all` over ``jobs``
    processes (this one included); ``aligner`` has its parent side set."""
    ctx = multiprocessing.get_context("fork")
    parts = slices(len(child_units), jobs)
    workers: list[tuple[range, "Connection | None"]] = []
    procs = []
    done = False
    try:
        for part in parts[1:]:
            here, there = ctx.Pipe()
            proc = ctx.Process(target=_work, args=(aligner, child_units, part, there), daemon=True)
            proc.start()
            there.close()
            workers.append((part, here))
            procs.append(proc)

        children, feats = aligner._measure(child_units[parts[0].start : parts[0].stop], threads=1)
        votes = aligner._votes(children, feats)
        local: dict[range, tuple] = {}  # slices whose worker was lost: measured here

        def lose(k: int) -> None:
            part, conn = workers[k]
            if conn is not None:
                conn.close()
            workers[k] = (part, None)
            if part not in local:
                local[part] = aligner._measure(child_units[part.start : part.stop], threads=1)

        for k, (part, conn) in enumerate(workers):
            got = _receive(conn, part)
            if got is None:
                lose(k)
                votes += aligner._votes(*local[part])
            else:
                votes += got
        chapters = aligner._chapter_map(votes)
        for k, (part, conn) in enumerate(workers):
            if conn is not None:
                try:
                    conn.send(chapters)
                except OSError:  # it died after voting
                    log.warning("child units %d–%d: the process ended; aligning them in the main process",
                                part.start, part.stop - 1)
                    lose(k)

        links = aligner._decide_all(children, feats, chapters)
        for k, (part, conn) in enumerate(workers):
            got = _receive(conn, part) if conn is not None else None
            if got is None:
                lose(k)
                links += aligner._decide_all(*local.pop(part), chapters)
            else:
                links += _links(got, child_units, part, aligner)
                conn.close()
        done = True
        return links
    finally:  # normally the workers have sent everything and are ending; after an error here, stop them
        for proc in procs:
            if not done:
                proc.terminate()
            proc.join()


def _receive(conn: "Connection", part: range):
    """The worker's next message, or None (with a warning) if it failed."""
    try:
        kind, payload = conn.recv()
    except (EOFError, OSError):
        kind, payload = "error", "the process ended without an answer (killed or out of memory?)"
    if kind == "error":
        log.warning("child units %d–%d: %s; aligning them in the main process", part.start, part.stop - 1, payload)
        return None
    return payload


def _work(aligner: "Aligner", child_units: Sequence[Unit], part: range, conn: "Connection") -> None:
    """A worker: measure the slice, send votes, await the chapter map, send links."""
    try:
        children, feats = aligner._measure(child_units[part.start : part.stop], threads=1)
        conn.send(("votes", aligner._votes(children, feats)))
        chapters = conn.recv()
        links = aligner._decide_all(children, feats, chapters)
        conn.send(("links", _compact(links, children, aligner)))
    except BaseException as exc:  # reported to the main process, which redoes the slice
        try:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
    finally:
        conn.close()


def _compact(links: list["Link"], children, aligner: "Aligner") -> list[tuple]:
    """Links with their units as indices (child within the slice, parent)."""
    child_at = {id(c.unit): i for i, c in enumerate(children)}
    parent_at = {id(p.unit): j for j, p in enumerate(aligner.parents_)}
    return [(child_at[id(l.child)], -1 if l.parent is None else parent_at[id(l.parent)], l.relation, l.score,
             l.child_coverage, l.parent_coverage, l.anchor, l.evidence) for l in links]


def _links(compact: list[tuple], child_units: Sequence[Unit], part: range, aligner: "Aligner") -> list["Link"]:
    from .match import Link

    parents = aligner.parents_
    return [Link(child_units[part.start + i], None if j < 0 else parents[j].unit, *rest) for i, j, *rest in compact]
