"""The benchmark appendix: how close the book's code is to this machine's
limits and to the papers.

``make bench`` (``python -m aelib.bench``) measures, in one run, ratios that
hold on a noisy machine because both sides are timed together, interleaved:

1. ``aelib.fit`` against a plain PyTorch loop on the 784-1000-500-250-30
   autoencoder at batch 256, and the training step's arithmetic rate against
   a float32 matrix product;
2. the closed-form contractive penalty against the autograd Jacobian;
3. the PSD predictor against FISTA run to the optimum;
4. semantic-hashing queries against a brute-force scan at 10^4, 10^5, 10^6
   codes;
5. what each speed-up of the chapters buys, both ways timed together;
6. each chapter's execution time, read from the book's execution cache, and
   scaled to a quiet machine by the yardstick that make test measured beside
   it (``yardstick``: the plain loop of 1.);
7. the published numbers the book reproduces, beside the book's own values.

It writes ``chapters/appendix/benchmark_results.md`` (included by the
appendix page) and ``chapters/appendix/benchmark_results.json``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .timing import best_time

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "chapters" / "appendix"
CACHE = ROOT / "_build" / ".jupyter_cache"


def matmul_rate(n: int = 2048, dtype: torch.dtype = torch.float32) -> float:
    """FLOP/s of an n x n matrix product in ``dtype`` on this machine (best of
    several): the yardstick of a training step in the same precision."""
    # F.linear, the product a layer computes: on some CPUs torch.mm has no
    # fast bfloat16 kernel (seen here: 0.3 GFLOP/s) while F.linear does.
    a, w = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    F.linear(a, w)
    return 2 * n**3 / best_time(lambda: F.linear(a, w), repeat=8)


# The deep autoencoder of chapter 11 and the FLOPs of one training sample:
# forward 2 and backward 4 per weight, encoder and decoder.
DEEP_SIZES = (784, 1000, 500, 250, 30)
DEEP_FLOPS_PER_SAMPLE = (
    6 * 2 * sum(a * b for a, b in zip(DEEP_SIZES[:-1], DEEP_SIZES[1:]))
)


def precision_speed(
    n_samples: int = 12800,
    rounds: int = 3,
    batches=(512, 2048),
    matmul_n: int = 2048,
) -> dict:
    """aelib.fit in fp32 (batch 256) against fit(precision="bf16") at the
    checkpoints' batch sizes, interleaved, each step's FLOP rate set against
    the matrix-product rate of its precision.

    Args:
        n_samples: training images per measured epoch.
        rounds: interleaved repetitions (the median is reported).
        batches: the bf16 batch sizes to measure.
        matmul_n: the size of the yardstick's matrix product.
    """
    import aelib
    from aelib.data import load_mnist
    from aelib.deep import DeepAutoencoder, Logits
    from aelib.losses import cross_entropy_logits

    x = load_mnist("train")[0][:n_samples]

    def rate(precision, batch_size):
        return aelib.fit(
            Logits(DeepAutoencoder(DEEP_SIZES)),
            x,
            cross_entropy_logits,
            epochs=1,
            batch_size=batch_size,
            lr=1e-3,
            device="cpu",
            precision=precision,
            progress=False,
        ).samples_per_s

    runs = [("fp32", 256)] + [("bf16", b) for b in batches]
    rate(*runs[0]), rate(*runs[1])  # warm-up of both kernels
    samples = {run: [] for run in runs}
    for _ in range(rounds):
        for run in runs:
            samples[run].append(rate(*run))
    peak = {
        "fp32": matmul_rate(matmul_n),
        "bf16": matmul_rate(matmul_n, dtype=torch.bfloat16),
    }
    rows = []
    for (precision, batch), values in samples.items():
        per_s = statistics.median(values)
        flops = per_s * DEEP_FLOPS_PER_SAMPLE
        rows.append(
            {
                "precision": precision,
                "batch_size": batch,
                "samples_per_s": per_s,
                "train_gflops": flops / 1e9,
                "matmul_gflops": peak[precision] / 1e9,
                "train_over_matmul": flops / peak[precision],
            }
        )
    fp32 = rows[0]["samples_per_s"]
    for row in rows:
        row["over_fp32"] = row["samples_per_s"] / fp32
    return {"rows": rows, "bf16_matmul_over_fp32": peak["bf16"] / peak["fp32"]}


def _plain_loop(model, x, batch_size: int = 256) -> float:
    """Samples per second of one epoch of the plainest PyTorch training loop
    over ``x``: the yardstick of ``fit`` and of the chapters' times."""
    # The same fused Adam that fit uses: the ratio measures fit itself.
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    start = time.perf_counter()
    perm = torch.randperm(len(x))
    for i in range(0, len(x), batch_size):
        xb = x[perm[i : i + batch_size]]
        opt.zero_grad(set_to_none=True)
        a_hat = model.decode_logits(model.encode(xb))
        F.binary_cross_entropy_with_logits(a_hat, xb, reduction="none").sum(
            1
        ).mean().backward()
        opt.step()
    return len(x) / (time.perf_counter() - start)


# The plain loop's samples per second on a quiet machine of this kind (the
# performance issue's measurement, 784-1000-500-250-30 at batch 256, fp32):
# the chapters' times are scaled to it, so that a loaded machine does not
# read as a slow book.
QUIET_PLAIN_SAMPLES_PER_S = 6700.0


def yardstick(n_samples: int = 5120, rounds: int = 2) -> float:
    """The plain loop's samples per second now (best of ``rounds`` epochs of
    ``n_samples`` digits, after a warm-up): how fast this machine is at the
    moment of a measurement, taken beside the chapters' times
    (tests/nbval_cache.py) and in make bench."""
    from aelib.data import load_mnist
    from aelib.deep import DeepAutoencoder

    torch.manual_seed(0)
    x = load_mnist("train")[0][:n_samples]
    _plain_loop(DeepAutoencoder(DEEP_SIZES), x[:1024])  # warm-up
    return max(
        _plain_loop(DeepAutoencoder(DEEP_SIZES), x) for _ in range(rounds)
    )


def fit_against_plain_loop(n_samples: int = 12800, rounds: int = 3) -> dict:
    """Samples per second of aelib.fit and of a plain loop on the same model,
    interleaved."""
    import aelib
    from aelib.data import load_mnist
    from aelib.deep import DeepAutoencoder, Logits
    from aelib.losses import cross_entropy_logits

    x = load_mnist("train")[0][:n_samples]

    def with_fit(model):
        return aelib.fit(
            Logits(model),
            x,
            cross_entropy_logits,
            epochs=1,
            batch_size=256,
            lr=1e-3,
            device="cpu",
            progress=False,
        ).samples_per_s

    _plain_loop(DeepAutoencoder(DEEP_SIZES), x)  # warm-up
    plain_rates, fit_rates = [], []
    for _ in range(rounds):
        plain_rates.append(_plain_loop(DeepAutoencoder(DEEP_SIZES), x))
        fit_rates.append(with_fit(DeepAutoencoder(DEEP_SIZES)))
    flops_per_sample = DEEP_FLOPS_PER_SAMPLE
    rate = matmul_rate()
    fit_rate = statistics.median(fit_rates)
    return {
        "plain_samples_per_s": statistics.median(plain_rates),
        "fit_samples_per_s": fit_rate,
        "fit_over_plain": fit_rate / statistics.median(plain_rates),
        "matmul_gflops": rate / 1e9,
        "train_gflops": fit_rate * flops_per_sample / 1e9,
        "train_over_matmul": fit_rate * flops_per_sample / rate,
    }


def _pair(before, after, repeat: int = 5, number: int = 1) -> tuple:
    """Seconds per call of two ways to compute the same thing, timed
    alternately (best of ``repeat``)."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for i, fn in enumerate((before, after)):
            best[i] = min(best[i], best_time(fn, repeat=1, number=number))
    return best[0], best[1]


def speedups() -> list[dict]:
    """What each speed-up of the chapters buys, both ways timed in this run.

    Each row: ``change``, ``before_ms``, ``after_ms``, ``ratio`` (before /
    after) and ``where`` (the chapters that gain).
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from . import retrieval, sparse
    from ._checks import _finite
    from .data import load_mnist

    x, y = load_mnist("train")
    rows = []

    def row(change, where, before, after, repeat=5, number=1):
        b, a = _pair(before, after, repeat, number)
        rows.append(
            {
                "change": change,
                "where": where,
                "before_ms": 1e3 * b,
                "after_ms": 1e3 * a,
                "ratio": b / a,
            }
        )

    batch = x[:256]
    row(
        "finite check of one batch of 256 digits: "
        "isfinite(x).all() -> one aminmax",
        "every loss call in training",
        lambda: bool(torch.isfinite(batch).all()),
        lambda: _finite(batch),
        number=200,
    )
    row(
        "the same check of the 60,000 training digits",
        "04 (full-batch L-BFGS)",
        lambda: bool(torch.isfinite(x).all()),
        lambda: _finite(x),
    )
    x_hat = x.flip(0).requires_grad_()

    def formula():
        ((x_hat - x) ** 2).sum(1).mean().backward()

    def fused():
        (F.mse_loss(x_hat, x, reduction="sum") / len(x)).backward()

    row(
        "squared error of 60,000 digits, forward and backward: "
        "formula -> fused mse_loss",
        "04 (full-batch L-BFGS)",
        formula,
        fused,
        repeat=3,
    )
    x_fit = x[:2000]
    a_hat = torch.logit(x.flip(0)[:2000].clamp(0.01, 0.99)).requires_grad_()

    def from_probabilities():
        p = torch.sigmoid(a_hat)
        F.binary_cross_entropy(p, x_fit, reduction="none").sum(
            1
        ).mean().backward()

    def from_logits():
        F.binary_cross_entropy_with_logits(a_hat, x_fit, reduction="none").sum(
            1
        ).mean().backward()

    row(
        "cross-entropy of 2,000 digits, forward and backward: from "
        "probabilities -> from logits (Logits)",
        "08 (full-batch L-BFGS)",
        from_probabilities,
        from_logits,
        number=5,
    )
    # Chapter 12's size: 2,168 queries, 5,141 stories, 8 topics.
    rng = np.random.default_rng(0)
    d = rng.random((2168, 5141)).astype(np.float32)
    ql, dl = rng.integers(0, 8, 2168), rng.integers(0, 8, 5141)

    def each():
        retrieval.precision_recall(d, ql, dl)
        retrieval.mean_average_precision(d, ql, dl)
        retrieval.precision_at_k(d, ql, dl, 10)

    row(
        "curve, mAP and P@10 of 2,168 x 5,141 distances: "
        "a sort each -> one sort",
        "12, 13",
        each,
        lambda: retrieval.ranking_measures(d, ql, dl, k=10),
        repeat=2,
    )
    # A PSD training batch of chapter 09: 256 patches, 128 atoms, 50 steps.
    g = torch.Generator().manual_seed(0)
    D = torch.randn(64, 128, generator=g)
    D = D / D.norm(dim=0)
    patches = torch.randn(256, 64, generator=g)

    def textbook_fista(n_iter=50, lam=0.7):
        # The step as the formula reads, the threshold as sign(v) max(|v|-t, 0)
        L = sparse.lipschitz(D)
        DtD, xD = D.t() @ D, patches @ D
        z = y_ = torch.zeros(256, 128)
        t = 1.0
        for _ in range(n_iter):
            v = y_ - (y_ @ DtD - xD) / L
            z_new = torch.sign(v) * torch.clamp(v.abs() - lam / L, min=0)
            t_new = (1.0 + (1.0 + 4.0 * t * t) ** 0.5) / 2.0
            y_ = z_new + ((t - 1.0) / t_new) * (z_new - z)
            z, t = z_new, t_new
        return z

    row(
        "50 FISTA steps on 256 patches, 128 atoms: the formula -> one fused "
        "product and a two-pass threshold",
        "09 (PSD training)",
        textbook_fista,
        lambda: sparse.fista(patches, D, 0.7, n_iter=50),
        number=5,
    )
    x_probe, y_probe = x[:5000].numpy(), y[:5000].numpy()

    def probe(threads):
        def fit():
            with threadpool_limits(threads):
                LogisticRegression(max_iter=100).fit(x_probe, y_probe)

        return fit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        row(
            "logistic-regression probe, 5,000 digits x 784 pixels, 100 "
            "L-BFGS steps: 2 BLAS threads -> 1",
            "03, 06",
            probe(None),
            probe(1),
            repeat=2,
        )
    return rows


def contractive_speed(
    batch: int = 256, n_visible: int = 784, n_hidden: int = 500
) -> dict:
    """Closed-form ||J_h(x)||_F^2 against the autograd Jacobian: same values,
    speed ratio."""
    from aelib.losses import contractive_penalty
    from aelib.models import Autoencoder

    model = Autoencoder(n_visible, n_hidden)
    x = torch.rand(batch, n_visible)

    def closed():
        return contractive_penalty(model.encode(x), model.W)

    def autograd():
        jac = torch.func.vmap(
            torch.func.jacrev(lambda v: model.encode(v[None])[0])
        )(x)
        return (jac**2).sum((1, 2))

    with torch.no_grad():
        gap = (closed() - autograd()).abs().max().item()
    t_closed = best_time(lambda: closed(), 10)
    t_auto = best_time(lambda: autograd(), 3)
    return {
        "max_abs_difference": gap,
        "closed_form_ms": 1e3 * t_closed,
        "autograd_ms": 1e3 * t_auto,
        "speedup": t_auto / t_closed,
    }


def _whitened_patches(n_train: int, n_test: int, size: int):
    """Chapter 09's data: natural patches, mean removed, the more contrasted
    half kept, ZCA-whitened on the training part."""
    from aelib import linear
    from aelib.data import load_natural_patches

    raw = load_natural_patches(2 * (n_train + n_test), size=size, seed=0)
    raw = raw.double()
    raw = raw - raw.mean(dim=1, keepdim=True)
    contrast = raw.norm(dim=1)
    patches = raw[contrast >= contrast.median()][: n_train + n_test]
    train, test = patches[:n_train], patches[n_train:]
    mu, zca = linear.zca(train)
    return ((train - mu) @ zca).float(), ((test - mu) @ zca).float()


def psd_speed(
    size: int = 12,
    n_code: int = 256,
    lam: float = 0.7,
    epochs: int = 5,
    n_test: int = 2000,
    per_patch: int = 100,
) -> dict:
    """PSD's predictor against the sparse-coding solvers at the paper's
    size (12x12 patches, 256 atoms; chapter 09 uses 8x8 and 128).

    Each solver runs to the optimum: FISTA for as many steps as bring the
    mean objective within 0.1% of the minimum, scikit-learn's coordinate
    descent (``lasso_cd``) and LARS (``lasso_lars``, exact) through
    ``sparse_encode`` at their defaults; the objective each reaches is in
    its row. Timed on the whole test set at once (``batch``) and one patch
    at a time (``per_patch``, the first ``per_patch`` patches).
    """
    from sklearn.decomposition import sparse_encode

    from aelib import sparse
    from aelib.psd import PSD, train_psd

    torch.manual_seed(0)
    x_train, x_test = _whitened_patches(20_000, n_test, size)
    model = PSD(size * size, n_code, lam=lam, alpha=1.0)
    train_psd(
        model, x_train, epochs=epochs, batch_size=256, lr=3e-3, device="cpu"
    )
    D = model.D.detach()
    L = sparse.lipschitz(D)  # computed once: FISTA's fastest use
    with torch.no_grad():
        _, trace = sparse.fista(x_test, D, lam, n_iter=2000, history=True)
    e_star = min(trace)
    steps = int(np.argmax(np.array(trace) <= e_star * 1.001)) + 1
    # scikit-learn: one row per patch, the atoms as rows of the dictionary.
    d_np = D.double().T.numpy()

    def objective(z):
        z = torch.as_tensor(np.asarray(z), dtype=torch.float64)
        return sparse.lasso_objective(
            x_test.double(), D.double(), z, lam, "mean"
        ).item()

    solvers = {
        "PSD predictor F(x)": lambda x: model.encode(torch.from_numpy(x)),
        "FISTA": lambda x: sparse.fista(
            torch.from_numpy(x), D, lam, n_iter=steps, L=L
        ),
        "coordinate descent": lambda x: sparse_encode(
            x.astype(np.float64), d_np, algorithm="lasso_cd", alpha=lam
        ),
        "LARS": lambda x: sparse_encode(
            x.astype(np.float64), d_np, algorithm="lasso_lars", alpha=lam
        ),
    }
    x32 = x_test.numpy()
    one = [x32[i : i + 1] for i in range(per_patch)]
    rows = []
    with torch.no_grad():
        for name, solve in solvers.items():
            # The slow solvers once, the fast ones several times: best of.
            fast = name in ("PSD predictor F(x)", "FISTA")
            batch = best_time(lambda: solve(x32), 10 if fast else 1, warmup=1)
            single = best_time(
                lambda: [solve(x) for x in one], 3 if fast else 1, warmup=1
            )
            rows.append(
                {
                    "solver": name,
                    "objective": objective(solve(x32)),
                    "batch_ms": 1e3 * batch,
                    "per_patch_us": 1e6 * single / per_patch,
                }
            )
    pred, others = rows[0], rows[1:]
    for r in rows:
        r["batch_over_predictor"] = r["batch_ms"] / pred["batch_ms"]
        r["per_patch_over_predictor"] = r["per_patch_us"] / pred["per_patch_us"]
    return {
        "setting": f"{size}x{size} patches, {n_code} atoms, lam {lam}, "
        f"{n_test} test patches",
        "optimal_objective": e_star,
        "fista_iterations_to_optimum": steps,
        "rows": rows,
        # Against the fastest solver in each mode, and the smaller of the two.
        "batch_speedup": min(r["batch_over_predictor"] for r in others),
        "per_patch_speedup": min(r["per_patch_over_predictor"] for r in others),
        "speedup": min(
            min(r["batch_over_predictor"] for r in others),
            min(r["per_patch_over_predictor"] for r in others),
        ),
    }


def hashing_speed(
    bits: int = 20,
    radius: int = 2,
    sizes=(10**4, 10**5, 10**6),
    queries: int = 200,
) -> list[dict]:
    """Query time of the semantic-hashing table against a brute-force scan as
    the collection grows."""
    from aelib.retrieval import SemanticHashTable

    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        codes = rng.integers(0, 2, size=(n, bits), dtype=np.uint8)
        table = SemanticHashTable(codes)
        qs = codes[rng.integers(0, n, size=queries)]
        for q in qs[:5]:
            assert set(table.query(q, radius).tolist()) == set(
                table.scan(q, radius).tolist()
            )
        t_hash = (
            best_time(lambda: [table.query(q, radius) for q in qs], 3) / queries
        )
        t_scan = (
            best_time(lambda: [table.scan(q, radius) for q in qs[:50]], 3) / 50
        )
        rows.append(
            {
                "codes": n,
                "hash_query_us": 1e6 * t_hash,
                "scan_us": 1e6 * t_scan,
                "speedup": t_scan / t_hash,
            }
        )
    return rows


def _cache_dir(cache: Path | None = None) -> Path:
    return Path(cache or os.environ.get("AELIB_BENCH_CACHE") or CACHE)


def _latest_records(cache: Path | None = None) -> dict[str, object]:
    """The newest record of each chapter notebook in a book's jupyter-cache,
    by path under chapters/."""
    cache = _cache_dir(cache)
    if not cache.is_dir():
        return {}
    from jupyter_cache import get_cache

    latest: dict[str, object] = {}
    for record in get_cache(str(cache)).list_cache_records():
        parts = Path(record.uri).parts
        if "chapters" not in parts:
            continue
        name = "/".join(parts[parts.index("chapters") :])
        if name not in latest or record.created > latest[name].created:
            latest[name] = record
    return latest


def chapter_times(cache: Path | None = None) -> list[dict]:
    """Execution time of each notebook, from a book's jupyter-cache (filled by
    make test / make book), with the machine's speed measured beside it.

    Each row: ``notebook``, ``seconds``, ``finished`` (a timestamp) and
    ``plain_samples_per_s``: the machine's speed during the notebook,
    interpolated between the yardsticks make test timed before and after the
    notebooks (None for a notebook executed by the book build).

    Args:
        cache: the cache folder; default ``_build/.jupyter_cache``, or
            ``$AELIB_BENCH_CACHE``.
    """
    rows = [
        {
            "notebook": name,
            "seconds": record.data.get("execution_seconds"),
            "plain_samples_per_s": record.data.get("plain_samples_per_s"),
            "finished": record.created.timestamp(),
        }
        for name, record in _latest_records(cache).items()
    ]
    rows = [r for r in rows if r["seconds"] is not None]
    _interpolate_speed(rows, session_yardstick(cache))
    return sorted(rows, key=lambda r: r["notebook"])


def _interpolate_speed(rows: list[dict], session: dict) -> None:
    """Give each notebook that make test ran the machine's speed at its
    middle, interpolated between the yardsticks timed before the first
    notebook and after the last (the load can change within a run)."""
    timed = [r for r in rows if r["plain_samples_per_s"] is not None]
    if not timed or "start" not in session or "end" not in session:
        return
    first = min(r["finished"] - r["seconds"] for r in timed)
    last = max(r["finished"] for r in timed)
    for r in timed:
        middle = r["finished"] - r["seconds"] / 2
        share = (middle - first) / max(last - first, 1e-9)
        r["plain_samples_per_s"] = session["start"] + share * (
            session["end"] - session["start"]
        )


def session_yardstick(cache: Path | None = None) -> dict:
    """The yardstick make test measured before and after the notebooks
    (``{"start": ..., "end": ...}`` samples per second), or {}."""
    path = _cache_dir(cache) / "yardstick.json"
    return json.loads(path.read_text()) if path.is_file() else {}


# The performance budget: each chapter, and the chapters together.
CHAPTER_BUDGET_S = 45.0
BOOK_BUDGET_S = 300.0


def chapter_budget(rows: list[dict], plain_samples_per_s: float) -> dict:
    """The chapters' times against the budget, raw and scaled to a quiet
    machine.

    A notebook's time is scaled by its yardstick (``chapter_times``: the
    speed at its middle, between those timed before and after the notebooks;
    where it has none, ``plain_samples_per_s``, this run's) over
    ``QUIET_PLAIN_SAMPLES_PER_S``: on a machine running at half speed, 80 s
    count as 40.

    Returns:
        The rows with ``normalised`` seconds added, and the totals of the
        chapters and of the assignments, raw and normalised.
    """
    out = []
    for r in rows:
        speed = r.get("plain_samples_per_s") or plain_samples_per_s
        out.append(
            dict(r, normalised=r["seconds"] * speed / QUIET_PLAIN_SAMPLES_PER_S)
        )
    chapters = [r for r in out if "/assignments/" not in r["notebook"]]
    assignments = [r for r in out if "/assignments/" in r["notebook"]]
    return {
        "rows": out,
        "chapters_s": sum(r["seconds"] for r in chapters),
        "chapters_normalised": sum(r["normalised"] for r in chapters),
        "assignments_s": sum(r["seconds"] for r in assignments),
        "assignments_normalised": sum(r["normalised"] for r in assignments),
        "over_budget": [
            r["notebook"] for r in chapters if r["seconds"] > CHAPTER_BUDGET_S
        ],
    }


def _number(text: str) -> float:
    """A glued scalar's text: ``0.815`` or numpy's ``np.float64(0.815)``."""
    wrapped = re.fullmatch(r"np\.\w+\((.*)\)", text.strip())
    return float(wrapped.group(1) if wrapped else text)


def glued_values(cache: Path | None = None) -> dict[str, dict]:
    """Every number a chapter stored with ``myst_nb.glue``, from the executed
    notebooks in the cache (glued text that is not a number is left out).

    The chapters glue the values their asserts check, so the reproduction
    table shows what the last execution of the book measured, not a copy.

    Returns:
        ``{name: {"value": float, "notebook": "chapters/..."}}``.
    """
    cache = _cache_dir(cache)
    records = _latest_records(cache)
    if not records:
        return {}
    from jupyter_cache import get_cache

    store = get_cache(str(cache))
    values = {}
    for name, record in records.items():
        nb = store.get_cache_bundle(record.pk).nb
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                key = (
                    output.get("metadata", {}).get("scrapbook", {}).get("name")
                )
                text = next(
                    (
                        v
                        for k, v in output.get("data", {}).items()
                        if k.endswith("text/plain")
                    ),
                    None,
                )
                if key is None or text is None:
                    continue
                try:
                    value = _number(text)
                except ValueError:
                    # A glued word or formatted string (chapter 14 glues
                    # "55,000"): no number for the table.
                    continue
                values[key] = {"value": value, "notebook": name}
    return values


# What the papers report, and which glued value of which chapter reproduces
# it. "paper" is a number when the paper prints one; otherwise the paper's
# claim in words and "holds" tells whether the book's value agrees with it.
PUBLISHED = [
    {
        "result": "PCA, 30 components: MNIST test squared error per image",
        "cite": "hinton2006reducing",
        "paper": 13.87,
        "glue": "mnist_pca30_error",
        "format": ".2f",
    },
    {
        "result": "deep autoencoder 784-1000-500-250-30: MNIST test squared "
        "error per image",
        "cite": "hinton2006reducing",
        "paper": 3.00,
        "glue": "mnist_deep_error",
        "format": ".2f",
    },
    {
        "result": "faces: deep autoencoder / PCA, squared error on held-out "
        "people (paper Olivetti 625-2000-1000-500-30, 126 / 135; "
        "book 25x25 LFW crops)",
        "cite": "hinton2006reducing",
        "paper": 126 / 135,
        "glue": "faces_ae_over_pca_new_people",
        "format": ".2f",
    },
    {
        "result": "pretrained deep classifier, MNIST test error "
        "(paper 784-500-500-2000-10; "
        "book 784-500-500-10, 2 epochs of denoising pretraining)",
        "cite": "hinton2006reducing",
        "paper": 0.012,
        "glue": "stacked_error_pretrained",
        "format": ".2%",
    },
    {
        "result": "the same network from a random initialisation, "
        "MNIST test error",
        "cite": "hinton2006reducing",
        "paper": 0.016,
        "glue": "stacked_error_random_init",
        "format": ".2%",
    },
    {
        "result": "784-500-500-2000-10, denoising-pretrained and fine-tuned "
        "(shipped checkpoint), MNIST test error",
        "cite": "hinton2006reducing",
        "paper": 0.012,
        "glue": "full_error_pretrained",
        "format": ".2%",
    },
    {
        "result": "the same network from random weights, same budget",
        "cite": "hinton2006reducing",
        "paper": 0.016,
        "glue": "full_error_random",
        "format": ".2%",
    },
    {
        "result": "nonlinear NCA, 30-D codes, 5-NN MNIST test error",
        "cite": "salakhutdinov2007nonlinear",
        "paper": 0.01,
        "glue": "nca_full_error",
        "format": ".2%",
    },
    {
        "result": "trained linear autoencoder (k = 30) / SVD optimum, "
        "squared error",
        "cite": "baldi1989neural",
        "paper": 1.0,
        "glue": "linear_ae_over_svd",
        "format": ".4f",
    },
    {
        "result": "document retrieval: 10-D autoencoder codes / 10-D LSA, "
        "mean average precision",
        "cite": "hinton2006reducing",
        "paper": "codes beat LSA (> 1)",
        "glue": "retrieval_ae_over_lsa",
        "format": ".2f",
        "holds": lambda v: v > 1,
    },
    {
        "result": "semantic hashing then TF-IDF / TF-IDF alone, "
        "mean average precision",
        "cite": "salakhutdinov2009semantic",
        "paper": "more accurate (> 1)",
        "glue": "hashing_then_tfidf_over_tfidf",
        "format": ".2f",
        "holds": lambda v: v > 1,
    },
]


def reproduction(
    glued: dict | None = None, psd: dict | None = None
) -> list[dict]:
    """Published numbers beside the book's own: glued by the chapters, or
    measured in this run (PSD).

    Args:
        glued: the chapters' glued values (default: read from the book's
            execution cache).
        psd: this run's :func:`psd_speed` result, for the PSD row.
    """
    glued = glued_values() if glued is None else glued
    rows = []
    for spec in PUBLISHED:
        found = glued.get(spec["glue"])
        row = {
            "result": spec["result"],
            "cite": spec["cite"],
            "paper": spec["paper"],
            "book": None,
            "chapter": None,
            "ratio": None,
            "format": spec["format"],
        }
        if found is None:
            row["missing"] = (
                "not in the execution cache: "
                "run `make book` (or `make test`) first"
            )
        else:
            row["book"], row["chapter"] = found["value"], found["notebook"]
            if isinstance(spec["paper"], str):
                row["holds"] = spec["holds"](found["value"])
            else:
                row["ratio"] = found["value"] / spec["paper"]
        rows.append(row)
    deep, pca = glued.get("mnist_deep_error"), glued.get("mnist_pca30_error")
    if deep and pca:
        rows.insert(
            2,
            {
                "result": "deep autoencoder / PCA (the paper's 3.00 / 13.87)",
                "cite": "hinton2006reducing",
                "paper": 3.00 / 13.87,
                "book": deep["value"] / pca["value"],
                "chapter": deep["notebook"],
                "ratio": deep["value"] / pca["value"] / (3.00 / 13.87),
                "format": ".3f",
            },
        )
    if psd is not None:
        rows.append(
            {
                "result": "PSD: sparse-coding inference time / predictor time "
                "(this run's benchmark)",
                "cite": "kavukcuoglu2008fast",
                "paper": "over 100 times faster (> 100)",
                "book": psd["speedup"],
                "chapter": "chapters/09_predictive_sparse_decomposition.ipynb",
                "ratio": None,
                "format": ".0f",
                "holds": psd["speedup"] > 100,
            }
        )
    return rows


def _table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    head = (
        "| "
        + " | ".join(c[1] for c in columns)
        + " |\n|"
        + "---|" * len(columns)
        + "\n"
    )
    body = ""
    for r in rows:
        body += (
            "| "
            + " | ".join(
                ("" if r.get(k) is None else format(r[k], f))
                for k, _, f in columns
            )
            + " |\n"
        )
    return head + body


def run() -> dict:
    torch.manual_seed(0)
    started = time.perf_counter()
    results = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        "fit": fit_against_plain_loop(),
        "precision": precision_speed(),
        "contractive": contractive_speed(),
        "psd": psd_speed(),
        "hashing": hashing_speed(),
        "speedups": speedups(),
        "yardstick": yardstick(),
        "chapters": chapter_times(),
        "chapters_yardstick": session_yardstick(),
    }
    results["budget"] = chapter_budget(
        results["chapters"], results["yardstick"]
    )
    results["reproduction"] = reproduction(psd=results["psd"])
    results["bench_seconds"] = time.perf_counter() - started
    return results


def to_markdown(r: dict) -> str:
    fit, con, psd = r["fit"], r["contractive"], r["psd"]
    lines = [
        f"*Measured {r['date']} on {r['machine']}, by `make bench` in "
        f"{r['bench_seconds']:.0f} s.*\n",
        "## Training loop\n",
        _table(
            [
                {
                    "what": "aelib.fit / plain PyTorch loop (samples/s)",
                    "value": fit["fit_over_plain"],
                    "detail": f"{fit['fit_samples_per_s']:,.0f} vs "
                    f"{fit['plain_samples_per_s']:,.0f}",
                },
                {
                    "what": "training step / float32 matrix product (FLOP/s)",
                    "value": fit["train_over_matmul"],
                    "detail": f"{fit['train_gflops']:.0f} vs "
                    f"{fit['matmul_gflops']:.0f} GFLOP/s",
                },
                {
                    "what": "contractive penalty: autograd Jacobian / "
                    "closed form (time)",
                    "value": con["speedup"],
                    "detail": f"{con['autograd_ms']:.1f} ms vs "
                    f"{con['closed_form_ms']:.2f} ms, max difference "
                    f"{con['max_abs_difference']:.1e}",
                },
            ],
            [
                ("what", "measurement", "s"),
                ("value", "ratio", ".2f"),
                ("detail", "values", "s"),
            ],
        ),
        "## Precision: float32 against bfloat16 autocast\n",
        "The deep autoencoder of chapter 11, one epoch of `aelib.fit` each, "
        "interleaved; a step's FLOP rate is set against the matrix-product "
        f"rate of its own precision (bf16 matrix products run "
        f"{r['precision']['bf16_matmul_over_fp32']:.1f} times as fast as "
        "fp32 here).\n",
        _table(
            r["precision"]["rows"],
            [
                ("precision", "precision", "s"),
                ("batch_size", "batch", "d"),
                ("samples_per_s", "samples/s", ",.0f"),
                ("over_fp32", "/ fp32 at 256", ".2f"),
                ("train_gflops", "step GFLOP/s", ".0f"),
                ("matmul_gflops", "matmul GFLOP/s", ".0f"),
                ("train_over_matmul", "step / matmul", ".2f"),
            ],
        ),
        "## PSD at the paper's size: the predictor against the solvers\n",
        f"{psd['setting']}; FISTA runs "
        f"{psd['fista_iterations_to_optimum']} steps, to within 0.1% of the "
        f"minimum {psd['optimal_objective']:.3f}. The predictor is "
        f"{psd['batch_speedup']:.0f} times faster than the fastest solver on "
        f"the whole set and {psd['per_patch_speedup']:.0f} times one patch at "
        "a time (the paper: over 100 times).\n",
        _table(
            psd["rows"],
            [
                ("solver", "code", "s"),
                ("objective", "objective", ".3f"),
                ("batch_ms", "all patches (ms)", ".1f"),
                ("batch_over_predictor", "/ predictor", ".0f"),
                ("per_patch_us", "one patch (µs)", ".0f"),
                ("per_patch_over_predictor", "/ predictor", ".0f"),
            ],
        ),
        "## Semantic hashing against a scan (20-bit codes, radius 2)\n",
        _table(
            r["hashing"],
            [
                ("codes", "codes", ","),
                ("hash_query_us", "hash query (µs)", ".1f"),
                ("scan_us", "scan (µs)", ".1f"),
                ("speedup", "scan / hash", ".0f"),
            ],
        ),
        "## What each speed-up buys\n",
        "Both ways of computing the same thing, timed alternately in this "
        "run.\n",
        _table(
            r["speedups"],
            [
                ("change", "change", "s"),
                ("where", "chapters", "s"),
                ("before_ms", "before (ms)", ".2f"),
                ("after_ms", "after (ms)", ".2f"),
                ("ratio", "before / after", ".1f"),
            ],
        ),
        _chapter_section(r),
        "## Published results and the book's\n",
        "Each book value is the one the chapter's own assert checked in its "
        "last execution "
        "(stored with `myst_nb.glue`), except the PSD row, measured above.\n",
        _reproduction_table(r["reproduction"]),
    ]
    return "\n".join(lines)


def _chapter_section(r: dict) -> str:
    b = r["budget"]
    start = r["chapters_yardstick"].get("start")
    end = r["chapters_yardstick"].get("end")
    speed = (
        f"the plain loop ran at {start:,.0f} samples/s before the notebooks "
        f"and {end:,.0f} after"
        if start and end
        else "no yardstick was stored with the notebooks; this run's, "
        f"{r['yardstick']:,.0f} samples/s, stands in"
    )
    over = ", ".join(Path(n).stem for n in b["over_budget"]) or "none"
    lines = [
        f"## Chapter execution times (budget {CHAPTER_BUDGET_S:.0f} s each, "
        f"{BOOK_BUDGET_S:.0f} s in all)\n",
        "From the last execution of each notebook (make test). The machine's "
        f"speed moves with its load: {speed}, against "
        f"{QUIET_PLAIN_SAMPLES_PER_S:,.0f} on a quiet machine; the "
        "normalised column scales each time to that speed, interpolated to "
        "the middle of the notebook's run.\n",
        _table(
            b["rows"],
            [
                ("notebook", "notebook", "s"),
                ("seconds", "seconds", ".1f"),
                ("normalised", "normalised (s)", ".1f"),
            ],
        )
        + f"| **chapters** | **{b['chapters_s']:.0f}** | "
        f"**{b['chapters_normalised']:.0f}** |\n"
        + f"| **assignments** | **{b['assignments_s']:.0f}** | "
        f"**{b['assignments_normalised']:.0f}** |\n",
        f"Chapters over {CHAPTER_BUDGET_S:.0f} s: {over}. The chapters "
        f"together: {b['chapters_s']:.0f} s "
        f"({b['chapters_normalised']:.0f} s normalised) against "
        f"{BOOK_BUDGET_S:.0f} s.\n",
    ]
    return "\n".join(lines)


def _reproduction_table(rows: list[dict]) -> str:
    lines = [
        "| result | paper | book | book / paper | chapter |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        paper = (
            r["paper"]
            if isinstance(r["paper"], str)
            else format(r["paper"], r["format"])
        )
        if r["book"] is None:
            book, verdict = r.get("missing", "missing"), ""
        else:
            book = format(r["book"], r["format"])
            verdict = (
                f"{r['ratio']:.2f}"
                if r["ratio"] is not None
                else ("holds" if r.get("holds") else "**does not hold**")
            )
        chapter = (
            f"{{doc}}`../{Path(r['chapter']).stem}`" if r["chapter"] else ""
        )
        lines.append(
            f"| {r['result']} {{cite:p}}`{r['cite']}` | {paper} | {book} | "
            f"{verdict} | {chapter} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    results = run()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "benchmark_results.json").write_text(
        json.dumps(results, indent=1)
    )
    (OUT_DIR / "benchmark_results.md").write_text(to_markdown(results))
    print(to_markdown(results))
    if results["fit"]["fit_over_plain"] < 0.95:
        raise SystemExit(
            f"aelib.fit reaches only {results['fit']['fit_over_plain']:.2f} "
            "of the plain loop (< 0.95)"
        )


if __name__ == "__main__":
    main()
