"""Figures the chapters share: filter grids, image grids, reconstruction rows,
and the lecture's diagrams, drawn by code from boxes, arrows and text.

Every function returns the matplotlib Figure and closes nothing; the notebook
shows it. Images are rows of a (batch, features) array, flattened row-major.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from ._checks import number
from ._checks import sizes as check_sizes


def _as_numpy(a) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(
            f"images must be 2-D (n_images, n_pixels); got shape {a.shape}"
        )
    return a


def _check_shape(a: np.ndarray, shape: tuple[int, int]) -> None:
    if a.shape[1] != shape[0] * shape[1]:
        raise ValueError(
            f"each row must hold {shape[0]}x{shape[1]} = "
            f"{shape[0] * shape[1]} pixels "
            f"for shape={shape}; got {a.shape[1]}"
        )


def image_grid(
    x,
    shape=(28, 28),
    ncols: int = 10,
    title: str | None = None,
    cmap: str = "gray",
    per_image_scale: bool = False,
    vmin: float = 0.0,
    vmax: float = 1.0,
    size: float = 0.9,
):
    """Show the rows of ``x`` as images in a grid.

    Args:
        x: images, one per row.
        shape: (height, width) of one image.
        ncols: images per row of the grid.
        per_image_scale: scale each image to its own range (for filters)
            instead of [vmin, vmax].

    Shape:
        x: ``(n_images, height * width)``.
    """
    a = _as_numpy(x)
    _check_shape(a, shape)
    n = len(a)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * ncols, size * nrows + (0.4 if title else 0)),
        squeeze=False,
    )
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            img = a[i].reshape(shape)
            if per_image_scale:
                ax.imshow(
                    img,
                    cmap=cmap,
                    vmin=img.min(),
                    vmax=img.max() if img.max() > img.min() else img.min() + 1,
                )
            else:
                ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax)
    if title:
        fig.suptitle(title)
    fig.tight_layout(pad=0.2)
    return fig


def filter_grid(
    W,
    shape=(28, 28),
    n: int = 100,
    ncols: int = 10,
    title: str | None = "Filters (rows of W)",
):
    """Show the first ``n`` rows of a weight matrix as images, each scaled to
    its own range.

    Shape:
        W: ``(n_hidden, height * width)``: row j is the filter of hidden unit j.
    """
    a = _as_numpy(W)[:n]
    return image_grid(
        a, shape, ncols=ncols, title=title, per_image_scale=True, cmap="gray"
    )


def filter_mosaic(W, shape=(8, 8), ncols: int = 8) -> np.ndarray:
    """The rows of ``W`` as one image: tiles in a grid, each filter scaled
    to [0, 1] on its own, separated by white lines of one pixel.

    Shape:
        W: ``(n_filters, height * width)``; output: ``(rows * (height + 1)
        - 1, ncols * (width + 1) - 1)`` with rows = ceil(n_filters / ncols).
    """
    a = _as_numpy(W)
    _check_shape(a, shape)
    number("ncols", ncols, low=1, integer=True)
    lo, hi = a.min(1, keepdims=True), a.max(1, keepdims=True)
    a = (a - lo) / np.where(hi > lo, hi - lo, 1.0)
    (h, w), n = shape, len(a)
    nrows = math.ceil(n / ncols)
    mosaic = np.ones((nrows * (h + 1) - 1, ncols * (w + 1) - 1))
    for k, tile in enumerate(a):
        i, j = divmod(k, ncols)
        mosaic[i * (h + 1) : i * (h + 1) + h, j * (w + 1) : j * (w + 1) + w] = (
            tile.reshape(shape)
        )
    return mosaic


def filter_panels(panels: dict, shape=(8, 8), ncols: int = 8, size=4.0):
    """Filter sets side by side, one mosaic each, titled by their keys.

    Args:
        panels: title -> weight matrix (one filter per row).
        shape: (height, width) of one filter.
        ncols: filters per row of each mosaic.
        size: width of one panel, inches.
    """
    if not panels:
        raise ValueError("panels must hold at least one filter set")
    fig, axes = plt.subplots(
        1, len(panels), figsize=(size * len(panels), size), squeeze=False
    )
    for ax, (title, W) in zip(axes[0], panels.items()):
        ax.imshow(filter_mosaic(W, shape, ncols), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title)
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def reconstruction_rows(
    rows,
    labels,
    shape=(28, 28),
    n: int = 10,
    title: str | None = None,
    size: float = 0.9,
):
    """Rows of images one above the other: the originals, then
    reconstructions by each model.

    Args:
        rows: list of arrays, each ``(n_images, height * width)``.
        labels: one label per row, printed on its left (e.g. "original",
            "PCA: 13.9").
    """
    if len(rows) != len(labels):
        raise ValueError(
            "rows and labels must have the same length; "
            f"got {len(rows)} and {len(labels)}"
        )
    arrays = [_as_numpy(r)[:n] for r in rows]
    for a in arrays:
        _check_shape(a, shape)
    fig, axes = plt.subplots(
        len(arrays),
        n,
        figsize=(size * n + 1.2, size * len(arrays) + (0.4 if title else 0)),
        squeeze=False,
    )
    for r, (a, label) in enumerate(zip(arrays, labels)):
        for i in range(n):
            ax = axes[r, i]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if i < len(a):
                ax.imshow(
                    np.clip(a[i].reshape(shape), 0, 1),
                    cmap="gray",
                    vmin=0,
                    vmax=1,
                )
        axes[r, 0].set_ylabel(
            label, rotation=0, ha="right", va="center", fontsize=9
        )
    if title:
        fig.suptitle(title)
    fig.tight_layout(pad=0.2)
    return fig


# The diagrams: one colour per role, the same in every diagram, so that a
# reader who has learnt "blue is an encoder" in one figure reads the next.
LAYER, CODE, OUTPUT = "#eeeeee", "#d9ead3", "#e6d8f0"
ENCODER, DECODER, ERROR = "#3d85c6", "#e69138", "#cc0000"
ENCODER_FILL, QUERY, BALL = "#cfe2f3", "#6aa84f", "#b6d7a8"


def _canvas(width: float, height: float):
    """A Figure whose one axes, turned off, is measured in inches from the
    bottom left: a diagram is laid out in the units it is printed in."""
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _box(ax, x, y, w, h, text="", fill=LAYER, fontsize=11, **style):
    """A rounded w x h box centred on (x, y), its text in the middle."""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.06",
            fc=fill,
            ec="0.25",
            lw=1.2,
            **style,
        )
    )
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, color="0.25", style="-|>", **line):
    """An arrow from ``start`` to ``end``, both (x, y) in inches."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            color=color,
            mutation_scale=14,
            lw=1.5,
            shrinkA=0,
            shrinkB=0,
            **line,
        )
    )


def stacked_autoencoder_diagram(
    sizes=(784, 500, 500, 2000), n_classes: int = 10
):
    """The stacked autoencoder: greedy pretraining, then fine-tuning.

    Left, one autoencoder per layer, each trained without labels to
    reconstruct the codes of the one below (its input, at the height of that
    code); right, their encoders stacked under a softmax layer and fine-tuned
    on the labels by backpropagation. Chapter 10.

    Args:
        sizes: layer widths, input first: ``len(sizes) - 1`` autoencoders.
        n_classes: the number of classes of the softmax layer.
    """
    sizes = check_sizes(sizes, "an input and one hidden width")
    n_classes = number("n_classes", n_classes, low=2, integer=True)
    L, dy, w, h = len(sizes) - 1, 0.9, 1.35, 0.42
    pitch = w + 0.5
    left_w = max(L * pitch, 5.7)  # room for the title
    x_r = 0.3 + left_w + 1.6  # the stacked network's column
    fig, ax = _canvas(x_r + 1.7, 0.55 + (L + 1) * dy + 1.45)
    levels = [0.55 + k * dy for k in range(L + 2)]
    names = ["x"] + [f"h_{{{l}}}" for l in range(1, L + 1)]
    hats = [r"\hat{x}"] + [rf"\hat{{h}}_{{{l}}}" for l in range(1, L + 1)]
    x0 = 0.3 + (left_w - L * pitch + 0.5) / 2 + w / 2
    for l in range(L):
        x, (y_in, y_code, y_out) = x0 + l * pitch, levels[l : l + 3]
        _box(ax, x, y_in, w, h, f"${names[l]}$ ({sizes[l]})")
        _box(ax, x, y_code, w, h, f"${names[l + 1]}$ ({sizes[l + 1]})", CODE)
        _box(ax, x, y_out, w, h, f"${hats[l]}$ ({sizes[l]})")
        _arrow(ax, (x, y_in + h / 2), (x, y_code - h / 2), ENCODER)
        _arrow(ax, (x, y_code + h / 2), (x, y_out - h / 2), DECODER)
        ax.text(
            x + 0.08,
            (y_in + y_code) / 2,
            f"encoder $W_{{{l + 1}}}$",
            va="center",
            fontsize=10,
            color=ENCODER,
        )
        ax.text(
            x + 0.08,
            (y_code + y_out) / 2,
            "decoder",
            va="center",
            fontsize=10,
            color=DECODER,
        )
        ax.text(
            x,
            y_out + h / 2 + 0.14,
            f"autoencoder {l + 1}",
            ha="center",
            va="bottom",
            fontsize=10,
            style="italic",
        )
        if l + 1 < L:  # this code is the next autoencoder's training data
            _arrow(
                ax,
                (x + w / 2, y_code),
                (x + pitch - w / 2, y_code),
                linestyle="--",
            )
    top = levels[-1] + h / 2 + 0.55
    ax.text(
        0.3 + left_w / 2,
        top,
        "1. Pretrain greedily, without labels:\n"
        "each autoencoder reconstructs the codes of the one below",
        ha="center",
        va="bottom",
        fontsize=11.5,
        weight="bold",
    )
    for l in range(L + 1):
        _box(
            ax,
            x_r,
            levels[l],
            1.6,
            h,
            f"${names[l]}$ ({sizes[l]})",
            CODE if l else LAYER,
        )
        color, label = (
            (ENCODER, f"$W_{{{l + 1}}}$") if l < L else ("0.25", "softmax")
        )
        _arrow(
            ax, (x_r, levels[l] + h / 2), (x_r, levels[l + 1] - h / 2), color
        )
        ax.text(
            x_r + 0.08,
            levels[l] + dy / 2,
            label,
            va="center",
            fontsize=10,
            color=color,
        )
    _box(ax, x_r, levels[-1], 1.6, h, f"$y$: {n_classes} classes", OUTPUT)
    _arrow(ax, (x_r + 1.05, levels[-1]), (x_r + 1.05, levels[0]), ERROR)
    ax.text(
        x_r + 1.2,
        (levels[0] + levels[-1]) / 2,
        "backpropagate the label loss" if L > 1 else "backpropagate",
        rotation=90,
        ha="center",
        va="center",
        fontsize=10,
        color=ERROR,
    )
    ax.text(
        x_r + 0.2,
        top,
        "2. Stack the encoders, add\na softmax layer, fine-tune",
        ha="center",
        va="bottom",
        fontsize=11.5,
        weight="bold",
    )
    return fig


def _bar_height(width: int, widest: int) -> float:
    # The square root keeps a 30-unit code visible beside 1000 units.
    return 0.5 + 1.1 * math.sqrt(width / widest)


def _layer_bar(ax, x, y, width, widest, fill=LAYER, label=True):
    """A layer of ``width`` units as an upright bar, its width below."""
    h = _bar_height(width, widest)
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.16, y - h / 2),
            0.32,
            h,
            boxstyle="round,pad=0,rounding_size=0.05",
            fc=fill,
            ec="0.25",
            lw=1.2,
        )
    )
    if label:
        ax.text(
            x, y - h / 2 - 0.06, str(width), ha="center", va="top", fontsize=10
        )
    return h


def deep_autoencoder_diagram(sizes=(784, 1000, 500, 250, 30)):
    """The three steps of Hinton & Salakhutdinov (2006) for a deep
    autoencoder: pretrain a stack of RBMs, each on the hidden activities of
    the one below; unroll them into an encoder with weights ``W_l`` and a
    decoder with ``W_l^T``; fine-tune the whole network by backpropagating
    the reconstruction error. Bar heights grow with the square root of the
    number of units. Chapter 11.

    Args:
        sizes: layer widths, input first, the code last: one RBM per pair.
    """
    sizes = check_sizes(sizes, "an input and a code width")
    L, widest = len(sizes) - 1, max(sizes)
    pitch = min(0.95, 8.0 / (2 * L))  # the unrolled row fits the page
    width = max(2 * L * pitch, L * 1.8 - 0.85, 7.6) + 1.4  # and titles
    fig, ax = _canvas(width, 6.4)
    # 1. The RBMs, side by side: each one's hidden layer is the next's data.
    y1, x = 4.6, 0.7
    for l in range(L):
        hv = _layer_bar(ax, x, y1, sizes[l], widest)
        hh = _layer_bar(
            ax,
            x + 0.95,
            y1,
            sizes[l + 1],
            widest,
            CODE if l == L - 1 else LAYER,
        )
        for a in np.linspace(-0.3, 0.3, 4) * hv:  # undirected, all to all
            for b in np.linspace(-0.3, 0.3, 4) * hh:
                ax.plot(
                    [x + 0.16, x + 0.79], [y1 + a, y1 + b], color="0.55", lw=0.6
                )
        ax.text(
            x + 0.475,
            y1 + 0.9,
            f"RBM {l + 1}\n$W_{{{l + 1}}}$",
            ha="center",
            va="bottom",
            fontsize=10,
        )
        if l + 1 < L:
            _arrow(ax, (x + 1.13, y1), (x + 1.63, y1), linestyle="--")
        x += 1.8
    ax.text(
        0.3,
        6.25,
        "1. Pretrain a stack of RBMs, each on the hidden "
        "activities of the one below",
        va="top",
        fontsize=11.5,
        weight="bold",
    )
    # 2. Unrolled: the encoder, then the decoder with the transposes.
    y2, x0 = 1.95, 0.7
    row = list(sizes) + list(sizes[-2::-1])
    for i, n in enumerate(row):
        fill = CODE if i == L else (OUTPUT if i == 2 * L else LAYER)
        h = _layer_bar(ax, x0 + i * pitch, y2, n, widest, fill)
        name = {0: "$x$", L: "code", 2 * L: r"$\hat{x}$"}.get(i)
        if name:
            ax.text(
                x0 + i * pitch,
                y2 + h / 2 + 0.08,
                name,
                ha="center",
                va="bottom",
                fontsize=10.5,
            )
    for i in range(2 * L):
        encoding = i < L
        l = i + 1 if encoding else 2 * L - i
        weight = f"$W_{{{l}}}$" if encoding else f"$W_{{{l}}}^{{\\top}}$"
        color = ENCODER if encoding else DECODER
        xa = x0 + i * pitch
        _arrow(ax, (xa + 0.18, y2), (xa + pitch - 0.18, y2), color)
        ax.text(
            xa + pitch / 2,
            y2 + 0.07,
            weight,
            ha="center",
            va="bottom",
            fontsize=10,
            color=color,
        )
    for text, i in (("encoder", L / 2), ("decoder", 1.5 * L)):
        ax.text(
            x0 + i * pitch,
            y2 + 1.0,
            text,
            ha="center",
            fontsize=10.5,
            style="italic",
        )
    ax.text(
        0.3,
        3.45,
        f"2. Unroll: the encoder uses $W_1, \\dots, W_{{{L}}}$"
        ", the decoder their transposes",
        va="top",
        fontsize=11.5,
        weight="bold",
    )
    # 3. Fine-tuning runs the error backwards through every layer.
    right = x0 + 2 * L * pitch
    _arrow(ax, (right, 0.72), (x0, 0.72), ERROR)
    ax.text(
        0.3,
        0.5,
        "3. Fine-tune: backpropagate the error of "
        r"$\hat{x}$ against $x$",
        va="top",
        fontsize=11.5,
        weight="bold",
        color=ERROR,
    )
    ax.text(
        0.3,
        0.22,
        f"through all {2 * L} layers; every weight is "
        "adjusted, so the decoder is no longer tied to the encoder",
        va="top",
        fontsize=10.5,
        color=ERROR,
    )
    return fig


def _gray(i: int) -> int:
    # Gray code order: cells side by side hold addresses one bit apart.
    return i ^ (i >> 1)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "es" if noun[-1] == "s" else "s")


def semantic_hashing_diagram(n_bits: int = 4, radius: int = 1):
    """Semantic hashing: a document's binary code is a memory address.

    The encoder maps a query document to ``n_bits`` bits; that code is read
    as an address in a memory of ``2 ** n_bits`` cells, laid out in Gray
    code order; the documents stored within Hamming distance ``radius`` of
    it are returned, with no search. A few stored documents are drawn as
    small pages. Chapter 13 (which uses 20 bits; the picture draws at most
    6, 64 addresses, to stay readable).

    Args:
        n_bits: bits of the code, 1 to 6.
        radius: Hamming radius of the addresses read, 0 to ``n_bits``.
    """
    n_bits = number("n_bits", n_bits, low=1, high=6, integer=True)
    radius = number("radius", radius, low=0, high=n_bits, integer=True)
    row_bits = n_bits // 2
    n_rows, n_cols = 2**row_bits, 2 ** (n_bits - row_bits)
    s = min(0.85, 3.6 / max(n_rows, n_cols))
    grid_w = max(n_cols * s, 3.7)  # and its title and note
    fig, ax = _canvas(6.1 + grid_w + 0.15, 4.9)
    top, left = 4.15, 6.1 + (grid_w - n_cols * s) / 2
    r_q, c_q = min(1, n_rows - 1), min(1, n_cols - 1)
    query = (_gray(r_q) << (n_bits - row_bits)) | _gray(c_q)
    # Where documents happen to be stored: an illustration, the same each
    # time (a local generator leaves the global seed alone).
    stored = np.random.default_rng(3).choice([0, 0, 1, 2], 2**n_bits)
    stored[query] = max(stored[query], 1)
    returned, font = 0, 10 if s > 0.6 else 8
    for r in range(n_rows):
        for c in range(n_cols):
            address = (_gray(r) << (n_bits - row_bits)) | _gray(c)
            d = bin(address ^ query).count("1")
            x, y = left + c * s, top - (r + 1) * s
            fill = QUERY if d == 0 else (BALL if d <= radius else "white")
            ax.add_patch(Rectangle((x, y), s, s, fc=fill, ec="0.4", lw=0.8))
            ax.text(
                x + s / 2,
                y + 0.68 * s,
                f"{address:0{n_bits}b}",
                ha="center",
                va="center",
                fontsize=font,
                family="monospace",
            )
            for k in range(stored[address]):
                ax.add_patch(
                    Rectangle(
                        (x + s / 2 - 0.13 + 0.15 * k, y + 0.08 * s),
                        0.11,
                        0.15,
                        fc=DECODER if d <= radius else "white",
                        ec="0.25",
                        lw=0.8,
                    )
                )
            returned += stored[address] * (d <= radius)
    n_read = sum(math.comb(n_bits, i) for i in range(radius + 1))
    ax.text(
        left + n_cols * s / 2,
        top + 0.12,
        f"memory: all $2^{{{n_bits}}}$ = {2**n_bits} addresses of "
        f"{_plural(n_bits, 'bit')}",
        ha="center",
        va="bottom",
        fontsize=11.5,
        weight="bold",
    )
    ax.text(
        left + n_cols * s / 2,
        top - n_rows * s - 0.12,
        f"read the {_plural(n_read, 'address')} within Hamming distance "
        f"{radius}:\n{_plural(int(returned), 'document')} returned, "
        "no search",
        ha="center",
        va="top",
        fontsize=10.5,
    )
    # The query's way in: document, encoder, code, address.
    y = top - (r_q + 0.5) * s
    _box(ax, 0.75, y, 1.1, 0.8, "query\ndocument")
    _box(ax, 2.3, y, 1.1, 0.8, "encoder", ENCODER_FILL)
    _arrow(ax, (1.3, y), (1.75, y), ENCODER)
    _arrow(ax, (2.85, y), (3.25, y), ENCODER)
    b = min(0.32, 2.2 / n_bits)
    for i, bit in enumerate(f"{query:0{n_bits}b}"):
        _box(ax, 3.3 + (i + 0.5) * b, y, b, 0.42, bit, CODE, fontsize=11)
    ax.text(
        3.3 + n_bits * b / 2,
        y + 0.32,
        f"binary code, {_plural(n_bits, 'bit')}",
        ha="center",
        va="bottom",
        fontsize=10,
    )
    _arrow(ax, (3.3 + n_bits * b + 0.05, y), (left - 0.05, y))
    ax.text(
        (3.3 + n_bits * b + left) / 2,
        y - 0.12,
        "the memory\naddress",
        ha="center",
        va="top",
        fontsize=10,
    )
    legend = [
        (QUERY, "the query's address"),
        (BALL, f"within Hamming distance {radius}: read"),
        (DECODER, "a stored document, returned"),
        ("white", "a stored document, not returned"),
    ]
    for k, (fill, text) in enumerate(legend):
        yk = 1.55 - 0.33 * k
        ax.add_patch(
            Rectangle(
                (0.3, yk - 0.09),
                0.22 if k < 2 else 0.13,
                0.18,
                fc=fill,
                ec="0.25",
                lw=0.8,
            )
        )
        ax.text(0.65, yk, text, va="center", fontsize=10)
    ax.text(
        0.3,
        1.55 - 0.33 * 4,
        "side by side, addresses differ in one bit",
        va="center",
        fontsize=10,
        style="italic",
    )
    return fig


def siamese_diagram():
    """A siamese network: two copies of one encoder with shared weights ``W``
    map ``x_1`` and ``x_2`` to codes ``z_1`` and ``z_2``; the objective
    makes the codes of a similar pair agree, and its gradient flows back
    through both copies into the one ``W``. Chapter 15.
    """
    fig, ax = _canvas(9.6, 4.0)
    y1, y2 = 3.0, 1.0
    for y, i in ((y1, 1), (y2, 2)):
        _box(ax, 0.85, y, 1.1, 0.7, f"input $x_{i}$")
        _box(ax, 2.95, y, 1.8, 0.9, "encoder $f$\nweights $W$", ENCODER_FILL)
        _box(ax, 5.2, y, 1.6, 0.6, f"$z_{i} = f(x_{i}; W)$", CODE)
        _arrow(ax, (1.4, y), (2.05, y), ENCODER)
        _arrow(ax, (3.85, y), (4.4, y), ENCODER)
        _arrow(ax, (6.0, y), (6.55, 2.0 + (y - 2.0) * 0.45))
    ax.text(
        0.85,
        2.0,
        "a similar pair\n(same digit)",
        ha="center",
        va="center",
        fontsize=10,
        style="italic",
    )
    # One W drawn twice: the dashed link says the copies are the same.
    _arrow(
        ax,
        (2.95, y2 + 0.45),
        (2.95, y1 - 0.45),
        ENCODER,
        style="<|-|>",
        linestyle="--",
    )
    ax.text(
        3.08,
        2.0,
        "the same $W$\n(shared weights)",
        va="center",
        fontsize=10,
        color=ENCODER,
    )
    _box(
        ax,
        7.95,
        2.0,
        2.7,
        1.5,
        "objective: the agreement\nof $z_1$ and "
        "$z_2$, e.g. $-\\|z_1 - z_2\\|^2$,\nmaximised for a similar pair",
        OUTPUT,
        fontsize=10.5,
    )
    ax.text(
        7.95,
        1.05,
        "its gradient flows back through\nboth copies into the one $W$",
        ha="center",
        va="top",
        fontsize=10,
        color=ERROR,
    )
    ax.text(
        0.3,
        3.85,
        "Two copies of one encoder map a pair to codes",
        va="top",
        fontsize=11.5,
        weight="bold",
    )
    return fig
