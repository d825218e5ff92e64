"""Property tests of ``aelib.faces``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    FAST,
    clear_or_ok,
    mostly,
    reals,
    tensors,
)

from aelib import (
    faces,
)


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
