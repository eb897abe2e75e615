"""Candidate retrieval: TF-IDF vectors and top-k cosine through sparse products.

Two views of each matching form are vectorised — character 2–4-grams
(robust to word-segmentation errors) and jieba word tokens (the policy
lexicon keeps programme names whole) — and their cosines averaged.  The
inverse document frequencies come from the background corpus, so wording
every plan shares counts little.  Child rows are multiplied with the parent
matrix a chunk at a time and only the top-k parents of each row are kept:
memory stays proportional to (chunk × parents touched), never to
children × parents.

>>> forms = ["推进千年古城复兴", "加快海绵城市建设"]
>>> idx = NgramIndex(top_k=1).fit(forms, forms)
>>> idx.query(["全力实施千年古城复兴计划"])[0][0][0]
0
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def _char_analyzer(lo: int, hi: int) -> Callable[[str], list[str]]:
    def grams(text: str) -> list[str]:
        return [text[i : i + n] for n in range(lo, hi + 1) for i in range(len(text) - n + 1)]

    return grams


class NgramIndex:
    """TF-IDF vectorisers learnt on background forms; sparse top-k cosine.

    Character n-gram and word vectors are stacked with weights ``sqrt(1-w)``
    and ``sqrt(w)``, so one sparse product gives ``(1-w)·cos_char + w·cos_word``.
    Parameters are stored unchanged (scikit-learn style); ``fit`` learns.
    """

    def __init__(self, *, ngram_range: tuple[int, int] = (2, 4), top_k: int = 10, chunk_size: int = 512,
                 max_df: float = 1.0, word_weight: float = 0.35,
                 tokenize: Callable[[str], list[str]] | None = None) -> None:
        self.ngram_range = ngram_range
        self.top_k = top_k
        self.chunk_size = chunk_size
        self.max_df = max_df
        self.word_weight = word_weight
        self.tokenize = tokenize

    def fit(self, background_forms: Sequence[str], parent_forms: Sequence[str] | None = None) -> "NgramIndex":
        """Learn vocabularies and IDF on the background; optionally set parents."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        background = list(background_forms)
        max_df = self.max_df if len(background) > 50 else 1.0
        self.char_vec_ = TfidfVectorizer(analyzer=_char_analyzer(*self.ngram_range), sublinear_tf=True,
                                         max_df=max_df, dtype=np.float32).fit(background)
        self.word_vec_ = None
        if self.tokenize is not None and self.word_weight > 0:
            self.word_vec_ = TfidfVectorizer(analyzer=self.tokenize, sublinear_tf=True, dtype=np.float32).fit(background)
        if parent_forms is not None:
            self.set_parents(self.transform(parent_forms))
        return self

    def transform(self, forms: Sequence[str]):
        """The stacked, weighted sparse vectors of some forms."""
        from scipy.sparse import hstack

        char = self.char_vec_.transform(forms)
        if self.word_vec_ is None:
            return char.tocsr()
        w = self.word_weight
        return hstack([char * np.float32(np.sqrt(1 - w)), self.word_vec_.transform(forms) * np.float32(np.sqrt(w))]).tocsr()

    def set_parents(self, matrix) -> "NgramIndex":
        self.parent_t_ = matrix.T.tocsr()
        self.n_parents_ = matrix.shape[0]
        return self

    def query(self, child_forms: Sequence[str]) -> list[list[tuple[int, float]]]:
        return self.query_matrix(self.transform(child_forms))

    def query_matrix(self, child_matrix) -> list[list[tuple[int, float]]]:
        """For each child row, up to ``top_k`` ``(parent index, cosine)``, best first."""
        out: list[list[tuple[int, float]]] = []
        k = min(self.top_k, self.n_parents_)
        n = child_matrix.shape[0]
        if k == 0:
            return [[] for _ in range(n)]
        for start in range(0, n, self.chunk_size):
            sims = (child_matrix[start : start + self.chunk_size] @ self.parent_t_).tocsr()
            for r in range(sims.shape[0]):
                lo, hi = sims.indptr[r], sims.indptr[r + 1]
                if lo == hi:
                    out.append([])
                    continue
                cols, vals = sims.indices[lo:hi], sims.data[lo:hi]
                if hi - lo > k:
                    sel = np.argpartition(-vals, k - 1)[:k]
                    cols, vals = cols[sel], vals[sel]
                order = np.argsort(-vals, kind="stable")
                out.append([(int(cols[i]), float(vals[i])) for i in order])
        return out
