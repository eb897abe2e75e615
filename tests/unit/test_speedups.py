"""The engine's fast paths give exactly what the straightforward code gives.

Each speed-up in the aligner replaces a library call or a plain loop by a
faster computation of the same thing; these tests compare the two, so that
results cannot drift when the fast path or a dependency changes.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.reading.document import load_document
from align.retrieval.features import MIN_TILE, TermSet, gram_mass, pair_features, prepare, shared_mass_bound
from align.retrieval.index import NgramIndex
from align.decisions.match import Aligner, Settings
from align.retrieval.model import CorpusModel, shared_tokenizer
from align.retrieval.lexicon import load_lexicon
from align.retrieval.prepare import matching_form
from align.retrieval.tiling import gram_index
from align.retrieval.weights import Weights

TEXTS = [
    "全面深化户籍制度改革，我省推动常住人口全面享有城市基本公共服务，提高落户便利度。",
    "到2025年，全市常住人口城镇化率达到65%左右，城乡居民收入比缩小到1.85:1左右。",
    "打造“掌上办事之市”，推进5G+工业互联网、IPv6规模部署和ABC-12.5项目。",
    "保护台州府城历史文化，全力实施“千年古城复兴”，推进紫阳街等历史街区改造。",
    "abc def\r\nx.y-z ＡＢＣ 2035年◇全域",
    "",
]


@pytest.fixture(scope="module")
def plan():
    doc = load_document("taizhou-urbanization-14fyp")
    return [u.text for u in doc.alignable("clause")]


@pytest.fixture(scope="module")
def forms(plan):
    return [matching_form(t, ("浙江省", "台州市")).text for t in plan]


def test_cut_keeps_words_and_drops_punctuation_and_spaces():
    from align.retrieval.tokens import Tokenizer

    words = Tokenizer().cut("推进5G+工业互联网、IPv6规模部署。 打造“掌上办事”！")
    assert all(re.search(r"\w", w) for w in words)
    assert "IPv6" in words and "5G" in words and "互联网" in words  # Latin and digit runs stay whole
    assert "".join(words) == "推进5G工业互联网IPv6规模部署打造掌上办事"


def test_cut_follows_added_words():
    from align.retrieval.tokens import Tokenizer

    tok = Tokenizer()
    assert "紫阳街夜市" not in tok.cut("打造紫阳街夜市品牌")
    tok.add("紫阳街夜市", 1000)
    assert "紫阳街夜市" in tok.cut("打造紫阳街夜市品牌")


def test_dictionary_loads_as_jieba_loads_it():
    import jieba

    from align.retrieval.tokens import _cache_dir, _initialize

    ours, theirs = jieba.Tokenizer(), jieba.Tokenizer()
    ours.tmp_dir = theirs.tmp_dir = _cache_dir()
    _initialize(ours)
    theirs.initialize()
    assert ours.initialized and ours.total == theirs.total and ours.FREQ == theirs.FREQ


def _jieba():
    import jieba

    from align.retrieval.tokens import _cache_dir, _initialize

    tok = jieba.Tokenizer()
    tok.tmp_dir = _cache_dir()
    _initialize(tok)
    return tok


def _jieba_words(tok, text: str) -> list[str]:
    return [t for t in tok.lcut(text, HMM=False) if re.search(r"\w", t)]


def test_words_are_jiebas_on_the_plans_and_the_background():
    """jieba-rs cuts what jieba cuts (HMM off), on every bundled plan's forms
    and a spread of the national background, before and after words are added."""
    from align.reading.corpus import default_manifest_path, load_manifest
    from align.retrieval import background
    from align.retrieval.tokens import Tokenizer, quoted_terms

    manifest = load_manifest(default_manifest_path())
    texts = [u.key for e in manifest.topological() for u in load_document(e, manifest=manifest).alignable()]
    forms = [matching_form(t).text for t in texts] + list(background.forms()[::7]) + TEXTS
    ours, theirs = Tokenizer(load_lexicon(bundled=False)), _jieba()
    assert [ours.cut(f) for f in forms] == [_jieba_words(theirs, f) for f in forms]
    # the plans' quoted names as lexicon words, half with a frequency, half with jieba's suggestion
    from align.retrieval.lexicon import strip_punct
    from align.textnorm import matching_key

    names = sorted({n for t in texts for q in quoted_terms(t) if len(n := strip_punct(matching_key(q))) >= 2})
    assert len(names) > 100
    for i, name in enumerate(names):
        if ours.is_word(name):
            continue
        freq = 1000 + i if i % 2 else None
        ours.add(name, freq)
        theirs.add_word(name, freq or max(theirs.suggest_freq(name, tune=False), 50))
    assert ours._added and all(f == theirs.FREQ[w] for w, (f, _) in ours._added.items())
    assert [ours.cut(f) for f in forms] == [_jieba_words(theirs, f) for f in forms]


def test_is_word_is_jiebas_dictionary():
    from align.retrieval.tokens import Tokenizer

    ours, theirs = Tokenizer(load_lexicon(bundled=False)), _jieba()
    probe = {t[i : i + n] for t in TEXTS for n in (2, 3, 4) for i in range(len(t))} | set(list(theirs.FREQ)[::20])
    assert [ours.is_word(w) for w in sorted(probe)] == [(theirs.FREQ.get(w) or 0) > 0 for w in sorted(probe)]
    ours.add("紫阳街夜市", 1000)
    assert not ours.is_word("紫阳街夜市")  # a word we added is not general vocabulary


def _same(a, b) -> None:
    assert a.shape == b.shape
    for name in ("indptr", "indices", "data"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


@pytest.mark.parametrize("ngram_range,max_df", [((2, 4), 0.2), ((2, 4), 1.0), ((1, 3), 0.05), ((2, 6), 0.3)])
def test_vectors_are_tfidfvectorizers(forms, ngram_range, max_df):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    tok = shared_tokenizer(load_lexicon())
    background, queries = forms[::2], forms[1::2] + ["龘龘新词", "x", ""]
    idx = NgramIndex(ngram_range=ngram_range, max_df=max_df, tokenize=tok.cut)
    fitted = idx.fit_transform(background)
    # the library as a user would call it: character n-grams, and words from the jieba tokenizer
    char = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, lowercase=False, sublinear_tf=True,
                           max_df=max_df, dtype=np.float32).fit(background)
    word = TfidfVectorizer(tokenizer=tok.cut, token_pattern=None, lowercase=False, sublinear_tf=True,
                           max_df=max_df, dtype=np.float32).fit(background)
    w = idx.word_weight
    for rows in (background, queries):
        expected = hstack([char.transform(rows) * np.float32(np.sqrt(1 - w)),
                           word.transform(rows) * np.float32(np.sqrt(w))]).tocsr()
        _same(idx.transform(rows), expected)
    _same(fitted, idx.transform(background))


def test_distinct_keys_by_hashing_are_numpys():
    from align.retrieval.index import _HASH_FROM, unique_inverse

    keys = np.random.default_rng(0).integers(0, 300_000, _HASH_FROM + 5000, dtype=np.uint64) << np.uint64(20)
    vocab, inverse = unique_inverse(keys)
    expected, expected_inverse = np.unique(keys, return_inverse=True)
    assert np.array_equal(vocab, expected) and np.array_equal(inverse, expected_inverse.ravel())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=400), st.integers(1, 3000), st.integers(0, 2**40))
def test_gram_form_pairs_are_numpys_distinct_pairs(grams, n_docs, offset):
    """One sort of packed (n-gram, form) gives np.unique's distinct n-grams and pairs, with their counts."""
    from align.retrieval.index import gram_form_pairs

    rng = np.random.default_rng(len(grams) + n_docs)
    keys = np.array(grams, dtype=np.uint64) + np.uint64(offset)
    docs = rng.integers(0, n_docs, len(keys)).astype(np.int64)
    vocab, col, doc, counts = gram_form_pairs(keys, docs, n_docs)
    expected_vocab, inverse = np.unique(keys, return_inverse=True)
    pairs, expected_counts = np.unique(inverse.ravel() * n_docs + docs, return_counts=True)
    assert np.array_equal(vocab, expected_vocab)
    assert np.array_equal(col, pairs // n_docs) and np.array_equal(doc, pairs % n_docs)
    assert np.array_equal(counts, expected_counts)
    assert gram_form_pairs(np.array([2**60], dtype=np.uint64), np.zeros(1, np.int64), 64) is None  # does not fit


def test_bigram_document_frequencies_count_forms():
    from collections import Counter

    from align.retrieval.weights import _BITS, bigram_document_frequencies

    forms = ["推进城市建设", "城市更新", "", "建设建设", "x", "城市"] * 3 + ["龘龘"]
    keys, df = bigram_document_frequencies(forms)
    expected = Counter(g for f in forms for g in {f[i : i + 2] for i in range(len(f) - 1)})
    got = {chr(int(k) >> _BITS) + chr(int(k) & ((1 << _BITS) - 1)): int(n) for k, n in zip(keys, df)}
    assert got == dict(expected) and list(keys) == sorted(keys)


def test_words_in_most_forms_are_left_out_of_the_word_view_unless_all_are():
    tok = shared_tokenizer(load_lexicon())
    forms = [f"推进城市建设{x}" for x in "甲乙丙丁戊己庚辛壬癸" * 6]
    idx = NgramIndex(max_df=0.2, tokenize=tok.cut).fit(forms)
    assert "推进" not in idx.word_counts_.vocabulary_ and "甲" in idx.word_counts_.vocabulary_
    # the same words in every form: none would remain, so none is left out
    idx = NgramIndex(max_df=0.5, tokenize=lambda f: ["推进", "建设"]).fit(forms)
    assert set(idx.word_counts_.vocabulary_) == {"推进", "建设"}


def test_words_encoded_in_two_parts_are_the_words_encoded_at_once(plan):
    from align.retrieval.index import TokenCounts, encode_tokens, join_encoded

    tok = shared_tokenizer(load_lexicon())
    lists = [tok.cut(t) for t in plan] + [[], ["甲"], ["甲", "甲", "乙"]]
    for cut in (0, 1, len(lists) // 3, len(lists)):
        joined = join_encoded(encode_tokens(lists[:cut]), encode_tokens(lists[cut:]))
        whole = encode_tokens(lists)
        assert joined.vocab == whole.vocab
        assert np.array_equal(joined.cols, whole.cols) and np.array_equal(joined.lens, whole.lens)
    a, b = TokenCounts(), TokenCounts()
    ma = a.fit_encoded(join_encoded(encode_tokens(lists[:50]), encode_tokens(lists[50:])), 0.2)
    mb = b.fit_counts(lists, 0.2)
    assert a.vocabulary_ == b.vocabulary_ and (ma != mb).nnz == 0


def test_vectorizer_errors_are_tfidfvectorizers():
    with pytest.raises(ValueError, match="empty vocabulary"):
        NgramIndex().fit(["a", "b"])
    with pytest.raises(ValueError, match="no terms remain"):
        NgramIndex(max_df=0.001).fit(["甲乙丙丁"] * 60)


def test_model_reuses_background_rows(forms):
    from align.records import Unit

    units = [Unit("d", f"u{i}", (), 0, t, t, 0, len(t)) for i, t in enumerate(forms[:300])]
    model = CorpusModel(units)
    mixed = [model.prepared(units)[i].form.text for i in range(0, 300, 3)] + ["完全不在背景里的句子"]
    _same(model.vectors(mixed), model.index.transform(mixed))


def test_term_search_is_the_regex_alternation(forms):
    terms = {"千年古城", "千年古城复兴", "古城", "人地钱挂钩", "人地挂钩", "未来社区", "社区", "城乡", "城乡融合"}
    ts = TermSet(terms, ["城乡"], forms)
    rx = re.compile("(?=(" + "|".join(re.escape(t) for t in ts.terms) + "))")
    for f in forms + ["千年古城复兴千年古城", "人地钱挂钩人地挂钩未来社区"]:
        expected: dict[str, int] = {}
        for m in rx.finditer(f):
            t = m.group(1)
            if t in expected:
                continue
            expected[t] = m.start()
            for u in sorted((u for u in ts.terms if len(u) < len(t) and u in t), key=len):
                expected.setdefault(u, m.start() + t.index(u))
        assert ts.find(f) == expected and list(ts.find(f)) == list(expected)


def test_mass_bound_bounds_the_mass(forms):
    w = Weights(forms)
    ts = TermSet([], [], forms)
    prepared = prepare([_unit(f) for f in forms[:150]], (), w)
    for c in prepared[:60]:
        cg = gram_index(c.form.text, MIN_TILE)
        for p in prepared:
            pg = gram_index(p.form.text, MIN_TILE)
            shared = cg.keys() & pg.keys()
            mass = pair_features(c, p, ts, 0.0, pg).mass
            bound = shared_mass_bound(c, cg, shared)
            assert mass <= bound + 1e-9 and bound <= sum(gram_mass(c, cg)[g] for g in shared) + 1e-9


def test_gram_mass_read_lazily_is_the_sum_over_each_grams_occurrences(forms):
    w = Weights(forms)
    for c in prepare([_unit(f) for f in forms[:80]], (), w):
        cg = gram_index(c.form.text, MIN_TILE)
        lazy = gram_mass(c, cg)
        for g, at in reversed(list(cg.items())):  # read in any order, some twice
            expected = sum(sum(c.weights[i : i + MIN_TILE]) for i in at)
            assert lazy[g] == pytest.approx(expected, rel=1e-12) and lazy[g] == lazy[g]
        with pytest.raises(KeyError):
            lazy["\x00\x01\x02"]  # not a gram of the form


@pytest.fixture(scope="module")
def taizhou_pair():
    parent = load_document("zhejiang-urbanization-14fyp")
    child = load_document("taizhou-urbanization-14fyp")
    return parent, child, CorpusModel(parent.alignable() + child.alignable(), regions=("浙江省", "台州市"))


@pytest.mark.parametrize("changed", [
    {},  # the defaults
    {"anchor_weight": 0.65, "min_mass": 7.0, "mass_relief": 0.0},  # no relief
    {"min_mass": 5.0, "prior_min_mass": 9.0},  # the chapter prior's mass above the plain one
    {"section_prior": False, "mass_relief": 6.0, "phrase_weight": 30.0},  # the relieved textual mass alone bounds
])
def test_prefilter_changes_no_link(monkeypatch, taizhou_pair, changed):
    """The candidate filter skips only pairs that no test could link, whatever the settings:
    with it and with every candidate measured, the same links."""
    from dataclasses import replace

    parent, child, model = taizhou_pair
    settings = replace(Settings(), **changed)

    def rows(links):
        return [(l.child.unit_id, l.parent.unit_id if l.parent else "", l.relation, l.score, l.anchor,
                 l.evidence.phrase_texts() if l.evidence else []) for l in links]

    fast = rows(Aligner(settings, model=model).fit(parent).align_links(child))

    class Unbounded(dict):
        def __missing__(self, key):
            return float("inf")

    import align.decisions.match

    monkeypatch.setattr(align.decisions.match, "gram_mass", lambda p, grams: Unbounded())
    measured = []

    real = align.decisions.match.pair_features
    monkeypatch.setattr(align.decisions.match, "pair_features", lambda *a: measured.append(1) or real(*a))
    assert rows(Aligner(settings, model=model).fit(parent).align_links(child)) == fast
    assert len(measured) > 1000  # every candidate measured this time


def _unit(text: str):
    from align.records import Unit

    return Unit("d", str(abs(hash(text))), (), 0, text, text, 0, len(text))


def _ranked(dense: np.ndarray, k: int, m: float | None) -> list[list[tuple[int, float]]]:
    """The plain ranking: per row, entries ≥ m, by value then lower column, k of them."""
    out = []
    for row in dense:
        cols = [j for j in np.flatnonzero(row) if m is None or row[j] >= np.float32(m)]
        out.append([(int(j), float(row[j])) for j in sorted(cols, key=lambda j: (-row[j], j))[:k]])
    return out


@pytest.mark.parametrize("threads", [1, 2])
def test_top_products_are_the_plain_ranking(threads, monkeypatch):
    from scipy.sparse import csr_matrix

    from align.retrieval import index
    from align.retrieval.index import top_products

    exact_rows: list[int] = []
    real = index._top_rows
    monkeypatch.setattr(index, "_top_rows", lambda *a, **kw: exact_rows.append(1) or real(*a, **kw))

    rng = np.random.default_rng(1)
    a = (rng.random((300, 60)) * (rng.random((300, 60)) < 0.3)).astype(np.float32)
    b = (rng.random((60, 400)) * (rng.random((60, 400)) < 0.2)).astype(np.float32)
    a[:40] = (a[:40] > 0) * np.float32(0.5)  # many ties, at the k-th place and beyond the slack
    a[:40, 10:] = 0.0
    b[:10] = (b[:10] > 0) * np.float32(0.5)
    a[40:45] = 0.0  # empty rows
    dense = a.astype(np.float64) @ b.astype(np.float64)  # the sparse float32 sums differ in the last bits
    for k, m in [(10, 0.04), (3, 0.5), (1, None), (50, 0.3), (5, 2.0)]:
        exact_rows.clear()
        got = top_products(csr_matrix(a), csr_matrix(b), k, m, threads=threads)
        if k == 10:
            assert exact_rows  # rows whose tie at the k-th place went beyond the slack: ranked exactly
        want = _ranked(dense, k, m)
        assert [[j for j, _ in row] for row in got] == [[j for j, _ in row] for row in want]
        assert np.allclose([v for row in got for _, v in row], [v for row in want for _, v in row], rtol=1e-6)


def test_thresholded_query_is_query_filtered(forms):
    idx = NgramIndex(top_k=5).fit(forms[::2], forms[::2])
    full = idx.query(forms[1::2])
    above = idx.query_matrix(idx.transform(forms[1::2]), 0.04)
    assert [sorted(r) for r in above] == [sorted((j, v) for j, v in r if v >= 0.04) for r in full]


def test_char_weights_of_many_forms_are_each_forms(forms):
    lexicon = load_lexicon()
    generic = [g for g in lexicon.generic if len(g) >= 2]
    w = Weights(forms[::2], generic)
    others = forms[1::2] + ["", "城", "12%", "到2025年达到75%", "坚持以习近平新时代中国特色社会主义思想为指导",
                            "前所未见的字眼", "ab"]
    many = w.char_weights_many(others)
    assert many == [w.char_weights(f) for f in others]
    assert any(0.05 < x < 1.0 for ws in many for x in ws) and many[others.index("城")] == [0.05]
    # the weights are bigram document frequencies of the background
    assert w.df("发展") == sum("发展" in f for f in forms[::2]) > 0 and w.df("龘龘") == 0
    unseen = w.char_weights("龘龘龘")
    assert unseen == [1.0, 1.0, 1.0]


def _matching_form_char_by_char(key: str, regions) -> tuple[str, tuple[int, ...]]:
    """The matching form the plain way: every character visited on its own (a
    quotation or clause mark between kept characters leaves one boundary)."""
    from align.retrieval import prepare

    matching_form(key, regions)  # compiles the region pattern
    lab = prepare.match_label(key)
    start = lab.end if lab is not None else 0
    m = prepare._LEAD.match(key, start)
    start = m.end() if m else start
    keep = re.compile(rf"[{prepare._KEPT}]")
    pattern = prepare._PATTERNS[prepare.region_variants(tuple(regions))]
    chars, pos, i = [], [], start
    pending = None  # where a quotation or clause mark stood since the last kept character

    def put(ch: str, at: int) -> None:
        nonlocal pending
        if pending is not None:
            chars.append(prepare.BOUNDARY)
            pos.append(pending)
            pending = None
        chars.append(ch)
        pos.append(at)

    for r in list(pattern.finditer(key, start)) + [None]:
        end = r.start() if r else len(key)
        for k in range(i, end):
            if keep.match(key, k):
                put(key[k], k)
            elif chars and pending is None and prepare._BOUNDARY.match(key, k):
                pending = k
        if r:
            put(prepare.PLACEHOLDER, r.start())
            i = r.end()
    return "".join(chars), tuple(pos)


@settings(max_examples=400, deadline=None)
@given(st.text("甲乙，。 ab1%◇我省全市浙江台州\u3000𠀀（一）、“”—-·\t.", max_size=40))
def test_matching_form_keeps_what_a_char_by_char_scan_keeps(key):
    form = matching_form(key, ("浙江省", "台州市"))
    assert (form.text, form.pos) == _matching_form_char_by_char(key, ("浙江省", "台州市"))


def test_matching_form_of_plan_text_is_a_char_by_char_scan(plan):
    for text in TEXTS + plan:
        form = matching_form(text, ("浙江省", "台州市"))
        assert (form.text, form.pos) == _matching_form_char_by_char(text, ("浙江省", "台州市"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_sublinear_tfidf_is_tfidftransformers(dtype):
    from scipy.sparse import random as sparse_random
    from sklearn.feature_extraction.text import TfidfTransformer

    from align.retrieval.index import SublinearTfidf

    rng = np.random.default_rng(7)
    counts = sparse_random(300, 500, density=0.05, format="csr", random_state=rng,
                           data_rvs=lambda n: rng.integers(1, 9, n)).astype(dtype)
    counts[5] = 0  # an empty row stays empty
    counts.eliminate_zeros()
    ours, theirs = SublinearTfidf().fit(counts), TfidfTransformer(sublinear_tf=True).fit(counts)
    assert ours.idf_.dtype == theirs.idf_.dtype and np.array_equal(ours.idf_, theirs.idf_)
    queries = counts[::3]
    _same(ours.transform(queries.copy()), theirs.transform(queries.copy()))


_SMALL = st.text(alphabet="城乡融合发展\n啊", max_size=60)


@settings(max_examples=150, deadline=None)
@given(_SMALL, st.text(alphabet="城乡融合发展啊x", min_size=1, max_size=4))
def test_background_positions_are_a_plain_scan(text, word):
    from align.retrieval.background import _non_overlapping, _Positions

    index = _Positions(text)
    starts = [i for i in range(len(text)) if text.startswith(word, i)]
    assert index.occurrences(word).tolist() == starts
    assert _non_overlapping(index.occurrences(word), len(word)) == text.count(word)
    lines = text.split("\n")
    assert sorted(set(index.lines(index.occurrences(word)).tolist())) == [i for i, ln in enumerate(lines) if word in ln]


def test_background_counts_and_sentences_are_str_counts_and_a_scan():
    from align.retrieval.background import _text, forms, sentences, term_counts

    sample = forms()[::997]
    words = sorted({f[i:i + n] for f in sample for n in (1, 2, 3, 5) for i in range(0, max(len(f) - n, 0), 7)}
                   | {"一带一路", "人民人民", "未来社区", "不在背景里的词"})
    assert term_counts(words) == [_text().count(w) for w in words]
    for w in words[::5]:
        assert sentences(w).tolist() == [i for i, f in enumerate(forms()) if w in f]


def test_paused_gc_pauses_and_moves_what_the_block_kept_to_the_oldest_generation():
    """The collector is off inside the block, on again after it (only if it
    was on), and what the block kept is not left for its next young pass."""
    import gc

    from align.retrieval.model import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        kept = [[i] for i in range(20_000)]  # tracked containers, far above the young threshold
    assert gc.isenabled()
    oldest = {id(x) for x in gc.get_objects(generation=2)}
    assert all(id(x) in oldest for x in kept[:100])  # examined only by the full passes, as usual
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()  # what the program froze itself stays frozen
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            pass
        assert gc.get_freeze_count() == frozen > 0
    finally:
        gc.unfreeze()


def test_a_pairs_model_and_aligner_are_freed_by_reference_counting_alone():
    """The engine pauses the cyclic collector (``paused_gc``) and moves what it kept to the
    oldest generation, which full passes seldom visit: a reference cycle in a pair's model
    would keep every pair's model alive until one, and a batch of pairs would grow without
    bound.  So a pair's model and aligner make no cycle: with the collector off, they are
    gone as soon as the last reference is dropped."""
    import gc
    import weakref

    from align.retrieval.model import pair_model

    parent = load_document("taizhou-daily-2021-02-10-gov-report")
    child = load_document("luqiao-14fyp-outline")
    gc.collect()
    gc.disable()
    try:
        model = pair_model(parent.alignable(), child.alignable(), regions=("台州市", "路桥区"), settings=Settings())
        aligner = Aligner(Settings(), model=model).fit(parent)
        links = aligner.align_links(child)
        assert any(l.relation != "local" for l in links)
        refs = [weakref.ref(model), weakref.ref(model.index), weakref.ref(model.terms), weakref.ref(aligner)]
        del model, aligner, links
        assert [r() for r in refs] == [None] * len(refs)
    finally:
        gc.enable()
