"""The national background that ships with planecho.

What makes wording distinctive is judged against more than the two plans
compared: against the central level's own words — every government work
report of the State Council 1954–2025 and the political reports of the CPC
National Congresses (public domain; see ``align/data/BACKGROUND.md``).  A
phrase the centre says often (高质量发展, 一带一路, 新型城镇化) is national
language that any plan can take from Beijing; a phrase it never says (a
province's own programme name) is strong evidence that a child plan carries
its parent's wording, however often the parent repeats it.

The shipped file holds the background's sentences as matching forms (see
:mod:`align.retrieval.prepare`), one per line, gzip-compressed; it is built from the
source collections by ``python -m align.retrieval.background SRC_DIR`` (the build is
deterministic), with the forms' bigram document frequencies beside it.  At
run time both are read once per process (:func:`forms`,
:func:`bigram_counts`).  A pair's result therefore depends only on the two
plans, the settings and these files.

>>> n = len(forms())
>>> n > 30000
True
>>> term_counts(["一带一路", "未来社区"])
[38, 0]
"""
from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

BACKGROUND_FILE = Path(__file__).resolve().parents[1] / "data" / "background-forms.txt.gz"
COUNTS_FILE = BACKGROUND_FILE.with_name("background-bigrams.npz")  # the forms' bigram counts, built with them
SOURCES = ("central-government-work-reports.jsonl", "cpc-congress-reports.jsonl")
# lines of the sources that are Wikisource's page furniture, not the centre's words
_FURNITURE = re.compile(r"本作品|公有领域|Public domain|^false$|^\s*$|维基|Wikisource", re.I)


@lru_cache(maxsize=1)
def _text() -> str:
    """The background's forms as one text, a form per line (the shipped file as it is)."""
    with gzip.open(BACKGROUND_FILE, "rt", encoding="utf-8") as fh:
        return fh.read()


@lru_cache(maxsize=1)
def forms() -> tuple[str, ...]:
    """The background's sentences as matching forms (read once per process)."""
    return tuple(line for line in _text().split("\n") if line)


@lru_cache(maxsize=1)
def bigram_counts():
    """(sorted packed bigram keys, document frequencies, number of forms) of
    the background, counted as :class:`align.retrieval.weights.Weights` counts its own
    (shipped beside the forms: counting them takes a few seconds)."""
    import numpy as np

    with np.load(COUNTS_FILE) as z:
        return z["keys"], z["df"], int(z["n"])


class _Positions:
    """Where each character bigram of a text stands, grouped by bigram: a
    word's occurrences are found by bisection and a check of its further
    characters, not by scanning the text.

    Characters get dense numbers, so a bigram and its position fit in one
    64-bit key; sorting the keys (not ``argsort`` of the bigrams: several
    times slower) leaves each bigram's positions in order."""

    def __init__(self, text: str) -> None:
        import numpy as np

        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        present = np.zeros(int(points.max(initial=0)) + 1, dtype=bool)
        present[points] = True
        self._present = present
        self._ids = np.cumsum(present, dtype=np.int64) - 1  # code point → dense number
        self._n = n = max(int(present.sum()), 1)
        self._chars = chars = self._ids[points].astype(np.int32)
        self._lines = np.flatnonzero(points == ord("\n"))
        shift = max(len(chars).bit_length(), 1)
        if (n * n).bit_length() + shift > 64:
            raise ValueError("the background is too large for 64-bit bigram keys")
        grams = chars[:-1].astype(np.uint64) * np.uint64(n) + chars[1:].astype(np.uint64)
        keys = np.sort((grams << np.uint64(shift)) | np.arange(len(grams), dtype=np.uint64))
        self._grams = keys >> np.uint64(shift)
        self._at = (keys & np.uint64((1 << shift) - 1)).astype(np.int64)

    def occurrences(self, word: str):
        """Every position where ``word`` starts (sorted; overlapping ones too)."""
        import numpy as np

        cps = [ord(c) for c in word]
        if not cps or max(cps) >= len(self._present) or not self._present[cps].all():
            return np.empty(0, dtype=np.int64)
        d = self._ids[cps]
        if len(d) == 1:
            return np.flatnonzero(self._chars == d[0])
        g = np.uint64(d[0]) * np.uint64(self._n) + np.uint64(d[1])
        at = self._at[np.searchsorted(self._grams, g, "left"):np.searchsorted(self._grams, g, "right")]
        for k in range(2, len(d)):
            at = at[at + k < len(self._chars)]
            at = at[self._chars[at + k] == d[k]]
        return at

    def lines(self, at):
        """The line (the background's sentence) of each position."""
        return self._lines.searchsorted(at, "left")


@lru_cache(maxsize=1)
def _positions() -> _Positions:
    return _Positions(_text())


def prepare() -> None:
    """Read the background and index it now (each is done once per process,
    on first use otherwise)."""
    bigram_counts()
    _positions()


@lru_cache(maxsize=20_000)
def sentences(word: str):
    """The background's sentences using ``word`` (their numbers, sorted)."""
    import numpy as np

    return np.unique(_positions().lines(_positions().occurrences(word)))


_COUNTS: dict[str, int] = {}  # term → its count, kept for the process (pairs share most terms)


def term_counts(terms: Sequence[str]) -> list[int]:
    """How many background sentences use each term (a term at most once per
    sentence is the common case; occurrences are counted, a close upper bound:
    non-overlapping ones, as ``str.count`` counts them)."""
    for t in dict.fromkeys(terms):
        if t not in _COUNTS:
            _COUNTS[t] = _non_overlapping(_positions().occurrences(t), len(t)) if t else 0
    return [_COUNTS[t] for t in terms]


def _non_overlapping(starts, length: int) -> int:
    """How many of the sorted ``starts`` of a word of ``length`` characters
    are counted when each is taken only if it begins after the last counted
    one ends (``str.count``'s reading)."""
    if len(starts) < 2 or int((starts[1:] - starts[:-1]).min()) >= length:
        return len(starts)
    count, free = 0, -1
    for s in starts.tolist():
        if s >= free:
            count += 1
            free = s + length
    return count


def build(src: Path) -> list[str]:
    """The matching forms of the background's sentences, from the source collections."""
    from align.reading.document import document_from_text
    from align.retrieval.prepare import matching_form

    out: list[str] = []
    for name in SOURCES:
        with open(src / name, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                rec = json.loads(line)
                text = "\n".join(ln for ln in rec["content"].split("\n") if not _FURNITURE.search(ln))
                doc = document_from_text(text, f"{Path(name).stem}-{i}")
                for u in doc.units("sentence"):
                    form = matching_form(u.key).text
                    if len(form) >= 2:
                        out.append(form)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m align.retrieval.background SRC_DIR   (the folder of the source .jsonl files)", file=sys.stderr)
        return 2
    found = build(Path(args[0]))
    data = ("\n".join(found) + "\n").encode("utf-8")
    tmp = BACKGROUND_FILE.with_suffix(".part")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)
    tmp.replace(BACKGROUND_FILE)
    import numpy as np

    from align.retrieval.weights import bigram_document_frequencies

    keys, df = bigram_document_frequencies(found)
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, keys=keys, df=df.astype(np.int32), n=np.int64(len(found)))
    tmp.replace(COUNTS_FILE)
    print(f"{BACKGROUND_FILE}: {len(found)} sentences, {sum(map(len, found))} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
