import matplotlib
import numpy as np
import pytest
import torch

from aelib.plot import filter_mosaic, filter_panels

matplotlib.use("Agg")


def test_mosaic_places_each_filter_scaled_in_its_tile():
    W = torch.arange(2 * 6, dtype=torch.float32).reshape(2, 6)
    W[1] *= -10  # a filter of another scale and sign
    mosaic = filter_mosaic(W, shape=(2, 3), ncols=2)
    assert mosaic.shape == (2, 2 * 4 - 1)
    first, gap, second = mosaic[:, :3], mosaic[:, 3], mosaic[:, 4:]
    np.testing.assert_allclose(first.ravel(), np.linspace(0, 1, 6))
    np.testing.assert_allclose(second.ravel(), np.linspace(1, 0, 6))
    assert (gap == 1).all()


def test_mosaic_of_a_flat_filter_and_an_unfilled_row():
    mosaic = filter_mosaic(torch.ones(3, 4), shape=(2, 2), ncols=2)
    assert mosaic.shape == (2 * 3 - 1, 2 * 3 - 1)
    assert np.isfinite(mosaic).all() and (mosaic[3:, 3:] == 1).all()


def test_panels_draw_one_titled_mosaic_each():
    fig = filter_panels({"a": torch.rand(4, 4), "b": torch.rand(4, 4)}, (2, 2))
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    with pytest.raises(ValueError, match="panels"):
        filter_panels({})
    with pytest.raises(ValueError, match="2x2"):
        filter_mosaic(torch.rand(3, 5), shape=(2, 2))
