"""`planecho align` and `planecho eval` as a user runs them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

GOLD = Path(__file__).resolve().parents[2].parent / "shared" / "gold"


def planecho(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "compare.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet", "jsonl"])
def test_align_writes_the_table_in_the_format_of_the_extension(tmp_path, ext):
    out = tmp_path / f"tz.{ext}"
    r = planecho("align", "--parent", "zhejiang-urbanization-14fyp", "--child", "taizhou-urbanization-14fyp", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""  # data went to the file, messages to stderr
    df = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet,
          "jsonl": lambda p: pd.read_json(p, lines=True)}[ext](out)
    for col in ("child_doc", "child_id", "child_section", "child_text", "parent_doc", "parent_id", "parent_section",
                "parent_text", "relation", "score", "shared_phrases", "numbers_changed"):
        assert col in df.columns
    assert set(df.relation) <= {"verbatim", "adapted", "partial", "local"}
    assert (df.relation == "verbatim").sum() > 20 and (df.relation == "local").sum() > 100
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


def test_align_summary_and_self_alignment():
    r = planecho("align", "--parent", "zhejiang-urbanization-14fyp", "--child", "taizhou-urbanization-14fyp", "--limit", "3")
    assert r.returncode == 0 and "verbatim" in r.stdout and "adapted" in r.stdout
    r = planecho("align", "--parent", "linhai-14fyp-outline", "--child", "linhai-14fyp-outline", "--limit", "1")
    assert r.returncode == 0 and "itself" in r.stderr and "100%" in r.stdout


@pytest.mark.parametrize("args,words", [
    (["--parent", "nosuch", "--child", "taizhou-urbanization-14fyp"], ["nosuch", "not a document id"]),
    (["--parent", "zhejiang-urbanization-14fyp", "--child", "taizhou-urbanization-14fyp", "-o", "x.doc"], ["x.doc", "format"]),
])
def test_align_user_errors_are_one_line(tmp_path, args, words):
    r = planecho("align", *args, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and all(w in r.stderr for w in words)
    assert list(tmp_path.iterdir()) == []


def test_align_empty_and_english_documents(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "en.txt").write_text("hello world\n")
    for f in ("empty.txt", "en.txt"):
        r = planecho("align", "--parent", "zhejiang-urbanization-14fyp", "--child", str(tmp_path / f))
        assert r.returncode == 2 and f in r.stderr and "Traceback" not in r.stderr


@pytest.mark.skipif(not GOLD.is_dir(), reason="no gold set")
def test_eval_prints_scores_confusion_and_errors(tmp_path):
    r = planecho("eval", str(GOLD / "linhai-from-taizhou.jsonl"))
    assert r.returncode == 0, r.stderr
    assert "precision" in r.stdout and "gold kind × predicted relation" in r.stdout and "errors" in r.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    r = planecho("eval", str(bad))
    assert r.returncode == 2 and "line 1" in r.stderr and "bad.jsonl" in r.stderr


def test_user_generic_file_turns_a_programme_label_into_boilerplate(tmp_path):
    """--generic FILE adds to the bundled generic phrases: the Linhai sentences whose
    link to Zhejiang rests on a programme name lose that link once the name is listed
    as boilerplate (and the cache, keyed on the file's content, does not serve the run
    without it)."""
    def align(name, *extra):
        out = tmp_path / f"{name}.csv"
        r = planecho("align", "-p", "zhejiang-urbanization-14fyp", "-c", "linhai-14fyp-outline", *extra, "-o", str(out))
        assert r.returncode == 0, r.stderr
        return pd.read_csv(out)

    bundled = align("bundled")
    anchors = bundled.anchor_term.dropna()
    assert not anchors.empty  # the pair carries programme names
    name = anchors.value_counts().index[0]  # the name most links rest on
    generic = tmp_path / "mine.txt"
    generic.write_text(f"# my boilerplate\n{name}\n", encoding="utf-8")
    mine = align("mine", "--generic", str(generic))
    carried = lambda df: int(df.anchor_term.fillna("").str.contains(name, regex=False).sum())  # noqa: E731
    assert carried(bundled) >= 1 and carried(mine) == 0


@pytest.mark.parametrize("content, words", [(None, "no such lexicon file"), ("千年古城 often\n", "line 1"),
                                            (b"\xff\xfe\x00bad", "UTF-8")])
def test_bad_lexicon_file_is_one_line(tmp_path, content, words):
    path = tmp_path / "lex.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    r = planecho("run", "--lexicon", str(path), "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and str(path) in r.stderr and words in r.stderr
    assert not (tmp_path / "out").exists()
