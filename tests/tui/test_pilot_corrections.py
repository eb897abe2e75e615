"""Pilot tests of what the issue asked of the pair view: a scholar's corrections
(kept, re-applied by the next run and read by eval), sorting from anywhere with
its arrow, the keys in ``?`` and an 80-column footer, the enlarged detail pane,
and a progress bar that moves while the first alignment runs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from textual.widgets import Input, ProgressBar, Static

from align.decisions.match import alignment_frame
from compare import corrections as corr
from compare.run import compute
from compare.workspace import Workspace
from tui.app import make_app
from tui.data import Pair
from tui.screens.correct import CorrectionDialog, NoteDialog
from tui.screens.home import HomeScreen
from tui.screens.pair import PairScreen
from tui.widgets.detail import PairDetail
from tui.widgets.footer import KeyFooter
from tui.widgets.table import FrameTable
from tui_helpers import CITY, COUNTY, NARROW, PROVINCE, WIDE, open_help, run, settle

ROOT = Path(__file__).resolve().parents[2]
LH_TZ = Pair(CITY, COUNTY)


def first_linked(screen: PairScreen) -> int:
    """The first body unit linked to a parent, leaving out self-citations (never counted in echo)."""
    from compare.selfcite import is_self_citation

    return next(i for i, l in enumerate(screen.links) if l.parent is not None and l.relation != "local"
                and l.child.kind == "body" and not is_self_citation(l.child.text)
                and not is_self_citation(l.parent.text))


def test_a_link_marked_wrong_in_the_tui_is_gone_from_the_next_run_and_is_an_eval_label(tmp_path, tui_cache):
    path = tmp_path / "corrections.jsonl"
    marked = {}

    async def go():
        app = make_app(None, COUNTY, CITY, corrections=path)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PairScreen)
            index = first_linked(screen)
            link = screen.links[index]
            marked.update(child=link.child, parent=link.parent, relation=link.relation)
            assert screen.query_one(FrameTable).select_index(index)
            await pilot.press("w")
            await pilot.pause()
            assert isinstance(app.screen, NoteDialog)
            await pilot.press(*"自引")
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is screen
            # shown as corrected: the highlighted row is the same unit, now local, marked ✎
            row = screen.query_one(FrameTable).current_record()
            assert (row["child_id"], row["relation"], row["corrected"]) == (link.child.unit_id, "local", "removed")
            assert "✎" in screen.query_one("#detail-head", Static).content.plain
            assert not [l for l in screen.links if l.child == link.child and l.parent == link.parent]

    run(go())
    (saved,) = corr.read(path)
    assert (saved.child_id, saved.parent_id, saved.relation, saved.note) == (
        marked["child"].unit_id, marked["parent"].unit_id, "none", "自引")
    assert saved.child_text == marked["child"].text and saved.when

    # the next run (its compare-layer computation) reads the file and keeps the correction
    ws = Workspace.open(None, use_cache=True, corrections=path)
    results = compute(ws)
    tables = results.tables
    rows = alignment_frame(results.alignments[(CITY, COUNTY)].links)  # this pair's rows of the alignments table
    mine = rows[rows.child_id == marked["child"].unit_id]
    assert marked["parent"].unit_id not in set(mine.parent_id) and set(mine.corrected) == {"removed"}
    assert set(tables["alignments"].corrected) == {"", "removed"}
    engine = Workspace.open(None, use_cache=True, corrections=False)
    echo = lambda t: t.loc[(t.child_doc == COUNTY) & (t.parent_doc == CITY), "echo"].item()  # noqa: E731
    from compare.score import pair_scores

    assert echo(tables["scores"]) < pair_scores(engine.alignment(CITY, COUNTY))["echo"]

    # and eval reads it as a label: the engine's link is a false link on a "none" item
    r = subprocess.run([sys.executable, "-m", "compare.cli", "eval", "--corrections", str(path), "--no-errors"],
                       capture_output=True, text=True, cwd=ROOT, timeout=600,
                       env={**os.environ, "PLANECHO_CACHE_DIR": str(tui_cache)})
    assert r.returncode == 0, r.stderr
    assert " 1 items)" in " ".join(r.stdout.split()) and path.name in "".join(r.stdout.split())  # wrapped at 80
    (none_row,) = [line for line in r.stdout.splitlines() if line.startswith("│ none ")]
    cells = [c.strip() for c in none_row.split("│")[2:-1]]  # predicted verbatim, adapted, partial, local
    assert cells[-1] == "0" and cells[["verbatim", "adapted", "partial"].index(marked["relation"])] == "1"


def test_a_local_unit_marked_derived_from_a_chosen_parent_unit(tmp_path):
    path = tmp_path / "corrections.jsonl"

    async def go():
        app = make_app(None, COUNTY, CITY, corrections=path)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            index = next(i for i, l in enumerate(screen.links) if l.relation == "local" and l.child.kind == "body")
            child = screen.links[index].child
            screen.query_one(FrameTable).select_index(index)
            await pilot.press("c")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, CorrectionDialog)
            target = dialog.parent_units[10]
            dialog.query_one("#unit-search", Input).value = target.text[:12]
            await pilot.pause()
            assert target in dialog.shown
            dialog.query_one("#units").highlighted = dialog.shown.index(target)
            dialog.query_one("#relation").value = "partial"
            dialog.query_one("#note", Input).value = "同一项目"
            await pilot.press("ctrl+s")
            await settle(pilot)
            rows = [l for l in screen.links if l.child == child]
            assert [(l.parent, l.relation, l.corrected) for l in rows] == [(target, "partial", "added")]
            # u undoes: the engine's row returns
            await pilot.press("u")
            await settle(pilot)
            assert [(l.parent, l.corrected) for l in screen.links if l.child == child] == [(None, "")]

    run(go())
    assert corr.read(path) == []


def test_sorting_works_from_anywhere_in_the_pair_view_and_shows_its_arrow():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            table = screen.query_one(FrameTable)
            screen.query_one(PairDetail).focus()  # not the table
            await pilot.pause()
            await pilot.press("3")
            await pilot.pause()
            assert table.sort_by == "score" and not table.sort_desc
            label = table.columns["score"].label.plain
            assert label.endswith("▲")
            scores = table.frame["score"].tolist()
            assert scores == sorted(scores)
            await pilot.press("3")
            await pilot.pause()
            assert table.sort_desc and table.columns["score"].label.plain.endswith("▼")
            # at 80 columns the narrow score column still shows the arrow
            await pilot.resize_terminal(*NARROW)
            await pilot.pause()
            assert table.columns["score"].label.plain.endswith("▼")
            # typing in the search box types digits, it does not sort
            await pilot.press("slash", "2", "0", "2", "5")
            await pilot.pause()
            assert screen.query_one("#search", Input).value == "2025" and table.sort_by == "score"
            assert table.sort_desc

    run(go())


def test_help_lists_sorting_corrections_and_zoom():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            keys = await open_help(pilot)
            for key, description in (("1…9", "Sort by column 1…9"), ("w", "Wrong link"), ("c", "Derived from"),
                                     ("u", "Undo"), ("z", "Zoom")):
                assert any(line.strip().startswith(f"{key}  {description}") for line in keys.splitlines()), key

    run(go())


def test_the_80_column_footer_shows_export_and_the_views():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=NARROW) as pilot:
            await settle(pilot)
            footer = app.screen.query_one(KeyFooter)
            await pilot.pause()
            from textual.widgets._footer import FooterKey

            visible = {w.key for w in footer.query(FooterKey) if w.region.width and w.region.right <= NARROW[0]}
            assert {"e", "l", "d", "s", "w", "c", "question_mark", "slash"} <= visible

    run(go())


def test_z_enlarges_the_detail_pane_and_the_parent_is_in_view():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=NARROW) as pilot:
            await settle(pilot)
            screen = app.screen
            screen.query_one(FrameTable).select_index(first_linked(screen))
            await pilot.pause()
            detail = screen.query_one(PairDetail)
            parent = screen.query_one("#parent-text")
            assert detail.region.contains(parent.region.x, parent.region.y)  # no Tab + PgDn needed
            heights = [detail.region.height]
            for _ in range(3):
                await pilot.press("z")
                await pilot.pause()
                heights.append(detail.region.height)
            assert heights[0] < heights[1] < heights[2] and heights[3] == heights[0]
            assert screen.query_one(FrameTable).region.height >= 3  # the cursor row stays in view

    run(go())


def test_the_progress_bar_moves_before_the_first_pair_is_aligned(tmp_path, monkeypatch):
    seen: list[tuple[int, str]] = []
    original = HomeScreen.on_home_screen_progress

    def record(self, event):
        seen.append((event.done, event.text))
        original(self, event)

    monkeypatch.setattr(HomeScreen, "on_home_screen_progress", record)
    monkeypatch.setenv("PLANECHO_CACHE_DIR", str(tmp_path / "empty-cache"))

    async def go():
        app = make_app()
        async with app.run_test(size=WIDE) as pilot:
            home = app.screen
            for _ in range(1200):
                await pilot.pause(0.05)
                if home.ready:
                    break
            assert home.ready

    run(go())
    engine = [d for d, t in seen if t.startswith(("loading the engine", "loading the national background"))]
    first_pair = next(d for d, t in seen if t.startswith("aligning"))
    assert engine and min(engine) > 0 and first_pair > min(engine)  # the bar moved before any pair was aligned
    assert any(t.startswith("loading the national background") for _, t in seen)
