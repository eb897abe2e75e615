"""The batch scorer on a local Dask cluster of two worker processes gives the
numbers of ``planecho score``, survives a killed worker and an interruption,
and reports an unreadable plan while scoring the rest."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from align.reading.corpus import default_manifest_path, load_manifest
from compare.batch import SCORES_DIR, score_batch
from compare.score import SCORE_COLUMNS, score_pair
from compare.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import gencorpus  # noqa: E402

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """planecho's own local cluster of 2 workers (on Linux forked from this process with the engine loaded)."""
    from compare.batch import local_client

    c = local_client(2, dashboard=True)
    cluster = c.cluster
    yield c
    c.close()
    cluster.close()


def sequential(manifest) -> pd.DataFrame:
    """What ``planecho score --manifest`` prints: one process, pair after pair."""
    ws = Workspace(manifest) if not isinstance(manifest, (str, Path)) else Workspace.open(manifest)
    return pd.DataFrame([score_pair(ws, x.parent, x.child) for x in ws.pairs()], columns=SCORE_COLUMNS)


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A generated corpus of 30 plans (79 pairs) and its single-process scores."""
    g = gencorpus.generate(tmp_path_factory.mktemp("national"), 30)
    return g, sequential(g.manifest)


def test_the_bundled_corpus_scores_as_in_one_process(client, tmp_path):
    got = score_batch(default_manifest_path(), tmp_path, client=client, use_cache=False)
    want = sequential(default_manifest_path())
    assert len(want) == 9 and want["echo"].gt(0).all()
    pd.testing.assert_frame_equal(got.summary, want)
    assert got.computed == 9 and got.skipped == 0 and got.failures.empty
    # the Parquet dataset holds the same rows, each pair once, in files of finished pairs
    data = pd.read_parquet(tmp_path / SCORES_DIR)
    files = list((tmp_path / SCORES_DIR).iterdir())
    assert files and all(f.name.startswith("part-") and f.suffix == ".parquet" for f in files)
    assert sorted(data["echo"]) == sorted(want["echo"]) and data["key"].is_unique
    assert pd.read_csv(tmp_path / "summary.csv")["echo"].tolist() == want["echo"].tolist()


def test_a_generated_corpus_scores_as_in_one_process_and_finds_the_planted_echo(client, national, tmp_path):
    g, want = national
    got = score_batch(g.manifest, tmp_path, client=client, use_cache=False)
    assert len(want) == 79
    pd.testing.assert_frame_equal(got.summary, want)
    planted = [g.expected[(r.child_doc, r.parent_doc)] for r in got.summary.itertuples()]
    error = (got.summary["echo"] - planted).abs()
    assert error.max() <= 0.05, got.summary.assign(planted=planted)[error > 0.05]
    assert min(planted) < 0.35 and max(planted) > 0.6  # the corpus has weak and strong echoes


def _worker_pids(client) -> list[int]:
    return list(client.run(os.getpid).values())


def test_killed_workers_cost_nothing(client, national, tmp_path):
    """Both workers killed, one after the other: whatever the job's tasks had in them
    (the job itself, plans read, pairs finished but not yet fetched) is computed again."""
    g, want = national
    first = _worker_pids(client)
    killed = []

    def kill(done: int, total: int, message: str) -> None:
        if done in (10, 30) and len(killed) < (1 if done == 10 else 2):
            pid = first[len(killed)]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    got = score_batch(g.manifest, tmp_path, client=client, use_cache=False, progress=kill)
    assert killed == first and not set(killed) & set(_worker_pids(client))  # both died (and were replaced)
    pd.testing.assert_frame_equal(got.summary, want)
    assert got.failures.empty and got.computed == len(want)


def test_a_second_run_after_an_interruption_computes_only_the_missing_pairs(client, national, tmp_path):
    g, want = national

    def interrupt(done: int, total: int, message: str) -> None:
        if done == 12:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_batch(g.manifest, tmp_path, client=client, use_cache=False, progress=interrupt)
    first = {p: p.stat().st_mtime_ns for p in (tmp_path / SCORES_DIR).glob("*.parquet")}
    kept = pd.read_parquet(tmp_path / SCORES_DIR)
    # every pair counted before the interruption is on disk (counted once written), and not all pairs are
    assert 12 <= len(kept) < len(want) and kept["key"].is_unique
    assert not list((tmp_path / SCORES_DIR).glob(".*"))  # no temporary file left behind
    again = score_batch(g.manifest, tmp_path, client=client, use_cache=False)
    assert again.skipped == len(kept) and again.computed == len(want) - len(kept)
    assert {p: p.stat().st_mtime_ns for p in first} == first  # the finished pairs were not redone
    pd.testing.assert_frame_equal(again.summary, want)
    third = score_batch(g.manifest, tmp_path, client=client, use_cache=False)
    assert third.computed == 0 and third.skipped == len(want)


def test_an_unreadable_plan_is_reported_and_the_rest_scored(client, tmp_path):
    g = gencorpus.generate(tmp_path / "corpus", 8)
    broken = tmp_path / "corpus" / "city-0000.txt"
    broken.write_bytes(b"<html><body>  </body></html>")  # no plan text at all
    got = score_batch(g.manifest, tmp_path / "out", client=client, use_cache=False)
    manifest = load_manifest(g.manifest)
    pairs = [(x.parent, x.child) for x in Workspace(manifest).pairs()]
    bad = [(p, c) for p, c in pairs if "city-0000" in (p, c)]
    assert bad and len(got.failures) == len(bad)
    assert list(zip(got.failures["parent_doc"], got.failures["child_doc"])) == bad  # in the order of the pairs
    assert all("city-0000.txt" in r and "no Chinese" in r for r in got.failures["reason"])
    ws = Workspace(manifest)
    want = pd.DataFrame([score_pair(ws, p, c) for p, c in pairs if (p, c) not in bad], columns=SCORE_COLUMNS)
    pd.testing.assert_frame_equal(got.summary, want)
    assert len(want) == len(pairs) - len(bad)
    assert pd.read_csv(tmp_path / "out" / "failures.csv")["child_doc"].tolist() == got.failures["child_doc"].tolist()


def _engine_loaded() -> bool:
    """Has this process loaded the shipped background (without importing anything to find out)?"""
    background = sys.modules.get("align.retrieval.background")
    return background is not None and background.bigram_counts.cache_info().currsize == 1


def test_the_local_cluster_runs_its_workers_with_lighter_dask_settings():
    """planecho's own cluster: no per-worker profiler, and no MALLOC_TRIM_THRESHOLD_ in the workers; on
    Linux the workers are forked from a process that has loaded the engine, so they start with it."""
    from compare.batch import local_client

    client = local_client(1, dashboard=False)
    try:
        seen = client.run(lambda dask_worker: ("profile" in dask_worker.periodic_callbacks,
                                               os.environ.get("MALLOC_TRIM_THRESHOLD_"), _engine_loaded()))
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    assert list(seen.values()) == [(False, None, sys.platform.startswith("linux"))]


def test_pairs_given_as_paths_score_as_in_one_process(client, national, tmp_path):
    g, _ = national
    root = g.manifest.parent
    pairs = [(root / "county-00001.txt", root / "city-0001.txt"), (root / "city-0001.txt", root / "province-000.txt")]
    got = score_batch(pairs, tmp_path, client=client, use_cache=False)
    ws = Workspace(load_manifest(g.manifest).__class__(Path("<pairs>"), ()))
    want = pd.DataFrame([score_pair(ws, ws.document(p), ws.document(c)) for c, p in pairs], columns=SCORE_COLUMNS)
    pd.testing.assert_frame_equal(got.summary, want)
    assert got.summary["child_doc"].tolist() == ["county-00001", "city-0001"]


def test_the_command_line_runs_a_local_cluster_and_resumes(tmp_path, tmp_path_factory):
    g = gencorpus.generate(tmp_path / "corpus", 6)
    env = {**os.environ, "PLANECHO_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    cmd = [sys.executable, "-m", "compare.cli", "score", "--manifest", str(g.manifest), "--out", str(tmp_path / "o"),
           "--workers", "2"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    plain = subprocess.run(cmd[:6], capture_output=True, text=True, env=env, timeout=300)
    assert first.stdout == plain.stdout and plain.stdout.count("\n") == 1 + len(g.expected)
    assert f"{len(g.expected)} pairs scored, 0 already done" in first.stderr
    assert "Traceback" not in first.stderr and "distributed." not in first.stderr
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0 and again.stdout == first.stdout
    assert f"0 pairs scored, {len(g.expected)} already done" in again.stderr
    both = subprocess.run([*cmd, "--scheduler", "tcp://127.0.0.1:1"], capture_output=True, text=True, env=env)
    assert both.returncode == 2 and both.stderr.startswith("planecho: error:") and "not both" in both.stderr


def test_a_file_in_the_results_folder_that_is_not_a_result_is_named_before_any_work(tmp_path):
    from align.errors import PlanechoError

    (tmp_path / SCORES_DIR).mkdir()
    (tmp_path / SCORES_DIR / "notes.parquet").write_text("my own notes", encoding="utf-8")
    with pytest.raises(PlanechoError, match=r"notes\.parquet: not a result file of planecho's batch scorer"):
        score_batch(default_manifest_path(), tmp_path, workers=1, use_cache=False)
    assert not (tmp_path / "summary.csv").exists()
    assert (tmp_path / SCORES_DIR / "notes.parquet").read_text(encoding="utf-8") == "my own notes"


def test_results_written_in_batches_are_read_back_on_the_next_run(client, national, tmp_path):
    """Every pair is in exactly one batch file; a rerun reads them all back as the summary, computing nothing."""
    g, want = national
    first = score_batch(g.manifest, tmp_path, client=client, use_cache=False)
    data = pd.read_parquet(tmp_path / SCORES_DIR)
    assert len(data) == len(want) and data["key"].is_unique
    again = score_batch(g.manifest, tmp_path, client=client, use_cache=False)
    assert again.computed == 0 and again.skipped == len(want)
    pd.testing.assert_frame_equal(again.summary, first.summary)


@pytest.mark.parametrize("address, words", [("nonsense://x", "unknown address scheme"), ("", "give the scheduler's address"),
                                            ("no address", "cannot connect")])
def test_a_scheduler_address_that_cannot_be_one_is_one_line(tmp_path, address, words):
    r = subprocess.run([sys.executable, "-m", "compare.cli", "score", "--out", str(tmp_path / "o"), "--scheduler", address],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("planecho: error: --scheduler") and words in r.stderr


def test_a_scheduler_that_never_answers_is_given_up(monkeypatch):
    """A port where something else listens (not a Dask scheduler) never answers Dask's handshake."""
    import socket

    from align.errors import PlanechoError
    from compare import batch

    with socket.socket() as server:  # accepts the connection, never says a word
        server.bind(("127.0.0.1", 0))
        server.listen()
        with pytest.raises(PlanechoError, match="no Dask scheduler answered within 2 s"):
            batch.connect(f"tcp://127.0.0.1:{server.getsockname()[1]}", seconds=2)


def test_what_a_pair_key_and_a_workers_job_hold(tmp_path):
    """A plan's title (a plan naming itself is preamble) makes a new pair key and cache key; the
    corrections' contents make a new job in a worker of a long-running cluster."""
    from dataclasses import replace

    from align.decisions.match import Settings
    from compare.batch import BatchJob, _job_token, job_digest, pair_key

    m = load_manifest(default_manifest_path())
    parent, child = m.get("zhejiang-urbanization-14fyp"), m.get("taizhou-urbanization-14fyp")
    fixes = tmp_path / "corrections.jsonl"
    fixes.write_text("", encoding="utf-8")
    job = BatchJob(m, Settings(), corrections_path=str(fixes))
    renamed = replace(child, title=child.title + "（修订）")
    assert pair_key(job, parent, child) != pair_key(job, parent, renamed)
    ws = Workspace(m)
    key = ws._alignment_key(ws.document(parent), ws.document(child))
    doc = ws.document(child)
    assert key != ws._alignment_key(ws.document(parent), replace(doc, entry=renamed))
    before = _job_token(job, job_digest(job))
    fixes.write_text('{"note": "changed"}\n', encoding="utf-8")
    assert _job_token(job, job_digest(job)) != before


def test_a_results_folder_holds_one_job_and_one_row_per_pair(client, national, tmp_path):
    """Another manifest or other settings are refused before any work; a changed plan's new results
    replace its pairs' rows in the dataset."""
    import shutil

    from dataclasses import replace

    from align.decisions.match import Settings
    from align.errors import PlanechoError

    g, _ = national
    corpus = tmp_path / "corpus"
    shutil.copytree(g.manifest.parent, corpus)
    out = tmp_path / "out"
    first = score_batch(corpus / "manifest.toml", out, client=client, use_cache=False)
    with pytest.raises(PlanechoError, match="another job .*manifest"):
        score_batch(default_manifest_path(), out, client=client, use_cache=False)
    with pytest.raises(PlanechoError, match="another job .*unit 'sentence'"):
        score_batch(corpus / "manifest.toml", out, client=client, use_cache=False,
                    settings=replace(Settings(), unit="clause"))
    plan = corpus / "city-0001.txt"
    plan.write_text(plan.read_text(encoding="utf-8").replace("。", "。本市另行安排一批地方项目。", 1), encoding="utf-8")
    again = score_batch(corpus / "manifest.toml", out, client=client, use_cache=False)
    assert 0 < again.computed < len(first.summary) and again.skipped == len(first.summary) - again.computed
    data = pd.read_parquet(out / SCORES_DIR)
    assert len(data) == len(again.summary) and not data.duplicated(["child_doc", "parent_doc"]).any()
    merged = again.summary.merge(data, on=["child_doc", "parent_doc"], suffixes=("", "_stored"))
    assert (merged["echo"] == merged["echo_stored"]).all()


@pytest.mark.parametrize("name, content", [("README.txt", b"my notes"), ("part-0abc.parquet", None)])
def test_a_foreign_file_among_the_results_is_one_line_before_any_work(tmp_path, name, content):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from align.errors import PlanechoError

    (tmp_path / SCORES_DIR).mkdir()
    path = tmp_path / SCORES_DIR / name
    if content is None:  # a Parquet file of the right name holding a key column only
        pq.write_table(pa.table({"key": ["a"]}), path)
    else:
        path.write_bytes(content)
    with pytest.raises(PlanechoError) as caught:
        score_batch(default_manifest_path(), tmp_path, workers=1, use_cache=False)
    assert name in str(caught.value) and "not a result file" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "summary.csv").exists() and not (tmp_path / "job.json").exists()


def test_a_batch_does_not_write_into_a_folder_of_another_command(tmp_path):
    from align.errors import PlanechoError
    from compare.export import LISTING

    run_folder, mine = tmp_path / "run", tmp_path / "mine"
    run_folder.mkdir()
    (run_folder / LISTING).write_text("summary.csv\n", encoding="utf-8")
    (run_folder / "summary.csv").write_text("from planecho run\n", encoding="utf-8")
    mine.mkdir()
    (mine / "summary.csv").write_text("my summary\n", encoding="utf-8")
    for folder, words in ((run_folder, "planecho run"), (mine, "no batch wrote")):
        with pytest.raises(PlanechoError, match=words):
            score_batch(default_manifest_path(), folder, workers=1, use_cache=False)
    assert (mine / "summary.csv").read_text(encoding="utf-8") == "my summary\n"
    assert not (run_folder / "job.json").exists() and not (mine / "scores").exists()
