"""One training loop for every model of the book (introduced in chapter 01).

``fit`` moves the data to the device once, draws shuffled minibatches, and
adds an optional corruption (denoising) and an optional penalty (contractive,
weight decay...). It is meant to cost nothing beside the arithmetic: the
benchmark appendix measures it against a plain PyTorch loop.
"""
from __future__ import annotations

import copy
import math
import os
import time
from dataclasses import dataclass, field
from typing import Callable

import torch

from ._checks import as_matrix, number, schedule
from .device import get_device

OPTIMIZERS = ("adam", "sgd", "lbfgs")


@dataclass
class History:
    """What ``fit`` measured: one entry per epoch."""

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    samples_per_s: float = 0.0


def _progress_wanted(progress: bool | None) -> bool:
    if progress is not None:
        return bool(progress)
    # Quiet in the book build and the tests (the Makefile sets AELIB_PROGRESS=0),
    # and outside Jupyter; a bar in a student's notebook otherwise.
    if os.environ.get("AELIB_PROGRESS", "1") == "0":
        return False
    try:
        from IPython import get_ipython

        return get_ipython() is not None and "IPKernelApp" in get_ipython().config
    except ImportError:
        return False


def _make_optimizer(optimizer, params, lr, weight_decay):
    if callable(optimizer) and not isinstance(optimizer, str):
        return optimizer(params)
    if optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if optimizer == "lbfgs":
        return torch.optim.LBFGS(params, lr=lr, max_iter=1, history_size=20, line_search_fn="strong_wolfe")
    raise ValueError(f"optimizer must be one of {OPTIMIZERS} or a callable params -> torch.optim.Optimizer; "
                     f"got {optimizer!r}")


def fit(
    model: torch.nn.Module,
    x: torch.Tensor,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    epochs: int,
    batch_size: int = 256,
    lr: float = 1e-3,
    optimizer="adam",
    device: torch.device | str | None = None,
    corrupt: Callable[[torch.Tensor], torch.Tensor] | None = None,
    penalty: Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    progress: bool | None = None,
    y: torch.Tensor | None = None,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    weight_decay: float = 0.0,
) -> History:
    """Train ``model`` by minibatch gradient descent on ``loss(model(x_tilde), target)``.

    Args:
        model: any ``torch.nn.Module``; moved to ``device``.
        x: training inputs.
        loss: ``loss(output, target) -> scalar``, e.g. ``aelib.losses.cross_entropy``.
        epochs: passes over the data.
        batch_size: examples per step (``len(x)`` gives full-batch training).
        lr: learning rate.
        optimizer: ``"adam"``, ``"sgd"`` (momentum 0.9), ``"lbfgs"`` (one L-BFGS iteration
            with a strong-Wolfe line search per batch: use it full-batch, with a deterministic
            loss), or a callable ``params -> torch.optim.Optimizer``.
        device: where to train; default ``aelib.get_device()``.
        corrupt: ``x -> x_tilde`` applied to each batch (denoising); the target stays clean.
        penalty: ``penalty(model, x_tilde, h) -> scalar`` added to the loss, where h is
            ``model.encode(x_tilde)`` (for example lam * contractive_penalty(h, model.W).mean()).
        progress: show a tqdm bar; default: in Jupyter only, never when AELIB_PROGRESS=0.
        y: targets (e.g. class labels) instead of reconstructing x.
        x_val, y_val: optional held-out data, evaluated after each epoch.
        weight_decay: L2 coefficient passed to the optimizer.

    Shape:
        x: ``(n, features)``; y: ``(n, ...)``.

    Returns:
        A ``History`` with the mean training loss of each epoch (and validation loss), the
        seconds spent and the samples per second.

    Raises:
        FloatingPointError: the loss became NaN or infinite. The weights of the last good
            epoch are restored first, so nothing is lost; lower ``lr``.
    """
    as_matrix("x", x)
    schedule(epochs, batch_size, lr)
    number("weight_decay", weight_decay, low=0.0)
    if y is not None and (not isinstance(y, torch.Tensor) or len(y) != len(x)):
        raise ValueError(f"y must be a tensor with one target per row of x ({len(x)}); "
                         f"got {tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__}")
    if penalty is not None and not hasattr(model, "encode"):
        raise TypeError("penalty needs a model with encode() and decode(); "
                        f"{type(model).__name__} has no encode()")
    device = get_device() if device is None else torch.device(device)
    model.to(device)
    x = x.to(device)
    target = x if y is None else y.to(device)
    n = len(x)
    batch_size = min(batch_size, n)
    opt = _make_optimizer(optimizer, list(model.parameters()), lr, weight_decay)
    is_lbfgs = isinstance(opt, torch.optim.LBFGS)

    def objective(xb, tb):
        x_in = corrupt(xb) if corrupt is not None else xb
        if penalty is None:
            return loss(model(x_in), tb)
        h = model.encode(x_in)
        return loss(model.decode(h), tb) + penalty(model, x_in, h)

    steps_per_epoch = math.ceil(n / batch_size)
    bar = None
    if _progress_wanted(progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs * steps_per_epoch, desc="fit", unit="batch", leave=False)
    history = History()
    model.train()
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        good = copy.deepcopy(model.state_dict())
        # Running sum kept on the device: no host synchronisation inside the epoch.
        total = torch.zeros((), device=device)
        order = torch.randperm(n, device=device) if batch_size < n else None
        for i in range(0, n, batch_size):
            idx = order[i:i + batch_size] if order is not None else slice(None)
            xb, tb = x[idx], target[idx]
            if is_lbfgs:
                def closure():
                    opt.zero_grad(set_to_none=True)
                    value = objective(xb, tb)
                    value.backward()
                    return value
                value = opt.step(closure)
            else:
                opt.zero_grad(set_to_none=True)
                value = objective(xb, tb)
                value.backward()
                opt.step()
            total += value.detach() * len(xb)
            if bar is not None:
                bar.update(1)
        epoch_loss = (total / n).item()
        if not math.isfinite(epoch_loss):
            model.load_state_dict(good)
            if bar is not None:
                bar.close()
            raise FloatingPointError(
                f"training diverged in epoch {epoch}: the loss became {epoch_loss}. The weights after "
                f"epoch {epoch - 1} were restored; try a smaller learning rate than lr={lr}."
            )
        history.loss.append(epoch_loss)
        if x_val is not None:
            history.val_loss.append(evaluate(model, x_val, loss, y=y_val, device=device))
            model.train()
        if bar is not None:
            bar.set_postfix(epoch=epoch, loss=f"{epoch_loss:.4g}")
    if device.type == "cuda":
        torch.cuda.synchronize()
    history.seconds = time.perf_counter() - start
    history.samples_per_s = epochs * n / history.seconds
    if bar is not None:
        bar.close()
    model.eval()
    return history


@torch.no_grad()
def evaluate(model, x, loss, y=None, batch_size: int = 4096, device=None) -> float:
    """Mean of ``loss(model(x), target)`` over ``x`` in batches, without gradients.

    Shape:
        x: ``(n, features)``.
    """
    as_matrix("x", x)
    device = next(model.parameters()).device if device is None else torch.device(device)
    was_training = model.training
    model.eval()
    target = x if y is None else y
    total = 0.0
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size].to(device)
        tb = target[i:i + batch_size].to(device)
        total += loss(model(xb), tb).item() * len(xb)
    model.train(was_training)
    return total / len(x)
