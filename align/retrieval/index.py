"""Candidate retrieval: TF-IDF vectors and top-k cosine through sparse products.

Two views of each matching form are vectorised — character 2–4-grams
(robust to word-segmentation errors) and jieba word tokens (the policy
lexicon keeps programme names whole) — and their cosines averaged.  The
inverse document frequencies come from the background corpus, so wording
every plan shares counts little.  Child rows are multiplied with the parent
matrix by ``sparse_dot_topn``, which keeps only the top-k parents of each
row as it goes: memory stays proportional to children × k, never to
children × parents.

The term counts are those of scikit-learn's ``CountVectorizer`` (vocabulary
in sorted order, terms in more than ``max_df`` of the background dropped,
sorted indices, float32), computed with NumPy — character n-grams are packed
into integers — rather than one Python call per n-gram; the weighting is
scikit-learn's ``TfidfTransformer`` (smoothed idf, sublinear tf, l2 norm),
exactly as ``TfidfVectorizer`` applies it, in the same array operations
(:class:`SublinearTfidf`: importing scikit-learn would cost a cold command
more than a second).

Why not ``TfidfVectorizer`` itself: on the main job (the nine pair models
of ``planecho run``, 10,414 units) fitting and vectorising this way takes
1/14 of the CPU time of ``TfidfVectorizer(analyzer="char",
ngram_range=(2, 4))`` beside a word ``TfidfVectorizer`` with the jieba
tokenizer (``token_pattern=None``): 0.29 s against 4.0 s (13.8×; 14.5× in
wall time) on the shared machine under load, where the whole pair loop
takes 8 s (``benchmarks/libraries.py``).  ``test_vectors_are_tfidfvectorizers``
in ``tests/unit/test_speedups.py`` checks the matrices are those two
vectorisers' exactly.

>>> forms = ["推进千年古城复兴", "加快海绵城市建设"]
>>> idx = NgramIndex(top_k=1).fit(forms, forms)
>>> idx.query(["全力实施千年古城复兴计划"])[0][0][0]
0
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from numbers import Integral
from typing import NamedTuple

import numpy as np

_EMPTY = "empty vocabulary; perhaps the documents only contain stop words"
_PRUNED = "After pruning, no terms remain. Try a lower min_df or a higher max_df."


def _char_analyzer(lo: int, hi: int) -> Callable[[str], list[str]]:
    """The character n-grams of a text (what :class:`CharCounts` counts)."""

    def grams(text: str) -> list[str]:
        return [text[i : i + n] for n in range(lo, hi + 1) for i in range(len(text) - n + 1)]

    return grams


_HASH_FROM = 1_000_000  # from this many n-grams on, find the distinct ones by hashing


def codepoints(forms: Sequence[str]) -> np.ndarray:
    """The code points of the forms, concatenated (uint32)."""
    return np.frombuffer("".join(forms).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def unique_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)``; for many keys through pandas'
    hash table and a sort of the distinct keys only (several times faster).
    (Plain ``np.unique(keys)`` is no shortcut: NumPy 2.3+ hashes there, and on
    millions of integers that is slower than sorting by an order of magnitude.)"""
    if len(keys) >= _HASH_FROM:
        import pandas as pd

        codes, distinct = pd.factorize(keys)
        order = np.argsort(distinct)
        rank = np.empty(len(distinct), dtype=np.int64)
        rank[order] = np.arange(len(distinct))
        return np.asarray(distinct)[order], rank[codes]
    vocab, inverse = np.unique(keys, return_inverse=True)
    return vocab, inverse.ravel()


def _pairs(docs: np.ndarray, cols: np.ndarray, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``doc * n_cols + col`` codes, sorted, with their counts."""
    return np.unique(docs.astype(np.int64) * n_cols + cols, return_counts=True)


def _csr(pair: np.ndarray, counts: np.ndarray, n_docs: int, n_cols: int, mask: np.ndarray | None = None):
    """A count matrix laid out as ``CountVectorizer`` lays it out: float32
    counts, sorted int32 indices; columns outside ``mask`` dropped and the
    others renumbered in order."""
    from scipy.sparse import csr_matrix

    rows, cols = pair // max(n_cols, 1), pair % max(n_cols, 1)
    if mask is not None:
        keep = mask[cols]
        rows, cols, counts = rows[keep], (np.cumsum(mask) - 1)[cols[keep]], counts[keep]
        n_cols = int(mask.sum())
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
    itype = np.int64 if len(cols) > np.iinfo(np.int32).max else np.int32
    return csr_matrix((counts.astype(np.float32), cols.astype(itype), indptr.astype(itype)), shape=(n_docs, n_cols))


def gram_form_pairs(keys: np.ndarray, docs: np.ndarray, n_docs: int):
    """The distinct (n-gram, form) pairs of the occurrences ``keys`` (packed
    n-grams) in ``docs``, ordered by n-gram then form: the distinct n-grams
    (sorted), each pair's n-gram (its index among them) and form, and its
    count.  One sort of (n-gram, form) packed into a 64-bit integer (NumPy's
    sort of integers is several times faster than the ``argsort`` behind
    ``np.unique(..., return_inverse=True)``); None when they do not fit (or
    there are none)."""
    shift = max(1, (n_docs - 1).bit_length())
    if len(keys) == 0 or int(keys.max()).bit_length() + shift > 64:
        return None
    packed = np.sort((keys << np.uint64(shift)) | docs.astype(np.uint64))
    first = np.empty(len(packed), dtype=bool)
    first[0] = True
    np.not_equal(packed[1:], packed[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(packed)))
    pairs = packed[starts]
    gram = pairs >> np.uint64(shift)
    doc = (pairs & np.uint64((1 << shift) - 1)).astype(np.int64)
    new = np.empty(len(gram), dtype=bool)
    new[0] = True
    np.not_equal(gram[1:], gram[:-1], out=new[1:])
    return gram[new], np.cumsum(new) - 1, doc, counts


def _csr_by_column(doc: np.ndarray, col: np.ndarray, counts: np.ndarray, n_docs: int, mask: np.ndarray):
    """:func:`_csr` of (form, n-gram) pairs ordered by n-gram then form: the
    columns outside ``mask`` dropped and the others renumbered, laid out by
    column, then turned into rows by SciPy (whose conversion leaves each row's
    columns in order)."""
    from scipy.sparse import csc_matrix

    keep = mask[col]
    col, doc, counts = (np.cumsum(mask) - 1)[col[keep]], doc[keep], counts[keep]
    n_cols = int(mask.sum())
    itype = np.int64 if len(col) > np.iinfo(np.int32).max else np.int32
    indptr = np.zeros(n_cols + 1, dtype=itype)
    np.cumsum(np.bincount(col, minlength=n_cols), out=indptr[1:])
    return csc_matrix((counts.astype(np.float32), doc.astype(itype), indptr), shape=(n_docs, n_cols)).tocsr()


def _limit(pair: np.ndarray, n_cols: int, n_docs: int, max_df: float) -> np.ndarray:
    """Mask of the terms ``CountVectorizer`` keeps (``min_df=1``)."""
    return _within_max_df(np.bincount(pair % n_cols, minlength=n_cols), n_docs, max_df)


def _within_max_df(df: np.ndarray, n_docs: int, max_df: float) -> np.ndarray:
    """Mask of the terms ``CountVectorizer`` keeps (``min_df=1``) by their document frequencies."""
    high = max_df if isinstance(max_df, Integral) else max_df * n_docs
    mask = df <= high
    if not mask.any():
        raise ValueError(_PRUNED)
    return mask


class CharCounts:
    """Character n-gram counts of texts, as ``CountVectorizer`` would count them
    with an analyzer yielding every n-gram (``lo`` ≤ n ≤ ``hi``).

    Characters get dense ids in code-point order (0 pads a shorter n-gram), so
    an n-gram packed into one unsigned 64-bit integer sorts as its string
    does: the vocabulary comes out in ``CountVectorizer``'s sorted order.
    When the ids do not fit (``hi`` × bits > 64) the n-grams are counted as
    strings instead, with the same result.
    """

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    # -- fitting ---------------------------------------------------------------
    def fit_counts(self, forms: Sequence[str], max_df: float = 1.0):
        """Learn the vocabulary on ``forms``; return their count matrix."""
        cp = codepoints(forms)
        self.alphabet_ = np.unique(cp, return_counts=True)[0]  # sorts (see unique_inverse)
        self.bits_ = max(1, (len(self.alphabet_) + 1).bit_length())  # ids 1..V, unknown = 2**bits - 1
        self.packed_ = self.hi * self.bits_ <= 64
        if not self.packed_:
            return self._fit_strings(forms, max_df)
        docs, keys = self._grams(forms, cp)
        if len(keys) == 0:
            raise ValueError(_EMPTY)
        packed = gram_form_pairs(keys, docs, len(forms))
        if packed is None:  # (gram, form) does not fit 64 bits: distinct grams, then distinct pairs
            vocab, cols = unique_inverse(keys)
            pair, counts = _pairs(docs, cols, len(vocab))
            mask = _limit(pair, len(vocab), len(forms), max_df)
            self.vocab_ = vocab[mask]
            return _csr(pair, counts, len(forms), len(vocab), mask)
        vocab, col, doc, counts = packed
        mask = _within_max_df(np.bincount(col, minlength=len(vocab)), len(forms), max_df)
        self.vocab_ = vocab[mask]
        return _csr_by_column(doc, col, counts, len(forms), mask)

    def counts(self, forms: Sequence[str]):
        """Counts of ``forms`` over the learnt vocabulary (unknown n-grams ignored)."""
        if not self.packed_:
            return self._count_strings(forms)
        docs, keys = self._grams(forms, codepoints(forms))
        pos = np.searchsorted(self.vocab_, keys)
        pos[pos == len(self.vocab_)] = 0
        hit = self.vocab_[pos] == keys
        return _csr(*_pairs(docs[hit], pos[hit], len(self.vocab_)), len(forms), len(self.vocab_))

    @property
    def n_features(self) -> int:
        return len(self.vocab_) if self.packed_ else len(self.strings_)

    # -- internals ---------------------------------------------------------------

    def _ids(self, cp: np.ndarray) -> np.ndarray:
        a = self.alphabet_
        pos = np.searchsorted(a, cp)
        known = pos < len(a)
        known[known] = a[pos[known]] == cp[known]
        return np.where(known, pos + 1, (1 << self.bits_) - 1).astype(np.uint64)

    def _grams(self, forms: Sequence[str], cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, packed n-gram) of every n-gram occurrence of ``forms``."""
        lens = np.fromiter(map(len, forms), dtype=np.int64, count=len(forms))
        ends = np.cumsum(lens)
        owner = np.repeat(np.arange(len(forms), dtype=np.int64), lens)
        ids = self._ids(cp)
        n = len(cp)
        docs, keys = [], []
        for k in range(self.lo, self.hi + 1):
            m = n - k + 1
            if m <= 0:
                continue
            doc = owner[:m]
            ok = np.arange(k, m + k) <= ends[doc]  # the n-gram ends inside its form
            key = np.zeros(m, dtype=np.uint64)
            for t in range(k):
                key |= ids[t : t + m] << np.uint64(self.bits_ * (self.hi - 1 - t))
            docs.append(doc[ok])
            keys.append(key[ok])
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        return np.concatenate(docs), np.concatenate(keys)

    def _fit_strings(self, forms: Sequence[str], max_df: float):
        grams = _char_analyzer(self.lo, self.hi)
        self.strings_ = TokenCounts()
        return self.strings_.fit_counts([grams(f) for f in forms], max_df)

    def _count_strings(self, forms: Sequence[str]):
        grams = _char_analyzer(self.lo, self.hi)
        return self.strings_.counts([grams(f) for f in forms])


class Encoded(NamedTuple):
    """Token lists as numbers: the distinct tokens (sorted), each token as its
    index among them, and the length of each list (compact to send between
    processes; see :func:`encode_tokens`, :func:`join_encoded`)."""

    vocab: list[str]
    cols: np.ndarray  # int64
    lens: np.ndarray  # int64


def encode_tokens(token_lists: Sequence[Sequence[str]]) -> Encoded:
    flat = [t for toks in token_lists for t in toks]
    vocab = sorted(set(flat))
    index = {t: i for i, t in enumerate(vocab)}
    cols = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
    return Encoded(vocab, cols, np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists)))


def join_encoded(first: Encoded, then: Encoded) -> Encoded:
    """The encoding of ``first``'s token lists followed by ``then``'s (what
    :func:`encode_tokens` gives for the lists put together)."""
    vocab = sorted(set(first.vocab).union(then.vocab))
    index = {t: i for i, t in enumerate(vocab)}
    a = np.fromiter(map(index.__getitem__, first.vocab), dtype=np.int64, count=len(first.vocab))
    b = np.fromiter(map(index.__getitem__, then.vocab), dtype=np.int64, count=len(then.vocab))
    return Encoded(vocab, np.concatenate([a[first.cols], b[then.cols]]), np.concatenate([first.lens, then.lens]))


class TokenCounts:
    """Token counts of token lists, as ``CountVectorizer`` with a callable analyzer."""

    def fit_counts(self, token_lists: Sequence[Sequence[str]], max_df: float = 1.0):
        return self.fit_encoded(encode_tokens(token_lists), max_df)

    def fit_encoded(self, encoded: Encoded, max_df: float = 1.0):
        """:meth:`fit_counts` of encoded token lists (:func:`encode_tokens`)."""
        vocab, cols, lens = encoded
        if not vocab:
            raise ValueError(_EMPTY)
        pair, counts = _pairs(self._owners(lens), cols, len(vocab))
        mask = _limit(pair, len(vocab), len(lens), max_df)
        self.vocabulary_ = {t: i for i, t in enumerate(t for t, keep in zip(vocab, mask) if keep)}
        return _csr(pair, counts, len(lens), len(vocab), mask)

    def counts(self, token_lists: Sequence[Sequence[str]]):
        get = self.vocabulary_.get
        cols = np.fromiter((get(t, -1) for toks in token_lists for t in toks), dtype=np.int64)
        hit = cols >= 0
        n = len(self.vocabulary_)
        lens = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        return _csr(*_pairs(self._owners(lens)[hit], cols[hit], n), len(token_lists), n)

    @staticmethod
    def _owners(lens: np.ndarray) -> np.ndarray:
        """The list each token belongs to, from the lists' lengths."""
        return np.repeat(np.arange(len(lens), dtype=np.int64), lens)


class SublinearTfidf:
    """scikit-learn's ``TfidfTransformer(sublinear_tf=True)`` — smoothed idf,
    ``1 + log(tf)``, rows scaled to unit length — giving the same numbers bit
    for bit (the same float32 operations in the same order; the row lengths
    summed one term after another in float64, as scikit-learn's
    ``inplace_csr_row_normalize_l2`` sums them), without importing
    scikit-learn: that import takes over a second, which every cold command
    (``score``, ``run``, ``align``, the TUI) would pay for a few array
    operations (``benchmarks/libraries.py`` prints both).
    ``test_vectors_are_tfidfvectorizers`` checks the matrices are
    ``TfidfVectorizer``'s exactly."""

    def fit(self, counts) -> "SublinearTfidf":
        dtype = counts.dtype if counts.dtype in (np.float64, np.float32) else np.float64
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(dtype, copy=False)
        df += 1.0
        self.idf_ = np.full_like(df, fill_value=counts.shape[0] + 1, dtype=dtype)
        self.idf_ /= df
        np.log(self.idf_, out=self.idf_)
        self.idf_ += 1.0
        return self

    def transform(self, counts):
        """The weighted rows (``counts`` is overwritten when it is float CSR already)."""
        from scipy.sparse import csr_matrix

        x = counts if counts.dtype in (np.float64, np.float32) else counts.astype(np.float64)
        x = x.tocsr()
        np.log(x.data, x.data)
        x.data += 1.0
        x.data *= self.idf_[x.indices]
        # row lengths: each row's squares (in the data's precision) summed in float64 in order,
        # by SciPy's CSR product with a vector of ones (one accumulator per row, term after term)
        squares = csr_matrix(((x.data * x.data).astype(np.float64), x.indices, x.indptr), shape=x.shape)
        lengths = np.sqrt(squares @ np.ones(x.shape[1]))
        lengths[lengths == 0.0] = 1.0  # an empty row stays as it is
        x.data = (x.data.astype(np.float64) / np.repeat(lengths, np.diff(x.indptr))).astype(x.dtype)
        return x


class NgramIndex:
    """TF-IDF vectorisers learnt on background forms; sparse top-k cosine.

    Character n-gram and word vectors are stacked with weights ``sqrt(1-w)``
    and ``sqrt(w)``, so one sparse product gives ``(1-w)·cos_char + w·cos_word``.
    Parameters are stored unchanged (scikit-learn style); ``fit`` learns.
    """

    def __init__(self, *, ngram_range: tuple[int, int] = (2, 4), top_k: int = 10, threads: int | None = None,
                 max_df: float = 1.0, word_weight: float = 0.35,
                 tokenize: Callable[[str], list[str]] | None = None) -> None:
        self.ngram_range = ngram_range
        self.top_k = top_k
        self.threads = threads  # for the top-k product; None: as many as cores (up to 4) for large queries
        self.max_df = max_df
        self.word_weight = word_weight
        self.tokenize = tokenize

    def fit(self, background_forms: Sequence[str], parent_forms: Sequence[str] | None = None) -> "NgramIndex":
        """Learn vocabularies and IDF on the background; optionally set parents."""
        self.fit_transform(background_forms)
        if parent_forms is not None:
            self.set_parents(self.transform(parent_forms))
        return self

    def fit_transform(self, background_forms: Sequence[str],
                      words: "Callable[[], tuple[TokenCounts, object]] | None" = None):
        """Learn on the background and return its stacked vectors (the rows
        :meth:`transform` would give for the same forms).  ``words``: a
        function giving the background's :meth:`fit_words` when they are
        computed elsewhere (called after the character counts, so that it
        may wait for another process meanwhile)."""
        background = list(background_forms)
        self.char_counts_ = CharCounts(*self.ngram_range)
        char = self.char_counts_.fit_counts(background, self._max_df(len(background)))
        self.char_tfidf_ = SublinearTfidf().fit(char)
        self.word_counts_ = self.word_tfidf_ = None
        word = None
        if self.uses_words:
            self.word_counts_, word = words() if words is not None else self.fit_words(background)
            self.word_tfidf_ = SublinearTfidf().fit(word)
        return self._stack(char, word)

    def _max_df(self, n_background: int) -> float:
        """``max_df`` for a background of ``n_background`` forms (none under 50)."""
        return self.max_df if n_background > 50 else 1.0

    @property
    def uses_words(self) -> bool:
        return self.tokenize is not None and self.word_weight > 0

    def fit_words(self, background_forms: Sequence[str]) -> "tuple[TokenCounts, object]":
        """The word vocabulary of the background and its count matrix (the
        slow part of fitting: jieba on every form; it depends on nothing else)."""
        return self.fit_encoded_words(self.encode_words(background_forms))

    def encode_words(self, forms: Sequence[str]) -> Encoded:
        """The words of forms, encoded (a part of the background may be
        encoded in another process: see :func:`join_encoded`)."""
        return encode_tokens([self.tokenize(f) for f in forms])

    def fit_encoded_words(self, encoded: Encoded) -> "tuple[TokenCounts, object]":
        """:meth:`fit_words` from the background's encoded words."""
        counts = TokenCounts()
        try:
            return counts, counts.fit_encoded(encoded, self._max_df(len(encoded.lens)))
        except ValueError as exc:  # every word is that common (a few phrases reworded): keep them all
            if str(exc) != _PRUNED:
                raise
            return counts, counts.fit_encoded(encoded)

    def transform(self, forms: Sequence[str]):
        """The stacked, weighted sparse vectors of some forms."""
        forms = list(forms)
        word = None
        if self.word_counts_ is not None:
            word = self.word_counts_.counts([self.tokenize(f) for f in forms])
        return self._stack(self.char_counts_.counts(forms), word)

    def _stack(self, char_counts, word_counts):
        from scipy.sparse import hstack

        char = self.char_tfidf_.transform(char_counts)
        if word_counts is None:
            return char.tocsr()
        w = self.word_weight
        word = self.word_tfidf_.transform(word_counts)
        return hstack([char * np.float32(np.sqrt(1 - w)), word * np.float32(np.sqrt(w))]).tocsr()

    def set_parents(self, matrix) -> "NgramIndex":
        self.parent_t_ = matrix.T.tocsr()
        self.n_parents_ = matrix.shape[0]
        return self

    def query(self, child_forms: Sequence[str]) -> list[list[tuple[int, float]]]:
        return self.query_matrix(self.transform(child_forms))

    def query_matrix(self, child_matrix, min_value: float | None = None, *, threads: int | None = None
                     ) -> list[list[tuple[int, float]]]:
        """For each child row, up to ``top_k`` ``(parent index, cosine)``, best first.

        The top ``top_k`` by cosine, ties broken by the lower parent index (so
        the candidates do not depend on thread timing or on how a sort treats
        equal values).  With ``min_value``, only entries of at least
        ``min_value`` are kept and ranked.  ``threads`` overrides the index's
        own setting for this query.  See :func:`top_products`.
        """
        k = min(self.top_k, self.n_parents_)
        return top_products(child_matrix, self.parent_t_, k, min_value, threads=threads or self.threads)


_SLACK = 6  # entries asked beyond k, so that ties at the k-th place are seen whole
_THREAD_ROWS = 4096  # from this many rows on, the product is run in threads


def top_products(a, b, k: int, min_value: float | None = None, *, threads: int | None = None
                 ) -> list[list[tuple[int, float]]]:
    """Per row of ``a @ b``: its ``k`` largest entries (at least ``min_value``),
    best first, ties going to the lower column.

    The product is computed by ``sparse_dot_topn`` (compiled, multi-threaded),
    which keeps only the top entries of each row as it goes: the full product
    — tens of thousands of small cosines per row at scale — is never stored.
    It is asked for ``k`` + a few entries; a row whose ``k``-th value ties with
    the last one returned (its tie might go on beyond them) is recomputed
    whole with SciPy and ranked exactly (:func:`_top_rows`).
    """
    from sparse_dot_topn import sp_matmul_topn

    n = a.shape[0]
    if k <= 0 or n == 0:
        return [[] for _ in range(n)]
    m = min(k + _SLACK, b.shape[1])
    if min_value is None:
        threshold = None
    else:  # the library keeps values greater than the threshold: just below min_value (float32)
        threshold = float(np.nextafter(np.float32(min_value), np.float32(-np.inf)))
    if threads is None:
        threads = _WORKERS if n >= _THREAD_ROWS else 1
    r = sp_matmul_topn(a, b, top_n=m, threshold=threshold, sort=False,
                       n_threads=threads if threads > 1 else None)
    counts = np.diff(r.indptr)
    rows = np.repeat(np.arange(n), counts)
    order = np.lexsort((r.indices, -r.data, rows))  # by row, best first, then lower column
    cols, vals = r.indices[order], r.data[order]
    starts = r.indptr[:-1]
    taken = np.minimum(counts, k)
    sel = (np.arange(len(vals)) - np.repeat(starts, counts)) < np.repeat(taken, counts)
    full = np.flatnonzero(counts == m) if m < b.shape[1] else np.zeros(0, dtype=np.int64)
    unsure = full[vals[starts[full] + k - 1] == vals[starts[full] + m - 1]]
    c, v = cols[sel].tolist(), vals[sel].tolist()
    ends = np.cumsum(taken).tolist()
    out = [list(zip(c[e - t : e], v[e - t : e])) for e, t in zip(ends, taken.tolist())]
    for row in unsure.tolist():
        out[row] = _top_rows((a[row] @ b).tocsr(), k, min_value)[0]
    return out


_WORKERS = min(os.cpu_count() or 1, 4)  # threads for large products


def _top_rows(sims, k: int, min_value: float | None = None) -> list[list[tuple[int, float]]]:
    """Per row of a (small) cosine matrix, its ``k`` largest entries of at least
    ``min_value``, best first, ties going to the lower column: the plain,
    exact ranking :func:`top_products` gives."""
    out: list[list[tuple[int, float]]] = []
    indptr, indices, data = sims.indptr.tolist(), sims.indices, sims.data
    for r in range(sims.shape[0]):
        lo, hi = indptr[r], indptr[r + 1]
        cols, vals = indices[lo:hi], data[lo:hi]
        if min_value is not None:
            keep = vals >= np.float32(min_value)
            cols, vals = cols[keep], vals[keep]
        order = np.lexsort((cols, -vals))[:k]
        out.append(list(zip(cols[order].tolist(), vals[order].tolist())))
    return out
