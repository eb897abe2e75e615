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

from align.errors import ExportError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "xlsx", "parquet", "jsonl")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
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


def write_workbook(tables: Mapping[str, "pd.DataFrame"], path: str | os.PathLike, *,
                   meta: Mapping[str, Any] | None = None, _atomic: bool = True) -> Path:
    """An XLSX workbook with one sheet per table: frozen header, readable widths."""
    import pandas as pd

    from align.textnorm import display_width

    path = Path(path)

    def write(target: Path) -> None:
        import math

        import xlsxwriter

        used: set[str] = set()
        book = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False, "strings_to_urls": False,
                                                 "strings_to_numbers": False, "nan_inf_to_errors": True})
        bold = book.add_format({"bold": True, "bg_color": "#F3F5F8", "border": 1})

        def cell(v):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                return None
            if isinstance(v, (list, tuple)):
                return " | ".join(map(str, v))
            return v.item() if hasattr(v, "item") else v

        sheets = dict(tables)
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
            for i, col in enumerate(safe.columns):
                sample = [str(col)] + [str(v) for v in safe[col].head(200).tolist()]
                ws.set_column(i, i, max(min(max(display_width(x) for x in sample) + 2, 60), 8))
        book.close()

    if not _atomic:
        write(path)
        return path
    with atomic_path(path) as tmp:
        write(tmp)
    return path
