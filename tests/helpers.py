"""Shared checks for tests."""
from __future__ import annotations

import subprocess

from align.reading.document import Document
from align.textnorm import han_count

NOT_BODY = ("chrome", "notice", "toc", "page", "annotation")
#: the five bundled Zhejiang documents, parents before children
IDS = [
    "zhejiang-urbanization-14fyp",
    "taizhou-urbanization-14fyp",
    "taizhou-daily-2021-02-10-gov-report",
    "linhai-14fyp-outline",
    "luqiao-14fyp-outline",
]
#: every bundled document: the Zhejiang ones, then a national plan and the Shandong plan implementing it
ALL_IDS = IDS + ["miit-14fyp-smart-manufacturing-plan", "shandong-smart-manufacturing-action-2022"]


def coverage(doc: Document, unit: str = "sentence") -> bytearray:
    """How many times each original character is claimed by a removal, a
    heading (titles included) or a unit.  Lossless means all ones."""
    n = len(doc.original)
    claims = bytearray(n)
    removed = bytearray(n)
    for r in doc.removals:
        for i in range(r.start, r.end):
            removed[i] = 1
            claims[i] += 1
    pieces = [(h.start, h.end, h.text) for h in doc.headings] + [(u.start, u.end, u.text) for u in doc.units(unit)]
    for start, end, text in pieces:
        kept = [i for i in range(start, end) if not removed[i]]
        assert "".join(doc.original[i] for i in kept) == text, (start, end, text)
        for i in kept:
            claims[i] = min(claims[i] + 1, 255)
    return claims


def assert_lossless(doc: Document, unit: str = "sentence") -> None:
    claims = coverage(doc, unit)
    lost = [i for i, c in enumerate(claims) if c == 0]
    double = [i for i, c in enumerate(claims) if c > 1]
    assert not lost, f"{doc.doc_id}: {len(lost)} characters in no unit/heading/removal, e.g. {doc.original[lost[0]:lost[0]+20]!r}"
    assert not double, f"{doc.doc_id}: {len(double)} characters claimed twice, e.g. {doc.original[double[0]:double[0]+20]!r}"


def body_share(doc: Document) -> float:
    """Share of the plan body's Chinese characters held by headings and units.

    The plan body is the original minus page chrome, notices and the table
    of contents; tables and captions count as body (they leave with a reason).
    """
    not_body = sum(han_count(doc.original[r.start:r.end]) for r in doc.removals if r.reason in NOT_BODY)
    body = han_count(doc.original) - not_body
    held = sum(han_count(h.text) for h in doc.headings) + sum(han_count(u.text) for u in doc.units("sentence"))
    return held / body if body else 1.0


def assert_one_line_error(r: "subprocess.CompletedProcess[str]", *words: str, stdout_empty: bool = True) -> str:
    """Exit status 2, no traceback, stderr one ``planecho: error:`` line holding
    ``words`` (and, unless ``stdout_empty`` is False, nothing on stdout)."""
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    assert r.returncode == 2, (r.returncode, r.stderr)
    if stdout_empty:
        assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("planecho: error: "), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]
