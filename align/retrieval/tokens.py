"""Word tokens for Chinese plan text: jieba's segmentation with the policy lexicon.

Words are cut by jieba-rs (``rjieba``, the Rust port of jieba: the same
dictionary, the same route search, the same words as
``jieba.Tokenizer.lcut(text, HMM=False)``, checked over the bundled plans and
the national background in ``tests/unit/test_speedups.py``) — 8× faster than
jieba itself and loaded in a tenth of the time (``benchmarks/libraries.py``).
Each :class:`Tokenizer` knows every lexicon term as one word; jieba itself is
loaded only to suggest the frequency of a lexicon word given without one
(``suggest_freq``), so that such words weigh exactly as jieba would weigh them.

>>> tok = Tokenizer(extra_words=["人地钱挂钩"])
>>> "人地钱挂钩" in tok.cut("完善人地钱挂钩激励性配套政策")
True
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from align.retrieval.lexicon import Lexicon, load_lexicon, strip_punct
from align.textnorm import matching_key

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
    """jieba word segmentation (by jieba-rs) with the policy lexicon and extra words."""

    def __init__(self, lexicon: Lexicon | None = None, extra_words: Iterable[str] = ()) -> None:
        import rjieba

        # jieba-rs's module-level tokenizer (made when rjieba is imported) cuts until a word is
        # added; then this tokenizer gets one of its own, so the shared one is never changed
        self._tok = rjieba
        self._jieba = None  # jieba's own tokenizer, loaded to suggest a frequency (see :meth:`_suggest`)
        self._added: dict[str, tuple[int, str | None]] = {}  # word → (frequency, tag), in the order added
        lexicon = lexicon or load_lexicon()
        for term, freq, tag in lexicon.freqs:
            self.add(term, freq, tag)
        for w in extra_words:
            self.add(w)

    def add(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        """Make ``word`` (key form, punctuation removed) one token."""
        w = strip_punct(matching_key(word))
        if len(w) >= 2 and not self.is_word(w):
            freq = freq or max(self._suggest(w), 50)
            if not self._added:
                import rjieba

                self._tok = rjieba.Jieba()
            self._tok.add_word(w, freq, tag)
            if self._jieba is not None:
                self._jieba.add_word(w, freq, tag)
            self._added[w] = (freq, tag)

    def _suggest(self, w: str) -> int:
        """``jieba.Tokenizer.suggest_freq(w, tune=False)`` with the words added so far
        (jieba-rs rounds its suggestion differently: jieba's is taken, loaded once)."""
        if self._jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            try:
                tok.tmp_dir = _cache_dir()
            except OSError:  # no writable cache: jieba falls back to its temp dir
                pass
            with _lock:
                _initialize(tok)
            for word, (freq, tag) in self._added.items():
                tok.add_word(word, freq, tag)
            self._jieba = tok
        return self._jieba.suggest_freq(w, tune=False)

    def is_word(self, w: str) -> bool:
        """Is ``w`` a word of jieba's general dictionary (not one we added)?"""
        return w not in self._added and self._tok.has_word(w)

    def cut(self, text: str) -> list[str]:
        """Word tokens of ``text``: ``jieba.Tokenizer.lcut(text, HMM=False)``
        with punctuation and spaces dropped."""
        return [t for t in self._tok.cut(text, False) if _WORD.search(t)]
