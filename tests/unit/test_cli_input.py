"""Bad input through the real command line: one line on stderr, exit 2, nothing written.

Each case runs ``python -m compare.cli`` in a subprocess, as a user or a
script would run ``planecho``, so what is checked is exactly what they see:
the exit status, every line of stderr, and stdout (data only).
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import IDS, assert_one_line_error

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "corpora"
PLAN = "一、总体要求\n\n推进以人为核心的新型城镇化，全面提升城市品质。到2025年，常住人口城镇化率达到75%。\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
    b"\x90\x91h6\x00\x00\x00\x0cIDATx\x9cc```\x00\x00\x00\x04\x00\x01\xf6\x178U"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A private result cache, and a terminal wide enough for table output."""
    return {**os.environ, "PLANECHO_CACHE_DIR": str(tmp_path_factory.mktemp("cache")), "COLUMNS": "200"}


def planecho(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compare.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def _make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("一、总体要求")
    document.add_paragraph("推进以人为核心的新型城镇化，全面提升城市品质。")
    document.add_paragraph("表1 主要指标")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("指标", "2025年"), ("城镇化率（%）", "75")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(path)
    return path


# --- segment / clean: one line per bad file -------------------------------------


def _bad_file(tmp_path: Path, case: str) -> tuple[Path, tuple[str, ...]]:
    """A bad input file for ``case`` and words its error message must hold."""
    if case == "empty":
        path = tmp_path / "empty.txt"
        path.write_bytes(b"")
        return path, ("empty",)
    if case == "binary":
        path = tmp_path / "scan.txt"
        path.write_bytes(PNG)
        return path, ("binary",)
    if case == "unknown extension":
        path = tmp_path / "plan.xyz"
        path.write_text(PLAN, encoding="utf-8")
        return path, ("unsupported file type", ".xyz", ".txt")
    if case == "undecodable":
        path = tmp_path / "plan.txt"
        path.write_bytes(bytes(range(0x80, 0x100)) * 40)
        return path, ("cannot decode",)
    if case == "no chinese":
        path = tmp_path / "english.txt"
        path.write_text("The 14th Five-Year Plan of Zhejiang.\n", encoding="utf-8")
        return path, ("no Chinese text",)
    if case == "only page chrome":
        path = tmp_path / "chrome.txt"
        path.write_text("当前位置：首页 > 政务公开\n索引号：001008003/2021-00123\n浏览次数：120\n", encoding="utf-8")
        return path, ("no Chinese plan text left",)
    if case == "directory":
        path = tmp_path / "folder.txt"
        path.mkdir()
        return path, ("is a directory",)
    if case == "missing":
        return tmp_path / "nosuch-plan.txt", ("not a document id in the manifest, nor an existing file",)
    if case == "corrupt docx":
        path = tmp_path / "plan.docx"
        path.write_bytes(b"PK\x03\x04 not really a zip archive")
        return path, ("not a valid .docx",)
    raise AssertionError(case)


BAD_CASES = ["empty", "binary", "unknown extension", "undecodable", "no chinese", "only page chrome", "directory",
             "missing", "corrupt docx"]


@pytest.mark.parametrize("command", ["segment", "clean"])
@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_file_is_one_line_naming_the_file(tmp_path: Path, env: dict[str, str], command: str,
                                              case: str) -> None:
    path, words = _bad_file(tmp_path, case)
    before = sorted(p.name for p in tmp_path.iterdir())
    r = planecho(env, command, str(path), cwd=tmp_path)
    assert_one_line_error(r, str(path), *words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written beside the input


@pytest.mark.parametrize("command", ["segment", "clean"])
def test_unknown_encoding_name_is_one_line(tmp_path: Path, env: dict[str, str], command: str) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN.encode("gbk"))
    r = planecho(env, command, str(path), "--encoding", "no-such-codec")
    assert_one_line_error(r, str(path), "unknown encoding", "no-such-codec")


def test_forced_encoding_that_does_not_fit_is_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN.encode("gbk"))
    r = planecho(env, "segment", str(path), "--encoding", "utf-8")
    assert_one_line_error(r, str(path), "cannot be decoded as 'utf-8'")


def test_unknown_document_id_suggests_the_close_one(env: dict[str, str]) -> None:
    r = planecho(env, "segment", "taizhou-urbanisation-14fyp")
    assert_one_line_error(r, "taizhou-urbanisation-14fyp", 'did you mean "taizhou-urbanization-14fyp"?')


# --- good files in other forms ----------------------------------------------------


def _units(r: subprocess.CompletedProcess[str]) -> list[dict]:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


@pytest.mark.parametrize("codec", ["gbk", "gb2312", "gb18030"])
def test_gbk_file_segments_like_its_utf8_twin(tmp_path: Path, env: dict[str, str], codec: str) -> None:
    (tmp_path / "gbk").mkdir()
    (tmp_path / "utf8").mkdir()
    legacy, utf8 = tmp_path / "gbk" / "plan.txt", tmp_path / "utf8" / "plan.txt"
    legacy.write_bytes(PLAN.encode(codec))
    utf8.write_text(PLAN, encoding="utf-8")
    got, want = (_units(planecho(env, "segment", str(p), "--format", "jsonl")) for p in (legacy, utf8))
    assert [u["text"] for u in got] == [u["text"] for u in want] == [
        "推进以人为核心的新型城镇化，全面提升城市品质。", "到2025年，常住人口城镇化率达到75%。"]
    assert [(u["start"], u["end"], u["section"]) for u in got] == [(u["start"], u["end"], u["section"]) for u in want]
    r = planecho(env, "clean", str(legacy))
    assert r.returncode == 0 and "推进以人为核心的新型城镇化" in r.stdout, r.stderr


def test_docx_file_segments(tmp_path: Path, env: dict[str, str]) -> None:
    path = _make_docx(tmp_path / "plan.docx")
    units = _units(planecho(env, "segment", str(path), "--format", "jsonl"))
    assert [u["text"] for u in units] == ["推进以人为核心的新型城镇化，全面提升城市品质。"]  # the table is kept aside
    assert units[0]["section"] == ["一、总体要求"]
    r = planecho(env, "clean", str(path))
    assert r.returncode == 0 and "table" in r.stdout, r.stderr


def test_saved_portal_page_segments(env: dict[str, str]) -> None:
    path = ROOT / "tests" / "fixtures" / "gov_portal_page.html"
    units = _units(planecho(env, "segment", str(path), "--format", "jsonl"))
    texts = [u["text"] for u in units]
    assert "一是人口加速流入，城镇化率全国领先。" in texts
    assert not any(noise in t for t in texts for noise in ("当前位置", "版权所有", "分享到"))
    r = planecho(env, "clean", str(path))
    assert r.returncode == 0 and "浙江在全国率先实施新型城镇化战略" in r.stdout, r.stderr


# --- data on stdout ---------------------------------------------------------------


@pytest.mark.parametrize("unit", ["sentence", "clause"])
def test_segment_jsonl_is_one_object_per_line_pointing_into_the_original(env: dict[str, str], unit: str) -> None:
    doc = "taizhou-urbanization-14fyp"
    r = planecho(env, "segment", doc, "--unit", unit, "--format", "jsonl")
    assert r.stderr == ""
    units = _units(r)
    assert len(units) > 300
    original = (CORPORA / f"{doc}.txt").read_text(encoding="utf-8")
    for u in units:
        assert {"doc", "id", "section", "text", "start", "end"} <= u.keys()
        assert u["doc"] == doc and isinstance(u["section"], list) and u["text"]
        assert 0 <= u["start"] < u["end"] <= len(original)
        # the first and last characters of a unit are characters of the original at its offsets
        assert original[u["start"]] == u["text"][0] and original[u["end"] - 1] == u["text"][-1]
    assert len({u["id"] for u in units}) == len(units)
    starts = [u["start"] for u in units]
    assert starts == sorted(starts)
    if unit == "clause":
        assert all(u["id"].count(".c") == 1 for u in units)


def test_corpus_lists_the_five_documents(env: dict[str, str]) -> None:
    r = planecho(env, "corpus")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    rows = [line for line in r.stdout.splitlines() if any(i in line for i in IDS)]
    for doc_id in IDS:
        assert any(line.split("│")[1].strip() == doc_id for line in rows if "│" in line), doc_id


# --- planecho run: a bad manifest or document writes nothing ---------------------------


def _doc(doc_id: str, level: str, file: str, parents: list[str]) -> str:
    return (f'[[document]]\nid = "{doc_id}"\ntitle = "{doc_id}规划"\nlevel = "{level}"\nregion = "台州市"\n'
            f'date = "2021-09"\nfile = "{file}"\nparents = {json.dumps(parents)}\n\n')


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A two-plan corpus (province → city) small enough to run in seconds."""
    (tmp_path / "parent.txt").write_text(
        "一、总体要求\n\n推进以人为核心的新型城镇化，全面提升城市品质。到2025年，全省常住人口城镇化率达到75%。\n\n"
        "二、主要任务\n\n深化户籍制度改革，推动农业转移人口全面融入城市。实施“千年古城复兴”计划。\n", encoding="utf-8")
    (tmp_path / "child.txt").write_text(
        "一、总体要求\n\n推进以人为核心的新型城镇化，全面提升城市品质。到2025年，全市常住人口城镇化率达到70%。\n\n"
        "二、重点工作\n\n深化户籍制度改革，推动农业转移人口融入城市。建设海上花园城市。\n", encoding="utf-8")
    (tmp_path / "manifest.toml").write_text(
        _doc("parent", "province", "parent.txt", []) + _doc("child", "city", "child.txt", ["parent"]), encoding="utf-8")
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_run_with_unknown_parent_reports_every_problem_and_writes_nothing(small_corpus: Path,
                                                                         env: dict[str, str]) -> None:
    manifest = small_corpus / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('parents = ["parent"]', 'parents = ["parnet", "nosuch"]'), encoding="utf-8")
    out = small_corpus / "out"
    r = planecho(env, "run", "--manifest", str(manifest), "--out", str(out), "--no-cache", cwd=small_corpus)
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    assert r.returncode == 2 and r.stdout == ""
    first, *problems = r.stderr.splitlines()
    assert first.startswith("planecho: error: 2 problems in") and "manifest.toml" in first
    assert len(problems) == 2
    assert all(p.startswith("manifest.toml:") and 'document "child"' in p for p in problems)
    assert 'unknown parent "parnet" (did you mean "parent"?)' in problems[0]
    assert 'unknown parent "nosuch"' in problems[1]
    assert not out.exists()


@pytest.mark.parametrize("bad", ["english", "binary", "missing"])
def test_strict_run_with_a_bad_document_leaves_the_out_folder_untouched(small_corpus: Path, env: dict[str, str],
                                                                         bad: str) -> None:
    child = small_corpus / "child.txt"
    if bad == "english":
        child.write_text("The 14th Five-Year Plan.\n", encoding="utf-8")
    elif bad == "binary":
        child.write_bytes(PNG)
    else:
        child.unlink()
    out = small_corpus / "out"
    (out / "units").mkdir(parents=True)
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "units" / "parent.sentence.csv").write_text("an older run\n", encoding="utf-8")
    before = _snapshot(out)
    r = planecho(env, "run", "--strict", "--manifest", str(small_corpus / "manifest.toml"), "--out", str(out),
                 "--no-cache", cwd=small_corpus)
    if bad == "missing":  # caught by the manifest check, which lists problems one per line
        assert r.returncode == 2 and "Traceback" not in r.stderr and "child.txt" in r.stderr, r.stderr
    else:
        assert_one_line_error(r, str(child))
    assert _snapshot(out) == before
    assert sorted(p.name for p in small_corpus.iterdir() if p.name.startswith(".")) == []  # no staging left


@pytest.mark.parametrize("bad", ["english", "binary"])
def test_run_with_a_bad_document_goes_on_without_it(small_corpus: Path, env: dict[str, str], bad: str) -> None:
    """Issue 13: the run completes for the readable plans; the bad one is one stderr line, a row of the
    problems table and of the printed summary; exit status 3; the user's own files stay."""
    child = small_corpus / "child.txt"
    if bad == "english":
        child.write_text("The 14th Five-Year Plan.\n", encoding="utf-8")
    else:
        child.write_bytes(PNG)
    out = small_corpus / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    r = planecho(env, "run", "--manifest", str(small_corpus / "manifest.toml"), "--out", str(out), "--no-cache",
                 cwd=small_corpus)
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    assert r.returncode == 3, r.stderr
    skipped = [line for line in r.stderr.splitlines() if line.startswith("planecho: skipped")]
    assert len(skipped) == 1 and "child" in skipped[0] and str(child) in skipped[0], r.stderr
    with (out / "tables" / "problems.csv").open(encoding="utf-8-sig") as fh:
        problems = list(csv.DictReader(fh))
    assert [(p["doc"], p["step"], p["file"]) for p in problems] == [("child", "read", str(child))]
    assert problems[0]["problem"] and "left out of this run" in r.stdout
    assert (out / "units" / "parent.sentence.csv").exists() and not (out / "units" / "child.sentence.csv").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_run_writes_unit_tables_and_leaves_other_files_alone(small_corpus: Path, env: dict[str, str]) -> None:
    out = small_corpus / "out"
    out.mkdir()
    (out / "notes.txt").write_text("my notes, not planecho's\n", encoding="utf-8")
    r = planecho(env, "run", "--manifest", str(small_corpus / "manifest.toml"), "--out", str(out), "--no-cache",
                 cwd=small_corpus)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "echo" in r.stdout
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes, not planecho's\n"
    for doc in ("parent", "child"):
        for unit in ("sentence", "clause"):
            with (out / "units" / f"{doc}.{unit}.csv").open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
            assert rows and {r["doc"] for r in rows} == {doc}
            assert "深化户籍制度改革，推动农业转移人口" in "".join(r["text"] for r in rows)
    assert (out / "summary.csv").is_file() and (out / "corpus.csv").is_file()
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]  # no temporary file left


# --- other input files: gold labels, lexicons, symbolic link loops ---------------------------


GOLD_LINE = {"id": "c-1-pp", "child_doc": "c", "parent_doc": "p", "child": "推进城镇化。", "parent": None, "kind": "none"}


@pytest.mark.parametrize("case", ["gb18030", "child-number", "child-doc-list", "parent-list", "array"])
def test_a_bad_gold_file_is_one_line_naming_file_and_line(tmp_path: Path, env: dict[str, str], case: str) -> None:
    gold = tmp_path / "gold.jsonl"
    item = dict(GOLD_LINE)
    if case == "gb18030":
        gold.write_bytes(json.dumps(item, ensure_ascii=False).encode("gb18030") + b"\n")
    else:
        item.update({"child-number": {"child": 5}, "child-doc-list": {"child_doc": ["c"]},
                     "parent-list": {"parent": ["推进"]}, "array": {}}[case])
        line = json.dumps([item] if case == "array" else item, ensure_ascii=False)
        gold.write_text(json.dumps(GOLD_LINE, ensure_ascii=False) + "\n" + line + "\n", encoding="utf-8")
    words = ("gold.jsonl", "UTF-8") if case == "gb18030" else ("gold.jsonl", "line 2")
    assert_one_line_error(planecho(env, "eval", str(gold)), *words)


def test_a_lexicon_frequency_too_large_is_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    lexicon = tmp_path / "lexicon.txt"
    lexicon.write_text("城镇化 20\n千年古城 99999999999999999999999999\n", encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    r = planecho(env, "align", "-p", str(plan), "-c", str(plan), "--lexicon", str(lexicon))
    assert_one_line_error(r, "lexicon.txt", "line 2", "too large")


@pytest.mark.parametrize("where", [("corpus", "--manifest", "{loop}"), ("run", "--out", "{loop}"),
                                   ("export", "--out", "{loop}")])
def test_a_symbolic_link_loop_is_one_line(tmp_path: Path, env: dict[str, str], where: tuple[str, ...]) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    args = [a.format(loop=tmp_path / "a") for a in where]
    if "--manifest" not in args:
        args += ["--manifest", str(CORPORA / "manifest.toml")]
    assert_one_line_error(planecho(env, *args), "symbolic link loop")


def test_align_output_replaces_a_file_only_with_force_and_never_an_input(tmp_path: Path, env: dict[str, str]) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    lexicon = tmp_path / "words.csv"  # a lexicon file whose name is also a table's
    lexicon.write_text("城镇化 20\n", encoding="utf-8")
    table = tmp_path / "table.csv"
    table.write_text("mine\n", encoding="utf-8")
    args = ("align", "-p", str(plan), "-c", str(plan), "--lexicon", str(lexicon))
    assert_one_line_error(planecho(env, *args, "-o", str(table)), "table.csv", "--force")
    assert table.read_text(encoding="utf-8") == "mine\n"
    r = planecho(env, *args, "-o", str(table), "--force")
    assert r.returncode == 0, r.stderr
    assert "child_text" in table.read_text(encoding="utf-8-sig")
    assert_one_line_error(planecho(env, *args, "-o", str(lexicon), "--force"), "words.csv", "input")
    assert lexicon.read_text(encoding="utf-8") == "城镇化 20\n"


def _with_a_bad_child(corpus: Path) -> Path:
    """``corpus`` (small_corpus) plus a second child of the parent that cannot be read."""
    (corpus / "broken.txt").write_bytes(PNG)
    manifest = corpus / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + _doc("broken", "city", "broken.txt", ["parent"]),
                        encoding="utf-8")
    return manifest


@pytest.mark.parametrize("command", ["score-children", "phrases", "trace"])
def test_one_bad_plan_is_listed_and_the_others_still_run(small_corpus: Path, env: dict[str, str], command: str) -> None:
    manifest = _with_a_bad_child(small_corpus)
    args = {"score-children": ("score", "child", "broken", "--parent", "parent", "--no-cache"),
            "phrases": ("phrases", "parent", "--format", "csv", "--no-cache"),
            "trace": ("trace", "城镇化", "--format", "csv")}[command]
    r = planecho(env, *args, "--manifest", str(manifest), cwd=small_corpus)
    assert "Traceback" not in r.stderr and r.returncode == 3, r.stderr
    skipped = [line for line in r.stderr.splitlines() if line.startswith("planecho: skipped")]
    assert len(skipped) == 1 and "broken" in skipped[0], r.stderr
    rows = list(csv.DictReader(r.stdout.splitlines()))
    assert rows and all("broken" not in json.dumps(row, ensure_ascii=False) for row in rows)
    assert any("child" in json.dumps(row, ensure_ascii=False) for row in rows)
    if command == "score-children":
        strict = planecho(env, *args, "--strict", "--manifest", str(manifest), cwd=small_corpus)
        assert_one_line_error(strict, "broken.txt")


def test_strict_is_refused_with_a_batch(small_corpus: Path, env: dict[str, str]) -> None:
    r = planecho(env, "score", "--manifest", str(small_corpus / "manifest.toml"), "--out", str(small_corpus / "o"),
                 "--strict", cwd=small_corpus)
    assert_one_line_error(r, "--strict", "--out")
    assert not (small_corpus / "o").exists()


def test_files_given_by_path_keep_names_of_their_own(small_corpus: Path, env: dict[str, str]) -> None:
    """A file named like a manifest document (but another file) is not that document; two files of
    one name are two plans."""
    for folder in ("other", "a", "b"):
        (small_corpus / folder).mkdir()
    (small_corpus / "other" / "child.txt").write_text(PLAN, encoding="utf-8")
    (small_corpus / "a" / "x.txt").write_text(PLAN, encoding="utf-8")
    (small_corpus / "b" / "x.txt").write_text(PLAN.replace("75%", "70%"), encoding="utf-8")
    r = planecho(env, "score", "child", "other/child.txt", "a/x.txt", "b/x.txt", "--parent", "parent", "--no-cache",
                 "--manifest", str(small_corpus / "manifest.toml"), cwd=small_corpus)
    assert r.returncode == 0, r.stderr
    ids = [row["child_doc"] for row in csv.DictReader(r.stdout.splitlines())]
    assert ids[:2] == ["child", "other/child.txt"] and len(set(ids)) == 4 and ids[2] == "x"


def test_a_plan_with_no_body_text_is_warned_about(tmp_path: Path, env: dict[str, str]) -> None:
    title_only = tmp_path / "title.txt"
    title_only.write_text("# 临海市国民经济和社会发展第十四个五年规划纲要\n", encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    r = planecho(env, "score", str(title_only), "--parent", str(plan), "--no-cache")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    warned = [line for line in r.stderr.splitlines() if "no body text found" in line]
    assert len(warned) == 1 and str(title_only) in warned[0] and "planecho clean" in warned[0]


def test_a_path_holding_a_newline_or_an_escape_stays_on_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    r = planecho(env, "segment", str(tmp_path / "a\x1b[31mred\nx.txt"))
    line = assert_one_line_error(r, "\\u001b[31mred\\nx.txt")
    assert "\x1b" not in line


@pytest.mark.parametrize("args, words", [(("score", "--nosuch"), ("--nosuch", "planecho score --help")),
                                         (("align", "-p", "a", "-c", "b", "--limit", "-1"), ("--limit",)),
                                         (("nosuchcommand",), ("nosuchcommand", "planecho --help"))])
def test_a_usage_error_is_one_line_naming_the_help(env: dict[str, str], args: tuple[str, ...],
                                                   words: tuple[str, ...]) -> None:
    assert_one_line_error(planecho(env, *args), *words)


def test_a_format_named_twice_is_written_once(small_corpus: Path, env: dict[str, str]) -> None:
    out = small_corpus / "out"
    r = planecho(env, "export", "--manifest", str(small_corpus / "manifest.toml"), "--out", str(out),
                 "--format", "csv,CSV,.csv", "--no-reports", "--no-cache", cwd=small_corpus)
    assert r.returncode == 0, r.stderr
    assert (out / "tables" / "scores.csv").exists() and not list((out / "tables").glob("*.xlsx"))


def test_run_refuses_an_output_folder_that_holds_a_plan_it_reads(small_corpus: Path, env: dict[str, str]) -> None:
    out = small_corpus / "out"
    (out / "reports").mkdir(parents=True)
    (small_corpus / "child.txt").rename(out / "reports" / "child.txt")
    manifest = small_corpus / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('file = "child.txt"', 'file = "out/reports/child.txt"'), encoding="utf-8")
    r = planecho(env, "run", "--manifest", str(manifest), "--out", str(out), "--no-cache", cwd=small_corpus)
    assert_one_line_error(r, "reports/child.txt", "another folder")
    assert (out / "reports" / "child.txt").exists()
