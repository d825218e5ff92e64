"""The Reuters loader: the documented rule, split and vocabulary; checksums enforced."""

import pytest
import torch

from aelib import data


def test_load_reuters_follows_the_documented_rule():
    tr, te = data.load_reuters("train"), data.load_reuters("test")
    assert tr.x.shape == (5141, 2000) and te.x.shape == (2168, 2000)
    assert tr.vocabulary == te.vocabulary and len(set(tr.vocabulary)) == 2000
    assert tr.topics == [
        "acq",
        "crude",
        "earn",
        "interest",
        "money-fx",
        "ship",
        "sugar",
        "trade",
    ]
    assert set(tr.y.tolist()) == set(te.y.tolist()) == set(range(8))
    assert (
        (tr.x >= 0).all()
        and (tr.x == tr.x.round()).all()
        and (tr.x.sum(1) > 0).all()
    )
    assert len(tr.titles) == len(tr.x)
    assert "reuter" not in tr.vocabulary and "the" not in tr.vocabulary


def test_load_reuters_rejects_a_bad_split_and_a_corrupt_source(monkeypatch):
    with pytest.raises(ValueError, match="split"):
        data.load_reuters("validation")
    monkeypatch.setitem(data.REUTERS_FILES, "reuters-000.json", "0" * 64)
    with pytest.raises(data.DataError, match="corrupt"):
        data.load_reuters("train")


def test_the_pool_holds_every_story_of_the_training_period():
    pool, tr = data.load_reuters("pool"), data.load_reuters("train")
    # 13,021 stories with a body are dated up to 7 April 1987
    assert pool.x.shape == (13021, 2000) and pool.vocabulary == tr.vocabulary
    labelled = pool.y >= 0
    assert labelled.sum().item() == len(tr.x)
    assert torch.equal(pool.x[labelled], tr.x)
    assert torch.equal(pool.y[labelled], tr.y)
    assert set(pool.y.tolist()) == set(range(-1, 8))
    # the vocabulary is the most frequent words of the pool
    assert pool.x.sum(0).min() >= 10


def test_a_second_load_reads_the_cache(monkeypatch):
    first = data.load_reuters("train")

    def rebuild():
        raise AssertionError("the cache was rebuilt")

    monkeypatch.setattr(data, "_build_reuters", rebuild)
    again = data.load_reuters("train")
    assert (
        torch.equal(first.x, again.x) and first.vocabulary == again.vocabulary
    )
