"""The document model: counts checked at the door, the input transform, the
code noise only in training, and the shipped Reuters networks' contract."""

import numpy as np
import pytest
import torch

from aelib import checkpoints as C
from aelib import documents, hashing, losses
from aelib.deep import Logits


def counts(n=4, words=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 5, (n, words), generator=g).float()


@pytest.mark.parametrize(
    "bad, match",
    [
        (torch.tensor([[1.0, -1.0, 0.0]]), "word counts \\(>= 0\\)"),
        (torch.tensor([[1.0, 0.5, 0.0]]), "whole word counts"),
        (torch.ones(2, 4), "3-word vocabulary"),
        (torch.tensor([[1.0, float("nan"), 0.0]]), "x"),
    ],
)
def test_check_counts_names_the_problem_and_the_fix(bad, match):
    with pytest.raises(ValueError, match=match):
        documents.check_counts(bad, 3)


def test_check_counts_accepts_integer_arrays_and_returns_float32():
    x = documents.check_counts(np.array([[0, 2, 7]]), 3)
    assert x.dtype == torch.float32 and x.tolist() == [[0.0, 2.0, 7.0]]


def test_encoder_input_has_a_fixed_length_and_keeps_empty_rows_finite():
    x = torch.cat([counts(), torch.zeros(1, 6)])
    v = documents.encoder_input(x)
    torch.testing.assert_close(
        v[:4].norm(dim=1), torch.full((4,), documents.INPUT_LENGTH)
    )
    assert torch.isfinite(v).all() and (v[4] == 0).all()
    # the length of a story does not matter, only which words it uses
    torch.testing.assert_close(
        documents.encoder_input(x[:1] > 0),
        documents.encoder_input(3 * (x[:1] > 0)),
    )


def test_code_noise_is_on_in_training_only():
    torch.manual_seed(0)
    model = documents.DocumentAutoencoder((6, 5, 2), code_noise=3.0)
    x = counts()
    model.train()
    assert not torch.equal(model.encode(x), model.encode(x))
    model.eval()
    torch.testing.assert_close(model.encode(x), model.encode(x))
    model.train()
    codes = model.codes(x)
    assert model.training, "codes() restores the mode"
    model.eval()
    torch.testing.assert_close(codes, model.encode(x))
    torch.testing.assert_close(model(x).sum(1), torch.ones(4))


def test_without_noise_training_and_eval_codes_agree():
    model = documents.DocumentAutoencoder((6, 5, 2), code_noise=0.0)
    x = counts()
    torch.testing.assert_close(model.train().encode(x), model.eval().encode(x))


def test_the_multinomial_loss_trains_the_document_model():
    torch.manual_seed(0)
    model = documents.DocumentAutoencoder((6, 8, 2), code_noise=0.0)
    x = counts(64)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(200):
        loss = losses.multinomial_nll(Logits(model)(x), x)
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.95 * first


@pytest.mark.parametrize(
    "make",
    [
        lambda: documents.DocumentAutoencoder((6, 5, 2)),
        lambda: hashing.HashingAutoencoder((6, 5, 3), input="counts"),
    ],
)
def test_encode_refuses_what_is_not_a_count_matrix(make):
    model = make()
    with pytest.raises(ValueError, match="whole word counts"):
        model.encode(torch.rand(2, 6))
    with pytest.raises(ValueError, match="6-word vocabulary"):
        model.encode(torch.ones(2, 5))
    with pytest.raises(ValueError, match=">= 0"):
        model.codes(-torch.ones(2, 6))


def test_hashing_on_counts_gives_bits_and_a_word_distribution():
    model = hashing.HashingAutoencoder((6, 5, 3), input="counts").eval()
    x = counts()
    bits = model.codes(x)
    assert bits.dtype == torch.bool and bits.shape == (4, 3)
    assert torch.equal(bits, model.encode(x) > 0.5)
    torch.testing.assert_close(model(x).sum(1), torch.ones(4))
    with pytest.raises(ValueError, match="input must be one of"):
        hashing.HashingAutoencoder((6, 5, 3), input="tfidf")


@pytest.mark.parametrize(
    "name, width", [("reuters_10d", 10), ("reuters_2d", 2)]
)
def test_shipped_document_models_take_raw_counts(name, width):
    model, record = C.load(name, device="cpu")
    assert isinstance(model, documents.DocumentAutoencoder)
    assert record["kind"] == "documents" and record["data"] == "reuters"
    assert record["sizes"] == [2000, 500, 250, 125, width]
    x = counts(3, 2000)
    assert model.encode(x).shape == (3, width)
    with pytest.raises(ValueError, match="2000-word vocabulary"):
        model.encode(x[:, :1999])


def test_shipped_hashing_model_gives_20_bit_codes():
    model, record = C.load("reuters_hash_20", device="cpu")
    assert record["input"] == "counts" and record["code_noise"] > 0
    assert model.codes(counts(3, 2000)).shape == (3, 20)


def test_reuters_recipe_trains_a_short_run(tmp_path):
    meta = C.train("reuters_2d", tmp_path, epochs=1, n_train=400, device="cpu")
    assert meta["n_train"] == 400 and meta["kind"] == "documents"
    assert 0 < meta["test_error"] <= 1 and len(meta["val_error"]) == 1
    model, _ = C.load("reuters_2d", tmp_path, device="cpu")
    assert model.codes(counts(2, 2000)).shape == (2, 2)
