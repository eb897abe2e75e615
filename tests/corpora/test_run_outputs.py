"""`planecho run` on the bundled corpora: every output reopens intact."""
from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from compare.run import TABLES


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    d = tmp_path_factory.mktemp("outputs")
    env = {**os.environ, "PLANECHO_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    r = subprocess.run([sys.executable, "-m", "compare.cli", "run", "--out", str(d)], capture_output=True, text=True,
                       env=env)
    assert r.returncode == 0, r.stderr
    assert "echo" in r.stdout and "Traceback" not in r.stderr
    return d


def test_every_table_reopens_with_the_same_rows_and_columns(out):
    book = pd.read_excel(out / "planecho.xlsx", sheet_name=None)
    for name in TABLES:
        csv = pd.read_csv(out / "tables" / f"{name}.csv")
        pq = pd.read_parquet(out / "tables" / f"{name}.parquet")
        js = pd.read_json(out / "tables" / f"{name}.jsonl", lines=True) if (out / "tables" / f"{name}.jsonl").stat().st_size else pd.DataFrame(columns=pq.columns)
        assert csv.shape == pq.shape == book[name].shape, name
        assert list(csv.columns) == list(pq.columns) == list(book[name].columns), name
        assert len(js) == len(pq), name


def test_workbook_opens_with_openpyxl_frozen_header_and_widths(out):
    wb = openpyxl.load_workbook(out / "planecho.xlsx", read_only=False)
    assert set(TABLES) <= set(wb.sheetnames)
    ws = wb["alignments"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["D"].width and ws.column_dimensions["D"].width > 10


def test_workbook_documents_every_column_and_filters_every_sheet(out):
    wb = openpyxl.load_workbook(out / "planecho.xlsx")
    documented = {(r[0], r[1]) for r in wb["columns"].iter_rows(min_row=2, values_only=True) if r[2]}
    for name in TABLES:
        ws = wb[name]
        header = [c.value for c in ws[1]]
        assert {(name, h) for h in header} <= documented, name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), name
    scores = wb["scores"]
    header = [c.value for c in scores[1]]
    assert scores.cell(row=2, column=header.index("echo") + 1).number_format == "0.0%"


def test_index_explains_echo_and_coverage(out):
    html = (out / "reports" / "index.html").read_text(encoding="utf-8")
    assert "<dt>echo</dt>" in html and "<dt>coverage</dt>" in html and "self-citations" in html


def test_csv_is_utf8_with_bom_for_excel(out):
    raw = (out / "tables" / "alignments.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "浙江".encode() in raw or "台州".encode() in raw


def test_reports_figures_and_summary(out):
    scores = pd.read_csv(out / "summary.csv")
    assert len(scores) == 9
    for r in scores.itertuples():
        stem = f"{r.child_doc}__{r.parent_doc}"
        png = out / "figures" / f"{stem}.png"
        html = (out / "reports" / f"{stem}.html").read_text(encoding="utf-8")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
        assert "data:image/png;base64," in html and "echo" in html
    assert (out / "reports" / "index.html").exists()
    assert not list(out.rglob("*.part"))  # no temporary file left


def test_section_map_font_renders_chinese():
    from matplotlib.ft2font import FT2Font

    from compare.sectionmap import BUNDLED_FONT, cjk_font

    for path in {cjk_font(), str(BUNDLED_FONT)}:
        font = FT2Font(path)
        assert all(font.get_char_index(ord(ch)) for ch in "四、高质量推动农业转移人口全面融入城市千年府城")


def test_drawing_in_the_worker_gives_what_drawing_inline_gives(out, tmp_path):
    """The main job draws figures, reports and the workbook in a forked worker;
    the same outputs come out inline (one core, no fork)."""
    from compare.rendering import Renderer
    from compare.run import compute, write_outputs
    from compare.workspace import Workspace

    ws = Workspace.open(None, use_cache=False)
    results = compute(ws, reports=False)
    results.renderer = Renderer(parallel=False)
    write_outputs(ws, results, tmp_path)
    assert results.renderer._pool is None
    for stem in ("taizhou-urbanization-14fyp__zhejiang-urbanization-14fyp", "linhai-14fyp-outline__taizhou-urbanization-14fyp"):
        assert (tmp_path / "figures" / f"{stem}.png").read_bytes() == (out / "figures" / f"{stem}.png").read_bytes()
        assert (tmp_path / "reports" / f"{stem}.html").read_text() == (out / "reports" / f"{stem}.html").read_text()
    inline = pd.read_excel(tmp_path / "planecho.xlsx", sheet_name=None)
    worker = pd.read_excel(out / "planecho.xlsx", sheet_name=None)
    assert inline.keys() == worker.keys()
    for name in TABLES:
        pd.testing.assert_frame_equal(inline[name], worker[name])


def test_work_waiting_for_the_drawing_worker_is_shared_back():
    """share_work takes jobs the worker has not started, from the end of its
    queue, and runs them here; results come back in any case."""
    import time

    from compare.rendering import Renderer

    with Renderer(parallel=True) as r:
        r.submit_call("slow", time.sleep, 1.0)
        for k in range(4):
            r.submit_call(k, pow, k, 2)
        r.share_work()  # the worker is busy for a second or more: most of the queue comes back
        done_here = list(r._done)
        assert 3 in done_here and len(done_here) >= 2
        assert sorted(r.result(k) for k in range(4)) == [0, 1, 4, 9]
        assert r.result("slow") is None


def test_the_worker_reads_the_plans_and_later_jobs_name_them_by_id():
    """`planecho run` has the drawing worker read the plans while the main process
    loads scikit-learn and jieba; pairs then send the worker their alignment only."""
    from compare.rendering import Renderer
    from compare.workspace import Workspace
    from helpers import ALL_IDS as IDS

    ws = Workspace.open(None, use_cache=False)
    with Renderer(parallel=True, warm_up=False) as r:
        r.read_documents(ws)
        ws.prepare_engine()
        docs = r.documents()
        assert set(docs) == set(IDS) == r._worker_docs
        zhejiang, taizhou = IDS[0], IDS[1]
        ws.adopt(docs)
        assert ws.document(taizhou) is docs[taizhou]
        a = ws.alignment(zhejiang, taizhou)
        r.submit("pair", a, docs[zhejiang], docs[taizhou])
        assert r._jobs["pair"][0] is not None  # sent to the worker
        png, html = r.result("pair")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and docs[taizhou].title in html


def _exit_unless_in(pid: int) -> str:
    import os

    if os.getpid() != pid:
        os._exit(1)  # the worker dies
    return "done here"


def test_jobs_of_a_worker_that_died_are_done_here():
    import os

    from compare.rendering import Renderer

    with Renderer(parallel=True, warm_up=False) as r:
        r.submit_call("dies", _exit_unless_in, os.getpid())
        r.submit_call("next", pow, 3, 2)
        assert r.result("dies") == "done here"
        assert r.result("next") == 9
        r.submit_call("after", pow, 2, 3)  # submitted once the worker is gone: runs here
        assert r.result("after") == 8
    with Renderer(parallel=True, warm_up=False) as r:
        r.submit_call("dies", _exit_unless_in, os.getpid())
        r._jobs["dies"][0].exception()  # wait until the pool knows its worker died
        r.submit_call("later", pow, 2, 5)  # the pool is broken when this is sent
        assert r.result("later") == 32 and r.result("dies") == "done here"
