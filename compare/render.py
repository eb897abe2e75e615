"""Readable terminal views for the CLI (rich), kept apart from the commands."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from align.clean import REASONS
from align.document import Document

WHITESPACE_REASONS = frozenset({"layout", "space", "linebreak"})


def _visible(s: str, limit: int = 90) -> str:
    s = s.replace("\n", "⏎").replace("\t", "⇥")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def render_clean(doc: Document, console: Console, *, show: str = "both", include_whitespace: bool = False) -> None:
    """The cleaning audit: cleaned text (headings marked) and removed spans."""
    if show in ("text", "both"):
        heading_at = {h.paragraph: h for h in doc.headings}
        for p, (s, e) in enumerate(doc.cleaned.paragraphs):
            para = doc.cleaned.text[s:e]
            h = heading_at.get(p)
            if h is None:
                console.print(Text(para))
                continue
            cut = len(h.text)
            marker = "#" * max(h.level, 1) + " " if h.level else "= "
            line = Text(marker, style="dim")
            line.append(para[:cut], style="bold")
            line.append(para[cut:])
            console.print(line)
    if show in ("removed", "both"):
        removals = [r for r in doc.removals if include_whitespace or r.reason not in WHITESPACE_REASONS]
        table = Table(title=f"{doc.doc_id}: {len(removals)} removed spans", show_lines=False)
        table.add_column("start", justify="right")
        table.add_column("end", justify="right")
        table.add_column("reason")
        table.add_column("removed text", overflow="fold")
        for r in removals:
            detail = f" {r.detail}" if r.detail else ""
            table.add_row(str(r.start), str(r.end), r.reason + detail, Text(_visible(doc.original[r.start : r.end])))
        console.print(table)
        counts = doc.cleaned.removed_counts()
        summary = Table(title="characters removed, by reason", show_header=True)
        summary.add_column("reason")
        summary.add_column("characters", justify="right")
        summary.add_column("meaning")
        for reason, meaning in REASONS.items():
            if counts.get(reason):
                summary.add_row(reason, str(counts[reason]), meaning)
        console.print(summary)
        for t in doc.tables:
            console.print(Text(f"table {t.table_id}: {t.caption or '(no caption)'} — {len(t.rows)} rows, offsets {t.start}–{t.end}", style="dim"))
