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
    Candidates come from a chunked sparse product ``query[rows] @ indexᵀ`` of two pruned
    float32 copies of the matrix. Both drop the n-grams that occur in one text only (they
    cannot pair anything) and those in more than ``MAX_DF`` texts (建设, 推进, 平台 …, whose
    posting lists would make the product quadratic). The index keeps every other n-gram of
    every row; a query row keeps only its ``CANDIDATE_FEATURES`` heaviest. A row's product
    then costs at most CANDIDATE_FEATURES × MAX_DF multiply-adds, and rows are chunked so that
    no chunk's product exceeds ``CHUNK_WORK`` of them: the product stays sparse and bounded in
    memory. Chunks run on ``THREADS`` threads (scipy releases the GIL). Every row keeps its
    ``CANDIDATES`` best candidates of other groups by this partial score; those pairs are
    re-scored with the exact cosine of the full vectors (bit-identical to ``exact_pairs``)
    before the threshold and top-k cut. Up to ``MAX_DF`` texts nothing but single-text n-grams
    is dropped, so the answer is exact (the bundled plans: 278 tasks).

    Why the index keeps every n-gram: when both sides kept only their 40 heaviest (the first
    version), a pair's partial score counted only the n-grams that *both* texts rank among
    their heaviest. Where plans reuse sentences heavily, a task has hundreds of near
    neighbours whose scores differ by hundredths, and that score ranked them too poorly for a
    30-candidate cut: on the 3,000-plan benchmark corpus (99,154 tasks) it found 0.883 of the
    exact pairs of a 5,000-task sample and 0.795 of the exact top-5 neighbours at full scale.
    With the whole index on one side every shared n-gram of the query's heaviest counts, at
    about the same cost (the product walks the index's posting lists either way): 0.995 and
    0.940 with 40 candidates (/work/notes/overlap_speed.md). The whole search takes about
    13 s and 1.2 GB for those 99,154 tasks on two cores.
"""
from __future__ import annotations

import functools
import heapq
import re
import struct
import threading
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
CANDIDATE_FEATURES = 60
CANDIDATES = 40
CHUNK_WORK = 10_000_000
RESCORE_ROWS = 64
THREADS = 2
TEXT_CHUNK = 8192

# Characters that make up words: CJK ideographs (basic, extension A, compatibility), ASCII
# letters and digits. Every other character (punctuation, quotes, brackets, spaces) splits the
# text into runs, and no n-gram spans two runs.
_WORD_RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
_IDEOGRAPH, _LETTER, _DIGIT = 1, 2, 3


@functools.lru_cache(maxsize=1)
def _char_kinds() -> np.ndarray:
    """Kind of every code point (0: separator, or _IDEOGRAPH, _LETTER, _DIGIT): one lookup per character."""
    kinds = np.zeros(0x110000, dtype=np.uint8)
    for low, high in _WORD_RANGES:
        kinds[low:high + 1] = _IDEOGRAPH
    kinds[ord("a"):ord("z") + 1] = _LETTER
    kinds[ord("0"):ord("9") + 1] = _DIGIT
    return kinds


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


@functools.lru_cache(maxsize=None)
def _mapped(code: int) -> str:
    """One character as compared: NFKC, lower case, traditional → simplified (may be several)."""
    return "".join(_simplified(c) for c in unicodedata.normalize("NFKC", chr(code)).lower())


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
        mapped = _mapped(code)
        if len(mapped) == 1:
            table[code] = ord(mapped)
        elif mapped != chr(code) and not expanded:  # ① → 1, ㎡ → m2: rare, rewrite them in the string
            expand[chr(code)] = mapped.replace("\n", " ")
    if expand:
        pattern = re.compile("|".join(map(re.escape, sorted(expand))))
        joined = pattern.sub(lambda m: expand[m.group()], joined)
        return _normalised_points(joined[:-1].split("\n"), expanded=True)
    points = table[points]
    kind = _char_kinds()[points]
    word = kind > 0
    digit = kind == _DIGIT
    # Stand-alone numbers (years, targets: 到2025年, 3.2万个, 40%) say nothing about what a task
    # is and differ between similar tasks; numbers glued to letters are names (5g, ipv6, 10g-pon).
    numeric = digit | (points == ord("."))
    edges = np.diff(numeric.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # run = [start, end)
    letter = kind == _LETTER
    glued = letter[np.maximum(starts - 1, 0)] & (starts > 0)
    glued |= letter[np.minimum(ends, len(points) - 1)] & (ends < len(points))
    has_digit = np.add.reduceat(digit, starts) > 0 if len(starts) else np.zeros(0, bool)
    drop = np.zeros(len(points) + 1, dtype=np.int32)
    bare = has_digit & ~glued
    np.add.at(drop, starts[bare], 1)
    np.add.at(drop, ends[bare], -1)
    word &= np.cumsum(drop[:-1], dtype=np.int32) == 0
    word |= points == ord("\n")
    points[~word] = 0
    return points


def normalise_all(texts: list[str]) -> list[str]:
    """The texts as they are compared (see the module docstring), runs joined by one space."""
    points = _normalised_points(texts)
    joined = np.where(points == 0, ord(" "), points).astype(np.uint32).tobytes().decode("utf-32-le")
    return [" ".join(line.split()) for line in joined.split("\n")[:-1]]


def normalise(text: str) -> str:
    """One text as it is compared: ``normalise("到2025年，建成5G基站！") == "到 年 建成5g基站"``."""
    return normalise_all([text])[0]


def _compact(parts: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """Dense ids (in sorted order of the codes) for arrays of non-negative int64 codes, and their count."""
    total = sum(len(codes) for codes in parts)
    if total == 0:
        return [np.zeros(0, np.int64) for _ in parts], 0
    top = max(int(codes.max()) for codes in parts if len(codes)) + 1
    if top <= 2 * total:
        # Few distinct characters (bigram codes below 2 × their number): a table of every
        # possible code is no bigger than a sort's keys, and one lookup replaces the sort.
        present = np.zeros(top, dtype=bool)
        for codes in parts:
            present[codes] = True
        table = np.cumsum(present, dtype=np.int64)
        table -= 1
        return [table[codes] for codes in parts], int(table[-1]) + 1
    codes = np.concatenate(parts)
    pos_bits = max(1, (total - 1).bit_length())
    if int(codes.max()).bit_length() + pos_bits <= 63:
        # One in-place sort of (code, position) packed in an int64: several times faster than
        # np.unique(return_inverse=True), which argsorts.
        keys = (codes << pos_bits) | np.arange(total, dtype=np.int64)
        keys.sort()
        sorted_codes = keys >> pos_bits
        first = np.empty(total, dtype=bool)
        first[0] = True
        np.not_equal(sorted_codes[1:], sorted_codes[:-1], out=first[1:])
        del sorted_codes
        ids = np.cumsum(first, dtype=np.int64) - 1
        inverse = np.empty(total, dtype=np.int64)
        inverse[keys & ((1 << pos_bits) - 1)] = ids
        count = int(ids[-1]) + 1
    else:
        unique, inverse = np.unique(codes, return_inverse=True)
        inverse, count = inverse.reshape(-1).astype(np.int64), len(unique)
    return np.split(inverse, np.cumsum([len(codes) for codes in parts])[:-1]), count


def tfidf_matrix(texts: list[str], ngram_sizes: tuple[int, ...] = NGRAM_SIZES) -> sp.csr_matrix:
    """Rows of L2-normalised TF-IDF weights (float64) of the character n-grams of the texts.

    Row i is text i; an empty text gives an empty row. Columns are n-grams in an order fixed by
    their characters, so the same texts always give the same matrix.
    """
    n = len(texts)
    # TEXT_CHUNK texts at a time: arrays of a few MB that the allocator reuses, where arrays of
    # all 100 000 texts (150 MB each) cost as much in fresh pages as in computing.
    firsts = list(range(0, n, TEXT_CHUNK))
    chunks = [_normalised_points(texts[first:first + TEXT_CHUNK]) for first in firsts]
    present = np.zeros(0x110000, dtype=bool)
    for points in chunks:
        present[points] = True
    present[[0, ord("\n")]] = False
    char_id = np.cumsum(present, dtype=np.int32)
    vocab = int(char_id[-1]) + 1
    char_id[~present] = 0  # separators and text ends → 0, characters → 1..V
    chars, doc_of = [], []
    for first, points in zip(firsts, chunks):
        chars.append(char_id[points])
        ends = points == ord("\n")
        doc = np.cumsum(ends, dtype=np.int32)
        doc -= ends
        doc += first
        doc_of.append(doc)  # the text each position belongs to
    del chunks, char_id, present
    features = [[] for _ in firsts]
    rows = [[] for _ in firsts]
    n_features = 0
    gram = [np.where(c > 0, c, -1) for c in chars]  # id of the n-gram ending at each position, -1 if none
    for size in range(1, max(ngram_sizes) + 1):
        if size > 1:
            # N-grams never cross a text end ("\n" is a separator), so each chunk goes alone.
            oks = [(g[:-1] >= 0) & (c[size - 1:] > 0) for g, c in zip(gram, chars)]
            codes = [g[:-1][ok].astype(np.int64) * vocab + c[size - 1:][ok] for g, c, ok in zip(gram, chars, oks)]
            ids, count = _compact(codes)
            del codes
            if size < max(ngram_sizes):
                gram = [np.full(len(ok), -1, dtype=np.int64) for ok in oks]
                for g, ok, found in zip(gram, oks, ids):
                    g[ok] = found
        else:
            oks = [g >= 0 for g in gram]
            ids, count = [g[ok] - 1 for g, ok in zip(gram, oks)], vocab - 1
        if size in ngram_sizes:
            for chunk, (ok, found) in enumerate(zip(oks, ids)):
                features[chunk].append(found + n_features)
                rows[chunk].append(doc_of[chunk][:len(ok)][ok])
            n_features += count
    del gram, chars
    blocks = []
    for first, chunk_features, chunk_rows in zip(firsts, features, rows):
        features_all, rows_all = np.concatenate(chunk_features), np.concatenate(chunk_rows) - first
        if len(chunk_features) > 1:  # each size's rows are sorted: a merge
            features_all = features_all[np.argsort(rows_all, kind="stable")]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows_all, minlength=min(TEXT_CHUNK, n - first)))])
        block = sp.csr_matrix((np.ones(len(features_all), np.float64), features_all, indptr),
                              shape=(len(indptr) - 1, n_features))
        block.sum_duplicates()
        blocks.append(block)
    if not blocks:
        return sp.csr_matrix((n, n_features))
    df = sum(np.bincount(block.indices, minlength=n_features) for block in blocks)
    idf = np.log((1 + n) / (1 + df)) + 1
    for block in blocks:  # sublinear tf × idf, rows L2-normalised, a block at a time
        np.log(block.data, out=block.data)
        block.data += 1
        block.data *= idf[block.indices]
        row_of = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
        lengths = np.sqrt(np.bincount(row_of, weights=block.data ** 2, minlength=block.shape[0]))
        block.data /= lengths[row_of]
    matrix = sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
    return matrix


def _group_codes(groups: list[str]) -> np.ndarray:
    """Small integer per distinct group (in order of first appearance)."""
    index: dict[str, int] = {}
    return np.array([index.setdefault(g, len(index)) for g in groups], dtype=np.int32)


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
    position = np.arange(len(rows))
    starts = np.ones(len(rows), dtype=bool)
    np.not_equal(rows[1:], rows[:-1], out=starts[1:])
    keep = position - np.maximum.accumulate(np.where(starts, position, 0)) < k  # rank within the row
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
    # Callers pass each (row, col) once, so the keys are distinct and any sort gives one order.
    return np.argsort(keys)


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


def _kept(matrix: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """float32 copy of ``matrix`` holding only the entries where ``keep`` is true."""
    n = matrix.shape[0]
    counts = np.bincount(np.repeat(np.arange(n), np.diff(matrix.indptr))[keep], minlength=n)
    return sp.csr_matrix((matrix.data[keep].astype(np.float32), matrix.indices[keep],
                          np.concatenate([[0], np.cumsum(counts)])), shape=matrix.shape)


def _search_matrices(matrix: sp.csr_matrix, features: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The two sides of the candidate product (float32): the queries and the transposed index.

    The index holds every n-gram of df in [2, MAX_DF] of every row; a query row holds only its
    ``features`` heaviest of them. Up to MAX_DF rows both hold every n-gram found in two texts
    or more, so the search is exact.
    """
    n = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    usable = ((df >= 2) & (df <= (MAX_DF if n > MAX_DF else n)))[matrix.indices]
    query = usable.copy()
    if n > MAX_DF:
        data, indptr = np.where(usable, matrix.data, 0.0), matrix.indptr
        row_of = np.repeat(np.arange(n), np.diff(indptr))
        for row in np.flatnonzero(np.bincount(row_of[usable], minlength=n) > features).tolist():
            low, high = indptr[row], indptr[row + 1]
            segment = query[low:high]
            segment[:] = False
            segment[np.argpartition(-data[low:high], features - 1)[:features]] = True
    return _kept(matrix, query), _kept(matrix, usable).T.tocsr()


def _top_candidates(product: sp.csr_matrix, start: int, group: np.ndarray, keep: int):
    """Rows and columns of each row's ``keep`` highest entries of ``product`` in other groups."""
    indptr, cols, scores = product.indptr, product.indices, product.data
    lengths = np.diff(indptr)
    scores[np.repeat(group[start:start + len(lengths)], lengths) == group[cols]] = 0  # same document
    chosen = [np.flatnonzero(np.repeat(lengths <= keep, lengths))]
    # A loop over rows with argpartition beats one global sort: rows hold thousands of entries.
    for row in np.flatnonzero(lengths > keep).tolist():
        low = indptr[row]
        chosen.append(low + np.argpartition(-scores[low:indptr[row + 1]], keep - 1)[:keep])
    chosen = np.concatenate(chosen)
    chosen = chosen[scores[chosen] > 0]
    rows = np.searchsorted(indptr, chosen, side="right") - 1 + start
    return rows.astype(np.int64), cols[chosen].astype(np.int64)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (np.unique's hash path takes seconds on millions)."""
    values = np.sort(values)
    first = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


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
    query, index = _search_matrices(matrix, max(1, features))
    clock("prune")
    # Chunks of rows whose product has at most CHUNK_WORK multiply-adds: bounded memory.
    work = np.diff(index.indptr)[query.indices]
    row_work = np.bincount(np.repeat(np.arange(n), np.diff(query.indptr)), weights=work, minlength=n) + 1
    cuts = np.searchsorted(np.cumsum(row_work), np.arange(1, int(row_work.sum() // CHUNK_WORK) + 1) * CHUNK_WORK)
    bounds = np.unique(np.concatenate([[0], cuts, [n]])).tolist()
    keep = max(candidates, top_k)
    with ThreadPoolExecutor(max(1, threads)) as pool:
        found = list(pool.map(lambda span: _top_candidates(query[span[0]:span[1]] @ index, span[0], group, keep),
                              zip(bounds[:-1], bounds[1:])))
    rows = np.concatenate([f[0] for f in found])
    cols = np.concatenate([f[1] for f in found])
    # Each unordered pair once, rows ascending: the rescoring goes by blocks of rows.
    key = _distinct(np.minimum(rows, cols) * n + np.maximum(rows, cols))
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


_buffers = threading.local()


def _rescore(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Exact cosines of pairs (rows[k], cols[k]) whose rows lie in a small block.

    The block's rows are laid side by side in one dense vector, each over the block's own
    n-grams plus a leading 0 for n-grams the block lacks. Each candidate's row, its columns
    moved to its partner's slots, times that vector is one sparse matrix-vector product (one
    pass in C, five times faster than looking the entries up in numpy). The products are summed
    in ascending n-gram order starting from 0, as the sparse product of ``exact_pairs`` sums
    them, so both give bit-identical scores.
    """
    slot = getattr(_buffers, "slot", None)  # n-gram → its slot in a row of the block, 0 = absent
    if slot is None or len(slot) < matrix.shape[1]:
        slot = _buffers.slot = np.zeros(matrix.shape[1], dtype=np.int32)
    first, last = int(rows[0]), int(rows[-1]) + 1
    low, high = matrix.indptr[first], matrix.indptr[last]
    local = _distinct(matrix.indices[low:high])
    width = len(local) + 1
    slot[local] = np.arange(1, width, dtype=np.int32)
    try:
        block = np.zeros((last - first) * width)
        block[np.repeat(np.arange(0, (last - first) * width, width, dtype=np.int32),
                        np.diff(matrix.indptr[first:last + 1])) + slot[matrix.indices[low:high]]] = matrix.data[low:high]
        others = matrix[cols]
        moved = np.repeat(((rows - first) * width).astype(np.int32), np.diff(others.indptr))
        moved += slot[others.indices]
    finally:
        slot[local] = 0  # the thread's next block finds every n-gram absent again
    return sp.csr_matrix((others.data, moved, others.indptr), shape=(len(cols), len(block))) @ block


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
    size = [1] * n
    members: dict[int, list[int]] = {}
    docs: list[set[str] | None] = [{g} for g in groups]
    links: list[dict[int, float] | None] = [{} for _ in range(n)]
    for i, j, score in pairs:
        if i != j and groups[i] != groups[j]:
            links[i][j] = links[j][i] = max(score, links[i].get(j, 0.0))
    # The heap holds one int per candidate merge that orders as (-linkage, a, b) would (see
    # _merge_key): popping ints is three times faster than popping tuples. Entries below the
    # threshold are never pushed: they could only be popped once every entry at or above it is
    # gone, which ends the merging anyway (half of the entries at 100k tasks).
    bits = max(1, (n - 1).bit_length())
    low = (1 << bits) - 1
    heap = [_merge_key(total, a, b, bits) for a in range(n) for b, total in links[a].items()
            if a < b and total >= threshold]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        key = pop(heap)
        a, b = (key >> bits) & low, key & low
        near = links[a]
        if near is None or b not in near or links[b] is None:
            continue
        if key != _merge_key(near[b] / (size[a] * size[b]), a, b, bits):
            continue  # stale entry: the clusters changed since it was pushed
        if docs[a] & docs[b]:
            del near[b], links[b][a]
            continue
        keep, gone = a, b  # a < b
        members[keep] = sorted(members.pop(keep, [keep]) + members.pop(gone, [gone]))
        docs[keep] |= docs[gone]
        docs[gone] = None
        size[keep] += size[gone]
        merged = links[keep]
        del merged[gone]
        for other, total in links[gone].items():
            if other != keep:
                merged[other] = merged.get(other, 0.0) + total
                del links[other][gone]
        links[gone] = None
        kept = size[keep]
        for other, total in merged.items():
            links[other][keep] = total
            linkage = total / (kept * size[other])
            if linkage >= threshold:
                push(heap, _merge_key(linkage, keep, other, bits) if keep < other
                     else _merge_key(linkage, other, keep, bits))
    families = [members.get(i, [i]) for i in range(n) if docs[i] is not None and len(docs[i]) >= min_groups]
    return sorted(families, key=lambda m: (-len(m), m[0]))


_DOUBLE = struct.Struct("<d")


def _merge_key(linkage: float, a: int, b: int, bits: int) -> int:
    """An int that sorts as (-linkage, a, b) for linkage > 0 and a, b < 2**bits.

    The bit pattern of a positive double, read as an integer, grows with the number, so
    2**63 - 1 minus it puts the highest linkage first, exactly (no rounding).
    """
    return ((((1 << 63) - 1 - int.from_bytes(_DOUBLE.pack(linkage), "little")) << bits) | a) << bits | b


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
    # A piece is in no more titles than its rarest character pair, so only runs of pairs that
    # are in enough titles are cut into pieces (a fifth of the work on 23,000 families).
    pairs: Counter = Counter()
    for title in cleaned:
        pairs.update({title[i:i + 2] for i in range(len(title) - 1)})
    frequent = {pair for pair, count in pairs.items() if count >= needed}
    counts: Counter = Counter()
    for title in cleaned:
        pieces = set()
        run = 0  # frequent pairs starting at i, i + 1, ...: counted from the end of the title
        for i in range(len(title) - 2, -1, -1):
            run = run + 1 if title[i:i + 2] in frequent else 0
            pieces.update(title[i:j] for j in range(i + 2, i + 2 + min(run, 7)))
        counts.update(pieces)
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
