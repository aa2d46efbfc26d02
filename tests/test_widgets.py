"""The data of the interactive figures (attention_book.widgets) and the build's widget directive.

What the browser computes from this data is checked in tests/browser/test_widgets.py; here the library's
side: the values are those of the book's own softmax and masks, the JSON is small and valid, and the build
renders a widget after a static figure of the same data.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
import torch

from attention_book import widgets
from attention_book.masks import causal_mask, combine_masks, padding_mask, sliding_window_mask
from attention_book.tasks.tiny_transformer import head_entropy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build_hooks  # noqa: E402

# ---------------------------------------------------------------------------------------------------------
# The playground
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d_k", "scaled", "temperature"), [(64, True, 1.0), (64, False, 1.0), (1024, True, 0.3), (1, True, 5.0)]
)
def test_playground_weights_are_a_scaled_tempered_softmax(d_k: int, scaled: bool, temperature: float) -> None:
    scores = torch.tensor([25.3, 2.1, -18.7, 31.2], dtype=torch.float64)
    factor = 1 / math.sqrt(d_k) if scaled else 1.0
    expected = torch.softmax(scores * factor / temperature, dim=-1)
    weights = widgets.playground_weights(scores.tolist(), d_k=d_k, scaled=scaled, temperature=temperature)
    assert weights.dtype == torch.float64
    torch.testing.assert_close(weights, expected, rtol=0, atol=1e-15)


def test_playground_weights_survive_huge_scores() -> None:
    weights = widgets.playground_weights([1e4, 1e4 - 1.0], d_k=1, temperature=0.1)
    assert torch.isfinite(weights).all() and math.isclose(float(weights.sum()), 1.0)


def test_entropy_bits_matches_the_head_entropy_of_the_tiny_transformer() -> None:
    row = torch.softmax(torch.randn(7, generator=torch.Generator().manual_seed(1), dtype=torch.float64), -1)
    assert math.isclose(widgets.entropy_bits(row), float(head_entropy(row[None, :])), rel_tol=1e-12)
    assert widgets.entropy_bits([0.25] * 4) == 2.0
    assert widgets.entropy_bits([0.0, 1.0, 0.0]) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"scores": [1.0], "d_k": 0}, "d_k"),
        ({"scores": [1.0], "d_k": 4, "temperature": 0.0}, "temperature"),
        ({"scores": [], "d_k": 4}, "scores"),
        ({"scores": [[1.0]], "d_k": 4}, "scores"),
        ({"scores": [float("nan")], "d_k": 4}, "scores"),
    ],
)
def test_playground_weights_reject_bad_input_by_name(kwargs: dict, argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}:"):
        widgets.playground_weights(**kwargs)


def test_playground_data_is_json_with_its_starting_weights() -> None:
    data = widgets.playground_data([25.3, 2.1, -18.7, 31.2], d_k=64)
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["kind"] == "playground" and data["labels"] == ["key 0", "key 1", "key 2", "key 3"]
    assert data["d_k"] in data["d_k_choices"]
    expected = widgets.playground_weights(data["scores"], d_k=64)
    assert data["weights"] == expected.tolist()
    assert data["entropy"] == widgets.entropy_bits(expected)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"d_k": 64, "score_range": (-10.0, 10.0)}, "score_range"),
        ({"d_k": 64, "temperature": 9.0}, "temperature_range"),
        ({"d_k": 63}, "d_k"),
        ({"d_k": 64, "labels": ["a"]}, "labels"),
    ],
)
def test_playground_data_rejects_settings_its_controls_cannot_show(kwargs: dict, argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}:"):
        widgets.playground_data([25.3, 2.1], **kwargs)


# ---------------------------------------------------------------------------------------------------------
# The mask builder
# ---------------------------------------------------------------------------------------------------------


def reference_mask(L: int, causal: bool, padding: int, window: int) -> torch.Tensor:
    """The builder's mask written cell by cell from the definitions of the masks chapter."""
    keep = torch.ones(L, L, dtype=torch.bool)
    for i in range(L):
        for j in range(L):
            if causal and j > i:
                keep[i, j] = False
            if j >= L - padding:
                keep[i, j] = False
            if window and not (0 <= i - j < window if causal else abs(i - j) < window):
                keep[i, j] = False
    return keep


SETTINGS = [
    (L, causal, padding, window)
    for L in (1, 2, 5, 8)
    for causal in (False, True)
    for padding in sorted({0, 1, L})
    for window in sorted({0, 1, 2, L})
    if padding <= L and window <= L
]


@pytest.mark.parametrize(("L", "causal", "padding", "window"), SETTINGS)
def test_mask_builder_mask_is_the_and_of_the_library_masks(
    L: int, causal: bool, padding: int, window: int
) -> None:
    mask = widgets.mask_builder_mask(L, causal=causal, padding=padding, window=window)
    assert mask.dtype == torch.bool and mask.shape == (L, L)
    assert torch.equal(mask, reference_mask(L, causal, padding, window))
    parts = [
        causal_mask(L) if causal else None,
        padding_mask(torch.tensor([L - padding]), L)[0] if padding else None,
        sliding_window_mask(L, window, causal=causal) if window else None,
    ]
    combined = combine_masks(*parts)
    assert torch.equal(
        mask, torch.ones(L, L, dtype=torch.bool) if combined is None else combined.expand(L, L)
    )


def test_mask_builder_weights_zero_the_rows_with_no_key() -> None:
    scores = torch.randn(4, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    mask = widgets.mask_builder_mask(4, causal=True, padding=4)
    weights = widgets.mask_builder_weights(scores, mask)
    assert torch.equal(weights, torch.zeros(4, 4, dtype=torch.float64))
    mask = widgets.mask_builder_mask(4, causal=True, padding=1)
    weights = widgets.mask_builder_weights(scores, mask)
    expected = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    torch.testing.assert_close(weights, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [({"padding": 5}, "padding"), ({"window": -1}, "window"), ({"padding": True}, "padding")],
)
def test_mask_builder_mask_rejects_bad_settings_by_name(kwargs: dict, argument: str) -> None:
    with pytest.raises(ValueError, match=f"^{argument}:"):
        widgets.mask_builder_mask(4, **kwargs)


def test_mask_builder_data_is_json_with_its_starting_mask_and_weights() -> None:
    data = widgets.mask_builder_data(max_length=8, length=6, causal=True, padding=2)
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert len(data["scores"]) == 8 and all(len(row) == 8 for row in data["scores"])
    mask = widgets.mask_builder_mask(6, causal=True, padding=2)
    assert data["mask"] == mask.int().tolist()
    block = [row[:6] for row in data["scores"][:6]]
    assert data["weights"] == widgets.mask_builder_weights(block, mask).tolist()
    assert data == widgets.mask_builder_data(max_length=8, length=6, causal=True, padding=2), "seeded"


# ---------------------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------------------


def causal_weights(layers: int = 2, heads: int = 3, T: int = 5, seed: int = 0) -> torch.Tensor:
    scores = torch.randn(layers, heads, T, T, generator=torch.Generator().manual_seed(seed))
    return torch.softmax(scores.masked_fill(~causal_mask(T), float("-inf")), dim=-1)


def test_explorer_rows_are_the_weights_rounded_without_trailing_zeros() -> None:
    weights = causal_weights()
    data = widgets.explorer_data({"a": weights, "b": causal_weights(seed=1)}, list("abcde"), layer=1, head=2)
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert (data["layers"], data["heads"], data["query"], data["scale"]) == (2, 3, 4, 1000)
    assert [model["name"] for model in data["models"]] == ["a", "b"]
    for layer in range(2):
        for head in range(3):
            for query in range(5):
                stored = data["models"][0]["weights"][layer][head][query]
                assert len(stored) == query + 1  # a causal row stops at the query's own key
                assert all(isinstance(x, int) for x in stored)
                row = widgets.explorer_row(data, 0, layer, head, query)
                expected = weights[layer, head, query].double()
                assert torch.allclose(torch.tensor(row, dtype=torch.float64), expected, atol=5e-4, rtol=0)


def test_explorer_takes_cross_attention_with_its_own_key_tokens() -> None:
    weights = torch.softmax(torch.randn(1, 2, 3, 4), -1)
    data = widgets.explorer_data({"m": weights}, ["x", "y", "z"], ["a", "b", "c", "d"])
    assert data["queries"] == ["x", "y", "z"] and data["keys"] == ["a", "b", "c", "d"]
    assert len(widgets.explorer_row(data, 0, 0, 1, 2)) == 4


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: widgets.explorer_data({}, ["a"]), "weights"),
        (lambda: widgets.explorer_data({"m": torch.ones(1, 1, 2, 2)}, ["a"]), "weights['m']"),
        (lambda: widgets.explorer_data({"m": torch.ones(1, 1, 2, 2) / 2}, ["a", "b"], head=1), "layer, head"),
        (lambda: widgets.explorer_data({"m": torch.ones(1, 1, 2, 2) / 2}, ["a", "b"], query=2), "query"),
    ],
)
def test_explorer_rejects_bad_input_by_name(call, argument: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value).startswith(f"{argument}:")


# ---------------------------------------------------------------------------------------------------------
# The widget scripts and the build's directive
# ---------------------------------------------------------------------------------------------------------


def test_every_widget_script_has_one_static_figure_of_its_data() -> None:
    scripts = build_hooks.widget_scripts()
    assert scripts, "no widget scripts under widgets/"
    for script in scripts:
        named = build_hooks.widget_fallback(script)  # raises unless exactly one of draw() and FIGURE
        if named is not None:
            assert (ROOT / "figures" / f"{named}.py").is_file(), f"{script}: FIGURE names a missing figure"


@pytest.mark.parametrize("name", ["sdpa/playground", "masks/builder"])
def test_quick_widget_scripts_give_json(name: str, tmp_path: Path) -> None:
    """The scripts that train nothing: their data is JSON, and what the build writes is that JSON."""
    script = ROOT / "widgets" / f"{name}.py"
    targets = {"json": str(tmp_path / "data.json")}
    assert build_hooks._widget_main(json.dumps({str(script): targets})) == 0
    data = json.loads((tmp_path / "data.json").read_text(encoding="utf-8"))
    assert data["kind"] in ("playground", "masks")
    assert (tmp_path / "data.json").stat().st_size < 4000


def test_widget_directive_with_its_own_figure() -> None:
    page = 'Text\n\n    <!-- widget: sdpa/playground "A playground" -->\n\nMore\n'
    html = build_hooks.render_widgets(page, "foundations/scaled-dot-product-attention.md")
    assert "<!-- widget" not in html
    assert "    ![A playground](../assets/widgets/sdpa/playground-light.svg#only-light)" in html
    assert "../assets/widgets/sdpa/playground-dark.svg#only-dark" in html
    assert (
        '    <div class="book-widget" role="region" aria-label="A playground"'
        ' data-src="../../assets/widgets/sdpa/playground.json" hidden></div>'
    ) in html
    assert html.index("<figure") < html.index('<div class="book-widget"')


def test_widget_directive_needs_its_figure_earlier_on_the_page() -> None:
    directive = '<!-- widget: multi-head-attention/explorer "Explorer" -->'
    figure = '<!-- figure: multi-head-attention/trained_heads "Heads" -->'
    html = build_hooks.render_widgets(f"{figure}\n\n{directive}\n", "foundations/multi-head-attention.md")
    assert figure in html and "<figure" not in html
    assert 'data-src="../../assets/widgets/multi-head-attention/explorer.json"' in html
    with pytest.raises(build_hooks.BuildError, match="multi-head-attention/trained_heads"):
        build_hooks.render_widgets(f"{directive}\n\n{figure}\n", "foundations/multi-head-attention.md")


def test_widget_directive_naming_a_missing_script_fails() -> None:
    with pytest.raises(build_hooks.BuildError, match="widgets/sdpa/nope.py"):
        build_hooks.render_widgets('<!-- widget: sdpa/nope "x" -->\n', "foundations/x.md")


def test_widget_script_with_both_or_neither_static_figure_fails(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(build_hooks, "ROOT", tmp_path)
    both = tmp_path / "both.py"
    both.write_text(
        'FIGURE = "a/b"\n\ndef draw():\n    pass\n\ndef data():\n    return {}\n', encoding="utf-8"
    )
    neither = tmp_path / "neither.py"
    neither.write_text("def data():\n    return {}\n", encoding="utf-8")
    for script in (both, neither):
        with pytest.raises(build_hooks.BuildError, match="exactly one"):
            build_hooks.widget_fallback(script)
