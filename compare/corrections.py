"""A scholar's corrections of alignments, kept in a plain JSONL file and
re-applied to every alignment the comparison layer hands out.

One correction per line (``corpora/corrections.jsonl`` beside the manifest by
default)::

    {"child_doc": "linhai-14fyp-outline", "child_id": "s0042", "child_start": 5120, "child_end": 5163,
     "child_text": "…", "parent_doc": "taizhou-urbanization-14fyp", "parent_id": "s0101",
     "parent_start": 9000, "parent_end": 9051, "parent_text": "…", "relation": "none",
     "note": "same topic, different measure", "when": "2026-12-06T09:12:03+00:00", "who": "li"}

``relation`` is ``verbatim``, ``adapted`` or ``partial`` (the child unit derives
from that parent unit) or ``none`` (the link between them is wrong).  A later
line about the same (child unit, parent unit) replaces an earlier one.

Units are found again by document and text, then offsets — never by id alone,
so a correction survives a re-segmentation (sentences → clauses) or an edit
elsewhere in the file: the unit with the same text (nearest offset), else the
units lying inside the corrected span whose text is part of it, else the unit
that contains the corrected text.  A correction that matches no unit any more
is left out and reported in one warning line per pair.

The engine's result (and the cache) stay as computed: :func:`apply` returns a
corrected copy of an :class:`~align.decisions.result.Alignment`, which
:meth:`compare.workspace.Workspace.alignment` hands to every command and the
TUI.  The file is rewritten atomically (a temporary file, then
``os.replace``), so a crash while saving leaves the previous file whole.
"""
from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from align.errors import ExportError, InputError, json_lines

if TYPE_CHECKING:
    from align.decisions.match import Link
    from align.records import Unit
    from align.decisions.result import Alignment

log = logging.getLogger(__name__)

FILE_NAME = "corrections.jsonl"
DERIVED = ("verbatim", "adapted", "partial")
RELATIONS = DERIVED + ("none",)
#: a correction's relation → the gold kind of ``../shared/gold`` (``planecho eval --corrections``)
GOLD_KIND = {"verbatim": "verbatim", "adapted": "paraphrase", "partial": "partial", "none": "none"}
SCHOLAR_SCORE = 1.0  # the score of a link a scholar added: asserted, not measured


@dataclass(frozen=True, slots=True)
class Correction:
    child_doc: str
    child_id: str
    child_start: int
    child_end: int
    child_text: str
    parent_doc: str
    parent_id: str
    parent_start: int
    parent_end: int
    parent_text: str
    relation: str  # verbatim | adapted | partial | none (the link is wrong)
    note: str = ""
    when: str = ""
    who: str = ""
    line: int = 0  # line in the file it was read from (not written)

    @property
    def key(self) -> tuple:
        """What a later correction of the same link replaces."""
        return (self.child_doc, self.child_start, self.child_end, self.child_text,
                self.parent_doc, self.parent_start, self.parent_end, self.parent_text)

    def to_json(self) -> str:
        d = asdict(self)
        d.pop("line")
        return json.dumps(d, ensure_ascii=False)

    def describe(self) -> str:
        what = "link marked wrong" if self.relation == "none" else f"derived ({self.relation})"
        return f"{self.child_doc} {self.child_id} 「{_clip(self.child_text)}」 ← {self.parent_doc} " \
               f"{self.parent_id} 「{_clip(self.parent_text)}」: {what}"


def _clip(text: str, n: int = 14) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def default_path(manifest_path: str | os.PathLike) -> Path:
    """``corrections.jsonl`` in the folder of the manifest."""
    return Path(manifest_path).parent / FILE_NAME


def make(child: "Unit", parent: "Unit", relation: str, note: str = "", *, who: str | None = None,
         when: datetime | None = None) -> Correction:
    """A correction of the link ``child`` → ``parent`` (``relation`` ``none``: the link is wrong).

    >>> from align.reading.document import document_from_text
    >>> c = document_from_text("推进未来社区建设。", "c").units("sentence")[0]
    >>> p = document_from_text("全面推进未来社区建设。", "p").units("sentence")[0]
    >>> make(c, p, "adapted", "same measure", who="li").relation
    'adapted'
    """
    if relation not in RELATIONS:
        raise ValueError(f"relation {relation!r}: expected one of {', '.join(RELATIONS)}")
    stamp = (when or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    return Correction(child.doc_id, child.unit_id, child.start, child.end, child.text,
                      parent.doc_id, parent.unit_id, parent.start, parent.end, parent.text,
                      relation, note.strip(), stamp, current_user() if who is None else who)


def current_user() -> str:
    """``$PLANECHO_USER``, else the login name, else empty."""
    env = os.environ.get("PLANECHO_USER")
    if env:
        return env
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        return ""


# ---------------------------------------------------------------------------
# the file

_FIELDS = {f.name: f.type for f in fields(Correction) if f.name != "line"}
_INT_FIELDS = ("child_start", "child_end", "parent_start", "parent_end")
_REQUIRED = ("child_doc", "child_start", "child_end", "child_text", "parent_doc", "parent_start", "parent_end",
             "parent_text", "relation")


def read(path: str | os.PathLike) -> list[Correction]:
    """Every correction of a file, later lines replacing earlier ones about the
    same link; a missing file has none.  A bad line is an :class:`InputError`
    naming the file and the line."""
    p = Path(path)
    if not p.exists():
        return []
    if not p.is_file():
        raise InputError("is not a file (expected a corrections .jsonl file)", path=p)
    found: dict[tuple, Correction] = {}
    for n, d in json_lines(p, "a corrections .jsonl file", "a correction"):
        try:
            missing = [k for k in _REQUIRED if k not in d]
            if missing:
                raise ValueError(f"missing field {', '.join(missing)}")
            if d["relation"] not in RELATIONS:
                raise ValueError(f"unknown relation {d['relation']!r} (expected one of {', '.join(RELATIONS)})")
            for k in _INT_FIELDS:
                if not isinstance(d[k], int) or isinstance(d[k], bool) or d[k] < 0:
                    raise ValueError(f"{k} is not a character offset")
            values = {k: d.get(k, "") for k in _FIELDS}
            for k, v in values.items():
                if k not in _INT_FIELDS and not isinstance(v, str):
                    values[k] = "" if v is None else str(v)
            c = Correction(**values, line=n)
        except (ValueError, TypeError) as e:
            raise InputError(f"line {n}: not a correction ({e})", path=p) from None
        found.pop(c.key, None)
        found[c.key] = c
    return list(found.values())


def write(path: str | os.PathLike, corrections: Iterable[Correction]) -> Path:
    """Write the whole file atomically: a temporary file beside it, flushed to
    disk, then renamed over it (a crash leaves the old file or the new one,
    never a half-written one)."""
    p = Path(path)
    body = "".join(c.to_json() + "\n" for c in corrections)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent)
    except OSError as e:
        raise ExportError(f"cannot write the corrections: {e.strerror or e}", path=p) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write the corrections: {e.strerror or e}", path=p) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def add(path: str | os.PathLike, correction: Correction) -> list[Correction]:
    """Add (or replace) one correction in the file; returns them all."""
    kept = [c for c in read(path) if c.key != correction.key]
    kept.append(correction)
    write(path, kept)
    return kept


def remove(path: str | os.PathLike, child: "Unit", parent_doc: str) -> list[Correction]:
    """Drop every correction of a child unit against ``parent_doc``; returns what is left."""
    mine = read(path)
    kept = [c for c in mine if not (c.parent_doc == parent_doc and c.child_doc == child.doc_id and _concerns(child, c))]
    if len(kept) != len(mine):
        write(path, kept)
    return kept


# ---------------------------------------------------------------------------
# finding the units again

_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def _concerns(u: "Unit", c: Correction) -> bool:
    """Whether a correction applies to a unit (the same text, a part of it, or a unit holding it)."""
    unit, text = _squash(u.text), _squash(c.child_text)
    if not unit or not text:
        return False
    return unit == text or text in unit or (c.child_start <= u.start and u.end <= c.child_end and unit in text)


def find_units(units: Sequence["Unit"], start: int, end: int, text: str) -> list["Unit"]:
    """The units of the current segmentation that a corrected span stands for.

    >>> from align.reading.document import document_from_text
    >>> d = document_from_text("推进未来社区建设，打造共同富裕现代化基本单元。", "d")
    >>> s = d.units("sentence")[0]
    >>> [u.text for u in find_units(d.units("clause"), s.start, s.end, s.text)]
    ['推进未来社区建设，', '打造共同富裕现代化基本单元。']
    """
    want = _squash(text)
    if not want:
        return []
    same = [u for u in units if _squash(u.text) == want]
    if same:  # the same text (an edit elsewhere may have moved it)
        return [min(same, key=lambda u: (abs(u.start - start), u.start))]
    inside = [u for u in units if u.start >= start and u.end <= end and u.end > u.start
              and _squash(u.text) and _squash(u.text) in want]
    if inside and sum(len(_squash(u.text)) for u in inside) >= 0.5 * len(want):
        return inside  # finer segmentation
    around = [u for u in units if want in _squash(u.text)]
    if around:  # coarser segmentation
        return [min(around, key=lambda u: (abs(u.start - start), len(u.text)))]
    return []


# ---------------------------------------------------------------------------
# applying them


@dataclass
class Applied:
    alignment: "Alignment"
    used: list[Correction]
    unmatched: list[Correction]


def for_pair(corrections: Iterable[Correction], parent_doc: str, child_doc: str) -> list[Correction]:
    return [c for c in corrections if c.parent_doc == parent_doc and c.child_doc == child_doc]


def apply(alignment: "Alignment", corrections: Iterable[Correction]) -> Applied:
    """A copy of ``alignment`` with the corrections of its pair applied.

    * ``none``: the links between the matched child and parent units are
      removed; the child's remaining rows (a ``local`` row when none is left)
      are marked ``removed``;
    * a relation: the link gets that relation (``confirmed`` when the engine
      had found it so, ``changed`` when it had another relation), or is added
      with score 1.0 (``added``), replacing the child's ``local`` row.

    The engine's own result is not changed.
    """
    from align.decisions.match import Link

    mine = for_pair(corrections, alignment.parent_doc, alignment.child_doc)
    if not mine:
        return Applied(alignment, [], [])
    used, unmatched = [], []
    wrong: dict[str, dict[str, Correction]] = {}  # child id → parent id → correction
    derived: dict[str, dict[str, Correction]] = {}
    child_by_id = {u.unit_id: u for u in alignment.child_units}
    parent_by_id = {u.unit_id: u for u in alignment.parent_units}
    for c in sorted(mine, key=lambda c: c.when):
        kids = find_units(alignment.child_units, c.child_start, c.child_end, c.child_text)
        parents = find_units(alignment.parent_units, c.parent_start, c.parent_end, c.parent_text)
        if not kids or not parents:
            unmatched.append(c)
            continue
        used.append(c)
        for k in kids:
            for p in parents:
                wrong.get(k.unit_id, {}).pop(p.unit_id, None)  # a later correction of a link wins
                derived.get(k.unit_id, {}).pop(p.unit_id, None)
                (wrong if c.relation == "none" else derived).setdefault(k.unit_id, {})[p.unit_id] = c
    links: list[Link] = []
    by_child: dict[str, list[Link]] = {}
    order: list[str] = []
    for link in alignment.links:
        cid = link.child.unit_id
        if cid not in by_child:
            by_child[cid] = []
            order.append(cid)
        by_child[cid].append(link)
    for cid in order:
        rows = by_child[cid]
        bad, good = wrong.get(cid, {}), dict(derived.get(cid, {}))
        out: list[Link] = []
        removed = []
        for link in rows:
            pid = link.parent.unit_id if link.parent is not None else None
            if pid in bad:
                removed.append((pid, bad[pid]))
                continue
            if pid in good:
                c = good.pop(pid)
                how = "confirmed" if link.relation == c.relation else "changed"
                note = c.note if how == "confirmed" else _join(f"engine: {link.relation}", c.note)
                out.append(replace(link, relation=c.relation, corrected=how, note=note))
                continue
            if link.parent is None and good:
                continue  # the scholar's links replace the local row
            out.append(link)
        for pid, c in good.items():
            out.append(Link(child_by_id[cid], parent_by_id[pid], c.relation, SCHOLAR_SCORE,
                            corrected="added", note=c.note))
        if removed:
            note = _join(*(f"removed {pid}" + (f": {c.note}" if c.note else "") for pid, c in removed))
            if not out:
                out.append(Link(child_by_id[cid], None, "local", 0.0))
            out = [l if l.corrected else replace(l, corrected="removed", note=note) for l in out]
        links.extend(out)
    return Applied(replace(alignment, links=links), used, unmatched)


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def warning(path: str | os.PathLike, parent_doc: str, child_doc: str, unmatched: Sequence[Correction]) -> str:
    """The one line that reports corrections matching no unit any more."""
    n = len(unmatched)
    first = unmatched[0]
    return (f"{path}: {n} correction{'s' if n != 1 else ''} of {child_doc} ← {parent_doc} no longer "
            f"match{'es' if n == 1 else ''} any unit and {'is' if n == 1 else 'are'} left out "
            f"(line {first.line}: 「{_clip(first.child_text, 20)}」)")


# ---------------------------------------------------------------------------
# as evaluation labels


def gold_items(corrections: Iterable[Correction], documents) -> tuple[list, list[Correction]]:
    """The corrections as gold items of :mod:`align.decisions.evaluate` (a scholar's
    corrections become the evaluation set), and those that match no unit.

    ``documents`` maps a doc id to its :class:`~align.reading.document.Document`.  A
    child unit with a derived correction is a positive item (``adapted`` →
    ``paraphrase``) with that parent passage; a unit whose only corrections
    say a link is wrong is a ``none`` item: no source in that parent.  The
    texts are taken from the current documents' original text, so the
    evaluation's locator finds them.
    """
    from align.decisions.evaluate import GoldItem

    items, unmatched = [], []
    per_child: dict[tuple, list[tuple[Correction, list, list]]] = {}
    for c in corrections:
        child, parent = documents[c.child_doc], documents[c.parent_doc]
        kids = find_units(child.alignable("sentence") + child.alignable("clause"), c.child_start, c.child_end,
                          c.child_text)
        parents = find_units(parent.alignable("sentence") + parent.alignable("clause"), c.parent_start,
                             c.parent_end, c.parent_text)
        if not kids or not parents:
            unmatched.append(c)
            continue
        span = (min(u.start for u in kids), max(u.end for u in kids))
        per_child.setdefault((c.child_doc, c.parent_doc, span), []).append((c, kids, parents))
    for (child_doc, parent_doc, (a, b)), group in per_child.items():
        original = documents[child_doc].original
        derived = [g for g in group if g[0].relation != "none"]
        for n, (c, _kids, parents) in enumerate(derived or group[-1:]):
            p_orig = documents[parent_doc].original
            p_span = (min(u.start for u in parents), max(u.end for u in parents))
            items.append(GoldItem(
                id=f"line {c.line} ({c.child_id})", child_doc=child_doc, parent_doc=parent_doc,
                child=original[a:b], parent=None if c.relation == "none" else p_orig[p_span[0]:p_span[1]],
                kind=GOLD_KIND[c.relation], note=c.note))
    return items, unmatched
