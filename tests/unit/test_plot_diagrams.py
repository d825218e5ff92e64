"""The lecture's diagrams, drawn by aelib.plot: a Figure each, labelled with
the sizes it was given, refusing arguments it cannot draw."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from aelib import plot  # noqa: E402


def texts(fig) -> str:
    """Every string the figure draws, its own and its axes', one per line."""
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts]
    return "\n".join(found)


def drawn(make, *args, **kwargs):
    """Draw a figure, hand back its text, and close it."""
    fig = make(*args, **kwargs)
    assert isinstance(fig, Figure)
    fig.canvas.draw()  # a layout error shows only when drawn
    width, height = fig.get_size_inches()
    assert 4 <= width <= 10.5 and height <= 8, (width, height)
    text = texts(fig)
    plt.close(fig)
    assert not plt.fignum_exists(fig.number)
    return text


@pytest.mark.parametrize(
    "sizes", [(784, 500, 500, 2000), (100, 37), (61, 47, 23)]
)
def test_stacked_draws_its_layer_sizes(sizes):
    text = drawn(plot.stacked_autoencoder_diagram, sizes, n_classes=7)
    for width in sizes:
        assert str(width) in text
    assert "7 classes" in text and "softmax" in text
    # One autoencoder per layer, each named.
    assert f"autoencoder {len(sizes) - 1}" in text
    assert f"autoencoder {len(sizes)}" not in text


def test_stacked_defaults_are_the_papers_network():
    text = drawn(plot.stacked_autoencoder_diagram)
    assert (
        all(str(w) in text for w in (784, 500, 2000)) and "10 classes" in text
    )


@pytest.mark.parametrize(
    "sizes", [(784, 1000, 500, 250, 30), (625, 2000, 1000, 500, 30), (50, 3)]
)
def test_deep_draws_its_layer_sizes(sizes):
    text = drawn(plot.deep_autoencoder_diagram, sizes)
    for width in sizes:
        assert str(width) in text
    L = len(sizes) - 1
    assert f"RBM {L}" in text and f"RBM {L + 1}" not in text
    # The three steps, and the decoder's transposed weights.
    assert all(f"{step}." in text for step in (1, 2, 3))
    assert rf"W_{{{L}}}^{{\top}}" in text


@pytest.mark.parametrize(
    "n_bits, radius, n_read", [(4, 1, 5), (6, 2, 22), (1, 0, 1), (3, 3, 8)]
)
def test_hashing_draws_its_bit_count(n_bits, radius, n_read):
    text = drawn(plot.semantic_hashing_diagram, n_bits=n_bits, radius=radius)
    assert f"{n_bits} bit" in text and f"{2**n_bits} addresses" in text
    assert f"Hamming distance {radius}" in text
    # The Hamming ball of radius r holds sum_{i <= r} C(n_bits, i) addresses.
    assert f"read the {n_read} address" in text
    # Every address is drawn, as n_bits binary digits.
    for address in range(2**n_bits):
        assert f"{address:0{n_bits}b}" in text.split("\n")


def test_siamese_draws_two_codes_and_one_W():
    text = drawn(plot.siamese_diagram)
    for name in ("x_1", "x_2", "z_1", "z_2", "shared weights", "similar pair"):
        assert name in text


def test_diagrams_have_no_visible_axes():
    """Diagrams are drawings, not charts: no ticks or axis labels to read."""
    for make in (
        plot.stacked_autoencoder_diagram,
        plot.deep_autoencoder_diagram,
        plot.semantic_hashing_diagram,
        plot.siamese_diagram,
    ):
        fig = make()
        assert all(not ax.axison for ax in fig.axes)
        plt.close(fig)


@pytest.mark.parametrize(
    "make, kwargs, error, names",
    [
        (
            plot.stacked_autoencoder_diagram,
            {"sizes": (784,)},
            ValueError,
            "sizes",
        ),
        (
            plot.stacked_autoencoder_diagram,
            {"sizes": (784, 0)},
            ValueError,
            "sizes[1]",
        ),
        (
            plot.stacked_autoencoder_diagram,
            {"sizes": (784, 2.5)},
            TypeError,
            "sizes[1]",
        ),
        (plot.stacked_autoencoder_diagram, {"sizes": 784}, TypeError, "sizes"),
        (
            plot.stacked_autoencoder_diagram,
            {"n_classes": 1},
            ValueError,
            "n_classes",
        ),
        (plot.deep_autoencoder_diagram, {"sizes": ()}, ValueError, "sizes"),
        (
            plot.deep_autoencoder_diagram,
            {"sizes": (784, -30)},
            ValueError,
            "sizes[1]",
        ),
        (plot.semantic_hashing_diagram, {"n_bits": 0}, ValueError, "n_bits"),
        (plot.semantic_hashing_diagram, {"n_bits": 20}, ValueError, "n_bits"),
        (plot.semantic_hashing_diagram, {"n_bits": 4.0}, TypeError, "n_bits"),
        (
            plot.semantic_hashing_diagram,
            {"n_bits": 4, "radius": 5},
            ValueError,
            "radius",
        ),
        (plot.semantic_hashing_diagram, {"radius": -1}, ValueError, "radius"),
    ],
)
def test_bad_arguments_are_refused_by_name(make, kwargs, error, names):
    before = plt.get_fignums()
    with pytest.raises(
        error, match=names.replace("[", r"\[").replace("]", r"\]")
    ):
        make(**kwargs)
    # Refused before anything is drawn: no figure is left open.
    assert plt.get_fignums() == before
