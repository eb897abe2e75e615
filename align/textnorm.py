"""Character classes and the matching key.

The matching key is a 1:1 (same length) folding of a text: full-width ASCII
forms become half-width, the ideographic space a space, Latin letters lower
case, and a few look-alike characters one canonical form.  Because it keeps
the length, a position in the key is the same position in the text, so
evidence found on keys can be shown on the original wording.

>>> matching_key("城镇化率（%）达到７５％")
'城镇化率(%)达到75%'
>>> matching_key("推动长三角⼀体化")  # a Kangxi radical, as PDF extraction leaves it
'推动长三角一体化'
"""
from __future__ import annotations

import re


def _build_fold_table() -> dict[int, int]:
    table = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！..～ → !..~
    table[0x3000] = 0x20  # ideographic space
    table.update({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})
    for full in range(0xFF21, 0xFF3B):  # Ａ..Ｚ → a..z
        table[full] = full - 0xFEE0 + 32
    table.update(
        {
            ord("○"): ord("〇"),  # white circle used for zero in 二○三五
            ord("◯"): ord("〇"),
            ord("∶"): ord(":"),  # ratio sign in 1.96∶1
            ord("﹪"): ord("%"),
            ord("‧"): ord("·"),
            ord("•"): ord("·"),
            ord("—"): ord("-"),
            ord("－"): ord("-"),
            ord("–"): ord("-"),
            ord("‘"): ord("'"),
            ord("’"): ord("'"),
            ord("“"): ord('"'),
            ord("”"): ord('"'),
            ord("「"): ord('"'),
            ord("」"): ord('"'),
            ord("『"): ord('"'),
            ord("』"): ord('"'),
            ord("【"): ord("["),
            ord("】"): ord("]"),
            ord("〔"): ord("["),
            ord("〕"): ord("]"),
        }
    )
    table.update(CJK_COMPAT_FOLD)
    return table


#: blocks of CJK look-alikes that PDF extraction and old fonts produce: Kangxi radicals (⼀ for 一),
#: CJK radicals, compatibility ideographs (and their supplement)
_CJK_COMPATIBILITY = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _cjk_compatibility_folds() -> dict[int, int]:
    """Each code point of :data:`_CJK_COMPATIBILITY` whose compatibility normal form (NFKC) is one
    other character, to that character (Unicode's own mapping: the key keeps its length)."""
    import unicodedata

    out = {}
    for lo, hi in _CJK_COMPATIBILITY:
        for code in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1 and folded != chr(code):
                out[code] = ord(folded)
    return out


#: the CJK look-alikes alone (:data:`_CJK_COMPATIBILITY`), for reading structure: ``第⼆章`` is a chapter
CJK_COMPAT_FOLD = _cjk_compatibility_folds()
FOLD_TABLE = _build_fold_table()  # holds CJK_COMPAT_FOLD
#: invisible format characters web pages and Word files leave inside words: soft hyphen, zero-width
#: space, non-joiner and joiner, word joiner, byte order mark
INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE = re.escape(INVISIBLE_CHARS)  # the same, as the body of a regular-expression class


_CN_DIGIT_RUN = re.compile("[〇零一二三四五六七八九]{3,}")
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _digits(m: re.Match) -> str:
    run = m.group(0)
    return run.translate(_CN_DIGITS) if "〇" in run or "零" in run else run


def matching_key(text: str) -> str:
    """Return the width-folded, same-length matching key of ``text``.

    Runs of Chinese digits with a zero (二〇三五) become Arabic digits, so a
    year reads the same however it is written.

    >>> matching_key("《规划》“十四五”二〇三五年") == '《规划》"十四五"2035年'
    True
    """
    return _CN_DIGIT_RUN.sub(_digits, text.translate(FOLD_TABLE))


_HAN_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\u3007"
HAN_RE = re.compile(f"[{HAN_CLASS}]")
_HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]+")

# Punctuation used in Chinese running text (full-width and the half-width
# forms that PDF/web extraction leaves behind).
CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】『』「」〔〕…—～·,.;:?!()"


def is_han(ch: str) -> bool:
    """True for a CJK ideograph (and 〇)."""
    code = ord(ch)
    if code == 0x3007:
        return True
    return any(lo <= code <= hi for lo, hi in _HAN_RANGES)


#: full stops that end a sentence only between two Chinese characters (``品质.全面实施``, as some PDF
#: and web extractions write 。); elsewhere they are decimal points, list labels, abbreviations
LATIN_STOPS = frozenset(".．")


def latin_stop_at(text: str, i: int) -> bool:
    """Whether ``text[i]`` is one of :data:`LATIN_STOPS` ending a sentence: between two Chinese characters.

    >>> latin_stop_at("品质.全面", 2), latin_stop_at("3.5亿", 1), latin_stop_at("1.推进", 1)
    (True, False, False)
    """
    return text[i] in LATIN_STOPS and 0 < i < len(text) - 1 and is_han(text[i - 1]) and is_han(text[i + 1])


def han_count(text: str) -> int:
    """Number of CJK ideographs in ``text``.

    Counted over runs, not characters: a list of one string per ideograph
    would take ~80 bytes per character of a large file.

    >>> han_count("到2025年，城镇化率达到75%")
    8
    """
    return sum(m.end() - m.start() for m in _HAN_RUN_RE.finditer(text))


#: Blocks whose every code point is East Asian Wide or Fullwidth (CJK
#: punctuation, ideographs, full-width forms): counted without a per-character
#: lookup.  tests/unit/test_textnorm.py checks each code point against unicodedata.
SURE_WIDE = "\u3000-\u303e\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_SURE_WIDE_RUN = re.compile(f"[{SURE_WIDE}]+")


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide (CJK, full-width) characters count 2.

    >>> display_width("城镇化率75%（预期性）")
    21
    """
    if text.isascii():  # ASCII is all Narrow or Neutral
        return len(text)
    import unicodedata

    rest = _SURE_WIDE_RUN.sub("", text)
    wide = len(text) - len(rest)
    if not rest.isascii():
        eaw = unicodedata.east_asian_width
        wide += sum(1 for ch in rest if ch > "\x7f" and eaw(ch) in "WF")
    return len(text) + wide


#: Control characters (C0, DEL, C1), line and paragraph separators and the bidirectional overrides
#: that can reorder what a terminal shows: escaped wherever text is shown in a terminal line
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_text(text: str, *, quotes: bool = False) -> str:
    r"""``text`` with control characters written as escapes (``\n``, ``\u001b``).

    >>> escape_text("id\nx")
    'id\\nx'
    """
    if quotes:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text)
