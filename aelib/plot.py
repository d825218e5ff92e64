"""Figures the chapters share: filter grids, image grids, reconstruction rows.

Every function returns the matplotlib Figure and closes nothing; the notebook
shows it. Images are rows of a (batch, features) array, flattened row-major.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch


def _as_numpy(a) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"images must be 2-D (n_images, n_pixels); got shape {a.shape}")
    return a


def _check_shape(a: np.ndarray, shape: tuple[int, int]) -> None:
    if a.shape[1] != shape[0] * shape[1]:
        raise ValueError(f"each row must hold {shape[0]}x{shape[1]} = {shape[0] * shape[1]} pixels "
                         f"for shape={shape}; got {a.shape[1]}")


def image_grid(x, shape=(28, 28), ncols: int = 10, title: str | None = None, cmap: str = "gray",
               per_image_scale: bool = False, vmin: float = 0.0, vmax: float = 1.0, size: float = 0.9):
    """Show the rows of ``x`` as images in a grid.

    Args:
        x: images, one per row.
        shape: (height, width) of one image.
        ncols: images per row of the grid.
        per_image_scale: scale each image to its own range (for filters) instead of [vmin, vmax].

    Shape:
        x: ``(n_images, height * width)``.
    """
    a = _as_numpy(x)
    _check_shape(a, shape)
    n = len(a)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            img = a[i].reshape(shape)
            if per_image_scale:
                ax.imshow(img, cmap=cmap, vmin=img.min(), vmax=img.max() if img.max() > img.min() else img.min() + 1)
            else:
                ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax)
    if title:
        fig.suptitle(title)
    fig.tight_layout(pad=0.2)
    return fig


def filter_grid(W, shape=(28, 28), n: int = 100, ncols: int = 10, title: str | None = "Filters (rows of W)"):
    """Show the first ``n`` rows of a weight matrix as images, each scaled to its own range.

    Shape:
        W: ``(n_hidden, height * width)``: row j is the filter of hidden unit j.
    """
    a = _as_numpy(W)[:n]
    return image_grid(a, shape, ncols=ncols, title=title, per_image_scale=True, cmap="gray")


def reconstruction_rows(rows, labels, shape=(28, 28), n: int = 10, title: str | None = None, size: float = 0.9):
    """Rows of images one above the other: the originals, then reconstructions by each model.

    Args:
        rows: list of arrays, each ``(n_images, height * width)``.
        labels: one label per row, printed on its left (e.g. "original", "PCA: 13.9").
    """
    if len(rows) != len(labels):
        raise ValueError(f"rows and labels must have the same length; got {len(rows)} and {len(labels)}")
    arrays = [_as_numpy(r)[:n] for r in rows]
    for a in arrays:
        _check_shape(a, shape)
    fig, axes = plt.subplots(len(arrays), n, figsize=(size * n + 1.2, size * len(arrays) + (0.4 if title else 0)),
                             squeeze=False)
    for r, (a, label) in enumerate(zip(arrays, labels)):
        for i in range(n):
            ax = axes[r, i]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if i < len(a):
                ax.imshow(np.clip(a[i].reshape(shape), 0, 1), cmap="gray", vmin=0, vmax=1)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout(pad=0.2)
    return fig
