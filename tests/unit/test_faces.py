import pytest
import torch

from aelib.data import load_lfw_faces
from aelib.faces import load_face_set, transform_faces


def test_identity_transform_keeps_the_image():
    x = load_lfw_faces()[0][:5]
    y = transform_faces(x, torch.zeros(5), torch.ones(5), torch.zeros(5, 2))
    torch.testing.assert_close(y, x, atol=1e-5, rtol=0)


def test_shift_moves_the_image_by_whole_pixels():
    x = torch.zeros(1, 625)
    x[0, 12 * 25 + 12] = 1.0  # one bright pixel in the centre
    y = transform_faces(
        x, torch.zeros(1), torch.ones(1), torch.tensor([[2.0, -1.0]])
    )
    assert y.reshape(25, 25)[11, 14] == pytest.approx(1.0, abs=1e-5)


def test_face_set_holds_out_whole_sources():
    faces = load_face_set(n_variants=3, n_test_sources=10)
    assert faces["x_train"].shape == (270, 625) and faces["x_test"].shape == (
        30,
        625,
    )
    assert not set(faces["source_train"].tolist()) & set(
        faces["source_test"].tolist()
    )
    assert 0 <= faces["x_train"].min() and faces["x_train"].max() <= 1
    again = load_face_set(n_variants=3, n_test_sources=10)
    assert torch.equal(faces["x_test"], again["x_test"])


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_test_sources"):
        load_face_set(n_test_sources=100)
    with pytest.raises(ValueError, match="angle"):
        transform_faces(
            torch.zeros(2, 625),
            torch.zeros(3),
            torch.ones(2),
            torch.zeros(2, 2),
        )
