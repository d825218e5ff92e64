"""random_shift moves whole images by whole pixels, and only some of them."""

import pytest
import torch

from aelib.augment import random_shift


def dots(n, row=14, col=14):
    x = torch.zeros(n, 784)
    x[:, row * 28 + col] = 1.0
    return x


def test_every_shift_is_at_most_max_shift_and_keeps_the_ink():
    torch.manual_seed(0)
    y = random_shift(dots(500), max_shift=2, p=1.0)
    rows, cols = y.argmax(1) // 28, y.argmax(1) % 28
    assert y.sum(1).eq(1).all()
    assert ((rows - 14).abs() <= 2).all() and ((cols - 14).abs() <= 2).all()
    # All 25 offsets occur, each about 1/25 of the time.
    offsets = set(zip(rows.tolist(), cols.tolist()))
    assert len(offsets) == 25


def test_p_is_the_share_of_moved_images():
    torch.manual_seed(1)
    x = dots(4000)
    moved = (random_shift(x, 1, p=0.5) != x).any(1).float().mean().item()
    # A moved image keeps its place with probability 1/9.
    assert moved == pytest.approx(0.5 * 8 / 9, abs=0.03)
    assert torch.equal(random_shift(x, 1, p=0.0), x)


def test_pixels_shifted_in_are_background():
    x = torch.ones(300, 784)
    y = random_shift(x, 1, p=1.0)
    moved = (y.view(-1, 28, 28) == 0).any(2).any(1)
    assert moved.float().mean() > 0.8  # most moved images gain a zero border


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_shift"):
        random_shift(dots(2), max_shift=28)
    with pytest.raises(ValueError, match="p must lie"):
        random_shift(dots(2), p=1.5)
    with pytest.raises(ValueError, match="784 features"):
        random_shift(torch.zeros(2, 100))
