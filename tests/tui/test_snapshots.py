"""Snapshot tests of the main screens at a fixed size (pytest-textual-snapshot).

Each test drives the real app over the bundled corpus (results read from the
package's private cache, see conftest) and compares the screen, as an SVG,
with the one stored under ``__snapshots__/``.  After a deliberate change of
layout or of the engine's results, look at the new screens and update them::

    .venv/bin/pytest tests/tui/test_snapshots.py --snapshot-update

and write the versions used into ``snapshot_versions.txt``.  The SVGs hold
Textual's and Rich's exact rendering, which changes between their minor
releases; under other minor versions than those recorded the snapshots are
skipped with the reason shown (the pilot tests still check behaviour).
"""
from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from tui.app import make_app
from tui.data import Pair
from tui_helpers import CITY, COUNTY, NARROW, PROVINCE, WIDE, no_cursor_blink, open_pair, settle

LH_TZ = Pair(CITY, COUNTY)


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def _version_mismatch() -> str | None:
    recorded = dict(line.split() for line in (Path(__file__).parent / "snapshot_versions.txt").read_text().splitlines()
                    if line.strip())
    for package, version in recorded.items():
        installed = importlib.metadata.version(package)
        if _minor(installed) != _minor(version):
            return f"snapshots recorded with {package} {version}, {installed} installed"
    return None


pytestmark = pytest.mark.skipif(_version_mismatch() is not None, reason=str(_version_mismatch()))


async def _home(pilot) -> None:
    await settle(pilot)


def _in_pair(*keys: str):
    async def before(pilot) -> None:
        await settle(pilot)
        await open_pair(pilot, LH_TZ)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        no_cursor_blink(pilot)
        await pilot.pause()

    return before


def test_home_hierarchy(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_home)


def test_home_hierarchy_at_80x24(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=_home)


def test_pair_view_with_detail(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_in_pair())


def test_pair_view_filtered_to_partial_at_80x24(snap_compare) -> None:
    # r cycles the relation filter: all → linked → verbatim → adapted → partial
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=_in_pair("r", "r", "r", "r"))


def test_divergences_local_additions_tab(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_in_pair("d", "right_square_bracket"))


def test_section_map(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_in_pair("s"))


def test_phrase_lineage(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_in_pair("l"))


def test_help_screen(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_in_pair("question_mark"))


def test_pair_opened_from_the_command_line(snap_compare) -> None:
    """``planecho tui CHILD PARENT`` opens straight at the pair."""
    async def before(pilot) -> None:
        await settle(pilot)
        no_cursor_blink(pilot)

    assert snap_compare(make_app(None, CITY, PROVINCE), terminal_size=WIDE, run_before=before)


def test_pair_view_sorted_by_score_with_the_detail_enlarged(snap_compare) -> None:
    # 3 sorts by score from the table (again: descending, ▼ in the header), z enlarges the detail pane
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_in_pair("3", "3", "z"))


def test_mark_a_link_wrong_dialog(snap_compare) -> None:
    # the second row of Linhai ← Taizhou is a link; w asks for a note before saving
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_in_pair("down", "w"))


def test_derived_from_dialog_at_80x24(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=_in_pair("c"))
