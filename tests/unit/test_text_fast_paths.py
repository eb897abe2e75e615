"""The text pipeline's fast paths compute exactly what the plain loops computed.

Speed-ups for large inputs (see benchmarks/ingest_segment.py) replaced
per-character Python loops by regular-expression scans, memoised line texts
and skipped work that cannot change a result.  Each test here compares a fast
path with the straightforward version it replaced, kept below as the
reference, so that the two cannot drift apart.
"""
from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from align import textnorm

from align.reading import clean, labels, segment
from align.reading.labels import _FORMS, Label, match_label
from align.reading.segment import CLAUSE_END, CLOSERS, LATIN_STOPS, MAX_PAIR, PAIRS, QUOTE_CLOSERS, SENTENCE_END

# --- references: the code before the fast paths ------------------------------------


def protected_ref(text: str) -> bytearray:
    inside = bytearray(len(text))
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == stack[-1][0]:
            _, start = stack.pop()
            if i - start <= MAX_PAIR:
                inside[start + 1 : i] = b"\x01" * (i - start - 1)
        elif ch in PAIRS:
            stack.append((PAIRS[ch], i))
        elif ch in CLOSERS:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == ch:
                    _, start = stack[k]
                    del stack[k:]
                    if i - start <= MAX_PAIR:
                        inside[start + 1 : i] = b"\x01" * (i - start - 1)
                    break
    return inside


def cuts_ref(text: str, stops: frozenset[str], inside: bytearray) -> list[int]:
    cuts, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch not in stops or (ch in ",，" and 0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()) \
                or (ch in LATIN_STOPS and not (0 < i < n - 1 and textnorm.is_han(text[i - 1])
                                               and textnorm.is_han(text[i + 1]))):
            i += 1
            continue
        j = i + 1
        while j < n and text[j] in stops and not inside[j]:
            j += 1
        while j < n and text[j] in (QUOTE_CLOSERS if inside[i] else CLOSERS):
            j += 1
        if inside[i] and (j == i + 1 or inside[j - 1]):
            i += 1
            continue
        cuts.append(j)
        i = j
    if not cuts or cuts[-1] != n:
        cuts.append(n)
    return cuts


def unclosed_ref(t: str) -> bool:
    depth: list[str] = []
    for ch in t:
        if ch in clean._OPENERS:
            depth.append(clean._OPENERS[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
    return bool(depth)


def match_label_ref(text: str) -> Label | None:
    for form, rank, pattern in _FORMS:
        m = pattern.match(text)
        if m is None:
            continue
        rest = text[m.end():]
        if not rest:
            return None
        if form == "arabic" and rest[0] in "0123456789%年月日万亿":
            return None
        if form == "cn" and m.group(0).rstrip().endswith("．") and rest[:1].isdigit():
            return None
        return Label(form, rank, m.group(0), m.end())
    return None


def display_width_ref(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --- generated text rich in what the fast paths skip or look for ----------------------

MARKS = "".join(sorted(set(PAIRS) | set(PAIRS.values()) | CLOSERS | SENTENCE_END | CLAUSE_END | LATIN_STOPS)) + "〔〕"
plan_text = st.text(alphabet=MARKS + "城镇化推进2025年1.5,， \n" + "٣５", max_size=200)
label_text = st.text(alphabet="第一二十章节篇部分、．.（()）1234567890０٣①⑳㉑ 　年%亿城镇", max_size=12)


@settings(max_examples=500, deadline=None)
@given(plan_text)
def test_protected_and_cuts_match_the_character_loops(text: str) -> None:
    inside = segment.protected(text)
    assert inside == protected_ref(text)
    for stops in (SENTENCE_END, CLAUSE_END | SENTENCE_END, SENTENCE_END | LATIN_STOPS):
        assert segment._cuts(text, stops, inside) == cuts_ref(text, stops, inside)


@settings(max_examples=300, deadline=None)
@given(plan_text)
def test_unclosed_matches_the_character_loop(text: str) -> None:
    assert clean._unclosed(text) == unclosed_ref(text)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(label_text, st.text(max_size=8)))
def test_match_label_first_character_gate_changes_nothing(text: str) -> None:
    assert match_label(text) == match_label_ref(text)


def test_match_label_gate_admits_every_form() -> None:
    for text in ("第一篇 总论", "第3章 目标", "第二节 任务", "十、保障", "（四）措施", "(4) 措施", "12. 改革", "٣. 改革",
                 "（12）项目", "①项目", "㉑项目"):
        assert match_label(text) is not None and match_label(text) == match_label_ref(text), text


def test_sure_wide_blocks_are_wide_in_this_pythons_unicode_data() -> None:
    for lo, hi in re.findall(r"(.)-(.)", textnorm.SURE_WIDE):
        bad = [hex(c) for c in range(ord(lo), ord(hi) + 1) if unicodedata.east_asian_width(chr(c)) not in "WF"]
        assert not bad, bad[:10]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_display_width_matches_unicodedata(text: str) -> None:
    assert textnorm.display_width(text) == display_width_ref(text)


def test_display_width_of_plan_lines() -> None:
    for text in ("城镇化率（%）达到７５％", "“十四五”时期 —— 2025年", "ＡＢＣ abc", "", "\u3000\u3000推进", "𠀀𪚥"):
        assert textnorm.display_width(text) == display_width_ref(text), text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_han_count_matches_counting_each_character(text: str) -> None:
    assert textnorm.han_count(text) == len(textnorm.HAN_RE.findall(text))


# --- cleaning: memoised line texts, linear table look-ahead ---------------------------


def _state(text: str) -> clean._State:
    return clean._State(text, bytearray(len(text)), clean._split_lines(text))


def test_line_text_memo_follows_every_mark() -> None:
    st_ = _state("  一、总体 要求\n推进新型城镇化。\n**加快**建设\n")
    assert [st_.line_text(i) for i in range(4)] == ["一、总体 要求", "推进新型城镇化。", "**加快**建设", ""]
    st_.mark(6, 7, "space")  # the space inside line 0
    assert st_.line_text(0) == "一、总体要求"
    st_.mark(st_.lines[2][0], st_.lines[2][0] + 2, "markup")  # start of line 2
    assert st_.line_text(2) == "加快**建设"
    st_.mark(st_.lines[1][0] + 2, st_.lines[2][0] + 4, "notice")  # across the newline into line 2
    assert (st_.line_text(1), st_.line_text(2)) == ("推进", "**建设")
    st_.mark_line(0, "chrome")
    assert st_.line_text(0) == ""


def test_a_long_run_of_short_lines_is_scanned_once(monkeypatch) -> None:
    """Each line of a run of short, cell-like lines used to rescan the rest of
    the run looking for a table: quadratic (5,000 such lines took ~50 s)."""
    calls = 0
    cell_like = clean._cell_like

    def counting(t: str) -> bool:
        nonlocal calls
        calls += 1
        return cell_like(t)

    monkeypatch.setattr(clean, "_cell_like", counting)
    n = 3000
    cleaned = clean.clean_text("\n".join(f"推进城镇化第{i}项" for i in range(n)))
    # equal-length lines read as a wrapped column and are re-joined: no table,
    # nothing dropped
    assert cleaned.tables == []
    assert not [r for r in cleaned.removals if r.reason not in ("linebreak", "space")]
    assert calls <= 3 * n, calls


def test_a_table_inside_a_run_of_short_lines_is_still_found() -> None:
    # six text cells (not numeric enough from the first), then a numeric block:
    # the table starts where the remaining run is numeric enough
    words = ["推进城镇化", "建设新城区", "完善服务网", "加快转型期", "深化改革项", "提升品质线"]
    numbers = ["1", "72.2", "75", "2", "1.96", "1.9", "3", "65", "70", "4", "30", "35", "5", "12", "15"]
    text = "\n".join(["正文第一段很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。"]
                     + words + numbers + ["正文第二段也很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。"])
    st_ = _state(text)
    clean.mark_tables(st_)
    assert len(st_.tables) == 1
    first = text.index(numbers[0]) if text.index("\n" + numbers[0]) else None
    cells = [c for row in st_.tables[0].rows for c in row]
    assert cells[-1] == "15" and all(n in cells for n in numbers)
    assert first is not None


def test_labels_module_keeps_its_gate_in_step_with_the_forms() -> None:
    # every form's pattern can only start with a gate character, a decimal digit or an enclosed number
    starts = set(labels._FIRST_CHARS)
    for form, _, pattern in _FORMS:
        src = pattern.pattern.removeprefix("(?:")
        assert src[0] in "第[" or src.startswith(("\\d", "[（(]")), (form, src)
    assert all(labels._can_open_label(ch) for ch in "①⑳⑴⒇⒈⒛")
    assert {"第", "（", "("} <= starts and set(labels.CN_NUM) <= starts
