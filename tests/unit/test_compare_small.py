"""Comparison layer on small inputs: escaping, scoring API, CLI contracts."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from align.reading.document import document_from_text
from align.decisions.match import Settings
from align.retrieval.model import CorpusModel
from align.decisions.result import build_alignment
from compare.report import highlight, render_report
from compare.score import score

PARENT = "一、目标\n\n全面实施千年古城复兴计划，开展全省千年古城复兴试点创建。\n\n推进<东海之心>城市有机更新，死亡率<0.01&改造老旧小区。"
CHILD = "一、目标\n\n全面实施千年古城复兴计划，开展全省千年古城复兴试点创建。\n\n推进<东海之心>城市有机更新，死亡率<0.01&改造老旧小区。\n\n发展夜间经济。"


def alignment():
    p, c = document_from_text(PARENT, "p", title="省<b>规划"), document_from_text(CHILD, "c", title="市规划")
    model = CorpusModel(p.alignable() + c.alignable())
    return p, c, build_alignment(p, c, Settings(), model)


def test_report_escapes_plan_text_and_titles():
    p, c, a = alignment()
    html = render_report(a, p, c, b"png")
    assert "<东海之心>" not in html and "&lt;东海之心&gt;" in html
    assert "<0.01&" not in html and "&lt;0.01&amp;" in html
    assert "省&lt;b&gt;规划" in html


def test_highlight_marks_spans_and_escapes():
    h = str(highlight("a<b>千年古城c", [(4, 8, "prog")]))
    assert h == 'a&lt;b&gt;<mark class="prog">千年古城</mark>c'


def test_score_is_a_pure_function_over_documents():
    p, c, _ = alignment()
    one = score([c], parent=p)
    two = score([c], parent=p)
    assert one.equals(two) and list(one.columns[:4]) == ["child_doc", "parent_doc", "echo", "coverage"]
    assert one.local.iloc[0] == 1 and one.verbatim.iloc[0] == 2 and one.dropped.iloc[0] == 0


def planecho(*args, env=None):
    return subprocess.run([sys.executable, "-m", "compare.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def cache_env(tmp_path_factory):
    return {"PLANECHO_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}


def test_score_cli_csv_and_jsonl_on_stdout_only(cache_env):
    r = planecho("score", "linhai-14fyp-outline", "luqiao-14fyp-outline", "--parent", "taizhou-urbanization-14fyp",
                 env=cache_env)
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(io.StringIO(r.stdout))
    assert list(df.columns) == ["child_doc", "parent_doc", "echo", "coverage", "verbatim", "adapted", "partial",
                                "local", "dropped"]
    assert df.child_doc.tolist() == ["linhai-14fyp-outline", "luqiao-14fyp-outline"]
    r = planecho("score", "--format", "jsonl", env=cache_env)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 0 and len(rows) == 9 and all(0 <= x["echo"] <= 1 for x in rows)


@pytest.mark.parametrize("args", [["score", "linhai-14fyp-outline"], ["score", "--parent", "x"],
                                  ["score", "nosuch", "--parent", "taizhou-urbanization-14fyp"],
                                  ["phrases", "linhai-14fyp-outline"], ["trace", " "]])
def test_cli_user_errors_exit_2_with_one_line(args, cache_env):
    r = planecho(*args, env=cache_env)
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_trace_and_phrases_cli(cache_env):
    r = planecho("trace", "千年古城", "--format", "csv", env=cache_env)
    df = pd.read_csv(io.StringIO(r.stdout))
    variants = set(df[df.match == "variant"].matched)
    # 千年府城 is used where the plan names 千年古城 too; 千年商都 shares characters only (a brand of its own)
    assert r.returncode == 0 and "千年府城" in variants and "千年商都" not in variants
    r = planecho("phrases", "zhejiang-urbanization-14fyp", "--format", "jsonl", env=cache_env)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 0 and {x["status"] for x in rows} <= {"carried", "other form", "altered", "absent"}
    assert any(x["child_doc"] == "taizhou-urbanization-14fyp" and x["status"] == "carried" for x in rows)
    # Linhai writes the province's 人地挂钩 / 人钱挂钩 as the whole 人地钱挂钩: another form, not absent
    assert any(x["phrase"] == "人地挂钩" and x["child_doc"] == "linhai-14fyp-outline"
               and (x["status"], x["child_form"]) == ("other form", "人地钱挂钩") for x in rows)


def test_exports_neutralise_formula_cells(tmp_path):
    from compare.export import write_table, write_workbook

    df = pd.DataFrame({"text": ["=HYPERLINK(\"x\")", "+1", "-2", "@a", "——规划", "普通"]})
    write_table(df, tmp_path / "t.csv")
    write_workbook({"t": df}, tmp_path / "t.xlsx")
    for got in (pd.read_csv(tmp_path / "t.csv").text, pd.read_excel(tmp_path / "t.xlsx").text):
        assert got.tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@a", "——规划", "普通"]
    write_table(df, tmp_path / "t.parquet")  # analysis formats keep the raw text
    assert pd.read_parquet(tmp_path / "t.parquet").text.iloc[0].startswith("=")


def test_local_rows_name_the_plan_they_were_compared_with():
    """In a table joining several pairs, a child unit with no source keeps its pair."""
    from align.decisions.match import align_documents
    from compare.selfcite import alignment_table

    p, c, a = alignment()
    table = alignment_table(a)
    local = table[table.relation == "local"]
    assert len(local) and set(local.parent_doc) == {"p"} and set(local.parent_id) == {""}
    api = align_documents(p, c)
    assert set(api.parent_doc) == {"p"}


def test_releasing_a_pair_drops_its_alignment_and_the_next_one_is_the_same():
    """``planecho score`` keeps only the score row of a pair (``Workspace.release``), so its
    memory stays flat over a long manifest; a pair asked for again is aligned again, equal."""
    from compare.score import score_pair
    from compare.workspace import Workspace

    ws = Workspace.open(use_cache=False)
    parent, child = ws.document("taizhou-daily-2021-02-10-gov-report"), ws.document("luqiao-14fyp-outline")
    first = ws.alignment(parent, child)
    assert ws.alignment(parent, child) is first  # kept until released
    row = score_pair(ws, parent, child)
    ws.release(parent, child)
    again = ws.alignment(parent, child)
    assert again is not first
    assert [(l.child.unit_id, l.parent.unit_id if l.parent else None, l.relation, l.score) for l in again.links] == \
        [(l.child.unit_id, l.parent.unit_id if l.parent else None, l.relation, l.score) for l in first.links]
    assert score_pair(ws, parent, child) == row


def test_a_pair_scored_in_the_side_worker_is_released_there_too():
    """``planecho score`` shares its pairs with a forked worker (``score_in_worker``): the
    worker keeps only the score row of each pair it scores, as the main process does."""
    from compare.score import score_in_worker, score_pair
    from compare.sidework import forget, keep
    from compare.workspace import Workspace

    ws = Workspace.open(use_cache=False)
    docs = {"p": ws.document("taizhou-daily-2021-02-10-gov-report"), "c": ws.document("luqiao-14fyp-outline")}
    keep(ws, docs)
    try:
        row = score_in_worker("p", "c")
        assert row == score_pair(Workspace.open(use_cache=False), docs["p"], docs["c"])
        assert not ws.has_alignment(docs["p"], docs["c"])  # nothing of the pair is kept
    finally:
        forget()


def test_planecho_score_releases_every_pair_it_scores(monkeypatch, cache_env):
    """``planecho score --manifest`` keeps only the rows: each pair scored in this process
    is released as soon as its row is made (here without the side worker: every pair)."""
    from click.testing import CliRunner

    import compare.sidework
    from compare.cli import app
    from compare.workspace import Workspace

    released = []
    real = Workspace.release
    monkeypatch.setattr(compare.sidework, "can_fork", lambda: False)
    monkeypatch.setattr(Workspace, "release", lambda self, p, c: released.append((p.doc_id, c.doc_id)) or real(self, p, c))
    result = CliRunner().invoke(app, ["score", "--manifest", "corpora/manifest.toml", "--no-cache"])
    assert result.exit_code == 0, result.output
    rows = [line.split(",")[:2] for line in result.stdout.splitlines()  # progress lines (stderr) start "planecho:"
            if "," in line and not line.startswith(("child_doc,", "planecho:"))]
    assert len(rows) == 9 and sorted(released) == sorted((p, c) for c, p in rows)
