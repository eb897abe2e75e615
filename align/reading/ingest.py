"""Read a plan document from disk into a :class:`~align.records.Source`.

One public function, :func:`read_source`, turns a ``.txt``/``.text``/``.md``,
``.docx``, ``.pdf`` or ``.html``/``.htm`` file into text, and every problem a
user can cause into an :class:`~align.errors.InputError` (or its subclass
:class:`~align.errors.DecodeError`) whose message starts with the path.

What "the text" is, per format (offsets downstream index exactly this):

* plain text: the decoded characters, with ``"\\r\\n"`` and lone ``"\\r"``
  normalised to ``"\\n"`` and nothing else changed;
* ``.docx``: body paragraphs and tables in document order, one line per
  paragraph; a data table (at least two rows and two columns of short cells)
  one tab-separated line per row, its span recorded in ``Source.tables`` so
  the cleaning keeps it aside as a table; any other table (a one-cell box, a
  layout grid of long text) one line per cell;
* ``.pdf``: the text layer of each page, pages joined with ``"\\n"``;
* ``.html``: the article body of a saved portal page, one line per block
  element or table cell, with the page title on top; data tables as for
  ``.docx``.

Encoding detection for plain text (and HTML without a usable declaration)
tries, in order: a byte-order mark; UTF-16 without BOM when the bytes contain
NULs; strict UTF-8; strict GB18030 (GB2312/GBK are subsets) -- unless Big5
reads far more plausibly; finally charset-normalizer's best guess.  See
:func:`_detect` for why.
"""
from __future__ import annotations

import codecs
import functools
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from align.errors import DecodeError, InputError
from align.records import KnownTable, Source

if TYPE_CHECKING:  # pragma: no cover - typing only
    from bs4 import BeautifulSoup, Tag
    from docx.table import Table

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".txt", ".text", ".md", ".docx", ".pdf", ".html", ".htm"}
)
_FORMAT_OF_SUFFIX = {
    ".txt": "txt", ".text": "txt", ".md": "txt",
    ".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html",
}

#: Files larger than this are refused. Plans are a few MB at most; the limit
#: only guards against feeding the engine a disk image by mistake.
MAX_BYTES = 512 * 1024 * 1024
#: What a .docx may expand to when unzipped: its XML parts (the text; a plan's
#: ``word/document.xml`` is a few MiB), and all its parts with images.  Size
#: on disk says nothing about this: 1 MB of zip can hold 250 MB of XML.
MAX_DOCX_XML_BYTES = 64 * 1024 * 1024
MAX_DOCX_EXPANDED_BYTES = 512 * 1024 * 1024
#: Above this a warning says the file is far larger than a plan and will take
#: a while (segmenting runs at roughly 1 MB per second, memory ~15× the file).
LARGE_BYTES = 10 * 1024 * 1024

_SAMPLE_CHARS = 100_000  # decoded characters judged for plausibility
_SAMPLE_BYTES = 2 * _SAMPLE_CHARS
_PLAUSIBLE = 0.9  # share of common characters expected of real Chinese text
_BIG5_MARGIN = 0.2  # how much more plausible Big5 must read than GB18030

_BOMS = (  # longest first; the UTF-16 codec consumes its BOM itself
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CODEC_LABELS = {  # Python codec name -> name reported in Source.encoding
    "gb2312": "gb18030", "gbk": "gb18030",
    "utf-16-le": "utf-16", "utf-16-be": "utf-16",
}
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_HTML_SPACE = re.compile(r"[ \t\n\r\f\xa0]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def read_source(path: str | os.PathLike[str], *, encoding: str | None = None) -> Source:
    """Read one plan document and return its text as a :class:`Source`.

    ``encoding`` forces the codec of a ``.txt``/``.md``/``.html`` file instead
    of detecting it (it is ignored for ``.docx``/``.pdf``).  Line endings are
    normalised to ``"\\n"``; all offsets downstream index ``Source.text``.

    Raises :class:`~align.errors.InputError` (a missing, empty, binary or
    malformed file, one without Chinese text) or
    :class:`~align.errors.DecodeError` (bytes that no codec decodes); the
    message starts with the path.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     plan = Path(tmp, "plan.txt")
    ...     _ = plan.write_bytes("推进新型城镇化。\\r\\n".encode("gbk"))
    ...     src = read_source(plan)
    >>> (src.text, src.format, src.encoding, src.size_bytes)
    ('推进新型城镇化。\\n', 'txt', 'gb18030', 18)
    """
    file = Path(path)
    fmt, size = _check_file(file)
    codec: str | None = None
    tables: tuple[KnownTable, ...] = ()
    if fmt == "docx":
        text, tables = _read_docx(file)
    elif fmt == "pdf":
        text = _read_pdf(file)
    elif fmt == "html":
        text, tables, codec = _read_html(_read_bytes(file), file, encoding)
    else:
        text, codec = _decode(_read_bytes(file), file, encoding)
    if encoding is not None and fmt in ("docx", "pdf"):
        log.debug("%s: encoding=%r ignored for .%s files", file, encoding, fmt)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_text(text, file, fmt)
    return Source(path=str(path), text=text, format=fmt, encoding=codec, size_bytes=size, tables=tables)


# --- tables of .docx and .html ----------------------------------------------

Rows = tuple[tuple[str, ...], ...]

_MAX_DATA_CELL = 80  # characters: longer cells are prose (a box, a layout grid)
_CELL_SPACE = re.compile(r"\s+")


def _data_rows(rows: list[list[str | None]]) -> Rows | None:
    """``rows`` as a data table's cells (whitespace inside a cell collapsed,
    a merged cell's continuation empty), or None when the table is a box or a
    layout grid rather than data."""
    cells = tuple(tuple(_CELL_SPACE.sub(" ", c or "").strip() for c in row) for row in rows)
    cells = tuple(row for row in cells if any(row))
    if len(cells) < 2 or sum(len([c for c in row if c]) >= 2 for row in cells) * 2 < len(cells):
        return None
    if any(len(c) > _MAX_DATA_CELL for row in cells for c in row):
        return None
    return cells


def _join_blocks(blocks: Iterator[str | Rows]) -> tuple[str, tuple[KnownTable, ...]]:
    """Lines (strings) and data tables (rows) joined into the text, each table
    one tab-separated line per row, and where each table landed."""
    parts: list[str] = []
    tables: list[KnownTable] = []
    pos = 0
    for block in blocks:
        if parts:
            parts.append("\n")
            pos += 1
        if isinstance(block, str):
            parts.append(block)
            pos += len(block)
            continue
        body = "\n".join("\t".join(row) for row in block)
        tables.append(KnownTable(pos, pos + len(body), block))
        parts.append(body)
        pos += len(body)
    return "".join(parts), tuple(tables)


# --- checks -----------------------------------------------------------------


def _check_file(file: Path) -> tuple[str, int]:
    """Return ``(format, size)`` of a readable file of a supported type."""
    try:
        info = file.stat()
    except FileNotFoundError:
        raise InputError("file not found", path=file) from None
    except (OSError, ValueError) as exc:  # e.g. a name too long, or with a NUL
        raise InputError(f"cannot access file: {_reason(exc)}", path=file) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a directory, not a file", path=file)
    suffix = file.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise InputError(
            f"unsupported file type {suffix or '(no extension)'!r}; supported: {supported}",
            path=file,
        )
    size = info.st_size
    if size == 0:
        raise InputError("empty file (0 bytes)", path=file)
    if size > MAX_BYTES:
        raise InputError(
            f"file is {size / 2**20:.0f} MiB, over the {MAX_BYTES / 2**20:.0f} MiB limit",
            path=file,
        )
    try:
        file.open("rb").close()
    except OSError as exc:
        raise InputError(f"cannot read file: {_reason(exc)}", path=file) from None
    if size > LARGE_BYTES:
        log.warning("warning: %s: %.0f MB is far larger than a plan (usually under 1 MB); reading it takes "
                    "about a minute per 50 MB", file, size / 2**20)
    return _FORMAT_OF_SUFFIX[suffix], size


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _describe(exc: BaseException) -> str:
    """A library exception as a short single line for an error message."""
    detail = " ".join(str(exc).split())
    detail = detail[:117] + "..." if len(detail) > 120 else detail
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _check_text(text: str, file: Path, fmt: str) -> None:
    """Refuse extracted text that is empty, binary or without Chinese."""
    if not text or text.isspace():
        if fmt == "pdf":
            raise InputError("no text layer (scanned?); run OCR on it first", path=file)
        if fmt == "txt":
            raise InputError("empty file (only whitespace)", path=file)
        raise InputError(f"no text found in this .{fmt} file", path=file)
    if "\x00" in text:
        raise InputError("looks like a binary file (contains NUL characters)", path=file)
    if not _HAN_RUN.search(text):
        raise InputError("no Chinese text (no Han characters found)", path=file)


def _read_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {_reason(exc)}", path=file) from None


# --- decoding ---------------------------------------------------------------


def _codec_label(codec: str) -> str:
    """The name reported in ``Source.encoding`` for a Python codec name."""
    name = codecs.lookup(codec).name
    return _CODEC_LABELS.get(name, name)


def _decode(data: bytes, file: Path, forced: str | None) -> tuple[str, str]:
    """Decode ``data`` with the forced codec or a detected one; return (text, label)."""
    if forced is None:
        return _detect(data, file)
    try:
        codec = codecs.lookup(forced).name
    except LookupError:
        raise DecodeError(
            f"unknown encoding {forced!r} (try utf-8, gb18030, big5 or utf-16)", path=file
        ) from None
    if codec in ("gb2312", "gbk"):
        codec = "gb18030"  # a superset: one decoder for all three (WHATWG)
    elif codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"cannot be decoded as {forced!r}: invalid bytes at offset {exc.start}", path=file
        ) from None
    except LookupError:  # e.g. "hex" or "rot13": a codec, but not a text encoding
        raise DecodeError(f"{forced!r} is not a text encoding", path=file) from None
    log.debug("%s: decoded with forced encoding %s", file, codec)
    return text, _codec_label(codec)


def _detect(data: bytes, file: Path) -> tuple[str, str]:
    """Detect the codec of ``data`` and decode it strictly, once.

    Order and reasons:

    1. a BOM is decisive;
    2. NUL bytes never occur in UTF-8/GB18030/Big5 text, so a file with NULs
       is UTF-16 without BOM (the byte order reading more plausibly) or binary
       -- checked before UTF-8 because NULs would decode "fine" as UTF-8;
    3. strict UTF-8, which almost never accepts legacy Chinese bytes;
    4. strict GB18030.  Every Big5 byte pair is also a valid GB18030 pair, so
       Big5 files "decode" as GB18030 into kana, PUA and rare characters.  If
       under 90 % of the non-ASCII characters are common (GB2312 level 1,
       Big5 level 1 or CJK punctuation), Big5 is tried and wins when it reads
       clearly more plausibly;
    5. charset-normalizer's best guess, if it yields Chinese text.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            log.debug("%s: %s byte-order mark", file, codec)
            return _strict(data, codec, file), _codec_label(codec)

    if b"\x00" in data:
        codec = _sniff_utf16(data)
        if codec is None:
            raise InputError("looks like a binary file (contains NUL bytes)", path=file)
        log.debug("%s: NUL bytes at alternating positions, decoding as %s", file, codec)
        return _strict(data, codec, file), "utf-16"

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_utf8 = exc.start
    else:
        log.debug("%s: valid UTF-8", file)
        return text, "utf-8"

    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        gb_score = _plausibility(text[:_SAMPLE_CHARS])
        if gb_score >= _PLAUSIBLE:
            log.debug("%s: valid GB18030 (%.0f%% common characters)", file, 100 * gb_score)
            return text, "gb18030"
        big5_score = _plausibility(data[:_SAMPLE_BYTES].decode("big5", "replace"))
        log.debug(
            "%s: GB18030 reads implausibly (%.0f%% common), Big5 %.0f%%",
            file, 100 * gb_score, 100 * big5_score,
        )
        if big5_score < gb_score + _BIG5_MARGIN:
            return text, "gb18030"
        del text  # keep one decoded copy alive at a time
        try:
            return data.decode("big5"), "big5"
        except UnicodeDecodeError:
            log.debug("%s: Big5 fails further in; keeping GB18030", file)
            return data.decode("gb18030"), "gb18030"

    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = best.encoding if best is not None else None
    log.debug("%s: charset-normalizer guesses %s", file, guess)
    if guess is not None:
        try:
            text = data.decode(guess)
        except UnicodeDecodeError:
            pass
        else:
            if _HAN_RUN.search(text):
                return text, _codec_label(guess)
    raise DecodeError(
        f"cannot decode as Chinese text: not UTF-8 (invalid byte at offset {bad_utf8}), "
        "GB18030, UTF-16 or Big5; pass the encoding explicitly if you know it",
        path=file,
    )


def _strict(data: bytes, codec: str, file: Path) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        label = _codec_label(codec)
        raise DecodeError(
            f"cannot be decoded as {label}: invalid bytes at offset {exc.start}", path=file
        ) from None


def _sniff_utf16(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` if ``data`` reads as UTF-16 text, else None."""
    if len(data) % 2:
        return None
    head = data[:_SAMPLE_BYTES]
    scores = {
        codec: _plausibility(head.decode(codec, "replace")) for codec in ("utf-16-le", "utf-16-be")
    }
    codec = max(scores, key=scores.__getitem__)
    return codec if scores[codec] >= 0.5 else None


def _plausibility(sample: str) -> float:
    """Share of the non-ASCII or control, non-space characters of ``sample`` that are common.

    Common means a frequent Han character (GB2312 level 1 or Big5 level 1) or
    CJK punctuation.  Real Chinese text scores above 0.95; Big5 read as
    GB18030 or random bytes read as UTF-16 score far lower.
    """
    common = _common_chars()
    judged = good = 0
    for ch in sample:
        if (ch >= "\x80" or ch < " ") and not ch.isspace():
            judged += 1
            good += ch in common
    return good / judged if judged else 1.0


@functools.cache
def _common_chars() -> frozenset[str]:
    """Frequent Han characters of both scripts and CJK punctuation."""
    pairs = [(lead, trail) for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF)]
    chars = {bytes(p).decode("gb2312", "ignore") for p in pairs}  # GB2312 level 1
    trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    pairs = [(lead, trail) for lead in range(0xA4, 0xC7) for trail in trails]
    chars |= {bytes(p).decode("big5", "ignore") for p in pairs if p <= (0xC6, 0x7E)}  # Big5 level 1
    chars |= {chr(c) for c in (*range(0x3000, 0x3040), *range(0xFF01, 0xFF5F))}
    chars |= {chr(c) for c in (*range(0x2160, 0x216C), *range(0x2460, 0x249C))}  # Ⅲ ① ⑴ ⒈
    chars |= set("“”‘’…—–·•■□●○◆★※≥≤±×÷°‰∶→㎡㎞")
    chars.discard("")
    return frozenset(chars)


# --- docx -------------------------------------------------------------------


def _read_docx(file: Path) -> tuple[str, tuple[KnownTable, ...]]:
    """Paragraphs and tables of the document body (see the module docstring)."""
    with file.open("rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            "an old Word 97-2003 .doc file renamed .docx; save it as .docx first", path=file
        )
    if not magic.startswith(b"PK"):
        raise InputError("not a valid .docx (zip) file", path=file)

    _check_archive(file)
    import docx

    try:
        document = docx.Document(str(file))
        return _join_blocks(_docx_blocks(document.element.body, document))
    except Exception as exc:  # python-docx/lxml/zipfile raise a zoo of types
        raise InputError(f"not a valid .docx file ({_describe(exc)})", path=file) from exc


def _check_archive(file: Path) -> None:
    """Refuse a .docx whose parts expand beyond :data:`MAX_DOCX_XML_BYTES` of XML
    or :data:`MAX_DOCX_EXPANDED_BYTES` in all, judged from the zip directory
    before anything is decompressed (zipfile never inflates a member beyond
    the size the directory gives it)."""
    import zipfile

    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a valid .docx (zip) file ({_describe(exc)})", path=file) from None
    xml = sum(m.file_size for m in members if m.filename.lower().endswith((".xml", ".rels")))
    total = sum(m.file_size for m in members)
    for size, limit, what in ((xml, MAX_DOCX_XML_BYTES, "XML"), (total, MAX_DOCX_EXPANDED_BYTES, "data")):
        if size > limit:
            raise InputError(
                f"this .docx expands to {size / 2**20:.1f} MiB of {what}, over the {limit / 2**20:.1f} MiB "
                "limit (a plan's is a few MiB); save it again from Word, or as .txt", path=file)


def _docx_blocks(parent: Any, document: Any) -> Iterator[str | Rows]:
    """Lines (and data tables) of the ``w:p``/``w:tbl`` children of ``parent``, in document order."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document).text
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            rows = _data_rows(list(_table_rows(table)))
            if rows is not None:
                yield rows
            else:
                yield from (cell for row in _table_rows(table) for cell in row if cell is not None)
        elif child.tag == qn("w:sdt"):  # a content control, e.g. a table of contents
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _docx_blocks(content, document)


def _table_rows(table: Table) -> Iterator[list[str | None]]:
    """Each row's cell texts; a merged cell is given once, where it starts
    (None where a vertical merge continues)."""
    from docx.table import _Cell

    for row in table.rows:
        # a continued vertical merge repeats the cell above: left empty
        yield [_Cell(tc, table).text if tc.vMerge != "continue" else None for tc in row._tr.tc_lst]


# --- pdf --------------------------------------------------------------------


def _read_pdf(file: Path) -> str:
    """The text layer of every page, pages joined with ``"\\n"``."""
    import pdfplumber

    pages: list[str] = []
    try:
        with pdfplumber.open(file) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                page.close()  # drop the page's cached layout objects
    except Exception as exc:  # pdfminer raises many types on malformed files
        if _encrypted(exc):
            raise InputError("encrypted PDF: remove the password first", path=file) from None
        raise InputError(f"not a valid PDF file ({_describe(exc)})", path=file) from exc
    log.debug("%s: %d PDF pages", file, len(pages))
    return "\n".join(pages)


def _encrypted(exc: BaseException) -> bool:
    """Is ``exc`` pdfminer's password error, possibly wrapped (pdfplumber raises
    ``PdfminerException(original)``) or chained?"""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)):
            return True
        todo.extend([*e.args, e.__cause__, e.__context__])
    return False


# --- html -------------------------------------------------------------------

_DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript",
              "template", "iframe", "object", "svg")
#: id/class fragments of the article containers of Chinese government portals,
#: matched case-insensitively.
_CONTENT_HINTS = ("trs_editor", "custom_unionstyle", "xxgk_content", "bt-content",
                  "main-text", "ucap-content", "pages_content", "zoom", "article", "content")
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "caption", "blockquote", "pre", "figure", "figcaption", "address", "hr", "center",
})
_CONTAINER_TAGS = ("div", "td", "article", "section", "main", "body")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: A source line break between two CJK characters renders as nothing (CSS Text 3).
_CJK_SOURCE_BREAK = re.compile(
    r"(?<=[\u2014-\u2026\u2e80-\uffef])[ \t\xa0]*\n[ \t\n\r\xa0]*(?=[\u2014-\u2026\u2e80-\uffef])"
)
_LINE_BREAK = "\x00"  # never in parsed text: lxml turns a NUL into U+FFFD
_TABLE_MARK = re.compile("\x01(\\d+)\x01")  # where the k-th data table was (control characters are not page text)


def _read_html(data: bytes, file: Path, forced: str | None) -> tuple[str, tuple[KnownTable, ...], str]:
    """The article text of a saved portal page, its data tables and the codec that decoded it."""
    markup, codec = _decode_html(data, file, forced)
    del data
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(markup, "lxml")
    except Exception as exc:  # lxml/bs4 parser failures
        raise InputError(f"cannot parse HTML ({_describe(exc)})", path=file) from exc
    del markup
    _drop_boilerplate(soup)
    container = _choose_container(soup)
    title = _title_outside(soup, container)
    blocks = _render(container)
    if title and not (blocks and isinstance(blocks[0], str) and blocks[0].startswith(title)):
        blocks.insert(0, title)
    text, tables = _join_blocks(iter(blocks))
    return text, tables, codec


def _decode_html(data: bytes, file: Path, forced: str | None) -> tuple[str, str]:
    """Decode with the forced codec, a BOM, a working ``<meta charset>``, else detect."""
    if forced is not None or any(data.startswith(bom) for bom, _ in _BOMS):
        return _decode(data, file, forced)
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared = match.group(1).decode("ascii")
        try:
            codec = codecs.lookup(declared).name
            codec = "gb18030" if codec in ("gb2312", "gbk") else codec
            text = data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            log.debug("%s: declared charset %r does not decode, detecting", file, declared)
        else:
            log.debug("%s: decoded with declared charset %s", file, codec)
            return text, _codec_label(codec)
    return _detect(data, file)


def _han_count(text: str) -> int:
    return sum(m.end() - m.start() for m in _HAN_RUN.finditer(text))


def _drop_boilerplate(soup: BeautifulSoup) -> None:
    """Remove scripts, navigation, page header/footer, forms and hidden elements.

    Two exceptions keep real content: a ``<header>`` inside ``<article>`` or
    ``<main>`` (it holds the article title), and a ``<form>`` holding most of
    the page's Chinese text (ASP.NET portals wrap the whole page in one).
    """
    page_han = _han_count(soup.get_text())
    for tag in soup.find_all(_DROP_TAGS):
        if tag.decomposed:
            continue
        if tag.name == "header" and tag.find_parent(("article", "main")):
            continue
        if tag.name == "form" and _han_count(tag.get_text()) * 2 > page_han:
            continue
        tag.decompose()
    for tag in soup.find_all(style=_HIDDEN):
        if not tag.decomposed:
            tag.decompose()


def _choose_container(soup: BeautifulSoup) -> Tag:
    """The element holding the article body.

    First the portal content containers (:data:`_CONTENT_HINTS`): the one with
    the most Chinese text, then its innermost descendant candidate still
    holding 60 % of that.  If none holds 30 % of the page's Chinese text, a
    text-density fallback: each non-link text credits its nearest container
    in full and that container's parent container by half (as Readability
    does), and the best-credited container wins.
    """
    root = soup.body or soup
    tree = _Tree(root)
    page_han = tree.han[id(root)]
    counts = tree.han
    candidates = []
    for tag in tree.tags:
        hint = " ".join([tag.get("id") or "", *(tag.get("class") or ())]).lower()
        if any(h in hint for h in _CONTENT_HINTS):
            candidates.append(tag)
    if candidates:
        best = max(candidates, key=lambda t: counts[id(t)])
        while True:
            inner = [
                t for t in candidates
                if counts[id(t)] >= 0.6 * counts[id(best)] and t is not best and tree.inside(t, best)
            ]
            if not inner:
                break
            best = max(inner, key=lambda t: counts[id(t)])
        if counts[id(best)] and counts[id(best)] >= 0.3 * page_han:
            log.debug("content container <%s id=%r class=%r>",
                      best.name, best.get("id"), best.get("class"))
            return best

    credit: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for n, box, outer in tree.texts:
        for share, tag in ((1.0, box), (0.5, outer)):
            if tag is not None:
                credit[id(tag)] = credit.get(id(tag), 0.0) + share * n
                tags[id(tag)] = tag
    if not credit:
        return root
    best = tags[max(credit, key=credit.__getitem__)]
    log.debug("densest container <%s id=%r class=%r>", best.name, best.get("id"), best.get("class"))
    return best


class _Tree:
    """One pass over a parsed page: its tags in document order, the Chinese
    characters below each, and the containers around each string outside links -- so that
    choosing the container stays linear in the page, however deep it nests
    (asking each element for its text or its ancestors is quadratic there)."""

    def __init__(self, root: Tag) -> None:
        from bs4 import Tag as _Tag

        self.tags: list[Tag] = []
        self.han: dict[int, int] = {}
        self._span: dict[int, tuple[int, int]] = {}  # id -> (pre-order index, index of its last descendant)
        #: (Chinese characters, nearest container, the container above it) of each string outside links
        self.texts: list[tuple[int, Tag | None, Tag | None]] = []
        index = 0
        box = root if root.name in _CONTAINER_TAGS else None
        stack: list[tuple[Tag, Iterator[Any], bool, Tag | None, Tag | None]] = [
            (root, iter(root.contents), root.name == "a", box, None)]
        self._span[id(root)] = (0, 0)
        self.han[id(root)] = 0
        while stack:
            tag, children, linked, box, outer = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                start, _ = self._span[id(tag)]
                self._span[id(tag)] = (start, index)
                if stack:
                    self.han[id(stack[-1][0])] += self.han[id(tag)]
                continue
            if isinstance(child, _Tag):
                index += 1
                self.tags.append(child)
                self._span[id(child)] = (index, index)
                self.han[id(child)] = 0
                inner = (child, box) if child.name in _CONTAINER_TAGS else (box, outer)
                stack.append((child, iter(child.contents), linked or child.name == "a", *inner))
            elif _is_text(child):
                n = _han_count(child)
                self.han[id(tag)] += n
                if n and not linked:
                    self.texts.append((n, box, outer))

    def inside(self, tag: Tag, ancestor: Tag) -> bool:
        """Is ``tag`` a descendant of ``ancestor`` (not itself)?"""
        start, end = self._span[id(ancestor)]
        return start < self._span[id(tag)][0] <= end


def _is_text(node: Any) -> bool:
    """A string ``get_text()`` would return (not a comment, doctype or the like)."""
    from bs4 import CData, NavigableString

    return type(node) is NavigableString or isinstance(node, CData)


def _title_outside(soup: BeautifulSoup, container: Tag) -> str:
    """The ``<h1>`` (else ``<title>``) text, unless the container holds the h1."""
    for h1 in soup.find_all("h1"):
        text = _HTML_SPACE.sub(" ", h1.get_text()).strip()
        if _HAN_RUN.search(text):
            inside = h1 is container or any(p is container for p in h1.parents)
            return "" if inside else text
    if soup.title is not None:
        return _HTML_SPACE.sub(" ", soup.title.get_text()).strip()
    return ""


def _text_with_breaks(container: Tag) -> str:
    """The text of ``container`` with :data:`_LINE_BREAK` at each ``<br>`` and
    around each block element inside it: one walk, no change to the tree (so
    it stays linear however deep the elements nest)."""
    from bs4 import Tag as _Tag

    parts: list[str] = []
    stack: list[tuple[Iterator[Any], bool]] = [(iter(container.contents), False)]
    while stack:
        children, block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if block:
                parts.append(_LINE_BREAK)
        elif isinstance(child, _Tag):
            if child.name == "br":
                parts.append(_LINE_BREAK)
                continue
            opens = child.name in _BLOCK_TAGS
            if opens:
                parts.append(_LINE_BREAK)
            stack.append((iter(child.contents), opens))
        elif _is_text(child):
            parts.append(str(child))
    return "".join(parts)


def _render(container: Tag) -> list[str | Rows]:
    """Lines of ``container``: one per block element, ``<br>`` or table cell,
    and the rows of each data table (an innermost ``<table>`` of short cells)."""
    data_tables: list[Rows] = []
    for table in container.find_all("table"):
        if table.find("table") is not None:
            continue  # a layout table around others
        rows = _data_rows([[_HTML_SPACE.sub(" ", cell.get_text(" ")).strip() for cell in tr.find_all(["td", "th"])]
                           for tr in table.find_all("tr")])
        if rows is not None:
            table.replace_with(f"{_LINE_BREAK}\x01{len(data_tables)}\x01{_LINE_BREAK}")
            data_tables.append(rows)
    lines = (
        _HTML_SPACE.sub(" ", _CJK_SOURCE_BREAK.sub("", part)).strip()
        for part in _text_with_breaks(container).split(_LINE_BREAK)
    )
    blocks: list[str | Rows] = []
    for line in lines:
        mark = _TABLE_MARK.fullmatch(line)
        if mark is not None and int(mark.group(1)) < len(data_tables):
            blocks.append(data_tables[int(mark.group(1))])
        elif line:
            blocks.append(line)
    return blocks
