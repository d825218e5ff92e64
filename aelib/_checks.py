"""Argument checks shared by every public function: one clear message per mistake.

Each check names the argument, what was expected and what was received, so
that a student sees how to fix the call instead of an error from deep in torch.
"""
from __future__ import annotations

import math
from numbers import Real

import torch


def as_matrix(name: str, x, n_features: int | None = None, *, finite: bool = True) -> torch.Tensor:
    """Check that ``x`` is a floating (batch, features) tensor and return it.

    Shape:
        x: ``(batch, n_features)``.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (batch, features); got {type(x).__name__}"
                        " (convert with torch.as_tensor(x, dtype=torch.float32))")
    if not x.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype such as torch.float32; got {x.dtype}"
                        " (convert with x.float())")
    if x.dim() != 2:
        raise ValueError(f"{name} must be 2-D (batch, features), images flattened row-major; "
                         f"got shape {tuple(x.shape)}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} is empty: got shape {tuple(x.shape)}, expected at least one row and one feature")
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} features per row; got shape {tuple(x.shape)}")
    if finite and not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains NaN or infinity; clean the data before passing it")
    return x


def same_shape(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape; got {tuple(a.shape)} and {tuple(b.shape)}")
    if a.dtype != b.dtype:
        raise TypeError(f"{name_a} and {name_b} must have the same dtype; got {a.dtype} and {b.dtype}")
    if a.device != b.device:
        raise ValueError(f"{name_a} and {name_b} must be on the same device; got {a.device} and {b.device}")


def number(name: str, value, *, low=None, high=None, low_open=False, high_open=False, integer=False):
    """Check a hyperparameter against its range and return it."""
    kind = "an int" if integer else "a real number"
    ok_type = isinstance(value, int) if integer else isinstance(value, Real)
    if isinstance(value, bool) or not ok_type:
        raise TypeError(f"{name} must be {kind}; got {type(value).__name__} {value!r}")
    if not integer and not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        interval = ("(" if low_open else "[") + f"{lo}, {hi}" + (")" if high_open else "]")
        raise ValueError(f"{name} must lie in {interval}; got {value!r}")
    return value


def schedule(epochs, batch_size, lr) -> None:
    """Check the three settings every training loop takes: whole epochs, a batch size, a step size."""
    number("epochs", epochs, low=1, integer=True)
    number("batch_size", batch_size, low=1, integer=True)
    number("lr", lr, low=0.0, low_open=True)


def reduction(value: str) -> str:
    if value not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean' (sum over features, mean over the batch), "
                         f"'sum' or 'none' (one value per example); got {value!r}")
    return value


def reduce(per_example: torch.Tensor, how: str) -> torch.Tensor:
    """Apply a reduction to one loss value per example."""
    if how == "mean":
        return per_example.mean()
    if how == "sum":
        return per_example.sum()
    return per_example


def matches(name: str, x: torch.Tensor, param: torch.Tensor, owner: str = "the model") -> torch.Tensor:
    """Check that ``x`` has the dtype and device of a parameter it will be multiplied with."""
    if x.dtype != param.dtype:
        raise TypeError(f"{name} has dtype {x.dtype} but {owner}'s parameters are {param.dtype}; "
                        f"convert with {name}.to({param.dtype}) (or the model with .to({x.dtype}))")
    if x.device != param.device:
        raise ValueError(f"{name} is on {x.device} but {owner} is on {param.device}; "
                         f"move one of them with .to(device)")
    return x


def two_d(name: str, M, layout: str) -> torch.Tensor:
    """Check that ``M`` is a 2-D tensor; ``layout`` names its axes for the message, e.g. "(n_hidden, n_visible)"."""
    if not isinstance(M, torch.Tensor) or M.dim() != 2:
        raise ValueError(f"{name} must be a 2-D tensor {layout}; got "
                         f"{tuple(M.shape) if isinstance(M, torch.Tensor) else type(M).__name__}")
    return M


def codes_and_weights(h: torch.Tensor, W: torch.Tensor) -> None:
    """Check a batch of sigmoid codes h against the encoder weights W that produced them."""
    as_matrix("h", h, finite=False)
    two_d("W", W, "(n_hidden, n_visible)")
    if W.shape[0] != h.shape[1]:
        raise ValueError(f"h and W disagree on the number of hidden units: h has shape {tuple(h.shape)}, "
                         f"W has shape {tuple(W.shape)} (expected W of shape ({h.shape[1]}, n_visible))")
    if W.device != h.device:
        raise ValueError(f"h and W must be on the same device; got {h.device} and {W.device}")
    if W.dtype != h.dtype:
        raise TypeError(f"h and W must have the same dtype; got {h.dtype} and {W.dtype}")
