"""Sparse inference: the code z that best explains x with few atoms of a dictionary D.

Chapter 09 solves, for every row x of a batch,

    min_z  E(z) = 1/2 ||D z - x||^2 + lam |z|_1,

by proximal gradient descent. ISTA takes a gradient step on the smooth part and
then soft-thresholds; FISTA (Beck & Teboulle, 2009) adds a momentum term and
reaches an objective within eps of the minimum in O(1/sqrt(eps)) steps instead
of O(1/eps). Predictive sparse decomposition (``aelib.psd``) trains an encoder to
predict these codes in one pass.

Conventions: the atoms are the columns of D, so a batch of codes z of shape
``(batch, n_code)`` reconstructs as ``x_hat = z D^T``.
"""
from __future__ import annotations

import math

import torch

from ._checks import as_matrix, number, reduce, reduction as check_reduction, two_d


def soft_threshold(v: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
    """The proximal map of t |.|_1: sign(v) max(|v| - t, 0), elementwise.

    Args:
        v: any floating tensor.
        t: threshold, >= 0 (a number, or a tensor broadcastable to v).

    Shape:
        output: the shape of v.
    """
    if not isinstance(v, torch.Tensor):
        raise TypeError(f"v must be a torch.Tensor; got {type(v).__name__}")
    if not v.is_floating_point():
        raise TypeError(f"v must have a floating dtype such as torch.float32; got {v.dtype} (convert with v.float())")
    _non_negative("t", t)
    if isinstance(t, torch.Tensor):
        try:
            fits = torch.broadcast_shapes(t.shape, v.shape) == v.shape
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(f"t must broadcast to the shape of v, {tuple(v.shape)}; got shape {tuple(t.shape)}")
    return torch.sign(v) * torch.clamp(v.abs() - t, min=0)


def _non_negative(name: str, t) -> None:
    """A threshold or penalty weight: a number >= 0, or a real tensor of them."""
    if not isinstance(t, torch.Tensor):
        number(name, t, low=0.0)
        return
    if t.dtype == torch.bool or t.is_complex():
        raise TypeError(f"{name} must be a real number or a real tensor; got a tensor of dtype {t.dtype}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be finite; got a tensor holding NaN or infinity")
    if bool((t < 0).any()):
        raise ValueError(f"{name} must be >= 0; got a tensor with minimum {t.min().item():.3g}")


def _check(x, D, lam, z0, z_name="z0"):
    as_matrix("x", x)
    two_d("D", D, "(n_visible, n_code), one atom per column")
    if D.shape[0] != x.shape[1]:
        raise ValueError(f"D must have one row per feature of x: x has {x.shape[1]} features, "
                         f"D has shape {tuple(D.shape)}")
    if D.device != x.device or D.dtype != x.dtype:
        raise ValueError(f"D and x must share device and dtype; got D on {D.device} ({D.dtype}), "
                         f"x on {x.device} ({x.dtype})")
    _check_dictionary(D)
    _non_negative("lam", lam)
    # One weight for the whole batch: a (batch,) or (n_code,) lam would broadcast differently
    # in the objective and in the solver.
    if isinstance(lam, torch.Tensor) and lam.numel() != 1:
        raise ValueError(f"lam must be a number or a one-element tensor; got a tensor of shape {tuple(lam.shape)}")
    if z0 is not None:
        as_matrix(z_name, z0)
        if z0.shape != (x.shape[0], D.shape[1]):
            raise ValueError(f"{z_name} must have shape (batch, n_code) = {(x.shape[0], D.shape[1])}; "
                             f"got {tuple(z0.shape)}")
        if z0.device != x.device or z0.dtype != x.dtype:
            raise ValueError(f"{z_name} and x must share device and dtype; got {z_name} on {z0.device} "
                             f"({z0.dtype}), x on {x.device} ({x.dtype})")


def _check_dictionary(D) -> None:
    two_d("D", D, "(n_visible, n_code), one atom per column")
    if not D.is_floating_point():
        raise TypeError(f"D must have a floating dtype such as torch.float32; got {D.dtype} (convert with D.float())")
    if D.numel() == 0:
        raise ValueError(f"D must hold at least one atom of at least one feature; got shape {tuple(D.shape)}")
    if not bool(torch.isfinite(D).all()):
        raise ValueError("D contains NaN or infinity; every atom must be finite")


def lipschitz(D: torch.Tensor) -> float:
    """L = ||D||_2^2, the largest eigenvalue of D^T D: the step 1/L keeps ISTA monotone.

    Shape:
        D: ``(n_visible, n_code)``.
    """
    _check_dictionary(D)
    return float(torch.linalg.matrix_norm(D.detach(), ord=2) ** 2)


def lasso_objective(x: torch.Tensor, D: torch.Tensor, z: torch.Tensor, lam: float,
                    reduction: str = "none") -> torch.Tensor:
    """E(z) = 1/2 ||D z - x||^2 + lam |z|_1 for each row.

    Args:
        reduction: ``"none"`` (one value per example, the default), ``"mean"`` or ``"sum"``.

    Shape:
        x: ``(batch, n_visible)``; D: ``(n_visible, n_code)``; z: ``(batch, n_code)``.
    """
    check_reduction(reduction)
    _check(x, D, lam, z, "z")
    per_example = 0.5 * ((z @ D.t() - x) ** 2).sum(1) + lam * z.abs().sum(1)
    return reduce(per_example, reduction)


def _solve(x, D, lam, n_iter, z0, L, tol, history, momentum):
    _check(x, D, lam, z0)
    number("n_iter", n_iter, low=1, integer=True)
    number("tol", tol, low=0.0)
    L = lipschitz(D) if L is None else number("L", L, low=0.0, low_open=True)
    if L == 0:
        # every atom is zero: the step 1/L would be infinite and the codes NaN
        raise ValueError("D must have a non-zero atom; got an all-zero dictionary (lipschitz(D) = 0)")
    # Precomputing D^T D and x D makes one step cost a (batch, k) x (k, k) product.
    DtD = D.t() @ D
    xD = x @ D
    z = torch.zeros(x.shape[0], D.shape[1], dtype=x.dtype, device=x.device) if z0 is None else z0.clone()
    y, t = z, 1.0
    trace = [lasso_objective(x, D, z, lam, "mean").item()] if history else None
    for _ in range(n_iter):
        z_new = soft_threshold(y - (y @ DtD - xD) / L, lam / L)
        if momentum:
            t_new = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
            y = z_new + ((t - 1.0) / t_new) * (z_new - z)
            t = t_new
        else:
            y = z_new
        done = tol > 0 and float((z_new - z).norm()) <= tol * max(float(z_new.norm()), 1e-12)
        z = z_new
        if history:
            trace.append(lasso_objective(x, D, z, lam, "mean").item())
        if done:
            break
    return (z, trace) if history else z


@torch.no_grad()
def ista(x: torch.Tensor, D: torch.Tensor, lam: float, n_iter: int = 100, z0: torch.Tensor | None = None,
         L: float | None = None, tol: float = 0.0, history: bool = False):
    """Iterative shrinkage-thresholding: z <- soft(z - D^T (D z - x) / L, lam / L).

    Args:
        x: inputs, one per row.
        D: dictionary, one atom per column.
        lam: weight of the L1 penalty, >= 0 (a number or a one-element tensor).
        n_iter: number of steps.
        z0: starting codes (default zeros).
        L: step is 1/L; default ``lipschitz(D)``, the largest safe step.
        tol: stop early when ||z_new - z|| <= tol ||z_new|| (0: run all n_iter steps).
        history: also return the mean objective after each step (its first entry is at z0).

    Shape:
        x: ``(batch, n_visible)``; D: ``(n_visible, n_code)``; z0 and output z: ``(batch, n_code)``.

    Returns:
        z, or ``(z, objective_per_step)`` when history is True.
    """
    return _solve(x, D, lam, n_iter, z0, L, tol, history, momentum=False)


@torch.no_grad()
def fista(x: torch.Tensor, D: torch.Tensor, lam: float, n_iter: int = 100, z0: torch.Tensor | None = None,
          L: float | None = None, tol: float = 0.0, history: bool = False):
    """Fast ISTA (Beck & Teboulle, 2009): ISTA steps taken from an extrapolated point.

    Same arguments, shapes and return value as ``ista``. Unlike ISTA, the objective of FISTA
    need not decrease at every step, but its gap to the minimum falls as O(1/k^2).
    """
    return _solve(x, D, lam, n_iter, z0, L, tol, history, momentum=True)
