"""Property tests of ``aelib.contractive``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    FAST,
    clear_or_ok,
    elsewhere,
    finite,
    is_matrix,
    matrices,
    meta,
    mostly,
    reals,
)

from aelib import (
    contractive,
)
from aelib.losses import contractive_penalty


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
