"""Large alignments split among forked processes give the links one process gives."""
from __future__ import annotations

import logging
import os
import sys

import pytest

from align import forked

from align.decisions import match
from align.decisions.match import Aligner, Settings, alignment_frame
from align.retrieval.model import CorpusModel

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked alignment is Linux-only")

PARENT, CHILD = "zhejiang-urbanization-14fyp", "taizhou-urbanization-14fyp"


@pytest.fixture(scope="module")
def pair(docs):
    parent, child = docs[PARENT], docs[CHILD]
    model = CorpusModel(parent.alignable() + child.alignable(), regions=("浙江", "台州"))
    one = alignment_frame(Aligner(Settings(), model=model, jobs=1).fit(parent).align_links(child))
    return parent, child, model, one


def _aligned(pair, jobs: int):
    parent, child, model, _ = pair
    return alignment_frame(Aligner(Settings(), model=model, jobs=jobs).fit(parent).align_links(child))


def test_slices_cover_the_units_in_order():
    assert forked.slices(10, 3) == [range(0, 3), range(3, 6), range(6, 10)]
    assert [i for s in forked.slices(1001, 4) for i in s] == list(range(1001))


def test_small_alignments_stay_in_one_process(pair):
    parent, child, model, _ = pair
    assert len(child.alignable()) < match.PARALLEL_FROM
    assert Aligner(model=model, jobs=4)._jobs_for(len(child.alignable())) == 1
    assert Aligner(model=model, jobs=4)._jobs_for(match.PARALLEL_FROM * 10) == 4
    assert Aligner(model=model, jobs=1)._jobs_for(match.PARALLEL_FROM * 10) == 1


@pytest.mark.parametrize("jobs", [2, 3])
def test_forked_links_are_the_links_of_one_process(pair, monkeypatch, jobs):
    monkeypatch.setattr(match, "PARALLEL_FROM", 60)
    calls = []
    real = forked.align_in_processes
    monkeypatch.setattr(forked, "align_in_processes", lambda *a: calls.append(a[2]) or real(*a))
    got = _aligned(pair, jobs)
    assert calls == [jobs]
    one = pair[3]
    assert (one["relation"] != "local").sum() > 100  # a real alignment, not an empty one
    assert got.equals(one)


def test_a_dead_worker_is_redone_here(pair, monkeypatch, caplog):
    monkeypatch.setattr(match, "PARALLEL_FROM", 60)
    here = os.getpid()
    real = Aligner._votes

    def dies_there(self, *a):  # a worker dies (as if killed) before it votes
        if os.getpid() != here:
            os._exit(3)
        return real(self, *a)

    monkeypatch.setattr(Aligner, "_votes", dies_there)
    with caplog.at_level(logging.WARNING, logger="align.forked"):
        got = _aligned(pair, 2)
    assert got.equals(pair[3])
    assert "ended without an answer" in caplog.text


def test_a_failing_worker_is_redone_here(pair, monkeypatch, caplog):
    monkeypatch.setattr(match, "PARALLEL_FROM", 60)

    def broken(*a):
        raise MemoryError("no room")

    monkeypatch.setattr(forked, "_compact", broken)  # runs in the worker only
    with caplog.at_level(logging.WARNING, logger="align.forked"):
        got = _aligned(pair, 3)
    assert got.equals(pair[3])
    assert caplog.text.count("MemoryError: no room") == 2


def test_a_forked_call_gives_its_value_or_is_done_here(caplog):
    assert forked.ForkedCall(lambda: sum(range(10)), "adding").result() == 45
    here = os.getpid()
    with caplog.at_level(logging.WARNING, logger="align.forked"):
        # fails in the forked process only: there it is another process
        got = forked.ForkedCall(lambda: 1 / (os.getpid() == here), "dividing").result()
    assert got == 1.0 and "dividing: ZeroDivisionError" in caplog.text


def test_a_forked_call_no_longer_wanted_is_stopped():
    import time

    call = forked.ForkedCall(lambda: time.sleep(60), "sleeping")
    call.close()
    assert not call._proc.is_alive()


def test_an_error_here_stops_the_workers(pair, monkeypatch):
    import multiprocessing

    monkeypatch.setattr(match, "PARALLEL_FROM", 60)
    here = os.getpid()
    real = Aligner._chapter_map

    def fails_here(self, votes):  # only the main process makes the chapter map
        assert os.getpid() != here, "broken"
        return real(self, votes)

    monkeypatch.setattr(Aligner, "_chapter_map", fails_here)
    with pytest.raises(AssertionError, match="broken"):
        _aligned(pair, 3)
    assert multiprocessing.active_children() == []


def test_a_model_counting_words_in_a_forked_process_is_the_same_model(pair, monkeypatch):
    from align.retrieval import model as model_module

    parent, child, model, _ = pair
    units = parent.alignable() + child.alignable()
    monkeypatch.setattr(model_module, "FORK_FROM", 100)
    calls = []
    real = forked.ForkedCall
    monkeypatch.setattr(model_module, "ForkedCall", lambda *a: calls.append(a[1]) or real(*a))
    two = CorpusModel(units, regions=("浙江", "台州"), jobs=2)
    assert calls == ["counting the background's words"]
    a, b = model._background, two._background
    assert a.shape == b.shape and (a != b).nnz == 0
    assert two.index.word_counts_.vocabulary_ == model.index.word_counts_.vocabulary_
    probe = ["千年古城复兴", "推进新型城镇化"]
    assert two.weights.char_weights_many(probe) == model.weights.char_weights_many(probe)


def test_workers_are_standard_pools(pair, monkeypatch):
    """The forked processes are concurrent.futures pools (no home-made process handling)."""
    from concurrent.futures import ProcessPoolExecutor

    monkeypatch.setattr(match, "PARALLEL_FROM", 60)
    made = []
    real = forked.fork_pool
    monkeypatch.setattr(forked, "fork_pool", lambda *a: made.append(real(*a)) or made[-1])
    assert _aligned(pair, 3).equals(pair[3])
    assert len(made) == 2 and all(isinstance(p, ProcessPoolExecutor) for p in made)
    assert multiprocessing_children() == []


def multiprocessing_children():
    import multiprocessing

    return multiprocessing.active_children()


WORKER_THEN_WAIT = """
import os, sys, threading, time
from align.forked import fork_pool

def start():
    global pool
    pool = fork_pool(1)
    pool.submit(time.sleep, 60)
    print(next(iter(pool._processes)), flush=True)

if sys.argv[1] == "thread":
    t = threading.Thread(target=start)
    t.start()
    t.join()
else:
    start()
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("started_in", ["main", "thread"])
def test_a_worker_ends_when_its_parent_is_killed(started_in):
    """Issue 16: kill -9 of the parent left its forked worker running."""
    import signal
    import subprocess
    import time

    parent = subprocess.Popen([sys.executable, "-c", WORKER_THEN_WAIT, started_in], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        assert _alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker)
    finally:
        parent.kill()
