"""Auditable cleaning: take noise out of a plan text, recording every removal.

Cleaning only ever *removes* characters of the original, so every character
of the cleaned text keeps its original offset.  Each step is a small function
that marks spans of the original with a reason code; the first step to mark a
character wins.  At the end the marks become :class:`~align.records.Removal`
spans, the kept characters become the cleaned text (paragraphs, no
separators), and an :class:`OffsetMap` maps cleaned positions back.

>>> c = clean_text("当前位置:首页 > 政务公开\\n\\n一、总体要求\\n\\n推进新型城 镇化。")
>>> c.paragraph_texts()
['一、总体要求', '推进新型城镇化。']
>>> sorted({r.reason for r in c.removals})
['chrome', 'layout', 'space']
"""
from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from align.reading.labels import match_box, match_label
from align.records import Annotation, KnownTable, Removal, TableRecord
from align.textnorm import CJK_PUNCT, HAN_CLASS, INVISIBLE, display_width, han_count, is_han

REASONS: dict[str, str] = {
    "chrome": ("page chrome: navigation, portal metadata, sign-up prompts, footer, page header, database header, "
               "相关报道 lists"),
    "page": "pagination of a PDF extraction: page number, form feed (page break)",
    "annotation": ("annotation kept aside as a record: responsibility tag (责任单位), issuing footer, licence block, "
                   "footnote text"),
    "notice": "unrelated notice mixed into the page (e.g. 遗失…声明作废)",
    "toc": "table of contents (headings are taken from the body)",
    "table": "flattened table, kept aside as a table record",
    "caption": "figure caption",
    "footnote": "footnote mark glued to the text (proven by its position and numbering; see the detail)",
    "markup": "Markdown mark (#, **, ---, list bullet)",
    "space": "space inside Chinese text (PDF extraction)",
    "linebreak": "line break inside a paragraph, re-joined",
    "stop": "line break where a sentence stop (。) was lost in extraction: the sentence ends here",
    "layout": "blank line, indentation or paragraph break",
}
_CODE = {name: i + 1 for i, name in enumerate(REASONS)}
_NAME = {code: name for name, code in _CODE.items()}

_TERMINAL = "。！？!?；;：:…"
_CLOSERS = "”’」』）)】》〉\"'"
_OPENERS = {"“": "”", "（": "）", "(": ")", "《": "》", "【": "】", "「": "」", "『": "』", "〔": "〕"}


# --------------------------------------------------------------------------
# Offset map


class OffsetMap:
    """Maps positions of the cleaned text to positions of the original.

    Stored as the start of each maximal kept run, so its size is the number
    of removals, not the number of characters.
    """

    __slots__ = ("_clean", "_orig", "length")

    def __init__(self, clean_starts: array, orig_starts: array, length: int) -> None:
        self._clean = clean_starts
        self._orig = orig_starts
        self.length = length

    def to_original(self, pos: int) -> int:
        """Original offset of the cleaned character at ``pos``."""
        i = bisect.bisect_right(self._clean, pos) - 1
        return self._orig[i] + (pos - self._clean[i])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` covering cleaned ``[start, end)`` (end exclusive)."""
        if end <= start:
            o = self.to_original(start) if start < self.length else self._end_original()
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1

    def _end_original(self) -> int:
        if not self._clean:
            return 0
        return self.to_original(self.length - 1) + 1 if self.length else 0


# --------------------------------------------------------------------------
# Result


@dataclass
class Cleaned:
    """The outcome of cleaning one original text."""

    original: str
    text: str  # kept characters, paragraphs concatenated without separators
    paragraphs: list[tuple[int, int]]  # [start, end) in ``text``
    offsets: OffsetMap
    removals: list[Removal]
    tables: list[TableRecord]
    wrapped_width: int | None = None  # column width when the text was hard-wrapped
    md_paragraphs: frozenset[int] = frozenset()  # paragraphs written as Markdown headings
    annotations: list[Annotation] = field(default_factory=list)  # notes kept aside (reason "annotation")
    stop_paragraphs: frozenset[int] = frozenset()  # paragraphs ending where a lost stop (。) was recovered

    def paragraph_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.paragraphs]

    def display_text(self) -> str:
        """The cleaned text with one paragraph per line, as shown to a reader."""
        return "\n".join(self.paragraph_texts())

    def removed_counts(self) -> Counter:
        return Counter({r: sum(x.end - x.start for x in self.removals if x.reason == r) for r in REASONS})


# --------------------------------------------------------------------------
# Working state


_KEPT_RUN = re.compile(rb"\x00+")


@dataclass
class _State:
    text: str
    marks: bytearray
    lines: list[tuple[int, int]]  # [start, end) of each line, newline excluded
    md_heading: set[int] = field(default_factory=set)  # lines that carried '#' marks
    tables: list[TableRecord] = field(default_factory=list)
    known_tables: tuple[KnownTable, ...] = ()
    annotations: list[Annotation] = field(default_factory=list)
    details: dict[int, str] = field(default_factory=dict)  # start of a marked span -> why (the audit's detail)
    # line_text(i) memo, dropped for the lines a mark touches: the steps read
    # most lines several times (tables look ahead), but mark few of them
    _line_starts: list[int] = field(init=False, repr=False)
    _line_memo: list[str | None] = field(init=False, repr=False)
    # the last cell run scanned by mark_tables (see _cell_run)
    cell_run: tuple[dict[int, int], list[tuple[int, str]], list[int]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [s for s, _ in self.lines]
        self._line_memo = [None] * len(self.lines)

    def mark(self, start: int, end: int, reason: str, detail: str = "") -> None:
        if end <= start:
            return
        code = _CODE[reason]
        if detail and not self.marks[start]:
            self.details[start] = detail
        seg = self.marks[start:end]
        if seg.count(0) == len(seg):
            self.marks[start:end] = bytes([code]) * (end - start)
        else:
            for i in range(start, end):
                if not self.marks[i]:
                    self.marks[i] = code
        if end == start + 1 and self.text[start] == "\n":
            return  # a newline is in no line's text
        starts, memo = self._line_starts, self._line_memo
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        while i < len(starts) and starts[i] < end:
            memo[i] = None
            i += 1

    def kept(self, start: int, end: int) -> str:
        seg = self.marks[start:end]
        if seg.count(0) == len(seg):
            return self.text[start:end]
        text = self.text
        return "".join(text[start + m.start():start + m.end()] for m in _KEPT_RUN.finditer(seg))

    def line_text(self, i: int) -> str:
        t = self._line_memo[i]
        if t is None:
            s, e = self.lines[i]
            t = self._line_memo[i] = self.kept(s, e).strip(" \t\u3000\xa0")
        return t

    def mark_line(self, i: int, reason: str, detail: str = "") -> None:
        s, e = self.lines[i]
        self.mark(s, e, reason, detail)

    def split_line(self, i: int, cut: int, resume: int) -> None:
        """Line ``i`` becomes two lines: ``[start, cut)`` and ``[resume, end)``
        (the characters between are the caller's to mark)."""
        s, e = self.lines[i]
        self.lines[i:i + 1] = [(s, cut), (resume, e)]
        self._line_starts[i:i + 1] = [s, resume]
        self._line_memo[i:i + 1] = [None, None]


def _split_lines(text: str) -> list[tuple[int, int]]:
    lines, pos = [], 0
    for m in re.finditer("\n", text):
        lines.append((pos, m.start()))
        pos = m.end()
    lines.append((pos, len(text)))
    return lines


# --------------------------------------------------------------------------
# Steps


_MD_HEAD = re.compile(r"^[ \t]*(#{1,6})[ \t]*")
_MD_RULE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$")
_MD_BULLET = re.compile(r"^[ \t]*([-*+])[ \t]+")
_MD_BOLD = re.compile(r"\*\*|__(?=\S)|(?<=\S)__")
_HTML_FOOTNOTE = re.compile(r"<sup>\s*\[?\d{1,3}\]?\s*</sup>", re.I)
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,9}(?:\s[^<>\n]{0,200})?/?>")


def mark_markup(st: _State) -> None:
    """Markdown heading marks, bold markers, rules, list bullets; HTML tags
    left by a conversion (``<sup>1</sup>`` footnote references, ``<p>``)."""
    for i, (s, e) in enumerate(st.lines):
        line = st.text[s:e]
        if "<" in line:
            for m in _HTML_FOOTNOTE.finditer(line):
                st.mark(s + m.start(), s + m.end(), "footnote")
            for m in _HTML_TAG.finditer(line):
                st.mark(s + m.start(), s + m.end(), "markup")
        if "#" not in line and "*" not in line and "-" not in line and "_" not in line and "+" not in line:
            continue
        if _MD_RULE.match(line):
            st.mark(s, e, "markup")
            continue
        m = _MD_HEAD.match(line)
        if m:
            st.md_heading.add(i)
            st.mark(s + m.start(1), s + m.end(), "markup")
        else:
            m = _MD_BULLET.match(line)
            if m:
                st.mark(s + m.start(1), s + m.end(), "markup")
        for b in _MD_BOLD.finditer(line):
            st.mark(s + b.start(), s + b.end(), "markup")


_CHROME_STRONG = re.compile(
    r"索引号|公开方式|发布机构|成文日期|公开日期|发布日期|发布时间|信息来源|浏览次数|访问次数|"
    r"所属行业|项目性质|文件编号|当前位置|责编|版式[:：]|字号[:：]|【权威解读】|政策解读$"
)
_CHROME_SITE = re.compile(
    r"感谢您关注|免费订阅|服务热线|咨询电话|注册|扫码|下载APP|关注微信|关注公众号|公众号|"
    r"会员特色服务|法律声明|侵权|来源于互联网|版权所有|备案号|ICP备|主办单位|承办单位|联系我们|"
    r"网站地图|技术支持|打印本页|关闭窗口|分享到|收藏|返回顶部|上一篇|下一篇|"
    r"\.(?:pdf|docx?|wps|xlsx?|ofd)$"
)
_BULLET_LINE = re.compile(r"^[•·▪●◆■►▸※]\s*\S{0,12}$")
_BREADCRUMB = re.compile(r"(?:首页|主页)\s*[>＞»]|^\s*[>＞»]\s*\S+(?:\s*[>＞»]\s*\S+)+")
_DATE_ROW = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:\s+\S{1,10})+$")  # "2021-08-25 其他 浙江"
_PAGE_JUMP = re.compile(r"[（(]\s*[上下]\s*[接转]\s*第\s*[一二三四五六七八九十\d]+\s*版\s*[）)]")


def _chrome_kind(t: str) -> str | None:
    """``"strong"`` for unmistakable page chrome (portal metadata, breadcrumbs,
    navigation bullets, site prompts), ``"weak"`` for a short navigation-like
    word, which is chrome only in a zone that shows strong chrome too."""
    if not t:
        return None
    if _is_metadata(t) or _BULLET_LINE.match(t) or (_CHROME_SITE.search(t) and len(t) <= 200):
        return "strong"
    if len(t) <= 6 and not match_label(t) and not any(c in t for c in "。，,"):
        return "weak"
    return None


def _is_metadata(t: str) -> bool:
    """Portal metadata rows and breadcrumbs: chrome wherever they stand."""
    return len(t) <= 160 and bool(_CHROME_STRONG.search(t) or _BREADCRUMB.search(t) or _DATE_ROW.match(t))


def mark_chrome(st: _State) -> None:
    """Header and footer zones of web/newspaper pages, metadata rows anywhere."""
    n = len(st.lines)
    for zone in (range(n), range(n - 1, -1, -1)):  # header, then footer
        found: list[tuple[int, str]] = []
        for i in zone:
            t = st.line_text(i)
            kind = _chrome_kind(t)
            if t and kind is None:
                break
            if kind:
                found.append((i, kind))
        if any(kind == "strong" for _, kind in found):
            for i, _ in found:
                st.mark_line(i, "chrome")
    for i in range(n):
        t = st.line_text(i)
        if t and _is_metadata(t):
            st.mark_line(i, "chrome")
        elif t and len(t) <= 300 and (t[0] == "←" or t[-1] == "→") and "。" not in t:
            st.mark_line(i, "chrome", "previous / next navigation (←…→)")
    for m in _PAGE_JUMP.finditer(st.text):
        st.mark(m.start(), m.end(), "chrome")


#: a newspaper or literature database's record header: ``分类号：F127``, ``【版次】第3版``
_DB_HEADER = re.compile(r"^[【\[]?(?:分类号|版\s*次|版\s*名|版\s*号|栏\s*目|期\s*号|文献来源|出版日期|作者单位|专题名称|"
                        r"主\s*题\s*词|关\s*键\s*词)[】\]]?\s*[:：]?\s*\S")
_DB_FIELD = re.compile(r"^【(?:作者|日期|来源|出处|作者单位|版面|栏目)】")  # a whole field row
_DB_LABEL = re.compile(r"【(?:标题|正文|副标题|引题)】\s*")  # the label only: the title or the text follows


def mark_database_header(st: _State) -> None:
    """The field rows a newspaper or literature database prints above a text
    (分类号, 版次, 版名, 【作者】…), in the header zone before the first long line."""
    for i in range(len(st.lines)):
        t = st.line_text(i)
        if not t:
            continue
        s, e = st.lines[i]
        label = _DB_LABEL.match(st.text, s + len(st.text[s:e]) - len(st.text[s:e].lstrip()), e)
        if label:
            st.mark(label.start(), label.end(), "chrome", "database record header")
            if "正文" in label.group():
                break  # the text begins here
            continue
        if len(t) <= 80 and (_DB_HEADER.match(t) or _DB_FIELD.match(t)):
            st.mark_line(i, "chrome", "database record header")
            continue
        if len(t) > 80:
            break


_LICENCE = re.compile(r"公有领域|公共领域|Public domain|著作权法|知识共享|Creative Commons|CC[- ]BY|GNU自由文档|"
                      r"本作品(?:是|来自|在|采用|依据|根据|不适用)|维基文库|Wikisource|自由版权|许可协议", re.I)
_ISSUED = re.compile(r"^(?P<who>\S.{0,40}?)?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:印\s*发|发\s*布|发\s*出)$")
_ISSUE_LINE = re.compile(r"^(?:抄\s*送|主\s*送|发\s*送)\s*[:：]|^[（(]此件(?:公开发布|主动公开|不予公开|依申请公开)[）)]$|"
                         r"^[（(]\s*联系人\s*[:：].{0,60}[）)]$")
_RELATED = re.compile(r"^(?:相关报道|相关阅读|相关新闻|相关链接|相关文章|延伸阅读|推荐阅读|相关解读)\s*[:：]?")
MAX_RELATED = 30  # titles listed under a 相关报道 line


def _annotate(st: _State, start: int, end: int, kind: str, value: str, paragraph: int = -1) -> None:
    if end <= start or st.marks[start]:
        return  # already taken out for another reason
    st.annotations.append(Annotation("", kind, start, end, st.text[start:end], value, paragraph))
    st.mark(start, end, "annotation", kind)


def mark_footers(st: _State) -> None:
    """Issuing footers, licence blocks and 相关报道 lists.

    * an issuing footer (``××局办公室 2020年9月22日印发``, ``抄送：…``,
      ``（此件公开发布）``) is an annotation of kind ``issuer``, wherever it stands;
    * a wiki licence block (``本作品是中华人民共和国的…``, ``Public domain``)
      is an annotation of kind ``licence`` in the footer or header zone: the
      lines from the end (or the start) up to the first line of plan text;
    * a ``相关报道：`` line and the list of short titles under it are chrome.
    """
    n = len(st.lines)

    def near(i: int, step: int) -> int | None:  # the next line with text, up or down
        i += step
        while 0 <= i < n and not st.line_text(i):
            i += step
        return i if 0 <= i < n else None

    for i in range(n):
        t = st.line_text(i)
        if not t or len(t) > 120:
            continue
        m = _ISSUED.match(t) if t[-1] in "发布出" else None
        if m is None and not (t[0] in "抄主发（(" and _ISSUE_LINE.match(t)):
            continue
        first = last = i
        if m and not m.group("who"):  # the issuing office on the line above: a name, no punctuation
            up = near(i, -1)
            if up is not None and len(st.line_text(up)) <= 30 and not re.search(r"[\W\d]", st.line_text(up)):
                first = up
        while st.line_text(last)[-1] in "，、,；;":  # a 抄送 list going on over lines
            down = near(last, 1)
            if down is None or len(st.line_text(down)) > 80 or match_label(st.line_text(down)) or down > last + 2:
                break
            last = down
        value = " ".join(st.line_text(k) for k in range(first, last + 1) if st.line_text(k))
        _annotate(st, st.lines[first][0], st.lines[last][1], "issuer", value)
    for zone in (range(n - 1, -1, -1), range(n)):  # footer, then header
        for i in zone:
            t = st.line_text(i)
            if not t:
                continue
            if len(t) <= 400 and _LICENCE.search(t):
                s, e = st.lines[i]
                _annotate(st, s, e, "licence", t)
            elif not (_chrome_kind(t) or (len(t) <= 30 and not _ends_terminal(t))):
                break
    for i in range(n):
        t = st.line_text(i)
        if not t or len(t) > 60 or t[0] not in "相延推" or not _RELATED.match(t):
            continue
        st.mark_line(i, "chrome", "相关报道 list")
        for j in range(i + 1, min(n, i + 1 + MAX_RELATED)):
            u = st.line_text(j)
            if u and (len(u) > 60 or match_label(u) or (len(u) > 30 and u.rstrip(_CLOSERS).endswith("。"))):
                break
            st.mark_line(j, "chrome", "相关报道 list")


_INVISIBLE_RUN = re.compile(f"[{INVISIBLE}]+")  # zero-width space, soft hyphen, BOM… (textnorm.INVISIBLE)


#: per-measure tags naming who implements it: （责任单位：省工业和信息化厅、省科技厅）
def _tolerant(*words: str) -> str:
    """An alternation of ``words`` that allows invisible characters (zero-width space…) between their characters."""
    gap = f"[{INVISIBLE}]*"
    return "(?:" + "|".join(gap.join(map(re.escape, w)) for w in words) + ")"


_TAG_KEY = (rf"(?:{_tolerant('牵头', '责任', '主责', '配合', '参与', '实施', '协办', '主办')}[{INVISIBLE}]*"
            rf"{_tolerant('单位', '部门')}|{_tolerant('责任主体')})[\s{INVISIBLE}]*[:：]")
_RESPONSIBILITY = re.compile(rf"[（(][\s{INVISIBLE}]*(?={_TAG_KEY})")
_RESPONSIBILITY_LINE = re.compile(rf"^[{INVISIBLE}]*{_TAG_KEY}")


def mark_responsibility(st: _State) -> None:
    """Responsibility tags (``（责任单位：…）``, ``（牵头单位：…；配合单位：…）``,
    or a line ``责任单位：…``) kept aside as annotations of the measure they
    close: who implements it is data about the plan, not its text."""
    text = st.text
    if "单位" not in text and "部门" not in text and "责任主体" not in text and not _INVISIBLE_RUN.search(text):
        return
    for m in _RESPONSIBILITY.finditer(text):
        depth, k, stop = 0, m.start(), min(len(text), m.start() + 300)
        while k < stop and text[k] != "\n":
            if text[k] in "（(":
                depth += 1
            elif text[k] in "）)":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        if k >= stop or text[k] not in "）)":
            continue  # not closed on its line: not a tag
        inner = text[m.end():k].strip()
        _annotate(st, m.start(), k + 1, "responsibility", inner)
    for i in range(len(st.lines)):
        t = st.line_text(i)
        if t and len(t) <= 150 and _RESPONSIBILITY_LINE.match(t):
            s, e = st.lines[i]
            _annotate(st, s, e, "responsibility", t)


_NOTICE = re.compile(r"遗失[^\n]{0,40}(?:\n[^\n]{0,40}){0,8}?声\s*\n?\s*明\s*\n?\s*作\s*\n?\s*废\s*[。.]?")


def mark_notices(st: _State) -> None:
    """Lost-seal and similar notices the newspaper page mixes in."""
    for m in _NOTICE.finditer(st.text):
        if "公章" in m.group(0) or "印章" in m.group(0) or "证" in m.group(0):
            st.mark(m.start(), m.end(), "notice")


#: a table-of-contents entry with a leader: ``第一章 总体要求 ………… 3``,
#: ``（一）指导思想.......2`` (dots, ellipses, middle dots; a page number or not)
_LEADER = re.compile(r"^(?P<title>.*?[^\s.．·…•_])?\s*(?:[.．·…•_]\s*){4,}(?P<page>\d{1,3}|[ivxlcIVXLC]{1,6})?\s*$")


_LEADER_CHARS = ".．·…•_"
_PAGE_TAIL = " \t\u3000\xa00123456789ivxlcIVXLC"


def _leader_entry(t: str) -> tuple[str, bool] | None:
    """``(title, has page number)`` of a dot-leader TOC line, or None."""
    core = t.rstrip(_PAGE_TAIL)
    if not core or core[-1] not in _LEADER_CHARS:
        return None  # most lines: no leader at their end
    m = _LEADER.match(t)
    if m is None or not m.group("title"):
        return None
    return m.group("title"), m.group("page") is not None


def _norm_heading(t: str) -> str:
    entry = _leader_entry(t)
    if entry is not None:
        t = entry[0]
    return re.sub(r"[\s。.]", "", t)


def _leader_run(st: _State, j: int) -> int | None:
    """Last line of a run of dot-leader entries starting at line ``j`` (blank
    lines and an entry's title wrapped onto a line of its own allowed)."""
    n, last = len(st.lines), None
    while j < n:
        t = st.line_text(j)
        if not t:
            j += 1
            continue
        if _leader_entry(t) is not None:
            last, j = j, j + 1
            continue
        # a title too long for one line goes on under it: short, no sentence inside
        if last is not None and len(t) <= 40 and "。" not in t:
            k = j + 1
            while k < n and not st.line_text(k):
                k += 1
            if k < n and _leader_entry(st.line_text(k)) is not None:
                j = k
                continue
        break
    return last


def mark_toc(st: _State) -> None:
    """Tables of contents: a 目录 block (from its title to the body's repeat of
    its first entry, or to its last dot-leader entry), and runs of dot-leader
    entries with page numbers wherever they stand."""
    n = len(st.lines)
    for i in range(n):
        s, e = st.lines[i]
        if e - s > 40 or "目" not in st.text[s:e] or re.sub(r"\s", "", st.line_text(i)) not in ("目录", "目次"):
            continue
        first, first_i = None, None
        for j in range(i + 1, n):
            t = st.line_text(j)
            if t:
                first, first_i = _norm_heading(t), j
                break
        if first is None:
            break
        if _leader_entry(st.line_text(first_i)) is not None:  # entries with leaders: the block ends with them
            last = _leader_run(st, first_i)
            for j in range(i, last + 1):
                st.mark_line(j, "toc", "目录 with dot-leader entries")
            break
        end = None
        for j in range(first_i + 1, n):
            t = st.line_text(j)
            if t and _norm_heading(t) == first:
                end = j
                break
            if len(t) > 80 or (len(t) > 30 and "。" in t[:-1]):
                end = j
                break
        if end is None:
            break
        for j in range(i, end):
            st.mark_line(j, "toc", "目录 up to the body's repeat of its first entry")
        break
    i = 0
    while i < n:  # leader entries without a 目录 title: two or more, with page numbers
        t = st.line_text(i)
        entry = _leader_entry(t) if t else None
        if entry is None or not entry[1]:
            i += 1
            continue
        last = _leader_run(st, i)
        entries = [k for k in range(i, last + 1) if (e := _leader_entry(st.line_text(k))) and e[1]]
        if len(entries) >= 2:
            for k in range(i, last + 1):
                st.mark_line(k, "toc", "dot-leader entries with page numbers")
        i = last + 1


_FORM_FEED = re.compile("[\f\v]+")


def mark_page_breaks(st: _State) -> None:
    """Form feeds (and vertical tabs) a PDF extraction puts at page breaks."""
    if "\f" not in st.text and "\v" not in st.text:
        return
    for m in _FORM_FEED.finditer(st.text):
        st.mark(m.start(), m.end(), "page", "form feed (page break)")


#: a line holding nothing but a page number: ``12``, ``- 12 -``, ``—12—``,
#: ``第12页``, ``12 / 40``
_PAGE_LINE = re.compile(r"^(?:[-—–－]\s*)?(\d{1,3})(?:\s*[-—–－])?$|^第\s*(\d{1,3})\s*页(?:\s*[/／，,]?\s*共\s*\d{1,3}\s*页)?$"
                        r"|^(\d{1,3})\s*[/／]\s*\d{1,3}$")
MIN_PAGE_TEXT = 120  # Chinese characters between two page numbers: at least a part of a page


def mark_page_numbers(st: _State) -> None:
    """Page numbers on lines of their own, or glued to the end of a line
    (``…企业积极性，4`` where a page break fell inside a sentence): removed, and
    the lines around are re-joined as usual.

    A number is a page number only as part of a run of them: three or more
    that count up by one (a page without a number may be skipped) with at
    least :data:`MIN_PAGE_TEXT` Chinese characters of text between each two —
    so numbers of a flattened table or a list stay.  A number ending a line of
    text counts only when the next line does not go on with its unit
    (``达到62`` / ``家``), and, when the text has page numbers on lines of their
    own, only where one of them is missing.
    """
    n = len(st.lines)
    alone: list[tuple[int, int, int, int]] = []  # (line, value, start, end)
    glued: list[tuple[int, int, int, int]] = []
    for i, (s, e) in enumerate(st.lines):
        if s == e:
            continue
        if e - s <= 24:
            t = st.line_text(i)
            if t and t[0] in "-—–－第0123456789" and len(t) <= 16:
                m = _PAGE_LINE.match(t)
                if m:
                    alone.append((i, int(m.group(1) or m.group(2) or m.group(3)), s, e))
                    continue
        if st.text[e - 1].isdigit():
            m = _PAGE_GLUED.search(st.text, s, e)
            if m and not st.marks[m.start(1)]:
                nxt = next((st.line_text(k) for k in range(i + 1, min(n, i + 4)) if st.line_text(k)), "")
                if nxt and not (nxt[0].isdigit() or nxt[0] in _NUMBER_UNITS):
                    glued.append((i, int(m.group(1)), m.start(1), m.end(1)))
    if len(alone) + len(glued) < 3:
        return
    han_before, total = [0] * (n + 1), 0
    for i, (s, e) in enumerate(st.lines):
        han_before[i] = total
        total += han_count(st.text[s:e])
    han_before[n] = total

    def chains_of(candidates):
        chains: list[list[tuple[int, int, int, int]]] = []
        for c in candidates:
            for chain in reversed(chains):
                last = chain[-1]
                if 1 <= c[1] - last[1] <= 2 and han_before[c[0]] - han_before[last[0]] >= MIN_PAGE_TEXT:
                    chain.append(c)
                    break
            else:
                chains.append([c])
        return [ch for ch in chains if len(ch) >= 3]

    found = chains_of(alone)
    if found:  # a number glued to a line fills a gap of the run: between pages v-1 and v+1
        for chain in found:
            for before, after in zip(chain, chain[1:]):
                if after[1] - before[1] == 2:
                    fill = next((g for g in glued if before[0] < g[0] < after[0] and g[1] == before[1] + 1), None)
                    if fill:
                        chain.append(fill)
    else:
        found = chains_of(glued)
    for chain in found:
        chain.sort()
        detail = f"page number (pages {chain[0][1]}–{chain[-1][1]} count up through the text)"
        for line, _, start, end in chain:
            st.mark(start, end, "page", detail)


#: what goes on after a number broken off at a line end: a measure word or unit (``62`` / ``家``)
_NUMBER_UNITS = "个万亿千百年月日号次项家所条座名人元倍批轮类级期种处栋套台辆艘架只场届岁周天件款吨户间亩米克公平立%％.．‰"
_PAGE_GLUED = re.compile(r"(?<=[，。、；：”）》\u4e00-\u9fff])[ \t\u3000\xa0]*(\d{1,3})[ \t\u3000\xa0]*$")


_CAPTION = re.compile(r"^图\s*\d+(?:\s*[-－.]\s*\d+)?(?:\s+|[:：]\s*)\S")


def mark_captions(st: _State) -> None:
    for i in range(len(st.lines)):
        t = st.line_text(i)
        if t and _CAPTION.match(t) and len(t) <= 60 and not t.endswith("。"):
            st.mark_line(i, "caption")


_TABLE_CAPTION = re.compile(
    r"^(?:表\s*(?:\d+(?:\s*[-－.]\s*\d+)?|[一二三四五六七八九十]{1,3})\s*\S.*|(?:附表|续表).*|\d{1,2}\s+\S.{2,40}表)$"
)
_NUMERIC_CELL = re.compile(r"^[\d\s.,，:：%％‰≥≤<>＜＞~～\-—/()（）约左右以上以下万亿元个×]+$")
_TABLE_WORDS = {"预期性", "约束性", "指标属性", "单位", "序号", "类别", "指标", "指标名称", "属性"}
_NOTE_START = re.compile(r"^(?:注|备注|说明)\s*[:：]|^[（(]?\s*\d{1,2}\s*[）)]")


def _cell_like(t: str) -> bool:
    if not t or len(t) > 40 or t[-1] in "。；;！？":
        return False
    lab = match_label(t)
    if lab and lab.form in ("chapter", "section", "cn", "paren_cn", "part"):
        return False
    return not match_box(t)


_CELL_SPACE = re.compile(rf"\s+(?=[{HAN_CLASS}（(）)%])|(?<=[{HAN_CLASS}（(）)])\s+")


def _cell(text: str) -> str:
    """A table cell as shown: PDF spaces next to Chinese text taken out."""
    return _CELL_SPACE.sub("", text.strip()).replace("\xa0", " ")


def _rows(cells: list[str]) -> tuple[tuple[str, ...], ...]:
    """Regroup one-cell-per-line table text into rows (best effort).

    Indicator tables number their rows (1, 2, 3 … each followed by the
    indicator's name): a row starts at each serial number.  Other tables
    start a row where a text cell follows a numeric one.
    """
    is_num = [bool(_NUMERIC_CELL.match(c)) for c in cells]
    serial_at, expect = [], 1
    for k, c in enumerate(cells):
        if c == str(expect) and k + 1 < len(cells) and not is_num[k + 1]:
            serial_at.append(k)
            expect += 1
    rows: list[list[str]] = [[]]
    if len(serial_at) >= 2:
        starts = set(serial_at)
        for k, c in enumerate(cells):
            if k in starts:
                rows.append([])
            rows[-1].append(c)
    else:
        for k, c in enumerate(cells):
            if k and not is_num[k] and is_num[k - 1]:
                rows.append([])
            rows[-1].append(c)
    return tuple(tuple(_cell(c) for c in r) for r in rows if r)


def _tsv_row(raw: str) -> list[str] | None:
    """Cells of a tab-separated row (Word/Markdown conversions), or None."""
    if raw.count("\t") < 2:
        return None
    cells = [c.strip() for c in raw.split("\t")]
    return cells if sum(1 for c in cells if c) >= 2 else None


def _table_block(st: _State, i: int, caption: str | None) -> tuple[int, list[tuple[str, ...]]] | None:
    """The table starting at line ``i``: (last line, rows), or None."""
    n = len(st.lines)
    j = i + 1 if caption else i
    while j < n and not st.line_text(j):
        j += 1
    if j < n and _tsv_row(st.text[slice(*st.lines[j])]) is not None:
        rows, last = [], None
        while j < n:
            raw = st.text[slice(*st.lines[j])]
            if not raw.strip():
                j += 1
                continue
            row = _tsv_row(raw)
            if row is None:
                break
            rows.append(tuple(_cell(c) for c in row))
            last, j = j, j + 1
        return (last, rows) if len(rows) >= 2 else None
    if not caption:
        run, p, numeric = _cell_run(st, j)
        if len(run) - p >= 8 and numeric >= 0.3 * (len(run) - p):
            return run[-1][0], list(_rows([c for _, c in run[p:]]))
        return None
    cells: list[tuple[int, str]] = []
    while j < n:
        u = st.line_text(j)
        if not u:
            j += 1
            continue
        if not _cell_like(u):
            break
        cells.append((j, u))
        j += 1
    if len(cells) >= 4:
        return cells[-1][0], list(_rows([c for _, c in cells]))
    return None


def _is_numeric_cell(c: str) -> bool:
    return bool(_NUMERIC_CELL.match(c)) or c in _TABLE_WORDS


def _cell_run(st: _State, j: int) -> tuple[list[tuple[int, str]], int, int]:
    """The cell-like lines from line ``j`` on, for a table without caption.

    Returns ``(run, p, numeric)``: the candidate table is ``run[p:]`` and
    ``numeric`` counts its numeric cells.  The run ends at the first line
    that is not cell-like or is a table caption, wherever it started, so
    every later line of a run reuses it: a long run of short lines that is
    not a table is scanned once, not once per line (which was quadratic).
    """
    if st.cell_run is not None:
        pos, run, numeric = st.cell_run
        p = pos.get(j)
        if p is not None:
            return run, p, numeric[p]
    n = len(st.lines)
    run = []
    while j < n:
        u = st.line_text(j)
        if not u:
            j += 1
            continue
        if not _cell_like(u) or (run and _TABLE_CAPTION.match(u)):
            break
        run.append((j, u))
        j += 1
    numeric = [0] * (len(run) + 1)  # numeric[p]: numeric cells in run[p:]
    for k in range(len(run) - 1, -1, -1):
        numeric[k] = numeric[k + 1] + _is_numeric_cell(run[k][1])
    st.cell_run = ({line: k for k, (line, _) in enumerate(run)}, run, numeric)
    return run, 0, numeric[0]


def _table_notes(st: _State, last: int) -> int:
    """Extend a table over the notes right under it (注：…, (1)…, wrapped lines)."""
    n, k, in_notes, open_ = len(st.lines), last + 1, False, False
    while k < n:
        u = st.line_text(k)
        if not u:
            k += 1
            continue
        if _NOTE_START.match(u) and (in_notes or u[:1] in "注备说"):
            in_notes = True
        elif not (in_notes and open_ and not match_label(u)):
            break
        last, open_ = k, u[-1] not in "。；;"
        k += 1
    return last


def mark_known_tables(st: _State) -> None:
    """Tables the source format marked up (``Source.tables``: .docx, .html),
    with a caption line right above and notes right under: removed from the
    text, kept as table records with the cells as given."""
    for known in st.known_tables:
        first = bisect.bisect_right(st._line_starts, known.start) - 1
        last = bisect.bisect_left(st._line_starts, known.end) - 1
        caption = ""
        above = first - 1
        while above >= 0 and not st.line_text(above):
            above -= 1
        if above >= 0:
            t = st.line_text(above)
            if _TABLE_CAPTION.match(t) and len(t) <= 60 and not t.endswith("。"):
                caption, first = t, above
        last = _table_notes(st, last)
        start, end = st.lines[first][0], st.lines[last][1]
        st.tables.append(TableRecord(f"t{len(st.tables) + 1}", start, end, caption, known.rows))
        for r in range(first, last + 1):
            st.mark_line(r, "table")


def mark_tables(st: _State) -> None:
    """Flattened tables (one cell per line, or tab-separated rows), with their
    caption and notes: removed from the text, kept as table records."""
    i, n = 0, len(st.lines)
    while i < n:
        t = st.line_text(i)
        if not t:
            i += 1
            continue
        caption = t if (_TABLE_CAPTION.match(t) and len(t) <= 60 and not t.endswith("。")) else None
        if caption is None and not _cell_like(t) and st.text.count("\t", *st.lines[i]) < 2:
            i += 1  # what _table_block would find: neither a cell nor a tab-separated row
            continue
        found = _table_block(st, i, caption)
        if found is None:
            i += 1
            continue
        last, rows = found
        last = _table_notes(st, last)
        start, end = st.lines[i][0], st.lines[last][1]
        st.tables.append(TableRecord(f"t{len(st.tables) + 1}", start, end, caption or "", tuple(rows)))
        for r in range(i, last + 1):
            st.mark_line(r, "table")
        st.cell_run = None  # its lines may have changed
        i = last + 1


#: where a footnote mark can stand: glued after a percent sign or a closing
#: mark and followed by punctuation or the line end (``61.98%1。``) …
_NOTE_AFTER_MARK = re.compile(r"(?<=[%％”’」』）)》])([1-9]\d?)(?=[。，,；;、：:）)]|[ \t\u3000]*$)", re.M)
#: … or between two Chinese characters (``放宽2新型``), where a number would
#: be followed by a measure word (``建成2个``) or preceded by 第 (``第5代``)
_NOTE_IN_WORDS = re.compile(f"[{HAN_CLASS}]([1-9]\\d?)(?=[{HAN_CLASS}])")
_CLASSIFIERS = ("个万亿千百年月日号次项家所条座名人元倍批轮类级期种处栋套台辆艘架只场届域区镇村县市省星位成层部支张篇"
                "大小方线型横纵廊链园中平环网带圈心核港湾极片馆室站路桥都点美化步轴屏码产业同全有不为上以岁分秒周天"
                "件代款吨户间栏版册米亩")
_ORDINAL_BEFORE = "第"
#: the notes themselves: a line opening with the number (``1 数据来源：…``,
#: ``[1] …``, ``注1：…``)
MAX_NOTE = 200  # characters of a footnote kept aside as an annotation
_NOTE_LINE = re.compile(r"^(?:注\s*)?(?:[\[［]\s*(\d{1,2})\s*[\]］]|(\d{1,2})(?:\s+|\s*[:：]\s*)(?=[^\d\s.．、,，%％)）]))")


def mark_footnotes(st: _State) -> None:
    """Footnote marks glued to the text, removed only when proven.

    A PDF extraction flattens a superscript note number into the line, right
    after the word, number or closing mark it annotates (``61.98%1。``,
    ``放宽2新型``).  Real numbers stand there too (``等9件``, ``“保7争6”``,
    ``第5代``), so position is only a candidate: a mark is removed when its
    note is found (a line opening with its number), or when it belongs to the
    run 1, 2, 3 … that note numbers make in document order (at least two marks;
    a run starts again at a 1 proven on its own, as notes numbered per page do;
    a single one only right after ``%`` or a closing mark, where no number
    can follow).  The audit's detail says which proof holds.  The note line of
    a removed mark is kept aside as an annotation of kind ``footnote``.
    """
    text = st.text
    if not any(c.isdigit() for c in text):
        return
    candidates: list[tuple[int, int, bool]] = []  # (start, value, strong position)
    for m in _NOTE_AFTER_MARK.finditer(text):
        candidates.append((m.start(1), int(m.group(1)), True))
    for m in _NOTE_IN_WORDS.finditer(text):
        before, after = text[m.start()], text[m.end()]
        if after in _CLASSIFIERS or before in _ORDINAL_BEFORE:
            continue
        candidates.append((m.start(1), int(m.group(1)), False))
    if not candidates:
        return
    candidates.sort()
    if not any(value == 1 for _, value, _ in candidates):
        return  # every run of notes starts at 1
    notes: dict[int, int] = {}  # number -> offset of its note line
    note_line: dict[int, int] = {}  # number -> the note line
    for i, (s, e) in enumerate(st.lines):
        if s == e or not (text[s].isdigit() or text[s] in "注[［ \t\u3000"):
            continue
        m = _NOTE_LINE.match(st.line_text(i))
        if m:
            num = int(m.group(1) or m.group(2))
            if num not in notes:
                notes[num], note_line[num] = s, i
    # runs 1, 2, 3 … in document order; notes numbered per page or per chapter
    # start again at 1, which a mark that is proven on its own may do
    runs: list[list[tuple[int, int, bool]]] = []
    for start, value, strong in candidates:
        if value == 1 and (not runs or strong or 1 in notes):
            runs.append([(start, value, strong)])
        elif runs and value == runs[-1][-1][1] + 1:
            runs[-1].append((start, value, strong))
    for run in runs:
        for start, value, strong in run:
            if value in notes and notes[value] != start:
                why = f"note {value} at offset {notes[value]}"
            elif len(run) >= 2:
                why = f"mark {value} of the run 1–{len(run)} in document order"
            elif strong:
                why = f"glued after {text[start - 1]!r}, where no number can follow"
            else:
                continue
            st.mark(start, start + len(str(value)), "footnote", why)
            if value in note_line and len(st.line_text(note_line[value])) <= MAX_NOTE:
                s, e = st.lines[note_line[value]]  # the note itself: about the text, not the text
                _annotate(st, s, e, "footnote", st.line_text(note_line[value]))


_SPACES = re.compile(rf"[ \t\u3000\xa0{INVISIBLE}]+")  # invisible characters count as space
#: digits printed one by one with spaces between (``2 0 0 5年``, ``1 1万公里``):
#: single characters, never a multi-digit number on either side (``2020 2025`` stays)
_SPACED_DIGITS = re.compile(r"(?<![0-9A-Za-z.．])[0-9](?:[ \u3000\xa0]{1,2}[0-9.．%％])+(?![0-9A-Za-z.．])")
_WIDE_PUNCT = set(CJK_PUNCT) - set(",.;:?!()")


@functools.cache
def _cjkish(ch: str) -> bool:
    return is_han(ch) or ch in _WIDE_PUNCT or ("\uff00" <= ch <= "\uffef")


def mark_spaces(st: _State) -> None:
    """Indentation and trailing spaces (layout); spaces inside Chinese text.

    A space run is removed when it touches a Chinese character or full-width
    punctuation on either side (``人 口``, ``2020 年``), or splits a decimal
    (``85. 1``); spaces between two Latin words or numbers stay.  Invisible
    characters (a web page's zero-width space, soft hyphen, BOM) count as
    space: ``推\u200b进`` reads 推进, and a line of them alone is blank.
    """
    text, marks = st.text, st.marks
    for s, e in st.lines:
        if s == e:
            continue
        line = text[s:e]
        if " " in line or "\u3000" in line or "\xa0" in line:
            for m in _SPACED_DIGITS.finditer(line):
                for g in _SPACES.finditer(m.group()):
                    st.mark(s + m.start() + g.start(), s + m.start() + g.end(), "space",
                            "letter-spaced digits (newspaper database)")
        for m in _SPACES.finditer(line):
            a, b = s + m.start(), s + m.end()
            if a > s and not marks[a - 1]:
                left = text[a - 1]
            else:
                left = next((text[k] for k in range(a - 1, s - 1, -1) if not marks[k]), "")
            if b < e and not marks[b]:
                right = text[b]
            else:
                right = next((text[k] for k in range(b, e) if not marks[k]), "")
            invisible = "invisible character (zero-width space, soft hyphen, BOM…)" if _INVISIBLE_RUN.fullmatch(
                text, a, b) else ""
            if not left or not right:
                st.mark(a, b, "layout", invisible)
            elif _cjkish(left) or _cjkish(right):
                st.mark(a, b, "space", invisible)
            elif left in ".．" and right.isdigit() and a - 2 >= s and text[a - 2].isdigit():
                st.mark(a, b, "space")
            elif left in "(（" or right in ")）%％":
                st.mark(a, b, "space")


#: the gap between a heading and the sentence after it on the same line:
#: full-width spaces, or two spaces or more
_HEADING_GAP = re.compile(r"[\u3000]+[ \u3000]*|[ \xa0]{2,}[ \u3000\xa0]*")
MAX_GAP_HEADING = 30  # characters of a heading title set off by spaces
_STOP_GAP = re.compile(r"(?<=[。；])[ \u3000\xa0]+(?=\S)")
_OUTER_FORMS = ("part", "chapter", "section", "cn", "paren_cn")  # labels never used for inline enumeration


def split_spaced_headings(st: _State) -> None:
    """A labelled heading set off from its first sentence only by spaces
    (``第一节　加强水利建设　水利建设要全面规划…``) becomes a line of its own.

    The label (第一节, 一、, （一）…) must open the line; the title after it is
    short and holds no punctuation; the gap is full-width spaces or two
    spaces or more, and text follows it.
    """
    starts = [s for s, _ in st.lines]
    hit = sorted({bisect.bisect_right(starts, m.start()) - 1 for m in _SPLIT_HINT.finditer(st.text)}, reverse=True)
    for i in hit:  # from the end: a split shifts only the lines after it, already done
        if _split_after_stop(st, i):
            _split_heading_gap(st, i + 1)
        _split_heading_gap(st, i)


_SPLIT_HINT = re.compile(r"\u3000|  |[。；][ \u3000\xa0]")


def _split_after_stop(st: _State, i: int) -> bool:
    """``…技术。 （二）深化…``: a heading glued after a stop and spaces."""
    s, e = st.lines[i]
    raw = st.text[s:e]
    for m in _STOP_GAP.finditer(raw):
        lab = match_label(raw[m.end():])
        if lab is not None and lab.form in _OUTER_FORMS:
            a, b = s + m.start(), s + m.end()
            st.mark(a, b, "layout", "heading after a stop and spaces: split onto a line of its own")
            st.split_line(i, a, b)
            return True
    return False


def _split_heading_gap(st: _State, i: int) -> None:
    """``第一节　加强水利建设　水利建设要…``: a labelled title, a gap, a sentence."""
    s, e = st.lines[i]
    raw = st.text[s:e]
    lead = len(raw) - len(raw.lstrip(" \t\u3000\xa0"))
    body = raw[lead:]
    lab = match_label(body) if body and ("\u3000" in body or "  " in body) else None
    if lab is None or lab.form in ("arabic", "paren_arabic", "circled"):
        return
    gap = _HEADING_GAP.search(body, lab.end)
    title = body[lab.end:gap.start()] if gap else ""
    rest = body[gap.end():] if gap else ""
    if (gap is None or not 2 <= len(title) <= MAX_GAP_HEADING or len(rest) < 2
            or any(c in title for c in "。！？；;，,：:、")):
        return
    a, b = s + lead + gap.start(), s + lead + gap.end()
    st.mark(a, b, "layout", "heading set off by spaces: split from the sentence after it")
    st.split_line(i, a, b)


# --------------------------------------------------------------------------
# Paragraphs


#: East Asian "ambiguous" marks that Chinese typesetting prints full width
_AMBIGUOUS_WIDE = re.compile("[—“”‘’…·]")


def _printed_width(line: str) -> int:
    """The width a line took on the page: :func:`display_width`, with the dashes,
    quotes and ellipses of Chinese text counted full width as they are printed."""
    return display_width(line) + len(_AMBIGUOUS_WIDE.findall(line))


def _wrapped_width(widths: list[int]) -> int | None:
    """The column width when most lines are hard-wrapped to one width."""
    long = [w for w in widths if w >= 16]
    if len(long) < 20:
        return None
    mode = Counter(long).most_common(1)[0][0]
    near = sum(1 for w in widths if mode - 4 <= w <= mode + 2)
    if mode <= 80 and near >= 0.5 * len(widths):
        return mode
    return None


_BRACKET = re.compile("[" + re.escape("".join(sorted(set(_OPENERS) | set(_OPENERS.values())))) + "]")


def _unclosed(t: str) -> bool:
    depth: list[str] = []
    for m in _BRACKET.finditer(t):  # other characters change nothing
        ch = m.group()
        if ch in _OPENERS:
            depth.append(_OPENERS[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
    return bool(depth)


def _ends_terminal(t: str) -> bool:
    t = t.rstrip(_CLOSERS)
    return bool(t) and t[-1] in _TERMINAL


_TITLE_END = re.compile(r"(?:通知|规划|纲要|意见|办法|方案|决定|报告|公告|通告|批复|函)[”》]?$")
_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")


def _starts_block(t: str) -> bool:
    return bool(
        match_label(t)
        or match_box(t)
        or t.startswith(("——", "—", "•", "·"))
        or _NOTE_START.match(t)
        or _DATE_LINE.match(t)
    )


def _standalone_heading(t: str, md: bool) -> bool:
    """A heading line that ends its own paragraph."""
    if md:
        return True
    lab = match_label(t) or match_box(t)
    if not lab:
        return False
    rest = t[lab.end:]
    return not any(c in rest for c in "。！？；;")


def _continues(prev: str, prev_md: bool, prev_width: int, nxt: str, wrapped: int | None,
               stops_lost: bool = False) -> bool:
    """Does line ``nxt`` continue the paragraph that line ``prev`` ends?

    ``prev_width`` is the display width of the line as printed (before
    cleaning), which is what tells a hard-wrapped line from a short last one.
    ``stops_lost``: the text's lines end without stops (see :func:`_stops_lost`),
    so a line ending in a word ends its sentence.
    """
    if prev_md or _starts_block(nxt):
        return False
    if _unclosed(prev):
        return True
    full = wrapped is not None and prev_width >= wrapped - 6
    if _ends_terminal(prev):
        return full and prev.rstrip(_CLOSERS)[-1] in "；;"
    if wrapped:
        lab = match_label(prev) or match_box(prev)
        if lab and not any(c in prev[lab.end:] for c in "，,；;：:。"):  # a heading, not a run-in one
            return False
        return full
    if _standalone_heading(prev, False) or _TITLE_END.search(prev):
        return False
    # one line per paragraph: only a line cut mid-phrase (page break) goes on
    if stops_lost:
        return prev[-1] in "，、,“（(《"
    return len(prev) >= 20 and (is_han(prev[-1]) or prev[-1] in "，、,“（(《")


MIN_STOPLESS_LINES = 8  # long lines needed to judge whether a text lost its stops
STOPLESS_SHARE = 0.25  # below this share of long lines ending with a stop, the stops were lost


def _stops_lost(texts: list[str]) -> tuple[int, int] | None:
    """``(ended, long)`` when the sentence stops of a one-line-per-paragraph
    text were lost in extraction (a line break where 。 stood): of its long
    lines (20+ characters, headings aside), fewer than :data:`STOPLESS_SHARE`
    end with a stop.  None when the text keeps its stops."""
    long = [t for t in texts if len(t) >= 20 and not _standalone_heading(t, False)]
    if len(long) < MIN_STOPLESS_LINES:
        return None
    ended = sum(1 for t in long if _ends_terminal(t))
    return (ended, len(long)) if ended < STOPLESS_SHARE * len(long) else None


def _ends_in_word(para_text: str, last: str) -> bool:
    """A paragraph whose last line ends in a word, not a stop, and is no heading or title."""
    core = last.rstrip(_CLOSERS)
    return (bool(core) and is_han(core[-1]) and not _standalone_heading(para_text, False)
            and not _TITLE_END.search(para_text) and not _DATE_LINE.match(last))


def _paragraphs(st: _State) -> tuple[list[tuple[int, int]], int | None, set[int]]:
    """Mark line breaks (joined) and layout (paragraph breaks); return the
    paragraphs as original ``[start, end)`` spans of kept text."""
    items = []  # (line index, kept text, printed width)
    for i, (s, e) in enumerate(st.lines):
        t = st.line_text(i)
        if t:
            items.append((i, t, _printed_width(st.text[s:e].strip())))
        else:
            st.mark(s, e, "layout")
    wrapped = _wrapped_width([w for _, _, w in items])
    lost = None if wrapped else _stops_lost([t for _, t, _ in items])
    paras: list[list[int]] = []
    para_text: list[str] = []
    stopped: set[int] = set()  # paragraphs that end where a stop was lost
    marks, lines, n = st.marks, st.lines, len(st.text)
    for k, (i, t, _) in enumerate(items):
        pi, pt, pw = items[k - 1] if k else (0, "", 0)
        if k and _continues(pt, pi in st.md_heading, pw, t, wrapped, lost is not None):
            paras[-1].append(i)
            para_text[-1] += t
            continue
        if k and pi not in st.md_heading and _ends_in_word(para_text[-1], pt):
            detail = None
            if lost is not None:
                detail = f"lines end without stops ({lost[0]} of {lost[1]} long lines end with one)"
            elif wrapped and len(paras[-1]) >= 2 and pw < wrapped - 6:
                detail = f"a paragraph's last line, shorter than the text width ({pw} of {wrapped} columns)"
            e = lines[pi][1]
            if detail and e < n and not marks[e]:
                st.mark(e, e + 1, "stop", detail)
                stopped.add(len(paras) - 1)
        paras.append([i])
        para_text.append(t)
    # newline characters: inside a paragraph → linebreak, elsewhere → layout;
    # set directly rather than through st.mark(), first marker still winning
    code = _CODE["linebreak"]
    for para in paras:
        for j in range(para[0], para[-1]):
            e = lines[j][1]
            if not marks[e]:
                marks[e] = code
    code = _CODE["layout"]
    for _, e in lines[:-1]:  # every other newline (the last line has none)
        if not marks[e]:
            marks[e] = code
    spans = [(st.lines[para[0]][0], st.lines[para[-1]][1]) for para in paras]
    md = {k for k, para in enumerate(paras) if para[0] in st.md_heading}
    if lost is not None and paras and _ends_in_word(para_text[-1], st.line_text(paras[-1][-1])):
        stopped.add(len(paras) - 1)  # the last paragraph lost its stop too (no line break to mark)
    return spans, wrapped, md, stopped


# --------------------------------------------------------------------------
# Pipeline

STEPS = (split_spaced_headings, mark_known_tables, mark_page_breaks, mark_markup, mark_chrome, mark_database_header,
         mark_footers, mark_notices, mark_toc, mark_captions, mark_tables, mark_page_numbers, mark_responsibility,
         mark_footnotes, mark_spaces)


def clean_text(original: str, known_tables: Sequence[KnownTable] = ()) -> Cleaned:
    """Clean an original plan text; see the module docstring.

    ``known_tables`` are the tables the source file marked up as such (see
    :attr:`align.records.Source.tables`).
    """
    st = _State(original, bytearray(len(original)), _split_lines(original), known_tables=tuple(known_tables))
    for step in STEPS:
        step(st)
    if st.known_tables:  # known tables were recorded first: number all in document order
        st.tables = [replace(t, table_id=f"t{k}") for k, t in enumerate(sorted(st.tables, key=lambda t: t.start), 1)]
    para_spans, wrapped, md, stopped = _paragraphs(st)
    return _assemble(st, para_spans, wrapped, md, stopped)


def _assemble(st: _State, para_spans: list[tuple[int, int]], wrapped: int | None, md: set[int],
              stopped: set[int]) -> Cleaned:
    marks, text = bytes(st.marks), st.text
    removals: list[Removal] = []
    table_at = {t.start: t.table_id for t in st.tables}
    detail_at = sorted(st.details)
    for m in re.finditer(rb"([\x01-\xff])\1*", marks):
        reason = _NAME[m.group(1)[0]]
        if reason == "table":
            detail = table_at.get(m.start(), "")
        else:  # the details of the marks this run merges, each once
            lo, hi = bisect.bisect_left(detail_at, m.start()), bisect.bisect_left(detail_at, m.end())
            detail = "; ".join(dict.fromkeys(st.details[k] for k in detail_at[lo:hi]))
        removals.append(Removal(m.start(), m.end(), reason, detail))
    clean_starts, orig_starts, lengths = array("q"), array("q"), array("q")
    pieces: list[str] = []
    pos = 0
    for m in re.finditer(rb"\x00+", marks):
        clean_starts.append(pos)
        orig_starts.append(m.start())
        lengths.append(m.end() - m.start())
        pieces.append(text[m.start():m.end()])
        pos += m.end() - m.start()
    kept = "".join(pieces)

    def kept_before(x: int) -> int:
        i = bisect.bisect_left(orig_starts, x) - 1
        return 0 if i < 0 else clean_starts[i] + min(x - orig_starts[i], lengths[i])

    paragraphs, md_paragraphs, stop_paragraphs, para_starts = [], set(), set(), []
    for k, (s, e) in enumerate(para_spans):
        a, b = kept_before(s), kept_before(e)
        if b > a:
            if k in md:
                md_paragraphs.add(len(paragraphs))
            if k in stopped:
                stop_paragraphs.add(len(paragraphs))
            paragraphs.append((a, b))
            para_starts.append(s)
    annotations = []
    for k, a in enumerate(sorted(st.annotations, key=lambda a: a.start), 1):
        # a responsibility tag belongs to the measure it closes: the paragraph it stands in or follows
        p = bisect.bisect_right(para_starts, a.start) - 1 if a.kind == "responsibility" else -1
        annotations.append(replace(a, annotation_id=f"a{k}", paragraph=p))
    offsets = OffsetMap(clean_starts, orig_starts, len(kept))
    return Cleaned(text, kept, paragraphs, offsets, removals, st.tables, wrapped, frozenset(md_paragraphs),
                   annotations, frozenset(stop_paragraphs))
