"""Formatting engine results as rich Text for the widgets.

Every piece of plan text becomes a :class:`rich.text.Text` built from the
plain string (never parsed as markup: 【…】 and [1] stay text), styled from
the positions the engine recorded (shared phrases, diff operations, changed
numbers).  Nothing here measures or decides anything about the texts.
"""
from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.text import Text

RELATION_STYLE = {"verbatim": "bold green", "adapted": "green", "partial": "yellow", "local": "dim"}

STYLES = {
    "phrase": Style(bgcolor="#1d4a57"),  # shared wording
    "programme": Style(bgcolor="#4a4a12", bold=True),  # shared programme name
    "inserted": Style(color="#7ee787", underline=True),  # only in the child
    "deleted": Style(color="#ff7b72", strike=True),  # only in the parent
    "replaced": Style(color="#e3b341", underline=True),  # reworded (both sides)
    "number": Style(color="#ffffff", bgcolor="#8a2be2", bold=True),  # a changed number
    "target": Style(reverse=True, bold=True),  # the unit a view jumped to
}

UNIT_STYLE = {  # units in the document view, by relation of their strongest link
    "verbatim": Style(bgcolor="#1e4620"),
    "adapted": Style(bgcolor="#2a3d1c"),
    "partial": Style(bgcolor="#4a3f12"),
    "carried": Style(bgcolor="#1e4620"),  # a parent unit some child unit links to
    "dropped": Style(color="#c08080"),  # a parent unit no child unit links to
}


def plain(value: object) -> Text:
    """Any cell value as literal text (no markup)."""
    if value is None:
        return Text("")
    try:
        import pandas as pd

        if value is pd.NA or (isinstance(value, float) and value != value):
            return Text("")
    except ImportError:  # pragma: no cover
        pass
    return Text(str(value))


def cell(value: object, width: int | None = None, style: str | Style = "") -> Text:
    """One table cell: literal text on one line, cut with … to ``width`` cells."""
    text = plain(value)
    text.plain = text.plain.replace("\n", " ")
    if style:
        text.stylize(style)
    if width is not None and text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    text.no_wrap = True
    return text


def relation(rel: str) -> Text:
    return Text(rel, style=RELATION_STYLE.get(rel, ""))


def pct(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:.1%}"


def score(value: float | None) -> str:
    if value is None or value != value:
        return ""
    return f"{value:.2f}"


def shade(value: float, vmax: float) -> Style:
    """Background for a section-map cell: darker blue for less, bright for more."""
    if value <= 0:
        return Style(color="grey42")
    t = min(1.0, value / vmax) if vmax > 0 else 0.0
    lo, hi = (0x12, 0x2b, 0x45), (0x3d, 0x8b, 0xe0)
    r, g, b = (round(a + (c - a) * (0.15 + 0.85 * t)) for a, c in zip(lo, hi))
    return Style(bgcolor=f"#{r:02x}{g:02x}{b:02x}", color="#ffffff" if t > 0.35 else "#d0d8e0", bold=t > 0.6)


def _find(text: str, needle: str) -> tuple[int, int] | None:
    k = text.find(needle) if needle else -1
    return (k, k + len(needle)) if k >= 0 else None


def link_texts(link) -> tuple[Text, Text, list[str]]:
    """The child and parent wording of a link with the engine's evidence marked,
    and the changed numbers described (``NumberChange.describe``)."""
    child = Text(link.child.text)
    parent = Text(link.parent.text) if link.parent is not None else Text("")
    notes: list[str] = []
    ev = link.evidence
    if ev is None or link.parent is None:
        return child, parent, notes
    for ph in ev.phrases:
        style = STYLES["programme" if ph.programme else "phrase"]
        child.stylize(style, ph.child_start, ph.child_end)
        parent.stylize(style, ph.parent_start, ph.parent_end)
    for op in ev.diff:
        if op.op == "insert":
            child.stylize(STYLES["inserted"], op.child_start, op.child_end)
        elif op.op == "delete":
            parent.stylize(STYLES["deleted"], op.parent_start, op.parent_end)
        elif op.op == "replace":
            child.stylize(STYLES["replaced"], op.child_start, op.child_end)
            parent.stylize(STYLES["replaced"] + Style(strike=True, underline=False), op.parent_start, op.parent_end)
    for n in ev.numbers:
        notes.append(n.describe())
        # NumberChange carries the numbers as written but not their positions: mark the first occurrence
        span = _find(link.child.text, n.child_text)
        if span:
            child.stylize(STYLES["number"], *span)
        span = _find(link.parent.text, n.parent_text)
        if span:
            parent.stylize(STYLES["number"], *span)
    return child, parent, notes


def legend(keys: Iterable[str] = ("phrase", "programme", "inserted", "deleted", "replaced", "number")) -> Text:
    names = {"phrase": "shared wording", "programme": "programme name", "inserted": "added in child",
             "deleted": "only in parent", "replaced": "reworded", "number": "changed number",
             "verbatim": "verbatim", "adapted": "adapted", "partial": "partial", "carried": "carried down",
             "dropped": "dropped", "target": "selected unit"}
    out = Text()
    for k in keys:
        style = STYLES.get(k) or UNIT_STYLE.get(k)
        if out:
            out.append("  ")
        out.append(names[k], style=style)
    return out
