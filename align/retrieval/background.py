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
def forms() -> tuple[str, ...]:
    """The background's sentences as matching forms (read once per process)."""
    with gzip.open(BACKGROUND_FILE, "rt", encoding="utf-8") as fh:
        return tuple(line for line in fh.read().split("\n") if line)


@lru_cache(maxsize=1)
def _joined() -> str:
    return "\n".join(forms())


@lru_cache(maxsize=1)
def bigram_counts():
    """(sorted packed bigram keys, document frequencies, number of forms) of
    the background, counted as :class:`align.retrieval.weights.Weights` counts its own
    (shipped beside the forms: counting them takes a few seconds)."""
    import numpy as np

    with np.load(COUNTS_FILE) as z:
        return z["keys"], z["df"], int(z["n"])


_COUNTS: dict[str, int] = {}  # term → its count, kept for the process (pairs share most terms)


def term_counts(terms: Sequence[str]) -> list[int]:
    """How many background sentences use each term (a term at most once per
    sentence is the common case; occurrences are counted, a close upper bound:
    non-overlapping ones, as ``str.count`` counts them).

    A term with a bigram the background never has is not in it: only the
    others are searched for (most programme names are of the first kind),
    all in one pass over the background (pyahocorasick's automaton)."""
    import numpy as np

    from align.retrieval.weights import pack_bigrams

    todo = [t for t in dict.fromkeys(terms) if t not in _COUNTS]
    if todo:
        keys = bigram_counts()[0]
        search = []
        for t in todo:
            grams = pack_bigrams(t)
            at = np.searchsorted(keys, grams)
            seen = bool(len(grams)) and bool(np.all((at < len(keys)) & (keys[np.minimum(at, len(keys) - 1)] == grams)))
            _COUNTS[t] = 0
            if t and (seen or len(t) < 2):
                search.append(t)
        _COUNTS.update(zip(search, _occurrences(search, _joined())))
    return [_COUNTS[t] for t in terms]


def _occurrences(words: Sequence[str], text: str) -> list[int]:
    """Non-overlapping occurrences of each word in ``text`` (what ``text.count(w)``
    gives), found in one pass of an Aho–Corasick automaton."""
    if not words:
        return []
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for i, w in enumerate(words):
        automaton.add_word(w, i)
    automaton.make_automaton()
    counts = [0] * len(words)
    last_end = [-1] * len(words)
    lengths = [len(w) for w in words]
    for end, i in automaton.iter(text):  # every occurrence, by its last character
        if end - lengths[i] + 1 > last_end[i]:  # starts after the one counted before: not overlapping it
            counts[i] += 1
            last_end[i] = end
    return counts


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
