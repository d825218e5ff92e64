"""Property tests of ``aelib.retrieval``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    BAD_INTS,
    FAST,
    clear_or_ok,
    matrices,
    mostly,
    reals,
    sometimes,
    tensors,
)

from aelib import (
    retrieval,
)


@st.composite
def codes(draw, n=None, bits=None):
    """Binary codes as numpy or torch, 0/1 or bool; sometimes not binary, of another shape, or anything."""
    if draw(sometimes(8)):
        return draw(st.one_of(tensors(), st.just([[0, 1]])))
    n = draw(st.integers(0, 40)) if n is None else n
    bits = (
        draw(st.sampled_from([1, 2, 3, 5, 8, 12, 25, 30, 0, 63]))
        if bits is None
        else bits
    )
    c = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(
        0, 2, size=(n, bits)
    )
    if c.size and draw(sometimes(8)):
        c.flat[draw(st.integers(0, c.size - 1))] = draw(
            st.sampled_from([2, -1])
        )
    kind = draw(st.sampled_from(["bool", "uint8", "int64", "float", "torch"]))
    if kind == "torch":
        return torch.from_numpy(c)
    return c.astype(
        {
            "bool": bool,
            "uint8": np.uint8,
            "int64": np.int64,
            "float": np.float64,
        }[kind]
    )


def _bool(c):
    return np.asarray(c.numpy() if isinstance(c, torch.Tensor) else c).astype(
        bool
    )


@FAST
@given(
    h=mostly(
        matrices(),
        st.one_of(st.just([[0.3]]), st.just(np.array([[np.nan, 0.7]]))),
    ),
    as_numpy=st.booleans(),
    threshold=reals,
)
def test_binary_codes(h, as_numpy, threshold):
    h = h.numpy() if as_numpy and isinstance(h, torch.Tensor) else h
    out = clear_or_ok(
        lambda: retrieval.binary_codes(h, threshold), "h", "threshold"
    )
    if out is not None:
        np.testing.assert_array_equal(out, np.asarray(h) > threshold)


@FAST
@given(
    a=codes(),
    data=st.data(),
    chunk=mostly(st.integers(1, 3), st.one_of(BAD_INTS, st.just(2048))),
)
def test_hamming_distance(a, data, chunk):
    bits = a.shape[1] if hasattr(a, "shape") and len(a.shape) == 2 else None
    b = data.draw(mostly(codes(bits=bits), codes()))
    d = clear_or_ok(
        lambda: retrieval.hamming_distance(a, b, chunk), "a", "b", "chunk"
    )
    if d is not None:
        a, b = _bool(a), _bool(b)
        np.testing.assert_array_equal(
            d, (a[:, None, :] != b[None, :, :]).sum(axis=2)
        )
    packed = clear_or_ok(lambda: retrieval.pack_codes(a), "codes")
    # Column 0 is the integer address, bit j weighs 2**j (a may be a list).
    bits = np.shape(a)[1] if packed is not None else 0
    if 0 < bits <= 63:
        weights = np.arange(bits, dtype=np.uint64)
        address = (_bool(a).astype(np.uint64) << weights).sum(axis=1)
        np.testing.assert_array_equal(packed[:, 0], address)


@st.composite
def table_and_query(draw):
    stored = draw(codes())
    code = draw(codes(n=1)) if draw(sometimes(4)) else None
    if (
        code is None
        and hasattr(stored, "shape")
        and stored.ndim == 2
        and len(stored)
    ):
        code = stored[
            draw(st.integers(0, len(stored) - 1))
        ]  # a stored code, a few bits flipped
        code = code.clone() if isinstance(code, torch.Tensor) else code.copy()
        for j in draw(
            st.lists(st.integers(0, max(code.shape[0] - 1, 0)), max_size=3)
        ):
            if code.shape[0]:
                code[j] = 1 if code[j] == 0 else 0
    elif (
        code is not None
        and len(getattr(code, "shape", (1,)))
        and draw(st.booleans())
    ):
        code = code[
            0
        ]  # the documented (bits,); else (1, bits), which is not a code
    radius = draw(
        mostly(
            st.integers(0, 4), st.sampled_from([-1, 100, 1.5, None, True, "2"])
        )
    )
    return stored, code, radius


@FAST
@given(problem=table_and_query())
def test_semantic_hash_table_query_equals_scan(problem):
    stored, code, radius = problem
    table = clear_or_ok(lambda: retrieval.SemanticHashTable(stored), "codes")
    if table is None:
        return
    found = clear_or_ok(
        lambda: table.query(code, radius, return_distances=True),
        "code",
        "radius",
    )
    scanned = clear_or_ok(lambda: table.scan(code, radius), "code", "radius")
    if found is None or scanned is None:
        # query also refuses a radius that visits more than MAX_PROBES addresses (and says: use scan)
        assert found is None or scanned is not None
        return
    idx, dist = found
    assert (
        sorted(idx.tolist()) == scanned.tolist()
    )  # the same set, without the scan
    truth = retrieval.hamming_distance(_bool(code).reshape(1, -1), stored)[0]
    np.testing.assert_array_equal(dist, truth[idx])
    assert bool((np.diff(dist) >= 0).all()) and bool((dist <= radius).all())


@st.composite
def ranking(draw):
    q, m = draw(st.integers(1, 5)), draw(st.integers(1, 8))
    q, m = draw(
        mostly(
            st.just((q, m)), st.sampled_from([(0, m), (q, 0), (0, 0), (1, 1)])
        )
    )
    exclude_self = draw(st.booleans())
    m = q if exclude_self and draw(mostly(st.just(True), st.just(False))) else m
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    d = g.integers(0, 4, size=(q, m)).astype(
        draw(st.sampled_from([np.int64, np.float64]))
    )
    if d.size and draw(sometimes(6)):
        d = d.astype(np.float64)
        d.flat[0] = draw(st.sampled_from([np.nan, np.inf, -1.0]))
    if draw(sometimes(6)):
        d = draw(st.one_of(tensors(), st.just(d.T), st.just(d.astype(object))))
    ql = g.integers(0, 3, size=q + draw(mostly(st.just(0), st.just(1))))
    dl = g.integers(0, 3, size=m)
    return d, ql, dl, exclude_self


@FAST
@given(
    problem=ranking(),
    k=mostly(
        st.integers(1, 4),
        st.one_of(BAD_INTS, st.lists(st.integers(-1, 9), max_size=3)),
    ),
    seed=mostly(st.integers(0, 3), BAD_INTS),
    levels=st.sampled_from(
        [retrieval.RECALL_LEVELS, [0.5, 1.0], [0.0, 1.0], [[0.5]]]
    ),
)
def test_ranking_measures(problem, k, seed, levels):
    d, ql, dl, exclude_self = problem
    names = ("distances", "query_labels", "db_labels", "exclude_self", "seed")
    pr = clear_or_ok(
        lambda: retrieval.precision_recall(
            d, ql, dl, levels, exclude_self, seed
        ),
        *names,
        "recall_levels",
        "query",
    )
    if pr is not None:
        assert bool(((pr[1] >= 0) & (pr[1] <= 1)).all())
    pk = clear_or_ok(
        lambda: retrieval.precision_at_k(d, ql, dl, k, exclude_self, seed),
        *names,
        "k",
    )
    if pk is not None:
        assert bool(np.all((np.asarray(pk) >= 0) & (np.asarray(pk) <= 1)))
        # At k = the whole database, precision is the share of same-label items, whatever the ranking.
        n = d.shape[1] - exclude_self
        same = (ql[:, None] == dl[None, :]).astype(float)
        if exclude_self:
            same[np.arange(len(ql)), np.arange(len(ql))] = 0
        assert math.isclose(
            retrieval.precision_at_k(d, ql, dl, n, exclude_self, seed),
            same.sum(1).mean() / n,
        )
    ap = clear_or_ok(
        lambda: retrieval.mean_average_precision(d, ql, dl, exclude_self, seed),
        *names,
        "query",
    )
    if ap is not None:
        assert 0 <= ap <= 1
