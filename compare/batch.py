"""Scoring many plans on Dask: one task per (child, parent) pair, results
written as pairs finish, resumable.

:func:`score_batch` scores the pairs of a manifest (every document with each
of its ancestors, as ``planecho score --manifest`` does) or a given list of
(child, parent) pairs on a ``dask.distributed`` cluster: a
:class:`~distributed.LocalCluster` of worker processes it starts, or a
:class:`~distributed.Client` of an existing cluster.

* Each document is read, cleaned and segmented once, in a task that reads
  :data:`READ_GROUP` of them; the pairs that use it get it from that task's
  future (Dask moves it to the worker that needs it).  A document that cannot
  be read is reported with its reason; the pairs that do not use it still run.
* Each pair is scored by :func:`compare.score.score_pair` in a worker, through
  the same :class:`~compare.workspace.Workspace` path as ``planecho score``,
  ``planecho run`` and the TUI, so the numbers are the same.  A worker keeps
  one workspace per job (the lexicon, jieba's dictionary and the shipped background
  are loaded once per worker process).
* Finished pairs are written as they arrive, a batch at a time (up to
  :data:`WRITE_PAIRS` pairs, or what finished within :data:`WRITE_SECONDS`),
  as one Parquet file of the dataset ``OUT/scores/part-<hash>.parquet``
  (temporary file, then ``os.replace``), one row per pair with its ``key``,
  which hashes the bytes of both plans, their manifest fields, the settings,
  the lexicon files, the version and the engine's source.  A crash, a killed
  worker or Ctrl-C loses no pair that was written (a finished pair not yet
  fetched stays in its worker; Dask computes it again if the worker dies);
  running the same job again skips the pairs whose key is in the dataset and
  scores the rest.
* At the end ``OUT/summary.csv`` holds the same table as ``planecho score``
  (in the same order), and ``OUT/failures.csv`` the pairs that could not be
  scored, with the reason; rows of a pair that a newer result replaces are
  removed from the dataset (one row per pair).  ``OUT/job.json`` names the job
  (manifest, settings): a folder of another job is refused before any work.

>>> from compare.batch import score_batch                      # doctest: +SKIP
>>> result = score_batch("corpora/manifest.toml", "outputs/batch", workers=2)  # doctest: +SKIP
>>> result.summary[["child_doc", "parent_doc", "echo"]]        # doctest: +SKIP
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from align.reading.corpus import DocumentEntry, Manifest, default_manifest_path, load_manifest
from align.errors import PlanechoError, os_reason

from .score import SCORE_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from align.reading.document import Document
    from align.decisions.match import Settings

log = logging.getLogger(__name__)

SCORES_DIR = "scores"
#: the columns of each pair's Parquet file: the score row, its key, and where and how long (wall, CPU) it was computed
PAIR_COLUMNS = [*SCORE_COLUMNS, "key", "seconds", "cpu_seconds", "worker"]
FAILURE_COLUMNS = ["child_doc", "parent_doc", "reason"]


# ---------------------------------------------------------------------------
# the job


@dataclass(frozen=True)
class BatchJob:
    """What every task needs to know: the manifest (to look plans up), the
    settings and the lexicon files.  Scattered to every worker once;
    :attr:`token` names the job's workspace in a worker."""

    manifest: Manifest
    settings: "Settings"
    lexicon_files: tuple[str, ...] = ()
    generic_files: tuple[str, ...] = ()
    encoding: str | None = None
    use_cache: bool = True
    #: the scholar's corrections applied to every alignment (:mod:`compare.corrections`), as ``score`` applies them
    corrections_path: str | None = None
    token: str = ""


@dataclass
class BatchResult:
    """What :func:`score_batch` did: the summary table (one row per pair that
    has a result, in the order asked), the failures, and how many pairs were
    computed now or skipped as already done."""

    summary: "pd.DataFrame"
    failures: "pd.DataFrame"
    computed: int
    skipped: int
    out_dir: Path
    written: list[Path] = field(default_factory=list)


def _job_token(job: BatchJob, digest: str) -> str:
    """The name of the job's workspace in a worker: a worker of a long-running cluster keeps it
    across runs, so the token changes with anything it holds (``digest``, :func:`job_digest`: the
    contents of the lexicon files and of the corrections, which the workspace reads once)."""
    from .cache import make_key

    return make_key("batch-job", repr(job.manifest.documents), digest, job.lexicon_files,
                    job.generic_files, job.encoding, job.use_cache, job.corrections_path)


def job_digest(job: BatchJob) -> str:
    """What every pair's key shares: the settings, the lexicon files, the shipped
    background, the corrections, the version and the engine's source
    (:func:`compare.cache.make_key`), hashed once per job."""
    from align.retrieval.background import BACKGROUND_FILE, COUNTS_FILE
    from align.retrieval.lexicon import GENERIC_FILE, LEXICON_FILE

    from .cache import file_digest, make_key

    lexicon = (file_digest(LEXICON_FILE), file_digest(GENERIC_FILE),
               tuple(file_digest(f) for f in job.lexicon_files), tuple(file_digest(f) for f in job.generic_files))
    background = (file_digest(BACKGROUND_FILE), file_digest(COUNTS_FILE))
    corrections = job.corrections_path and os.path.isfile(job.corrections_path) and file_digest(job.corrections_path)
    return make_key("batch-pairs", job.settings.digest(), lexicon, background, corrections or None)


def pair_key(job: BatchJob, parent: DocumentEntry, child: DocumentEntry, digest: str | None = None) -> str:
    """The key of a pair's result: the bytes of the two plans, their manifest
    fields and :func:`job_digest` (given as ``digest`` when known: it costs
    about a millisecond, a pair's key microseconds): everything a pair's result
    depends on (:meth:`compare.workspace.Workspace.alignment`)."""
    import hashlib

    from .cache import file_digest

    def doc(e: DocumentEntry) -> tuple:  # the title too: a plan naming itself is preamble (compare.selfcite)
        return (e.id, e.title, e.level, e.region, e.encoding or job.encoding, file_digest(e.file))

    text = repr(("batch-pair", digest or job_digest(job), doc(parent), doc(child)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# what runs in a worker

_WORKSPACES: dict[str, Any] = {}
_LOCK = threading.Lock()  # a worker may run several tasks in threads: the workspace is used by one at a time


def _workspace(job: BatchJob):
    """This worker's workspace for ``job``, made (and the engine loaded) once."""
    from align import forked

    from .cache import Cache
    from .workspace import Workspace

    ws = _WORKSPACES.get(job.token)
    if ws is None:
        forked.default_jobs = 1  # the cluster runs pairs side by side: no process forks more
        ws = Workspace(job.manifest, job.settings, job.encoding, Cache(enabled=job.use_cache),
                       lexicon_files=job.lexicon_files, generic_files=job.generic_files,
                       corrections_path=Path(job.corrections_path) if job.corrections_path else None)
        ws.prepare_engine()
        while len(_WORKSPACES) >= 2:  # a new job frees the oldest one's documents and model
            _WORKSPACES.pop(next(iter(_WORKSPACES)))
        _WORKSPACES[job.token] = ws
    return ws


@dataclass(frozen=True)
class Unreadable:
    """What :func:`read_document` gives for a plan that cannot be read: the reason."""

    doc_id: str
    reason: str


def read_document(job: BatchJob, doc_id: str) -> "Document | Unreadable":
    """Read, clean and segment one document of the job."""
    with _LOCK:
        ws = _workspace(job)
        try:
            doc = ws.document(job.manifest.get(doc_id))
        except PlanechoError as e:  # a user's file: reported, not a failed task
            return Unreadable(doc_id, str(e))
        except OSError as e:
            path = e.filename or job.manifest.get(doc_id).file
            return Unreadable(doc_id, f"{path}: cannot read the file ({e.strerror})")
        finally:
            ws.forget()  # Dask keeps the document (as this task's result) while pairs need it
        doc.alignable(job.settings.unit)  # segmented here, once, not by every pair
        return doc


def read_documents(job: BatchJob, doc_ids: Sequence[str]) -> "dict[str, Document | Unreadable]":
    """Read a few documents of the job (a task of its own: :func:`read_document` for each).  A document
    whose reading fails otherwise (a bug) fails its own pairs only, with the error as the reason."""
    out: dict[str, Document | Unreadable] = {}
    for d in doc_ids:
        try:
            out[d] = read_document(job, d)
        except Exception as e:  # noqa: BLE001 - reported per pair, as a failed task was
            out[d] = Unreadable(d, _reason(e))
    return out


def score_task(job: BatchJob, parents: "dict[str, Document | Unreadable]", children: "dict[str, Document | Unreadable]",
               parent_id: str, child_id: str) -> dict[str, object]:
    """Score one pair in a worker (:func:`compare.score.score_pair`), its plans taken from the results of
    the tasks that read them; for a pair with a plan that could not be read, ``{"unreadable": {doc id:
    reason}}`` (child first), so the client lists it without a task of its own per plan."""
    from .score import score_pair

    parent, child = parents[parent_id], children[child_id]
    bad = {d.doc_id: d.reason for d in (child, parent) if isinstance(d, Unreadable)}
    if bad:
        return {"unreadable": bad}
    start, cpu = time.perf_counter(), time.thread_time()
    with _LOCK:
        ws = _workspace(job)
        try:
            row = score_pair(ws, parent, child)
        finally:
            ws.forget()  # keep the scores only: memory stays flat over thousands of pairs
    row["seconds"] = round(time.perf_counter() - start, 4)
    row["cpu_seconds"] = round(time.thread_time() - cpu, 4)  # the pair's cost, whatever else the machine runs
    row["worker"] = f"{os.uname().nodename}:{os.getpid()}"
    return row


# ---------------------------------------------------------------------------
# the client side


def _entries(pairs: Sequence[tuple[Any, Any]], manifest: Manifest | None) -> tuple[Manifest, list[tuple[str, str]]]:
    """A manifest holding ``manifest``'s documents plus every plan of ``pairs``
    given by path, and the pairs as (parent id, child id)."""
    from align.reading.corpus import entry_for_path
    from align.reading.document import resolve

    docs: dict[str, DocumentEntry] = {e.id: e for e in manifest.documents} if manifest else {}
    out: list[tuple[str, str]] = []
    for child, parent in pairs:
        ids = []
        for ref in (parent, child):
            if isinstance(ref, DocumentEntry):
                entry = ref
            elif manifest is not None:
                entry = resolve(ref, manifest)
            else:
                entry = entry_for_path(ref)
            known = docs.get(entry.id)
            if known is not None and known.file != entry.file:
                raise PlanechoError(f"two plans with the id {entry.id!r}: {known.file} and {entry.file}; "
                                    "rename one of the files")
            docs.setdefault(entry.id, entry)
            ids.append(entry.id)
        out.append((ids[0], ids[1]))
    path = manifest.path if manifest else Path("<pairs>")
    return Manifest(path, tuple(docs.values())), out


def manifest_pairs(manifest: Manifest) -> list[tuple[str, str]]:
    """(parent, child) for every document and each of its ancestors, parents
    before children: the pairs of ``planecho score --manifest`` and ``run``."""
    from .workspace import Workspace

    return [(x.parent, x.child) for x in Workspace(manifest).pairs()]


def _write_rows(rows: list[dict[str, object]], scores: Path) -> Path:
    """A batch of finished pairs as one Parquet file of ``scores``, atomically: the dataset never holds a
    half-written file (readers skip the temporary name, which starts with a dot).  Named by a hash of its
    pairs' keys.  Written with pyarrow directly: through pandas it costs more than a small pair."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    from .export import atomic_path

    name = hashlib.sha256(" ".join(str(r["key"]) for r in rows).encode()).hexdigest()[:32]
    path = scores / f"part-{name}.parquet"
    with atomic_path(path) as tmp:
        pq.write_table(pa.Table.from_pylist([{c: r[c] for c in PAIR_COLUMNS} for r in rows], schema=_schema()), tmp)
    return path


def _schema():
    import pyarrow as pa

    ints = {"verbatim", "adapted", "partial", "local", "dropped"}
    floats = {"echo", "coverage", "seconds", "cpu_seconds"}
    return pa.schema([(c, pa.int64() if c in ints else pa.float64() if c in floats else pa.string())
                      for c in PAIR_COLUMNS])


def _result_files(scores: Path) -> list[Path]:
    """The result files of ``scores`` (one per batch of pairs; ``pair-<key>.parquet`` from earlier versions,
    one per pair); removes temporary files left by an interrupted run (older than a minute: a write takes
    milliseconds)."""
    import re

    if not scores.is_dir():
        return []
    for stale in scores.glob(".part-*.parquet.*.part"):  # compare.export.atomic_path's temporary names
        try:
            if time.time() - stale.stat().st_mtime > 60:
                stale.unlink()
        except OSError:
            pass
    found = []
    for p in sorted(scores.iterdir()):
        if p.name.startswith((".", "_")):  # hidden from Parquet readers (pyarrow skips them) and from planecho
            continue
        if not (re.fullmatch(r"(part|pair)-[0-9a-f]+\.parquet", p.name) and p.is_file()):
            raise PlanechoError(f"not a result file of planecho's batch scorer (Parquet readers of the dataset "
                                f"would read it too); move it out of {scores}", path=p)
        found.append(p)
    return found


def _read_results(scores: Path, columns: list[str]) -> "list[dict[str, object]]":
    """The rows (``columns``, with ``key``) of every result file of ``scores``."""
    import pyarrow.parquet as pq

    rows: list[dict[str, object]] = []
    for path in _result_files(scores):
        try:
            missing = set(PAIR_COLUMNS).difference(pq.read_schema(path).names)
            if not missing:
                rows.extend(pq.read_table(path, columns=list(dict.fromkeys(["key", *columns]))).to_pylist())
        except (OSError, ValueError) as e:  # pyarrow's ArrowInvalid is a ValueError
            why = " ".join(str(e).split("\n", 1)[0].split())[:120]
            raise PlanechoError(f"not a result file of planecho's batch scorer ({why}); move it out of {scores}",
                                path=path) from None
        if missing:
            raise PlanechoError(f"not a result file of planecho's batch scorer (no column {sorted(missing)[0]!r}); "
                                f"move it out of {scores}", path=path)
    return rows


def _drop_superseded(scores: Path, current: dict[tuple[str, str], str]) -> None:
    """Remove from the dataset the rows of a pair that has a newer result (``current``: (child, parent)
    → the key of its result now, for the pairs that have one): the dataset holds one row per pair.  Each
    file is rewritten atomically, or removed when nothing is left in it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .export import atomic_path

    for path in _result_files(scores):
        ids = pq.read_table(path, columns=["key", "child_doc", "parent_doc"]).to_pydict()
        keep = [current.get((c, p), k) == k for k, c, p in zip(ids["key"], ids["child_doc"], ids["parent_doc"])]
        if all(keep):
            continue
        if any(keep):
            table = pq.read_table(path).filter(pa.array(keep))
            with atomic_path(path) as tmp:
                pq.write_table(table, tmp)
        else:
            path.unlink()


JOB_FILE = "job.json"  # in the results folder: the job whose results it holds (see :func:`_claim`)


def _claim(out: Path, job: BatchJob, pairs_given: bool) -> None:
    """Make sure the results folder ``out`` holds this job's results only: the same manifest (or pairs
    given one by one) and settings.  A folder of another job is refused before any work (the same
    command again resumes a job; a new plan version only supersedes its pairs' rows); a folder without
    :data:`JOB_FILE` is taken (and the file written)."""
    import json

    from .export import atomic_path

    mine = {"manifest": "(pairs given one by one)" if pairs_given else str(job.manifest.path),
            "settings": json.loads(json.dumps(job.settings.to_dict(), default=list))}
    path = out / JOB_FILE
    try:
        theirs = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        theirs = None
    except (OSError, ValueError) as e:
        raise PlanechoError(f"not the job file of planecho's batch scorer ({type(e).__name__}); move it out of "
                            f"{out}", path=path) from None
    if theirs is None:
        from .export import LISTING

        if (out / LISTING).exists():
            raise PlanechoError("holds the results of `planecho run` or `export`; give the batch its own --out "
                                "folder", path=out)
        if not (out / SCORES_DIR).is_dir() and any((out / f).exists() for f in ("summary.csv", "failures.csv")):
            raise PlanechoError("holds a summary.csv or failures.csv that no batch wrote (a batch writes its own "
                                "there); give the batch its own --out folder", path=out)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(mine, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    if not isinstance(theirs, dict) or not isinstance(theirs.get("settings"), dict):
        raise PlanechoError(f"not the job file of planecho's batch scorer; move it out of {out}", path=path)
    differ = []
    if theirs.get("manifest") != mine["manifest"]:
        differ.append(f"manifest {theirs.get('manifest')}")
    differ += [f"{k} {theirs['settings'].get(k)!r}" for k, v in mine["settings"].items()
               if theirs["settings"].get(k) != v]
    if differ:
        raise PlanechoError(f"holds the results of another job (its {', '.join(differ)}); give this one its "
                            "own --out folder", path=out)


def _done_keys(scores: Path) -> set[str]:
    """The keys of the pairs already written."""
    return {str(r["key"]) for r in _read_results(scores, [])}


@dataclass
class _Progress:
    """Pairs done / total for a callback ``(done, total, message)``."""

    callback: Callable[[int, int, str], None] | None
    total: int
    done: int = 0

    def __call__(self, message: str, advance: int = 1) -> None:
        self.done += advance
        if self.callback is not None:
            self.callback(self.done, self.total, message)


#: Dask settings of the local cluster (its scheduler, nannies and workers).  By
#: default every event loop checks its own health 50 times a second, each worker's
#: statistical profiler samples its stack 100 times a second, and the monitors poll
#: memory and system load 10 and 2 times a second: an idle 2-worker cluster burns
#: 7 CPU-seconds a minute, 1 with these settings, and a busy one more (measured on
#: the 2-core machine; see the README).  Dask also starts its workers with
#: ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc hand every freed block of a
#: pair's arrays back to the system and fault the pages in again for the next: a
#: pair then costs 13 % more CPU (measured in one process, with and without); the
#: workers here keep glibc's default (their peak memory: ``benchmarks/batch_scale.py``).
#: An existing cluster keeps its own settings.
LOCAL_CLUSTER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,  # None: not set (Dask's own rule)
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.gil.enabled": False,
}


def _load_engine(lexicon_files: Sequence[str] = (), generic_files: Sequence[str] = ()) -> None:
    """Load in this process what every worker loads before its first pair
    (:meth:`~compare.workspace.Workspace.prepare_engine`: the engine's libraries, jieba's
    dictionary with the lexicon, the shipped background).  Workers forked from this process start
    with them (once, not once per worker)."""
    from .workspace import Workspace

    Workspace(Manifest(Path("<engine>"), ()), lexicon_files=tuple(lexicon_files),
              generic_files=tuple(generic_files)).prepare_engine()


def local_client(workers: int | None = None, *, dashboard: bool = True, lexicon_files: Sequence[str] = (),
                 generic_files: Sequence[str] = ()):
    """A :class:`distributed.Client` of a new local cluster of ``workers``
    processes (default: the cores this process may use), one thread each,
    with :data:`LOCAL_CLUSTER_CONFIG`.

    On Linux the worker processes are forked from this one after it has
    loaded the engine (:func:`_load_engine`, with the given lexicon files):
    they start with its imports and the engine's data instead of importing
    and loading them each (Dask's default starts them fresh, ``spawn``).  A
    worker that Dask restarts (after it died) is started fresh."""
    import dask
    from distributed import Client, LocalCluster

    n = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    trim = dask.config.get("distributed.nanny.pre-spawn-environ", {}).get("MALLOC_TRIM_THRESHOLD_")
    if trim is not None and os.environ.get("MALLOC_TRIM_THRESHOLD_") == str(trim):
        # left in this process's environment by a Dask cluster started here before (its nannies set it
        # here before they spawn): the workers would inherit it
        del os.environ["MALLOC_TRIM_THRESHOLD_"]
    config = dict(LOCAL_CLUSTER_CONFIG)
    if sys.platform.startswith("linux"):  # elsewhere fork is unsafe (macOS) or missing (Windows)
        from align.forked import guard_logging_across_forks

        guard_logging_across_forks()  # the cluster's event loop logs while its nannies fork
        _load_engine(lexicon_files, generic_files)
        config["distributed.worker.multiprocessing-method"] = "fork"
    with dask.config.set(config):  # the nannies hand it on to their worker processes
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=":0" if dashboard else None, silence_logs=logging.ERROR)
        return Client(cluster)


#: seconds to wait for the scheduler of ``--scheduler`` to answer
CONNECT_SECONDS = 20


def connect(address: str, seconds: float = CONNECT_SECONDS):
    """A :class:`distributed.Client` of the existing cluster whose scheduler is at
    ``address``, or a :class:`PlanechoError` saying why not: an address Dask
    cannot read, nothing listening, or no answer within ``seconds`` (a port
    where something else than a Dask scheduler listens never answers Dask's
    handshake, and Dask's own timeouts do not end that wait: the client is made
    in a thread that is given up)."""
    from distributed import Client

    if not address.strip():
        raise PlanechoError("--scheduler: give the scheduler's address, such as tcp://10.0.0.5:8786")
    made: dict[str, Any] = {}

    def make() -> None:
        try:
            made["client"] = Client(address, timeout=f"{seconds}s")
        except Exception as e:  # noqa: BLE001 - any failure to connect to the user's address is reported
            made["error"] = e

    thread = threading.Thread(target=make, name="planecho-connect", daemon=True)
    thread.start()
    thread.join(seconds + 5)
    if "client" in made:
        return made["client"]
    why = (f"no Dask scheduler answered within {seconds:.0f} s" if thread.is_alive()
           else " ".join(f"{type(made['error']).__name__}: {made['error']}".split()))
    raise PlanechoError(f"--scheduler {address}: cannot connect ({why})")


def dashboard_of(client) -> str | None:
    """The cluster's dashboard address, when it has one (the scheduler serves
    one when bokeh is installed beside it: ``pip install planecho[dashboard]``)."""
    try:
        if "dashboard" not in client.scheduler_info().get("services", {}):
            return None

        def has_bokeh() -> bool:  # nested: sent by value, the scheduler need not have planecho
            import importlib.util

            return importlib.util.find_spec("bokeh") is not None

        if not client.run_on_scheduler(has_bokeh):
            return None
        return client.dashboard_link
    except Exception:  # noqa: BLE001 - no dashboard to show is not an error
        return None


def score_batch(source: str | os.PathLike | Manifest | Sequence[tuple[Any, Any]] | None, out_dir: str | os.PathLike,
                *, manifest: Manifest | str | os.PathLike | None = None, client=None, workers: int | None = None,
                settings: "Settings | None" = None, lexicon_files: Sequence[str | os.PathLike] = (),
                generic_files: Sequence[str | os.PathLike] = (), encoding: str | None = None,
                use_cache: bool = True, corrections: str | os.PathLike | bool = True,
                progress: Callable[[int, int, str], None] | None = None,
                on_client: Callable[[Any], None] | None = None) -> BatchResult:
    """Score every pair of a manifest, or the given (child, parent) pairs, on Dask.

    ``source``: a manifest (path or :class:`~align.reading.corpus.Manifest`; None: the
    bundled one) whose pairs are every document with each of its ancestors, or a
    list of (child, parent) pairs given as manifest ids (of ``manifest``), paths
    or manifest entries.  ``client``: a :class:`distributed.Client`; without
    one, a local cluster of ``workers`` processes is started and closed.
    Results go to ``out_dir`` (see the module's docstring); finished pairs from
    an earlier run of the same job are skipped.  ``corrections``: a corrections
    file, True for ``corrections.jsonl`` beside the manifest (as ``planecho
    score``), False for none.  ``progress(done, total,
    message)`` is called as pairs finish; ``on_client(client)`` once the
    cluster is up (to show its dashboard).

    Raises :class:`~align.errors.PlanechoError` for a bad manifest or argument;
    a plan that cannot be read is reported in :attr:`BatchResult.failures`.
    """
    import pandas as pd

    from align.retrieval.lexicon import load_lexicon
    from align.decisions.match import Settings

    from .export import write_table

    if isinstance(manifest, (str, os.PathLike)):
        manifest = load_manifest(manifest)
    if source is None or isinstance(source, (str, os.PathLike, Manifest)):
        m = source if isinstance(source, Manifest) else load_manifest(source or manifest or default_manifest_path())
        pairs = manifest_pairs(m)
    else:
        m, pairs = _entries(list(source), manifest)
    pairs_given = not (source is None or isinstance(source, (str, os.PathLike, Manifest)))
    load_lexicon(tuple(map(str, lexicon_files)), tuple(map(str, generic_files)))  # a bad file fails here
    from . import corrections as corr

    if corrections is True:
        fixes = str(corr.default_path(m.path)) if m.path.name != "<pairs>" else None
    else:
        fixes = os.fspath(corrections) if corrections is not False else None
    if fixes is not None:
        corr.read(fixes)  # a bad corrections file fails here, before any work
    job = BatchJob(m, settings or Settings(), tuple(map(str, lexicon_files)), tuple(map(str, generic_files)),
                   encoding, use_cache, fixes)
    out = Path(out_dir)
    try:
        out.resolve()
    except (OSError, RuntimeError) as e:  # a symbolic link loop
        raise PlanechoError(f"cannot be an output folder: {os_reason(e)}", path=out) from None
    if out.exists() and not out.is_dir():
        raise PlanechoError("--out: not a folder", path=out)
    scores = out / SCORES_DIR
    done = _done_keys(scores)  # a file there that is not a result: named before any work
    _claim(out, job, pairs_given)

    failures: dict[tuple[str, str], str] = {}
    keys: dict[tuple[str, str], str] = {}
    digest = job_digest(job)
    job = replace(job, token=_job_token(job, digest))  # the job's workspace in a worker
    for p, c in pairs:
        try:
            keys[(p, c)] = pair_key(job, m.get(p), m.get(c), digest)
        except OSError as e:  # a plan that cannot even be opened: listed, the rest go on
            failures[(p, c)] = f"{e.filename}: cannot read the file ({e.strerror})"
    todo = list(dict.fromkeys(pc for pc in pairs if pc in keys and keys[pc] not in done))
    skipped = sum(1 for pc in pairs if pc in keys and keys[pc] in done)
    tick = _Progress(progress, len(pairs), skipped)
    fresh: dict[str, dict[str, object]] = {}  # key → score row of the pairs scored now (the others are read back)
    # the total at once (a progress bar shows it before the cluster is up)
    tick(f"{skipped} pairs already scored" if skipped else "starting", 0)
    for (p, c), reason in failures.items():
        tick(f"cannot score {c} ← {p}")
    if todo:
        own = client is None
        if own:
            client = local_client(workers, lexicon_files=job.lexicon_files, generic_files=job.generic_files)
        try:
            if on_client is not None:
                on_client(client)
            try:
                _run(client, job, todo, keys, scores, failures, tick, fresh)
            except Exception as e:
                if not _lost_cluster(e):
                    raise
                raise _cluster_lost(len(fresh), scores) from None
        finally:
            if own:
                cluster = client.cluster
                client.close()
                cluster.close()

    earlier: dict[str, dict[str, object]] = {}  # key → score row of the pairs scored by an earlier run
    if skipped:
        for r in _read_results(scores, SCORE_COLUMNS):
            earlier.setdefault(str(r["key"]), r)
    rows = []
    current: dict[tuple[str, str], str] = {}  # (child, parent) → the key of its result now
    for pc in pairs:
        key = keys.get(pc)
        if pc in failures or key is None:
            continue
        row = fresh.get(key) or earlier.get(key)
        if row is not None:
            rows.append({c: row[c] for c in SCORE_COLUMNS})
            current[(str(row["child_doc"]), str(row["parent_doc"]))] = key
    _drop_superseded(scores, current)
    summary = pd.DataFrame(rows, columns=SCORE_COLUMNS)  # built as `planecho score` builds it
    fails = pd.DataFrame([(c, p, failures[(p, c)]) for p, c in dict.fromkeys(pairs) if (p, c) in failures],
                         columns=FAILURE_COLUMNS)
    written = [write_table(summary, out / "summary.csv")]
    failures_path = out / "failures.csv"
    if len(fails):
        written.append(write_table(fails, failures_path))
    elif failures_path.exists():
        failures_path.unlink()  # from an earlier run whose failures are now scored
    return BatchResult(summary, fails, len(todo) - sum(1 for pc in todo if pc in failures), skipped, out, written)


#: pairs submitted to the scheduler in one message (with the reading of the plans they are the first to use)
SUBMIT_CHUNK = 64
#: plans read by one task (those first used by a chunk of pairs, in the order of the pairs): a task per plan
#: cost Dask's bookkeeping of ~1,110 tasks for 813 pairs (300 plans), and moved plans one by one between
#: workers (~285 transfers; ~40 with 8 plans a task, and the job's CPU beyond the pairs 13.5 → 10.4 s)
READ_GROUP = 8
#: finished pairs fetched from the workers and written to one Parquet file together: as soon as this many
#: have finished, or this many seconds after the first of them finished (and at the end, or on Ctrl-C)
WRITE_PAIRS = 64
WRITE_SECONDS = 2.0


def _run(client, job: BatchJob, todo: list[tuple[str, str]], keys: dict[tuple[str, str], str], scores: Path,
         failures: dict[tuple[str, str], str], tick: _Progress, fresh: dict[str, dict[str, object]]) -> None:
    """Read each document the pairs need (:data:`READ_GROUP` a task, submitted
    with the first pairs that use them, so pairs start as soon as their two
    plans are read) and score the pairs (one task each), writing the results as
    they arrive.

    Tasks are submitted :data:`SUBMIT_CHUNK` pairs at a time; finished results
    are fetched and written together (:data:`WRITE_PAIRS`, :data:`WRITE_SECONDS`):
    one message to the scheduler per chunk, one fetch and one Parquet file per
    batch of results, not per task.  Until it is fetched, a finished pair's
    result stays in its worker, and Dask computes it again if that worker dies."""
    from distributed import as_completed

    # the job as a task's result (not scattered data, which a cluster cannot make again when the
    # worker holding it dies): the workers copy it from one another as their tasks need it
    shared = client.submit(_the_job, job, key=f"job-{job.token[:32]}", pure=False)
    doc_futures: dict[str, Any] = {}
    uses: dict[str, int] = {}  # pairs still to score per document: released at 0, freeing its memory
    futures = {}
    for i in range(0, len(todo), SUBMIT_CHUNK):
        chunk = todo[i : i + SUBMIT_CHUNK]
        new = [d for d in dict.fromkeys(d for pc in chunk for d in pc) if d not in doc_futures]
        groups = [tuple(new[j : j + READ_GROUP]) for j in range(0, len(new), READ_GROUP)]
        if groups:
            read = client.map(read_documents, [shared] * len(groups), groups, pure=False,
                              key=[f"read-{g[0]}-{len(g)}-{job.token[:16]}" for g in groups])
            doc_futures.update((d, f) for g, f in zip(groups, read) for d in g)
        for pc in chunk:
            for d in pc:
                uses[d] = uses.get(d, 0) + 1
        fs = client.map(score_task, [shared] * len(chunk), [doc_futures[p] for p, _ in chunk],
                        [doc_futures[c] for _, c in chunk], [p for p, _ in chunk], [c for _, c in chunk], pure=False,
                        key=[f"score-{keys[pc][:24]}" for pc in chunk])
        futures.update(zip(fs, chunk))
    warned: set[str] = set()
    cancelled: list[tuple[str, str]] = []

    def write(batch: list) -> None:
        """Fetch the results of ``batch`` (finished futures) in one message, write them, then count them."""
        # a finished result lost with its worker is computed again: gathering waits for it
        wanted = {f.key: f for f in batch if f.status not in ("error", "cancelled")}
        got = client.gather(wanted, errors="skip") if wanted else {}
        results = {wanted[k]: r for k, r in got.items()}
        rows, done = [], []
        for future in batch:
            p, c = futures.pop(future)
            for d in (p, c):
                uses[d] -= 1
                if uses[d] == 0:
                    del doc_futures[d]
            if future not in results:
                if future.status == "cancelled":  # by the cluster: its scheduler is gone (see below)
                    cancelled.append((p, c))
                    continue
                failures[(p, c)] = _reason(future.exception())
                done.append(f"failed {c} ← {p}")
                continue
            row = results.pop(future)
            if "unreadable" in row:
                for d, why in row["unreadable"].items():
                    if d not in warned:
                        warned.add(d)
                        log.warning("%s", why)
                failures[(p, c)] = "; ".join(row["unreadable"].values())
                done.append(f"cannot score {c} ← {p}")
                continue
            row["key"] = keys[(p, c)]
            rows.append(row)
            done.append(f"{c} ← {p}")
        if rows:
            _write_rows(rows, scores)
        for row in rows:
            fresh[row["key"]] = row
        for future in batch:
            future.release()
        for message in done:  # counted once written: a progress callback that stops the run loses nothing
            tick(message)

    pending: list = []  # finished, not yet fetched
    first = 0.0
    ac = as_completed(list(futures))
    try:
        for batch in ac.batches():
            if not pending:
                first = time.monotonic()
            pending.extend(batch)
            if len(pending) >= WRITE_PAIRS or time.monotonic() - first >= WRITE_SECONDS or ac.is_empty():
                batch, pending = pending, []
                write(batch)
    except BaseException:  # Ctrl-C, a stopped progress callback: keep what finished
        batch, pending = [f for f in pending if f.status in ("finished", "error")], []
        if batch:
            write(batch)
        raise
    if pending:
        write(pending)
    if cancelled:  # the cluster cancelled them
        raise _cluster_lost(len(fresh), scores)


def _cluster_lost(scored: int, scores: Path) -> PlanechoError:
    """The error of a run whose cluster went away (see :func:`_lost_cluster`)."""
    return PlanechoError(f"lost the Dask cluster (its scheduler stopped, or the connection to it was lost); the "
                         f"{scored} pairs scored are kept in {scores}: run the same command again to score the rest")


def _lost_cluster(exc: BaseException) -> bool:
    """Whether ``exc`` says the client lost its cluster (a closed connection, cancelled futures)."""
    from concurrent.futures import CancelledError

    from distributed.comm.core import CommClosedError

    return isinstance(exc, (CommClosedError, CancelledError))


def _the_job(job: BatchJob) -> BatchJob:
    """The task that holds the job in the cluster (see :func:`_run`)."""
    return job


def _reason(exc: BaseException) -> str:
    if isinstance(exc, PlanechoError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------
# progress on stderr


class ProgressReport:
    """Pairs done / total with the time left: a rich bar on a terminal, a line
    every few seconds (and at the end) otherwise.  Use as a context manager and
    pass the instance as ``progress=``."""

    def __init__(self, *, every: float = 5.0, stream=None) -> None:
        from rich.console import Console

        self.console = Console(file=stream or sys.stderr)
        self.every = every
        self._bar = None
        self._task = None
        self._last = 0.0
        self._start = time.monotonic()
        self._first: tuple[float, int] | None = None

    def __enter__(self) -> "ProgressReport":
        if self.console.is_terminal:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                 console=self.console, transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("scoring", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def message(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False)

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if self._first is None:
            self._first = (now, done)  # pairs skipped as done do not count for the rate
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total, description=message[:50])
            return
        if now - self._last < self.every and done < total:
            return
        self._last = now
        t0, d0 = self._first
        rate = (done - d0) / (now - t0) if now > t0 and done > d0 else 0.0
        left = f", about {(total - done) / rate:.0f} s left" if rate and done < total else ""
        self.message(f"planecho: {done}/{total} pairs{left}")
