import pytest
import torch

from aelib.data import load_lfw_faces
from aelib.faces import (
    face_sources,
    load_face_set,
    random_pose,
    transform_faces,
)


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
    assert faces["x_train"].shape == (240, 625)
    assert faces["x_val"].shape == faces["x_test"].shape == (30, 625)
    parts = [set(faces[f"source_{p}"].tolist()) for p in ("train", "val")]
    parts.append(set(faces["source_test"].tolist()))
    assert len(set.union(*parts)) == sum(map(len, parts)) == 100
    assert 0 <= faces["x_train"].min() and faces["x_train"].max() <= 1
    again = load_face_set(n_variants=3, n_test_sources=10)
    assert torch.equal(faces["x_test"], again["x_test"])


def test_fewer_training_people_keep_the_same_held_out_people():
    every = face_sources()
    few = face_sources(n_train_sources=20)
    assert torch.equal(few["val"], every["val"])
    assert torch.equal(few["test"], every["test"])
    assert set(few["train"].tolist()) < set(every["train"].tolist())


def test_random_pose_draws_new_poses_of_the_same_face():
    x = load_lfw_faces()[0][:1].repeat(4, 1)
    g = torch.Generator().manual_seed(0)
    posed = random_pose(x, generator=g)
    assert posed.shape == x.shape
    assert len({tuple(row.tolist()) for row in posed}) == 4  # all differ
    # no rotation, zoom or shift: the faces come back unchanged
    still = random_pose(x, 0.0, (1.0, 1.0), 0.0, generator=g)
    torch.testing.assert_close(still, x, atol=1e-5, rtol=0)


def test_training_faces_for_a_recipe_are_photographs_then_validation():
    from aelib.recipes import dataset

    x, y, x_test, _ = dataset("faces")
    faces = load_face_set()
    photos = load_lfw_faces()[0]
    n = len(faces["x_train"])
    assert y is None and torch.equal(x[n:], faces["x_val"])
    assert torch.equal(x[:n], photos[faces["source_train"]])
    assert torch.equal(x_test, faces["x_test"])
    # 20 photographs, each repeated so that an epoch is as long
    few, *_ = dataset("faces", n_train_sources=20)
    assert len(few) == len(x) and len(few[:n].unique(dim=0)) == 20


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_test_sources"):
        load_face_set(n_test_sources=100)
    with pytest.raises(ValueError, match="n_train_sources"):
        face_sources(n_train_sources=71)
    with pytest.raises(ValueError, match="max_angle"):
        random_pose(torch.zeros(2, 625), max_angle=-1.0)
    with pytest.raises(ValueError, match="angle"):
        transform_faces(
            torch.zeros(2, 625),
            torch.zeros(3),
            torch.ones(2),
            torch.zeros(2, 2),
        )
