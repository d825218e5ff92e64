"""Trained networks the book ships, and the script that trains them.

A deep network needs minutes to an hour of training, more than a chapter may
spend, so the book ships its weights. ``make checkpoints`` (all of them) or
``make checkpoints NAME=deep_mnist`` (one) runs

    python -m aelib.checkpoints train deep_mnist

which trains the model through ``aelib.fit`` from a fixed seed and writes,
under ``data/checkpoints/``,

- ``<name>.safetensors``: the weights (tensors only: loading runs no code);
- ``<name>.json``: the record: the sha256 of that file, the architecture, the
  seed, device, precision and schedule, the wall time, the training and
  validation curves and the test figure, measured on the stored weights.

An interrupted run resumes from ``<name>.state.pt`` (written after every
epoch); the previous checkpoint stays in place until the new one is whole.
``load(name)`` checks the sha256 before it reads a single weight.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from ._checks import one_of
from .data import DATA_DIR, sha256
from .device import get_device
from .files import atomic_write
from .losses import sum_of_squares
from .recipes import CONFIGS, SCHEDULE_KEYS, build
from . import recipes

CHECKPOINT_DIR = DATA_DIR / "checkpoints"
MAKE_TARGET = "make checkpoints"
STORAGES = ("float32", "float16")
__all__ = [
    "CONFIGS",
    "SCHEDULE_KEYS",
    "CheckpointError",
    "load",
    "metadata",
    "save",
    "test_error",
    "train",
]


class CheckpointError(RuntimeError):
    """A checkpoint is missing, altered, or does not fit its model."""


@torch.no_grad()
def test_error(model, x, batch_size: int = 2000) -> float:
    """Average squared error per image: sum over pixels of (x_hat - x)^2,
    mean over images (Hinton & Salakhutdinov 2006).

    Shape:
        x: ``(n, features)``.
    """
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total = 0.0
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size].to(device)
        total += sum_of_squares(model(xb), xb, reduction="sum").item()
    model.train(was_training)
    return total / len(x)


def save(
    model: torch.nn.Module,
    name: str,
    meta: dict,
    directory: Path = CHECKPOINT_DIR,
    storage: str = "float32",
) -> dict:
    """Write ``<name>.safetensors``, then ``<name>.json`` with its sha256,
    each atomically.

    Args:
        storage: ``"float32"`` or ``"float16"`` (half the size; the weights
            are cast back to float32 on load).
    """
    from safetensors.torch import save_file

    one_of("storage", storage, STORAGES)
    directory = Path(directory)
    dtype = getattr(torch, storage)
    weights = {
        k: v.detach().to("cpu", dtype).contiguous()
        for k, v in model.state_dict().items()
    }
    path = atomic_write(
        directory / f"{name}.safetensors", lambda tmp: save_file(weights, tmp)
    )
    meta = dict(
        meta, name=name, file=path.name, sha256=sha256(path), storage=storage
    )
    text = json.dumps(meta, indent=1) + "\n"
    atomic_write(
        directory / f"{name}.json", lambda tmp: Path(tmp).write_text(text)
    )
    return meta


def metadata(name: str, directory: Path = CHECKPOINT_DIR) -> dict:
    """The JSON record of a checkpoint (see the module's docstring)."""
    path = Path(directory) / f"{name}.json"
    if not path.is_file():
        raise CheckpointError(
            f"the checkpoint {name!r} is missing: no {path}. Train it with "
            f"`{MAKE_TARGET} NAME={name}` in the repository root"
        )
    return json.loads(path.read_text())


def load(
    name: str,
    directory: Path = CHECKPOINT_DIR,
    device: torch.device | str | None = None,
) -> tuple[torch.nn.Module, dict]:
    """Load a shipped network after checking its sha256.

    Args:
        name: a key of ``CONFIGS`` (or any name ``save`` wrote there).
        device: where to put the model; default ``aelib.get_device()``.

    Returns:
        ``(model, record)``: the model in eval mode, float32; its record.

    Raises:
        CheckpointError: a file is missing (train it with ``make
            checkpoints``) or its sha256 differs from the record.
    """
    from safetensors.torch import load_file

    meta = metadata(name, directory)
    path = Path(directory) / meta["file"]
    if not path.is_file():
        raise CheckpointError(
            f"the weights of checkpoint {name!r} are missing: no {path}. "
            f"Train them with `{MAKE_TARGET} NAME={name}`"
        )
    actual = sha256(path)
    if actual != meta["sha256"]:
        raise CheckpointError(
            f"the checkpoint {path} has sha256 {actual}, but its record says "
            f"{meta['sha256']}: the file is damaged or was altered; restore "
            f"it from git or retrain it with `{MAKE_TARGET} NAME={name}`"
        )
    model = build(meta)
    try:
        # safetensors holds tensors only: nothing in it is ever executed.
        weights = {k: v.float() for k, v in load_file(str(path)).items()}
    except Exception as err:  # safetensors' own error type: a bad header
        raise CheckpointError(
            f"the checkpoint {path} is not a safetensors file ({err}); aelib "
            "does not unpickle checkpoints. Restore it from git or retrain "
            f"it with `{MAKE_TARGET} NAME={name}`"
        ) from err
    try:
        model.load_state_dict(weights)
    except RuntimeError as err:
        raise CheckpointError(
            f"the checkpoint {path} does not fit a "
            f"{meta['sizes']} network: {err}"
        ) from err
    device = get_device() if device is None else torch.device(device)
    return model.to(device).eval(), meta


def train(
    name: str,
    directory: Path = CHECKPOINT_DIR,
    epochs: int | None = None,
    n_train: int | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    progress: bool | None = None,
) -> dict:
    """Train the network ``CONFIGS[name]`` (see ``aelib.recipes``) and save
    it; the training state in ``<name>.state.pt`` lets an interrupted run
    resume, and the old checkpoint stays until the new one is written.

    Args:
        name: a key of ``CONFIGS``.
        directory: where to write the checkpoint.
        epochs: passes over the data; default the configuration's.
        n_train: use only the first n_train training images (short runs).
        device: default ``aelib.get_device()``.
        seed: seeds the weights, the batches and the noise.
        progress: a tqdm bar.

    Returns:
        The checkpoint's JSON record.
    """
    one_of("name", name, sorted(CONFIGS))
    directory = Path(directory)
    model, record = recipes.train(
        name, directory, epochs, n_train, device, seed, progress
    )
    meta = save(
        model, name, record, directory, storage=CONFIGS[name]["storage"]
    )
    (directory / f"{name}.state.pt").unlink(missing_ok=True)
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m aelib.checkpoints",
        description="Train the networks that the book ships.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    # The options every command shares.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--n-train",
        type=int,
        default=None,
        help="train on the first N images only (short runs)",
    )
    common.add_argument(
        "--dir", type=Path, default=CHECKPOINT_DIR, help="output folder"
    )
    p = sub.add_parser(
        "train",
        parents=[common],
        help="train and save checkpoints under data/checkpoints/",
    )
    p.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"any of {', '.join(sorted(CONFIGS))} (default: all)",
    )
    p.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="override the number of epochs (short runs)",
    )
    a = sub.add_parser(
        "ablate",
        parents=[common],
        help="train the short variants of a recipe; write <name>.ablation.json",
    )
    a.add_argument(
        "names",
        nargs="+",
        metavar="NAME",
        help=f"any of {', '.join(sorted(recipes.ABLATIONS))}",
    )
    args = parser.parse_args(argv)
    if args.command == "ablate":
        for name in args.names:
            if name not in recipes.ABLATIONS:
                parser.error(
                    f"no ablations for {name}; there are for "
                    f"{', '.join(sorted(recipes.ABLATIONS))}"
                )
            result = recipes.ablate(
                name, args.dir, n_train=args.n_train, progress=True
            )
            text = json.dumps(result, indent=1) + "\n"
            atomic_write(
                args.dir / f"{name}.ablation.json",
                lambda tmp: Path(tmp).write_text(text),
            )
        return
    unknown = sorted(set(args.names) - set(CONFIGS))
    if unknown:
        parser.error(
            f"unknown checkpoint {', '.join(unknown)}; the known "
            f"checkpoints are {', '.join(sorted(CONFIGS))}"
        )
    for name in args.names or sorted(CONFIGS):
        meta = train(
            name,
            args.dir,
            epochs=args.epochs,
            n_train=args.n_train,
            progress=True,
        )
        print(
            f"{name}: test figure {meta['test_error']:.4g} after "
            f"{meta['train_seconds']:.0f} s -> {args.dir / meta['file']} "
            f"(sha256 {meta['sha256'][:12]}...)",
            flush=True,
        )


if __name__ == "__main__":
    main()
