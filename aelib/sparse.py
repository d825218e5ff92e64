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

from ._checks import as_matrix, number, reduce, reduction as check_reduction


def soft_threshold(v: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
    """The proximal map of t |.|_1: sign(v) max(|v| - t, 0), elementwise.

    Args:
        v: any tensor.
        t: threshold, >= 0 (a number, or a tensor broadcastable to v).

    Shape:
        output: the shape of v.
    """
    if not isinstance(v, torch.Tensor):
        raise TypeError(f"v must be a torch.Tensor; got {type(v).__name__}")
    if isinstance(t, torch.Tensor):
        if bool((t < 0).any()):
            raise ValueError(f"t must be >= 0; got a tensor with minimum {t.min().item():.3g}")
    else:
        number("t", t, low=0.0)
    return torch.sign(v) * torch.clamp(v.abs() - t, min=0)


def _check(x, D, lam, z0, z_name="z0"):
    as_matrix("x", x)
    if not isinstance(D, torch.Tensor) or D.dim() != 2:
        shape = tuple(D.shape) if isinstance(D, torch.Tensor) else type(D).__name__
        raise ValueError(f"D must be a 2-D tensor (n_visible, n_code), one atom per column; got {shape}")
    if D.shape[0] != x.shape[1]:
        raise ValueError(f"D must have one row per feature of x: x has {x.shape[1]} features, "
                         f"D has shape {tuple(D.shape)}")
    if D.device != x.device or D.dtype != x.dtype:
        raise ValueError(f"D and x must share device and dtype; got D on {D.device} ({D.dtype}), "
                         f"x on {x.device} ({x.dtype})")
    if isinstance(lam, torch.Tensor):
        if bool((lam < 0).any()):
            raise ValueError(f"lam must be >= 0; got a tensor with minimum {lam.min().item():.3g}")
    else:
        number("lam", lam, low=0.0)
    if z0 is not None:
        as_matrix(z_name, z0)
        if z0.shape != (x.shape[0], D.shape[1]):
            raise ValueError(f"{z_name} must have shape (batch, n_code) = {(x.shape[0], D.shape[1])}; "
                             f"got {tuple(z0.shape)}")


def lipschitz(D: torch.Tensor) -> float:
    """L = ||D||_2^2, the largest eigenvalue of D^T D: the step 1/L keeps ISTA monotone.

    Shape:
        D: ``(n_visible, n_code)``.
    """
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
        lam: weight of the L1 penalty, >= 0.
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
