"""A 25x25 face set made as Hinton & Salakhutdinov (2006) made theirs
(chapter 11).

They had no large face set either: they rotated, scaled and shifted the 400
Olivetti faces into 165,600 images of 25x25 pixels. No Olivetti set ships
offline, so the same is done here to the 100 face images of scikit-image's
``lfw_subset`` (each a different photograph). Whole source photographs are
held out for the test set: a test face is never a transformed copy of a
training face.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._checks import as_matrix, as_tensor, count, number, unit_interval
from .data import load_lfw_faces

SIDE = 25


def transform_faces(
    x: torch.Tensor,
    angle: torch.Tensor,
    scale: torch.Tensor,
    shift: torch.Tensor,
) -> torch.Tensor:
    """Rotate, scale and shift 25x25 images (bilinear, borders reflected).

    Args:
        x: images in [0, 1], flattened row-major.
        angle: rotation in degrees, one per image.
        scale: zoom factor, one per image (> 1 enlarges the face).
        shift: translation in pixels (columns, rows), one pair per image.

    Shape:
        x: ``(n, 625)``; angle, scale: ``(n,)``; shift: ``(n, 2)``;
        output: ``(n, 625)``.
    """
    x, angle, scale, shift = _transform_args(x, angle, scale, shift)
    n = len(x)
    a = angle * math.pi / 180.0
    cos, sin = torch.cos(a) / scale, torch.sin(a) / scale
    # affine_grid maps output coordinates in [-1, 1] to input coordinates:
    # the inverse transform.
    theta = torch.stack(
        [
            torch.stack([cos, -sin, -shift[:, 0] * 2 / SIDE], 1),
            torch.stack([sin, cos, -shift[:, 1] * 2 / SIDE], 1),
        ],
        1,
    )
    img = x.reshape(n, 1, SIDE, SIDE)
    grid = F.affine_grid(theta, list(img.shape), align_corners=False)
    out = F.grid_sample(
        img,
        grid,
        mode="bilinear",
        padding_mode="reflection",
        align_corners=False,
    )
    return out.reshape(n, SIDE * SIDE).clamp_(0.0, 1.0)


def random_pose(
    x,
    max_angle: float = 20.0,
    scale_range: tuple[float, float] = (0.9, 1.15),
    max_shift: float = 2.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Each face in a new random pose: turned, zoomed and shifted.

    Training on new poses of the photographs at every pass (``fit``'s
    ``augment``) shows the network faces it has not seen, as Hinton &
    Salakhutdinov's 165,600 transformed Olivetti faces did.

    Args:
        x: faces in [0, 1], flattened row-major (25x25).
        max_angle: rotations are uniform in [-max_angle, max_angle] degrees.
        scale_range: zoom factors are uniform in this range.
        max_shift: shifts are uniform in [-max_shift, max_shift] pixels in
            each direction.
        generator: draws the poses (default torch's global generator).

    Shape:
        x: ``(n, 625)``; output: the same.
    """
    lo, hi = _pose_args(max_angle, scale_range, max_shift)
    x = as_matrix("x", x, SIDE * SIDE)
    m = len(x)

    def uniform(*shape):
        u = torch.rand(*shape, generator=generator)
        return u.to(device=x.device, dtype=x.dtype)

    angle = (uniform(m) * 2 - 1) * max_angle
    scale = lo + uniform(m) * (hi - lo)
    shift = (uniform(m, 2) * 2 - 1) * max_shift
    return transform_faces(x, angle, scale, shift)


def _pose_args(max_angle, scale_range, max_shift) -> tuple[float, float]:
    number("max_angle", max_angle, low=0.0, high=180.0)
    number("max_shift", max_shift, low=0.0, high=12.0)
    lo, hi = scale_range
    number("scale_range[0]", lo, low=0.0, low_open=True)
    number("scale_range[1]", hi, low=lo)
    return lo, hi


def _transform_args(x, angle, scale, shift):
    # The output is clipped to [0, 1]; an input outside it would be changed
    # without a word.
    x = unit_interval("x", as_matrix("x", x, SIDE * SIDE))
    n = len(x)
    angle = _per_image("angle", angle, x, (n,))
    scale = _per_image("scale", scale, x, (n,))
    shift = _per_image("shift", shift, x, (n, 2))
    if bool((scale <= 0).any()):
        raise ValueError(
            "scale must be > 0 (a zoom factor); got a minimum "
            f"of {scale.min().item():.3g}"
        )
    return x, angle, scale, shift


def _per_image(name: str, t, x: torch.Tensor, shape: tuple) -> torch.Tensor:
    layout = f"{shape} (one per image)"
    t = as_tensor(name, t, len(shape), layout, like=x)
    if tuple(t.shape) != shape:
        raise ValueError(
            f"{name} must have shape {layout}; got {tuple(t.shape)}"
        )
    if t.dtype != x.dtype or t.device != x.device:
        raise TypeError(
            f"{name} must have the dtype and device of x "
            f"({x.dtype} on {x.device}); got {t.dtype} on "
            f"{t.device} (convert with .to(x))"
        )
    return t


def face_sources(
    n_test_sources: int = 20,
    n_val_sources: int = 10,
    n_train_sources: int | None = None,
    seed: int = 0,
) -> dict[str, torch.Tensor]:
    """Which of the 100 photographs are for training, validation and test.

    The test photographs are drawn first and the validation photographs
    next, so that neither changes with ``n_train_sources``.

    Args:
        n_test_sources: photographs held out, whole, for the test set.
        n_val_sources: photographs held out, whole, to choose the schedule.
        n_train_sources: photographs to train on; default all the others.
        seed: the same seed gives the same split.

    Returns:
        ``{"train", "val", "test"}``: sorted indices (0-99) of photographs.
    """
    number("n_test_sources", n_test_sources, low=1, high=98, integer=True)
    number(
        "n_val_sources",
        n_val_sources,
        low=0,
        high=99 - n_test_sources,
        integer=True,
    )
    left = 100 - n_test_sources - n_val_sources
    if n_train_sources is None:
        n_train_sources = left
    number("n_train_sources", n_train_sources, low=1, high=left, integer=True)
    number("seed", seed, low=0, integer=True)
    order = torch.randperm(100, generator=torch.Generator().manual_seed(seed))
    cut = n_test_sources + n_val_sources
    return {
        "train": order[cut : cut + n_train_sources].sort().values,
        "val": order[n_test_sources:cut].sort().values,
        "test": order[:n_test_sources].sort().values,
    }


def load_face_set(
    n_variants: int = 250,
    n_test_sources: int = 20,
    n_val_sources: int = 10,
    n_train_sources: int | None = None,
    max_angle: float = 20.0,
    scale_range: tuple[float, float] = (0.9, 1.15),
    max_shift: float = 2.0,
    seed: int = 0,
) -> dict[str, torch.Tensor]:
    """Training, validation and test faces, each a random pose (rotation,
    zoom and shift) of one source photograph.

    Whole photographs are held out: the validation and test faces belong to
    people that no training face shows (``face_sources``).

    Args:
        n_variants: transformed copies made of every source face.
        n_test_sources, n_val_sources, n_train_sources: see
            ``face_sources``.
        max_angle, scale_range, max_shift: the poses (``random_pose``).
        seed: the same seed gives the same set.

    Returns:
        ``{"x_train", "x_val", "x_test", "source_train", "source_val",
        "source_test"}``: float32 images in [0, 1] and the index (0-99) of
        the source photograph of each image.

    Shape:
        x_train: ``(n_train_sources * n_variants, 625)``; x_val and x_test
        likewise.
    """
    count(n_variants=n_variants)
    _pose_args(max_angle, scale_range, max_shift)
    sources = face_sources(n_test_sources, n_val_sources, n_train_sources, seed)
    images, is_face = load_lfw_faces()
    faces = images[is_face]
    g = torch.Generator().manual_seed(seed)
    out = {}
    for part in ("train", "val", "test"):
        src = sources[part].repeat_interleave(n_variants)
        out[f"x_{part}"] = random_pose(
            faces[src], max_angle, scale_range, max_shift, generator=g
        )
        out[f"source_{part}"] = src
    return out
