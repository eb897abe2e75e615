"""One exception tree for every problem a user can cause.

The CLI prints any :class:`PlanechoError` as a single line on stderr and exits
with status 2; anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from align.textnorm import escape_text


class PlanechoError(Exception):
    """A user-facing error: bad input, bad manifest, unwritable output."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else None
        # the path as one line whatever it holds (a newline, a terminal escape): the message is one line
        super().__init__(f"{escape_text(self.path)}: {message}" if self.path else message)


def os_reason(exc: BaseException) -> str:
    """An OS error's reason without its path (the caller names the path); a
    symbolic link loop (pathlib raises :class:`RuntimeError` for one) too."""
    if is_link_loop(exc):
        return "symbolic link loop"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def is_link_loop(exc: BaseException) -> bool:
    """Whether ``exc`` is pathlib's error for a symbolic link loop (``Path.resolve``)."""
    return isinstance(exc, RuntimeError) and "symlink loop" in str(exc).lower()


class InputError(PlanechoError):
    """A document file that cannot be read as a plan text."""


class DecodeError(InputError):
    """Bytes that no supported encoding decodes."""


class ManifestError(PlanechoError):
    """An invalid corpus manifest; the message lists every problem found."""


class AlignError(PlanechoError):
    """Arguments that make an alignment impossible (e.g. unknown document)."""


class ExportError(PlanechoError):
    """An output file that cannot be written."""


def read_utf8(path: Path, what: str) -> str:
    """The text of a small UTF-8 file the user gives (a BOM is allowed), or an
    :class:`InputError` naming the file: ``what`` says what was expected
    (e.g. "a lexicon file")."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"not UTF-8 text (expected {what})", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None


def json_lines(path: Path, what: str, item: str) -> Iterator[tuple[int, dict]]:
    """Each non-blank line of a JSON-lines file the user gives, as (line number, object); a line that is
    not a JSON object is an :class:`InputError` naming the file and the line (``what``: what the file
    should be, ``item``: what a line should be).  Lines end at ``\n`` only: a JSON string may hold
    U+2028, which ``str.splitlines`` would cut at."""
    for n, line in enumerate(read_utf8(path, what).split("\n"), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"line {n}: not {item} ({e})", path=path) from None
        if not isinstance(d, dict):
            raise InputError(f"line {n}: not {item} (not a JSON object)", path=path)
        yield n, d
