"""Figures for the book: attention heatmaps, masks, positional encodings and benchmark curves.

Every function returns a :class:`matplotlib.figure.Figure` built directly (``Figure()``, not
``pyplot.figure()``), so nothing is registered globally and nothing needs closing. Colors, fonts and the
colormap are read from matplotlib's ``rcParams``, never hard-coded, so the same call draws the light or the
dark variant of a figure depending on the :func:`theme` it runs under::

    with theme("dark"):
        fig = plot_attention(weights)
    save_svg(fig, "attention-dark.svg")

The two themes match Material for MkDocs' light page (white) and its dark "slate" page (``#1e2129``): the
figure background is transparent and the text, axes and ticks are drawn in a color readable on that page.
:func:`save_svg` writes byte-for-byte reproducible SVG, so an unchanged figure gives an unchanged file.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, ListedColormap
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.ticker import MaxNLocator

__all__ = [
    "THEMES",
    "plot_attention",
    "plot_heads",
    "plot_lines",
    "plot_mask",
    "plot_positional_encoding",
    "save_svg",
    "theme",
]

THEMES: tuple[str, ...] = ("light", "dark")

#: Annotate cell values when a matrix has at most this many rows and columns.
ANNOTATE_MAX = 10

SVG_HASHSALT = "attention-book"

# Foreground colors per theme: text on Material's white page, and on its "slate" page (#1e2129).
_FOREGROUND = {
    "light": {"text": "#1f2328", "muted": "#57606a", "grid": "#d0d7de"},
    "dark": {"text": "#e6edf3", "muted": "#9da7b3", "grid": "#3d444d"},
}
# Line colors readable on both backgrounds (mid-luminance, colorblind-friendly order).
_LINE_COLORS = ["#4c9be8", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7"]


def _theme_rc(name: str) -> Any:  # a dict of rcParams
    fg = _FOREGROUND[name]
    return {
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "legend.facecolor": "none",
        "legend.edgecolor": fg["muted"],
        "legend.labelcolor": fg["text"],
        "text.color": fg["text"],
        "axes.labelcolor": fg["text"],
        "axes.titlecolor": fg["text"],
        "axes.edgecolor": fg["muted"],
        "xtick.color": fg["muted"],
        "ytick.color": fg["muted"],
        "xtick.labelcolor": fg["text"],
        "ytick.labelcolor": fg["text"],
        "grid.color": fg["grid"],
        "axes.prop_cycle": cycler(color=_LINE_COLORS),
        "image.cmap": "viridis",
        "font.size": 12,
        "axes.titlesize": 13,
        "axes.labelsize": 12,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "legend.fontsize": 10,
        "figure.dpi": 100,
        "svg.hashsalt": SVG_HASHSALT,
        "svg.fonttype": "path",
    }


@contextmanager
def theme(name: str) -> Iterator[None]:
    """Draw figures for Material for MkDocs' ``"light"`` or ``"dark"`` page inside this ``with`` block.

    Sets ``rcParams`` through :func:`matplotlib.rc_context`, so they are restored on exit.
    """
    if name not in THEMES:
        raise ValueError(f"theme name must be one of {THEMES}, got {name!r}")
    with matplotlib.rc_context(_theme_rc(name)):
        yield


def save_svg(fig: Figure, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as SVG that is byte-for-byte the same on every run (no date, fixed ids, text as paths).

    Constrained layout nudges the axes by rounding noise on every draw, which would change the ids of clip
    paths. So the layout is computed once more and then frozen (the figure's layout engine becomes
    ``"none"``); saving the same figure again writes the same bytes.
    """
    engine = fig.get_layout_engine()
    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
    with open(path, "wb") as file:
        file.write(_render_svg(fig))


def _render_svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def _to_numpy(data: Any, name: str, ndim: int) -> np.ndarray:
    """Accept a torch tensor, numpy array or nested list with exactly ``ndim`` dimensions."""
    if hasattr(data, "detach"):  # a torch.Tensor, without importing torch here
        data = data.detach().cpu().float().numpy()
    array = np.asarray(data)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    if array.dtype == np.bool_:
        return array
    return array.astype(np.float64)


def _cmap() -> Colormap:
    return matplotlib.colormaps[matplotlib.rcParams["image.cmap"]]


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        figure = ax.get_figure()
        assert isinstance(figure, Figure)
        return figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _heatmap_size(rows: int, cols: int) -> tuple[float, float]:
    """A figure size that keeps cells roughly square and the figure about 7 inches wide at most."""
    width = min(7.0, max(3.5, 0.55 * cols + 1.8))
    height = min(7.0, max(2.5, width * rows / max(cols, 1) * 0.9))
    return width, height


def _set_labels(ax: Axes, row_labels: Sequence[str] | None, col_labels: Sequence[str] | None) -> None:
    """Name the rows and columns, or number them with integer positions only (no 0.5 ticks)."""
    if col_labels is not None:
        ax.set_xticks(range(len(col_labels)), labels=list(col_labels), rotation=45, ha="right")
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if row_labels is not None:
        ax.set_yticks(range(len(row_labels)), labels=list(row_labels))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _check_labels(labels: Sequence[str] | None, n: int, name: str) -> None:
    if labels is not None and len(labels) != n:
        raise ValueError(f"{name} must have {n} entries, got {len(labels)}")


def _annotate(ax: Axes, values: np.ndarray, vmin: float, vmax: float, fontsize: float) -> None:
    """Write each value in its cell, in black or white, whichever contrasts with the cell's color."""
    cmap = _cmap()
    span = vmax - vmin if vmax > vmin else 1.0
    for (i, j), value in np.ndenumerate(values):
        r, g, b, _ = cmap((value - vmin) / span)
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        color = "black" if luminance > 0.5 else "white"  # against the cell, not the page
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=color, fontsize=fontsize)


def _draw_heatmap(
    ax: Axes, values: np.ndarray, annotate: bool | None, vmin: float, vmax: float, fontsize: float = 9
) -> Any:
    image = ax.imshow(values, cmap=_cmap(), vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    rows, cols = values.shape
    if annotate is None:
        annotate = rows <= ANNOTATE_MAX and cols <= ANNOTATE_MAX
    if annotate:
        _annotate(ax, values, vmin, vmax, fontsize)
    return image


# --------------------------------------------------------------------------------------------------------
# Attention weights
# --------------------------------------------------------------------------------------------------------


def plot_attention(
    weights: Any,
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    annotate: bool | None = None,
) -> Figure:
    """Heatmap of an ``(L, S)`` attention matrix: row ``i`` is query ``i``, column ``j`` is key ``j``.

    Values are written in the cells when the matrix is at most ``ANNOTATE_MAX x ANNOTATE_MAX`` (or when
    ``annotate=True``). The color scale starts at 0, so masked (zero-weight) cells show the colormap's
    lowest color, distinct from the transparent page behind the figure. Pass ``ax`` to draw into an
    existing axes; the figure that holds it is returned.
    """
    values = _to_numpy(weights, "weights", 2).astype(np.float64)
    rows, cols = values.shape
    _check_labels(row_labels, rows, "row_labels")
    _check_labels(col_labels, cols, "col_labels")
    fig, ax = _new_axes(ax, _heatmap_size(rows, cols))
    vmax = max(1.0, float(values.max())) if values.size and values.min() >= 0 else float(values.max())
    vmin = 0.0 if values.size and values.min() >= 0 else float(values.min())
    image = _draw_heatmap(ax, values, annotate, vmin, vmax)
    _set_labels(ax, row_labels, col_labels)
    ax.set_xlabel("key position" if col_labels is None else "key")
    ax.set_ylabel("query position" if row_labels is None else "query")
    if title is not None:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def plot_heads(
    weights: Any,
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    annotate: bool | None = None,
) -> Figure:
    """One heatmap per head for weights of shape ``(H, L, S)``, on a grid of ``ncols`` columns.

    All heads share one color scale (0 to the largest weight) and one colorbar, so the figure has ``H + 1``
    axes.
    """
    values = _to_numpy(weights, "weights", 3).astype(np.float64)
    heads, rows, cols = values.shape
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols <= 0:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    if titles is not None and len(titles) != heads:
        raise ValueError(f"titles must have {heads} entries (one per head), got {len(titles)}")
    _check_labels(row_labels, rows, "row_labels")
    _check_labels(col_labels, cols, "col_labels")
    ncols = min(ncols, heads)
    nrows = math.ceil(heads / ncols)
    fig = Figure(figsize=(min(7.0, 2.2 * ncols + 1.0), 2.2 * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    vmax = max(float(values.max()), 1e-12)
    image: Any = None
    for h, ax in enumerate(axes):
        if h >= heads:
            fig.delaxes(ax)
            continue
        image = _draw_heatmap(ax, values[h], annotate, 0.0, vmax, fontsize=7)
        _set_labels(ax, row_labels, col_labels)
        ax.set_title(titles[h] if titles is not None else f"head {h}")
    fig.colorbar(image, ax=list(axes[:heads]), shrink=0.8)
    return fig


def plot_mask(
    mask: Any,
    *,
    title: str | None = None,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw an ``(L, S)`` keep-mask (True = may attend): kept cells bright, blocked cells dark.

    Works for any mask of the book: causal, padding, sliding window, block sparse.
    """
    keep = _to_numpy(mask, "mask", 2) != 0
    rows, cols = keep.shape
    _check_labels(row_labels, rows, "row_labels")
    _check_labels(col_labels, cols, "col_labels")
    fig, ax = _new_axes(ax, _heatmap_size(rows, cols))
    cmap = _cmap()
    two_colors = ListedColormap([cmap(0.0), cmap(0.8)])
    image = ax.imshow(keep.astype(np.float64), cmap=two_colors, vmin=0, vmax=1, interpolation="nearest")
    if max(rows, cols) <= 32:  # thin lines between cells, in the page's text color
        ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
        ax.grid(which="minor", color=matplotlib.rcParams["axes.edgecolor"], linewidth=0.5)
        ax.tick_params(which="minor", length=0)
    _set_labels(ax, row_labels, col_labels)
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    if title is not None:
        ax.set_title(title)
    colorbar = fig.colorbar(image, ax=ax, shrink=0.6, ticks=[0.25, 0.75])
    colorbar.ax.set_yticklabels(["blocked", "may attend"])
    return fig


def plot_positional_encoding(pe: Any, *, title: str | None = None, ax: Axes | None = None) -> Figure:
    """Heatmap of a positional encoding of shape ``(length, d_model)``: one row per position."""
    values = _to_numpy(pe, "pe", 2).astype(np.float64)
    fig, ax = _new_axes(ax, (7.0, 3.8))
    bound = float(np.abs(values).max()) if values.size else 1.0
    image = ax.imshow(values, cmap=_cmap(), vmin=-bound, vmax=bound, aspect="auto", interpolation="nearest")
    ax.set_xlabel("dimension")
    ax.set_ylabel("position")
    if title is not None:
        ax.set_title(title)
    fig.colorbar(image, ax=ax)
    return fig


# --------------------------------------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------------------------------------


def plot_lines(
    x: Sequence[float],
    ys: Mapping[str, Sequence[float]],
    *,
    xlabel: str,
    ylabel: str,
    logx: bool = False,
    logy: bool = False,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """One line per entry of ``ys`` (label -> values at ``x``), with markers and a legend.

    For benchmark curves (time or memory against sequence length) and variance curves.
    """
    xs = _to_numpy(list(x), "x", 1)
    if not ys:
        raise ValueError("ys must hold at least one curve, got an empty mapping")
    fig, ax = _new_axes(ax, (7.0, 4.0))
    for label, values in ys.items():
        curve = _to_numpy(list(values), f"ys[{label!r}]", 1)
        if curve.shape != xs.shape:
            raise ValueError(
                f"ys[{label!r}] must have {xs.shape[0]} values (one per x), got {curve.shape[0]}"
            )
        ax.plot(xs, curve, marker="o", markersize=4, label=label)
    if logx:
        ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend()
    if title is not None:
        ax.set_title(title)
    return fig
