"""A scholar's corrections: kept in a JSONL file written atomically, found again
after a re-segmentation, applied to the alignment every command reads, and
read by ``planecho eval`` as labels."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from align.reading.document import document_from_text
from align.errors import InputError
from align.decisions.evaluate import score_items
from align.decisions.match import Settings
from align.retrieval.model import CorpusModel
from align.decisions.result import build_alignment
from compare import corrections as corr
from compare.score import pair_scores

ROOT = Path(__file__).resolve().parents[2]

PARENT = ("一、目标\n\n全面实施千年古城复兴计划，开展全省千年古城复兴试点创建。\n\n"
          "推进城市有机更新，改造老旧小区，建设未来社区。\n\n深化户籍制度改革，推动农业转移人口全面融入城市。")
CHILD = ("一、目标\n\n全面实施千年古城复兴计划，开展全市千年古城复兴试点创建。\n\n"
         "推进城市有机更新，改造老旧小区，建设未来社区。\n\n发展夜间经济，打造海上花园城市，引进优质文旅项目。")


def aligned(unit: str = "sentence"):
    p, c = document_from_text(PARENT, "p"), document_from_text(CHILD, "c")
    settings = Settings(unit=unit)
    model = CorpusModel(p.alignable(unit) + c.alignable(unit))
    return p, c, build_alignment(p, c, settings, model)


def link_of(a, text: str):
    return next(l for l in a.links if text in l.child.text)


def test_a_link_marked_wrong_is_removed_and_its_unit_marked_corrected():
    _, _, a = aligned()
    link = link_of(a, "有机更新")
    assert link.parent is not None and link.relation != "local"
    applied = corr.apply(a, [corr.make(link.child, link.parent, "none", "same words, other measure")])
    rows = [l for l in applied.alignment.links if l.child.unit_id == link.child.unit_id]
    assert [(l.parent, l.relation, l.corrected) for l in rows] == [(None, "local", "removed")]
    assert "same words, other measure" in rows[0].note and link.parent.unit_id in rows[0].note
    assert link in a.links  # the engine's result (what the cache holds) is unchanged
    assert pair_scores(applied.alignment)["echo"] < pair_scores(a)["echo"]
    assert applied.unmatched == [] and len(applied.used) == 1


def test_a_local_unit_marked_derived_gets_the_scholars_link():
    _, _, a = aligned()
    local = link_of(a, "夜间经济")
    assert local.relation == "local"
    target = next(u for u in a.parent_units if "户籍" in u.text)
    applied = corr.apply(a, [corr.make(local.child, target, "partial", "")])
    rows = [l for l in applied.alignment.links if l.child.unit_id == local.child.unit_id]
    assert [(l.parent.unit_id, l.relation, l.corrected, l.score) for l in rows] == [
        (target.unit_id, "partial", "added", corr.SCHOLAR_SCORE)]
    assert pair_scores(applied.alignment)["echo"] > pair_scores(a)["echo"]
    assert pair_scores(applied.alignment)["coverage"] > pair_scores(a)["coverage"]


def test_a_relation_set_on_an_engine_link_keeps_its_evidence():
    _, _, a = aligned()
    link = link_of(a, "千年古城")
    other = "partial" if link.relation != "partial" else "adapted"
    applied = corr.apply(a, [corr.make(link.child, link.parent, other, "only the programme name")])
    (row,) = [l for l in applied.alignment.links if l.child.unit_id == link.child.unit_id]
    assert (row.relation, row.corrected, row.score, row.evidence) == (other, "changed", link.score, link.evidence)
    assert f"engine: {link.relation}" in row.note
    same = corr.apply(a, [corr.make(link.child, link.parent, link.relation)]).alignment
    assert [l.corrected for l in same.links if l.child.unit_id == link.child.unit_id] == ["confirmed"]


def test_the_alignment_table_shows_which_rows_are_corrected():
    from align.decisions.match import alignment_frame

    _, _, a = aligned()
    link = link_of(a, "有机更新")
    df = alignment_frame(corr.apply(a, [corr.make(link.child, link.parent, "none")]).alignment.links)
    assert list(df.columns[-2:]) == ["corrected", "correction_note"]
    assert df.loc[df.child_id == link.child.unit_id, "corrected"].tolist() == ["removed"]
    assert (df.loc[df.child_id != link.child.unit_id, "corrected"] == "").all()


def test_corrections_made_on_sentences_hold_for_clauses():
    _, _, sentences = aligned("sentence")
    link = link_of(sentences, "有机更新")
    c = corr.make(link.child, link.parent, "none")
    _, _, clauses = aligned("clause")
    before = [l for l in clauses.links if l.child.start >= link.child.start and l.child.end <= link.child.end]
    assert len(before) > 1 and any(l.parent is not None for l in before)
    applied = corr.apply(clauses, [c])
    after = [l for l in applied.alignment.links if l.child.start >= link.child.start and l.child.end <= link.child.end]
    assert applied.unmatched == []
    assert all(l.parent is None or not (link.parent.start <= l.parent.start < link.parent.end) for l in after)
    assert any(l.corrected == "removed" for l in after)


def test_a_correction_whose_text_is_gone_is_left_out_and_reported(tmp_path):
    _, _, a = aligned()
    link = link_of(a, "有机更新")
    gone = corr.Correction(**{**{f: getattr(corr.make(link.child, link.parent, "none"), f)
                                 for f in corr._FIELDS}, "child_text": "这句话已经不在文件里了。"}, line=3)
    applied = corr.apply(a, [gone])
    assert applied.alignment.links == a.links and applied.unmatched == [gone]
    line = corr.warning(tmp_path / "corrections.jsonl", "p", "c", applied.unmatched)
    assert "\n" not in line and "1 correction of c ← p no longer matches" in line and "line 3" in line


def test_file_round_trip_and_a_later_correction_replaces_an_earlier_one(tmp_path):
    _, _, a = aligned()
    link = link_of(a, "有机更新")
    path = tmp_path / "corrections.jsonl"
    corr.add(path, corr.make(link.child, link.parent, "none", "first"))
    corr.add(path, corr.make(link.child, link.parent, "adapted", "second thoughts"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    d = json.loads(lines[0])
    assert {k: d[k] for k in ("child_doc", "child_id", "parent_doc", "parent_id", "relation", "note")} == {
        "child_doc": "c", "child_id": link.child.unit_id, "parent_doc": "p", "parent_id": link.parent.unit_id,
        "relation": "adapted", "note": "second thoughts"}
    assert d["child_text"] == link.child.text and (d["child_start"], d["child_end"]) == (link.child.start, link.child.end)
    assert d["when"][:4].isdigit() and "T" in d["when"]
    assert corr.read(path)[0].relation == "adapted"
    assert corr.remove(path, link.child, "p") == [] and path.read_text(encoding="utf-8") == ""


@pytest.mark.parametrize("line, problem", [
    ("not json", "line 2: not a correction"),
    ('{"child_doc": "c"}', "missing field"),
    ('{"child_doc": "c", "child_start": 0, "child_end": 3, "child_text": "推进", "parent_doc": "p", '
     '"parent_start": 0, "parent_end": 2, "parent_text": "推进", "relation": "wrong"}', "unknown relation"),
    ('{"child_doc": "c", "child_start": "a", "child_end": 3, "child_text": "推进", "parent_doc": "p", '
     '"parent_start": 0, "parent_end": 2, "parent_text": "推进", "relation": "none"}', "child_start"),
])
def test_a_bad_line_is_an_error_naming_the_file_and_the_line(tmp_path, line, problem):
    _, _, a = aligned()
    link = link_of(a, "有机更新")
    path = tmp_path / "corrections.jsonl"
    path.write_text(corr.make(link.child, link.parent, "none").to_json() + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        corr.read(path)
    assert str(path) in str(e.value) and problem in str(e.value) and "line 2" in str(e.value)


CRASH = textwrap.dedent("""
    import os, sys
    from compare import corrections as corr
    path, = sys.argv[1:]
    old = corr.read(path)
    real_fdopen = os.fdopen

    class HalfThenDie:  # the file the corrections are written to: the process dies mid-write
        def __init__(self, fh):
            self.fh = fh
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return False
        def write(self, s):
            self.fh.write(s[: len(s) // 2])
            self.fh.flush()
            os._exit(9)  # no exception handler, no clean-up runs

    os.fdopen = lambda fd, *a, **k: HalfThenDie(real_fdopen(fd, *a, **k))
    corr.write(path, old + old[:1])
""")


def test_the_corrections_file_survives_a_crash_mid_write(tmp_path):
    _, _, a = aligned()
    path = tmp_path / "corrections.jsonl"
    for text in ("有机更新", "千年古城"):
        link = link_of(a, text)
        corr.add(path, corr.make(link.child, link.parent, "none", text))
    before = path.read_bytes()
    r = subprocess.run([sys.executable, "-c", CRASH, str(path)], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 9, r.stderr
    assert path.read_bytes() == before  # the previous file, whole
    assert [c.note for c in corr.read(path)] == ["有机更新", "千年古城"]


def test_a_failed_write_leaves_the_previous_file_and_no_temporary_file(tmp_path, monkeypatch):
    _, _, a = aligned()
    link = link_of(a, "有机更新")
    path = tmp_path / "corrections.jsonl"
    corr.add(path, corr.make(link.child, link.parent, "none", "kept"))
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(corr.ExportError, match="No space left"):
        corr.add(path, corr.make(link.child, link.parent, "adapted", "lost"))
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["corrections.jsonl"]


def test_corrections_become_gold_items_the_evaluation_scores():
    p, c, a = aligned()
    wrong = link_of(a, "有机更新")
    local = link_of(a, "夜间经济")
    target = next(u for u in a.parent_units if "户籍" in u.text)
    items, unmatched = corr.gold_items([corr.make(wrong.child, wrong.parent, "none"),
                                        corr.make(local.child, target, "adapted")], {"p": p, "c": c})
    assert unmatched == [] and sorted(i.kind for i in items) == ["none", "paraphrase"]
    result = score_items(items, c, p, c.alignable(), p.alignable(),
                         [_view(l) for l in a.links])
    counts = result.counts()
    # the engine linked the unit marked wrong (a false link) and missed the scholar's source
    assert counts["fp"] == 1 and counts["tp"] == 0 and counts["fn"] == 1


def _view(link):
    from align.decisions.evaluate import LinkView

    return LinkView(link.child.unit_id, link.parent.unit_id if link.parent else None, link.relation, link.score,
                    link.parent.text if link.parent else "")


# --- through the workspace and the command line ------------------------------------------


def _corpus(tmp_path: Path) -> Path:
    (tmp_path / "parent.txt").write_text(PARENT + "\n", encoding="utf-8")
    (tmp_path / "child.txt").write_text(CHILD + "\n", encoding="utf-8")
    doc = ('[[document]]\nid = "{id}"\ntitle = "{id}规划"\nlevel = "{level}"\nregion = "台州市"\ndate = "2021-09"\n'
           'file = "{id}.txt"\nparents = {parents}\n\n')
    (tmp_path / "manifest.toml").write_text(
        doc.format(id="parent", level="province", parents="[]")
        + doc.format(id="child", level="city", parents='["parent"]'), encoding="utf-8")
    return tmp_path / "manifest.toml"


def test_the_workspace_applies_the_file_beside_the_manifest_and_warns_once_per_pair(tmp_path):
    from compare.workspace import Workspace

    manifest = _corpus(tmp_path)
    warnings: list[str] = []
    ws = Workspace.open(manifest)
    engine = ws.alignment("parent", "child")
    link = link_of(engine, "有机更新")
    ws.correct(corr.make(link.child, link.parent, "none", "why"))
    assert (tmp_path / "corrections.jsonl").is_file()
    corrected = ws.alignment("parent", "child")
    assert link not in corrected.links and pair_scores(corrected)["echo"] < pair_scores(engine)["echo"]
    # a new session reads the file again; a correction whose text is gone is reported, once
    with open(tmp_path / "corrections.jsonl", "a", encoding="utf-8") as fh:
        stale = json.loads(corr.make(link.child, link.parent, "none").to_json())
        fh.write(json.dumps({**stale, "child_text": "早已删去的句子。", "child_start": 9999}, ensure_ascii=False) + "\n")
    again = Workspace.open(manifest)
    again.warn = warnings.append
    assert link not in again.alignment("parent", "child").links
    again.alignment("parent", "child")
    assert len(warnings) == 1 and "no longer matches" in warnings[0]
    off = Workspace.open(manifest, corrections=False)
    assert link in off.alignment("parent", "child").links


def planecho(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run([sys.executable, "-m", "compare.cli", *args], capture_output=True, text=True,
                          env={**environ, **(env or {})}, cwd=cwd or ROOT, timeout=300)


def test_cli_score_and_eval_read_the_corrections(tmp_path):
    from compare.workspace import Workspace

    manifest = _corpus(tmp_path)
    ws = Workspace.open(manifest)
    link = link_of(ws.alignment("parent", "child"), "有机更新")
    ws.correct(corr.make(link.child, link.parent, "none", "why"))
    env = {"PLANECHO_CACHE_DIR": str(tmp_path / "cache")}
    on = planecho("score", "--manifest", str(manifest), "--format", "jsonl", env=env)
    off = planecho("score", "--manifest", str(manifest), "--format", "jsonl", "--no-corrections", env=env)
    assert on.returncode == 0 and off.returncode == 0, on.stderr + off.stderr
    assert json.loads(on.stdout)["echo"] < json.loads(off.stdout)["echo"]
    r = planecho("eval", "--manifest", str(manifest), "--corrections", str(tmp_path / "corrections.jsonl"), env=env)
    assert r.returncode == 0, r.stderr
    assert "child" in r.stdout and "none → " in r.stdout  # the engine's link is the error listed


def test_cli_a_bad_corrections_file_is_one_line_and_exit_2(tmp_path):
    manifest = _corpus(tmp_path)
    (tmp_path / "corrections.jsonl").write_text("{oops\n", encoding="utf-8")
    for args in (["score", "--manifest", str(manifest)],
                 ["eval", "--manifest", str(manifest), "--corrections", str(tmp_path / "corrections.jsonl")],
                 ["eval", "--manifest", str(manifest), "--corrections", str(tmp_path / "none.jsonl")],
                 ["score", "--manifest", str(manifest), "--corrections", str(tmp_path / "none.jsonl")]):
        r = planecho(*args, env={"PLANECHO_CACHE_DIR": str(tmp_path / "cache")})
        assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr, r.stderr
        (line,) = r.stderr.splitlines()
        assert line.startswith("planecho: error: ") and ".jsonl" in line


def test_piped_tables_keep_ids_whole():
    r = planecho("corpus")  # stdout is a pipe, no $COLUMNS: the old 80-column cut gave "zhe…"
    assert r.returncode == 0, r.stderr
    from align.reading.corpus import default_manifest_path, load_manifest

    ids = [e.id for e in load_manifest(default_manifest_path()).documents]
    cells = {c.strip() for line in r.stdout.splitlines() for c in line.split("│")}
    assert set(ids) <= cells and "…" not in r.stdout


def test_progress_is_one_stderr_line_per_stage_when_not_a_terminal(tmp_path):
    manifest = _corpus(tmp_path)
    r = planecho("run", "--manifest", str(manifest), "--out", str(tmp_path / "out"), "--no-cache")
    assert r.returncode == 0, r.stderr
    stages = [line for line in r.stderr.splitlines() if line.startswith("planecho: ") and line.endswith(" s)")]
    names = [line.split("planecho: ", 1)[1].rsplit(" (", 1)[0] for line in stages]
    assert names[:3] == ["read the plans", "align child ← parent", "tables"]
    assert "workbook" in names and "report child ← parent" in names
    assert all(re.fullmatch(r"planecho: .+ \(\d+\.\d s\)", line) for line in stages)


def test_undo_on_a_clause_removes_the_correction_made_on_its_sentence(tmp_path):
    _, _, sentences = aligned("sentence")
    link = link_of(sentences, "有机更新")
    path = tmp_path / "corrections.jsonl"
    corr.add(path, corr.make(link.child, link.parent, "none"))
    _, _, clauses = aligned("clause")
    clause = next(u for u in clauses.child_units if link.child.start <= u.start and u.end <= link.child.end)
    assert corr.remove(path, clause, "q") != [] and len(corr.read(path)) == 1  # another parent: kept
    assert corr.remove(path, clause, "p") == [] and corr.read(path) == []
