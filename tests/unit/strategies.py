"""Strategies and helpers of the property tests, shared by the
``test_properties_<module>.py`` files (one per aelib module).

Every call either succeeds with a result that satisfies the module's
claims (a finite result of the documented shape), or fails with a
ValueError or TypeError whose message names the offending argument;
never an obscure error from deep inside torch, never a silent wrong
result.

Where it is cheap, a success is also checked against an independent
computation (the SVD, brute force, a loop).

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
import re

import torch
from hypothesis import HealthCheck, register_random, settings
from hypothesis import strategies as st

# derandomize: CI must not depend on luck; the examples are still varied and shrunk.
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

special = st.sampled_from(
    [0.0, 1.0, 0.5, -1.0, 2.0, math.nan, math.inf, -math.inf]
)


@st.composite
def tensors(draw, max_dims=3):
    ndim = draw(st.integers(0, max_dims))
    shape = tuple(draw(st.integers(0, 6)) for _ in range(ndim))
    dtype = draw(
        st.sampled_from([torch.float32, torch.float64, torch.int64, torch.bool])
    )
    # Values from a seed that hypothesis draws: a failing example replays (and shrinks) exactly.
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    t = torch.rand(shape, dtype=torch.float64, generator=g)
    if t.numel() and draw(st.booleans()):
        t.view(-1)[draw(st.integers(0, t.numel() - 1))] = draw(special)
    if dtype == torch.bool:
        return t > 0.5
    return (
        t.to(dtype)
        if dtype.is_floating_point
        else (t * 3).nan_to_num(0, 0, 0).to(dtype)
    )


def clear_or_ok(fn, *names):
    """Run fn; accept success, or a ValueError/TypeError that names one of ``names``.

    A name counts as a whole word ("x" is not found in "x_hat" nor in "expected"), so that a
    raw torch message cannot pass by chance.
    """
    try:
        return fn()
    except (ValueError, TypeError) as err:
        msg = str(err)
        assert any(
            re.search(rf"(?<![\w]){re.escape(n)}(?!\w)", msg) for n in names
        ), f"error does not name {names}: {msg}"
        return None


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

# Fewer examples for the helper modules' tests (a dozen modules, kept fast)
# than the core modules' (models, losses, noise: SETTINGS).
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


# Layer widths of a network, input first (aelib.deep, aelib.hashing).
sizes_lists = mostly(
    st.lists(st.integers(1, 5), min_size=2, max_size=4),
    st.lists(ints, max_size=4),
)
