"""Recover the heading hierarchy of a cleaned plan text.

Every paragraph is either a heading, a body paragraph, or a run-in heading
followed by body text in the same paragraph.  Levels come from a stack of
label ranks (see :mod:`align.reading.labels`): a heading closes every open heading of
the same or a deeper rank, so a plan that skips a form (一、 straight to 1.)
still nests correctly.

Kinds of headings:

* labelled — ``一、`` ``（三）`` ``1.`` ``（1）`` ``①`` ``第二章`` as a whole
  paragraph, or as the first short sentence of a paragraph (``1.户籍制度改革
  全面深化。城乡统一的…``);
* box — ``专栏 3-1 …``: nests under the current section until the numbering
  outside the box resumes;
* run-in — an unlabelled short topic sentence opening a paragraph
  (``综合实力稳步提升。2020年…``), when sibling paragraphs do the same; it
  heads its own paragraph only;
* title — unlabelled standalone lines before the first chapter and
  unlabelled Markdown headings: level 0, never part of a section path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from align.reading.clean import Cleaned
from align.reading.labels import BOX_FORM, RUN_IN_RANK, Label, match_box, match_label
from align.records import Heading
from align.textnorm import CJK_COMPAT_FOLD, INVISIBLE_CHARS, latin_stop_at, matching_key

MAX_HEADING = 60  # characters in a labelled heading paragraph
MAX_RUN_IN_LABELLED = 40  # characters after the label in a labelled run-in heading
MAX_RUN_IN_TOPIC = 20  # characters of an unlabelled topic sentence
BOX_RANK_OFFSET = 0.5

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


_ENCLOSED = ((0x2460, 0x2473), (0x2474, 0x2487), (0x2488, 0x249B))  # ①–⑳, ⑴–⒇, ⒈–⒛


def label_number(label: str) -> int | None:
    """The number a label carries: ``（十二）`` → 12, ``3.`` → 3, ``（⼗⼆）`` (Kangxi radicals) → 12."""
    label = label.translate(CJK_COMPAT_FOLD)
    m = re.search(r"\d+", label)
    if m:
        return int(m.group(0))
    first = label.strip().strip(INVISIBLE_CHARS)[:1]
    for lo, hi in _ENCLOSED:  # ① ⑴ ⒈: the number is the character's place in its block
        if first and lo <= ord(first) <= hi:
            return ord(first) - lo + 1
    chars = [c for c in label if c in _CN_DIGITS or c in "十百"]
    if not chars:
        return None
    total, current = 0, 0
    for c in chars:
        if c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CN_DIGITS[c]
    return total + current


@dataclass(frozen=True, slots=True)
class Block:
    """The body text of one paragraph (after any run-in heading)."""

    paragraph: int
    start: int  # position in the cleaned text
    end: int
    section: tuple[str, ...]


@dataclass
class Structure:
    headings: list[Heading]
    blocks: list[Block]


@dataclass
class _Open:
    rank: float
    title: str
    form: str
    number: int | None
    box_context: bool = False  # a box opened right after run-in paragraphs


def _first_sentence_end(text: str, start: int) -> int | None:
    """End (exclusive) of the first sentence of ``text[start:]`` at depth 0 (a full stop
    between two Chinese characters ends one, as in segmentation: ``1.推进改革.深化…``)."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch in "“（(《【「『":
            depth += 1
        elif ch in "”）)》】」』" and depth:
            depth -= 1
        elif depth == 0 and ch in "。！？!?；;":
            return i + 1
        elif depth == 0 and latin_stop_at(text, i):
            return i + 1
    return None


def _topic_sentence(text: str) -> int | None:
    """End of an unlabelled topic sentence opening ``text``, if it is one."""
    end = _first_sentence_end(text, 0)
    if end is None or end >= len(text) or text[end - 1] != "。":
        return None
    sentence = text[: end - 1]
    if len(sentence) > MAX_RUN_IN_TOPIC or len(sentence) < 4:
        return None
    if re.search(r"[0-9０-９，,：:；;%]", sentence):
        return None
    return end


def heading_title(text: str) -> str:
    """A heading's title as it appears in section paths: stripped, without a closing stop
    (a run-in topic heading 「——综合实力进一步提升。」 is the section 「——综合实力进一步提升」)."""
    return text.strip().strip(INVISIBLE_CHARS).rstrip("。.．；;：:")


_heading_title = heading_title


def detect(cleaned: Cleaned, doc_id: str, md_paragraphs: frozenset[int] = frozenset()) -> Structure:
    """Find headings and body blocks of a cleaned document."""
    text = cleaned.text
    paras = cleaned.paragraphs
    # Pre-pass: which paragraphs open with an unlabelled topic sentence.
    topic_end = [_topic_sentence(text[s:e]) if not match_label(text[s:e]) else None for s, e in paras]

    headings: list[Heading] = []
    blocks: list[Block] = []
    stack: list[_Open] = []
    seen_chapter = False
    last_was_run_in = False

    def path() -> tuple[str, ...]:
        return tuple(o.title for o in stack)

    def add_heading(p: int, s: int, e: int, form: str, label: str, level: int, pth: tuple[str, ...], run_in: bool) -> None:
        a, b = cleaned.offsets.span(s, e)
        t = text[s:e]
        headings.append(
            Heading(doc_id, f"h{p:04d}", level, form, label, t, matching_key(t), a, b, p, pth, run_in)
        )

    def push(rank: float, title: str, form: str, number: int | None) -> None:
        while stack and stack[-1].rank >= rank:
            stack.pop()
        stack.append(_Open(rank, title, form, number))

    def close_box_if_resumed(lab: Label, number: int | None) -> None:
        """Numbering outside a box resumes: ``3.`` after a box listing 1.–5."""
        if not any(o.form == BOX_FORM for o in stack):
            return
        inner = [o for o in stack[stack.index(next(o for o in stack if o.form == BOX_FORM)) + 1 :]]
        same = [o for o in inner if o.form == lab.form]
        if same and number is not None and same[-1].number is not None and number <= same[-1].number:
            while stack and stack[-1].form != BOX_FORM:
                stack.pop()
            stack.pop()

    for p, (s, e) in enumerate(paras):
        para = text[s:e]
        lab = match_label(para)
        box = None if lab else match_box(para)
        is_md = p in md_paragraphs
        standalone = len(para) <= MAX_HEADING and not _stops_before_end(para)
        body_from = 0
        if lab and (standalone or is_md):
            number = label_number(lab.text)
            close_box_if_resumed(lab, number)
            push(lab.rank, _heading_title(para), lab.form, number)
            seen_chapter = seen_chapter or lab.rank <= 3
            add_heading(p, s, e, lab.form, lab.text.strip(), len(stack), path(), False)
            last_was_run_in = False
            continue
        if box and (standalone or is_md):
            rank = (stack[-1].rank if stack and stack[-1].form != BOX_FORM else 4.0) + BOX_RANK_OFFSET
            if stack and stack[-1].form == BOX_FORM:
                stack.pop()
            push(min(rank, 4.5), _heading_title(para), BOX_FORM, None)
            stack[-1].box_context = last_was_run_in
            add_heading(p, s, e, BOX_FORM, box.text.strip(), len(stack), path(), False)
            continue
        ends_sentence = _ends_sentence(para) or p in cleaned.stop_paragraphs  # a recovered stop ends one too
        if (is_md or (standalone and not seen_chapter and not ends_sentence)) and not lab:
            add_heading(p, s, e, "title", "", 0, (), False)
            continue
        if lab:  # labelled paragraph: a run-in heading when its first sentence is short
            end = _first_sentence_end(para, lab.end)
            if end is not None and end - lab.end <= MAX_RUN_IN_LABELLED and end < len(para):
                number = label_number(lab.text)
                close_box_if_resumed(lab, number)
                push(lab.rank, _heading_title(para[:end]), lab.form, number)
                seen_chapter = seen_chapter or lab.rank <= 3
                add_heading(p, s, s + end, lab.form, lab.text.strip(), len(stack), path(), True)
                body_from = end
            blocks.append(Block(p, s + body_from, e, path()))
            last_was_run_in = False
            continue
        end = topic_end[p]
        siblings = (p > 0 and topic_end[p - 1]) or (p + 1 < len(paras) and topic_end[p + 1])
        if end is not None and siblings:
            if stack and stack[-1].form == BOX_FORM and stack[-1].box_context:
                stack.pop()
            title = _heading_title(para[:end])
            pth = path() + (title,)
            add_heading(p, s, s + end, "run_in", "", len(stack) + 1, pth, True)
            blocks.append(Block(p, s + end, e, pth))
            last_was_run_in = True
            continue
        blocks.append(Block(p, s, e, path()))
        last_was_run_in = False
    return Structure(headings, [b for b in blocks if b.end > b.start])


def _stops_before_end(t: str) -> bool:
    """Whether a sentence ends in ``t`` before its last character (。！？；, or a full stop
    between Chinese characters): then ``t`` is not a heading paragraph by itself."""
    return any(c in t[: len(t) - 1] for c in "。！？；;") or any(latin_stop_at(t, i) for i in range(1, len(t) - 1))


def _ends_sentence(t: str) -> bool:
    return t.rstrip("”’」』）)】》")[-1:] in ("。", "！", "？", "；", "：", ":", ";")


RUN_IN_FORM = "run_in"
__all__ = ["Block", "Structure", "detect", "label_number", "RUN_IN_RANK", "RUN_IN_FORM"]
