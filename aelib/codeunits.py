"""Moving along one unit of a deep autoencoder's code (chapter 16).

The lecture: "as we change unit 25 in the code layer, a 3 turns into a 5;
unit 42 makes a thick 3 skinny". Here such units are found by measurement
rather than by eye: decode z + t sigma_j e_j for every code unit j and
several steps t (sigma_j is the spread of unit j over the training codes),
and ask a classifier what the decodings are.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import torch

from ._checks import as_matrix, as_tensor, count, number


@torch.no_grad()
def move_unit(
    model, z: torch.Tensor, unit: int, steps: torch.Tensor
) -> torch.Tensor:
    """Decode each code with unit ``unit`` moved by each step:
    x_hat = decode(z + t e_unit).

    Args:
        model: an autoencoder with ``decode``.
        z: codes.
        unit: index of the code unit that moves.
        steps: the values t added to that unit (in the code's own units).

    Shape:
        z: ``(n, code)``; steps: ``(s,)``; output: ``(s, n, features)``.
    """
    z, steps = _moves(z, unit, steps)
    s, n = len(steps), len(z)
    moved = z.unsqueeze(0).repeat(s, 1, 1)
    moved[:, :, unit] += steps.to(z).unsqueeze(1)
    return model.decode(moved.reshape(s * n, -1)).reshape(s, n, -1)


def _moves(z, unit, steps):
    z = as_matrix("z", z)
    number("unit", unit, low=0, high=z.shape[1] - 1, integer=True)
    return z, as_tensor("steps", steps, 1, "(s,), one value per step")


@torch.no_grad()
def unit_effects(
    model,
    classifier,
    z: torch.Tensor,
    steps_per_unit: torch.Tensor,
    n_classes: int = 10,
) -> dict:
    """What happens to the decodings as each code unit moves, judged by a
    classifier.

    For every code unit j and step t, decode z + t e_j and record: the share
    of the decodings that ``classifier`` puts in each class, the share it
    keeps in the class it gave at t = 0, and the mean ink (sum of pixel
    intensities, a measure of stroke thickness).

    Args:
        model: an autoencoder with ``decode``.
        classifier: module mapping images to class logits.
        z: codes of some images (e.g. all of one digit class).
        steps_per_unit: ``steps_per_unit[j]`` are the steps t tried for
            unit j.
        n_classes: number of classes of the classifier.

    Shape:
        z: ``(n, code)``; steps_per_unit: ``(code, s)``;
        share: ``(code, s, n_classes)``; kept, ink: ``(code, s)``.

    Returns:
        ``{"share", "kept", "ink"}``.
    """
    z, steps_per_unit = _effects_args(z, steps_per_unit, n_classes)
    before = _classes(classifier(model.decode(z)), n_classes).argmax(1)
    code, s = steps_per_unit.shape
    share = torch.empty(code, s, n_classes)
    kept, ink = torch.empty(code, s), torch.empty(code, s)
    for j in range(code):
        x_hat = move_unit(model, z, j, steps_per_unit[j])
        logits = classifier(x_hat.reshape(-1, x_hat.shape[-1]))
        label = logits.argmax(1).reshape(s, -1)
        one_hot = torch.nn.functional.one_hot(label, n_classes).float()
        share[j] = one_hot.mean(1).cpu()
        kept[j] = (label == before).float().mean(1).cpu()
        ink[j] = x_hat.sum(2).mean(1).cpu()
    return {"share": share, "kept": kept, "ink": ink}


def _effects_args(z, steps_per_unit, n_classes):
    z = as_matrix("z", z)
    layout = f"(code={z.shape[1]}, steps)"
    steps = as_tensor("steps_per_unit", steps_per_unit, 2, layout)
    if steps.shape[0] != z.shape[1]:
        raise ValueError(
            f"steps_per_unit must have shape {layout}, one row "
            f"per code unit; got {tuple(steps.shape)}"
        )
    count(n_classes=n_classes)
    return z, steps


def _classes(logits: torch.Tensor, n_classes: int) -> torch.Tensor:
    if logits.dim() != 2 or logits.shape[1] != n_classes:
        raise ValueError(
            "n_classes must equal the classifier's number of "
            f"outputs: got n_classes={n_classes}, classifier "
            f"outputs of shape {tuple(logits.shape)}"
        )
    return logits


def unit_grid(
    x_hat: torch.Tensor,
    steps: Sequence[float],
    shape=(28, 28),
    title: str | None = None,
    size: float = 0.8,
):
    """Decodings as one unit moves: one row per image, one column per step.

    Shape:
        x_hat: ``(s, n, height * width)`` as returned by ``move_unit``; steps:
            ``(s,)``.
    """
    a = x_hat.detach().cpu().numpy()
    s, n = a.shape[:2]
    if len(steps) != s:
        raise ValueError(
            f"steps must have one value per column ({s}); got {len(steps)}"
        )
    fig, axes = plt.subplots(
        n, s, figsize=(size * s, size * n + 0.6), squeeze=False
    )
    for i in range(n):
        for k in range(s):
            ax = axes[i, k]
            ax.imshow(a[k, i].reshape(shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == n - 1:
                ax.set_xlabel(f"{steps[k]:+.1f}", fontsize=8)
    fig.supxlabel(
        "step t added to the unit (in standard deviations of the "
        "unit over the training codes)",
        fontsize=9,
    )
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(pad=0.2)
    return fig


def live() -> bool:
    """True in a Jupyter kernel a person is using; False in the book build and
    the notebook tests.

    The build and the tests set ``AELIB_PROGRESS=0`` (see the Makefile); there a
    widget would only leave an output that a static page cannot run.
    """
    from .show import in_jupyter

    return in_jupyter()


def slider(
    model,
    z: torch.Tensor,
    unit: int,
    sigma: float,
    limit: float = 3.0,
    shape=(28, 28),
):
    """An ipywidgets slider that moves one code unit and redraws the decodings.

    Args:
        z: codes of the images shown, one per column.
        unit: the code unit that moves.
        sigma: the unit's standard deviation; the slider moves it in steps of
            sigma.
        limit: the slider runs from -limit to +limit standard deviations.

    Shape:
        z: ``(n, code)``.
    """
    import ipywidgets as widgets

    def show(t):
        moved = move_unit(model, z, unit, torch.tensor([t * sigma]))
        x_hat = moved[0].cpu().numpy()
        fig, axes = plt.subplots(
            1, len(x_hat), figsize=(0.9 * len(x_hat), 1.1), squeeze=False
        )
        for ax, img in zip(axes[0], x_hat):
            ax.imshow(img.reshape(shape), cmap="gray", vmin=0, vmax=1)
            ax.set_axis_off()
        fig.suptitle(
            f"unit {unit} moved by {t:+.1f} standard deviations", fontsize=9
        )
        plt.show()

    t = widgets.FloatSlider(
        value=0.0, min=-limit, max=limit, step=0.25, description=f"unit {unit}"
    )
    return widgets.interactive(show, t=t)
