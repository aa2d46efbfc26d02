"""The toy picture-and-question task: scenes, patches, the model's shapes, training and its attention."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import multimodal as mm

BUDGET_S = 20.0  # CPU seconds of one training on one thread (a cached model loads in far less)


@pytest.fixture(scope="module")
def model() -> mm.SceneQA:
    start = time.process_time()  # CPU time: other processes on a busy machine do not count
    trained, history = mm.train_scene_qa()  # the page's model
    assert time.process_time() - start < BUDGET_S
    assert history.steps == 600
    assert sum(history.losses[-50:]) / 50 < 0.05 * history.losses[0]
    return trained


def test_samples_have_one_right_answer() -> None:
    samples = mm.sample_scenes(torch.Generator().manual_seed(0), 300)
    for s in samples:
        assert 3 <= len(s.scene.objects) <= 5
        kind, colours, shapes = s.question[0] + s.question[1], mm.COLOURS, mm.SHAPES
        things = [(c, sh) for _, c, sh in s.scene.objects]
        if kind == "whatcolour":
            (match,) = [c for c, sh in things if sh == s.question[4]]  # exactly one such shape
            assert s.answer == match and s.scene.at(s.target) == (match, s.question[4])
        elif kind == "whatshape":
            (match,) = [sh for c, sh in things if c == s.question[4]]
            assert s.answer == match and s.answer in shapes
        elif kind == "isthere":
            present = (s.question[3], s.question[4]) in things
            assert s.answer == ("yes" if present else "no")
            assert (s.target >= 0) == present
        else:
            assert s.question[0] == "where" and s.question[3] in colours
            assert things.count((s.question[3], s.question[4])) == 1
            row, col = divmod(s.target, mm.GRID)
            assert s.answer == f"{'bottom' if row >= 2 else 'top'}-{'right' if col >= 2 else 'left'}"
    again = mm.sample_scenes(torch.Generator().manual_seed(0), 300)
    assert again == samples


def test_render_and_patches_agree() -> None:
    scene = mm.Scene(((0, "red", "circle"), (5, "blue", "square"), (15, "green", "triangle")))
    image = mm.render([scene])  # (1, 3, H, W)
    side = mm.GRID * mm.PATCH
    assert image.shape == (1, 3, side, side)
    cells = mm.patches(image)  # (1, N, 3 * P * P)
    assert cells.shape == (1, mm.GRID * mm.GRID, 3 * mm.PATCH * mm.PATCH)
    nonempty = cells.abs().sum(-1)[0] > 0
    assert nonempty.nonzero().flatten().tolist() == [0, 5, 15]
    red = cells[0, 0].view(3, mm.PATCH, mm.PATCH)
    assert red[0].max() > 0.8 and red[2].max() < 0.2  # red, not blue
    assert scene.text().splitlines()[0] == "Ro  .  .  ."
    noisy = mm.render([scene], noise=0.1, generator=torch.Generator().manual_seed(0))
    assert 0.05 < float((noisy - image).std()) < 0.15


@pytest.mark.parametrize(
    ("objects", "match"),
    [
        (((16, "red", "circle"),), "cells in"),
        (((0, "pink", "circle"),), "colour"),
        (((0, "red", "star"),), "shape"),
        (((1, "red", "circle"), (1, "blue", "square")), "one object per cell"),
    ],
)
def test_bad_scenes_are_refused(objects: tuple[tuple[int, str, str], ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        mm.Scene(objects)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="images"):
        mm.patches(torch.zeros(1, 3, 10, 10))
    with pytest.raises(ValueError, match="questions"):
        mm.encode_questions([("where", "is", "the", "pink", "circle", "?")])
    with pytest.raises(ValueError, match="questions"):
        mm.encode_questions([("where", "is", "it")])
    with pytest.raises(ValueError, match="length"):
        mm.encode_questions([("is", "there", "a", "red", "circle", "?")], length=3)
    with pytest.raises(ValueError, match="num_samples"):
        mm.sample_scenes(torch.Generator(), 0)
    with pytest.raises(ValueError, match="noise"):
        mm.render([mm.Scene(())], noise=-1.0)
    model = mm.initial_model()
    image = mm.render([mm.Scene(())])
    with pytest.raises(ValueError, match="inputs"):
        model((image, torch.ones(2, 3, dtype=torch.long)))
    with pytest.raises(ValueError, match="inputs"):
        model((image, torch.ones(1, mm.MAX_LEN + 1, dtype=torch.long)))
    with pytest.raises(ValueError, match="layer"):
        mm.grounding_accuracy(model, layer=5)


def test_shapes_and_padding() -> None:
    model = mm.initial_model()
    scenes = [s.scene for s in mm.sample_scenes(torch.Generator().manual_seed(1), 3)]
    questions = [
        ("is", "there", "a", "red", "circle", "?"),
        ("what", "shape", "is", "the", "red", "one", "?"),
    ] * 2
    logits, weights = mm.cross_attention(model, scenes[:2], questions[:2])
    assert logits.shape == (2, len(mm.ANSWERS))
    assert weights.shape == (2, 2, 2, 7, mm.GRID * mm.GRID)  # (layers, B, H, T, N)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 2, 2, 7))
    # With the padding mask, a padded question gets the same answer logits as the question alone.
    image = mm.render(scenes[:1])
    alone = mm.encode_questions(questions[:1])
    padded = mm.encode_questions(questions[:1], length=mm.MAX_LEN)
    with torch.no_grad():
        torch.testing.assert_close(model((image, padded)), model((image, alone)), atol=1e-5, rtol=0)
        assert not torch.allclose(
            model((image, padded), mask_padding=False), model((image, alone)), atol=1e-3
        )


def test_training_is_deterministic() -> None:
    first, _ = mm.train_scene_qa.__wrapped__(steps=5)  # type: ignore[attr-defined]
    second, _ = mm.train_scene_qa.__wrapped__(steps=5)  # type: ignore[attr-defined]
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)


def test_the_model_learns_and_looks(model: mm.SceneQA) -> None:
    assert mm.evaluate(model) > 0.97
    prior = mm.text_prior_accuracy()
    assert 0.45 < prior < 0.56
    assert mm.evaluate(model, shuffle_images=True) < prior  # it reads the picture it is given
    assert mm.grounding_accuracy(model, layer=0) > 0.85
    assert mm.evaluate(model, pad_to=mm.MAX_LEN, mask_padding=False) < mm.evaluate(model, pad_to=mm.MAX_LEN)
