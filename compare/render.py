"""Readable terminal views for the CLI (rich), kept apart from the commands."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from align.reading.clean import REASONS
from align.reading.document import Document

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
        table = Table(title=Text(f"{doc.doc_id}: {len(removals)} removed spans"), show_lines=False)
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
        for a in doc.annotations:
            where = f", measure of paragraph {a.paragraph}" if a.paragraph >= 0 else ""
            console.print(Text(f"annotation {a.annotation_id} ({a.kind}{where}): {_visible(a.value)} "
                               f"— offsets {a.start}–{a.end}", style="dim"))


RELATION_STYLE = {"verbatim": "bold green", "adapted": "green", "partial": "yellow", "local": "dim"}


def render_alignment(a, console: Console, *, limit: int = 25) -> None:
    """A readable summary of one alignment: counts per relation (the units and
    links the scores count: body units, self-citations left out) and the strongest pairs."""
    from compare.score import RELATIONS, counted, pair_scores

    c = counted(a)
    s = pair_scores(a, c)
    n_child = len(c.child)
    carried = sum(1 for _, st, _ in c.parent if st == "carried")
    console.print(Text(f"{a.child_doc} ← {a.parent_doc}: echo {s['echo']:.1%}, coverage {s['coverage']:.1%}; "
                       f"{n_child} child body units, {carried}/{len(c.parent)} parent body units carried "
                       f"(headings and self-citations not counted)", style="bold"))
    summary = Table(show_header=True)
    summary.add_column("relation")
    summary.add_column("child units", justify="right")
    summary.add_column("share", justify="right")
    for rel in RELATIONS:
        n = s[rel]
        summary.add_row(Text(rel, style=RELATION_STYLE[rel]), str(n), f"{n / max(n_child, 1):.0%}")
    console.print(summary)
    links = a.links
    per = max(limit // 3, 1)
    linked = []
    for rel in ("verbatim", "adapted", "partial"):
        linked += sorted((l for l in links if l.relation == rel), key=lambda l: -l.score)[:per]
    if not linked:
        return
    table = Table(title=f"strongest links per relation, {len(linked)} shown (use -o FILE for all)", show_lines=True,
                  expand=True)
    table.add_column("child", overflow="fold", ratio=3)
    table.add_column("relation", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("parent", overflow="fold", ratio=3)
    table.add_column("evidence", overflow="fold", ratio=2)
    for l in linked:
        ev = evidence_lines(l)
        note = "\nself-citation" if l.child.unit_id in c.child_preamble or (
            l.parent is not None and l.parent.unit_id in c.parent_preamble) else ""
        table.add_row(Text(l.child.text), Text(l.relation + note, style=RELATION_STYLE[l.relation]), f"{l.score:.2f}",
                      Text(l.parent.text if l.parent else ""), Text("\n".join(ev)))
    console.print(table)


def evidence_lines(link, max_items: int = 4) -> list[str]:
    """Short evidence of a link: edits for verbatim pairs, shared phrases for
    the others, and changed numbers."""
    ev = link.evidence
    if ev is None:
        return []
    out = []
    if link.relation == "verbatim":
        edits = []
        for op in ev.diff[:max_items]:
            if op.op == "replace":
                edits.append(f"{op.parent_text}→{op.child_text}")
            elif op.op == "insert":
                edits.append(f"+{op.child_text}")
            else:
                edits.append(f"−{op.parent_text}")
        out.append("edits: " + ("; ".join(edits) if edits else "none"))
    else:
        phrases = list(dict.fromkeys(ev.phrase_texts()))[:max_items]
        if phrases:
            out.append("shared: " + " | ".join(phrases))
    out.extend(n.describe() for n in ev.numbers)
    return out


def _figure(value: float | None, fmt: str = ".2f") -> str:
    """A rate as shown by ``planecho eval``: "—" where it is undefined (nothing to divide by)."""
    return "—" if value is None else format(value, fmt)


def render_eval(result, console: Console, *, show_errors: bool = True, source: str = "") -> None:
    """Precision, recall, F1, partial recall, the relation confusion and the errors."""
    from align.decisions.evaluate import KIND_TO_RELATION

    c = result.counts()
    console.print(Text(f"{result.child_doc} ← {result.parent_doc}  ({source}, {c['items']} items)", style="bold"))
    t = Table(show_header=True)
    for col in ("precision", "recall", "F1", "false links on none", "partial found", "partial as partial",
                "relation agreement"):
        t.add_column(col, justify="right")
    t.add_row(_figure(c["precision"]), _figure(c["recall"]), _figure(c["f1"]),
              f"{_figure(c['false_link_rate'], '.1%')} of {c['none_items']}",
              f"{_figure(c['partial_recall'])} of {c['partial_items']}",
              _figure(c["partial_as_partial"]), f"{_figure(c['relation_agreement'])} of {c['linked_items']}")
    console.print(t)
    conf = result.confusion()
    m = Table(title="gold kind × predicted relation", show_header=True)
    m.add_column("gold \\ predicted")
    rels = ("verbatim", "adapted", "partial", "local")
    for r in rels:
        m.add_column(r, justify="right")
    for kind in ("verbatim", "paraphrase", "partial", "none"):
        m.add_row(kind, *(str(conf.get((kind, r), 0)) for r in rels))
    console.print(m)
    if not show_errors:
        return
    errs = result.errors()
    if not errs:
        console.print(Text("no errors", style="green"))
        return
    e = Table(title=f"{len(errs)} errors", show_lines=True, expand=True)
    e.add_column("item / gold → ours", overflow="fold", ratio=2)
    e.add_column("child", overflow="fold", ratio=4)
    e.add_column("gold parent", overflow="fold", ratio=4)
    e.add_column("our parent", overflow="fold", ratio=4)
    for r in errs:
        ours = max(r.links, key=lambda l: l.score) if r.links else None
        e.add_row(Text(f"{r.item.id}\n{r.item.kind} → {r.predicted if r.linked else 'local'}"
                       + ("" if r.correct or not r.linked else " (wrong passage)")),
                  Text(r.item.child), Text(r.item.parent or "—"), Text(getattr(ours, "parent_text", "") or "—"))
    console.print(e)


def render_run_summary(results, console: Console) -> None:
    """Echo and coverage per pair, with counts of dropped / added / changed targets."""
    s = results.tables["scores"]
    changed = results.tables["changed_targets"]
    from rich import box

    t = Table(title="each plan against its ancestors", caption="targets = changed targets · full table: summary.csv",
              box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True)
    cut = 17 if console.is_terminal else None  # piped or redirected: ids whole
    t.add_column("child", no_wrap=True, overflow="ellipsis", max_width=cut)
    t.add_column("parent", no_wrap=True, overflow="ellipsis", max_width=cut)
    for col in ("echo", "coverage", "dropped", "added", "targets"):
        t.add_column(col, justify="right", no_wrap=True)
    for r in s.to_dict("records"):
        n_changed = 0
        if not changed.empty:
            n_changed = int(((changed.child_doc == r["child_doc"]) & (changed.parent_doc == r["parent_doc"])).sum())
        t.add_row(Text(r["child_doc"]), Text(r["parent_doc"]), f"{r['echo']:.1%}", f"{r['coverage']:.1%}",
                  str(r["dropped"]), str(r["local"]), str(n_changed))
    console.print(t)
    problems = getattr(results, "problems", [])
    if problems:
        p = Table(title=f"left out of this run: {len(problems)} (tables/problems.csv)", box=box.SIMPLE_HEAD,
                  pad_edge=False, padding=(0, 1), collapse_padding=True)
        for col in ("doc", "step", "file", "problem"):
            p.add_column(col, overflow="fold")
        for r in problems:
            p.add_row(Text(r["doc"]), r["step"], Text(r["file"]), Text(r["problem"]))
        console.print(p)


def render_trace(phrase: str, df, console: Console) -> None:
    if df.empty:
        console.print(Text(f"“{phrase}” occurs nowhere in the corpus (nor any close variant).", style="yellow"))
        return
    # policy text is never markup: a phrase like 推进[/]新型城镇化 is shown as typed
    t = Table(title=Text(f"“{phrase}” across the hierarchy: {len(df)} occurrences"), show_lines=False, expand=True)
    t.add_column("level", no_wrap=True)
    t.add_column("document", overflow="fold", ratio=2)
    t.add_column("match", no_wrap=True)
    t.add_column("section", overflow="fold", ratio=3)
    t.add_column("context", overflow="fold", ratio=5)
    for r in df.to_dict("records"):
        style = "green" if r["match"] == "exact" else "yellow"
        match = r["match"] if r["match"] == "exact" else f"variant {r['matched']}"
        t.add_row(Text(r["level"]), Text(r["doc"]), Text(match, style=style),
                  Text(r["section"]), Text(r["context"]))
    console.print(t)


def render_phrases(df, console: Console) -> None:
    wide = df.pivot_table(index=["phrase", "kind", "weight", "parent_units"], columns="child_doc",
                          values="status", aggfunc="first").reset_index()
    forms = df.pivot_table(index="phrase", columns="child_doc", values="child_form", aggfunc="first")
    children = [c for c in dict.fromkeys(df.child_doc)]
    t = Table(title=Text(f"distinctive phrases of {df.parent_doc.iloc[0]} and what the children do with them"),
              expand=True)
    t.add_column("phrase", overflow="fold")
    t.add_column("kind", no_wrap=True)
    t.add_column("units", justify="right")
    for c in children:
        t.add_column(Text(c), overflow="fold")
    style = {"carried": "green", "altered": "yellow", "absent": "dim"}
    order = {p: k for k, p in enumerate(dict.fromkeys(df.phrase))}
    for r in sorted(wide.to_dict("records"), key=lambda r: order[r["phrase"]]):
        cells = []
        for c in children:
            st = r.get(c, "")
            label = st if st != "altered" else f"altered → {forms.loc[r['phrase'], c]}"
            cells.append(Text(label, style=style.get(st, "")))
        t.add_row(Text(r["phrase"]), Text(r["kind"]), str(r["parent_units"]), *cells)
    console.print(t)
