"""The n x n score matrix cut into tiles: the order tiled_attention visits them, full and causal."""

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

N, B = 16, 4  # 16 positions, tiles of 4 x 4
SKIPPED, MASKED, COMPUTED = 0, 1, 2


def visits(causal: bool) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Cell states (N, N) and the tiles (order, query block, key block) in tiled_attention's loop order."""
    state = np.full((N, N), SKIPPED)
    order = []
    for i in range(0, N, B):  # query blocks, outer loop
        last_key = i + B if causal else N
        for j in range(0, last_key, B):  # key blocks, inner loop
            order.append((len(order) + 1, i // B, j // B))
            for r in range(i, i + B):
                for c in range(j, j + B):
                    state[r, c] = MASKED if causal and c > r else COMPUTED
    return state, order


def draw_panel(ax, causal: bool, colors: ListedColormap) -> None:  # type: ignore[no-untyped-def]
    state, order = visits(causal)
    ax.imshow(state, cmap=colors, vmin=0, vmax=2, interpolation="nearest")
    edge = matplotlib.rcParams["axes.edgecolor"]
    for t in range(0, N + 1, B):  # tile borders
        ax.axhline(t - 0.5, color=edge, linewidth=1.5)
        ax.axvline(t - 0.5, color=edge, linewidth=1.5)
    for number, qb, kb in order:
        ax.text(
            kb * B + (B - 1) / 2,
            qb * B + (B - 1) / 2,
            str(number),
            ha="center",
            va="center",
            fontsize=11,
            color="#1f2328",
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": "#ffffff", "edgecolor": "none", "alpha": 0.9},
        )
    ticks = list(range(0, N, B))
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    skipped = (N // B) ** 2 - len(order)
    ax.set_title(f"causal: {len(order)} tiles, {skipped} skipped" if causal else f"full: {len(order)} tiles")


def draw() -> Figure:
    cmap = matplotlib.colormaps[matplotlib.rcParams["image.cmap"]]
    colors = ListedColormap([cmap(0.0), cmap(0.4), cmap(0.85)])
    fig = Figure(figsize=(9.0, 4.9), layout="constrained")
    axes = fig.subplots(1, 2)
    draw_panel(axes[0], causal=False, colors=colors)
    draw_panel(axes[1], causal=True, colors=colors)
    handles = [
        Patch(facecolor=colors(2), label="score computed"),
        Patch(facecolor=colors(1), label="computed, then masked"),
        Patch(facecolor=colors(0), label="tile skipped"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    fig.suptitle("Tiles of 4 × 4 scores, numbered in the order they are computed")
    return fig
