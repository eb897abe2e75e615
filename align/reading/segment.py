"""Split body text into sentences and clauses, losing no character.

Sentences end at 。！？； (and ! ? ;) plus any closing marks that follow;
never inside a matched pair of quotes or brackets (“…” 《…》 （…） 【…】),
and never inside numbers (``1.5``, ``2021-2025`` have no sentence stops).
Clauses split a sentence further at ，：, (not inside pairs, not between
digits as in ``1,000``); fragments shorter than :data:`MIN_CLAUSE` characters
stay attached to their neighbour.

>>> [text for _, _, text in sentences("推进新型城镇化。实施“千年古城复兴”计划；他说：“要加快。”1.5倍！")]
['推进新型城镇化。', '实施“千年古城复兴”计划；', '他说：“要加快。”', '1.5倍！']
>>> [text for _, _, text in clauses("到2025年，全省常住人口城镇化率达到75%，城乡居民收入比缩小。")]
['到2025年，全省常住人口城镇化率达到75%，', '城乡居民收入比缩小。']
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from align.textnorm import HAN_CLASS, LATIN_STOPS, latin_stop_at

UNITS = ("sentence", "clause")
SENTENCE_END = frozenset("。！？!?；;")
CLAUSE_END = frozenset("，,：:")
CLOSERS = frozenset("”’」』）)】》〉\"'")
QUOTE_CLOSERS = frozenset("”’」』\"'")  # “…。” ends a sentence; （…。） and 《…。》 do not
PAIRS = {"“": "”", "‘": "’", "《": "》", "（": "）", "(": ")", "【": "】", "「": "」", "『": "』", "〔": "〕", "〈": "〉"}
MAX_PAIR = 300  # a "pair" longer than this is a stray mark, not a quotation
MIN_CLAUSE = 6  # clauses shorter than this are merged into a neighbour


# Only these characters can open or close a pair: protected() visits them alone.
_PAIR_CHAR = re.compile("[" + re.escape("".join(sorted(set(PAIRS) | set(PAIRS.values()) | CLOSERS))) + "]")


def protected(text: str) -> bytearray:
    """1 where a character lies strictly inside a matched quote/bracket pair."""
    inside = bytearray(len(text))
    stack: list[tuple[str, int]] = []
    for m in _PAIR_CHAR.finditer(text):
        i, ch = m.start(), m.group()
        if stack and ch == stack[-1][0]:
            _, start = stack.pop()
            if i - start <= MAX_PAIR:
                inside[start + 1 : i] = b"\x01" * (i - start - 1)
        elif ch in PAIRS:
            stack.append((PAIRS[ch], i))
        elif ch in CLOSERS:
            # a closer that matches an outer opener: drop unclosed inner ones
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == ch:
                    _, start = stack[k]
                    del stack[k:]
                    if i - start <= MAX_PAIR:
                        inside[start + 1 : i] = b"\x01" * (i - start - 1)
                    break
    return inside


@functools.cache
def _stop_search(stops: frozenset[str]):
    """``search(text, pos)`` finding the next character of ``stops``."""
    return re.compile("[" + re.escape("".join(sorted(stops))) + "]").search


def _cuts(text: str, stops: frozenset[str], inside: bytearray) -> list[int]:
    """Positions just after each stop (with trailing closers) outside pairs.

    A stop inside a quotation ends a sentence only when the closers right
    after it end the quotation (``“…。”``).
    """
    search = _stop_search(stops)
    cuts, n = [], len(text)
    m = search(text, 0)
    while m is not None:
        i = m.start()
        if m.group() in ",，" and 0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
            m = search(text, i + 1)  # 1,000
            continue
        if m.group() in LATIN_STOPS and not latin_stop_at(text, i):
            m = search(text, i + 1)  # 3.5, 2.0版, a list label
            continue
        j = i + 1
        while j < n and text[j] in stops and not inside[j]:
            j += 1
        while j < n and text[j] in (QUOTE_CLOSERS if inside[i] else CLOSERS):
            j += 1
        if inside[i] and (j == i + 1 or inside[j - 1]):
            m = search(text, i + 1)  # inside a quotation that goes on
            continue
        cuts.append(j)
        m = search(text, j)
    if not cuts or cuts[-1] != n:
        cuts.append(n)
    return cuts


def _spans(text: str, cuts: list[int]) -> Iterator[tuple[int, int, str]]:
    start = 0
    for c in cuts:
        if c > start:
            yield start, c, text[start:c]
            start = c


def sentences(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, text)`` of each sentence; together they tile ``text``."""
    return list(_spans(text, _cuts(text, SENTENCE_END | LATIN_STOPS, protected(text))))


_TOKEN = re.compile(rf"[{HAN_CLASS}]|[0-9A-Za-z０-９Ａ-Ｚａ-ｚ.%％]+")


def _content_len(t: str) -> int:
    """Chinese characters plus Latin/number runs (``到2025年`` → 3)."""
    return len(_TOKEN.findall(t))


def clauses(sentence: str) -> list[tuple[int, int, str]]:
    """``(start, end, text)`` of each clause of one sentence; they tile it."""
    parts = list(_spans(sentence, _cuts(sentence, CLAUSE_END | SENTENCE_END | LATIN_STOPS, protected(sentence))))
    merged: list[list[int]] = []
    pending: list[int] | None = None  # a short fragment waiting for the next clause
    for s, e, t in parts:
        if pending is not None:
            s = pending[0]
            pending = None
        if _content_len(sentence[s:e]) < MIN_CLAUSE:
            pending = [s, e]
            continue
        merged.append([s, e])
    if pending is not None:
        if merged:
            merged[-1][1] = pending[1]
        else:
            merged.append(pending)
    return [(s, e, sentence[s:e]) for s, e in merged]
