"""Retrieval with codes: ranking measures, binary codes, Hamming distance,
the semantic-hashing table.

Chapter 12 ranks documents by the distance between their codes and scores
the ranking with precision and recall (relevant = same label). Chapter 13
makes the codes binary and uses each code as a memory address:
``SemanticHashTable`` finds every document within a Hamming radius by
visiting the neighbouring addresses, without looking at the rest of the
collection. Chapter 14 scores such a lookup by the precision of the Hamming
ball (``precision_within_radius``).

Conventions: a binary code is a row of bool (or 0/1) values, ``(n, bits)``,
and ``binary_codes`` returns a ``torch.bool`` tensor like the encoders of
``aelib.hashing``; bit j of a code has weight 2**j in its integer address.
Distances are "smaller is closer"; pass ``1 - cosine_similarity`` for a
similarity. Here numpy is the point: the codes are packed into uint64 words
and compared by XOR and population count (``np.bitwise_count``; torch has
neither unsigned 64-bit words nor a population count), and the rankings are
sorted the same way, so ``pack_codes``, ``hamming_distance``, the ranking
measures and the table take tensors or arrays and return numpy arrays.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import torch

from ._checks import as_matrix, count, number, one_of

# Recall levels of the lecture's precision-recall figure (Hinton & Salakhutdinov
# 2006): doubling from 0.1 % to 51.2 %, then 100 %. Plot them on a logarithmic
# axis.
RECALL_LEVELS = np.array([0.001 * 2**i for i in range(10)] + [1.0])


def _numpy(name: str, a) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        return a.detach().cpu().numpy()
    try:
        out = np.asarray(a)
    except (TypeError, ValueError):
        out = None
    if out is None or out.dtype == object:
        raise TypeError(
            f"{name} must be a numpy array, a torch tensor or "
            f"an array-like of numbers; got {type(a).__name__}"
        )
    return out


def binary_codes(h, threshold: float = 0.5) -> torch.Tensor:
    """Threshold code units into bits: True where ``h > threshold``
    (chapter 13).

    Args:
        h: code-unit activities, e.g. sigmoid outputs in [0, 1].
        threshold: the cut; 0.5 for sigmoid units, 0 for linear
            (pre-sigmoid) units.

    Shape:
        h: ``(n, bits)``; output: ``(n, bits)`` ``torch.bool``, on h's
        device.
    """
    h = as_matrix("h", h, finite=False, layout="(n, bits)")
    return h > number("threshold", threshold)


def _bits(name: str, codes, n_bits: int | None = None) -> np.ndarray:
    codes = _numpy(name, codes)
    if codes.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold bits (bool or 0/1 numbers); got "
            f"dtype {codes.dtype}"
        )
    if codes.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n, bits) with one binary code "
            f"per row; got shape {codes.shape}"
        )
    if n_bits is not None and codes.shape[1] != n_bits:
        raise ValueError(
            f"{name} must have codes of {n_bits} bits; got "
            f"codes of {codes.shape[1]} bits (shape "
            f"{codes.shape})"
        )
    if codes.dtype != np.bool_ and not ((codes == 0) | (codes == 1)).all():
        raise ValueError(
            f"{name} must hold only 0 and 1 (or bool); "
            "threshold real codes with binary_codes()"
        )
    return codes.astype(bool)


def pack_codes(codes) -> np.ndarray:
    """Pack binary codes into 64-bit words: bit j of a code goes to bit
    j % 64 of word j // 64.

    For codes of at most 63 bits, column 0 of the result is the code's
    integer address. The words are a numpy array: torch has no unsigned
    64-bit integers to hold them.

    Shape:
        codes: ``(n, bits)``; output: ``(n, ceil(bits / 64))`` uint64.
    """
    codes = _bits("codes", codes)
    n, bits = codes.shape
    n_words = max(1, math.ceil(bits / 64))
    # bit j -> byte j // 8, bit j % 8 (little order); 8 little-endian bytes make
    # one uint64 word
    packed = np.zeros((n, 8 * n_words), dtype=np.uint8)
    packed[:, : math.ceil(bits / 8)] = np.packbits(
        codes, axis=1, bitorder="little"
    )
    return packed.view("<u8").astype(np.uint64, copy=False)


def hamming_distance(a, b, chunk: int = 2048) -> np.ndarray:
    """Number of differing bits between every code of ``a`` and every code
    of ``b`` (chapters 13, 14).

    Computed by XOR and population count on packed words, ``chunk`` rows of
    ``a`` at a time, in numpy (``np.bitwise_count``), which returns a numpy
    array.

    Args:
        a: binary codes (0/1 or bool), e.g. the queries.
        b: binary codes of the same width, e.g. the database.

    Shape:
        a: ``(n, bits)``; b: ``(m, bits)``; output: ``(n, m)`` int64.
    """
    a = _bits("a", a)
    b = _bits("b", b, a.shape[1])
    number("chunk", chunk, low=1, integer=True)
    pa, pb = pack_codes(a), pack_codes(b)
    out = np.empty((len(pa), len(pb)), dtype=np.int64)
    for s in range(0, len(pa), chunk):
        block = pa[s : s + chunk, None, :] ^ pb[None, :, :]
        out[s : s + chunk] = np.bitwise_count(block).sum(axis=2)
    return out


def _check_ranking_args(
    distances, query_labels, db_labels, exclude_self, seed, chunk
):
    d = _numpy("distances", distances)
    ql = _numpy("query_labels", query_labels).ravel()
    dl = _numpy("db_labels", db_labels).ravel()
    if not (np.issubdtype(d.dtype, np.number) or d.dtype == np.bool_):
        raise TypeError(f"distances must hold numbers; got dtype {d.dtype}")
    if d.ndim != 2 or d.shape != (len(ql), len(dl)):
        raise ValueError(
            "distances must have shape (n_queries, n_database) "
            f"= ({len(ql)}, {len(dl)}) from the label arrays; "
            f"got {d.shape}"
        )
    if exclude_self and d.shape[0] != d.shape[1]:
        raise ValueError(
            "exclude_self needs the queries to be the database "
            f"(a square distances matrix); got {d.shape}"
        )
    # A ranking needs something to rank: with no query the mean is 0/0,
    # with no item each ranking is empty.
    if d.shape[0] == 0 or d.shape[1] < 1 + bool(exclude_self):
        itself = " (each query leaves itself out)" if exclude_self else ""
        raise ValueError(
            "distances must hold at least one query and "
            f"{1 + bool(exclude_self)} database item(s){itself};"
            f" got shape {d.shape}"
        )
    if np.isnan(d).any():
        raise ValueError("distances contains NaN; clean the distances first")
    number("seed", seed, low=0, integer=True)
    count(chunk=chunk)
    return d, ql, dl


def ranked_relevance(
    distances,
    query_labels,
    db_labels,
    exclude_self: bool = False,
    seed: int = 0,
    chunk: int = 256,
):
    """Yield, for blocks of queries, the relevance (same label) of the
    database sorted by distance.

    Ties are broken at random (the same random order of the database for
    every query, seeded): a tie says nothing about which item is closer, and
    a fixed order could favour a label that happens to come first (Hamming
    distances tie a lot).

    Args:
        distances: smaller is closer.
        query_labels, db_labels: one integer label per query / database
            item.
        exclude_self: the queries are the database; each query's own item is
            left out.

    Shape:
        distances: ``(n_queries, n_database)``; yields bool
        ``(block, n_database)``, or ``(block, n_database - 1)`` with
        exclude_self.
    """
    d, ql, dl = _check_ranking_args(
        distances, query_labels, db_labels, exclude_self, seed, chunk
    )
    perm = np.random.default_rng(seed).permutation(d.shape[1])
    where = np.argsort(perm)  # column of item i after the permutation
    for s in range(0, d.shape[0], chunk):
        block = d[s : s + chunk][:, perm].astype(np.float64)
        if exclude_self:
            rows = np.arange(block.shape[0])
            block[rows, where[s + rows]] = np.inf
        order = perm[np.argsort(block, axis=1, kind="stable")]
        if exclude_self:
            order = order[:, :-1]
        yield dl[order] == ql[s : s + chunk, None]


def _levels(recall_levels) -> np.ndarray:
    levels = np.asarray(recall_levels, dtype=np.float64)
    if levels.ndim != 1 or (levels <= 0).any() or (levels > 1).any():
        raise ValueError(
            "recall_levels must be a 1-D array of values in "
            f"(0, 1]; got {recall_levels!r}"
        )
    return levels


def _per_query(total, n: int):
    """The mean over the n queries that have a relevant item."""
    if n == 0:
        raise ValueError(
            "no query has a relevant item in the database (no "
            "shared label); check query_labels and db_labels"
        )
    return total / n


MEASURES = ("precision", "mean_average_precision", "precision_at_k")


def ranking_measures(
    distances,
    query_labels,
    db_labels,
    k=10,
    recall_levels=RECALL_LEVELS,
    exclude_self: bool = False,
    seed: int = 0,
    measures=MEASURES,
) -> dict:
    """The ranking measures of chapters 12 and 14 from one sort of the
    distances: the sort is nearly all the cost, so asking for the three
    measures together is three times faster than asking for each.

    For one query the database is ranked by distance (``ranked_relevance``);
    each measure is a mean over queries:

    - ``"precision"``: the precision at each recall level, the lecture's
      retrieval curve: at recall r, the fraction of relevant items among the
      shortest prefix of the ranking that holds a fraction r of all relevant
      items;
    - ``"mean_average_precision"``: the mean of the precision at the rank of
      each relevant item;
    - ``"precision_at_k"``: the fraction of relevant items among the ``k``
      closest.

    Queries with no relevant item in the database have no recall: the first
    two leave them out, the third counts them.

    Args:
        distances: smaller is closer.
        query_labels, db_labels: one integer label per query / database item.
        k: an int or a list of ints, each at most the database size.
        recall_levels: the levels of the curve, in (0, 1].
        exclude_self: the queries are the database; each query's own item is
            left out.
        seed: the order in which ties are broken (``ranked_relevance``).
        measures: which of the three to compute.

    Shape:
        distances: ``(n_queries, n_database)``.

    Returns:
        A dict with the measures asked for: ``"precision"``, a numpy array
        ``(n_levels,)`` (and ``"recall_levels"`` beside it);
        ``"mean_average_precision"``, a float; ``"precision_at_k"``, a float,
        or a numpy array with one value per k.
    """
    for m in measures:
        one_of("measures", m, MEASURES)
    levels, ks = _levels(recall_levels), _ks(k)
    curve, ap, at_k = np.zeros(len(levels)), 0.0, np.zeros(len(ks))
    n_queries, n_with_relevant = 0, 0
    for rel in ranked_relevance(
        distances, query_labels, db_labels, exclude_self, seed
    ):
        hits = np.cumsum(rel, axis=1)
        n_queries += len(rel)
        if "precision_at_k" in measures:
            if ks.max() > rel.shape[1]:
                raise ValueError(
                    f"k must be at most the database size {rel.shape[1]}; "
                    f"got {k!r}"
                )
            at_k += (hits[:, ks - 1] / ks).sum(axis=0)
        keep = hits[:, -1] > 0
        rel, hits = rel[keep], hits[keep]
        n_rel = hits[:, -1]
        n_with_relevant += len(n_rel)
        if "mean_average_precision" in measures:
            ranks = np.arange(1, rel.shape[1] + 1)
            ap += ((rel * hits / ranks).sum(axis=1) / n_rel).sum()
        if "precision" in measures:
            for i, r in enumerate(levels):
                # The relevant items needed to reach recall r, and the first
                # rank with that many.
                need = np.ceil(r * n_rel - 1e-9).astype(np.int64)
                rank = (hits < need[:, None]).sum(axis=1) + 1
                curve[i] += (need / rank).sum()
    out = {}
    if "precision" in measures:
        out["recall_levels"] = levels
        out["precision"] = _per_query(curve, n_with_relevant)
    if "mean_average_precision" in measures:
        out["mean_average_precision"] = float(_per_query(ap, n_with_relevant))
    if "precision_at_k" in measures:
        at_k = at_k / n_queries
        out["precision_at_k"] = float(at_k[0]) if np.ndim(k) == 0 else at_k
    return out


def precision_recall(
    distances,
    query_labels,
    db_labels,
    recall_levels=RECALL_LEVELS,
    exclude_self: bool = False,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Precision at each recall level, averaged over queries: the lecture's
    retrieval curve (chapter 12).

    For one query the database is ranked by distance; the precision at
    recall level r is the fraction of relevant items among the shortest
    prefix of the ranking that holds a fraction r of all relevant items.
    Queries with no relevant item in the database are skipped. For more
    than one measure of the same distances, ``ranking_measures`` sorts once.

    Returns:
        ``(recall_levels, precision)``, both numpy arrays ``(n_levels,)``.
    """
    m = ranking_measures(
        distances,
        query_labels,
        db_labels,
        recall_levels=recall_levels,
        exclude_self=exclude_self,
        seed=seed,
        measures=("precision",),
    )
    return m["recall_levels"], m["precision"]


def _ks(k) -> np.ndarray:
    ks = np.atleast_1d(np.asarray(k))
    if (
        ks.ndim != 1
        or not np.issubdtype(ks.dtype, np.integer)
        or (ks < 1).any()
    ):
        raise ValueError(
            f"k must be a positive int or a list of them; got {k!r}"
        )
    return ks


def precision_at_k(
    distances,
    query_labels,
    db_labels,
    k,
    exclude_self: bool = False,
    seed: int = 0,
):
    """Mean fraction of relevant items among the ``k`` closest (chapters 12,
    14).

    Args:
        k: an int or a list of ints, each at most the database size.

    Returns:
        A float, or a numpy array with one value per k.
    """
    return ranking_measures(
        distances,
        query_labels,
        db_labels,
        k=k,
        exclude_self=exclude_self,
        seed=seed,
        measures=("precision_at_k",),
    )["precision_at_k"]


def mean_average_precision(
    distances,
    query_labels,
    db_labels,
    exclude_self: bool = False,
    seed: int = 0,
) -> float:
    """Mean over queries of the average precision: the mean of the
    precision at the rank of each relevant item (chapters 12, 14). Queries
    with no relevant item are skipped.
    """
    return ranking_measures(
        distances,
        query_labels,
        db_labels,
        exclude_self=exclude_self,
        seed=seed,
        measures=("mean_average_precision",),
    )["mean_average_precision"]


def precision_within_radius(
    distances,
    query_labels,
    db_labels,
    radius,
    exclude_self: bool = False,
    chunk: int = 256,
) -> float:
    """Mean over queries of the fraction of relevant items among the
    database items within distance ``radius`` (chapter 14): what a lookup
    of the Hamming ball returns (chapter 13), before any ranking.

    A query with nothing within the radius counts precision 0: the lookup
    returned nothing useful, and skipping it would reward codes that spread
    the database so thin that few queries find anything.

    Args:
        distances: smaller is closer, e.g. ``hamming_distance``.
        radius: a number >= 0; items at distance <= radius are found.
        exclude_self: the queries are the database; each query's own item is
            left out.
        chunk: queries compared at a time (bounds the memory).

    Shape:
        distances: ``(n_queries, n_database)``; output: a float.
    """
    d, ql, dl = _check_ranking_args(
        distances, query_labels, db_labels, exclude_self, 0, chunk
    )
    number("radius", radius, low=0)
    total = 0.0
    for s in range(0, d.shape[0], chunk):
        found = d[s : s + chunk] <= radius
        if exclude_self:
            rows = np.arange(found.shape[0])
            found[rows, s + rows] = False
        n_found = found.sum(axis=1)
        n_rel = (found & (dl[None, :] == ql[s : s + chunk, None])).sum(axis=1)
        total += (n_rel / np.maximum(n_found, 1)).sum()
    return float(total / d.shape[0])


def _masks(bits: int, radius: int) -> np.ndarray:
    """Every XOR mask with at most ``radius`` bits set, by increasing number of
    bits."""
    out = [0]
    for r in range(1, radius + 1):
        out.extend(sum(1 << j for j in c) for c in combinations(range(bits), r))
    return np.array(out, dtype=np.uint64)


class SemanticHashTable:
    """Binary codes used as memory addresses (semantic hashing, chapter 13).

    Each code of ``bits`` bits is an address; the documents are stored grouped
    by address. ``query(code, radius)`` visits the sum_{r <= radius} C(bits, r)
    addresses within that Hamming distance of ``code`` and returns what is
    stored there: its cost depends on the number of addresses visited and
    documents found, not on the size of the collection. Up to 24 bits the
    table is direct (an offset for each of the 2**bits addresses: one memory
    lookup per address); wider codes use a sorted address array (a binary
    search per address). ``scan(code, radius)`` is the brute-force
    alternative, for comparison.

    Args:
        codes: one binary code per document (0/1 or bool), at most 62 bits.

    Shape:
        codes: ``(n, bits)``.
    """

    DIRECT_MAX_BITS = 24
    MAX_PROBES = 1 << 22

    def __init__(self, codes):
        codes = _bits("codes", codes)
        n, bits = codes.shape
        if n == 0 or not 1 <= bits <= 62:
            raise ValueError(
                "codes must hold at least one code of 1 to 62 "
                f"bits; got shape {codes.shape}"
            )
        self.bits, self.n = bits, n
        self.addresses = pack_codes(codes)[:, 0]
        # The documents grouped by address.
        self.order = np.argsort(self.addresses, kind="stable")
        self._sorted = self.addresses[self.order]
        if bits <= self.DIRECT_MAX_BITS:
            counts = np.bincount(
                self.addresses.astype(np.int64), minlength=1 << bits
            )
            self.starts = np.concatenate([[0], np.cumsum(counts)])
        self._mask_cache: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return self.n

    def _address(self, code) -> np.uint64:
        row = _numpy("code", code).reshape(1, -1)
        return pack_codes(_bits("code", row, self.bits))[0, 0]

    def _radius(self, radius) -> int:
        number("radius", radius, low=0, integer=True)
        radius = min(radius, self.bits)
        n_probes = sum(math.comb(self.bits, r) for r in range(radius + 1))
        if n_probes > self.MAX_PROBES:
            raise ValueError(
                f"radius {radius} means visiting {n_probes:,} "
                f"addresses of {self.bits} bits (limit "
                f"{self.MAX_PROBES:,}); use a smaller radius or "
                "scan()"
            )
        if radius not in self._mask_cache:
            self._mask_cache[radius] = _masks(self.bits, radius)
        return radius

    def neighbour_addresses(self, code, radius: int) -> np.ndarray:
        """The addresses within Hamming distance ``radius`` of ``code``, nearest
        first."""
        return self._address(code) ^ self._mask_cache[self._radius(radius)]

    def query(self, code, radius: int, return_distances: bool = False):
        """Indices of the stored codes within Hamming distance ``radius`` of
        ``code``, no scan.

        Args:
            code: one binary code of the table's width.
            radius: an int from 0 to the number of bits.
            return_distances: also return each found document's Hamming
                distance.

        Shape:
            code: ``(bits,)``; output: ``(found,)`` int64 indices, nearest
                addresses first.
        """
        probes = self.neighbour_addresses(code, radius)
        if self.bits <= self.DIRECT_MAX_BITS:
            p = probes.astype(np.int64)
            lo, hi = self.starts[p], self.starts[p + 1]
        else:
            lo = np.searchsorted(self._sorted, probes, "left")
            hi = np.searchsorted(self._sorted, probes, "right")
        lengths = hi - lo
        total = int(lengths.sum())
        # the runs order[lo:hi] of every probe, concatenated without a Python
        # loop
        ends = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        offsets = np.repeat(lo - ends, lengths)
        found = self.order[offsets + np.arange(total)]
        if not return_distances:
            return found
        masks = self._mask_cache[self._radius(radius)]
        mask_bits = np.bitwise_count(masks).astype(np.int64)
        return found, np.repeat(mask_bits, lengths)

    def scan(self, code, radius: int) -> np.ndarray:
        """The same set as ``query`` by brute force: the distance to every
        stored code.

        Shape:
            output: ``(found,)`` int64 indices in storage order.
        """
        a = self._address(code)
        number("radius", radius, low=0, integer=True)
        return np.flatnonzero(np.bitwise_count(self.addresses ^ a) <= radius)
