"""Property-based tests of aelib's helper modules: random shapes and values thrown at their public API.

The same contract as ``test_properties.py`` (whose helper and settings this file reuses): every
call either succeeds with a result that satisfies the module's claims, or fails with a
ValueError or TypeError whose message names the offending argument. Where it is cheap, a
success is also checked against an independent computation (the SVD, brute force, a loop).

The strategies make each argument valid most of the time and broken some of the time (another
shape or dtype, empty, NaN or infinity, out of range, of the wrong type), so that both the
errors and the results of valid calls are exercised within a small number of examples.

Tensors on different devices: no GPU is needed here; the ``meta`` device stands in for a
second device (the data stays on the CPU, the model or the second argument moves).

The settings are derandomized, but hypothesis also takes literals from the modules loaded
in the session as example values, so the examples can differ with the set of test files run
together: a property must hold for every example, not only for those of one run.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given, register_random, settings
from hypothesis import strategies as st
from test_properties import SETTINGS, clear_or_ok, special, tensors

from aelib import (
    codeunits,
    contractive,
    faces,
    hashing,
    linear,
    psd,
    rbm,
    retrieval,
    similarity,
    sparse,
    stacked,
)
from aelib.deep import DeepAutoencoder, mlp
from aelib.losses import contractive_penalty
from aelib.models import Autoencoder


class _TorchRandom:
    """torch's global generator in the interface of random.Random, for hypothesis to seed.

    The models here start from torch's global generator; seeded per example by hypothesis (and
    restored afterwards), a failing example replays with the same weights and noise.
    """

    def seed(self, seed):
        torch.manual_seed(seed)

    def getstate(self):
        return torch.get_rng_state()

    def setstate(self, state):
        torch.set_rng_state(state)


TORCH_RANDOM = _TorchRandom()  # hypothesis keeps only a weak reference
register_random(TORCH_RANDOM)

# Fewer examples than the core file: this one covers a dozen modules and must stay fast.
FAST = settings(SETTINGS, max_examples=80)
SLOW = settings(
    SETTINGS, max_examples=30
)  # the ones that train a model for an epoch or two


def mostly(good, bad):
    """``good`` about 3 times in 4, so that the calls after a constructor run too, else ``bad``.

    (st.one_of would not do: hypothesis favours its simplest branches, not each branch equally.)
    """
    return st.integers(0, 3).flatmap(lambda i: bad if i == 3 else good)


def sometimes(p: int):
    """True about 1 time in p."""
    return st.integers(0, p - 1).map(lambda i: i == p - 1)


# Hyperparameters: in range, else out of range or of the wrong type.
BAD_INTS = st.sampled_from([-1, 0, 2.0, 1.5, None, "2", True, math.nan])
BAD_REALS = st.sampled_from(
    [-1.0, -1e-9, None, "0.5", True, math.nan, math.inf]
)
ints = mostly(st.integers(1, 6), BAD_INTS)
reals = mostly(st.floats(0, 3, allow_nan=False), BAD_REALS)
positive = mostly(
    st.floats(1e-3, 1, allow_nan=False), st.one_of(BAD_REALS, st.just(0.0))
)
reductions = mostly(
    st.sampled_from(["mean", "sum", "none"]), st.sampled_from(["avg", None])
)
floats = st.sampled_from([torch.float32, torch.float64])
elsewhere = sometimes(8)  # put a tensor on another device
matching = mostly(
    st.just(True), st.just(False)
)  # make a model's width fit its data


@st.composite
def matrices(draw, rows=None, cols=None, dtype=None):
    """Usually a float matrix of the given shape, 1 time in 8 with a special entry (NaN, inf, -1, 2, ...);
    1 time in 6 anything from ``tensors()`` (another shape, an integer or bool dtype, empty)."""
    if draw(sometimes(6)):
        return draw(tensors())
    rows = draw(st.integers(1, 7)) if rows is None else rows
    cols = draw(st.integers(1, 6)) if cols is None else cols
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    t = torch.rand(rows, cols, dtype=torch.float64, generator=g)
    if t.numel() and draw(sometimes(8)):
        t.view(-1)[draw(st.integers(0, t.numel() - 1))] = draw(special)
    return t.to(draw(floats) if dtype is None else dtype)


model_data = mostly(
    matrices(dtype=torch.float32), matrices()
)  # models hold float32 parameters


def is_matrix(x) -> bool:
    return (
        isinstance(x, torch.Tensor)
        and x.dim() == 2
        and x.shape[0] > 0
        and x.shape[1] > 0
    )


def finite(t: torch.Tensor) -> bool:
    return bool(torch.isfinite(t).all())


def meta(m):
    return m.to("meta")


def width(x, fallback, match: bool):
    """x's number of features when ``match`` (so that most models fit their data), else ``fallback``."""
    return x.shape[1] if match and is_matrix(x) else fallback


def other_dtype(t):
    return t.to(torch.float64 if t.dtype == torch.float32 else torch.float32)


# ---------------------------------------------------------------- aelib.linear


@FAST
@given(x=matrices(), k=ints)
def test_optimal_linear_autoencoder(x, k):
    out = clear_or_ok(lambda: linear.optimal_linear_autoencoder(x, k), "x", "k")
    if out is None:
        return
    W, W_star = out
    n, d = x.shape
    assert W.shape == (k, d) and W_star.shape == (d, k) and W.dtype == x.dtype
    # Eckart-Young: the error is the sum of the trailing squared singular values.
    x64 = x.double()
    err = float(((x64 - x64 @ W.double().T @ W_star.double().T) ** 2).sum())
    tail = float((torch.linalg.svdvals(x64)[k:] ** 2).sum())
    scale = float((x64**2).sum()) + 1e-12
    tol = 1e-10 if x.dtype == torch.float64 else 1e-4
    assert abs(err - tail) <= tol * scale
    assert abs(linear.rank_k_error(x, k) - tail) <= 1e-10 * scale


@FAST
@given(x=matrices(), k=ints)
def test_pca(x, k):
    out = clear_or_ok(lambda: linear.pca(x, k), "x", "k")
    if out is None:
        return
    mean, components, variances = out
    assert (
        mean.shape == (x.shape[1],)
        and components.shape == (k, x.shape[1])
        and variances.shape == (k,)
    )
    eye = components.double() @ components.double().T
    assert torch.allclose(eye, torch.eye(k, dtype=torch.float64), atol=1e-4)
    assert bool((variances >= 0).all()) and bool(
        (variances[:-1] >= variances[1:] * (1 - 1e-5)).all()
    )


@FAST
@given(
    A=mostly(matrices(rows=6), matrices()), data=st.data(), same=st.booleans()
)
def test_principal_angles(A, data, same):
    rows = A.shape[0] if is_matrix(A) else 6
    B = data.draw(mostly(matrices(rows=rows), matrices()))
    if same and is_matrix(A) and A.dtype == torch.float64:
        # Another basis of the same subspace: A times a well-conditioned mixing matrix.
        mix = torch.eye(A.shape[1], dtype=A.dtype) + 0.1 * torch.rand(
            A.shape[1],
            A.shape[1],
            dtype=A.dtype,
            generator=torch.Generator().manual_seed(0),
        )
        B = A @ mix
    out = clear_or_ok(lambda: linear.principal_angles(A, B), "A", "B")
    if out is None:
        return
    assert out.shape == (min(A.shape[1], B.shape[1]),)
    assert (
        finite(out)
        and bool((out >= 0).all())
        and bool((out <= math.pi / 2 + 1e-12).all())
    )
    if (
        same and A.dtype == torch.float64
    ):  # a subspace with itself: every angle is zero
        assert float(out.max()) < 1e-5


@FAST
@given(
    n_visible=ints, n_hidden=ints, x=model_data, match=matching, other=elsewhere
)
def test_linear_autoencoder(n_visible, n_hidden, x, match, other):
    n_visible = width(x, n_visible, match)
    model = clear_or_ok(
        lambda: linear.LinearAutoencoder(n_visible, n_hidden),
        "n_visible",
        "n_hidden",
    )
    if model is None:
        return
    model = meta(model) if other else model
    out = clear_or_ok(lambda: model(x), "x")
    if out is not None:
        assert not other and out.shape == x.shape and out.dtype == x.dtype


# ---------------------------------------------------------------- aelib.sparse


@FAST
@given(v=tensors(), t=mostly(reals, tensors(max_dims=2)))
def test_soft_threshold(v, t):
    out = clear_or_ok(lambda: sparse.soft_threshold(v, t), "v", "t")
    if out is None:
        return
    assert out.shape == v.shape
    ok = torch.isfinite(v)
    assert bool((out[ok].abs() <= v[ok].abs()).all())
    assert bool(
        (out[ok] * v[ok] >= 0).all()
    )  # shrinks towards zero, never past it


@st.composite
def lasso_problem(draw):
    """x, D, z (or None) of matching shapes and dtype, each sometimes broken, and lam."""
    n, d, k = (
        draw(st.integers(1, 5)),
        draw(st.integers(1, 5)),
        draw(st.integers(1, 4)),
    )
    dtype = draw(floats)
    x, D = draw(matrices(n, d, dtype)), draw(matrices(d, k, dtype))
    z = draw(mostly(st.none(), matrices(n, k, dtype)))
    if (
        isinstance(D, torch.Tensor)
        and D.is_floating_point()
        and draw(elsewhere)
    ):
        D = draw(st.sampled_from([meta, other_dtype]))(D)
    return x, D, z, draw(mostly(reals, tensors(max_dims=1)))


@FAST
@given(problem=lasso_problem(), reduction=reductions)
def test_lasso_objective(problem, reduction):
    x, D, z, lam = problem
    if z is None:
        z = (
            torch.zeros(x.shape[0], D.shape[1], dtype=x.dtype)
            if is_matrix(x) and is_matrix(D)
            else x
        )
    out = clear_or_ok(
        lambda: sparse.lasso_objective(x, D, z, lam, reduction),
        "x",
        "D",
        "z",
        "lam",
        "reduction",
    )
    if out is not None:
        assert out.shape == ((x.shape[0],) if reduction == "none" else ())
        assert finite(out) and bool((out >= 0).all())


@FAST
@given(
    problem=lasso_problem(),
    n_iter=ints,
    L=mostly(st.none(), positive),
    tol=mostly(st.just(0.0), reals),
    solver=st.sampled_from([sparse.ista, sparse.fista]),
)
def test_ista_fista(problem, n_iter, L, tol, solver):
    x, D, z0, lam = problem
    z = clear_or_ok(
        lambda: solver(x, D, lam, n_iter=n_iter, z0=z0, L=L, tol=tol),
        "x",
        "D",
        "lam",
        "z0",
        "n_iter",
        "L",
        "tol",
    )
    if z is None:
        return
    assert z.shape == (x.shape[0], D.shape[1]) and finite(z)
    if (
        solver is sparse.ista and L is None
    ):  # with the step 1/lipschitz(D), ISTA never goes uphill
        start = torch.zeros_like(z) if z0 is None else z0
        before, after = (
            sparse.lasso_objective(x, D, start, lam),
            sparse.lasso_objective(x, D, z, lam),
        )
        assert bool((after <= before + 1e-4 * (1 + before.abs())).all())


@FAST
@given(D=matrices())
def test_lipschitz(D):
    L = clear_or_ok(lambda: sparse.lipschitz(D), "D")
    if L is not None:  # the largest squared singular value
        assert math.isclose(
            L,
            float(torch.linalg.svdvals(D.double())[0]) ** 2,
            rel_tol=1e-5,
            abs_tol=1e-12,
        )


# ---------------------------------------------------------------- aelib.psd


@FAST
@given(
    n_visible=ints,
    n_code=ints,
    lam=reals,
    alpha=reals,
    encoder=mostly(st.sampled_from(["tanh", "sigmoid"]), st.just("relu")),
    x=model_data,
    data=st.data(),
    n_iter=ints,
    match=matching,
    other=elsewhere,
)
def test_psd(
    n_visible, n_code, lam, alpha, encoder, x, data, n_iter, match, other
):
    n_visible = width(x, n_visible, match)
    model = clear_or_ok(
        lambda: psd.PSD(n_visible, n_code, lam, alpha, encoder),
        "n_visible",
        "n_code",
        "lam",
        "alpha",
        "encoder",
    )
    if model is None:
        return
    model = meta(model) if other else model
    n_iter = (
        min(n_iter, 20) if isinstance(n_iter, int) else n_iter
    )  # a few FISTA steps suffice here
    for call in (model.encode, model, lambda x: model.infer(x, n_iter=n_iter)):
        out = clear_or_ok(lambda: call(x), "x", "n_iter")
        if out is not None:
            assert not other and out.shape[0] == x.shape[0] and finite(out)
    rows = x.shape[0] if is_matrix(x) else 3
    z = data.draw(matrices(rows, n_code, torch.float32))
    z_pred = data.draw(mostly(st.just(z), matrices()))
    e = clear_or_ok(lambda: model.energy(x, z, z_pred), "x", "z", "z_pred", "D")
    if e is not None:
        assert e.shape == (x.shape[0],) and bool((e >= 0).all())


@SLOW
@given(
    x=matrices(cols=3, dtype=torch.float32),
    epochs=mostly(st.integers(1, 2), BAD_INTS),
    batch_size=ints,
    lr=positive,
    n_iter=ints,
)
def test_train_psd(x, epochs, batch_size, lr, n_iter):
    model = psd.PSD(3, 2)
    h = clear_or_ok(
        lambda: psd.train_psd(
            model, x, epochs, batch_size, lr, n_iter, device="cpu"
        ),
        "x",
        "epochs",
        "batch_size",
        "lr",
        "n_iter",
    )
    if h is not None:
        assert len(h.loss) == epochs and all(math.isfinite(e) for e in h.loss)


# ---------------------------------------------------------------- aelib.rbm


@FAST
@given(
    n_visible=st.integers(1, 5),
    n_hidden=st.integers(1, 4),
    x=model_data,
    k=ints,
    reduction=reductions,
    match=matching,
    other=elsewhere,
)
def test_rbm_methods(n_visible, n_hidden, x, k, reduction, match, other):
    n_visible = width(x, n_visible, match)
    model = rbm.RBM(n_visible, n_hidden, init_std=1.0)
    model = meta(model) if other else model
    for call in (model.encode, model, model.free_energy):
        out = clear_or_ok(lambda: call(x), "x")
        if out is not None:
            assert not other and out.shape[0] == x.shape[0]
    h = clear_or_ok(lambda: model.gibbs_chain(x, k), "x", "k")
    if h is not None:
        assert h.shape == x.shape and bool(((h == 0) | (h == 1)).all())
    pl = clear_or_ok(
        lambda: model.pseudo_likelihood(x, reduction), "x", "reduction"
    )
    if pl is not None:  # a sum of log-probabilities
        assert finite(pl) and bool((pl <= 0).all())


@SLOW
@given(
    n_hidden=ints,
    init_std=reals,
    x=matrices(cols=3, dtype=torch.float32),
    epochs=mostly(st.integers(1, 2), BAD_INTS),
    batch_size=ints,
    lr=positive,
    k=ints,
    persistent=st.booleans(),
)
def test_train_rbm(
    n_hidden, init_std, x, epochs, batch_size, lr, k, persistent
):
    model = clear_or_ok(
        lambda: rbm.RBM(3, n_hidden, init_std), "n_hidden", "init_std"
    )
    if model is None:
        return
    h = clear_or_ok(
        lambda: rbm.train_rbm(
            model, x, epochs, batch_size, lr, k, persistent, device="cpu"
        ),
        "x",
        "epochs",
        "batch_size",
        "lr",
        "k",
    )
    if h is not None:
        assert len(h.loss) == epochs and all(math.isfinite(e) for e in h.loss)


# ---------------------------------------------------------------- aelib.hashing


def query_data(x, x2, kind):
    """What to encode after fitting x: x itself, x in the other float dtype, or unrelated x2."""
    if kind == "random" or not (
        isinstance(x, torch.Tensor) and x.is_floating_point()
    ):
        return x2
    return x if kind == "same" else other_dtype(x)


queries = st.sampled_from(["same", "dtype", "random"])


@FAST
@given(
    n_bits=ints,
    seed=mostly(ints, st.just(2**70)),
    x=matrices(),
    x2=matrices(),
    kind=queries,
)
def test_random_projection_lsh(n_bits, seed, x, x2, kind):
    x2 = query_data(x, x2, kind)
    lsh = clear_or_ok(
        lambda: hashing.RandomProjectionLSH(n_bits, seed), "n_bits", "seed"
    )
    if lsh is None or clear_or_ok(lambda: lsh.fit(x), "x") is None:
        return
    codes = clear_or_ok(lambda: lsh.encode(x2), "x")
    if codes is not None:
        assert codes.dtype == torch.bool and codes.shape == (
            x2.shape[0],
            n_bits,
        )
        if (
            kind != "random"
        ):  # the dtype of the data does not change the codes (but for projections near 0)
            proj = (x.double() - lsh.mean.double()) @ lsh.W.double()
            clear = proj.abs() > 1e-4 * (1 + proj.abs().max())
            assert torch.equal(codes[clear], lsh.encode(x)[clear])


@FAST
@given(
    n_bits=ints,
    n_iter=ints,
    seed=ints,
    x=matrices(),
    x2=matrices(),
    kind=queries,
)
def test_pca_itq(n_bits, n_iter, seed, x, x2, kind):
    x2 = query_data(x, x2, kind)
    itq = clear_or_ok(
        lambda: hashing.PCAITQ(n_bits, n_iter, seed), "n_bits", "n_iter", "seed"
    )
    if itq is None or clear_or_ok(lambda: itq.fit(x), "x", "n_bits") is None:
        return
    loss = itq.loss_history
    assert all(
        b <= a * (1 + 1e-4) + 1e-6 for a, b in zip(loss, loss[1:])
    )  # each ITQ step lowers the loss
    codes = clear_or_ok(lambda: itq.encode(x2), "x")
    if codes is not None:
        assert codes.dtype == torch.bool and codes.shape == (
            x2.shape[0],
            n_bits,
        )


@FAST
@given(
    z=matrices(),
    mode=mostly(
        st.sampled_from(["noise", "straight_through"]), st.just("sign")
    ),
    sigma=reals,
    training=st.booleans(),
)
def test_binary_code(z, mode, sigma, training):
    layer = clear_or_ok(
        lambda: hashing.BinaryCode(mode, sigma), "mode", "sigma"
    )
    if layer is None:
        return
    layer.train(training)
    out = clear_or_ok(lambda: layer(z), "z")
    if out is not None:
        assert out.shape == z.shape
        if not training:
            assert bool(((out == 0) | (out == 1)).all())


sizes_lists = mostly(
    st.lists(st.integers(1, 5), min_size=2, max_size=4),
    st.lists(ints, max_size=4),
)


@FAST
@given(sizes=sizes_lists, x=model_data, match=matching, other=elsewhere)
def test_hashing_autoencoder(sizes, x, match, other):
    sizes = [width(x, sizes[0], match)] + sizes[1:] if sizes else sizes
    model = clear_or_ok(lambda: hashing.HashingAutoencoder(sizes), "sizes")
    if model is None:
        return
    model = meta(model) if other else model
    # codes() moves x to the model's device on purpose, so only the forward pass meets a device mismatch.
    for call in (model,) if other else (model, model.codes):
        out = clear_or_ok(lambda: call(x), "x")
        if out is not None:
            assert not other and out.shape[0] == x.shape[0]


# ---------------------------------------------------------------- aelib.retrieval


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


# ---------------------------------------------------------------- aelib.similarity


def labels(n_rows):
    """Mostly one integer label per row, else anything."""
    return mostly(
        st.integers(1, 3).map(lambda c: torch.arange(n_rows) % c),
        tensors(max_dims=2),
    )


@FAST
@given(
    z=matrices(),
    data=st.data(),
    objective=mostly(st.sampled_from(["error", "log"]), st.just("hinge")),
    reduction=reductions,
    other=elsewhere,
)
def test_nca_loss(z, data, objective, reduction, other):
    y = data.draw(labels(len(z) if is_matrix(z) else 2))
    y = meta(y) if other else y
    out = clear_or_ok(
        lambda: similarity.nca_loss(z, y, objective, reduction),
        "z",
        "y",
        "objective",
        "reduction",
    )
    if out is None:
        return
    assert not other and out.shape == ((len(z),) if reduction == "none" else ())
    if finite(z):
        assert finite(out) and bool((out >= -1e-6).all())
        if objective == "error" and reduction == "none":
            assert bool((out <= 1 + 1e-6).all())


@FAST
@given(
    z_train=matrices(),
    data=st.data(),
    k=ints,
    chunk=mostly(st.integers(1, 3), BAD_INTS),
)
def test_knn_error(z_train, data, k, chunk):
    n, dim, dtype = (
        (*z_train.shape, z_train.dtype)
        if is_matrix(z_train)
        else (3, 2, torch.float32)
    )
    z_test = data.draw(mostly(matrices(cols=dim, dtype=dtype), matrices()))
    y_train = data.draw(labels(n))
    y_test = data.draw(labels(len(z_test) if is_matrix(z_test) else 2))
    names = ("z_train", "y_train", "z_test", "y_test", "k", "chunk")
    err = clear_or_ok(
        lambda: similarity.knn_error(
            z_train, y_train, z_test, y_test, k, chunk
        ),
        *names,
    )
    if err is not None:
        assert 0 <= err <= 1
        # Each training point is its own nearest neighbour (when the points are distinct).
        if len(torch.unique(z_train, dim=0)) == len(z_train):
            assert (
                similarity.knn_error(z_train, y_train, z_train, y_train, 1) == 0
            )


# ---------------------------------------------------------------- aelib.codeunits

MODEL = DeepAutoencoder((4, 3, 2)).eval()
steps_1d = mostly(
    st.lists(st.floats(-3, 3), min_size=1, max_size=3).map(torch.tensor),
    st.one_of(tensors(max_dims=2), st.just([0.0, 1.0])),
)


@FAST
@given(
    z=mostly(matrices(cols=2, dtype=torch.float32), matrices()),
    unit=mostly(st.integers(0, 1), ints),
    steps=steps_1d,
)
def test_move_unit(z, unit, steps):
    out = clear_or_ok(
        lambda: codeunits.move_unit(MODEL, z, unit, steps), "z", "unit", "steps"
    )
    if out is None:
        return
    assert out.shape == (len(steps), len(z), 4)
    for i, t in enumerate(steps):
        moved = z.clone()
        moved[:, unit] += float(t)  # steps may be a list (an array-like)
        torch.testing.assert_close(out[i], MODEL.decode(moved))


@FAST
@given(
    z=mostly(matrices(cols=2, dtype=torch.float32), matrices()),
    n_steps=st.integers(1, 3),
    steps=mostly(st.none(), tensors(max_dims=2)),
    n_classes=ints,
    n_out=mostly(st.none(), st.integers(1, 4)),
)
def test_unit_effects(z, n_steps, steps, n_classes, n_out):
    """None stands for a valid argument: steps of shape (2, n_steps), a classifier with n_classes outputs."""
    steps = (
        torch.linspace(-2, 2, 2 * n_steps).reshape(2, n_steps)
        if steps is None
        else steps
    )
    valid = (
        isinstance(n_classes, int)
        and not isinstance(n_classes, bool)
        and n_classes >= 1
    )
    width = n_classes if n_out is None and valid else n_out or 3
    classifier = torch.nn.Linear(4, width)
    out = clear_or_ok(
        lambda: codeunits.unit_effects(MODEL, classifier, z, steps, n_classes),
        "z",
        "steps_per_unit",
        "n_classes",
    )
    if out is not None:
        torch.testing.assert_close(out["share"].sum(2), torch.ones(steps.shape))
        assert bool(((out["kept"] >= 0) & (out["kept"] <= 1)).all())


# ---------------------------------------------------------------- aelib.stacked


@FAST
@given(
    n_visible=st.integers(1, 5),
    n_hidden=st.integers(1, 4),
    x=model_data,
    batch_size=mostly(st.integers(1, 3), st.one_of(BAD_INTS, st.just(4096))),
    match=matching,
    other=elsewhere,
)
def test_encode_all(n_visible, n_hidden, x, batch_size, match, other):
    n_visible = width(x, n_visible, match)
    ae = Autoencoder(n_visible, n_hidden)
    ae = meta(ae) if other else ae
    h = clear_or_ok(
        lambda: stacked.encode_all(ae, x, batch_size),
        "x",
        "batch_size",
        "autoencoder",
    )
    if (
        h is not None and other
    ):  # encode_all moves x to the model's device on purpose
        assert h.device.type == "meta"
    elif h is not None:
        torch.testing.assert_close(h, ae.encode(x), equal_nan=True)


@FAST
@given(
    widths=mostly(
        st.lists(
            st.tuples(st.integers(1, 4), st.integers(1, 4)),
            min_size=1,
            max_size=3,
        ),
        st.just([]),
    ),
    n_classes=mostly(st.integers(2, 4), BAD_INTS),
    chain=mostly(st.just(True), st.just(False)),
    y=mostly(st.none(), tensors(max_dims=2)),
    batch_size=ints,
)
def test_stack_classifier(widths, n_classes, chain, y, batch_size):
    if chain and widths:
        widths = [widths[0]] + [
            (widths[i - 1][1], w[1]) for i, w in enumerate(widths[1:], 1)
        ]
    aes = [Autoencoder(a, b) for a, b in widths]
    net = clear_or_ok(
        lambda: stacked.stack_classifier(aes, n_classes),
        "autoencoders",
        "n_classes",
    )
    if net is None:
        return
    torch.testing.assert_close(net[0].weight, aes[0].W)
    x = torch.rand(5, widths[0][0], generator=torch.Generator().manual_seed(0))
    logits = net(x)
    assert logits.shape == (5, n_classes) and bool(
        (logits == 0).all()
    )  # every class equally likely
    y = torch.arange(5) % n_classes if y is None else y
    err = clear_or_ok(
        lambda: stacked.error_rate(net, x, y, batch_size),
        "x",
        "y",
        "batch_size",
    )
    if err is not None:
        assert 0 <= err <= 1


@SLOW
@given(
    x=matrices(cols=3, dtype=torch.float32),
    sizes=mostly(
        st.lists(st.integers(1, 3), min_size=1, max_size=2),
        st.lists(ints, max_size=3),
    ),
    epochs=mostly(st.just(1), BAD_INTS),
    nu=mostly(st.floats(0, 1), BAD_REALS),
    batch_size=ints,
    lr=positive,
)
def test_pretrain_greedy(x, sizes, epochs, nu, batch_size, lr):
    sizes = (
        [3] + sizes
        if sizes
        and isinstance(sizes[0], int)
        and not isinstance(sizes[0], bool)
        else sizes
    )
    out = clear_or_ok(
        lambda: stacked.pretrain_greedy(
            x, sizes, epochs, nu, batch_size, lr, device="cpu"
        ),
        "x",
        "sizes",
        "epochs",
        "nu",
        "batch_size",
        "lr",
    )
    if out is not None:
        autoencoders, histories = out
        assert [(ae.n_visible, ae.n_hidden) for ae in autoencoders] == list(
            zip(sizes[:-1], sizes[1:])
        )
        assert len(histories) == len(sizes) - 1


# ---------------------------------------------------------------- aelib.deep


@FAST
@given(
    sizes=sizes_lists,
    activation=mostly(
        st.sampled_from(["relu", "tanh", "sigmoid"]), st.just("elu")
    ),
    output=mostly(st.sampled_from(["sigmoid", "linear"]), st.just("softmax")),
    x=model_data,
    match=matching,
    other=elsewhere,
)
def test_deep_autoencoder(sizes, activation, output, x, match, other):
    sizes = [width(x, sizes[0], match)] + sizes[1:] if sizes else sizes
    net = clear_or_ok(
        lambda: mlp(sizes, activation, activation), "sizes", "activation"
    )
    if net is not None:
        assert (
            sum(isinstance(m, torch.nn.Linear) for m in net) == len(sizes) - 1
        )
    model = clear_or_ok(
        lambda: DeepAutoencoder(sizes, activation, output),
        "sizes",
        "activation",
        "output",
    )
    if model is None:
        return
    model = meta(model) if other else model
    out = clear_or_ok(lambda: model(x), "x")
    if out is not None:
        assert not other and out.shape == x.shape
        if output == "sigmoid" and finite(x):
            assert bool(((out >= 0) & (out <= 1)).all())


# ---------------------------------------------------------------- aelib.faces


@FAST
@given(
    n=st.integers(1, 3),
    x=mostly(st.none(), tensors()),
    angle=mostly(st.none(), st.one_of(tensors(max_dims=2), reals)),
    scale=mostly(st.none(), tensors(max_dims=2)),
    shift=mostly(st.none(), tensors(max_dims=2)),
    identity=st.booleans(),
)
def test_transform_faces(n, x, angle, scale, shift, identity):
    """None stands for a valid argument: n random faces, random angles, zooms and shifts."""
    g = torch.Generator().manual_seed(n)
    images = x is None
    x = torch.rand(n, 625, generator=g) if images else x
    if identity:
        angle, scale, shift = torch.zeros(n), torch.ones(n), torch.zeros(n, 2)
    angle = torch.rand(n, generator=g) * 40 - 20 if angle is None else angle
    scale = 0.9 + 0.2 * torch.rand(n, generator=g) if scale is None else scale
    shift = torch.rand(n, 2, generator=g) * 4 - 2 if shift is None else shift
    out = clear_or_ok(
        lambda: faces.transform_faces(x, angle, scale, shift),
        "x",
        "angle",
        "scale",
        "shift",
    )
    if out is not None:
        assert out.shape == x.shape and bool(((out >= 0) & (out <= 1)).all())
        if identity and images:  # the identity transform keeps the image
            torch.testing.assert_close(out, x, atol=1e-5, rtol=0)


# ---------------------------------------------------------------- aelib.contractive


@FAST
@given(h=matrices(), data=st.data(), lam=reals, other=elsewhere)
def test_jacobian(h, data, lam, other):
    rows, dtype = (h.shape[1], h.dtype) if is_matrix(h) else (2, torch.float32)
    W = data.draw(mostly(matrices(rows=rows, dtype=dtype), matrices()))
    W = meta(W) if other and isinstance(W, torch.Tensor) else W
    J = clear_or_ok(lambda: contractive.jacobian(h, W), "h", "W")
    if J is not None:
        assert not other and J.shape == (h.shape[0], *W.shape)
        if finite(
            J
        ):  # the closed-form penalty is the squared Frobenius norm of this Jacobian
            torch.testing.assert_close(
                (J**2).sum((1, 2)), contractive_penalty(h, W)
            )
    clear_or_ok(lambda: contractive.penalty(lam), "lam")
