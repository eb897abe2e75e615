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
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("str"):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def format_of(path: Path, fmt: str | None = None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "xls":
        fmt = "xlsx"
    if fmt not in FORMATS:
        raise ExportError(f"unknown table format {fmt!r}: use one of {', '.join('.' + f for f in FORMATS)}", path=path)
    return fmt


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
        os.replace(tmp_path, path)
    except OSError as e:
        tmp_path.unlink(missing_ok=True)
        raise ExportError(f"cannot write: {e.strerror or e}", path=path) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _jsonable(v: Any) -> Any:
    import pandas as pd

    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "tolist") and not isinstance(v, str):
        return v.tolist()
    if pd.api.types.is_scalar(v) and pd.isna(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _write_csv(df: "pd.DataFrame", tmp: Path, meta: Mapping[str, Any] | None) -> None:
    _excel_safe(df).to_csv(tmp, index=False, encoding="utf-8-sig")


def _write_jsonl(df: "pd.DataFrame", tmp: Path, meta: Mapping[str, Any] | None) -> None:
    cols = list(df.columns)
    with open(tmp, "w", encoding="utf-8") as fh:
        for row in df.itertuples(index=False, name=None):
            fh.write(json.dumps({c: _jsonable(v) for c, v in zip(cols, row)}, ensure_ascii=False) + "\n")


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
    from openpyxl.utils import get_column_letter

    import pandas as pd

    from align.textnorm import display_width

    path = Path(path)

    def write(target: Path) -> None:
        used: set[str] = set()
        with pd.ExcelWriter(target, engine="openpyxl") as xw:
            for name, df in tables.items():
                sheet = _sheet_name(name, used)
                safe = _excel_safe(df)
                safe.to_excel(xw, sheet_name=sheet, index=False)
                ws = xw.sheets[sheet]
                ws.freeze_panes = "A2"
                for i, col in enumerate(safe.columns, 1):
                    sample = [str(col)] + [str(v) for v in safe[col].head(200).tolist()]
                    width = min(max(display_width(s) for s in sample) + 2, 60)
                    ws.column_dimensions[get_column_letter(i)].width = max(width, 8)
            if meta:
                info = pd.DataFrame({"key": list(meta.keys()), "value": [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in meta.values()]})
                info.to_excel(xw, sheet_name=_sheet_name("about", used), index=False)

    if not _atomic:
        write(path)
        return path
    with atomic_path(path) as tmp:
        write(tmp)
    return path
