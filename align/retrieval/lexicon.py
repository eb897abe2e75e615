"""The policy lexicon and the generic-phrase list, both plain text files.

``align/data/lexicon.txt`` holds programme names and slogans (one per line,
optional jieba frequency and tag); ``align/data/generic.txt`` holds wording
every plan shares.  Users extend either with their own files.

>>> lex = load_lexicon()
>>> "千年古城复兴" in lex.terms and "高质量发展" in lex.generic
True
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from align.errors import InputError, read_utf8
from align.textnorm import INVISIBLE, matching_key

DATA = Path(__file__).resolve().parents[1] / "data"
LEXICON_FILE = DATA / "lexicon.txt"
GENERIC_FILE = DATA / "generic.txt"
#: the largest word frequency a lexicon line may give (jieba's whole dictionary sums to about 60 million;
#: jieba-rs keeps a frequency in a machine word)
MAX_FREQUENCY = 10**9


@dataclass(frozen=True)
class Lexicon:
    terms: frozenset[str]  # programme names (original form)
    generic: frozenset[str]  # boilerplate phrases (original form)
    freqs: tuple[tuple[str, int | None, str | None], ...] = ()  # jieba hints

    def keyed_terms(self) -> frozenset[str]:
        """Terms in matching-key form, punctuation removed."""
        return frozenset(strip_punct(matching_key(t)) for t in self.terms)

    def keyed_generic(self) -> frozenset[str]:
        return frozenset(strip_punct(matching_key(t)) for t in self.generic)


# punctuation, and the invisible format characters web pages and Word files leave in words
_PUNCT_CHARS = r"\s,.;:!?()\[\]\"'、，。；：！？（）【】《》“”‘’·\-—…" + INVISIBLE
_PUNCT = re.compile(f"[{_PUNCT_CHARS}]")
#: one character that :func:`strip_punct` keeps
KEPT_CHAR = re.compile(f"[^{_PUNCT_CHARS}]")


def strip_punct(text: str) -> str:
    return _PUNCT.sub("", text)


def _read(path: Path) -> list[tuple[str, int | None, str | None]]:
    if not path.is_file():
        raise InputError("no such lexicon file" if not path.exists() else "is not a file", path=path)
    out = []
    text = read_utf8(path, "a lexicon file")
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq = tag = None
        if len(parts) >= 2:
            if not (parts[1].isascii() and parts[1].isdigit()):
                raise InputError(f"line {n}: expected 'term [frequency] [tag]', got {line!r}", path=path)
            freq = int(parts[1])
            if freq > MAX_FREQUENCY:
                raise InputError(f"line {n}: frequency {freq} is too large (at most {MAX_FREQUENCY:,})", path=path)
        if len(parts) >= 3:
            tag = parts[2]
        out.append((parts[0], freq, tag))
    return out


def load_lexicon(extra: tuple[str | os.PathLike, ...] = (), generic_extra: tuple[str | os.PathLike, ...] = (),
                 *, bundled: bool = True) -> Lexicon:
    """The bundled lexicon and generic list, plus any user files."""
    return _load(tuple(str(p) for p in extra), tuple(str(p) for p in generic_extra), bundled)


@lru_cache(maxsize=8)
def _load(extra: tuple[str, ...], generic_extra: tuple[str, ...], bundled: bool) -> Lexicon:
    term_files = ([LEXICON_FILE] if bundled else []) + [Path(p) for p in extra]
    generic_files = ([GENERIC_FILE] if bundled else []) + [Path(p) for p in generic_extra]
    entries = [e for f in term_files for e in _read(f)]
    generic = [e[0] for f in generic_files for e in _read(f)]
    return Lexicon(frozenset(e[0] for e in entries), frozenset(generic), tuple(entries))
