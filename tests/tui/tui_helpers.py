"""Helpers of the TUI tests (pilot runs without pytest-asyncio)."""
from __future__ import annotations

import asyncio

from tui.screens.dialogs import ChoiceDialog
from tui.data import Pair
from tui.screens.pair import PairScreen

WIDE = (120, 36)
NARROW = (80, 24)
PROVINCE = "zhejiang-urbanization-14fyp"
CITY = "taizhou-urbanization-14fyp"
COUNTY = "linhai-14fyp-outline"


def run(coro):
    """Run a pilot coroutine."""
    return asyncio.run(coro)


async def settle(pilot) -> None:
    """Wait until every worker is done and the screen has caught up."""
    app = pilot.app
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    await pilot.pause()


def no_cursor_blink(pilot) -> None:
    from textual.widgets import Input

    for screen in pilot.app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False


async def move_to(pilot, doc_id: str, parent_id: str | None) -> None:
    """Press down in the hierarchy until the plan ``doc_id`` under ``parent_id`` is highlighted."""
    tree = pilot.app.screen.query_one("#hierarchy")
    for _ in range(tree.last_line + 2):
        node = tree.cursor_node
        if node is not None and node.data and node.data[:2] == (doc_id, parent_id):
            return
        await pilot.press("down")
    raise AssertionError(f"{doc_id} under {parent_id} is not in the tree")


async def open_pair(pilot, pair: Pair) -> PairScreen:
    await pilot.app.workers.wait_for_complete()
    await move_to(pilot, pair.child, pair.parent)
    await pilot.press("enter")
    await pilot.pause()
    if isinstance(pilot.app.screen, ChoiceDialog):  # several parents: the tree parent is preselected
        await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PairScreen)
    return pilot.app.screen


async def open_help(pilot) -> str:
    """Press ? and return the help screen's list of keys (as plain text)."""
    from textual.widgets import Static

    from tui.screens.help import HelpScreen

    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HelpScreen)
    return pilot.app.screen.query_one("#help-keys", Static).content.plain
