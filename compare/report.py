"""A self-contained HTML report per parent→child pair.

Plan text is escaped (Jinja2 autoescaping; highlights are built from escaped
pieces), the section map is embedded as a PNG data URI, and the file is
written atomically.
"""
from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from align.decisions.match import SECTION_SEP, Link
from align.decisions.result import Alignment

from . import divergence
from .cache import package_version
from .score import chapter_scores, counted, pair_scores


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """``text`` with ``(start, end, css class)`` spans wrapped in <mark>/<span>, escaped."""
    spans = sorted((s, e, c) for s, e, c in spans if 0 <= s < e <= len(text))
    out, pos = [], 0
    for s, e, cls in spans:
        if s < pos:
            continue
        out.append(escape(text[pos:s]))
        tag = "span" if cls == "numchg" else "mark"
        out.append(Markup(f'<{tag} class="{cls}">') + escape(text[s:e]) + Markup(f"</{tag}>"))
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _groups(rows: list[dict], key: str) -> list[tuple[str, list[dict]]]:
    """Rows grouped by ``key`` in the order the groups first appear (document order:
    the tables list units as they come), not sorted by code point (一, 七, 三…)."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r[key], []).append(r)
    return list(groups.items())


def _pair_view(l: Link, preamble: tuple[frozenset, frozenset] = (frozenset(), frozenset())) -> dict:
    ev = l.evidence
    cspans, pspans = [], []
    numbers = []
    if ev is not None:
        for ph in ev.phrases:
            cls = "prog" if ph.programme else ""
            cspans.append((ph.child_start, ph.child_end, cls))
            pspans.append((ph.parent_start, ph.parent_end, cls))
        for n in ev.numbers:
            numbers.append(n.describe())
            k = l.child.text.find(n.child_text)
            if k >= 0:
                cspans.insert(0, (k, k + len(n.child_text), "numchg"))
            k = l.parent.text.find(n.parent_text)
            if k >= 0:
                pspans.insert(0, (k, k + len(n.parent_text), "numchg"))
    # number spans first so they win over overlapping phrase marks
    cspans = _non_overlapping(cspans)
    pspans = _non_overlapping(pspans)
    return {
        "child_section": SECTION_SEP.join(l.child.section), "parent_section": SECTION_SEP.join(l.parent.section),
        "child_html": highlight(l.child.text, cspans), "parent_html": highlight(l.parent.text, pspans),
        "relation": l.relation, "score": l.score, "numbers": numbers,
        "self_citation": l.child.unit_id in preamble[0] or l.parent.unit_id in preamble[1],
    }


def _non_overlapping(spans):
    taken: list[tuple[int, int]] = []
    out = []
    for s, e, c in spans:
        if all(e <= a or s >= b for a, b in taken):
            taken.append((s, e))
            out.append((s, e, c))
    return out


@lru_cache(maxsize=1)
def _template():
    """The report template, compiled once per process."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("report.html.j2")


def render_report(a: Alignment, parent_doc, child_doc, figure_png: bytes) -> str:
    counts = counted(a)
    chapters = chapter_scores(a, counts)
    marks = (counts.child_preamble, counts.parent_preamble)
    dropped = divergence.dropped(a).to_dict("records")
    additions = divergence.local_additions(a).to_dict("records")
    pairs = [_pair_view(l, marks) for l in a.links if l.parent is not None and l.relation != "local"]
    return _template().render(
        child=child_doc, parent=parent_doc, version=package_version(), settings=a.settings,
        digest=a.settings.digest(), scores=pair_scores(a, counts),
        child_chapters=[r for r in chapters if r["side"] == "child"],
        parent_chapters=[r for r in chapters if r["side"] == "parent"],
        figure=base64.b64encode(figure_png).decode("ascii"), pairs=pairs,
        changes=divergence.changed_targets(a).to_dict("records"),
        rebrands=divergence.rebrands(a).to_dict("records"),
        dropped=_groups(dropped, "parent_chapter"), n_dropped=len(dropped),
        additions=_groups(additions, "child_chapter"), n_additions=len(additions),
    )


def write_report(a: Alignment, parent_doc, child_doc, path: str | os.PathLike, figure_png: bytes | None = None) -> Path:
    """Write the report; ``figure_png`` is the section map if already drawn."""
    from .export import atomic_path
    from .sectionmap import heatmap_png_bytes

    if figure_png is None:
        figure_png = heatmap_png_bytes(a, titles=(child_doc.title, parent_doc.title))
    html = render_report(a, parent_doc, child_doc, figure_png)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
