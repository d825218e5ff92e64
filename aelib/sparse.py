"""Sparse inference: the code z that best explains x with few atoms of a
dictionary D.

Chapter 09 solves, for every row x of a batch,

    min_z  E(z) = 1/2 ||D z - x||^2 + lam |z|_1,

by proximal gradient descent. ISTA takes a gradient step on the smooth part
and then soft-thresholds; FISTA (Beck & Teboulle, 2009) adds a momentum term
and reaches an objective within eps of the minimum in O(1/sqrt(eps)) steps
instead of O(1/eps). Predictive sparse decomposition (``aelib.psd``) trains an
encoder to predict these codes in one pass.

Conventions: the atoms are the columns of D, so a batch of codes z of shape
``(batch, n_code)`` reconstructs as ``x_hat = z D^T``.
"""

from __future__ import annotations

import math

import torch

from ._checks import (
    as_floating,
    as_matrix,
    check_reduction,
    count,
    non_negative,
    positive,
    reduce,
)

DICTIONARY = "(n_visible, n_code), one atom per column"


def soft_threshold(v: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
    """The proximal map of t |.|_1: sign(v) max(|v| - t, 0), elementwise.

    Args:
        v: any floating tensor.
        t: threshold, >= 0 (a number, or a tensor broadcastable to v).

    Shape:
        output: the shape of v.
    """
    v, t = _threshold_args(v, t)
    return _shrink(v, t)


def _shrink(v: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
    # v minus its part in [-t, t]: the same values as sign(v) max(|v| - t,
    # 0) (a zero may be +0 where that gives -0), in two passes over v instead
    # of five (the solvers call it at every step).
    return v - torch.clamp(v, -t, t)


def _threshold_args(v, t):
    v = as_floating("v", v)
    _non_negative("t", t)
    if isinstance(t, torch.Tensor):
        try:
            fits = torch.broadcast_shapes(t.shape, v.shape) == v.shape
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(
                f"t must broadcast to the shape of v, "
                f"{tuple(v.shape)}; got shape {tuple(t.shape)}"
            )
    return v, t


def _non_negative(name: str, t) -> None:
    """A threshold or penalty weight: a number >= 0, or a real tensor of
    them."""
    if not isinstance(t, torch.Tensor):
        non_negative(**{name: t})
        return
    if t.dtype == torch.bool or t.is_complex():
        raise TypeError(
            f"{name} must be a real number or a real tensor; "
            f"got a tensor of dtype {t.dtype}"
        )
    if not bool(torch.isfinite(t).all()):
        raise ValueError(
            f"{name} must be finite; got a tensor holding NaN or infinity"
        )
    if bool((t < 0).any()):
        raise ValueError(
            f"{name} must be >= 0; got a tensor with minimum "
            f"{t.min().item():.3g}"
        )


def _dictionary(D) -> torch.Tensor:
    return as_matrix("D", D, layout=DICTIONARY)


def _check(x, D, lam, z0, z_name="z0", reduction="none"):
    """x, D and the codes z0 (or None) as tensors of matching shapes."""
    check_reduction(reduction)
    D = _dictionary(D)
    x = as_matrix("x", x, like=D)
    if D.shape[0] != x.shape[1]:
        raise ValueError(
            f"D must have one row per feature of x: x has "
            f"{x.shape[1]} features, D has shape "
            f"{tuple(D.shape)}"
        )
    if D.device != x.device or D.dtype != x.dtype:
        raise ValueError(
            f"D and x must share device and dtype; got D on "
            f"{D.device} ({D.dtype}), x on {x.device} "
            f"({x.dtype}) (convert one with .to())"
        )
    _non_negative("lam", lam)
    # One weight for the whole batch: a (batch,) or (n_code,) lam would
    # broadcast differently in the objective and in the solver.
    if isinstance(lam, torch.Tensor) and lam.numel() != 1:
        raise ValueError(
            "lam must be a number or a one-element tensor; got "
            f"a tensor of shape {tuple(lam.shape)}"
        )
    if z0 is not None:
        z0 = as_matrix(z_name, z0, like=x)
        shape = (x.shape[0], D.shape[1])
        if z0.shape != shape:
            raise ValueError(
                f"{z_name} must have shape (batch, n_code) = "
                f"{shape}; got {tuple(z0.shape)}"
            )
        if z0.device != x.device or z0.dtype != x.dtype:
            raise ValueError(
                f"{z_name} and x must share device and dtype; "
                f"got {z_name} on {z0.device} ({z0.dtype}), x "
                f"on {x.device} ({x.dtype})"
            )
    return x, D, z0


def _solver_args(x, D, lam, z0, n_iter, tol, L):
    """The checks of ISTA and FISTA; returns x, D, z0 and the step bound L
    (``lipschitz(D)`` unless given)."""
    x, D, z0 = _check(x, D, lam, z0)
    count(n_iter=n_iter)
    non_negative(tol=tol)
    L = lipschitz(D) if L is None else positive(L=L)
    if L == 0:
        # Every atom is zero: the step 1/L would be infinite, the codes NaN.
        raise ValueError(
            "D must have a non-zero atom; got an all-zero "
            "dictionary (lipschitz(D) = 0)"
        )
    return x, D, z0, L


def lipschitz(D: torch.Tensor) -> float:
    """L = ||D||_2^2, the largest eigenvalue of D^T D: the step 1/L keeps
    ISTA monotone.

    Shape:
        D: ``(n_visible, n_code)``.
    """
    D = _dictionary(D)
    return float(torch.linalg.matrix_norm(D.detach(), ord=2) ** 2)


def lasso_objective(
    x: torch.Tensor,
    D: torch.Tensor,
    z: torch.Tensor,
    lam: float,
    reduction: str = "none",
) -> torch.Tensor:
    """E(z) = 1/2 ||D z - x||^2 + lam |z|_1 for each row.

    Args:
        reduction: ``"none"`` (one value per example, the default),
            ``"mean"`` or ``"sum"``.

    Shape:
        x: ``(batch, n_visible)``; D: ``(n_visible, n_code)``;
        z: ``(batch, n_code)``.
    """
    x, D, z = _check(x, D, lam, z, "z", reduction)
    per_example = 0.5 * ((z @ D.t() - x) ** 2).sum(1) + lam * z.abs().sum(1)
    return reduce(per_example, reduction)


def _solve(x, D, lam, n_iter, z0, L, tol, history, momentum):
    x, D, z0, L = _solver_args(x, D, lam, z0, n_iter, tol, L)
    # A step is z <- soft(y - (y D^T D - x D) / L, lam / L), the gradient
    # step on 1/2 ||D z - x||^2 then the shrinkage. Written as soft(y M + c)
    # with M = I - D^T D / L and c = x D / L, both computed once, it costs one
    # fused (batch, k) x (k, k) product.
    k = D.shape[1]
    M = torch.eye(k, dtype=D.dtype, device=D.device) - (D.t() @ D) / L
    c = (x @ D) / L
    z = (
        torch.zeros(x.shape[0], k, dtype=x.dtype, device=x.device)
        if z0 is None
        else z0.clone()
    )
    y, t = z, 1.0
    trace = [lasso_objective(x, D, z, lam, "mean").item()] if history else None
    for _ in range(n_iter):
        z_new = _shrink(torch.addmm(c, y, M), lam / L)
        if momentum:
            t_new = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
            # y = z_new + (t - 1) / t_new * (z_new - z)
            y = torch.add(z_new, z_new - z, alpha=(t - 1.0) / t_new)
            t = t_new
        else:
            y = z_new
        done = tol > 0 and (
            float((z_new - z).norm()) <= tol * max(float(z_new.norm()), 1e-12)
        )
        z = z_new
        if history:
            trace.append(lasso_objective(x, D, z, lam, "mean").item())
        if done:
            break
    return (z, trace) if history else z


@torch.no_grad()
def ista(
    x: torch.Tensor,
    D: torch.Tensor,
    lam: float,
    n_iter: int = 100,
    z0: torch.Tensor | None = None,
    L: float | None = None,
    tol: float = 0.0,
    history: bool = False,
):
    """Iterative shrinkage-thresholding:
    z <- soft(z - D^T (D z - x) / L, lam / L).

    Args:
        x: inputs, one per row.
        D: dictionary, one atom per column.
        lam: weight of the L1 penalty, >= 0 (a number or a one-element
            tensor).
        n_iter: number of steps.
        z0: starting codes (default zeros).
        L: step is 1/L; default ``lipschitz(D)``, the largest safe step.
        tol: stop early when ||z_new - z|| <= tol ||z_new|| (0: run all
            n_iter steps).
        history: also return the mean objective after each step (its first
            entry is at z0).

    Shape:
        x: ``(batch, n_visible)``; D: ``(n_visible, n_code)``; z0 and
        output z: ``(batch, n_code)``.

    Returns:
        z, or ``(z, objective_per_step)`` when history is True.
    """
    return _solve(x, D, lam, n_iter, z0, L, tol, history, momentum=False)


@torch.no_grad()
def fista(
    x: torch.Tensor,
    D: torch.Tensor,
    lam: float,
    n_iter: int = 100,
    z0: torch.Tensor | None = None,
    L: float | None = None,
    tol: float = 0.0,
    history: bool = False,
):
    """Fast ISTA (Beck & Teboulle, 2009): ISTA steps taken from an
    extrapolated point.

    Same arguments, shapes and return value as ``ista``. Unlike ISTA, the
    objective of FISTA need not decrease at every step, but its gap to the
    minimum falls as O(1/k^2).
    """
    return _solve(x, D, lam, n_iter, z0, L, tol, history, momentum=True)
