"""One forked worker process beside the main one, and how the two share work.

A command with several independent jobs (``planecho run`` drawing figures,
``planecho score`` scoring pairs) hands them to one worker process forked
from this one (:class:`SideWorker`, the standard library's
:class:`~concurrent.futures.ProcessPoolExecutor` with the ``fork`` context:
:func:`align.forked.fork_pool`) and goes on working itself.  Both take jobs
until none is left — this process from the front of the list, the worker
from the end, one at a time (:meth:`SideWorker.split`); or the main process
takes back jobs the worker has not started (:meth:`SideWorker.share_work`) —
so both finish at about the same time.

The worker starts with what this process holds when it is forked (by
:meth:`SideWorker.start`, or else at its first job): documents kept with
:func:`keep` are named by a key in later jobs, not sent.  Or, before any job, the worker reads the documents itself
(:meth:`SideWorker.read_documents`) while the main process loads the engine's
libraries.

On one core, without ``fork``, or once the worker has died (killed, out of
memory), each job runs here when its result is asked for: nothing is lost,
and the results are the same.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

#: the documents this (worker) process read itself (:func:`read_documents`);
#: jobs name them by id instead of sending them again
_DOCUMENTS: dict[str, Any] = {}
#: the workspace they were read into (the worker's copy of the main process's)
_WORKSPACE: list[Any] = []


def read_documents(ws: Any, units: tuple[str, ...] = ("sentence", "clause")) -> dict[str, Any]:
    """Read, clean and segment every manifest document (:func:`compare.run.load_documents`),
    keeping them, and the workspace they were read into, for later jobs."""
    from .run import load_documents

    docs = load_documents(ws, units)
    keep(ws, docs)
    return docs


def keep(ws: Any, docs: dict[str, Any]) -> None:
    """Keep ``docs`` (by the given keys) and their workspace in this process, as
    :func:`read_documents` does: a worker forked afterwards starts with them."""
    _DOCUMENTS.clear()
    _DOCUMENTS.update(docs)
    _WORKSPACE[:] = [ws]


def forget() -> None:
    """Drop what :func:`keep` or :func:`read_documents` kept in this process."""
    _DOCUMENTS.clear()
    _WORKSPACE.clear()


def document(ref: Any) -> Any:
    """A document given itself or by its key among those kept here (:func:`keep`, :func:`read_documents`)."""
    return _DOCUMENTS[ref] if isinstance(ref, str) else ref


def workspace() -> Any:
    """The workspace kept here with the documents (:func:`keep`, :func:`read_documents`)."""
    if not _WORKSPACE:
        raise RuntimeError("no documents were kept in this process")
    return _WORKSPACE[0]


def can_fork() -> bool:
    """Two or more cores this process may use, and processes that can be forked."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2 and "fork" in multiprocessing.get_all_start_methods()


class SideWorker:
    """Jobs run in one forked worker (or here); use as a context manager."""

    #: named in the warning when the worker dies
    what = "the worker process"

    def __init__(self, *, parallel: bool | None = None) -> None:
        if parallel is None:
            parallel = can_fork()
        self._pool: ProcessPoolExecutor | None = None
        if parallel:
            from align.forked import fork_pool

            self._pool = fork_pool(1)  # forked at the first job; ends with this process, even killed
        self._jobs: dict[Any, tuple[Future | None, Callable[..., Any], tuple, dict]] = {}
        self._done: dict[Any, Any] = {}  # results of jobs taken back
        self._worker_docs: set[str] = set()  # ids of the documents the worker read itself

    def start(self) -> None:
        """Fork the worker now, from this thread: before a progress bar (or any
        other thread) starts, since a process forked while another thread holds
        a lock — the terminal's, say — would wait for it forever."""
        self._send(os.getpid)

    @property
    def parallel(self) -> bool:
        """Do jobs run in a worker process (rather than here)?"""
        return self._pool is not None

    def read_documents(self, ws: Any, units: tuple[str, ...] = ("sentence", "clause")) -> None:
        """Have the worker read the manifest's documents (:meth:`documents` gives them);
        later jobs then name them by id (:func:`document`, :func:`workspace`)."""
        self.submit_call("documents", read_documents, ws, units)

    def documents(self) -> dict[str, Any]:
        """The documents :meth:`read_documents` asked for (raises the first bad file's error)."""
        future = self._jobs["documents"][0]
        docs = self.result("documents")
        if self._pool is not None and future is not None and not future.cancelled():
            self._worker_docs = set(docs)
        return docs

    def has_documents(self, *ids: str) -> bool:
        """Did the worker read these documents itself (so a job may name them by id)?"""
        return set(ids) <= self._worker_docs

    def submit_call(self, key: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``fn`` (a module-level function) in the worker, or later here."""
        self._jobs[key] = (self._send(fn, *args, **kwargs), fn, args, kwargs)

    def _send(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future | None:
        """The worker's future for ``fn(*args)``; None (run it here later) without a worker."""
        if self._pool is None:
            return None
        try:
            return self._pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            self._worker_died()
            return None

    def _worker_died(self) -> None:
        if self._pool is not None:
            log.warning("%s stopped; its work is done in the main process", self.what)
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            self._worker_docs = set()

    def result(self, key: Any) -> Any:
        """The result of a job: the worker's, or computed here if it has not started."""
        if key in self._done:
            return self._done.pop(key)
        future, fn, args, kwargs = self._jobs.pop(key)
        if future is None or future.cancel():
            return fn(*args, **kwargs)
        try:
            return future.result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): do its jobs here
            self._worker_died()
            return fn(*args, **kwargs)

    def share_work(self) -> None:
        """Take jobs the worker has not started (from the end of its queue) and run
        them here, while two or more are waiting: called when this process has
        nothing else left to do, so both processes finish at about the same time.
        (One waiting job stays with the worker, which has the libraries loaded.)"""
        while True:
            waiting = [k for k, (f, *_) in self._jobs.items() if f is not None and not f.running() and not f.done()]
            if len(waiting) < 2:
                return
            key = waiting[-1]
            future, fn, args, kwargs = self._jobs[key]
            if not future.cancel():
                continue  # the worker took it meanwhile
            del self._jobs[key]
            self._done[key] = fn(*args, **kwargs)

    def split(self, n: int, here: Callable[[int], T], there: Callable[[int], tuple[Callable[..., Any], tuple]],
              waiting: Callable[[int], None] | None = None) -> Iterator[tuple[int, T]]:
        """Jobs ``0 … n-1``: this process computes them from the first
        (``here(i)``), the worker from the last (``there(i)``: a module-level
        function and its arguments), one at a time, until they meet — so both
        finish at about the same time whatever each job costs (a single job
        is done here).  Yields
        ``(i, result)``: this process's as they are computed, then the
        worker's, in order.  A job the worker answers with None or an error,
        or could not finish (it died), is computed here, so an error is raised
        here as it would be without a worker.  ``waiting(k)`` is called
        once this process has done its part, before the worker's ``k`` results
        are collected."""
        lock = threading.Lock()
        bounds = [0, n]  # this process takes bounds[0], the worker bounds[1] - 1, while bounds[0] < bounds[1]
        given: dict[int, Future | None] = {}

        def give() -> int | None:
            """Send the worker the last job left (None: none left, or no worker)."""
            pool = self._pool
            if pool is None:
                return None
            with lock:
                if bounds[0] >= bounds[1]:
                    return None
                bounds[1] -= 1
                i = bounds[1]
            fn, args = there(i)
            given[i] = None  # done here unless the worker takes it
            try:
                given[i] = pool.submit(fn, *args)
            except BrokenProcessPool:  # it died
                self._worker_died()
                return None
            except RuntimeError:  # shut down (an error here)
                return None
            return i

        def feed(i: int | None) -> None:  # the next job once the worker has answered the last one
            while i is not None:
                future = given[i]
                try:
                    if future is None or future.exception() is not None:
                        return  # it died: what is left is done here
                except CancelledError:  # the pool was shut down (an error here): nothing more to send
                    return
                i = give()

        first = give() if n >= 2 else None  # from this thread: a worker not yet forked is forked from it
        feeder = threading.Thread(target=feed, args=(first,), name="planecho-side-worker-feed", daemon=True)
        feeder.start()
        try:
            while True:
                with lock:
                    if bounds[0] >= bounds[1]:
                        break
                    i = bounds[0]
                    bounds[0] += 1
                yield i, here(i)
        finally:
            with lock:
                bounds[1] = bounds[0]  # stopped early (an error): nothing more for the worker
        if bounds[0] < n and waiting is not None:
            waiting(n - bounds[0])  # the jobs from bounds[0] on are the worker's
        feeder.join()
        for i in sorted(given):
            future, value = given[i], None
            if future is not None:
                try:
                    value = future.result()
                except BrokenProcessPool:  # killed, out of memory
                    self._worker_died()
                except Exception:  # noqa: BLE001 - failed there: computed here, where its error is raised
                    value = None
            yield i, here(i) if value is None else value

    def keys(self) -> list[Any]:
        return [*self._jobs, *self._done]

    def close(self) -> None:
        """Stop the worker; drop what :func:`keep` kept here for it."""
        forget()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "SideWorker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
