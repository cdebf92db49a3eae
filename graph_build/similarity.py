"""Similar tasks across documents: character-bigram TF-IDF, sparse top-k search, task families.

Plain functions on lists of strings and integers, so the graph builder, the CLI and the
benchmark share them without knowing about each other:

- ``similar_pairs(texts, groups)``: for every item, its ``top_k`` most similar items of *other*
  groups (documents) with cosine ≥ ``THRESHOLD``, as unique ``(i, j, score)`` pairs, ``i < j``.
- ``exact_pairs(texts, groups)``: the same answer by brute force, the reference for recall.
- ``task_families(n, pairs, groups)``: items grouped into families spanning several documents.
- ``family_label(titles)``: a short name for a family (智慧教育).
- ``uptake(province_items, city_items, pairs)``: which city tasks take up each provincial task.

How texts are compared
    Each text (the lead passes "title + text") is normalised: NFKC (full-width letters and
    digits become ASCII), lower case, traditional characters become simplified (opencc t2s,
    so a plan printed in 繁體 matches its simplified twin), stand-alone numbers are dropped
    (years and targets such as 到2025年、3.2万个 differ between similar tasks and are shared by
    unrelated ones; numbers glued to letters stay: 5g, ipv6, 10g-pon) and every other
    non-word character (punctuation, quotes, spaces) splits the text into runs. A text's
    features are the character bigrams inside runs (none spans punctuation), weighted by
    sublinear tf (1 + log count) × smoothed idf (log((1+n)/(1+df)) + 1) and L2-normalised: the
    same numbers as ``TfidfVectorizer(analyzer=<bigrams in runs>, sublinear_tf=True)``,
    computed with numpy so that 100 000 texts take seconds, not minutes. Bigrams beat 2-3-grams,
    unigrams+bigrams and longer n-grams on the labelled pairs (tests/data/similar_pairs.csv,
    average precision 0.987 against 0.980 for 2-3-grams; /work/notes/similarity.md): most
    Chinese words are two characters long, and trigrams add many rare word-crossing features
    that lower every cosine and push the cut-off into the noise.

How the search avoids the n × n product
    Candidates come from a chunked sparse product ``Xc[rows] @ Xcᵀ`` on a pruned float32 copy
    of the matrix: n-grams that occur in one text only are dropped (they cannot pair anything),
    and so are those in more than ``MAX_DF`` texts (建设, 推进, 平台 …, whose posting lists would
    make the product quadratic); each row keeps its ``CANDIDATE_FEATURES`` heaviest remaining
    n-grams. A row's product then costs at most CANDIDATE_FEATURES × MAX_DF multiply-adds, and
    rows are chunked so that no chunk's product exceeds ``CHUNK_WORK`` of them: the product
    stays sparse and bounded in memory. Chunks run on ``THREADS`` threads (scipy releases the
    GIL). Every row keeps its ``CANDIDATES`` best candidates of other groups by this partial
    score; those pairs are re-scored with the exact cosine of the full vectors (bit-identical
    to ``exact_pairs``) before the threshold and top-k cut. Up to ``MAX_DF`` texts nothing but
    single-text n-grams is dropped, so the answer is exact (the bundled plans: 278 tasks).
    Measured on 100 000 synthetic tasks (bench/similarity_bench.py, /work/notes/similarity.md):
    about 20 s and 1.6 GiB on two cores, recall ≥ 0.95 against brute force.
"""
from __future__ import annotations

import functools
import heapq
import re
import time
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

THRESHOLD = 0.1365
"""Cosine at or above which two tasks of different documents are similar (SIMILAR_TO).

Chosen on tests/data/similar_pairs.csv: 110 pairs of tasks of the five bundled plans, read and
labelled similar (62) or not similar (48), most of them hard (same 智慧X template, another
sector; different titles, same work). With the TF-IDF of all 278 bundled tasks ("title +
text"), F1 is highest for cuts between 0.1363 (the best-scoring pair left out) and 0.1367 (the
worst-scoring pair kept); 0.1365 is the middle: precision 0.922 (59 of 64 kept pairs are
similar), recall 0.952 (59 of 62 similar pairs kept), F1 0.937. F1 stays above 0.91 from 0.13
to 0.15 (table in /work/notes/similarity.md; ``python bench/similarity_bench.py --labelled``
prints it). The idf depends on the corpus, so re-run that table when the bundled plans change.
"""

FAMILY_THRESHOLD = THRESHOLD
"""Average-linkage cosine a family must keep when two clusters merge (see ``task_families``)."""

NGRAM_SIZES = (2,)
MAX_DF = 1000
CANDIDATE_FEATURES = 40
CANDIDATES = 30
CHUNK_WORK = 10_000_000
RESCORE_ROWS = 256
THREADS = 2

_ASCII_LETTERS = np.arange(ord("a"), ord("z") + 1)
_DIGITS = np.arange(ord("0"), ord("9") + 1)
# Characters that make up words: CJK ideographs (basic, extension A, compatibility), ASCII
# letters and digits. Every other character (punctuation, quotes, brackets, spaces) splits the
# text into runs, and no n-gram spans two runs.
_WORD_RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]


def _simplified(char: str) -> str:
    converter = _t2s()
    return converter.convert(char) if converter else char


@functools.lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError:  # a declared dependency; without it traditional text is compared as is
        return None
    return opencc.OpenCC("t2s")


def _normalised_points(texts: list[str], expanded: bool = False) -> np.ndarray:
    """The texts as one array of code points, texts ended by "\n", separators as 0.

    Works per distinct character (NFKC, lower case, traditional → simplified), so 100 000 texts
    cost one pass of numpy, not 100 000 passes of Python string functions.
    """
    joined = "\n".join(text.replace("\n", " ") for text in texts) + "\n"
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    present = np.zeros(0x110000, dtype=bool)
    present[points] = True
    table = np.arange(0x110000, dtype=np.uint32)
    expand = {}
    for code in np.flatnonzero(present).tolist():
        char = chr(code)
        mapped = "".join(_simplified(c) for c in unicodedata.normalize("NFKC", char).lower())
        if len(mapped) == 1:
            table[code] = ord(mapped)
        elif mapped != char and not expanded:  # ① → 1, ㎡ → m2: rare, rewrite them in the string
            expand[char] = mapped.replace("\n", " ")
    if expand:
        pattern = re.compile("|".join(map(re.escape, sorted(expand))))
        joined = pattern.sub(lambda m: expand[m.group()], joined)
        return _normalised_points(joined[:-1].split("\n"), expanded=True)
    points = table[points]
    word = np.isin(points, _ASCII_LETTERS) | np.isin(points, _DIGITS)
    for low, high in _WORD_RANGES:
        word |= (points >= low) & (points <= high)
    # Stand-alone numbers (years, targets: 到2025年, 3.2万个, 40%) say nothing about what a task
    # is and differ between similar tasks; numbers glued to letters are names (5g, ipv6, 10g-pon).
    numeric = np.isin(points, _DIGITS) | (points == ord("."))
    edges = np.diff(np.concatenate([[0], numeric.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # run = [start, end)
    letter = np.isin(points, _ASCII_LETTERS)
    glued = letter[np.maximum(starts - 1, 0)] & (starts > 0)
    glued |= letter[np.minimum(ends, len(points) - 1)] & (ends < len(points))
    has_digit = np.add.reduceat(np.isin(points, _DIGITS), starts) > 0 if len(starts) else np.zeros(0, bool)
    drop = np.zeros(len(points) + 1, dtype=np.int32)
    bare = has_digit & ~glued
    np.add.at(drop, starts[bare], 1)
    np.add.at(drop, ends[bare], -1)
    word &= np.cumsum(drop[:-1]) == 0
    return np.where(word | (points == ord("\n")), points, 0).astype(np.uint32)


def normalise_all(texts: list[str]) -> list[str]:
    """The texts as they are compared (see the module docstring), runs joined by one space."""
    points = _normalised_points(texts)
    joined = np.where(points == 0, ord(" "), points).astype(np.uint32).tobytes().decode("utf-32-le")
    return [" ".join(line.split()) for line in joined.split("\n")[:-1]]


def normalise(text: str) -> str:
    """One text as it is compared: ``normalise("到2025年，建成5G基站！") == "到 年 建成5g基站"``."""
    return normalise_all([text])[0]


def _compact(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense ids (in sorted order of the codes) for non-negative int64 codes, and their count."""
    n = len(codes)
    if n == 0:
        return np.zeros(0, np.int64), 0
    pos_bits = max(1, (n - 1).bit_length())
    if int(codes.max()).bit_length() + pos_bits <= 63:
        # One in-place sort of (code, position) packed in an int64: several times faster than
        # np.unique(return_inverse=True), which argsorts.
        keys = (codes << pos_bits) | np.arange(n, dtype=np.int64)
        keys.sort()
        sorted_codes = keys >> pos_bits
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(sorted_codes[1:], sorted_codes[:-1], out=first[1:])
        del sorted_codes
        ids = np.cumsum(first, dtype=np.int64) - 1
        inverse = np.empty(n, dtype=np.int64)
        inverse[keys & ((1 << pos_bits) - 1)] = ids
        return inverse, int(ids[-1]) + 1
    unique, inverse = np.unique(codes, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), len(unique)


def tfidf_matrix(texts: list[str], ngram_sizes: tuple[int, ...] = NGRAM_SIZES) -> sp.csr_matrix:
    """Rows of L2-normalised TF-IDF weights (float64) of the character n-grams of the texts.

    Row i is text i; an empty text gives an empty row. Columns are n-grams in an order fixed by
    their characters, so the same texts always give the same matrix.
    """
    n = len(texts)
    points = _normalised_points(texts)
    present = np.zeros(0x110000, dtype=bool)
    present[points] = True
    present[[0, ord("\n")]] = False
    char_id = np.cumsum(present, dtype=np.int64)
    char_id[~present] = 0  # separators and text ends → 0, characters → 1..V
    chars = char_id[points]
    del char_id, present
    vocab = int(chars.max()) + 1 if len(chars) else 1
    ends = points == ord("\n")
    doc_of = np.cumsum(ends) - ends  # the text each position belongs to
    del points, ends
    features, rows, n_features = [], [], 0
    gram = np.where(chars > 0, chars, -1)  # id of the n-gram ending at each position, -1 if none
    for size in range(1, max(ngram_sizes) + 1):
        if size > 1:
            prev, nxt = gram[:-1], chars[size - 1:]
            ok = (prev >= 0) & (nxt > 0)
            ids, count = _compact(prev[ok] * vocab + nxt[ok])
            gram = np.full(len(nxt), -1, dtype=np.int64)
            gram[ok] = ids
        else:
            ok = gram >= 0
            ids, count = gram[ok] - 1, vocab - 1
        if size in ngram_sizes:
            features.append(ids + n_features)
            rows.append(doc_of[:len(gram)][ok])
            n_features += count
    features_all = np.concatenate(features) if features else np.zeros(0, np.int64)
    rows_all = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    order = np.argsort(rows_all, kind="stable")  # runs already sorted: a merge
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows_all, minlength=n))])
    matrix = sp.csr_matrix((np.ones(len(order), np.float64), features_all[order], indptr),
                           shape=(n, n_features))
    matrix.sum_duplicates()
    np.log(matrix.data, out=matrix.data)
    matrix.data += 1
    df = np.bincount(matrix.indices, minlength=n_features)
    matrix.data *= (np.log((1 + n) / (1 + df)) + 1)[matrix.indices]
    row_of = np.repeat(np.arange(n), np.diff(matrix.indptr))
    lengths = np.sqrt(np.bincount(row_of, weights=matrix.data ** 2, minlength=n))
    matrix.data /= lengths[row_of]
    return matrix


def _group_codes(groups: list[str]) -> np.ndarray:
    """Small integer per distinct group (in order of first appearance)."""
    index: dict[str, int] = {}
    return np.array([index.setdefault(g, len(index)) for g in groups], dtype=np.int64)


def _check(texts: list[str], groups: list[str], top_k: int) -> None:
    if len(texts) != len(groups):
        raise ValueError(f"{len(texts)} texts but {len(groups)} groups: give one group (document id) per text")
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, not {top_k}")


def _best_per_row(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, k: int):
    """The k best (row, col, score) of each row: highest score first, then lowest col.

    Scores in [0, 2) are compared on a grid of 2**-28 (finer than the 1e-9 they are rounded
    to before they get here, coarser only where two differ by less than 4e-9).
    """
    order = _row_order(rows, cols, np.floor(np.clip(scores, 0, 1.999999) * 2 ** 28).astype(np.int64), 29)
    rows, cols, scores = rows[order], cols[order], scores[order]
    first = np.searchsorted(rows, rows, side="left")
    keep = np.arange(len(rows)) - first < k
    return rows[keep], cols[keep], scores[keep]


def _row_order(rows: np.ndarray, cols: np.ndarray, levels: np.ndarray, level_bits: int) -> np.ndarray:
    """Indices ordering entries by row, then level descending, then col.

    Packs the three into one int64 and sorts it (several times faster than np.lexsort) when
    they fit; levels are non-negative integers below 2**level_bits.
    """
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(rows.min())
    row_bits = max(1, (int(rows.max()) - low).bit_length())
    col_bits = max(1, int(cols.max()).bit_length())
    if row_bits + level_bits + col_bits > 63:
        return np.lexsort((cols, -levels, rows))
    keys = (rows.astype(np.int64) - low) << (level_bits + col_bits)
    keys |= (((1 << level_bits) - 1) - levels) << col_bits
    keys |= cols
    index_bits = max(1, (len(keys) - 1).bit_length())
    if row_bits + level_bits + col_bits + index_bits <= 63:
        keys = (keys << index_bits) | np.arange(len(keys), dtype=np.int64)
        keys.sort()
        return keys & ((1 << index_bits) - 1)
    return np.argsort(keys, kind="stable")


def _pairs(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, threshold: float,
           top_k: int) -> list[tuple[int, int, float]]:
    """Unique (i, j, score) with i < j from each row's top_k of scored (row, col) candidates."""
    # Scores are compared at 1e-9 so that the exact and the candidate paths, which sum the same
    # products in the same order, rank ties identically.
    scores = np.round(scores, 9)
    keep = scores >= threshold
    rows, cols, scores = _best_per_row(rows[keep], cols[keep], scores[keep], top_k)
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    order = np.lexsort((hi, lo))
    lo, hi, scores = lo[order], hi[order], scores[order]
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return [(i, j, round(s, 4)) for i, j, s in zip(lo[first].tolist(), hi[first].tolist(), scores[first].tolist())]


def pair_similarity(texts: list[str], pairs: list[tuple[int, int]]) -> list[float]:
    """The cosine of each (i, j) pair of ``texts``, with the TF-IDF of all of ``texts``."""
    matrix = tfidf_matrix(texts)
    left = np.array([i for i, _ in pairs], dtype=np.int64)
    right = np.array([j for _, j in pairs], dtype=np.int64)
    return [round(s, 4) for s in _cosines(matrix, left, right).tolist()]


def _cosines(matrix: sp.csr_matrix, left: np.ndarray, right: np.ndarray, batch: int = 100_000) -> np.ndarray:
    """Exact cosine of rows left[i] and right[i] of a row-normalised matrix."""
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), batch):
        products = matrix[left[start:start + batch]].multiply(matrix[right[start:start + batch]])
        out[start:start + batch] = np.asarray(products.sum(axis=1)).ravel()
    return out


def exact_pairs(texts: list[str], groups: list[str], threshold: float = THRESHOLD,
                top_k: int = 5) -> list[tuple[int, int, float]]:
    """``similar_pairs`` by brute force: every pair's cosine, in dense blocks of rows.

    The reference for measuring the recall of ``similar_pairs``; quadratic in time and fine for
    samples of a few thousand texts.
    """
    _check(texts, groups, top_k)
    matrix = tfidf_matrix(texts)
    group = _group_codes(groups)
    transposed = matrix.T.tocsr()
    found = []
    block = max(1, 2_000_000 // max(1, len(texts)))
    for start in range(0, len(texts), block):
        scores = (matrix[start:start + block] @ transposed).toarray()
        rows = np.arange(start, start + scores.shape[0])
        scores[group[rows][:, None] == group[None, :]] = -1.0
        r, c = np.nonzero(scores >= threshold - 1e-9)
        found.append(_best_per_row(rows[r], c, scores[r, c], top_k))
    return _pairs(*(np.concatenate(part) for part in zip(*found)), threshold, top_k) if found else []


def _candidate_matrix(matrix: sp.csr_matrix, features: int) -> sp.csr_matrix:
    """float32 copy keeping, per row, its ``features`` heaviest n-grams of df in [2, MAX_DF].

    Up to MAX_DF rows nothing but single-text n-grams is dropped, so the search is exact.
    """
    n = matrix.shape[0]
    if n <= MAX_DF:
        features = matrix.shape[1]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    usable = ((df >= 2) & (df <= MAX_DF))[matrix.indices]
    data = np.where(usable, matrix.data, 0.0)
    indptr = matrix.indptr
    row_of = np.repeat(np.arange(n), np.diff(indptr))
    keep = usable.copy()
    for row in np.flatnonzero(np.bincount(row_of[usable], minlength=n) > features).tolist():
        low, high = indptr[row], indptr[row + 1]
        segment = keep[low:high]
        segment[:] = False
        segment[np.argpartition(-data[low:high], features - 1)[:features]] = True
    kept = np.bincount(row_of[keep], minlength=n)
    return sp.csr_matrix((matrix.data[keep].astype(np.float32), matrix.indices[keep],
                          np.concatenate([[0], np.cumsum(kept)])), shape=matrix.shape)


def _top_candidates(product: sp.csr_matrix, start: int, group: np.ndarray, keep: int):
    """Rows and columns of each row's ``keep`` highest entries of ``product`` in other groups."""
    indptr, cols = product.indptr, product.indices
    lengths = np.diff(indptr)
    rows = np.repeat(np.arange(start, start + len(lengths), dtype=np.int64), lengths)
    scores = np.where(group[rows] == group[cols], np.float32(-1), product.data)
    chosen = [np.flatnonzero(np.repeat(lengths <= keep, lengths))]
    # A loop over rows with argpartition beats one global sort: rows hold thousands of entries.
    for row in np.flatnonzero(lengths > keep).tolist():
        low = indptr[row]
        chosen.append(low + np.argpartition(-scores[low:indptr[row + 1]], keep - 1)[:keep])
    chosen = np.concatenate(chosen)
    chosen = chosen[scores[chosen] > 0]
    return rows[chosen], cols[chosen].astype(np.int64)


def similar_pairs(texts: list[str], groups: list[str], threshold: float = THRESHOLD, top_k: int = 5, *,
                  features: int = CANDIDATE_FEATURES, candidates: int = CANDIDATES, threads: int = THREADS,
                  timings: dict | None = None) -> list[tuple[int, int, float]]:
    """For every text, its ``top_k`` most similar texts of other groups with cosine ≥ ``threshold``.

    Parameters
    ----------
    texts : one string per item ("title + text" of a task).
    groups : one group per item (the document id); items of one group are never paired.
    threshold : the cosine a pair must reach (default ``THRESHOLD``, chosen on labelled pairs).
    top_k : how many neighbours each item keeps; a pair is kept when either side keeps it.
    features, candidates, threads : tuning of the candidate search (see the module docstring).
    timings : a dict that receives the seconds spent in each stage (for the benchmark).

    Returns
    -------
    Sorted unique ``(i, j, score)`` with ``i < j``, score rounded to 4 decimals. The same inputs
    always give the same list.

    Examples
    --------
    >>> similar_pairs(["实施智慧教育工程：建设市级教育专网", "智慧教育：推动智慧校园提质扩面",
    ...                "建设新能源汽车充电设施"], ["泉州", "厦门", "福州"])
    [(0, 1, 0.2191)]
    """
    _check(texts, groups, top_k)
    clock = _Clock(timings)
    n = len(texts)
    if n < 2:
        return []
    matrix = tfidf_matrix(texts)
    group = _group_codes(groups)
    clock("tfidf")
    left = _candidate_matrix(matrix, max(1, features))
    right = left.T.tocsr()
    clock("prune")
    # Chunks of rows whose product has at most CHUNK_WORK multiply-adds: bounded memory.
    work = np.diff(right.indptr)[left.indices]
    row_work = np.bincount(np.repeat(np.arange(n), np.diff(left.indptr)), weights=work, minlength=n) + 1
    cuts = np.searchsorted(np.cumsum(row_work), np.arange(1, int(row_work.sum() // CHUNK_WORK) + 1) * CHUNK_WORK)
    bounds = np.unique(np.concatenate([[0], cuts, [n]])).tolist()
    keep = max(candidates, top_k)
    with ThreadPoolExecutor(max(1, threads)) as pool:
        found = list(pool.map(lambda span: _top_candidates(left[span[0]:span[1]] @ right, span[0], group, keep),
                              zip(bounds[:-1], bounds[1:])))
    rows = np.concatenate([f[0] for f in found])
    cols = np.concatenate([f[1] for f in found])
    # Each unordered pair once, rows ascending: the rescoring goes by blocks of rows.
    key = np.unique(np.minimum(rows, cols) * n + np.maximum(rows, cols))
    rows, cols = key // n, key % n
    clock("candidates")
    cuts = np.searchsorted(rows, np.arange(0, n + RESCORE_ROWS, RESCORE_ROWS)).tolist()
    spans = [(a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
    with ThreadPoolExecutor(max(1, threads)) as pool:
        scores = list(pool.map(lambda span: _rescore(matrix, rows[span[0]:span[1]], cols[span[0]:span[1]]), spans))
    scores = np.concatenate(scores) if scores else np.zeros(0)
    clock("rescore")
    pairs = _pairs(np.concatenate([rows, cols]), np.concatenate([cols, rows]), np.concatenate([scores, scores]),
                   threshold, top_k)
    clock("top_k")
    if timings is not None:
        timings["candidate_pairs"] = len(key)
    return pairs


class _Clock:
    """Records the wall time since the previous call under a stage name, if asked to."""

    def __init__(self, timings: dict | None):
        self.timings, self.now, self.last = timings, time.perf_counter, time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = self.now()
            self.timings[stage] = round(now - self.last, 3)
            self.last = now


def _rescore(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Exact cosines of pairs (rows[k], cols[k]) whose rows lie in a small block.

    The block's rows go into a dense array over the block's own n-grams; each candidate row's
    entries are looked up there. The products are summed in ascending n-gram order, as the
    sparse product of ``exact_pairs`` does, so both give bit-identical scores.
    """
    first, last = int(rows[0]), int(rows[-1]) + 1
    block = matrix[first:last]
    local = np.unique(block.indices)
    column = np.full(matrix.shape[1], len(local), dtype=np.int32)  # n-grams not in the block → a 0 column
    column[local] = np.arange(len(local), dtype=np.int32)
    dense = np.zeros((last - first, len(local) + 1))
    dense[np.repeat(np.arange(last - first), np.diff(block.indptr)), column[block.indices]] = block.data
    others = matrix[cols]
    pair_of = np.repeat(np.arange(len(cols)), np.diff(others.indptr))
    products = dense[rows[pair_of] - first, column[others.indices]] * others.data
    return np.bincount(pair_of, weights=products, minlength=len(cols))


def task_families(n: int, pairs: list[tuple[int, int, float]], groups: list[str], min_groups: int = 2,
                  threshold: float = FAMILY_THRESHOLD) -> list[list[int]]:
    """Items grouped into families of similar tasks, each spanning at least ``min_groups`` documents.

    Average-linkage agglomeration on the given pairs, with one task per document: start from
    single items, repeatedly merge the two clusters with the highest average similarity — the
    sum of their pairs' scores divided by |A|·|B|, a pair that is not in ``pairs`` counting 0 —
    as long as it is ≥ ``threshold`` and the two clusters share no document. Unlike connected
    components, a chain a~b~c~d of pairwise-similar tasks does not pull a and d together unless
    the whole family is similar on average, so families do not snowball; and a family lists at
    most one task per document, its best match.

    Returns families (sorted member lists) with at least ``min_groups`` documents, largest
    first, then by first member.
    """
    if len(groups) != n:
        raise ValueError(f"{len(groups)} groups for {n} items: give one group (document id) per item")
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    docs: dict[int, set[str]] = {i: {groups[i]} for i in range(n)}
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for i, j, score in pairs:
        if i != j and groups[i] != groups[j]:
            links[i][j] = links[j][i] = max(score, links[i].get(j, 0.0))
    heap = [(-total, a, b) for a in range(n) for b, total in links[a].items() if a < b]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members or b not in links[a]:
            continue
        linkage = links[a][b] / (len(members[a]) * len(members[b]))
        if -negative != linkage:  # stale entry: the clusters changed since it was pushed
            continue
        if linkage < threshold:
            break
        if docs[a] & docs[b]:
            del links[a][b], links[b][a]
            continue
        keep, gone = min(a, b), max(a, b)
        members[keep] = sorted(members[keep] + members.pop(gone))
        docs[keep] |= docs.pop(gone)
        merged = links[keep]
        del merged[gone]
        for other, total in links.pop(gone).items():
            if other != keep:
                merged[other] = merged.get(other, 0.0) + total
                del links[other][gone]
        for other, total in merged.items():
            links[other][keep] = total
            heapq.heappush(heap, (-(total / (len(members[keep]) * len(members[other]))), min(keep, other),
                                  max(keep, other)))
    families = [m for key, m in members.items() if len(docs[key]) >= min_groups]
    return sorted(families, key=lambda m: (-len(m), m[0]))


def family_label(titles: list[str]) -> str:
    """A short name for a family: the longest piece of title most of its titles share.

    Scores every substring (2 to 8 characters, without spaces or punctuation) of the titles by
    how many titles contain it × its length, among those in at least half of the titles (and at
    least two): 建设智慧教育工程 / 实施智慧教育工程 / 智慧教育 → 智慧教育. Falls back to the shortest
    title.
    """
    cleaned = [re.sub(r"[\s\W_]+", "", t) for t in titles if t.strip()]
    if not cleaned:
        return ""
    needed = max(2, (len(cleaned) + 1) // 2)
    counts: Counter = Counter()
    for title in cleaned:
        counts.update({title[i:j] for i in range(len(title)) for j in range(i + 2, min(len(title), i + 8) + 1)})
    shared = [(count * len(piece), count, piece) for piece, count in counts.items() if count >= needed]
    if not shared:
        return min(cleaned, key=lambda t: (len(t), t))
    return min(shared, key=lambda item: (-item[0], -item[1], item[2]))[2]


def uptake(province_items: list[int], city_items: list[int],
           pairs: list[tuple[int, int, float]]) -> dict[int, list[int]]:
    """For each provincial item, the city items paired with it (best first); [] if none takes it up.

    ``pairs`` are ``similar_pairs`` output (already above the threshold); items are indices of
    the same list of texts.
    """
    cities = set(city_items)
    found: dict[int, list[tuple[float, int]]] = {p: [] for p in province_items}
    for i, j, score in pairs:
        for province, city in ((i, j), (j, i)):
            if province in found and city in cities:
                found[province].append((-score, city))
    return {p: [city for _, city in sorted(found[p])] for p in sorted(found)}
