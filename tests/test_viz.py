"""Figures: right number of axes and annotations, themes that change colors, reproducible SVG."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from attention_book import viz


def weights(L: int, S: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.softmax(torch.randn(L, S, generator=g), dim=-1)


def test_plot_attention_annotates_small_matrices() -> None:
    fig = viz.plot_attention(weights(4, 6), title="small")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2  # the heatmap and its colorbar
    assert len(fig.axes[0].texts) == 4 * 6
    assert fig.axes[0].get_title() == "small"


def test_plot_attention_does_not_annotate_large_matrices() -> None:
    fig = viz.plot_attention(weights(12, 12))
    assert len(fig.axes[0].texts) == 0
    assert len(viz.plot_attention(weights(12, 12), annotate=True).axes[0].texts) == 144


def test_annotation_color_contrasts_with_the_cell() -> None:
    fig = viz.plot_attention(torch.tensor([[0.0, 1.0]]))
    low, high = (text.get_color() for text in fig.axes[0].texts)
    assert low == "white" and high == "black"  # viridis: dark purple at 0, yellow at 1


def test_plot_attention_labels_and_existing_axes() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    out = viz.plot_attention(weights(2, 3), row_labels=["a", "b"], col_labels=["x", "y", "z"], ax=ax)
    assert out is fig
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"]
    with pytest.raises(ValueError, match="col_labels"):
        viz.plot_attention(weights(2, 3), col_labels=["x"])


def test_plot_heads_has_one_axes_per_head_plus_colorbar() -> None:
    w = torch.stack([weights(3, 3, seed=h) for h in range(5)])
    fig = viz.plot_heads(w, ncols=2, titles=[f"h{h}" for h in range(5)])
    assert len(fig.axes) == 5 + 1
    assert [ax.get_title() for ax in fig.axes[:5]] == ["h0", "h1", "h2", "h3", "h4"]


def test_mask_positional_and_lines() -> None:
    assert len(viz.plot_mask(torch.ones(5, 5).tril().bool(), title="causal").axes) == 2
    assert len(viz.plot_positional_encoding(np.zeros((20, 8))).axes) == 2
    fig = viz.plot_lines(
        [256, 512, 1024], {"a": [1, 2, 4], "b": [1, 1, 1]}, xlabel="n", ylabel="ms", logx=True
    )
    assert len(fig.axes[0].get_lines()) == 2
    with pytest.raises(ValueError, match="ys"):
        viz.plot_lines([1, 2], {"a": [1]}, xlabel="x", ylabel="y")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: viz.plot_attention(torch.rand(2, 3, 4)), "weights"),
        (lambda: viz.plot_attention(torch.rand(3)), "weights"),
        (lambda: viz.plot_heads(torch.rand(3, 4)), "weights"),
        (lambda: viz.plot_mask(torch.ones(3)), "mask"),
        (lambda: viz.plot_positional_encoding(torch.rand(2, 2, 2)), "pe"),
    ],
)
def test_rejects_wrong_number_of_dimensions(call: object, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call()  # type: ignore[operator]


def test_theme_changes_text_color_and_is_restored() -> None:
    before = matplotlib.rcParams["text.color"]
    with viz.theme("light"):
        light = viz.plot_attention(weights(3, 3), title="t").axes[0].title.get_color()
    with viz.theme("dark"):
        dark = viz.plot_attention(weights(3, 3), title="t").axes[0].title.get_color()
        assert matplotlib.rcParams["svg.fonttype"] == "path"
        assert matplotlib.rcParams["image.cmap"] == "viridis"
    assert light != dark
    assert matplotlib.rcParams["text.color"] == before


def test_unknown_theme_raises() -> None:
    with pytest.raises(ValueError, match="sepia"), viz.theme("sepia"):
        pass


def test_save_svg_is_reproducible(tmp_path: Path) -> None:
    with viz.theme("dark"):
        fig = viz.plot_attention(weights(4, 4), title="same bytes")
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    viz.save_svg(fig, first)
    viz.save_svg(fig, second)
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert data.startswith(b"<?xml") and b"<dc:date>" not in data


def test_unlabelled_heatmap_ticks_are_whole_positions() -> None:
    fig = viz.plot_attention(np.full((4, 6), 1 / 6))
    ax = fig.axes[0]
    fig.canvas.draw()  # the locators place ticks at draw time
    for ticks, size in ((ax.get_yticks(), 4), (ax.get_xticks(), 6)):
        visible = [t for t in ticks if -0.5 <= t <= size - 0.5]
        assert visible and all(float(t).is_integer() for t in visible)
