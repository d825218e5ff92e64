"""One training loop for every model of the book (introduced in chapter 01).

``fit`` moves the data to the device once, draws shuffled minibatches, and
adds an optional corruption (denoising) and an optional penalty (contractive,
weight decay...). It also owns what long runs need: a learning-rate schedule,
bf16 autocast, and a state file to resume an interrupted run. It is meant to
cost nothing beside the arithmetic: the benchmark appendix measures it
against a plain PyTorch loop.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from ._checks import as_matrix, number, one_of, schedule as check_schedule
from .device import get_device
from .show import progress_bar
from .timing import synchronize

OPTIMIZERS = ("adam", "sgd", "lbfgs")
PRECISIONS = ("fp32", "bf16")
STATE_EVERY_S = 60.0


@dataclass
class History:
    """What a training run measured, one entry per epoch.

    ``loss`` is the objective the run minimised; ``curves`` holds any other
    series (a validation error, an RBM's reconstruction error, PSD's terms).
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    curves: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    samples_per_s: float = 0.0

    def log(self, **values: float) -> None:
        """Append one value to each named curve."""
        for name, value in values.items():
            self.curves.setdefault(name, []).append(float(value))


@dataclass(frozen=True)
class WarmupCosine:
    """A learning rate that rises linearly for ``warmup_epochs``, then falls
    along a cosine from ``lr`` to ``lr * final_fraction`` at the last step.

    Pass it as ``fit(..., schedule=WarmupCosine())``; ``fit`` knows the number
    of steps and resolves it with :meth:`at`.
    """

    warmup_epochs: float = 1.0
    final_fraction: float = 0.01

    def at(self, step: int, total: int, warmup: int, lr: float) -> float:
        """The learning rate of ``step`` (0-based) out of ``total`` steps."""
        if step < warmup:
            return lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, total - 1 - warmup)
        low = lr * self.final_fraction
        return low + 0.5 * (lr - low) * (1 + math.cos(math.pi * progress))


def _step_lr(schedule, lr: float, steps_per_epoch: int, epochs: int):
    """Turn ``fit``'s ``schedule`` argument into a function step -> lr."""
    if schedule is None:
        return lambda step: lr
    if isinstance(schedule, WarmupCosine):
        number("schedule.warmup_epochs", schedule.warmup_epochs, low=0.0)
        number(
            "schedule.final_fraction",
            schedule.final_fraction,
            low=0.0,
            high=1.0,
        )
        total = epochs * steps_per_epoch
        warmup = min(round(schedule.warmup_epochs * steps_per_epoch), total - 1)
        return lambda step: schedule.at(step, total, warmup, lr)
    if callable(schedule):
        return schedule
    raise TypeError(
        "schedule must be None (constant lr), a WarmupCosine() "
        "or a callable step -> lr; got "
        f"{type(schedule).__name__}"
    )


def _make_optimizer(optimizer, params, lr, weight_decay):
    if callable(optimizer) and not isinstance(optimizer, str):
        return optimizer(params)
    one_of(
        "optimizer",
        optimizer,
        OPTIMIZERS,
        "or a callable params -> torch.optim.Optimizer",
    )
    if optimizer == "adam":
        # The fused kernel updates every parameter in one pass: about a
        # quarter faster than the default on a deep network (make bench).
        fused = all(
            p.is_floating_point() and p.device.type in ("cpu", "cuda")
            for p in params
        )
        return torch.optim.Adam(
            params, lr=lr, weight_decay=weight_decay, fused=fused or None
        )
    if optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=lr, momentum=0.9, weight_decay=weight_decay
        )
    return torch.optim.LBFGS(
        params,
        lr=lr,
        max_iter=1,
        history_size=20,
        line_search_fn="strong_wolfe",
    )


def _save_state(
    path: Path, model, opt, epoch: int, history: History, run: dict
) -> None:
    from .files import atomic_write

    state = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "epoch": epoch,
        "history": history.__dict__,
        "run": run,
        "rng": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda_rng"] = torch.cuda.get_rng_state_all()
    atomic_write(path, lambda tmp: torch.save(state, tmp))


def _load_state(path: Path, model, opt, run: dict) -> tuple[int, History]:
    # weights_only: tensors, numbers and lists only, so loading runs no code.
    state = torch.load(path, map_location="cpu", weights_only=True)
    if state["run"] != run:
        raise ValueError(
            f"state_file {path} belongs to another run "
            f"({state['run']}, not {run}); delete it to start "
            "afresh, or pass the same settings to resume"
        )
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng"])
    if "cuda_rng" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    return state["epoch"], History(**state["history"])


def fit(
    model: torch.nn.Module,
    x,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    epochs: int,
    batch_size: int = 256,
    lr: float = 1e-3,
    optimizer="adam",
    device: torch.device | str | None = None,
    corrupt: Callable[[torch.Tensor], torch.Tensor] | None = None,
    penalty: Callable | None = None,
    progress: bool | None = None,
    y=None,
    x_val=None,
    y_val=None,
    weight_decay: float = 0.0,
    schedule: WarmupCosine | Callable[[int], float] | None = None,
    precision: str = "fp32",
    state_file: str | Path | None = None,
    val_metric: Callable | None = None,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> History:
    """Train ``model`` by minibatch descent on ``loss(model(x_tilde), target)``.

    Args:
        model: any ``torch.nn.Module``; moved to ``device``.
        x: training inputs (a tensor or a numpy array).
        loss: ``loss(output, target) -> scalar``, e.g. ``losses.cross_entropy``.
        epochs: passes over the data.
        batch_size: examples per step (``len(x)``: full-batch training).
        lr: learning rate (the peak of a schedule).
        optimizer: ``"adam"``, ``"sgd"`` (momentum 0.9), ``"lbfgs"`` (one
            L-BFGS iteration with a strong-Wolfe line search per batch: use it
            full-batch, with a deterministic loss), or a callable
            ``params -> torch.optim.Optimizer``.
        device: where to train; default ``aelib.get_device()``.
        corrupt: ``x -> x_tilde`` applied to each batch (denoising); the
            target stays clean.
        penalty: ``penalty(model, x_tilde, h) -> scalar`` added to the loss,
            where h is ``model.encode(x_tilde)``.
        progress: show a tqdm bar; default: in Jupyter only, never when
            AELIB_PROGRESS=0.
        y: targets (e.g. class labels) instead of reconstructing x.
        x_val, y_val: optional held-out data, evaluated after each epoch.
        weight_decay: L2 coefficient passed to the optimizer.
        schedule: None (constant ``lr``), ``WarmupCosine(...)``, or any
            callable ``step -> lr`` (steps counted from 0 over the whole run).
        precision: ``"fp32"`` (the book's default) or ``"bf16"``: the forward
            pass under ``torch.autocast`` in bfloat16, the loss and the
            weights in float32. Fast on CPUs with bf16 units and on GPUs;
            slower on a CPU without them.
        state_file: after each epoch the model, the optimizer, the random
            state and the history are written here (atomically); a later call
            with the same settings resumes from it instead of starting over.
        val_metric: ``metric(model, x_val, y_val) -> float`` recorded each
            epoch as ``history.val_loss`` instead of the mean of ``loss``.
        augment: ``x -> x'`` applied to each batch first (new training
            examples, e.g. ``augment.random_shift``); when reconstructing,
            the target is the augmented batch, before any ``corrupt``.

    Shape:
        x: ``(n, features)``; y: ``(n, ...)``.

    Returns:
        A ``History``: the mean training loss of each epoch (and validation
        loss), the learning rate at each epoch's end, the seconds spent and the
        samples per second.

    Raises:
        FloatingPointError: the loss became NaN or infinite. The weights of
            the last good epoch are restored first, so nothing is lost; lower
            ``lr``.
    """
    x = as_matrix("x", x)
    check_schedule(epochs, batch_size, lr)
    number("weight_decay", weight_decay, low=0.0)
    one_of("precision", precision, PRECISIONS)
    if y is not None:
        y = torch.as_tensor(y)
        if len(y) != len(x):
            raise ValueError(
                f"y must hold one target per row of x ({len(x)}); "
                f"got shape {tuple(y.shape)}"
            )
    if penalty is not None and not hasattr(model, "encode"):
        raise TypeError(
            "penalty needs a model with encode() and decode(); "
            f"{type(model).__name__} has no encode()"
        )
    device = get_device() if device is None else torch.device(device)
    model.to(device)
    x = x.to(device)
    target = x if y is None else y.to(device)
    if x_val is not None:
        x_val = as_matrix("x_val", x_val, x.shape[1])
        y_val = None if y_val is None else torch.as_tensor(y_val)
    n = len(x)
    batch_size = min(batch_size, n)
    opt = _make_optimizer(optimizer, list(model.parameters()), lr, weight_decay)
    is_lbfgs = isinstance(opt, torch.optim.LBFGS)
    steps_per_epoch = math.ceil(n / batch_size)
    lr_at = _step_lr(schedule, lr, steps_per_epoch, epochs)
    autocast = torch.autocast(
        device.type, dtype=torch.bfloat16, enabled=precision == "bf16"
    )

    def objective(xb, tb):
        x_in = corrupt(xb) if corrupt is not None else xb
        with autocast:
            if penalty is None:
                return loss(model(x_in).float(), tb)
            h = model.encode(x_in)
            out = model.decode(h).float()
            return loss(out, tb) + penalty(model, x_in, h).float()

    history, first = History(), 1
    run = {
        "n": n,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "precision": precision,
        "augment": augment is not None,
        "corrupt": corrupt is not None,
    }
    if state_file is not None:
        state_file = Path(state_file)
        if state_file.is_file():
            done, history = _load_state(state_file, model, opt, run)
            first = done + 1
    bar = progress_bar(
        progress,
        total=epochs * steps_per_epoch,
        initial=(first - 1) * steps_per_epoch,
        desc="fit",
        unit="batch",
    )
    model.train()
    start = time.perf_counter() - history.seconds
    step = (first - 1) * steps_per_epoch
    saved = time.perf_counter()
    for epoch in range(first, epochs + 1):
        good = copy.deepcopy(model.state_dict())
        # Running sum kept on the device: no host synchronisation per step.
        total = torch.zeros((), device=device)
        order = torch.randperm(n, device=device) if batch_size < n else None
        for i in range(0, n, batch_size):
            idx = (
                order[i : i + batch_size] if order is not None else slice(None)
            )
            xb, tb = x[idx], target[idx]
            if augment is not None:
                xb = augment(xb)
                tb = xb if y is None else tb
            if schedule is not None:
                for group in opt.param_groups:
                    group["lr"] = lr_at(step)
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
            step += 1
            if bar is not None:
                bar.update(1)
        epoch_loss = (total / n).item()
        if not math.isfinite(epoch_loss):
            model.load_state_dict(good)
            if bar is not None:
                bar.close()
            raise FloatingPointError(
                f"training diverged in epoch {epoch}: the loss became "
                f"{epoch_loss}. The weights after epoch {epoch - 1} were "
                f"restored; try a smaller learning rate than lr={lr}."
            )
        history.loss.append(epoch_loss)
        history.lr.append(opt.param_groups[0]["lr"])
        if x_val is not None:
            if val_metric is not None:
                history.val_loss.append(float(val_metric(model, x_val, y_val)))
            else:
                history.val_loss.append(
                    evaluate(model, x_val, loss, y=y_val, device=device)
                )
            model.train()
        if bar is not None:
            bar.set_postfix(epoch=epoch, loss=f"{epoch_loss:.4g}")
        # The state is written at most once a minute (and after the last
        # epoch): a short epoch would otherwise spend its time on the disk.
        if state_file is not None and (
            epoch == epochs or time.perf_counter() - saved > STATE_EVERY_S
        ):
            history.seconds = time.perf_counter() - start
            _save_state(state_file, model, opt, epoch, history, run)
            saved = time.perf_counter()
    synchronize(device)
    history.seconds = time.perf_counter() - start
    history.samples_per_s = epochs * n / max(history.seconds, 1e-9)
    if bar is not None:
        bar.close()
    model.eval()
    return history


@torch.no_grad()
def evaluate(
    model, x, loss, y=None, batch_size: int = 4096, device=None
) -> float:
    """Mean of ``loss(model(x), target)`` over ``x`` in batches, no gradients.

    Shape:
        x: ``(n, features)``.
    """
    x = as_matrix("x", x)
    if device is None:
        device = next(model.parameters()).device
    device = torch.device(device)
    was_training = model.training
    model.eval()
    target = x if y is None else torch.as_tensor(y)
    total = 0.0
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size].to(device)
        tb = target[i : i + batch_size].to(device)
        total += loss(model(xb), tb).item() * len(xb)
    model.train(was_training)
    return total / len(x)
