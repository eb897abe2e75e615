"""On-disk cache of engine results, keyed by content.

A key hashes everything a result depends on: the bytes of the input files,
the engine settings, the lexicon files, the package version and the engine's
own source (``align/``, so an edited or upgraded engine never serves results
of the old one) — never file names or times, so a renamed copy hits and an edited file misses.  Entries
are pickles written atomically; a corrupt or stale entry is ignored and
recomputed.  Location: ``$PLANECHO_CACHE_DIR``, else the user cache directory
(``~/.cache/planecho`` on Linux).
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
FORMAT = 2  # bump when pickled structures change shape (2: entries carry their kind and key)


def package_version() -> str:
    try:
        return version("planecho")
    except PackageNotFoundError:  # running from a source tree
        return "0+source"


def default_root() -> Path:
    env = os.environ.get("PLANECHO_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("planecho"))


@lru_cache(maxsize=256)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_digest(path: str | os.PathLike) -> str:
    """sha256 of a file's bytes (memoised per size and modification time).

    A file that cannot be read (permission denied, a symbolic link loop…)
    raises :class:`~align.errors.InputError` naming it.
    """
    from align.errors import os_reason
    from align.errors import InputError

    try:
        st = os.stat(path)
        return _file_digest(str(path), st.st_size, st.st_mtime_ns)
    except (OSError, RuntimeError, ValueError) as exc:
        raise InputError(f"cannot read file: {os_reason(exc)}", path=path) from None


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """sha256 over the engine's Python source and data files (``align/``)."""
    import align

    root = Path(align.__file__).parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".txt") and p.is_file()):
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\x00")
        h.update(file_digest(path).encode("ascii"))
    return h.hexdigest()


def make_key(*parts: Any) -> str:
    h = hashlib.sha256()
    for p in (FORMAT, package_version(), engine_digest(), *parts):
        h.update(repr(p).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


class Cache:
    """Results on disk, one pickle per key under ``root/<kind>/``.

    Each entry carries its own kind and key and is served only for them, so a
    file copied, renamed or swapped into another entry's place is recomputed,
    never served for the wrong input.  A cache that cannot be written (a full
    or read-only disk) warns once and is not written again by this instance;
    no temporary file is left behind.
    """

    def __init__(self, root: str | os.PathLike | None = None, *, enabled: bool = True) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.enabled = enabled
        self._unwritable = False

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.pickle"

    def get(self, kind: str, key: str) -> Any | None:
        if not self.enabled:
            return None
        path = self._path(kind, key)
        try:
            with open(path, "rb") as fh:
                entry = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception as e:  # corrupt, unreadable or from an incompatible version: recompute
            log.debug("ignoring unreadable cache entry %s (%s)", path, e)
            return None
        if not (isinstance(entry, tuple) and len(entry) == 4 and entry[:3] == (FORMAT, kind, key)):
            log.debug("ignoring cache entry %s: it was stored under another key", path)
            return None
        return entry[3]

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is stored (without reading it)."""
        return self.enabled and self._path(kind, key).is_file()

    def put(self, kind: str, key: str, value: Any) -> None:
        if not self.enabled or self._unwritable:
            return
        path = self._path(kind, key)
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((FORMAT, kind, key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError as e:  # a read-only or full cache never fails a run
            self._unwritable = True
            log.warning("could not write the cache in %s (%s); continuing without it",
                        self.root, e.strerror or e)
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
