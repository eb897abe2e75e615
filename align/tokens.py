"""Word tokens for Chinese plan text: jieba with the policy lexicon.

A project-owned ``jieba.Tokenizer`` (its cache file in the user cache
directory, quiet on stderr) knows every lexicon term and every short quoted
expression (“…”) of the documents being compared as one word.

>>> tok = Tokenizer(extra_words=["人地钱挂钩"])
>>> "人地钱挂钩" in tok.cut("完善人地钱挂钩激励性配套政策")
True
"""
from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterable

from .lexicon import Lexicon, load_lexicon, strip_punct
from .textnorm import matching_key

# jieba 0.42's block and skip patterns (``jieba.re_han_default``, ``re_skip_default``, ``re_eng``)
_HAN_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_SKIP = re.compile("(\r\n|\\s)", re.U)
_ENG = re.compile("[a-zA-Z0-9]", re.U)
QUOTED = re.compile(r"[“\"「『]([^“”\"「」『』\n]{2,12})[”\"」』]")
_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()


def quoted_terms(text: str, max_len: int = 12) -> list[str]:
    """Short expressions in quotation marks: “千村示范、万村整治” → 千村示范、万村整治."""
    return [m.group(1) for m in QUOTED.finditer(text) if len(m.group(1)) <= max_len]


def _cache_dir() -> str:
    import platformdirs

    from pathlib import Path

    d = Path(platformdirs.user_cache_dir("planecho"))
    d.mkdir(parents=True, exist_ok=True)
    return str(d)


def _initialize(tok) -> None:
    """``tok.initialize()``, but reading jieba's dictionary cache in one piece.

    jieba unmarshals its 9 MB cache straight from the file object, which
    ``marshal`` reads in small pieces (about 1 s here); unmarshalling the
    file's bytes gives the same dictionary in a quarter of the time.  Anything
    unexpected falls back to jieba's own loading (which rebuilds the cache).
    """
    import marshal
    import os
    import tempfile

    import jieba

    if tok.dictionary == jieba.DEFAULT_DICT and not tok.cache_file:
        path = os.path.join(tok.tmp_dir or tempfile.gettempdir(), "jieba.cache")
        try:
            with open(path, "rb") as fh:
                freq, total = marshal.loads(fh.read())
            if isinstance(freq, dict) and isinstance(total, int):
                tok.FREQ, tok.total, tok.initialized = freq, total, True
                return
        except Exception:  # noqa: BLE001 - jieba treats any failure as "no cache" too
            pass
    tok.initialize()


class Tokenizer:
    """jieba word segmentation with the policy lexicon and extra words."""

    def __init__(self, lexicon: Lexicon | None = None, extra_words: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tok = jieba.Tokenizer()
        try:
            self._tok.tmp_dir = _cache_dir()
        except OSError:  # no writable cache: jieba falls back to its temp dir
            pass
        lexicon = lexicon or load_lexicon()
        with _lock:
            _initialize(self._tok)
        self._added: set[str] = set()
        self._logfreq: dict[str, float] = {}  # word → log(freq) - log(total), for the current total
        self._logfreq_total = -1
        for term, freq, tag in lexicon.freqs:
            self.add(term, freq, tag)
        for w in extra_words:
            self.add(w)

    def add(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        """Make ``word`` (key form, punctuation removed) one token."""
        w = strip_punct(matching_key(word))
        if len(w) >= 2 and not self.is_word(w):
            self._tok.add_word(w, freq or max(self._tok.suggest_freq(w, tune=False), 50), tag)
            self._added.add(w)

    def is_word(self, w: str) -> bool:
        """Is ``w`` a word of jieba's general dictionary (not one we added)?"""
        return w not in self._added and (self._tok.FREQ.get(w) or 0) > 0

    def cut(self, text: str) -> list[str]:
        """Word tokens of ``text`` (punctuation and spaces dropped).

        These are the tokens of ``jieba.Tokenizer.lcut(text, HMM=False)``,
        computed by :meth:`_cut_block` in one pass per block instead of
        jieba's DAG, route and generator steps (twice as fast, same words:
        ``tests/unit/test_speedups.py`` compares the two).
        """
        out: list[str] = []
        for blk in _HAN_BLOCK.split(text):
            if not blk:
                continue
            if _HAN_BLOCK.match(blk):
                self._cut_block(blk, out)
            else:
                for x in _SKIP.split(blk):
                    if _SKIP.match(x):
                        out.append(x)
                    else:
                        out.extend(x)
        return [t for t in out if _WORD.search(t)]

    def _cut_block(self, s: str, out: list[str]) -> None:
        """jieba's ``__cut_DAG_NO_HMM`` on one block: the most probable route
        through the dictionary words of ``s`` (same scores, same ties: a route
        is ``(score, end)`` compared as jieba compares its tuples)."""
        tok = self._tok
        if self._logfreq_total != tok.total:  # words were added: frequencies changed
            self._logfreq, self._logfreq_total = {}, tok.total
        logfreq, logtotal, get = self._logfreq, math.log(tok.total), tok.FREQ.get
        lf_get = logfreq.get
        n = len(s)
        score = [0.0] * (n + 1)  # route[k] = (score[k], end[k])
        end = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            best_s, best_i = None, -1
            i, frag = k, s[k]
            while i < n:
                f = get(frag)
                if f is None:
                    break
                if f:
                    w = lf_get(frag)
                    if w is None:
                        w = logfreq[frag] = math.log(f) - logtotal
                    c = w + score[i + 1]
                    if best_s is None or c > best_s or (c == best_s and i > best_i):
                        best_s, best_i = c, i
                i += 1
                frag = s[k : i + 1]
            if best_s is None:
                score[k], end[k] = -logtotal + score[k + 1], k  # math.log(1) - logtotal
            else:
                score[k], end[k] = best_s, best_i
        x, buf = 0, ""
        while x < n:
            y = end[x] + 1
            word = s[x:y]
            if y - x == 1 and _ENG.match(word):
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)
