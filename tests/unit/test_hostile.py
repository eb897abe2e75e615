"""Hostile but fair input (issue 16) and one bad file in a batch (issue 13).

Every case is built here on small files: nothing wrong served silently,
nothing the user had lost, no traceback -- a one-line ``planecho: error:``
naming the path and exit status 2, or, over a manifest, the run completed for
the readable plans with each failure listed and exit status 3.

Permission cases run the command line as root *without* the capabilities
that let root ignore file permissions (``CAP_DAC_OVERRIDE``,
``CAP_DAC_READ_SEARCH``), or as the current user when that is not root; they
are skipped, with the reason shown, where neither is possible.
"""
from __future__ import annotations

import csv
import ctypes
import json
import logging
import os
import pickle
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.reading.corpus import load_manifest
from align.textnorm import escape_text
from align.errors import ExportError, InputError, ManifestError
from helpers import assert_one_line_error as _one_line_error

ROOT = Path(__file__).resolve().parents[2]
PARENT = ("一、总体要求\n\n推进以人为核心的新型城镇化，全面提升城市品质。到2025年，全省常住人口城镇化率达到75%。\n\n"
          "二、主要任务\n\n深化户籍制度改革，推动农业转移人口全面融入城市。实施“千年古城复兴”计划。\n")
CHILD = ("一、总体要求\n\n推进以人为核心的新型城镇化，全面提升城市品质。到2025年，全市常住人口城镇化率达到70%。\n\n"
         "二、重点工作\n\n深化户籍制度改革，推动农业转移人口融入城市。建设海上花园城市。\n")


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    cache = tmp_path_factory.mktemp("cache")
    return {**os.environ, "PLANECHO_CACHE_DIR": str(cache), "COLUMNS": "200"}


def planecho(env: dict[str, str], *args: str, cwd: Path | None = None, unprivileged: bool = False,
             timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compare.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout, preexec_fn=_drop_privileges if unprivileged else None)


def _drop_privileges() -> None:
    """In the child before exec: root loses the capabilities that bypass file permissions."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: gone from the bounding set, so from the exec'd child
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture(scope="module")
def permissions_apply(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip (saying why) where a permission-denied file cannot be made for the command line."""
    probe = tmp_path_factory.mktemp("probe") / "locked.txt"
    probe.write_text("x")
    probe.chmod(0)
    try:
        r = subprocess.run([sys.executable, "-c", f"open({str(probe)!r}).read()"], capture_output=True, text=True,
                           preexec_fn=_drop_privileges, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        pytest.skip(f"cannot run a process that file permissions apply to: {e}")
    if "PermissionError" not in r.stderr:
        pytest.skip("file permissions do not apply here (root keeps CAP_DAC_OVERRIDE and it cannot be dropped)")


def assert_one_line_error(r: subprocess.CompletedProcess[str], *words: str) -> str:
    """:func:`helpers.assert_one_line_error` without the check on stdout (as these tests always had it)."""
    return _one_line_error(r, *words, stdout_empty=False)


def _entry(doc_id: str, level: str, file: str, parents: list[str]) -> str:
    return (f"[[document]]\nid = {json.dumps(doc_id)}\ntitle = \"规划\"\nlevel = \"{level}\"\n"
            f"region = \"台州市\"\ndate = \"2021-09\"\nfile = {json.dumps(file)}\nparents = {json.dumps(parents)}\n\n")


def _corpus(folder: Path, *entries: str, texts: dict[str, str] | None = None) -> Path:
    for name, text in (texts or {"parent.txt": PARENT, "child.txt": CHILD}).items():
        (folder / name).write_text(text, encoding="utf-8")
    manifest = folder / "manifest.toml"
    manifest.write_text("".join(entries), encoding="utf-8")
    return manifest


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- results keyed by document id ------------------------------------------------------------


def test_two_ids_naming_one_file_each_keep_their_own_results(tmp_path: Path) -> None:
    from compare.run import compute
    from compare.workspace import Workspace

    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("tz-a", "city", "child.txt", ["parent"]), _entry("tz-b", "city", "child.txt", ["parent"]))
    ws = Workspace.open(manifest)
    results = compute(ws)
    scores = results.tables["scores"]
    assert sorted(scores.child_doc) == ["tz-a", "tz-b"]
    assert scores.drop(columns="child_doc").duplicated().tolist() == [False, True]  # same text, same figures
    for name in ("alignments", "dropped", "local_additions"):
        table = results.tables[name]
        child_col = "child_doc" if "child_doc" in table else "doc"
        per_id = table.groupby(child_col).size().to_dict()
        assert set(per_id) <= {"tz-a", "tz-b"} and len(set(per_id.values())) <= 1, (name, per_id)
    links = {c: {link.child.doc_id for link in a.links} for (p, c), a in results.alignments.items()}
    assert links == {"tz-a": {"tz-a"}, "tz-b": {"tz-b"}}
    changed = results.tables["changed_targets"]
    if not changed.empty:
        assert changed.groupby("child_doc").size().nunique() == 1


# --- the cache -------------------------------------------------------------------------------


def test_a_cache_entry_is_served_for_its_own_key_only(tmp_path: Path) -> None:
    from compare.cache import Cache, make_key

    cache = Cache(tmp_path)
    k1, k2 = make_key("a"), make_key("b")
    cache.put("alignments", k1, "result of a")
    cache.put("alignments", k2, "result of b")
    p1, p2 = cache._path("alignments", k1), cache._path("alignments", k2)
    b1, b2 = p1.read_bytes(), p2.read_bytes()
    p1.write_bytes(b2)
    p2.write_bytes(b1)  # swapped, as the campaign did
    assert cache.get("alignments", k1) is None and cache.get("alignments", k2) is None
    p1.write_bytes(b1)
    assert cache.get("alignments", k1) == "result of a"
    assert cache.get("phrases", k1) is None  # another kind, same key
    p1.write_bytes(pickle.dumps("a bare value of an old format"))
    assert cache.get("alignments", k1) is None


def test_a_full_cache_disk_warns_once_and_leaves_no_temporary_files(tmp_path: Path, monkeypatch,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    import errno

    from compare import cache as cache_module

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module.pickle, "dump", full)
    cache = cache_module.Cache(tmp_path)
    with caplog.at_level(logging.WARNING, logger="compare.cache"):
        for n in range(16):
            cache.put("alignments", cache_module.make_key(n), n)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "No space left" in warnings[0].getMessage()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


# --- output names ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab_%", min_size=1, max_size=6), min_size=2, max_size=6, unique=True))
def test_pair_names_never_collide(ids: list[str]) -> None:
    from compare.run import pair_name

    pairs = [(p, c) for p in ids for c in ids if p != c]
    assert len({pair_name(p, c) for p, c in pairs}) == len(pairs)


def test_outputs_that_would_share_a_file_fail_before_anything_is_written(tmp_path: Path) -> None:
    from compare.run import _check_distinct

    _check_distinct(["figures/a__b.png", "figures/b__a.png"], tmp_path)
    with pytest.raises(ExportError, match="share one file"):
        _check_distinct(["units/Tz.sentence.csv", "units/tz.sentence.csv"], tmp_path)


def test_ids_with_double_underscores_get_one_figure_and_report_each(tmp_path: Path, env: dict[str, str]) -> None:
    texts = {f"{n}.txt": (CHILD if n != "c" else PARENT).replace("海上花园城市", f"{n}城市") for n in "abcd"}
    manifest = _corpus(tmp_path, _entry("c", "province", "c.txt", []), _entry("b__c", "city", "b.txt", []),
                       _entry("a__b", "city", "a.txt", ["c"]), _entry("a", "county", "d.txt", ["b__c"]),
                       texts=texts)
    out = tmp_path / "out"
    r = planecho(env, "run", "--manifest", str(manifest), "--out", str(out), "--no-cache", cwd=tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    written = int(r.stderr.split("wrote ")[1].split(" files")[0])
    assert written == sum(1 for p in out.rglob("*") if p.is_file() and p.name != ".planecho-files")  # and its list
    assert len(list((out / "figures").glob("*.png"))) == len(list((out / "reports").glob("*.html"))) - 1 == 2
    index = (out / "reports" / "index.html").read_text(encoding="utf-8")
    links = [part.split('"')[0] for part in index.split('href="')[1:]]
    assert len(links) == len(set(links)) == 2
    from urllib.parse import unquote

    assert all((out / "reports" / unquote(link)).is_file() for link in links)


# --- ids and file names, checked once, up front -------------------------------------------------


@pytest.mark.parametrize("bad_id, why", [
    ("tz\x1b[31mred", "control character \\u001b"),
    ("tz\x00", "control character \\u0000"),
    ("tz\nb", "control character \\n"),
    ("tz\u202ecba", "control character \\u202e"),
    ("t" * 250, "over the 100-byte limit"),
    ("tz:a", "reserved character ':'"),
    ("tz*", "reserved character '*'"),
    ("-tz", "starts with '-'"),
])
def test_unusable_ids_are_refused_before_any_work(tmp_path: Path, env: dict[str, str], bad_id: str,
                                                  why: str) -> None:
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry(bad_id, "city", "child.txt", ["parent"]))
    with pytest.raises(ManifestError) as err:
        load_manifest(manifest)
    assert why in str(err.value)
    out = tmp_path / "out"
    r = planecho(env, "run", "--manifest", str(manifest), "--out", str(out), "--no-cache", cwd=tmp_path)
    line = assert_one_line_error(r, "manifest.toml:", why)
    assert escape_text(line) == line  # nothing raw reaches the terminal
    assert not out.exists()


@pytest.mark.parametrize("bad_file, why", [
    ("child\x00.txt", "control character \\u0000"),
    ("child\n.txt", "control character \\n"),
    ("c" * 300 + ".txt", "over the 255-byte limit"),
])
def test_unusable_file_names_are_refused_before_any_work(tmp_path: Path, env: dict[str, str], bad_file: str,
                                                         why: str) -> None:
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", bad_file, ["parent"]))
    out = tmp_path / "out"
    r = planecho(env, "run", "--manifest", str(manifest), "--out", str(out), cwd=tmp_path)
    line = assert_one_line_error(r, "manifest.toml:", 'document "child"', why)
    assert escape_text(line) == line
    assert not out.exists()


def test_a_symlink_loop_as_a_manifest_file_is_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", "loop.txt", ["parent"]))
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    r = planecho(env, "corpus", "--manifest", str(manifest), cwd=tmp_path)
    assert_one_line_error(r, "loop.txt", "cannot be reached")


def test_a_manifest_error_with_many_problems_is_one_escaped_line_each(tmp_path: Path, env: dict[str, str]) -> None:
    manifest = _corpus(tmp_path, _entry("a\tb", "province", "parent.txt", []), _entry("c\rd", "city", "child.txt", []))
    r = planecho(env, "corpus", "--manifest", str(manifest), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert lines[0].startswith("planecho: error: 2 problems in") and len(lines) == 3
    assert '"a\\tb"' in lines[1] and '"c\\rd"' in lines[2]


# --- operating-system errors --------------------------------------------------------------------


def test_an_unreadable_document_is_one_line_in_align(tmp_path: Path, env: dict[str, str],
                                                      permissions_apply: None) -> None:
    _corpus(tmp_path)
    (tmp_path / "child.txt").chmod(0)
    r = planecho(env, "align", "--parent", str(tmp_path / "parent.txt"), "--child", str(tmp_path / "child.txt"),
                 cwd=tmp_path, unprivileged=True)
    assert_one_line_error(r, str(tmp_path / "child.txt"), "ermission denied")


def test_align_output_into_an_unwritable_folder_is_one_line(tmp_path: Path, env: dict[str, str],
                                                            permissions_apply: None) -> None:
    _corpus(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    r = planecho(env, "align", "--parent", str(tmp_path / "parent.txt"), "--child", str(tmp_path / "child.txt"),
                 "-o", str(locked / "t.csv"), "--no-cache", cwd=tmp_path, unprivileged=True)
    assert_one_line_error(r, str(locked / "t.csv"), "ermission denied")
    assert list(locked.iterdir()) == []


def test_run_into_a_folder_that_cannot_be_replaced_fails_before_any_work(tmp_path: Path, env: dict[str, str],
                                                                         permissions_apply: None) -> None:
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", "child.txt", ["parent"]))
    locked = tmp_path / "locked"
    out = locked / "out"
    out.mkdir(parents=True)
    (out / "summary.csv").write_text("an older run\n", encoding="utf-8")
    locked.chmod(0o555)
    before = _snapshot(locked)
    r = planecho(env, "run", "--manifest", str(manifest), "--out", str(out), "--no-cache", cwd=tmp_path,
                 unprivileged=True)
    assert_one_line_error(r, str(locked), "ermission denied")
    assert _snapshot(locked) == before


def test_an_unreadable_plan_in_a_run_is_skipped_or_with_strict_stops(tmp_path: Path, env: dict[str, str],
                                                                     permissions_apply: None) -> None:
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", "child.txt", ["parent"]),
                       _entry("other", "city", "other.txt", ["parent"]),
                       texts={"parent.txt": PARENT, "child.txt": CHILD, "other.txt": CHILD.replace("海上", "山海")})
    (tmp_path / "other.txt").chmod(0)
    r = planecho(env, "score", "--manifest", str(manifest), "--no-cache", cwd=tmp_path, unprivileged=True)
    assert "Traceback" not in r.stderr and r.returncode == 3, r.stderr
    assert [row["child_doc"] for row in csv.DictReader(r.stdout.splitlines())] == ["child"]
    skipped = [line for line in r.stderr.splitlines() if "skipped" in line]
    assert len(skipped) == 1 and str(tmp_path / "other.txt") in skipped[0] and "ermission denied" in skipped[0]
    r = planecho(env, "score", "--manifest", str(manifest), "--strict", cwd=tmp_path, unprivileged=True)
    assert_one_line_error(r, str(tmp_path / "other.txt"), "ermission denied")


# --- a batch with a bad file (issue 13) ------------------------------------------------------------


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """parent → child and parent → broken, where broken.pdf is not a PDF pdfminer can open."""
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", "child.txt", ["parent"]),
                       _entry("broken", "city", "broken.pdf", ["parent"]))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n")
    return manifest


def test_corpus_lists_every_readable_plan_and_the_broken_one(batch: Path, env: dict[str, str]) -> None:
    r = planecho(env, "corpus", "--manifest", str(batch), cwd=batch.parent)
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    assert "unreadable" in r.stdout and "child" in r.stdout
    skipped = [line for line in r.stderr.splitlines() if line.startswith("planecho: skipped broken:")]
    assert len(skipped) == 1 and "broken.pdf" in skipped[0] and "not a valid PDF" in skipped[0]
    r = planecho(env, "corpus", "--manifest", str(batch), "--strict", cwd=batch.parent)
    assert_one_line_error(r, "broken.pdf", "not a valid PDF")


def test_score_over_a_manifest_scores_every_readable_pair(batch: Path, env: dict[str, str]) -> None:
    r = planecho(env, "score", "--manifest", str(batch), "--format", "jsonl", cwd=batch.parent)
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    assert [json.loads(line)["child_doc"] for line in r.stdout.splitlines()] == ["child"]
    assert len([line for line in r.stderr.splitlines() if line.startswith("planecho: skipped broken:")]) == 1


def test_export_completes_for_readable_plans_and_lists_the_problem(batch: Path, env: dict[str, str]) -> None:
    out = batch.parent / "out"
    r = planecho(env, "export", "--manifest", str(batch), "--out", str(out), "--format", "csv,xlsx", "--no-reports",
                 cwd=batch.parent)
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    with (out / "tables" / "problems.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(row["doc"], row["step"]) for row in rows] == [("broken", "read")]
    assert "not a valid PDF" in rows[0]["problem"] and rows[0]["file"].endswith("broken.pdf")
    with (out / "tables" / "scores.csv").open(encoding="utf-8-sig") as fh:
        assert [row["child_doc"] for row in csv.DictReader(fh)] == ["child"]
    import openpyxl

    assert "problems" in openpyxl.load_workbook(out / "planecho.xlsx", read_only=True).sheetnames
    r = planecho(env, "export", "--manifest", str(batch), "--out", str(batch.parent / "strict"), "--strict",
                 "--format", "csv", "--no-reports", cwd=batch.parent)
    assert_one_line_error(r, "broken.pdf")
    assert not (batch.parent / "strict").exists()


# --- the output folder is replaced whole ----------------------------------------------------------


KILL_SCRIPT = """
import os, signal, sys
from compare import run
from compare.workspace import Workspace
ws = Workspace.open(sys.argv[1])
results = run.compute(ws)
if sys.argv[3] == "kill":
    real, count = run.write_table, [0]
    def write_then_die(*args, **kwargs):
        count[0] += 1
        if count[0] == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    run.write_table = write_then_die
run.write_outputs(ws, results, sys.argv[2], formats=("csv", "jsonl"), reports=False)
"""


def test_a_run_killed_while_writing_leaves_the_previous_complete_set(tmp_path: Path, env: dict[str, str]) -> None:
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", "child.txt", ["parent"]))
    out = tmp_path / "out"
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    run = lambda mode: subprocess.run([sys.executable, str(script), str(manifest), str(out), mode], env=env,
                                      capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run("write").returncode == 0
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "tables" / "mine.csv").write_text("my own table\n", encoding="utf-8")
    (out / "tables" / "stale.csv").write_text("from a run long ago\n", encoding="utf-8")
    with open(out / ".planecho-files", "a", encoding="utf-8") as fh:  # as if a run had written it
        fh.write("tables/stale.csv\n")
    before = _snapshot(out)
    killed = run("kill")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _snapshot(out) == before  # the previous set, whole: no mix, no .part file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # the killed run's staging folder
    (tmp_path / "parent.txt").write_text(PARENT.replace("75%", "80%"), encoding="utf-8")
    assert run("write").returncode == 0
    after = _snapshot(out)
    assert after["notes.txt"] == b"mine\n" and "tables/stale.csv" not in after  # the user's file kept, no mix
    assert after["tables/mine.csv"] == b"my own table\n"  # in a folder of the run's too
    assert "80%".encode() in after["units/parent.sentence.csv"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # the leftover is cleared
    assert not [p for p in out.rglob("*.part")]


def test_a_failed_run_leaves_the_output_folder_untouched(tmp_path: Path, monkeypatch) -> None:
    from compare import run
    from compare.workspace import Workspace

    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", "child.txt", ["parent"]))
    ws = Workspace.open(manifest)
    results = run.compute(ws)
    out = tmp_path / "out"
    run.write_outputs(ws, results, out, formats=("csv",), reports=False)
    before = _snapshot(out)

    def full_disk(*args, **kwargs):
        raise ExportError("cannot write: No space left on device", path=out / "planecho.xlsx")

    monkeypatch.setattr(run, "write_workbook", full_disk)
    with pytest.raises(ExportError):
        run.write_outputs(ws, results, out, formats=("csv", "xlsx"), reports=False)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# --- rich markup, PDFs, archives, HTML ------------------------------------------------------------


def test_trace_shows_brackets_in_a_phrase_as_typed(tmp_path: Path, env: dict[str, str]) -> None:
    phrase = "推进[/]新型城镇化"
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", "child.txt", ["parent"]),
                       texts={"parent.txt": PARENT.replace("推进以人为核心的新型城镇化", phrase), "child.txt": CHILD})
    r = planecho(env, "trace", phrase, "--manifest", str(manifest), cwd=tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr and "MarkupError" not in r.stderr, r.stderr
    assert phrase in r.stdout


def test_an_encrypted_pdf_says_so(tmp_path: Path) -> None:
    from fpdf import FPDF

    from align.reading.ingest import read_source

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="plan")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(InputError, match="encrypted PDF: remove the password first"):
        read_source(path)


def _docx(path: Path, paragraphs: int) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("一、总体要求")
    for _ in range(paragraphs):
        document.add_paragraph("推进以人为核心的新型城镇化，全面提升城市品质。")
    document.save(str(path))
    return path


def test_a_docx_that_expands_beyond_the_limit_is_refused_before_unzipping(tmp_path: Path, monkeypatch) -> None:
    from align.reading import ingest

    small, big = _docx(tmp_path / "small.docx", 5), _docx(tmp_path / "big.docx", 3000)
    def xml_bytes(path: Path) -> int:
        return sum(m.file_size for m in zipfile.ZipFile(path).infolist() if m.filename.endswith((".xml", ".rels")))

    xml = (xml_bytes(small) + xml_bytes(big)) // 2  # a limit between the two
    monkeypatch.setattr(ingest, "MAX_DOCX_XML_BYTES", xml)
    assert "新型城镇化" in ingest.read_source(small).text
    with pytest.raises(InputError, match=r"expands to .* MiB of XML, over the .* MiB limit"):
        ingest.read_source(big)
    monkeypatch.setattr(ingest, "MAX_DOCX_XML_BYTES", 64 * 2**20)
    monkeypatch.setattr(ingest, "MAX_DOCX_EXPANDED_BYTES", xml)
    with pytest.raises(InputError, match="MiB of data"):
        ingest.read_source(big)


def test_deeply_nested_html_is_read_whole(tmp_path: Path) -> None:
    from align.reading.ingest import read_source

    levels = 3000
    body = "".join(f"<div>第{i}条推进新型城镇化。" for i in range(levels)) + "</div>" * levels
    page = tmp_path / "nested.html"
    page.write_text(f"<html><head><meta charset='utf-8'><title>规划</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    lines = read_source(page).text.split("\n")
    assert lines[0] == "规划" and lines[1:] == [f"第{i}条推进新型城镇化。" for i in range(levels)]


def test_links_and_containers_still_choose_the_article(tmp_path: Path) -> None:
    from align.reading.ingest import read_source

    nav = "".join(f"<a href='/{i}'>栏目链接第{i}项内容</a>" for i in range(40))
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><div>{nav}</div><div><div><p>一、总体要求</p><p>推进新型城镇化，提升城市品质。</p>"
                    "<p>深化户籍制度改革。</p></div></div></body></html>", encoding="utf-8")
    text = read_source(page).text
    assert "推进新型城镇化" in text and "栏目链接" not in text


# --- cells, workbooks, the cleaning and the headings from the command line -------------------------


def test_full_width_formula_starts_are_neutralised(tmp_path: Path) -> None:
    import pandas as pd

    from compare.export import write_table

    path = write_table(pd.DataFrame({"text": ["＝1+2", "＋1", "－1", "＠A1", "——推进", "（一）推进"]}),
                       tmp_path / "t.csv")
    assert pd.read_csv(path)["text"].tolist() == ["'＝1+2", "'＋1", "'－1", "'＠A1", "——推进", "（一）推进"]


def test_identical_workbooks_are_identical_bytes(tmp_path: Path) -> None:
    import pandas as pd

    from compare.export import write_workbook

    tables = {"scores": pd.DataFrame({"child_doc": ["台州"], "echo": [0.25]})}
    write_workbook(tables, tmp_path / "a.xlsx", meta={"settings": {"unit": "sentence"}})
    time.sleep(1.1)  # a timestamp in seconds would now differ
    write_workbook(tables, tmp_path / "b.xlsx", meta={"settings": {"unit": "sentence"}})
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_segment_headings_and_clean_jsonl_account_for_every_character(tmp_path: Path, env: dict[str, str]) -> None:
    plan = tmp_path / "plan.txt"
    text = "台州市新型城镇化发展规划\n\n" + CHILD + "\n附件：第5代移动通信基站建设表\n"
    plan.write_text(text, encoding="utf-8")
    seg = planecho(env, "segment", str(plan), "--headings", "--format", "jsonl", cwd=tmp_path)
    cln = planecho(env, "clean", str(plan), "--show", "removed", "--all", "--format", "jsonl", cwd=tmp_path)
    assert seg.returncode == 0 and cln.returncode == 0, seg.stderr + cln.stderr
    units = [json.loads(line) for line in seg.stdout.splitlines()]
    removals = [json.loads(line) for line in cln.stdout.splitlines()]
    assert units[0]["kind"] == "title" and units[0]["text"] == "台州市新型城镇化发展规划"
    removed = [False] * len(text)
    for r in removals:
        if r["type"] == "removal":
            assert text[r["start"]:r["end"]] == r["text"]
            removed[r["start"]:r["end"]] = [True] * (r["end"] - r["start"])
    kept = "".join(c for c, gone in zip(text, removed) if not gone)
    assert "".join(u["text"] for u in sorted(units, key=lambda u: u["start"])) == kept


def test_clean_jsonl_paragraphs_are_the_cleaned_text(tmp_path: Path, env: dict[str, str]) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text(CHILD, encoding="utf-8")
    r = planecho(env, "clean", str(plan), "--show", "text", "--format", "jsonl", cwd=tmp_path)
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 0 and {rec["type"] for rec in records} == {"paragraph"}
    assert records[0]["heading"] == 1 and records[0]["text"] == "一、总体要求"
    assert all(CHILD[rec["start"]:rec["end"]] == rec["text"] for rec in records)


def test_a_read_only_tables_folder_of_an_earlier_run_does_not_fail_or_mix(tmp_path: Path, env: dict[str, str],
                                                                          permissions_apply: None) -> None:
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []),
                       _entry("child", "city", "child.txt", ["parent"]))
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "scores.csv").write_text("an older run\n", encoding="utf-8")
    (out / "tables").chmod(0o555)
    r = planecho(env, "export", "--manifest", str(manifest), "--out", str(out), "--format", "csv", "--no-reports",
                 "--no-cache", cwd=tmp_path, unprivileged=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "older" not in (out / "tables" / "scores.csv").read_text(encoding="utf-8-sig")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_title_with_a_terminal_escape_is_refused(tmp_path: Path) -> None:
    manifest = _corpus(tmp_path, _entry("parent", "province", "parent.txt", []).replace('"规划"', '"a\\u001b[2Jb"'))
    with pytest.raises(ManifestError, match=r'title "a\\u001b\[2Jb" contains the control character \\u001b'):
        load_manifest(manifest)
