"""The corpus manifest: which plan texts there are and which plans sit above them.

A manifest is a TOML file with one ``[[document]]`` table per text (see the
comment block at the top of ``corpora/manifest.toml`` for the fields).
:func:`load_manifest` checks it completely and raises one
:class:`~align.errors.ManifestError` listing every problem, each naming the
manifest line, the document and the fix.
"""
from __future__ import annotations

import codecs
import datetime as dt
import heapq
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from align.errors import InputError, ManifestError, os_reason
from align.textnorm import CONTROL, escape_text

log = logging.getLogger(__name__)

LEVELS: tuple[str, ...] = ("nation", "province", "city", "county", "district")
"""Administrative levels, highest rank first (the nation outranks a province, a province a city, ...)."""
# words users write for a level, and the level they mean (spelling mistakes get the closest level)
_LEVEL_SYNONYMS = {"country": "nation", "national": "nation", "central": "nation", "state": "nation",
                   "prefecture": "city", "prefectural": "city", "provincial": "province"}

_REQUIRED = ("id", "title", "level", "region", "date", "file", "parents")
_OPTIONAL = ("encoding", "notes")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_HEADER = re.compile(r"^\s*\[\[\s*[\"']?document[\"']?\s*\]\]\s*(?:#.*)?$")


class Pair(NamedTuple):
    """A child plan and one plan above it (ids).  Named fields, child first as in
    ``echo(child | parent)``: read ``pair.child`` / ``pair.parent`` rather than unpacking.

    >>> Pair(child="taizhou", parent="zhejiang").parent
    'zhejiang'
    """

    child: str
    parent: str


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    """One plan text of the corpus, as declared in the manifest."""

    id: str
    title: str
    level: str  # one of LEVELS; "" for a document given as a plain path
    region: str
    date: str  # "YYYY-MM-DD" or "YYYY-MM"; "" when unknown
    file: Path  # absolute, resolved
    parents: tuple[str, ...]  # ids of the direct parents, as declared
    encoding: str | None = None  # forced codec, else detected
    notes: str = ""


@dataclass(frozen=True)
class Manifest:
    """A validated manifest: documents in file order plus hierarchy queries."""

    path: Path
    documents: tuple[DocumentEntry, ...]
    _by_id: dict[str, DocumentEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {d.id: d for d in self.documents})

    def get(self, doc_id: str) -> DocumentEntry:
        """The document with id ``doc_id``; ManifestError naming the known ids if none.

        >>> m = load_manifest(default_manifest_path())
        >>> m.get("taizhou-urbanization-14fyp").region
        '台州市'
        """
        try:
            return self._by_id[doc_id]
        except KeyError:
            raise ManifestError(
                f"unknown document {_q(doc_id)}{_did_you_mean(doc_id, self.ids())}; "
                f"known ids: {', '.join(self.ids())}",
                path=_shown(self.path),
            ) from None

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._by_id

    def ids(self) -> list[str]:
        """Document ids in manifest order."""
        return [d.id for d in self.documents]

    def parents(self, doc_id: str) -> tuple[DocumentEntry, ...]:
        """The direct parents of ``doc_id``, in declared order."""
        return tuple(self.get(p) for p in self.get(doc_id).parents)

    def ancestors(self, doc_id: str) -> list[tuple[DocumentEntry, int]]:
        """Every plan above ``doc_id`` with its distance (1 = direct parent), nearest first.

        A plan reachable along several paths appears once, at its smallest distance.

        >>> m = load_manifest(default_manifest_path())
        >>> [(d.id, n) for d, n in m.ancestors("taizhou-urbanization-14fyp")]
        [('zhejiang-urbanization-14fyp', 1)]
        """
        seen = {doc_id}
        out: list[tuple[DocumentEntry, int]] = []
        frontier, distance = [self.get(doc_id)], 0
        while frontier:
            distance += 1
            nxt: list[DocumentEntry] = []
            for doc in frontier:
                for parent in self.parents(doc.id):
                    if parent.id not in seen:
                        seen.add(parent.id)
                        out.append((parent, distance))
                        nxt.append(parent)
            frontier = nxt
        return out

    def children(self, doc_id: str) -> tuple[DocumentEntry, ...]:
        """The documents that declare ``doc_id`` as a direct parent, in manifest order."""
        self.get(doc_id)
        return tuple(d for d in self.documents if doc_id in d.parents)

    def pairs(self) -> list[Pair]:
        """Every declared edge as a :class:`Pair` (child, parent), in manifest order.

        >>> load_manifest(default_manifest_path()).pairs()[0]
        Pair(child='taizhou-urbanization-14fyp', parent='zhejiang-urbanization-14fyp')
        """
        return [Pair(d.id, p) for d in self.documents for p in d.parents]

    def topological(self) -> list[DocumentEntry]:
        """All documents with every parent before its children, else in manifest order.

        >>> load_manifest(default_manifest_path()).topological()[0].level
        'province'
        """
        order = {d.id: i for i, d in enumerate(self.documents)}
        waiting = {d.id: len(set(d.parents)) for d in self.documents}
        ready = [order[d] for d, n in waiting.items() if n == 0]
        heapq.heapify(ready)
        out: list[DocumentEntry] = []
        while ready:
            doc = self.documents[heapq.heappop(ready)]
            out.append(doc)
            for child in self.children(doc.id):
                waiting[child.id] -= 1
                if waiting[child.id] == 0:
                    heapq.heappush(ready, order[child.id])
        return out


def default_manifest_path() -> Path:
    """The bundled ``corpora/manifest.toml``.

    Searched upwards from the current directory, then next to the package
    (the repository copy); the latter is returned even if it is missing, so
    that :func:`load_manifest` reports it.

    >>> default_manifest_path().name
    'manifest.toml'
    """
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        candidate = folder / "corpora" / "manifest.toml"
        if candidate.is_file():
            return candidate
    return Path(__file__).resolve().parents[2] / "corpora" / "manifest.toml"


def entry_for_path(path: str | os.PathLike[str]) -> DocumentEntry:
    """A document given as a plain file outside the manifest: id and title are its stem.

    Level, region and date are unknown (``""``) and it has no parents.

    >>> entry_for_path(default_manifest_path()).id
    'manifest'
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path=path)
    if p.is_dir():
        raise InputError("is a directory, not a document file", path=path)
    name = escape_text(p.stem)  # shown in terminal lines and written in tables: one line, no escapes
    return DocumentEntry(
        id=name, title=name, level="", region="", date="", file=p.resolve(), parents=()
    )


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read and validate a manifest; raise one ManifestError listing every problem.

    >>> m = load_manifest(default_manifest_path())
    >>> m.ids()[0], len(m.pairs())
    ('zhejiang-urbanization-14fyp', 9)
    """
    try:
        manifest = Path(path).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop
        raise ManifestError(f"cannot reach the manifest: {os_reason(exc)}", path=str(path)) from None
    shown = _shown(manifest)
    if not manifest.exists():
        raise ManifestError("manifest not found; check the path", path=shown)
    if manifest.is_dir():
        raise ManifestError("is a directory; give the manifest .toml file", path=shown)
    try:
        text = manifest.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"not UTF-8 text (byte {exc.start}); save the manifest as UTF-8", path=shown
        ) from None
    except OSError as exc:
        raise ManifestError(f"cannot read the manifest: {exc.strerror}", path=shown) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{shown}:{m.group(1)}" if m else shown
        raise _error(shown, [f"{where}: invalid TOML: {exc}; fix the syntax there"]) from None

    checker = _Checker(manifest, shown, text)
    documents = checker.check(data)
    if checker.problems:
        raise _error(shown, [msg for _, msg in sorted(checker.problems, key=lambda p: p[0])])
    log.debug("loaded %d documents from %s", len(documents), shown)
    return Manifest(path=manifest, documents=tuple(documents))


def _error(shown: str, problems: list[str]) -> ManifestError:
    """One error for all problems: a single line, or a count line then one per problem."""
    if len(problems) == 1:
        err = ManifestError(problems[0])
    else:
        err = ManifestError("\n".join([f"{len(problems)} problems in {shown}:", *problems]))
    err.path = shown
    return err


class _Checker:
    """Collects the problems of one parsed manifest as ``(line, message)``."""

    def __init__(self, manifest: Path, shown: str, text: str) -> None:
        self.base = manifest.parent
        self.shown = shown
        self.lines = text.splitlines()
        self.headers = [i for i, line in enumerate(self.lines) if _HEADER.match(line)]
        self.problems: list[tuple[int, str]] = []
        self._count = 0
        self.first: dict[str, int] = {}  # usable id -> index of its first [[document]]

    def add(self, line: int | None, message: str) -> None:
        where = f"{self.shown}:{line}" if line else self.shown
        self.problems.append((line or 0, f"{where}: {message}"))

    def line_of(self, index: int, key: str | None = None, value: str | None = None) -> int | None:
        """1-based line of document ``index``, its ``key = ...`` line, or ``"value"`` there."""
        if len(self.headers) != self._count:
            return None  # tables written some other way: no reliable positions
        start = self.headers[index]
        if key is not None:
            end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.lines)
            pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
            for n in range(start + 1, end):
                if pattern.match(self.lines[n]):
                    if value is not None:  # e.g. one id inside a multi-line parents list
                        quoted = (f'"{value}"', f"'{value}'")
                        for m in range(n, end):
                            if any(q in self.lines[m] for q in quoted):
                                return m + 1
                    return n + 1
        return start + 1

    def check(self, data: dict[str, Any]) -> list[DocumentEntry]:
        tables = data.get("document")
        self._count = len(tables) if isinstance(tables, list) else 0
        if isinstance(tables, dict):
            self.add(None, "document is a single table; write [[document]] (double brackets)")
            return []
        if not tables or not all(isinstance(t, dict) for t in tables):
            hint = _did_you_mean("document", list(data))
            self.add(None, f"no [[document]] tables{hint}; add one [[document]] per text")
            return []

        entries: list[DocumentEntry] = []
        for i, table in enumerate(tables):
            entry = self._document(i, table)
            if entry is not None:
                entries.append(entry)
        self._graph(tables)
        return entries

    def _document(self, i: int, table: dict[str, Any]) -> DocumentEntry | None:
        doc_id = table.get("id")
        usable = isinstance(doc_id, str) and doc_id
        name = f"document {_q(doc_id)}" if usable else f"document #{i + 1}"
        before = len(self.problems)

        def bad(key: str | None, message: str) -> None:
            self.add(self.line_of(i, key), f"{name}: {message}")

        for key in _REQUIRED:
            if key not in table:
                fix = "add parents = [] if it has none" if key == "parents" else f"add {key} = ..."
                bad(None, f"missing required field {_q(key)}; {fix}")
        for key in table:
            if key not in _REQUIRED and key not in _OPTIONAL:
                allowed = ", ".join((*_REQUIRED, *_OPTIONAL))
                bad(key, f"unknown field {_q(key)}{_did_you_mean(key, [*_REQUIRED, *_OPTIONAL])}; "
                    f"allowed fields: {allowed}")
        for key in ("id", "title", "level", "region", "file", "encoding", "notes"):
            if key in table and not isinstance(table[key], str):
                bad(key, f"{key} must be a string, not {_toml_type(table[key])}; quote it")
            elif key in table and key in _REQUIRED and not table[key].strip() and key != "id":
                bad(key, f"{key} is empty; fill it in")
            elif key in ("title", "region", "level") and key in table and (m := CONTROL.search(table[key])):
                # shown in terminals, reports and file metadata: no escape sequences, one line
                bad(key, f"{key} {_q(table[key])} contains the control character {_q(m.group())[1:-1]}; "
                    "remove it")

        if isinstance(doc_id, str):
            if (why := id_problem(doc_id)) is not None:
                bad("id", f"id {_q(doc_id)} is not usable: {why}; "
                    "use the file stem (letters, digits, '-', '_', '.')")
            elif doc_id in self.first:
                where = self.line_of(self.first[doc_id])
                bad("id", f"duplicate id{f' (first at line {where})' if where else ''}; "
                    "ids must be unique")
            else:
                self.first[doc_id] = i

        level = table.get("level")
        if isinstance(level, str) and level.strip() and level not in LEVELS:
            hint = (f' (did you mean "{_LEVEL_SYNONYMS[level.strip().lower()]}"?)'
                    if level.strip().lower() in _LEVEL_SYNONYMS else _did_you_mean(level, list(LEVELS)))
            bad("level", f"unknown level {_q(level)}{hint}; "
                f"use one of {', '.join(LEVELS)}")

        date = _date(table["date"]) if "date" in table else ""
        if isinstance(table.get("date"), dt.datetime):
            bad("date", "date has a time of day; write the date only, e.g. 2021-09-29")
        elif date is None:
            bad("date", f"date {_q(table['date'])} is not an ISO date; "
                'write "YYYY-MM-DD" or "YYYY-MM"')

        parents = table.get("parents")
        if "parents" in table and not (
            isinstance(parents, list) and all(isinstance(p, str) for p in parents)
        ):
            bad("parents", 'parents must be a list of ids, e.g. ["zhejiang-urbanization-14fyp"]')
        elif isinstance(parents, list):
            if isinstance(doc_id, str) and doc_id in parents:
                bad("parents", "lists itself as a parent; remove its own id from parents")
            for dup in sorted({p for p in parents if parents.count(p) > 1}):
                bad("parents", f"parent {_q(dup)} listed twice; keep one")

        encoding = table.get("encoding")
        if isinstance(encoding, str):
            try:
                codecs.lookup(encoding)
            except LookupError:
                bad("encoding", f"unknown encoding {_q(encoding)}; use a Python codec name "
                    'such as "utf-8" or "gb18030", or drop the field')

        file = table.get("file")
        resolved: Path | None = None
        if isinstance(file, str) and file.strip() and (why := file_name_problem(file)) is not None:
            bad("file", f"file {_q(file)} is not usable: {why}")
        elif isinstance(file, str) and file.strip():
            try:
                resolved = (self.base / file).resolve()
                exists, is_dir = resolved.exists(), resolved.is_dir()
            except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a denied folder
                bad("file", f"file {_q(file)} cannot be reached: {os_reason(exc)}")
                resolved = None
            else:
                if not exists:
                    bad("file", f"file {_q(file)} not found (looked for {escape_text(str(resolved))}); "
                        "paths are relative to the manifest's directory")
                elif is_dir:
                    bad("file", f"file {_q(file)} is a directory; name the text file")

        if len(self.problems) > before or resolved is None or not isinstance(parents, list):
            return None
        return DocumentEntry(
            id=str(doc_id), title=str(table["title"]), level=str(level),
            region=str(table["region"]), date=str(date), file=resolved,
            parents=tuple(parents), encoding=encoding, notes=str(table.get("notes", "")),
        )

    def _graph(self, tables: list[dict[str, Any]]) -> None:
        """Unknown parents and cycles, over the documents whose id is usable."""
        known = list(self.first)
        edges: dict[str, list[str]] = {}
        for i, table in enumerate(tables):
            doc_id, parents = table.get("id"), table.get("parents")
            if self.first.get(doc_id) != i or not isinstance(parents, list):
                continue  # unusable or duplicate id (reported already), or bad parents
            edges[doc_id] = []
            for parent in parents:
                if not isinstance(parent, str) or parent == doc_id:
                    continue
                if parent in self.first:
                    edges[doc_id].append(parent)
                else:
                    self.add(self.line_of(i, "parents", parent),
                             f"document {_q(doc_id)}: unknown parent {_q(parent)}"
                             f"{_did_you_mean(parent, known)}; "
                             "parents must be ids of this manifest")
        for cycle in _cycles(edges, known):
            chain = " → ".join([*cycle, cycle[0]])
            self.add(self.line_of(self.first[cycle[0]]),
                     f"document {_q(cycle[0])}: parents form a cycle {chain}; "
                     "remove one of these parent links")


def _cycles(edges: dict[str, list[str]], order: list[str]) -> list[list[str]]:
    """Each distinct cycle once, rotated to start at its earliest document."""
    rank = {d: i for i, d in enumerate(order)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    seen: set[tuple[str, ...]] = set()
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):]
                k = min(range(len(cycle)), key=lambda j: rank[cycle[j]])
                cycle = cycle[k:] + cycle[:k]
                if tuple(cycle) not in seen:
                    seen.add(tuple(cycle))
                    found.append(cycle)
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in order:
        if node not in state:
            visit(node, [])
    return found


def _date(value: object) -> str | None:
    """ISO text of a manifest date, or None if it is not one."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not (m := _DATE.match(value.strip())):
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3] or 1)
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return value.strip()


def _did_you_mean(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {_q(close[0])}?)" if close else ""


def _q(value: object) -> str:
    r"""``value`` in double quotes, as TOML writes strings: quotes, backslashes and
    control characters escaped, so a hostile value prints as one harmless line.

    >>> print(_q('a"b\n\x1b[31m'))
    "a\"b\n\u001b[31m"
    """
    return '"' + escape_text(str(value), quotes=True) + '"'


#: Characters no file name on Windows, macOS or Linux may hold (or that a shell misreads).
_RESERVED = set('/\\:*?"<>|')
#: An id becomes part of output file names (``<child>__<parent>.html``): at most this many UTF-8 bytes.
MAX_ID_BYTES = 100
#: A file name component longer than this many UTF-8 bytes no common file system stores.
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot be a document id (None if it can).

    Ids name output files and appear in terminals, so they hold no control
    characters, spaces or characters file systems reserve, and are short.

    >>> id_problem("taizhou-14fyp") is None, id_problem("a/b")
    (True, "it contains the reserved character '/'")
    """
    if not doc_id:
        return "it is empty"
    if m := CONTROL.search(doc_id):
        return f"it contains the control character {_q(m.group())[1:-1]}"
    if any(c.isspace() for c in doc_id):
        return "it contains a space"
    if bad := sorted({c for c in doc_id if c in _RESERVED}):
        return f"it contains the reserved character {bad[0]!r}"
    if doc_id in (".", "..") or doc_id.startswith(("-", ".")):
        return "it starts with '-' or '.'"
    if len(doc_id.encode("utf-8")) > MAX_ID_BYTES:
        return f"it is {len(doc_id.encode('utf-8'))} bytes long, over the {MAX_ID_BYTES}-byte limit"
    return None


def file_name_problem(file: str) -> str | None:
    r"""Why the manifest ``file`` value cannot name a file (None if it can).

    >>> file_name_problem("plans/a.txt") is None, file_name_problem("a\x00.txt")
    (True, 'it contains the control character \\u0000')
    """
    if m := CONTROL.search(file):
        return f"it contains the control character {_q(m.group())[1:-1]}"
    if len(file.encode("utf-8")) > MAX_PATH_BYTES:
        return f"the path is over {MAX_PATH_BYTES} bytes long"
    for part in re.split(r"[/\\]", file):
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            return (f"the name {_q(part[:20] + '…')} is {len(part.encode('utf-8'))} bytes long, "
                    f"over the {MAX_NAME_BYTES}-byte limit of file systems")
    return None


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", list: "an array",
             dict: "a table"}
    return next((n for t, n in names.items() if isinstance(value, t)), type(value).__name__)


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when below it, else as is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # not below it; a symbolic link loop
        return str(path)
