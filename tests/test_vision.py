"""The synthetic shapes, the ViT's patch embedding, its class token's attention, and its training."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import vision as vt

BUDGET_S = 20.0  # CPU seconds of one training on one thread (a cached model loads in far less)


@pytest.fixture(scope="module")
def model() -> vt.VisionTransformer:
    start = time.process_time()
    trained, history = vt.train_vit()  # the page's model
    assert time.process_time() - start < BUDGET_S
    assert history.losses[-1] < 0.3 * history.losses[0]
    return trained


def test_images_are_seeded_and_shaped() -> None:
    a, labels = vt.make_images(torch.Generator().manual_seed(3), 10, 16)
    b, _ = vt.make_images(torch.Generator().manual_seed(3), 10, 16)
    assert a.shape == (10, 1, 16, 16) and labels.shape == (10,)
    assert torch.equal(a, b)
    assert 0 <= int(labels.min()) and int(labels.max()) < len(vt.CLASSES)
    with pytest.raises(ValueError, match="image_size"):
        vt.make_images(torch.Generator(), 4, 5)


def test_patch_embedding_is_a_strided_convolution() -> None:
    torch.manual_seed(0)
    embed = vt.PatchEmbedding(patch_size=4, channels=3, d_model=8)
    images = torch.randn(2, 3, 12, 16)
    conv = embed.as_conv()
    expected = conv(images).flatten(2).transpose(1, 2)  # (B, d, 3, 4) -> (B, 12, d)
    assert embed(images).shape == (2, 12, 8)
    assert torch.allclose(embed(images), expected, atol=1e-6)
    patches = vt.patchify(images, 4)
    assert patches.shape == (2, 12, 48)
    assert torch.equal(patches[0, 1], images[0, :, 0:4, 4:8].flatten())  # row by row, channel first


def test_errors_name_the_argument() -> None:
    with pytest.raises(ValueError, match="images: expected height and width divisible by patch_size=5"):
        vt.patchify(torch.zeros(1, 1, 24, 24), 5)
    with pytest.raises(ValueError, match="image_size: expected a multiple of patch_size=5"):
        vt.VisionTransformer(image_size=24, patch_size=5)
    model = vt.VisionTransformer()
    with pytest.raises(ValueError, match="interpolate_positions"):
        model(torch.zeros(1, 1, 32, 32))
    with pytest.raises(ValueError, match="channel"):
        model(torch.zeros(1, 3, 24, 24))
    with pytest.raises(ValueError, match="residual"):
        vt.attention_rollout(torch.rand(1, 1, 1, 3, 3), residual=2.0)


def test_forward_with_weights_matches_the_blocks() -> None:
    torch.manual_seed(0)
    model = vt.VisionTransformer().eval()
    images, _ = vt.make_images(torch.Generator().manual_seed(0), 3)
    logits, weights = model.forward_with_weights(images)
    assert torch.allclose(logits, model(images), atol=1e-5)
    assert weights.shape == (2, 3, 4, 37, 37)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 4, 37), atol=1e-5)
    cls = vt.cls_attention(model, images)
    assert cls.shape == (2, 3, 4, 6, 6)
    rollout = vt.attention_rollout(weights)
    assert rollout.shape == (3, 37, 37)
    assert torch.allclose(rollout.sum(-1), torch.ones(3, 37), atol=1e-5)


def test_without_positions_shuffling_changes_nothing() -> None:
    torch.manual_seed(0)
    model = vt.VisionTransformer(positions=False).eval()
    images, _ = vt.make_images(torch.Generator().manual_seed(0), 4)
    shuffled = vt.shuffle_patches(images, 4, torch.Generator().manual_seed(1))
    assert not torch.equal(images, shuffled)
    assert torch.allclose(images.sum((1, 2, 3)), shuffled.sum((1, 2, 3)), atol=1e-4)
    assert torch.allclose(model(images), model(shuffled), atol=1e-5)


def test_interpolated_positions_fit_a_new_resolution(model: vt.VisionTransformer) -> None:
    bigger = vt.interpolate_positions(model, 32)
    assert bigger.positions is not None and bigger.positions.shape == (1, 65, 32)
    assert bigger(torch.zeros(2, 1, 32, 32)).shape == (2, len(vt.CLASSES))
    same = vt.interpolate_positions(model, 24)
    assert same.positions is not None and model.positions is not None
    assert torch.allclose(same.positions, model.positions, atol=1e-5)


def test_trained_model_classifies_and_uses_positions(model: vt.VisionTransformer) -> None:
    accuracy = vt.evaluate(model)
    assert accuracy > 0.85
    assert vt.evaluate(model, shuffle=True) < accuracy - 0.1


def test_training_is_deterministic() -> None:
    a, history_a = vt.train_vit.__wrapped__(steps=3, batch_size=8)  # type: ignore[attr-defined]
    b, history_b = vt.train_vit.__wrapped__(steps=3, batch_size=8)  # type: ignore[attr-defined]
    assert history_a.losses == history_b.losses
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_clean_images_hold_the_same_shapes() -> None:
    noisy, labels = vt.held_out_images(20)
    clean, same_labels = vt.held_out_images(20, clean=True)
    assert torch.equal(labels, same_labels)
    shape = clean > 0
    assert (noisy[shape] > 0.2).float().mean() > 0.95  # the shape's pixels are bright in both
