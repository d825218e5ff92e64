"""Property tests of ``aelib.codeunits``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    FAST,
    clear_or_ok,
    ints,
    matrices,
    mostly,
    tensors,
)

from aelib import (
    codeunits,
)
from aelib.deep import DeepAutoencoder

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
