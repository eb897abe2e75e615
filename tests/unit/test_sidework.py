"""The side worker: jobs shared between this process and one forked worker
(compare.sidework), as ``planecho score`` shares its pairs."""
from __future__ import annotations

import logging
import os
import time

import pytest

from compare.sidework import SideWorker, can_fork, document, keep, workspace

needs_fork = pytest.mark.skipif(not can_fork(), reason="needs two cores and fork")


def _where(i: int) -> tuple[int, int]:
    time.sleep(0.05)
    return i, os.getpid()


def _here(i: int) -> tuple[int, int]:
    return _where(i)


def _none_in_worker(i: int):
    return None  # "it failed there"


def _dies_in_worker(i: int, main: int):
    if os.getpid() != main:
        os._exit(1)
    return i, os.getpid()


def test_without_a_worker_every_job_is_done_here_in_order():
    asked = []
    with SideWorker(parallel=False) as w:
        out = list(w.split(5, lambda i: i * i, lambda i: asked.append(i) or (_where, (i,))))
    assert out == [(i, i * i) for i in range(5)] and asked == []


@needs_fork
def test_this_process_takes_jobs_from_the_front_and_the_worker_from_the_end():
    with SideWorker(parallel=True) as w:
        out = list(w.split(12, _here, lambda i: (_where, (i,))))
    assert sorted(i for i, _ in out) == list(range(12))
    assert all(value[0] == i for i, value in out)
    mine = sorted(i for i, (_, pid) in out if pid == os.getpid())
    theirs = sorted(i for i, (_, pid) in out if pid != os.getpid())
    assert mine and theirs, "both processes did some of the work"
    assert mine == list(range(len(mine))) and theirs == list(range(len(mine), 12))  # they met once
    assert [i for i, _ in out][: len(mine)] == mine  # this process's results first, as computed


@needs_fork
def test_a_job_that_fails_in_the_worker_or_a_worker_that_dies_is_done_here(caplog):
    with SideWorker(parallel=True) as w:
        out = dict(w.split(6, lambda i: ("here", i), lambda i: (_none_in_worker, (i,))))
    assert out == {i: ("here", i) for i in range(6)}
    main = os.getpid()
    with caplog.at_level(logging.WARNING), SideWorker(parallel=True) as w:
        out = dict(w.split(6, lambda i: (i, os.getpid()), lambda i: (_dies_in_worker, (i, main))))
        assert not w.parallel  # it died: the pool is gone
    assert out == {i: (i, main) for i in range(6)}
    assert "stopped; its work is done in the main process" in caplog.text


@needs_fork
def test_an_error_here_stops_the_work_and_the_worker():
    def here(i: int):
        if i == 1:
            raise ValueError("bad pair")
        return i

    w = SideWorker(parallel=True)
    with pytest.raises(ValueError, match="bad pair"), w:
        for _ in w.split(20, here, lambda i: (_where, (i,))):
            pass
    assert not w.parallel


@needs_fork
def test_a_forked_worker_starts_with_the_documents_kept_here():
    with SideWorker(parallel=True) as w:
        keep("the workspace", {"a": "document a"})
        assert document("a") == "document a" and workspace() == "the workspace"
        w.submit_call("job", document, "a")
        assert w._jobs["job"][0] is not None and w.result("job") == "document a"
    with pytest.raises(RuntimeError):  # closing the worker dropped them
        workspace()


def _fails_in_worker(i: int):
    raise ValueError("failed there")


@needs_fork
def test_a_job_that_raises_in_the_worker_is_done_here():
    with SideWorker(parallel=True) as w:
        out = dict(w.split(4, lambda i: -i, lambda i: (_fails_in_worker, (i,))))
    assert out == {i: -i for i in range(4)}


@needs_fork
def test_a_single_job_is_done_here():
    with SideWorker(parallel=True) as w:
        assert list(w.split(1, lambda i: (i, os.getpid()), lambda i: (_where, (i,)))) == [(0, (0, os.getpid()))]
        assert not w._pool._processes  # never forked


@needs_fork
def test_start_forks_the_worker_at_once():
    with SideWorker(parallel=True) as w:
        assert not w._pool._processes
        w.start()  # before a progress bar's thread, say
        assert len(w._pool._processes) == 1
        assert sorted(i for i, _ in w.split(4, _here, lambda i: (_where, (i,)))) == [0, 1, 2, 3]


@needs_fork
def test_a_worker_that_died_before_its_jobs_leaves_them_here(caplog):
    import signal

    with caplog.at_level(logging.WARNING), SideWorker(parallel=True) as w:
        w.start()
        (pid,) = w._pool._processes
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):  # until the pool knows
            if w._pool._broken:
                break
            time.sleep(0.05)
        out = dict(w.split(5, lambda i: (i, os.getpid()), lambda i: (_where, (i,))))
        assert not w.parallel
    assert out == {i: (i, os.getpid()) for i in range(5)}
    assert "stopped; its work is done in the main process" in caplog.text


def test_a_fork_waits_for_a_log_record_being_written():
    """A process forked while another thread is inside a logging handler would inherit the handler's
    stream locked, and hang at its first log line: the fork waits for the record to be written."""
    import logging
    import multiprocessing
    import threading

    from align.forked import guard_logging_across_forks

    writing, may_finish = threading.Event(), threading.Event()

    class SlowHandler(logging.Handler):
        def emit(self, record):
            writing.set()
            may_finish.wait(5)

    handler = SlowHandler()
    log = logging.getLogger("planecho-test-fork")
    log.addHandler(handler)
    log.propagate = False
    try:
        guard_logging_across_forks()
        writer = threading.Thread(target=log.warning, args=("a record",))
        writer.start()
        assert writing.wait(5)
        forked = []

        def fork() -> None:
            child = multiprocessing.get_context("fork").Process(target=logging.getLogger("planecho-test-fork").info,
                                                                args=("in the child",))
            child.start()
            forked.append(child)

        forker = threading.Thread(target=fork)
        forker.start()
        forker.join(0.5)
        assert forker.is_alive()  # the fork waits while the record is being written
        may_finish.set()
        forker.join(10)
        writer.join(10)
        assert not forker.is_alive() and forked
        forked[0].join(10)
        assert forked[0].exitcode == 0
    finally:
        may_finish.set()
        log.removeHandler(handler)


def test_threads_forking_at_once_leave_every_logging_handler_free(monkeypatch):
    """Two threads forking at the same time (a local cluster's nannies start their workers so) each
    hold and give back the handlers' locks: none is left taken."""
    import logging
    import multiprocessing
    import threading
    import time

    from align import forked
    from align.forked import guard_logging_across_forks

    listed = forked._logging_handlers
    monkeypatch.setattr(forked, "_logging_handlers", lambda: time.sleep(0.05) or listed())  # forks overlap

    handler = logging.StreamHandler()
    log = logging.getLogger("planecho-test-forks-at-once")
    log.addHandler(handler)
    log.propagate = False
    try:
        guard_logging_across_forks()

        def fork_some() -> None:
            for _ in range(8):
                child = multiprocessing.get_context("fork").Process(target=int)
                child.start()
                child.join(10)

        threads = [threading.Thread(target=fork_some) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert not any(t.is_alive() for t in threads)  # no fork waits for a lock another one kept
        free = threading.Thread(target=lambda: handler.acquire() or handler.release())
        free.start()
        free.join(5)
        assert not free.is_alive()  # another thread takes the handler's lock at once
    finally:
        log.removeHandler(handler)
