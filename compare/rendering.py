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
worker has died, each job runs inline when its result is asked for (the worker
and the sharing of work: :mod:`compare.sidework`).
"""
from __future__ import annotations

from typing import Any

from .sidework import SideWorker, document


def render_pair(a: Any, parent_doc: Any, child_doc: Any) -> tuple[bytes, str]:
    """(section-map PNG, self-contained HTML report) of one aligned pair; a
    document may be given by the id of one :func:`~compare.sidework.read_documents` read here."""
    from .report import render_report
    from .sectionmap import heatmap_png_bytes

    parent_doc, child_doc = document(parent_doc), document(child_doc)
    png = heatmap_png_bytes(a, titles=(child_doc.title, parent_doc.title))
    return png, render_report(a, parent_doc, child_doc, png)


def _warm_up() -> None:
    """Import the drawing libraries while the main process is still aligning."""
    import jinja2  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401


class Renderer(SideWorker):
    """Draws pairs in one forked worker (or inline); use as a context manager."""

    what = "the drawing worker"

    def __init__(self, *, parallel: bool | None = None, warm_up: bool = True) -> None:
        super().__init__(parallel=parallel)
        if warm_up:
            self.warm_up()

    def warm_up(self) -> None:
        """Have the worker import the drawing libraries (after the jobs already submitted)."""
        self._send(_warm_up)

    def submit(self, key: Any, a: Any, parent_doc: Any, child_doc: Any) -> None:
        """Start drawing one pair; :meth:`result` gives (PNG, HTML)."""
        ids = (parent_doc.doc_id, child_doc.doc_id)
        sent = ids if self.has_documents(*ids) else (parent_doc, child_doc)
        self._jobs[key] = (self._send(render_pair, a, *sent), render_pair, (a, parent_doc, child_doc), {})
