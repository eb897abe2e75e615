"""Tree and OptionList with j/k as well as the arrow keys."""
from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList, Tree


class KeyTree(Tree):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class KeyOptionList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
