"""Section map: parent chapters × child chapters.

Cell (p, c) = Σ len(u)·w(rel) over counted child units u of chapter c whose
strongest link goes to a parent unit of chapter p, divided by the characters
of chapter c (weights as in :mod:`compare.score`).  So each child chapter's
column sums to that chapter's echo, and the cell says where in the parent the
echoed text comes from.

The heatmap is drawn with matplotlib in a CJK-capable font: an installed one
(Noto/Source Han/WenQuanYi/SimHei… found through matplotlib's font manager)
or, if none is installed, the bundled WenQuanYi Micro Hei subset, so Chinese
chapter titles never render as empty boxes.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from align.decisions.result import Alignment

from .score import WEIGHTS, chapter_label, counted

if TYPE_CHECKING:
    import pandas as pd

BUNDLED_FONT = Path(__file__).parent / "data" / "wqy-microhei-gb2312.ttf"
PROBE = "浙江省新型城镇化发展规划高质量推动农业转移人口全面融入城市"
FRONT = "(前言)"


def section_map(a: Alignment) -> "pd.DataFrame":
    """The matrix as a DataFrame: rows = parent chapters, columns = child chapters (document order)."""
    import pandas as pd

    counts = counted(a)
    best = counts.best
    pchapters = list(dict.fromkeys(chapter_label(u) or FRONT for u in a.parent_units))
    cchapters = list(dict.fromkeys(chapter_label(u) or FRONT for u in counts.child))
    total = {c: 0 for c in cchapters}
    cell = {(p, c): 0.0 for p in pchapters for c in cchapters}
    for u in counts.child:
        c = chapter_label(u) or FRONT
        total[c] += len(u.text)
        l = best.get(u.unit_id)
        if l is not None and l.parent is not None and l.relation != "local":
            cell[(chapter_label(l.parent) or FRONT, c)] += len(u.text) * WEIGHTS[l.relation]
    data = [[round(cell[(p, c)] / total[c], 4) if total[c] else 0.0 for c in cchapters] for p in pchapters]
    df = pd.DataFrame(data, index=pd.Index(pchapters, name="parent_chapter"), columns=cchapters)
    df.attrs.update(parent_doc=a.parent_doc, child_doc=a.child_doc)
    return df


def section_map_long(a: Alignment) -> "pd.DataFrame":
    """The same matrix as rows (for CSV/Parquet/JSONL exports)."""
    wide = section_map(a)
    long = wide.reset_index().melt(id_vars="parent_chapter", var_name="child_chapter", value_name="share")
    long.insert(0, "parent_doc", a.parent_doc)
    long.insert(0, "child_doc", a.child_doc)
    return long


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Path of a font that renders Chinese: installed if any, else bundled."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    preferred = ("Noto Sans CJK", "Noto Sans SC", "Source Han Sans", "WenQuanYi", "SimHei", "Microsoft YaHei",
                 "PingFang", "Heiti", "Droid Sans Fallback", "AR PL")
    candidates = []
    for path in font_manager.findSystemFonts():
        name = os.path.basename(path)
        try:
            family = font_manager.FontProperties(fname=path).get_name()
        except Exception:
            continue
        rank = next((i for i, p in enumerate(preferred) if p.lower() in (family + name).lower()), None)
        if rank is not None:
            candidates.append((rank, path))
    for _, path in sorted(candidates):
        try:
            font = FT2Font(path)
            if all(font.get_char_index(ord(ch)) for ch in PROBE):
                return path
        except Exception:
            continue
    return str(BUNDLED_FONT)


_REGISTERED: set[str] = set()


def _register(font_path: str) -> None:
    from matplotlib import font_manager

    if font_path not in _REGISTERED:
        font_manager.fontManager.addfont(font_path)
        _REGISTERED.add(font_path)


SCALE_LABEL = "share of the child chapter 子规划章节占比 (0-100 %)"


def _wrap(title: str, width: int = 14) -> str:
    """The whole title in lines of at most ``width`` characters (never cut short)."""
    return "\n".join(title[i : i + width] for i in range(0, len(title), width)) or title


def heatmap_png(a: Alignment, path: str | os.PathLike, *, titles: tuple[str, str] | None = None) -> Path:
    """Draw the section map as a PNG (written atomically)."""
    from .export import atomic_path

    png = heatmap_png_bytes(a, titles=titles)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(png)
    return path


def heatmap_png_bytes(a: Alignment, *, titles: tuple[str, str] | None = None) -> bytes:
    """The section map drawn as a PNG image, as bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    df = section_map(a)
    font_path = cjk_font()
    _register(font_path)
    prop = font_manager.FontProperties(fname=font_path)
    rows, cols = df.shape
    ylabels = [_wrap(r, 20) for r in df.index]
    xlabels = [_wrap(c, 10) for c in df.columns]
    # margins from label sizes (7 pt CJK ≈ 0.1 in per character, 0.11 in per line), no tight_layout pass;
    # rows and columns grow with the lines of their (whole, wrapped) labels
    left = 0.5 + 0.1 * max((max(map(len, l.split("\n"))) for l in ylabels), default=4)
    bottom = 0.7 + 0.1 * max((max(map(len, l.split("\n"))) for l in xlabels), default=4)
    row_h = max(0.42, 0.12 * max((l.count("\n") + 1 for l in ylabels), default=1) + 0.08)
    col_w = max(0.6, 0.12 * max((l.count("\n") + 1 for l in xlabels), default=1) + 0.1)
    width, height = left + col_w * max(cols, 4) + 1.6, bottom + row_h * max(rows, 4) + 0.6
    # unhinted glyphs: a tenth faster to draw for CJK labels, and as legible at this size
    with plt.rc_context({"text.hinting": "no_hinting"}):
        return _draw(df, prop, ylabels, xlabels, left, bottom, width, height, titles or (a.child_doc, a.parent_doc))


def _draw(df, prop, ylabels, xlabels, left, bottom, width, height, titles) -> bytes:
    """The figure of :func:`heatmap_png_bytes`, with its layout computed (sizes in inches)."""
    import io

    import matplotlib.pyplot as plt

    rows, cols = df.shape
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    fig.subplots_adjust(left=left / width, bottom=bottom / height, right=1 - 1.4 / width, top=1 - 0.45 / height)
    # one fixed scale for every figure, so figures compare: 0–100 % of the child chapter
    im = ax.imshow(df.values, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(cols), xlabels, fontproperties=prop, fontsize=7, rotation=90)
    ax.set_yticks(range(rows), ylabels, fontproperties=prop, fontsize=7)
    for i in range(rows):
        for j in range(cols):
            v = df.values[i, j]
            if v >= 0.01:
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=6,
                        color="white" if v > 0.5 else "black")
    child_t, parent_t = titles
    # axis labels and title at fixed places in the margins computed above: matplotlib
    # would otherwise measure every tick label again to place them (a third of the time)
    ax_w, ax_h = width - left - 1.4, height - bottom - 0.45
    ax.set_xlabel(f"子规划章节 child chapters — {child_t}", fontproperties=prop, fontsize=8)
    ax.xaxis.set_label_coords(0.5, (0.2 - bottom) / ax_h)
    ax.set_ylabel("上级规划章节 parent chapters", fontproperties=prop, fontsize=8)
    ax.yaxis.set_label_coords((0.2 - left) / ax_w, 0.5)
    # the parent's (often long) title goes on top, where the figure is widest
    ax.set_title(f"章节对应 section map — 上级规划 parent: {parent_t}",
                 fontproperties=prop, fontsize=9, y=1.0, pad=8)
    from matplotlib.ticker import PercentFormatter

    cax = fig.add_axes([1 - 1.25 / width, bottom / height, 0.15 / width, 1 - (bottom + 0.45) / height])
    bar = fig.colorbar(im, cax=cax, ticks=[0, 0.25, 0.5, 0.75, 1.0], format=PercentFormatter(1.0, decimals=0))
    bar.ax.tick_params(labelsize=7)
    bar.set_label(SCALE_LABEL, fontproperties=prop, fontsize=7)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    return buf.getvalue()
