"""Unquoted programme names: phrases a parent plan uses as a name without quoting it.

A province's programme (未来社区, 美丽城镇) is often written without quotation
marks and never defined with （以下简称…）.  What sets such a name apart from
ordinary wording can be judged from the two plans compared and the shipped
national background (:mod:`align.retrieval.background`) alone:

* it is a **whole noun phrase**: two or three words of jieba's general
  dictionary (each of two or more characters) within one clause, 4–8
  characters, not itself a dictionary word, ending in a noun and holding no
  verb, adverb, numeral, measure word, pronoun or function word (the words'
  tags in jieba's dictionary), and with at least two different neighbours on
  each side over its uses (a fragment always has the same one);
* it is a **surprising composition**: its words are the centre's vocabulary
  (``words``: the background sentences using its rarest word), but the centre
  never says the phrase (``national``, each sentence counting
  ``national_scale`` times) and seldom relates its words at all
  (``together``: background sentences using all its words) — 城市 and 功能
  share 12 national sentences, 未来 and 社区 one, 美丽 and 城镇 none;
* it is **not the plans' own topic**: its most frequent word is in a small
  share of the pair's units (``topical``) — 智能 is in 47 % of the units of
  two smart-manufacturing plans, so 智能工厂 is their common vocabulary;
* it is **repeated**: used in two or more units of the parent that sets it,
  and the more units of both plans use it, the more it weighs.

:func:`name_score` multiplies these into one ratio, read in bits::

    log2( parent units × child units × (1 + words) / ((1 + together) × (1 + national_scale·national) × topical) )

A phrase scoring at least ``Settings.name_score`` is a programme name of the
pair and counts as a quoted one (:func:`align.retrieval.features.add_terms`).

Linhai's outline ← the Zhejiang plan: 未来社区 (2 Zhejiang units, 7 Linhai
units; 未来 in 91 national sentences, with 社区 in one; its commoner word in
1.8 % of the pair's units) against 城市功能 (the centre relates 城市 and 功能
in 12 sentences; 城市 is in 13 % of the units):

>>> name_score(2, 7, 91, 1, 0, 0.018), name_score(3, 4, 90, 12, 0, 0.129)
(15.13, 9.35)
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from itertools import chain
from collections.abc import Callable, Sequence
from functools import lru_cache

MIN_CHARS, MAX_CHARS = 4, 8  # a name's length in characters
WORDS = (2, 3)  # a name's length in words
MIN_PARENT_UNITS = 2  # a name is repeated by the parent that sets it
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
# jieba tags of words that never stand in a name: verbs (a verbal noun, vn, may), adverbs, numerals,
# measure words, pronouns, prepositions, conjunctions, particles, modal particles, locatives
_NOT_IN_NAME = frozenset("vdmqrpcuyf")


def name_score(parent_units: int, child_units: int, words: int, together: int, national: int,
               topical: float, national_scale: float = 10.0) -> float:
    """The name evidence of a phrase in bits (see the module docstring)."""
    bits = math.log2(max(parent_units, 1) * max(child_units, 1) * (1 + words)
                     / ((1 + together) * (1 + national_scale * national) * max(topical, 1e-6)))
    return round(bits, 2)


def _clauses(form: str, words: Sequence[str]):
    """Runs of ``words`` (the form's words, in order) not separated by anything
    else in ``form`` (a boundary ``|``, the region placeholder, a digit run…)."""
    run: list[str] = []
    at = 0
    for w in words:
        if not form.startswith(w, at):
            i = form.find(w, at)
            if i > at and run:
                yield run
                run = []
            at = max(i, at)
        run.append(w)
        at += len(w)
    if run:
        yield run


@lru_cache(maxsize=50_000)
def _phrases(form: str, words: tuple[str, ...]) -> tuple[frozenset[str], tuple[tuple[str, tuple[str, ...], str, str], ...]]:
    """The candidate word sequences of one form: their set, and each use with
    its words and its left and right neighbours (a clause edge is ``|``); kept
    for the process, as a plan is in several pairs."""
    uses = tuple(_each_phrase(form, words))
    return frozenset(u[0] for u in uses), uses


def _each_phrase(form: str, words: Sequence[str]):
    for ws in _clauses(form, words):
        ok = [len(w) >= 2 and _HAN_ONLY.match(w) is not None for w in ws]
        for i in range(len(ws) - 1):
            if not (ok[i] and ok[i + 1]):
                continue
            for n in WORDS:
                if i + n > len(ws) or not ok[i + n - 1]:
                    break
                part = ws[i : i + n]
                phrase = "".join(part)
                if MIN_CHARS <= len(phrase) <= MAX_CHARS:
                    yield phrase, tuple(part), ws[i - 1] if i else "|", ws[i + n] if i + n < len(ws) else "|"


@lru_cache(maxsize=1)
def _dictionary() -> bytes:
    """jieba's general dictionary (``word freq tag`` lines), as bytes (found beside jieba's
    package without importing it; searched as bytes: decoding 5 MB would cost more)."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("jieba")
    with open(Path(spec.origin).parent / "dict.txt", "rb") as fh:
        return b"\n" + fh.read()


@lru_cache(maxsize=50_000)
def _tag(word: str) -> str:
    """A word's part-of-speech tag in jieba's general dictionary ("" when absent)."""
    data = _dictionary()
    at = data.find(b"\n" + word.encode("utf-8") + b" ")
    if at < 0:
        return ""
    line = data[at + 1 : data.find(b"\n", at + 1)].decode("utf-8").rstrip("\r")
    return line.rsplit(" ", 1)[-1]


def noun_phrase(words: Sequence[str]) -> bool:
    """Whether ``words`` make a noun phrase by their tags in jieba's dictionary."""
    tags = [_tag(w) for w in words]
    if not tags[-1].startswith("n") and tags[-1] != "vn":
        return False
    return all(t and (t == "vn" or t[0] not in _NOT_IN_NAME) for t in tags)


@lru_cache(maxsize=50_000)
def _sentences_at_most(word: str) -> int:
    """An upper bound of the national sentences using ``word``: the fewest
    sentences using one of its character bigrams (the shipped counts)."""
    import numpy as np

    from align.retrieval.background import bigram_counts
    from align.retrieval.weights import pack_bigrams

    keys, df, n = bigram_counts()
    grams = pack_bigrams(word)
    if not len(grams):
        return n
    at = np.minimum(np.searchsorted(keys, grams), len(keys) - 1)
    return int(np.where(keys[at] == grams, df[at], 0).min())


@lru_cache(maxsize=50_000)
def national_together(words: tuple[str, ...]) -> tuple[int, int]:
    """(sentences of the national background using the rarest of ``words``,
    sentences using all of them; kept for the process: the shipped background
    does not change, and a parent's phrases come back in each of its pairs)."""
    import numpy as np

    from align.retrieval.background import sentences

    where = [sentences(w) for w in words]
    common = where[0]
    for w in where[1:]:
        common = np.intersect1d(common, w, assume_unique=True)
    return min(len(w) for w in where), len(common)


def coined_names(parent_forms: Sequence[str], child_forms: Sequence[str], cut: Callable[[str], list[str]],
                 is_word: Callable[[str], bool], min_score: float, *, national_scale: float = 10.0
                 ) -> dict[str, float]:
    """The phrases the parent sets and the child carries whose :func:`name_score`
    reaches ``min_score``, with their scores (``cut``: the words of a matching
    form, without marks; ``is_word``: a word of the general dictionary)."""
    if math.isinf(min_score) or not parent_forms or not child_forms:
        return {}
    from align.retrieval.background import sentences

    found = [[_phrases(f, tuple(cut(f))) for f in forms] for forms in (parent_forms, child_forms)]
    # how many units of the parent, of the child use each phrase; only a phrase the parent
    # repeats and the child uses is a candidate
    units = [Counter(chain.from_iterable(s for s, _ in side)) for side in found]
    shared = {p for p, k in units[0].items() if k >= MIN_PARENT_UNITS and p in units[1]}
    sides: dict[str, tuple[set[str], set[str]]] = {p: (set(), set()) for p in shared}  # neighbours, both plans
    parts: dict[str, tuple[str, ...]] = {}
    for side in (0, 1):
        for phrases, uses in found[side]:
            if shared.isdisjoint(phrases):
                continue
            for phrase, part, left, right in uses:
                if phrase in shared:
                    parts[phrase] = part
                    lr = sides[phrase]
                    lr[0].add(left)
                    lr[1].add(right)
    # units of the pair using each word of a shared phrase (counted in one pass)
    needed = {w for p in shared for w in parts[p]}
    df = Counter(chain.from_iterable(needed.intersection(cut(f)) for f in chain(parent_forms, child_forms)))
    n = len(parent_forms) + len(child_forms)
    cands = sorted(p for p in shared if len(sides[p][0]) >= 2 and len(sides[p][1]) >= 2 and not is_word(p))
    out = {}
    for p in cands:
        np_, nc = units[0][p], units[1][p]
        topical = max(df[w] for w in parts[p]) / n
        # with no relating sentence and no national use, the most the phrase can score
        if name_score(np_, nc, min(map(_sentences_at_most, parts[p])), 0, 0, topical, national_scale) < min_score:
            continue
        national = len(sentences(p))
        rare, together = national_together(parts[p])
        score = name_score(np_, nc, rare, together, national, topical, national_scale)
        if score >= min_score and noun_phrase(parts[p]):
            out[p] = score
    return out
