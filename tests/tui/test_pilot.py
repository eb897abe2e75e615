"""Pilot tests: what a scholar does with the keyboard, checked against what the
engine computed (the UI must show the engine's results, filtered and sorted,
never its own)."""
from __future__ import annotations

import pandas as pd
import pytest
from textual.widgets import Input, OptionList, Select, Static

from align.errors import InputError, ManifestError
from align.decisions.match import alignment_frame
from compare import divergence
from compare.lineage import trace
from compare.score import chapter_label, counted, pair_scores
from compare.sectionmap import section_map
from tui import render
from tui.app import make_app
from tui.data import Pair
from tui.screens.dialogs import ChoiceDialog
from tui.screens.divergences import DivergenceScreen
from tui.screens.document import DocumentScreen
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.lineage import LineageScreen
from tui.screens.pair import PairScreen
from tui.screens.sectionmap import SectionGrid, SectionMapScreen
from tui.widgets.table import FrameTable
from tui_helpers import CITY, COUNTY, NARROW, PROVINCE, WIDE, move_to, open_help, open_pair, run, settle

TZ_ZJ = Pair(PROVINCE, CITY)
LH_TZ = Pair(CITY, COUNTY)


def rows_of(table: FrameTable) -> pd.DataFrame:
    """The rows a table shows, in display order, as the frame it was given."""
    keys = [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]
    return table.frame.loc[[table.frame.index[table.frame.index.astype(str) == k][0] for k in keys]]


# ---------------------------------------------------------------------------
# home


def test_home_tree_shows_each_plans_echo_and_coverage_against_its_parent(workspace):
    async def go():
        app = make_app()
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen) and app.screen.ready
            assert app.ready_seconds is not None
            home = app.screen
            for pair in app.session.pairs():
                if pair.parent not in workspace.manifest.get(pair.child).parents:
                    continue  # the tree shows declared parents
                sc = pair_scores(workspace.alignment(pair.parent, pair.child))
                labels = [n.label.plain for n in home.nodes[pair.child] if n.data[1] == pair.parent]
                assert labels and f"echo {sc['echo']:6.1%}" in labels[0] and f"cov {sc['coverage']:6.1%}" in labels[0]
            # the side pane lists the scores against every ancestor (Linhai: Taizhou ×2 and Zhejiang)
            await move_to(pilot, COUNTY, CITY)
            await pilot.pause()
            side = home.query_one("#doc-scores", FrameTable)
            assert side.row_count == 3
            assert set(side.frame["parent_doc"]) == {a for a, _ in app.session.ancestors(COUNTY)}

    run(go())


def test_enter_on_a_plan_with_one_parent_opens_the_pair_view(workspace):
    async def go():
        app = make_app()
        async with app.run_test(size=WIDE) as pilot:
            screen = await open_pair(pilot, TZ_ZJ)
            assert screen.pair == TZ_ZJ
            table = screen.query_one(FrameTable)
            expected = alignment_frame(workspace.alignment(PROVINCE, CITY).links)
            assert table.row_count == len(expected)
            await pilot.press("escape")
            assert isinstance(app.screen, HomeScreen)

    run(go())


def test_a_plan_with_several_parents_asks_which_one():
    async def go():
        app = make_app()
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await move_to(pilot, COUNTY, CITY)
            await pilot.press("enter")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            choices = dialog.query_one(OptionList)
            ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
            assert sorted(ids) == sorted(a for a, _ in app.session.ancestors(COUNTY))
            assert ids[choices.highlighted] == CITY  # the plan it sits under in the tree
            await pilot.press("down", "enter")
            await settle(pilot)
            assert isinstance(app.screen, PairScreen) and app.screen.pair == Pair(ids[1], COUNTY)

    run(go())


# ---------------------------------------------------------------------------
# pair view


def test_relation_filter_shows_only_that_relation(workspace):
    async def go():
        app = make_app(None, COUNTY, CITY)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PairScreen)
            frame = alignment_frame(workspace.alignment(CITY, COUNTY).links)
            await pilot.press("r")  # all → linked
            await pilot.pause()
            assert screen.query_one("#f-relation", Select).value == "linked"
            assert screen.query_one(FrameTable).row_count == int((frame["relation"] != "local").sum())
            await pilot.press("r", "r", "r")  # → verbatim → adapted → partial
            await pilot.pause()
            table = screen.query_one(FrameTable)
            shown = rows_of(table)
            assert len(shown) == int((frame["relation"] == "partial").sum()) > 0
            assert set(shown["relation"]) == {"partial"}
            assert "partial" in screen.query_one("#f-count", Static).content.plain
            # minimum score on top of it
            await pilot.press("m", "m")  # ≥ 0.2 → ≥ 0.3
            await pilot.pause()
            shown = rows_of(table)
            assert len(shown) == int(((frame["relation"] == "partial") & (frame["score"] >= 0.3)).sum())
            await pilot.press("x")
            await pilot.pause()
            assert table.row_count == len(frame)

    run(go())


def test_relation_select_in_the_filter_bar_filters_too(workspace):
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            await pilot.click("#f-relation")
            await pilot.pause()
            await pilot.press("down", "down", "enter")  # all relations → linked → verbatim only
            await pilot.pause()
            assert screen.filter.relation == "verbatim"
            frame = alignment_frame(workspace.alignment(PROVINCE, CITY).links)
            assert screen.query_one(FrameTable).row_count == int((frame["relation"] == "verbatim").sum())

    run(go())


def test_chapter_filter_keeps_the_units_of_that_child_chapter(workspace):
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            a = workspace.alignment(PROVINCE, CITY)
            chapter = chapter_label(a.links[-1].child)
            screen.set_filter(chapter=chapter)
            await pilot.pause()
            assert screen.query_one("#f-chapter", Select).value == chapter
            expected = sum(1 for l in a.links if chapter_label(l.child) == chapter)
            assert screen.query_one(FrameTable).row_count == expected

    run(go())


def test_slash_searches_child_and_parent_text():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            await pilot.press("slash")
            search = screen.query_one("#search", Input)
            assert search.has_focus and search.display
            await pilot.press(*"未来社区")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            shown = rows_of(screen.query_one(FrameTable))
            frame = screen.frame
            hits = frame["child_text"].str.contains("未来社区") | frame["parent_text"].str.contains("未来社区")
            assert len(shown) == int(hits.sum()) > 0
            assert all("未来社区" in c or "未来社区" in p for c, p in zip(shown["child_text"], shown["parent_text"]))
            assert screen.query_one(FrameTable).has_focus
            await pilot.press("slash", "escape")  # Esc in the search clears it
            await pilot.pause()
            assert screen.query_one(FrameTable).row_count == len(frame)
            assert not search.display

    run(go())


def test_sorting_by_a_column_header_and_by_its_number():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            table = app.screen.query_one(FrameTable)
            await pilot.press("3")  # score, ascending
            await pilot.pause()
            scores = rows_of(table)["score"].tolist()
            assert scores == sorted(scores)
            await pilot.click(FrameTable, offset=(table._widths[0] + table._widths[1] + 8, 0))  # the score header
            await pilot.pause()
            scores = rows_of(table)["score"].tolist()
            assert scores == sorted(scores, reverse=True) and table.sort_by == "score" and table.sort_desc

    run(go())


def test_detail_pane_marks_the_engine_evidence(workspace):
    a = workspace.alignment(PROVINCE, CITY)
    index, link = next((i, l) for i, l in enumerate(a.links) if l.evidence and l.evidence.numbers and l.evidence.phrases)

    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            table = screen.query_one(FrameTable)
            assert table.select_index(index)
            await pilot.pause()
            child = screen.query_one("#child-text", Static).content
            parent = screen.query_one("#parent-text", Static).content
            assert child.plain == link.child.text and parent.plain == link.parent.text
            ph = link.evidence.phrases[0]
            styled = {(s.start, s.end) for s in child.spans if s.style in (render.STYLES["phrase"], render.STYLES["programme"])}
            assert (ph.child_start, ph.child_end) in styled
            notes = screen.query_one("#detail-notes", Static).content.plain
            assert all(n.describe() in notes for n in link.evidence.numbers)

    run(go())


# ---------------------------------------------------------------------------
# divergences, section map, lineage, document


def test_divergence_tabs_and_jump_to_the_text(workspace):
    a = workspace.alignment(PROVINCE, CITY)

    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.press("d")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DivergenceScreen)
            assert screen.active_name() == "dropped"
            assert screen.active_table().row_count == len(divergence.dropped(a))
            await pilot.press("right_square_bracket")
            await pilot.pause()
            assert screen.active_name() == "local_additions"
            assert screen.active_table().row_count == len(divergence.local_additions(a))
            await pilot.press("right_square_bracket")
            await pilot.pause()
            changed = divergence.changed_targets(a)
            assert screen.active_name() == "changed_targets" and screen.active_table().row_count == len(changed) > 0
            # what the numbers are (target or actual), their year and scope, as the exported table has them
            shown = [c.name for c in screen.active_table().visible_columns()]
            assert {"kind", "year", "scope"} <= set(shown)
            assert screen.active_table().current_record()["kind"] == changed.iloc[0]["kind"]
            await pilot.press("enter")
            await settle(pilot)
            doc = app.screen
            assert isinstance(doc, DocumentScreen) and doc.doc_id == CITY
            unit = changed.iloc[0]["child_id"]
            assert doc.target == unit
            assert doc.query_one("#text", OptionList).highlighted == doc.units[unit].paragraph
            await pilot.press("escape")
            await pilot.press("right_square_bracket")
            await pilot.pause()
            assert screen.active_name() == "rebranded_phrases"
            assert screen.active_table().row_count == len(divergence.rebrands(a))
            assert "evidence" in [c.name for c in screen.active_table().visible_columns()]

    run(go())


def test_selecting_a_section_map_cell_lists_the_pairs_behind_it(workspace):
    a = workspace.alignment(PROVINCE, CITY)
    grid_values = section_map(a)

    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, SectionMapScreen)
            grid = screen.query_one(SectionGrid)
            assert grid.row_count == grid_values.shape[0] and len(grid.columns) == grid_values.shape[1] + 1
            await pilot.press("down", "enter")  # move off the strongest cell, select the one below
            await pilot.pause()
            p, c = screen.selected_chapters()
            listed = screen.query_one("#cell-pairs", FrameTable)
            behind = [l for l in counted(a).best.values() if l.parent is not None and l.relation != "local"
                      and l.child.kind == "body" and (chapter_label(l.child) or "(前言)") == c
                      and (chapter_label(l.parent) or "(前言)") == p]
            assert listed.row_count == len(behind)
            assert set(listed.frame["child_id"]) == {l.child.unit_id for l in behind}
            assert f"{grid_values.loc[p, c]:.1%}" in screen.query_one("#cell-info", Static).content.plain
            if behind:
                assert listed.has_focus  # Enter on a cell moves to its pairs

    run(go())


def test_phrase_lineage_traces_a_chosen_or_typed_phrase(workspace):
    docs = workspace.documents()

    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, LineageScreen)
            phrases = screen.query_one("#phrases", FrameTable)
            assert phrases.row_count == len(workspace.phrases(PROVINCE))
            first = phrases.frame.iloc[0]["phrase"]
            assert screen.query_one("#trace", FrameTable).row_count == len(trace(first, docs))
            await pilot.press("slash")
            await pilot.press(*"千年古城", "enter")
            await settle(pilot)
            expected = trace("千年古城", docs)
            shown = screen.query_one("#trace", FrameTable)
            assert shown.row_count == len(expected) > 0
            assert "千年古城" in screen.query_one("#trace-summary", Static).content.plain
            await pilot.press("enter")  # the occurrence in its document
            await settle(pilot)
            assert isinstance(app.screen, DocumentScreen)
            assert app.screen.target == shown.current_record()["unit_id"]

    run(go())


def test_document_view_opens_at_the_selected_unit(workspace):
    a = workspace.alignment(PROVINCE, CITY)
    index = next(i for i, l in enumerate(a.links) if l.relation == "verbatim" and l.child.paragraph > 40)
    unit = a.links[index].child

    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            app.screen.query_one(FrameTable).select_index(index)
            await pilot.press("t")
            await settle(pilot)
            doc = app.screen
            assert isinstance(doc, DocumentScreen) and doc.doc_id == CITY
            text = doc.query_one("#text", OptionList)
            assert doc.target == unit.unit_id and text.highlighted == unit.paragraph
            assert text.scroll_offset.y > 0  # scrolled down to it
            prompt = text.get_option_at_index(unit.paragraph).prompt
            _, start, end = doc.spans[unit.unit_id]
            assert prompt.plain[start:end] == unit.text
            assert any(s.style == render.STYLES["target"] and (s.start, s.end) == (start, end) for s in prompt.spans)
            # the section tree lists the document's headings
            toc = doc.query_one("#toc")
            assert len(list(toc.root.children)) > 0
            assert unit.unit_id in doc.query_one("#unit-info", Static).content.plain

    run(go())


# ---------------------------------------------------------------------------
# export, help, palette


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "jsonl"])
def test_e_exports_the_filtered_table(out_dir, fmt):
    async def go():
        app = make_app(None, CITY, PROVINCE, out_dir=out_dir)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            screen.set_filter(relation="partial")
            await pilot.pause()
            shown = screen.query_one(FrameTable).frame
            await pilot.press("e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            choices = dialog.query_one(OptionList)
            while choices.get_option_at_index(choices.highlighted).id != fmt:
                await pilot.press("down")
            await pilot.press("enter")
            await settle(pilot)
            path = out_dir / f"tui-{CITY}__{PROVINCE}-pairs.{fmt}"
            assert path.is_file()
            assert any(str(path) in n.message for n in app._notifications)
            return shown, path

    shown, path = run(go())
    back = {"csv": lambda p: pd.read_csv(p, encoding="utf-8-sig"), "xlsx": lambda p: pd.read_excel(p, sheet_name="table"),
            "parquet": pd.read_parquet, "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt](path)
    assert len(back) == len(shown) > 0
    assert set(back["relation"]) == {"partial"}
    assert back["child_id"].tolist() == shown["child_id"].tolist()


def test_export_replaces_its_own_file_only(out_dir):
    out_dir.mkdir(parents=True)
    mine = out_dir / "my-notes.csv"
    mine.write_text("keep me", encoding="utf-8")

    async def go():
        app = make_app(None, CITY, PROVINCE, out_dir=out_dir)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            for _ in range(2):
                app.export("csv")
                await settle(pilot)

    run(go())
    assert mine.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in out_dir.iterdir()) == ["my-notes.csv", f"tui-{CITY}__{PROVINCE}-pairs.csv"]


def test_help_lists_the_bindings_of_the_screen():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            keys = await open_help(pilot)
            for description in ("Search", "Relation", "Export", "Divergences", "Section map", "command palette"):
                assert description in keys
            await pilot.press("escape")
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)

    run(go())


def test_command_palette_lists_namespaced_actions_and_runs_them():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            from tui.commands import PlanechoCommands

            provider = PlanechoCommands(app.screen)
            names = [name for name, _, _ in provider.commands()]
            for expected in ("open: 台州·新型城镇 ← 浙江", "filter: partial only", "export: pairs as XLSX",
                             "view: section map", "view: changed targets"):
                assert expected in names
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"filter: partial only")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PairScreen) and app.screen.filter.relation == "partial"

    run(go())


# ---------------------------------------------------------------------------
# layout and input


def test_narrow_terminal_keeps_child_and_parent_side_by_side_and_hides_section_columns():
    async def go():
        app = make_app(None, CITY, PROVINCE)
        async with app.run_test(size=NARROW) as pilot:
            await settle(pilot)
            screen = app.screen
            assert screen.has_class("-narrow")
            table = screen.query_one(FrameTable)
            assert [str(k.value) for k in table.columns] == ["child_text", "relation", "score", "parent_text"]
            child = screen.query_one("#child-text").region
            parent = screen.query_one("#parent-text").region
            assert parent.y == child.y and parent.x > child.x  # side by side: the parent is seen at once
            await pilot.resize_terminal(200, 50)
            await pilot.pause()
            assert screen.has_class("-huge")
            assert len(table.columns) == 6
            assert screen.query_one("#parent-text").region.y == screen.query_one("#child-text").region.y

    run(go())


def test_plan_text_is_never_read_as_markup(tmp_path):
    """A small corpus, not in the cache: computed in the worker; brackets stay text."""
    (tmp_path / "p.txt").write_text("一、目标\n\n全面实施[b]千年古城[/b]复兴计划【重点】，开展试点创建[1]。\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("一、目标\n\n我市全面实施[b]千年古城[/b]复兴计划【重点】，开展试点创建[1]。\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(
        '[[document]]\nid = "p"\ntitle = "省规划"\nlevel = "province"\nregion = "浙江省"\ndate = "2021-08"\n'
        'file = "p.txt"\nparents = []\n\n[[document]]\nid = "c"\ntitle = "市规划"\nlevel = "city"\nregion = "台州市"\n'
        'date = "2021-09"\nfile = "c.txt"\nparents = ["p"]\n', encoding="utf-8")

    async def go():
        app = make_app(tmp_path / "m.toml", "c", "p")
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PairScreen)
            table = screen.query_one(FrameTable)
            cells = [table.get_row_at(r)[0].plain for r in range(table.row_count)]
            assert any(c.startswith("我市全面实施[b]千年古城[/b]") for c in cells)
            table.select_index(table.frame.index[table.frame["child_text"].str.contains("【重点】")][0])
            await pilot.pause()
            shown = screen.query_one("#child-text", Static).content.plain
            assert "[b]千年古城[/b]复兴计划【重点】" in shown and "[1]" in shown

    run(go())


def test_bad_input_is_one_clear_message_not_a_traceback(tmp_path):
    with pytest.raises(ManifestError, match="manifest not found"):
        make_app(tmp_path / "missing.toml")
    with pytest.raises(InputError, match="not a document id"):
        make_app(None, "no-such-plan", CITY)


def test_cli_reports_a_missing_manifest_in_one_line(tmp_path, capsys):
    from compare.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["tui", "--manifest", str(tmp_path / "missing.toml")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("planecho: error:") and "manifest not found" in err[0]


def test_a_plan_that_fails_to_read_is_reported_in_the_ui(tmp_path):
    import shutil

    from align.reading.corpus import default_manifest_path

    src = default_manifest_path().parent
    for p in src.glob("*.txt"):
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / "broken.txt").write_text("hello world\n", encoding="utf-8")
    text = (src / "manifest.toml").read_text(encoding="utf-8").replace('file = "luqiao-14fyp-outline.txt"',
                                                                       'file = "broken.txt"')
    (tmp_path / "manifest.toml").write_text(text, encoding="utf-8")

    async def go():
        app = make_app(tmp_path / "manifest.toml")
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            errors = app.screen.query_one("#errors", Static)
            assert errors.display and "broken.txt" in errors.content.plain
            assert any(n.severity == "error" for n in app._notifications)
            labels = [n.label.plain for n in app.screen.nodes["luqiao-14fyp-outline"]]
            assert all("failed" in label for label in labels)

    run(go())


def test_a_self_citation_is_marked_in_the_pair_view_and_its_detail(workspace):
    from compare.selfcite import alignment_table
    from tui.screens.pair import SELF_MARK, relation_cell

    table = alignment_table(workspace.alignment(CITY, COUNTY))
    cited = table[table.self_citation != ""].iloc[0]

    async def go():
        app = make_app(None, COUNTY, CITY)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert screen.select_unit(cited["child_id"], cited["parent_id"] or None)
            await pilot.pause()
            row = screen.query_one(FrameTable).current_record()
            assert row["self_citation"] == cited["self_citation"]
            assert SELF_MARK in relation_cell(row["relation"], row).plain
            head = screen.query_one("#detail-head", Static).content.plain
            assert "self-citation" in head and "not counted" in head
            plain = table[table.self_citation == ""].iloc[0]
            assert screen.select_unit(plain["child_id"], plain["parent_id"] or None)
            await pilot.pause()
            assert "self-citation" not in screen.query_one("#detail-head", Static).content.plain

    run(go())


def test_export_names_of_two_pairs_never_collide():
    """Ids holding ``__`` are escaped as in ``planecho run``'s file names."""
    names = {Pair("c", "a__b").name, Pair("b__c", "a").name, Pair("b", "a").name}
    assert len(names) == 3 and Pair("b", "a").name == "a__b"
