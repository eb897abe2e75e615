"""Section-map figures and HTML reports, drawn beside the main job.

Drawing (matplotlib) and rendering the reports is the slowest part of
``planecho run`` and needs nothing but each pair's alignment, so
:class:`Renderer` hands each pair to a forked worker process as soon as its
alignment is known; the main process goes on aligning the next pairs and
building tables.  The worker only *returns* the PNG and the HTML: the main
process writes them, after everything is computed, so a failed run still
writes nothing.  When the main process has written its tables and the worker
still has pairs waiting, it takes some of them back (:meth:`Renderer.share_work`).
Before any pair, the worker can read the documents (:meth:`Renderer.read_documents`)
while the main process loads the engine's libraries; it keeps them, so pairs
then send it their alignment only.  On one core, without ``fork``, or once the
worker has died, each job runs inline when its result is asked for.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger(__name__)


#: the documents this (worker) process read itself (:func:`read_documents`);
#: jobs name them by id instead of sending them again
_DOCUMENTS: dict[str, Any] = {}


def read_documents(ws: Any) -> dict[str, Any]:
    """Read, clean and segment every manifest document (:func:`compare.run.load_documents`),
    keeping them here for later jobs."""
    from .run import load_documents

    docs = load_documents(ws)
    _DOCUMENTS.clear()
    _DOCUMENTS.update(docs)
    return docs


def render_pair(a: Any, parent_doc: Any, child_doc: Any) -> tuple[bytes, str]:
    """(section-map PNG, self-contained HTML report) of one aligned pair; a
    document may be given by the id of one :func:`read_documents` read here."""
    from .report import render_report
    from .sectionmap import heatmap_png_bytes

    parent_doc = _DOCUMENTS[parent_doc] if isinstance(parent_doc, str) else parent_doc
    child_doc = _DOCUMENTS[child_doc] if isinstance(child_doc, str) else child_doc
    png = heatmap_png_bytes(a, titles=(child_doc.title, parent_doc.title))
    return png, render_report(a, parent_doc, child_doc, png)


def _warm_up() -> None:
    """Import the drawing libraries while the main process is still aligning."""
    import jinja2  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401


class Renderer:
    """Draws pairs in one forked worker (or inline); use as a context manager."""

    def __init__(self, *, parallel: bool | None = None, warm_up: bool = True) -> None:
        if parallel is None:
            parallel = (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()
        self._pool: ProcessPoolExecutor | None = None
        if parallel:
            from align.forked import fork_pool

            self._pool = fork_pool(1)  # ends with this process, even killed (issue 16)
        self._jobs: dict[Any, tuple[Future | None, Callable[..., Any], tuple, dict]] = {}
        self._done: dict[Any, Any] = {}  # results of jobs taken back by share_work
        self._worker_docs: set[str] = set()  # ids of the documents the worker read itself
        if warm_up:
            self.warm_up()

    @property
    def parallel(self) -> bool:
        """Do jobs run in a worker process (rather than inline)?"""
        return self._pool is not None

    def warm_up(self) -> None:
        """Have the worker import the drawing libraries (after the jobs already submitted)."""
        self._send(_warm_up)

    def read_documents(self, ws: Any) -> None:
        """Have the worker read the manifest's documents (:meth:`documents` gives them);
        later pairs then send the worker only their alignment, not the documents."""
        self.submit_call("documents", read_documents, ws)

    def documents(self) -> dict[str, Any]:
        """The documents :meth:`read_documents` asked for (raises the first bad file's error)."""
        future = self._jobs["documents"][0]
        docs = self.result("documents")
        if self._pool is not None and future is not None and not future.cancelled():
            self._worker_docs = set(docs)
        return docs

    def submit(self, key: Any, a: Any, parent_doc: Any, child_doc: Any) -> None:
        """Start drawing one pair; :meth:`result` gives (PNG, HTML)."""
        ids = (parent_doc.doc_id, child_doc.doc_id)
        sent = ids if set(ids) <= self._worker_docs else (parent_doc, child_doc)
        self._jobs[key] = (self._send(render_pair, a, *sent), render_pair, (a, parent_doc, child_doc), {})

    def submit_call(self, key: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``fn`` (a module-level function) in the worker, or later inline."""
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
            log.warning("the drawing worker stopped; drawing in the main process")
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

    def keys(self) -> list[Any]:
        return [*self._jobs, *self._done]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
