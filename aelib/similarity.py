"""Learning a similarity measure: the neighbourhood components analysis
loss (chapter 15).

NCA (Goldberger et al. 2005) learns a map x -> z = f(x) in which a point
picks a neighbour at random, with probability falling with the squared
distance,

    p_ij = exp(-||z_i - z_j||^2) / sum_{k != i} exp(-||z_i - z_k||^2),
    p_ii = 0,

and is right when the neighbour has its class. p_i = sum_{j: y_j = y_i} p_ij
is the probability that point i is classified correctly by this stochastic
nearest neighbour. Linear NCA takes f(x) = A x; nonlinear NCA (Salakhutdinov
& Hinton 2007) takes f a deep network and computes the loss over each
minibatch.
"""

from __future__ import annotations

import torch

from ._checks import (
    as_matrix,
    check_reduction,
    count,
    labels,
    number,
    one_of,
    reduce,
)

OBJECTIVES = ("error", "log")


def nca_loss(
    z: torch.Tensor,
    y: torch.Tensor,
    objective: str = "error",
    reduction: str = "mean",
) -> torch.Tensor:
    """The NCA loss of the embedded points z with labels y, over the pairs
    in the batch.

    Args:
        z: embeddings f(x), one row per example.
        y: class labels, one per row of z.
        objective: ``"error"``: 1 - p_i, the probability that the stochastic
            nearest neighbour of point i has another class (Goldberger et
            al.'s objective, negated and shifted); ``"log"``: -log p_i,
            which punishes a point with no near classmate more strongly.
        reduction: ``"mean"`` (over the batch), ``"sum"`` or ``"none"`` (one
            value per point).

    Shape:
        z: ``(batch, dim)``; y: ``(batch,)``; output: scalar, or
        ``(batch,)`` for ``"none"``.
    """
    z, y = _nca_args(z, y, objective, reduction)
    d2 = torch.cdist(z, z).pow(2)
    # A point never picks itself: -inf on the diagonal gives p_ii = 0 after
    # the softmax.
    eye = torch.eye(len(z), dtype=torch.bool, device=z.device)
    log_p = torch.log_softmax(-d2.masked_fill(eye, float("inf")), dim=1)
    same = (y[:, None] == y[None, :]) & ~eye
    if objective == "log":
        # log p_i = logsumexp over classmates; a point with no classmate in
        # the batch gets -inf, so it is left out (it carries no signal)
        # rather than making the loss infinite.
        log_p_i = torch.logsumexp(log_p.masked_fill(~same, -float("inf")), 1)
        per_point = torch.where(
            same.any(dim=1), -log_p_i, torch.zeros_like(log_p_i)
        )
    else:
        per_point = 1.0 - (log_p.exp() * same).sum(dim=1)
    return reduce(per_point, reduction)


def _nca_args(z, y, objective, reduction):
    check_reduction(reduction)
    one_of("objective", objective, OBJECTIVES)
    z = as_matrix("z", z, finite=False)
    if len(z) < 2:
        raise ValueError(
            "z needs at least 2 rows: each point's neighbours "
            f"are the other points; got {len(z)}"
        )
    return z, labels("y", y, len(z), like=z)


@torch.no_grad()
def knn_error(
    z_train: torch.Tensor,
    y_train: torch.Tensor,
    z_test: torch.Tensor,
    y_test: torch.Tensor,
    k: int = 5,
    chunk: int = 1024,
) -> float:
    """Test error of the k-nearest-neighbour classifier (Euclidean distance,
    majority vote) in a space z.

    Ties of the vote go to the smallest label (as scikit-learn's
    KNeighborsClassifier does). Runs on the device of ``z_train``, ``chunk``
    test points at a time.

    Args:
        z_train, y_train: the labelled points; labels are integers >= 0.
        z_test, y_test: the points to classify and their true labels.
        k: number of neighbours, an int in [1, n].
        chunk: test points per distance computation.

    Shape:
        z_train: ``(n, dim)``; y_train: ``(n,)``; z_test: ``(m, dim)``;
        y_test: ``(m,)``.

    Returns:
        The fraction of test points misclassified.
    """
    z_train, y_train, z_test, y_test = _knn_args(
        z_train, y_train, z_test, y_test, k, chunk
    )
    device = z_train.device
    y_train = y_train.to(device).long()  # one_hot takes int64 labels only
    n_classes = int(y_train.max()) + 1
    wrong = 0
    for s in range(0, len(z_test), chunk):
        d = torch.cdist(z_test[s : s + chunk].to(device), z_train)
        idx = d.topk(k, dim=1, largest=False).indices
        votes = torch.nn.functional.one_hot(y_train[idx], n_classes).sum(1)
        truth = y_test[s : s + chunk].cpu()
        wrong += int((votes.argmax(dim=1).cpu() != truth).sum())
    return wrong / len(z_test)


def _knn_args(z_train, y_train, z_test, y_test, k, chunk):
    z_train = as_matrix("z_train", z_train)
    z_test = as_matrix("z_test", z_test, z_train.shape[1], like=z_train)
    if z_test.dtype != z_train.dtype:
        raise TypeError(
            "z_test and z_train must have the same dtype; got "
            f"{z_test.dtype} and {z_train.dtype} (convert with "
            f"z_test.to({z_train.dtype}))"
        )
    number("k", k, low=1, high=len(z_train), integer=True)
    count(chunk=chunk)
    # one_hot needs non-negative integer labels.
    y_train = labels("y_train", y_train, len(z_train), integer=True)
    y_test = labels("y_test", y_test, len(z_test), integer=True)
    return z_train, y_train, z_test, y_test
