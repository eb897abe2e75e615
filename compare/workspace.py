"""A corpus being compared: its manifest, documents, corpus model and cache.

Every command that aligns goes through a :class:`Workspace`, so documents are
read once, each pair is judged against its own background (the two documents
over the shipped national background: nothing else in the manifest changes a
pair's result), and results come from the on-disk cache when nothing they
depend on has changed.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from align.reading.corpus import DocumentEntry, Manifest, Pair, default_manifest_path, load_manifest
from align.reading.document import Document, load_document, resolve
from align.errors import AlignError, PlanechoError
from align.textnorm import escape_text
from align.retrieval.lexicon import GENERIC_FILE, LEXICON_FILE
from align.decisions.match import ENGINE_VERSION, Settings
from align.decisions.result import Alignment

from .cache import Cache, file_digest, make_key

log = logging.getLogger(__name__)


#: libraries the engine imports on first use (a name it no longer uses costs only its import)
ENGINE_LIBRARIES = ("numpy", "scipy.sparse", "sparse_dot_topn", "Levenshtein", "ahocorasick")


@dataclass
class Workspace:
    manifest: Manifest
    settings: Settings = field(default_factory=Settings)
    encoding: str | None = None
    cache: Cache = field(default_factory=lambda: Cache(enabled=False))
    #: user lexicon / generic-phrase files added to the bundled ones (``--lexicon``, ``--generic``)
    lexicon_files: tuple[str, ...] = ()
    generic_files: tuple[str, ...] = ()
    #: stop at the first unreadable document (False: :func:`compare.run.load_documents`
    #: records it in ``failed`` and the run goes on without it)
    strict: bool = True
    #: manifest documents that could not be read, with the error; left out of everything
    failed: dict[str, PlanechoError] = field(default_factory=dict)
    #: a scholar's corrections (:mod:`compare.corrections`), applied to every alignment; None: none
    corrections_path: Path | None = None
    #: where the one-line warning about corrections that match no unit goes
    warn: Callable[[str], None] = log.warning
    _docs: dict[str, Document] = field(default_factory=dict)
    _extra: dict[str, Document] = field(default_factory=dict)
    _models: dict[tuple, object] = field(default_factory=dict)
    _alignments: dict[tuple[str, str, str, str], Alignment] = field(default_factory=dict)
    _corrections: list | None = None
    _engine: dict[tuple[str, str, str, str], Alignment] = field(default_factory=dict)  # before corrections

    @classmethod
    def open(cls, manifest_path: str | os.PathLike | None = None, settings: Settings | None = None,
             encoding: str | None = None, *, use_cache: bool = False,
             cache_dir: str | os.PathLike | None = None, lexicon_files: tuple[str | os.PathLike, ...] = (),
             generic_files: tuple[str | os.PathLike, ...] = (),
             corrections: str | os.PathLike | bool = True) -> "Workspace":
        """``corrections``: a corrections file, True for ``corrections.jsonl`` beside
        the manifest (if it exists), False for none."""
        from align.retrieval.lexicon import load_lexicon

        from . import corrections as corr

        path = Path(manifest_path) if manifest_path is not None else default_manifest_path()
        if corrections is True:
            corrections_path = corr.default_path(path)
        else:
            corrections_path = Path(corrections) if corrections is not False else None
        ws = cls(load_manifest(path), settings or Settings(), encoding, Cache(cache_dir, enabled=use_cache),
                 lexicon_files=tuple(map(str, lexicon_files)), generic_files=tuple(map(str, generic_files)),
                 corrections_path=corrections_path)
        load_lexicon(ws.lexicon_files, ws.generic_files)  # a bad file fails here, before any work
        ws.corrections()  # and a bad corrections file
        return ws

    # -- documents -----------------------------------------------------------
    def document(self, ref: str | os.PathLike | DocumentEntry) -> Document:
        """A manifest id, a manifest entry or a path; loaded once (and cached on disk)."""
        entry = ref if isinstance(ref, DocumentEntry) else resolve(ref, self.manifest)
        in_manifest = entry.id in self.manifest
        if not in_manifest and any(d.doc_id == entry.id and d.entry.file != entry.file for d in self._extra.values()):
            entry = replace(entry, id=escape_text(str(entry.file)))  # another file of the same name: its whole path
        key = entry.id if in_manifest else str(entry.file)
        doc = self._docs.get(key) or self._extra.get(key)
        if doc is not None:
            return doc
        ckey = None
        if entry.file.is_file():
            ckey = make_key("document", ENGINE_VERSION, file_digest(entry.file), entry, self.encoding)
            doc = self.cache.get("documents", ckey)
        if doc is None:
            doc = load_document(entry, manifest=self.manifest, encoding=self.encoding)
            if ckey:
                self.cache.put("documents", ckey, doc)
        if not doc.units(self.settings.unit):  # it would score 0 % against anything, silently
            name = entry.id if in_manifest else escape_text(os.fspath(entry.file))
            where = (f" --manifest {escape_text(str(self.manifest.path))}"
                     if in_manifest and self.manifest.path != default_manifest_path().resolve() else "")
            self.warn(f"{name}: no body text found (its text was read as a title, headings or removed "
                      f"parts); `planecho clean {name}{where}` shows how it was read")
        if in_manifest:
            self._docs[key] = doc
        else:
            self._extra[key] = doc
        return doc

    def input_files(self) -> list[Path]:
        """Every file this workspace reads: the manifest, its documents, the documents
        given by path, the corrections and the user's lexicon files (an output may
        not replace one of them)."""
        files = [self.manifest.path, *(e.file for e in self.manifest.documents)]
        files += [Path(d.source.path) for d in self._extra.values() if d.source.path]
        files += [Path(f) for f in (*self.lexicon_files, *self.generic_files)]
        if self.corrections_path is not None:
            files.append(self.corrections_path)
        return files

    def adopt(self, docs: dict[str, Document]) -> None:
        """Take manifest documents read elsewhere (by :func:`compare.sidework.read_documents` in a worker process)."""
        for doc_id, doc in docs.items():
            if doc_id not in self.manifest:
                raise AlignError(f"{doc_id}: not a document of the manifest")
            self._docs.setdefault(doc_id, doc)

    def prepare_engine(self) -> None:
        """Load what the corpus model needs before any document (the libraries
        the engine imports on first use, :data:`ENGINE_LIBRARIES`; jieba's dictionary
        with the lexicon; the shipped national background and its index), so
        this can overlap with reading the documents, and processes forked
        afterwards start with it."""
        import importlib

        from align.retrieval.background import prepare
        from align.retrieval.lexicon import load_lexicon
        from align.retrieval.model import shared_tokenizer

        for name in ENGINE_LIBRARIES:
            try:
                importlib.import_module(name)
            except ImportError:  # one the engine no longer uses, uninstalled
                pass
        shared_tokenizer(load_lexicon(self.lexicon_files, self.generic_files))
        prepare()

    def documents(self) -> list[Document]:
        """Every manifest document, parents before children (except those that ``failed``)."""
        return [self.document(e) for e in self.manifest.topological() if e.id not in self.failed]

    # -- hierarchy -----------------------------------------------------------
    def pairs(self) -> list[Pair]:
        """A :class:`~align.reading.corpus.Pair` (child, parent) for every document and each of
        its ancestors, declared or transitive, parents before children."""
        out: list[Pair] = []
        for entry in self.manifest.topological():
            for ancestor, _distance in self.manifest.ancestors(entry.id):
                pair = Pair(child=entry.id, parent=ancestor.id)
                if pair not in out:
                    out.append(pair)
        return out

    # -- alignment -----------------------------------------------------------
    def _engine_key(self) -> tuple:
        """What every result depends on besides the documents themselves: the
        lexicon files, the shipped background, the settings and the engine."""
        from align.retrieval.background import BACKGROUND_FILE, COUNTS_FILE

        lexicon = (file_digest(LEXICON_FILE), file_digest(GENERIC_FILE),
                   tuple(file_digest(f) for f in self.lexicon_files), tuple(file_digest(f) for f in self.generic_files))
        return (lexicon, file_digest(BACKGROUND_FILE), file_digest(COUNTS_FILE), self.settings.digest(), ENGINE_VERSION)

    def _lexicon(self):
        from align.retrieval.lexicon import load_lexicon

        return load_lexicon(self.lexicon_files, self.generic_files)

    def model(self, *docs: Document):
        """The corpus model of ``docs`` (a pair, or one document) over the
        shipped national background: what a pair's result depends on besides
        its two documents (:func:`align.retrieval.model.pair_model`)."""
        from align.retrieval.model import pair_model

        s = self.settings
        key = tuple(d.doc_id for d in docs) + (s.digest(),)
        if key not in self._models:
            units = [[u for u in (d.alignable(s.unit) if s.include_headings else d.units(s.unit))] for d in docs]
            self._models.clear()  # one pair at a time: a model is not reused by other pairs
            self._models[key] = pair_model(units[0], [u for us in units[1:] for u in us],
                                           regions=[d.entry.region for d in docs if d.entry.region],
                                           lexicon=self._lexicon(), settings=s)
        return self._models[key]

    # -- corrections ---------------------------------------------------------
    def corrections(self) -> list:
        """The scholar's corrections (read once; :meth:`correct` adds to them)."""
        from . import corrections as corr

        if self._corrections is None:
            self._corrections = corr.read(self.corrections_path) if self.corrections_path is not None else []
        return self._corrections

    def correct(self, correction=None, *, undo=None) -> None:
        """Save a correction (or, with ``undo=(child unit, parent doc)``, drop that
        unit's corrections) to the corrections file at once; the pair's
        alignment is corrected from the next :meth:`alignment` call on."""
        from align.errors import PlanechoError

        from . import corrections as corr

        if self.corrections_path is None:
            raise PlanechoError("no corrections file (corrections are off)")
        if correction is not None:
            self._corrections = corr.add(self.corrections_path, correction)
            child_doc, parent_doc = correction.child_doc, correction.parent_doc
        else:
            unit, parent_doc = undo
            child_doc = unit.doc_id
            self._corrections = corr.remove(self.corrections_path, unit, parent_doc)
        for key in [k for k, a in self._alignments.items() if (a.parent_doc, a.child_doc) == (parent_doc, child_doc)]:
            del self._alignments[key]

    def alignment(self, parent: Document | str, child: Document | str) -> Alignment:
        """The alignment of ``child`` to ``parent`` (memoised, and cached on disk),
        with the scholar's corrections applied (:mod:`compare.corrections`; the
        cache keeps the engine's own result).

        A pure function of the two documents, the settings and what ships
        with planecho: the same as :func:`align.align_documents` gives."""
        from align.decisions.result import build_alignment

        parent = parent if isinstance(parent, Document) else self.document(parent)
        child = child if isinstance(child, Document) else self.document(child)
        mkey = self._memo_key(parent, child)
        if mkey in self._alignments:
            return self._alignments[mkey]
        if not parent.alignable(self.settings.unit):
            raise AlignError(f"{parent.doc_id}: the parent has no text to align to")
        ckey = self._alignment_key(parent, child) if self.cache.enabled else None
        result = self._engine.get(mkey) or (self.cache.get("alignments", ckey) if ckey else None)
        if result is None:
            result = build_alignment(parent, child, self.settings, self.model(parent, child))
            if ckey:
                self.cache.put("alignments", ckey, result)
        if self.corrections_path is not None:
            self._engine[mkey] = result  # corrections change: re-applied without reading the cache again
        result = self._corrected(result)
        self._alignments[mkey] = result
        return result

    @staticmethod
    def _memo_key(parent: Document, child: Document) -> tuple[str, str, str, str]:
        """By id and file: two manifest ids may name one file, and each keeps its own results."""
        return (parent.doc_id, str(parent.entry.file), child.doc_id, str(child.entry.file))

    def _alignment_key(self, parent: Document, child: Document) -> str:
        # the titles too: a plan naming itself is preamble (compare.selfcite), read from the alignment
        return make_key("alignment", self._engine_key(), parent.doc_id, file_digest(parent.entry.file),
                        parent.entry.region, parent.entry.title, child.doc_id, file_digest(child.entry.file),
                        child.entry.region, child.entry.title)

    def has_alignment(self, parent: Document | str, child: Document | str) -> bool:
        """Whether :meth:`alignment` can answer without aligning (memoised or in the cache)."""
        parent = parent if isinstance(parent, Document) else self.document(parent)
        child = child if isinstance(child, Document) else self.document(child)
        mkey = self._memo_key(parent, child)
        return (mkey in self._alignments or mkey in self._engine
                or self.cache.has("alignments", self._alignment_key(parent, child)))

    def _corrected(self, result: Alignment) -> Alignment:
        from . import corrections as corr

        if not self.corrections():
            return result
        applied = corr.apply(result, self.corrections())
        if applied.unmatched:
            self.warn(corr.warning(self.corrections_path, result.parent_doc, result.child_doc, applied.unmatched))
        return applied.alignment

    def release(self, parent: Document, child: Document) -> None:
        """Drop the alignment of one pair kept in memory (``planecho score`` keeps the
        scores only: its memory stays flat over a manifest of thousands of pairs)."""
        key = self._memo_key(parent, child)
        self._alignments.pop(key, None)
        self._engine.pop(key, None)
        self._models.clear()

    def forget(self) -> None:
        """Drop the documents, models and alignments kept in memory (a batch worker
        holds only the plans of its current pair)."""
        self._docs.clear()
        self._extra.clear()
        self._models.clear()
        self._alignments.clear()
        self._engine.clear()

    def align(self, parent: Document, child: Document):
        """The links of every child unit to the parent's units."""
        return self.alignment(parent, child).links

    def phrases(self, doc: Document | str):
        """The distinctive phrases of a document (cached on disk)."""
        from align.decisions.phrases import distinctive_phrases

        doc = doc if isinstance(doc, Document) else self.document(doc)
        ckey = make_key("phrases", self._engine_key(), doc.doc_id, file_digest(doc.entry.file), doc.entry.region)
        found = self.cache.get("phrases", ckey) if self.cache.enabled else None
        if found is None:
            units = doc.alignable(self.settings.unit)
            model = self.model(doc)
            found = distinctive_phrases(model.prepared(units), model)
            self.cache.put("phrases", ckey, found)
        return found
