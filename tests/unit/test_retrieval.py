"""aelib.retrieval against independent references: brute force, loops, scikit-learn."""

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score

from aelib import retrieval as R


def _random(n, bits, seed):
    return (
        np.random.default_rng(seed)
        .integers(0, 2, size=(n, bits))
        .astype(np.uint8)
    )


@pytest.mark.parametrize("bits", [1, 20, 64, 100])
def test_hamming_distance_matches_counting_differences(bits):
    a, b = _random(37, bits, 0), _random(53, bits, 1)
    d = R.hamming_distance(a, b, chunk=8)
    assert d.shape == (37, 53)
    np.testing.assert_array_equal(
        d, (a[:, None, :] != b[None, :, :]).sum(axis=2)
    )
    np.testing.assert_array_equal(
        R.hamming_distance(torch.from_numpy(a).bool(), b), d
    )


def test_hamming_distance_rejects_bad_codes():
    with pytest.raises(ValueError, match="b must have codes of 8 bits"):
        R.hamming_distance(_random(3, 8, 0), _random(3, 9, 0))
    with pytest.raises(ValueError, match="a must hold only 0 and 1"):
        R.hamming_distance(np.full((2, 4), 0.7), _random(3, 4, 0))


def test_binary_codes_and_pack():
    h = torch.tensor([[0.9, 0.1, 0.6], [0.2, 0.8, 0.4]])
    bits = R.binary_codes(h)
    # One convention with aelib.hashing: codes are bool tensors.
    assert isinstance(bits, torch.Tensor) and bits.dtype == torch.bool
    np.testing.assert_array_equal(bits, [[1, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(R.binary_codes(h.numpy()), bits)
    np.testing.assert_array_equal(R.pack_codes(bits)[:, 0], [1 + 4, 2])


def _naive(d, ql, dl, levels, ks):
    """Per-query reference: ranking by sorting, no ties in d."""
    pr, pk, ap = [], [], []
    for i in range(len(d)):
        rel = dl[np.argsort(d[i])] == ql[i]
        pk.append([rel[:k].mean() for k in ks])
        n_rel = rel.sum()
        if n_rel == 0:
            continue
        ap.append(average_precision_score(dl == ql[i], -d[i]))
        row = []
        for r in levels:
            need = int(np.ceil(r * n_rel - 1e-9))
            rank = np.flatnonzero(np.cumsum(rel) >= need)[0] + 1
            row.append(need / rank)
        pr.append(row)
    return np.mean(pr, axis=0), np.mean(pk, axis=0), np.mean(ap)


def test_ranking_measures_match_a_per_query_reference():
    rng = np.random.default_rng(0)
    d = rng.random((40, 300))
    ql, dl = rng.integers(0, 4, 40), rng.integers(0, 4, 300)
    ql[0] = 9  # a query with no relevant item: skipped by the curve and mAP
    pr_ref, pk_ref, ap_ref = _naive(d, ql, dl, R.RECALL_LEVELS, [1, 5, 50, 300])
    levels, pr = R.precision_recall(d, ql, dl)
    np.testing.assert_allclose(levels, R.RECALL_LEVELS)
    np.testing.assert_allclose(pr, pr_ref)
    np.testing.assert_allclose(
        R.precision_at_k(d, ql, dl, [1, 5, 50, 300]), pk_ref
    )
    assert R.precision_at_k(d, ql, dl, 5) == pytest.approx(pk_ref[1])
    assert R.mean_average_precision(
        torch.from_numpy(d), ql, dl
    ) == pytest.approx(ap_ref)


def test_ranking_measures_sorts_once_for_the_three_measures():
    rng = np.random.default_rng(2)
    d = rng.integers(0, 5, (30, 200)).astype(float)  # many ties
    ql, dl = rng.integers(0, 4, 30), rng.integers(0, 4, 200)
    ql[3] = 9
    m = R.ranking_measures(d, ql, dl, k=[1, 10])
    np.testing.assert_allclose(m["precision"], R.precision_recall(d, ql, dl)[1])
    np.testing.assert_allclose(
        m["precision_at_k"], R.precision_at_k(d, ql, dl, [1, 10])
    )
    assert m["mean_average_precision"] == R.mean_average_precision(d, ql, dl)
    assert R.ranking_measures(d, ql, dl)["precision_at_k"] == pytest.approx(
        R.precision_at_k(d, ql, dl, 10)
    )
    calls = []
    real = R.ranked_relevance

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    R.ranked_relevance = counted
    try:
        R.ranking_measures(d, ql, dl, k=[1, 10])
    finally:
        R.ranked_relevance = real
    assert len(calls) == 1


def test_precision_at_k_needs_no_relevant_item():
    # The curve and mAP have no value without a relevant item; precision at
    # k is then 0, as it was before the measures shared one sort.
    d = np.random.default_rng(3).random((2, 5))
    assert R.precision_at_k(d, np.array([7, 8]), np.arange(5), 3) == 0.0
    with pytest.raises(ValueError, match="no query has a relevant item"):
        R.ranking_measures(d, np.array([7, 8]), np.arange(5), k=3)


def test_scalar_measures_are_python_floats():
    # A numpy scalar glued into the book prints as 'np.float64(...)', which
    # myst-nb cannot format ({glue:text}`name:.2f`): the build then warns.
    rng = np.random.default_rng(0)
    d = rng.random((10, 30))
    ql, dl = rng.integers(0, 3, 10), rng.integers(0, 3, 30)
    assert type(R.mean_average_precision(d, ql, dl)) is float
    assert type(R.precision_at_k(d, ql, dl, 5)) is float
    assert type(R.precision_within_radius(d, ql, dl, 0.5)) is float


def test_exclude_self_drops_the_query_from_its_own_ranking():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3))
    y = rng.integers(0, 3, 60)
    d = np.linalg.norm(
        x[:, None] - x[None], axis=2
    )  # zero on the diagonal: self would rank first
    got = R.mean_average_precision(d, y, y, exclude_self=True)
    ref = np.mean(
        [
            average_precision_score(
                np.delete(y == y[i], i), -np.delete(d[i], i)
            )
            for i in range(60)
        ]
    )
    assert got == pytest.approx(ref)
    assert R.precision_at_k(d, y, y, 59, exclude_self=True) == pytest.approx(
        np.mean([(np.delete(y, i) == y[i]).mean() for i in range(60)])
    )


def test_ties_are_broken_without_favouring_the_database_order():
    # every distance equal, the relevant items stored first: a fixed order would give precision 1.
    dl = np.array([0] * 50 + [1] * 950)
    d = np.zeros((1, 1000))
    assert R.precision_at_k(d, np.array([0]), dl, 100) < 0.2


def test_ranking_measures_reject_bad_input():
    d = np.zeros((3, 4))
    with pytest.raises(ValueError, match="distances must have shape"):
        R.precision_at_k(d, np.arange(2), np.arange(4), 1)
    with pytest.raises(ValueError, match="k must be at most"):
        R.precision_at_k(d, np.arange(3), np.arange(4), 5)
    with pytest.raises(ValueError, match="recall_levels"):
        R.precision_recall(
            d, np.arange(3), np.arange(4), recall_levels=[0.0, 0.5]
        )
    with pytest.raises(ValueError, match="exclude_self"):
        R.mean_average_precision(
            d, np.arange(3), np.arange(4), exclude_self=True
        )


def test_precision_within_radius_matches_a_per_query_loop():
    a, b = _random(50, 8, 2), _random(400, 8, 3)
    b[:30] = a[0]  # query 0 finds many items at distance 0
    d = R.hamming_distance(a, b)
    rng = np.random.default_rng(4)
    ql, dl = rng.integers(0, 3, 50), rng.integers(0, 3, 400)
    for radius in (0, 1, 2, 8):
        ref = []
        for i in range(50):
            found = np.flatnonzero(d[i] <= radius)
            # nothing found: precision 0, the query still counts
            ref.append((dl[found] == ql[i]).mean() if len(found) else 0.0)
        got = R.precision_within_radius(d, ql, dl, radius, chunk=7)
        assert got == pytest.approx(np.mean(ref))
    assert (d.min(axis=1) > 0).any(), "some query finds nothing at radius 0"
    # the whole cube: precision is the share of relevant items
    assert R.precision_within_radius(d, ql, dl, 8) == pytest.approx(
        np.mean([(dl == q).mean() for q in ql])
    )


def test_precision_within_radius_exclude_self_and_bad_input():
    y = np.array([0, 0, 1, 1])
    d = np.array([[0, 1, 1, 3], [1, 0, 3, 1], [1, 3, 0, 1], [3, 1, 1, 0]])
    # each query finds itself and two items at distance 1, one relevant
    assert R.precision_within_radius(d, y, y, 1) == pytest.approx(2 / 3)
    assert R.precision_within_radius(d, y, y, 1, exclude_self=True) == 0.5
    assert R.precision_within_radius(d, y, y, 0, exclude_self=True) == 0.0
    with pytest.raises(ValueError, match="radius"):
        R.precision_within_radius(d, y, y, -1)
    with pytest.raises(ValueError, match="distances must have shape"):
        R.precision_within_radius(d, y[:3], y, 1)


@pytest.mark.parametrize("bits", [12, 20, 30])
def test_hash_table_query_is_exactly_the_brute_force_ball(bits):
    codes = _random(3000, bits, bits)
    # plant near-duplicates so that small radii find something
    codes[:200] = codes[0]
    codes[200:400, :3] ^= 1
    table = R.SemanticHashTable(codes)
    for q in list(codes[:3]) + [_random(1, bits, 99)[0]]:
        dist = (codes != q).sum(axis=1)
        for radius in range(0, 5):
            want = np.flatnonzero(dist <= radius)
            found, fd = table.query(q, radius, return_distances=True)
            assert len(found) == len(set(found.tolist()))
            np.testing.assert_array_equal(np.sort(found), want)
            np.testing.assert_array_equal(fd, dist[found])
            assert (np.diff(fd) >= 0).all()
            np.testing.assert_array_equal(table.scan(q, radius), want)
    assert len(table) == 3000
    if bits == 12:
        assert (
            len(table.query(codes[0], 99)) == 3000
        )  # a radius past the width is the whole cube


def test_hash_table_rejects_bad_radius_and_code_width():
    table = R.SemanticHashTable(_random(100, 20, 0))
    with pytest.raises(ValueError, match="radius"):
        table.query(np.zeros(20, dtype=np.uint8), -1)
    with pytest.raises(TypeError, match="radius"):
        table.query(np.zeros(20, dtype=np.uint8), 1.5)
    with pytest.raises(ValueError, match="code must have codes of 20 bits"):
        table.query(np.zeros(19, dtype=np.uint8), 1)
    with pytest.raises(ValueError, match="code must hold only 0 and 1"):
        table.query(np.full(20, 2), 1)
    with pytest.raises(ValueError, match="radius 15 means visiting"):
        R.SemanticHashTable(_random(10, 40, 0)).query(
            np.zeros(40, dtype=np.uint8), 15
        )
    with pytest.raises(
        ValueError, match="codes must hold at least one code of 1 to 62 bits"
    ):
        R.SemanticHashTable(_random(10, 63, 0))
