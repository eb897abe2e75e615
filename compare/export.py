"""Write tables for analysts: CSV, XLSX, Parquet and JSON lines.

One writer per format, the same snake_case columns everywhere.  Files are
written to a temporary file in the target directory and renamed into place,
so a failed run never leaves a half-written table and an existing file is
only ever replaced by a complete one.  Excel-facing formats (CSV, XLSX)
neutralise cells that a spreadsheet would run as a formula.

>>> import pandas as pd, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> p = write_table(pd.DataFrame({"text": ["=1+1", "推进"]}), d / "t.csv")
>>> pd.read_csv(p)["text"].tolist()
["'=1+1", '推进']
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from align.errors import ExportError, os_reason

from .columns import PERCENT_COLUMNS, column_rows

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "xlsx", "parquet", "jsonl")
#: First characters that make a spreadsheet read a cell as a formula.  The
#: full-width forms (＝ ＋ － ＠) are included: Excel in Chinese and Japanese
#: locales turns a full-width operator typed at the start of a cell into a
#: formula, and a CSV cell is parsed as if typed; LibreOffice and Google
#: Sheets do not.  We could not check every Excel version, so we take the
#: cautious side -- the cost is a leading ' on the rare cell starting so.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would treat as a formula with '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _excel_safe(df: "pd.DataFrame") -> "pd.DataFrame":
    """A copy whose text cells cannot run as spreadsheet formulas."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or str(s.dtype).startswith("str"):
            # a vectorised look at the first character; only the (rare) hits are checked one by one
            risky = s.astype("string").str[:1].isin(FORMULA_START).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[col] = [neutralise(v) if hit else v for v, hit in zip(s.tolist(), risky)]
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def format_of(path: Path, fmt: str | None = None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "xls":
        fmt = "xlsx"
    if fmt not in FORMATS:
        raise ExportError(f"unknown table format {fmt!r}: use one of {', '.join('.' + f for f in FORMATS)}", path=path)
    return fmt


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only on success."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"cannot create the output directory: {e.strerror}", path=path.parent) from None
    if path.is_dir():
        raise ExportError("is a directory, not a file name", path=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as e:
        raise ExportError(f"cannot write in this folder: {e.strerror or e}", path=path) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp_path, path)
    except OSError as e:
        tmp_path.unlink(missing_ok=True)
        raise ExportError(f"cannot write: {e.strerror or e}", path=path) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _write_csv(df: "pd.DataFrame", tmp: Path, meta: Mapping[str, Any] | None) -> None:
    _excel_safe(df).to_csv(tmp, index=False, encoding="utf-8-sig")


def _write_jsonl(df: "pd.DataFrame", tmp: Path, meta: Mapping[str, Any] | None) -> None:
    if df.empty:
        tmp.write_text("", encoding="utf-8")
        return
    df.to_json(tmp, orient="records", lines=True, force_ascii=False, date_format="iso")


def _write_parquet(df: "pd.DataFrame", tmp: Path, meta: Mapping[str, Any] | None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if meta:
        existing = table.schema.metadata or {}
        table = table.replace_schema_metadata({**existing, b"planecho": json.dumps(meta, ensure_ascii=False).encode()})
    pq.write_table(table, tmp)


def _write_xlsx(df: "pd.DataFrame", tmp: Path, meta: Mapping[str, Any] | None) -> None:
    write_workbook({"table": df}, tmp, meta=meta, _atomic=False)


WRITERS: dict[str, Callable[["pd.DataFrame", Path, Mapping[str, Any] | None], None]] = {
    "csv": _write_csv,
    "jsonl": _write_jsonl,
    "parquet": _write_parquet,
    "xlsx": _write_xlsx,
}


def write_table(df: "pd.DataFrame", path: str | os.PathLike, *, fmt: str | None = None,
                meta: Mapping[str, Any] | None = None) -> Path:
    """Write one table atomically in the format its extension (or ``fmt``) names."""
    path = Path(path)
    kind = format_of(path, fmt)
    with atomic_path(path) as tmp:
        WRITERS[kind](df, tmp, meta)
    return path


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "sheet"
    out, k = base, 2
    while out.lower() in used:
        suffix = f"_{k}"
        out, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(out.lower())
    return out


def _workbook_time():
    """The workbook's created/modified time: ``$SOURCE_DATE_EPOCH`` when set (the
    reproducible-builds convention), else a fixed 2000-01-01 -- never the clock."""
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else 946_684_800
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(tzinfo=None)


def _percent_columns(name: str, df: "pd.DataFrame") -> set[str]:
    """Columns of a table that hold shares in [0, 1] (the chapter scores' ``value`` is one too)."""
    cols = {c for c in df.columns if c in PERCENT_COLUMNS}
    if name == "chapter_scores" and "value" in df.columns:
        cols.add("value")
    return cols


def write_workbook(tables: Mapping[str, "pd.DataFrame"], path: str | os.PathLike, *,
                   meta: Mapping[str, Any] | None = None, _atomic: bool = True) -> Path:
    """An XLSX workbook with one sheet per table: frozen header, an autofilter on
    every sheet, readable widths, shares (echo, coverage…) formatted as
    percentages, and a ``columns`` sheet saying what every column means."""
    import pandas as pd

    from align.textnorm import display_width

    path = Path(path)

    def write(target: Path) -> None:
        import math

        import xlsxwriter

        used: set[str] = set()
        book = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False, "strings_to_urls": False,
                                                 "strings_to_numbers": False, "nan_inf_to_errors": True})
        # fixed document properties: identical runs write identical bytes
        book.set_properties({"created": _workbook_time(), "author": "planecho", "title": "planecho"})
        bold = book.add_format({"bold": True, "bg_color": "#F3F5F8", "border": 1})
        percent = book.add_format({"num_format": "0.0%"})

        def cell(v):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                return None
            if isinstance(v, (list, tuple)):
                return " | ".join(map(str, v))
            return v.item() if hasattr(v, "item") else v

        sheets = dict(tables)
        percent_cols = {name: _percent_columns(name, df) for name, df in sheets.items()}
        sheets["columns" if "columns" not in sheets else "column_meanings"] = pd.DataFrame(
            column_rows(tables), columns=["sheet", "column", "meaning"])
        if meta:
            sheets["about"] = pd.DataFrame({"key": list(meta.keys()), "value": [
                v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str) for v in meta.values()]})
        for name, df in sheets.items():
            ws = book.add_worksheet(_sheet_name(name, used))
            safe = _excel_safe(df)
            ws.write_row(0, 0, [str(c) for c in safe.columns], bold)
            # column by column to plain Python values (itertuples over Arrow-backed columns is slow)
            columns = [[cell(v) for v in safe[c].tolist()] for c in safe.columns]
            for r, row in enumerate(zip(*columns), 1):
                ws.write_row(r, 0, row)
            ws.freeze_panes(1, 0)
            if len(safe.columns):
                ws.autofilter(0, 0, len(safe), len(safe.columns) - 1)
            shares = percent_cols.get(name, set())
            for i, col in enumerate(safe.columns):
                sample = [str(col)] + [str(v) for v in safe[col].head(200).tolist()]
                ws.set_column(i, i, max(min(max(display_width(x) for x in sample) + 2, 60), 8),
                              percent if df.columns[i] in shares else None)
        book.close()

    if not _atomic:
        write(path)
        return path
    with atomic_path(path) as tmp:
        write(tmp)
    return path


# --- a run's output folder, written whole ------------------------------------

STAGING = ".planecho-staging"  # ``.<out>.planecho-staging-<pid>-<random>`` beside the output folder
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    import ctypes
    import errno

    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def _remove_stale_staging(out: Path) -> None:
    """Staging folders that a killed run left beside ``out`` (their process is gone)."""
    import shutil

    import glob

    for stale in out.parent.glob(f".{glob.escape(out.name)}{STAGING}-*"):
        pid = stale.name[len(f".{out.name}{STAGING}-"):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            _remove_tree(stale)


LISTING = ".planecho-files"  # in an output folder: the files the run that made it wrote, one relative path a line


def _files_under(root: Path, top: Path | None = None) -> Iterator[str]:
    """Every file, symbolic link and empty folder under ``top`` (default ``root``),
    as a path relative to ``root`` (``/``-separated); symbolic links are not followed."""
    for dirpath, dirnames, filenames in os.walk(top or root):
        here = Path(dirpath)
        rel = here.relative_to(root)
        links = [d for d in dirnames if (here / d).is_symlink()]
        for name in filenames + links:
            yield (rel / name).as_posix()
        if not dirnames and not filenames and here != (top or root):
            yield rel.as_posix()


def _write_listing(stage: Path) -> set[str]:
    """List in ``stage`` the files the run wrote there (:data:`LISTING`)."""
    written = set(_files_under(stage))
    (stage / LISTING).write_text("".join(f"{f}\n" for f in sorted(written)), encoding="utf-8")
    return written


def _keep_users_files(out: Path, stage: Path, owned: frozenset[str]) -> None:
    """Carry the user's files of the previous folder ``out`` over into ``stage``
    (see :func:`staged_folder`), after listing what this run wrote."""
    written = _write_listing(stage)
    try:
        previous: set[str] | None = set((out / LISTING).read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        previous = None  # not a run's folder (or one written before runs listed their files)
    except (OSError, UnicodeDecodeError):
        previous = set()  # unreadable: a run's list all the same; its owned files are not kept
    for entry in out.iterdir():
        if entry.name == LISTING:
            continue
        if entry.name not in owned:
            if not os.path.lexists(stage / entry.name):
                _link_tree(entry, stage / entry.name)
            continue
        if not entry.is_dir() or entry.is_symlink():
            continue  # an owned file name: this run's to write
        for rel in _files_under(out, entry):
            if rel in written or (previous is not None and rel in previous) or os.path.lexists(stage / rel):
                continue
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            _link_tree(out / rel, stage / rel)


def _remove_tree(folder: Path) -> None:
    """Remove a staging folder (or the previous run's folder), making read-only
    folders in it writable first; what still cannot go is left, silently."""
    import shutil

    def retry(func, path, _exc) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            func(path)
        except OSError:
            pass

    shutil.rmtree(folder, onerror=retry)


def _link_tree(src: Path, dst: Path) -> None:
    """``src`` copied to ``dst`` as hard links (a plain copy across file systems)."""
    import shutil

    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dst, symlinks=True, copy_function=link)
    elif src.is_symlink():
        os.symlink(os.readlink(src), dst)
    else:
        link(str(src), str(dst))


def check_output_folder(out: str | os.PathLike) -> Path:
    """The real path of a run's output folder, refused early if it cannot be one.

    It may not be a file, nor hold the current directory (the whole folder is
    replaced by the run's), and its parent must be writable.
    """
    try:
        out = Path(out).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop
        raise ExportError(f"cannot be an output folder: {os_reason(exc)}", path=out) from None
    if out.exists() and not out.is_dir():
        raise ExportError("is a file; --out names a folder", path=out)
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        raise ExportError("holds the current directory; give the results a folder of their own", path=out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"cannot create the output folder: {e.strerror or e}", path=out.parent) from None
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise ExportError("cannot write the output folder here: permission denied", path=out.parent)
    if out.is_dir() and os.path.ismount(out):
        raise ExportError("is a mount point, which a run cannot replace as a whole; give a folder inside it",
                          path=out)
    for where in (out.parent, out) if out.is_dir() else (out.parent,):
        try:  # and it can really be written (a read-only file system, /proc): a folder made and removed
            os.rmdir(tempfile.mkdtemp(prefix=f".{out.name}{STAGING}-check-", dir=where))
        except OSError as e:
            raise ExportError(f"cannot write the output folder here: {e.strerror or e}", path=where) from None
    return out


@contextmanager
def staged_folder(out: str | os.PathLike, *, owned: frozenset[str]) -> Iterator[Path]:
    """A new folder beside ``out`` to write a whole run into, swapped into place on success.

    ``out`` then holds this run's files only -- never a mix with an earlier
    run's -- plus whatever the user kept there, carried over as hard links (so
    a run killed at any moment leaves the previous folder complete): top-level
    entries whose names are not in ``owned``, and inside the owned folders
    every file that no run wrote (each run lists what it wrote in
    :data:`LISTING`; a folder without that list is not a run's, so every file
    in it that this run does not replace is kept).  On an error, or if
    the process is killed, ``out`` is untouched; a staging folder left by a
    killed run is removed by the next run.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "out").mkdir(), (d / "out" / "old.csv").write_text("1"), (d / "out" / "notes.txt").write_text("mine")
    >>> owned = frozenset({"old.csv", "new.csv", "tables"})
    >>> with staged_folder(d / "out", owned=owned) as stage:
    ...     _ = (stage / "new.csv").write_text("2"), (stage / "tables").mkdir()
    ...     _ = (stage / "tables" / "a.csv").write_text("3")
    >>> _ = (d / "out" / "tables" / "mine.csv").write_text("my table")
    >>> with staged_folder(d / "out", owned=owned) as stage:
    ...     _ = (stage / "new.csv").write_text("2"), (stage / "tables").mkdir()
    ...     _ = (stage / "tables" / "b.csv").write_text("4")
    >>> sorted(p.name for p in (d / "out").iterdir()), sorted(p.name for p in (d / "out" / "tables").iterdir())
    (['.planecho-files', 'new.csv', 'notes.txt', 'tables'], ['b.csv', 'mine.csv'])
    >>> sorted(p.name for p in d.iterdir())
    ['out']
    """
    import shutil
    import tempfile

    out = check_output_folder(out)
    _remove_stale_staging(out)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}{STAGING}-{os.getpid()}-", dir=out.parent))
    except OSError as e:
        raise ExportError(f"cannot write the output folder here: {e.strerror or e}", path=out.parent) from None
    try:
        yield stage
        try:
            os.chmod(stage, (out.stat().st_mode & 0o7777) if out.is_dir() else 0o777 & ~_umask())
            if out.is_dir():
                _keep_users_files(out, stage, owned)
                if not _exchange(stage, out):
                    aside = stage.with_name(stage.name + "-old")
                    os.rename(out, aside)
                    os.rename(stage, out)
                    stage = aside
            else:
                _write_listing(stage)
                os.rename(stage, out)
                return
        except OSError as e:  # shutil.Error (carrying files over) lists every file: the first says enough
            why = e.strerror or (str(e.args[0][0][2]) if isinstance(e, shutil.Error) and e.args and e.args[0] else e)
            raise ExportError(f"cannot put the results in place: {why}", path=out) from None
    except BaseException:
        _remove_tree(stage)
        raise
    _remove_tree(stage)  # the previous run's files
