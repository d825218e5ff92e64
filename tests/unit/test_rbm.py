"""aelib.rbm: free energy, conditionals, pseudo-likelihood and CD against brute force."""

import itertools

import pytest
import torch

import aelib
from aelib.rbm import RBM, train_rbm


def small_rbm(n_visible=5, n_hidden=3, seed=0):
    torch.manual_seed(seed)
    rbm = RBM(n_visible, n_hidden)
    with torch.no_grad():
        rbm.W.normal_(0, 1.0)
        rbm.b.normal_(0, 1.0)
        rbm.c.normal_(0, 1.0)
    return rbm.double()


def all_states(n):
    return torch.tensor(
        list(itertools.product([0.0, 1.0], repeat=n)), dtype=torch.float64
    )


def energy(rbm, x, h):
    return -(h @ rbm.W * x).sum(1) - x @ rbm.c - h @ rbm.b


def test_free_energy_sums_the_hidden_units_out():
    rbm = small_rbm()
    xs, hs = all_states(5), all_states(3)
    with torch.no_grad():
        for x in xs:
            e = torch.stack([energy(rbm, x[None], h[None])[0] for h in hs])
            assert torch.allclose(
                rbm.free_energy(x[None])[0], -torch.logsumexp(-e, 0), atol=1e-10
            )


def test_conditionals_match_the_joint():
    rbm = small_rbm()
    xs, hs = all_states(5), all_states(3)
    with torch.no_grad():
        logp = -torch.stack(
            [energy(rbm, xs, h.expand(len(xs), 3)) for h in hs], dim=1
        )  # (x, h)
        p = torch.softmax(logp.flatten(), 0).view_as(logp)
        p_h1_given_x = (p / p.sum(1, keepdim=True)) @ hs
        assert torch.allclose(rbm.encode(xs), p_h1_given_x, atol=1e-10)
        p_x1_given_h = (p / p.sum(0, keepdim=True)).t() @ xs
        assert torch.allclose(rbm.decode(hs), p_x1_given_h, atol=1e-10)


def test_pseudo_likelihood_flips_every_bit():
    rbm = small_rbm()
    xs = all_states(5)
    with torch.no_grad():
        expected = torch.zeros(len(xs), dtype=torch.float64)
        for k in range(5):
            flipped = xs.clone()
            flipped[:, k] = 1 - flipped[:, k]
            expected += torch.nn.functional.logsigmoid(
                rbm.free_energy(flipped) - rbm.free_energy(xs)
            )
        assert torch.allclose(
            rbm.pseudo_likelihood(xs, reduction="none"), expected, atol=1e-10
        )
        assert torch.allclose(
            rbm.pseudo_likelihood(xs), expected.mean(), atol=1e-10
        )


def test_pseudo_likelihood_equals_the_exact_conditionals():
    rbm = small_rbm()
    xs = all_states(5)
    with torch.no_grad():
        logp = -rbm.free_energy(xs)
        expected = torch.zeros(len(xs), dtype=torch.float64)
        for k in range(5):
            partner = [int(i) ^ (1 << (4 - k)) for i in range(len(xs))]
            expected += logp - torch.logaddexp(logp, logp[partner])
        assert torch.allclose(
            rbm.pseudo_likelihood(xs, reduction="none"), expected, atol=1e-10
        )


def test_cd_update_is_the_gradient_of_the_free_energy_difference():
    rbm = small_rbm(6, 4).float()
    x0 = (torch.rand(8, 6) > 0.5).float()
    x_k = (torch.rand(8, 6) > 0.5).float()
    (rbm.free_energy(x0).mean() - rbm.free_energy(x_k).mean()).backward()
    with torch.no_grad():
        h0, hk = rbm.encode(x0), rbm.encode(x_k)
        assert torch.allclose(
            -rbm.W.grad, (h0.t() @ x0 - hk.t() @ x_k) / 8, atol=1e-6
        )
        assert torch.allclose(-rbm.b.grad, (h0 - hk).mean(0), atol=1e-6)
        assert torch.allclose(-rbm.c.grad, (x0 - x_k).mean(0), atol=1e-6)


def exact_log_likelihood(rbm, x):
    with torch.no_grad():
        log_z = torch.logsumexp(-rbm.free_energy(all_states(rbm.n_visible)), 0)
        return (-rbm.free_energy(x) - log_z).mean().item()


@pytest.mark.parametrize("persistent", [False, True])
def test_training_raises_the_exact_likelihood(persistent):
    torch.manual_seed(0)
    prototypes = torch.tensor(
        [[1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]],
        dtype=torch.float64,
    )
    x = prototypes[torch.randint(0, 2, (400,))]
    x = torch.where(torch.rand_like(x) < 0.05, 1 - x, x)
    rbm = RBM(8, 4).double()
    before = exact_log_likelihood(rbm, x)
    history = train_rbm(
        rbm,
        x,
        epochs=20,
        batch_size=10,
        lr=0.1,
        persistent=persistent,
        device="cpu",
    )
    after = exact_log_likelihood(rbm, x)
    # 8 independent fair bits give -5.55 nats; the two noisy prototypes allow about -3.
    assert before < -5.5 and after > -4.0
    # train_rbm's loss is the mean-field reconstruction error.
    assert history.loss[-1] < history.loss[0]


def test_gibbs_chain_is_binary_and_shaped():
    rbm = RBM(10, 4)
    x = torch.rand(7, 10)
    x_k = rbm.gibbs_chain(x, k=3)
    assert x_k.shape == (7, 10)
    assert set(x_k.unique().tolist()) <= {0.0, 1.0}


def test_clear_errors():
    with pytest.raises(ValueError, match="n_hidden"):
        RBM(10, 0)
    rbm = RBM(10, 4)
    with pytest.raises(ValueError, match="x"):
        rbm.free_energy(torch.zeros(3, 9))
    with pytest.raises(ValueError, match="k"):
        rbm.gibbs_chain(torch.zeros(3, 10), k=0)
    with pytest.raises(ValueError, match="reduction"):
        rbm.pseudo_likelihood(torch.zeros(3, 10), reduction="max")
    with pytest.raises(ValueError, match="x must lie in"):
        train_rbm(rbm, torch.full((3, 10), 2.0), epochs=1, device="cpu")
    with pytest.raises(ValueError, match="lr"):
        train_rbm(rbm, torch.zeros(3, 10), epochs=1, lr=0.0, device="cpu")
    with pytest.raises(TypeError, match="rbm"):
        train_rbm(
            aelib.Autoencoder(10, 4), torch.zeros(3, 10), epochs=1, device="cpu"
        )


def test_same_model_as_sklearn():
    sklearn = pytest.importorskip("sklearn.neural_network")
    import numpy as np

    x = (np.random.default_rng(0).random((50, 12)) > 0.5).astype(np.float64)
    ref = sklearn.BernoulliRBM(n_components=5, n_iter=3, random_state=0).fit(x)
    rbm = RBM(12, 5).double()
    with torch.no_grad():
        rbm.W.copy_(torch.from_numpy(ref.components_))
        rbm.b.copy_(torch.from_numpy(ref.intercept_hidden_))
        rbm.c.copy_(torch.from_numpy(ref.intercept_visible_))
    xt = torch.from_numpy(x)
    assert np.allclose(
        rbm.free_energy(xt).detach().numpy(), ref._free_energy(x)
    )
    assert np.allclose(rbm.encode(xt).detach().numpy(), ref.transform(x))
