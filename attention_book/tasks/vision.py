r"""A tiny Vision Transformer (ViT) that classifies shapes drawn by code, and its class token's attention.

Dosovitskiy et al. (2021), "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale"
(ICLR 2021, arXiv:2010.11929) feed an image to a plain Transformer encoder by cutting it into ``p x p``
patches and treating each patch as a token:

.. math::

    x_{\text{patch}} \in \mathbb{R}^{N \times (p^2 C)}, \qquad N = \frac{H W}{p^2}

then, with :math:`E \in \mathbb{R}^{(p^2 C) \times d}` and
:math:`E_{\text{pos}} \in \mathbb{R}^{(N + 1) \times d}`,

.. math::

    z_0 = [\, x_{\text{class}};\; x^1_{\text{patch}} E;\; \dots;\; x^N_{\text{patch}} E \,] + E_{\text{pos}}

and, through the blocks and the head,

.. math::

    z_\ell = \mathrm{Block}_\ell(z_{\ell - 1}), \qquad y = \mathrm{head}(\mathrm{LN}(z_L^0))

The class token :math:`x_{\text{class}}` is a learned vector put in front of the patches; after the last
block its state :math:`z_L^0` alone is classified. Everything it knows about the image it gathered through
attention, so its attention weights to the patches show where it looked.

The data: :func:`make_images` draws one of :data:`CLASSES` (square, disc, triangle, cross, two dots) at a
random place and size on a ``image_size x image_size`` gray image, with specks and noise as distractors.

* :class:`PatchEmbedding`: unfold into patches and project (equal to a ``Conv2d`` of stride ``p``);
* :class:`VisionTransformer`: patch embedding, class token, learned position embeddings, a stack of
  pre-norm :class:`attention_book.transformer.EncoderBlock` blocks, a linear head on the class token;
* :func:`train_vit` (cached), :func:`evaluate`, :func:`cls_attention`, :func:`attention_rollout`
  (Abnar and Zuidema, 2020, "Quantifying Attention Flow in Transformers", arXiv:2005.00928),
  :func:`shuffle_patches`, :func:`interpolate_positions`, and a small CNN (:func:`train_cnn`) to compare
  with when data are scarce.

Shapes are batch-first: images ``(B, C, H, W)``, tokens ``(B, N + 1, d)``, weights ``(B, heads, T, T)``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import check_ndim, check_positive_int, check_tensor, fmt_shape
from ..transformer import EncoderBlock
from ._cache import cached_training
from ._training import Batch, History, fit, held_out_generator, one_thread

__all__ = [
    "CLASSES",
    "IMAGE_SIZE",
    "PATCH_SIZE",
    "PatchEmbedding",
    "SmallCNN",
    "VisionTransformer",
    "attention_rollout",
    "cls_attention",
    "evaluate",
    "held_out_images",
    "interpolate_positions",
    "make_images",
    "patchify",
    "shuffle_patches",
    "train_cnn",
    "train_vit",
]

CLASSES: tuple[str, ...] = ("square", "disc", "triangle", "cross", "dots side by side", "dots stacked")
IMAGE_SIZE = 24  # pixels per side of the page's images
PATCH_SIZE = 4  # pixels per side of a patch: 6 x 6 = 36 patches


# --------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------


def make_images(
    generator: torch.Generator,
    batch_size: int = 64,
    image_size: int = IMAGE_SIZE,
    *,
    noise: float = 0.1,
    specks: int = 4,
) -> tuple[Tensor, Tensor]:
    """Gray images ``(B, 1, S, S)`` of one shape each, and their labels ``(B,)`` (indices into CLASSES).

    Each image holds one filled square, disc or triangle, or a cross or a ring, of radius ``0.15 S`` to
    ``0.3 S`` at a random place that keeps it inside the image, with a random brightness in ``[0.6, 1]``;
    ``specks`` bright pixels at random places (distractors) and Gaussian noise of standard deviation
    ``noise`` on top. Pixel values are roughly in ``[0, 1]``.
    """
    B = check_positive_int("batch_size", batch_size)
    S = check_positive_int("image_size", image_size)
    if S < 8:
        raise ValueError(f"image_size: expected at least 8 pixels, got {S}")
    if specks < 0:
        raise ValueError(f"specks: expected a count >= 0, got {specks}")
    labels = torch.randint(len(CLASSES), (B,), generator=generator)  # (B,)
    radius = S * (0.2 + 0.15 * torch.rand(B, generator=generator))  # (B,) in pixels
    room = S - 1 - 2 * radius  # (B,) range of centres that keep the shape inside
    cy = radius + room * torch.rand(B, generator=generator)  # (B,)
    cx = radius + room * torch.rand(B, generator=generator)  # (B,)
    brightness = 0.6 + 0.4 * torch.rand(B, generator=generator)  # (B,)
    grid = torch.arange(S, dtype=torch.float32)
    dy = grid[None, :, None] - cy[:, None, None]  # (B, S, 1): rows grow downwards
    dx = grid[None, None, :] - cx[:, None, None]  # (B, 1, S)
    r = radius[:, None, None]  # (B, 1, 1)
    distance = (dy**2 + dx**2).sqrt()  # (B, S, S)
    bar = (r / 4).clamp_min(0.75)  # half-width of the cross's bars
    shapes = torch.stack(
        [
            (dy.abs() <= 0.8 * r) & (dx.abs() <= 0.8 * r),  # square
            distance <= r,  # disc
            (dy <= r) & (dx.abs() <= (dy + r) / 2),  # triangle, apex up
            ((dx.abs() <= bar) & (dy.abs() <= r)) | ((dy.abs() <= bar) & (dx.abs() <= r)),  # cross
            _dots(dy, dx + 0.6 * r, r) | _dots(dy, dx - 0.6 * r, r),  # two dots side by side
            _dots(dy + 0.6 * r, dx, r) | _dots(dy - 0.6 * r, dx, r),  # two dots stacked
        ],
        dim=1,
    )  # (B, classes, S, S)
    mask = shapes[torch.arange(B), labels]  # (B, S, S)
    images = mask.float() * brightness[:, None, None]  # (B, S, S)
    if specks:
        where = torch.randint(S * S, (B, specks), generator=generator)  # (B, specks) flat pixel indices
        level = 0.5 + 0.5 * torch.rand(B, specks, generator=generator)  # (B, specks)
        images = images.flatten(1).scatter(1, where, level).view(B, S, S)
    images = images + noise * torch.randn(B, S, S, generator=generator)
    return images[:, None], labels  # (B, 1, S, S), (B,)


def _dots(dy: Tensor, dx: Tensor, r: Tensor) -> Tensor:
    """A small disc of radius ``0.4 r`` (at least 1.2 pixels) around offset ``(0, 0)``."""
    return dy**2 + dx**2 <= (0.4 * r).clamp_min(1.2) ** 2


def held_out_images(
    num_images: int = 1000, seed: int = 0, image_size: int = IMAGE_SIZE, *, clean: bool = False
) -> tuple[Tensor, Tensor]:
    """Images and labels drawn with a generator that no training run uses (see ``held_out_generator``).

    ``clean=True`` gives the same shapes without specks and noise: :func:`make_images` draws the shapes
    first, so they do not depend on the distractors drawn after them.
    """
    generator = held_out_generator(seed)
    if clean:
        return make_images(generator, num_images, image_size, noise=0.0, specks=0)
    return make_images(generator, num_images, image_size)


def _check_images(images: object, patch_size: int) -> Tensor:
    """``images`` as a ``(B, C, H, W)`` tensor whose sides are multiples of ``patch_size``."""
    images = check_tensor("images", images)
    check_ndim("images", images, (4,), "(B, C, H, W)")
    H, W = images.shape[-2:]
    if H % patch_size or W % patch_size:
        raise ValueError(
            f"images: expected height and width divisible by patch_size={patch_size}, "
            f"got {fmt_shape(images.shape)}"
        )
    return images


def patchify(images: Tensor, patch_size: int) -> Tensor:
    r"""Cut images ``(B, C, H, W)`` into flattened patches ``(B, N, C p^2)``, :math:`N = HW / p^2`.

    Patches are numbered row by row (left to right, top to bottom); each patch is flattened channel first,
    then row by row, the order of :func:`torch.nn.functional.unfold` and of a ``Conv2d`` weight.
    """
    p = check_positive_int("patch_size", patch_size)
    images = _check_images(images, p)
    return F.unfold(images, kernel_size=p, stride=p).transpose(1, 2)  # (B, C p p, N) -> (B, N, C p p)


def shuffle_patches(images: Tensor, patch_size: int, generator: torch.Generator) -> Tensor:
    """The same images with their ``p x p`` tiles moved to random places (one permutation per image)."""
    p = check_positive_int("patch_size", patch_size)
    images = _check_images(images, p)
    B, C, H, W = images.shape
    patches = F.unfold(images, kernel_size=p, stride=p)  # (B, C p p, N)
    order = torch.rand(B, patches.shape[-1], generator=generator).argsort(-1)  # (B, N)
    shuffled = patches.gather(2, order[:, None, :].expand_as(patches))  # (B, C p p, N)
    return F.fold(shuffled, (H, W), kernel_size=p, stride=p)  # (B, C, H, W)


# --------------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------------


class PatchEmbedding(nn.Module):
    r"""Cut an image into ``p x p`` patches and project each one linearly to ``d_model``.

    .. math::

        x^i_{\text{patch}} E + b, \qquad E \in \mathbb{R}^{(C p^2) \times d}

    ``(B, C, H, W) -> (B, N, d_model)`` with :math:`N = HW / p^2`. A linear map of non-overlapping patches
    is a convolution with kernel ``p`` and stride ``p``: :meth:`as_conv` returns that ``nn.Conv2d``.

    Args:
        patch_size: pixels per side of a patch.
        channels: image channels ``C``.
        d_model: width of a token.
    """

    def __init__(self, patch_size: int, channels: int, d_model: int) -> None:
        super().__init__()
        self.patch_size = check_positive_int("patch_size", patch_size)
        self.channels = check_positive_int("channels", channels)
        self.proj = nn.Linear(channels * patch_size**2, check_positive_int("d_model", d_model))

    def forward(self, images: Tensor) -> Tensor:
        images = _check_images(images, self.patch_size)
        if images.shape[1] != self.channels:
            raise ValueError(
                f"images: expected {self.channels} channel(s), (B, {self.channels}, H, W), "
                f"got {fmt_shape(images.shape)}"
            )
        return self.proj(patchify(images, self.patch_size))  # (B, N, C p p) -> (B, N, d)

    def as_conv(self) -> nn.Conv2d:
        """The ``nn.Conv2d(C, d, kernel_size=p, stride=p)`` that computes the same embedding."""
        p, d = self.patch_size, self.proj.out_features
        conv = nn.Conv2d(self.channels, d, kernel_size=p, stride=p)
        with torch.no_grad():
            conv.weight.copy_(self.proj.weight.view(d, self.channels, p, p))  # (d, C p p) -> (d, C, p, p)
            assert conv.bias is not None
            conv.bias.copy_(self.proj.bias)
        return conv


class VisionTransformer(nn.Module):
    r"""A small ViT (Dosovitskiy et al., 2021): patches and a class token through pre-norm encoder blocks.

    .. math::

        z_0 = [x_{\text{class}}; x^1 E; \dots; x^N E] + E_{\text{pos}}, \quad
        z_\ell = \mathrm{Block}_\ell(z_{\ell-1}), \quad
        \text{logits} = \mathrm{LN}(z_L^0)\, W_{\text{head}}

    Args:
        image_size: pixels per side of the (square) images; the position table has ``N + 1`` rows.
        patch_size: pixels per side of a patch; must divide ``image_size``.
        channels: image channels.
        num_classes: outputs of the head.
        d_model: width of a token.
        num_heads: attention heads per block.
        d_ff: hidden width of the blocks' feed-forward networks.
        num_layers: encoder blocks.
        positions: learn position embeddings; with ``False`` the model cannot tell where a patch was.
    """

    positions: nn.Parameter | None

    def __init__(
        self,
        image_size: int = IMAGE_SIZE,
        patch_size: int = PATCH_SIZE,
        channels: int = 1,
        num_classes: int = len(CLASSES),
        d_model: int = 32,
        num_heads: int = 4,
        d_ff: int = 64,
        num_layers: int = 2,
        *,
        positions: bool = True,
    ) -> None:
        super().__init__()
        image_size = check_positive_int("image_size", image_size)
        patch_size = check_positive_int("patch_size", patch_size)
        if image_size % patch_size:
            raise ValueError(f"image_size: expected a multiple of patch_size={patch_size}, got {image_size}")
        self.grid = image_size // patch_size  # patches per side
        self.patch_embed = PatchEmbedding(patch_size, channels, d_model)
        self.cls_token = nn.Parameter(0.02 * torch.randn(1, 1, d_model))  # (1, 1, d)
        tokens = self.grid**2 + 1
        self.positions = nn.Parameter(0.02 * torch.randn(1, tokens, d_model)) if positions else None
        self.blocks = nn.ModuleList(
            EncoderBlock(d_model, num_heads, d_ff, norm_first=True, activation="gelu")
            for _ in range(check_positive_int("num_layers", num_layers))
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, check_positive_int("num_classes", num_classes))

    @property
    def patch_size(self) -> int:
        return self.patch_embed.patch_size

    def embed(self, images: Tensor) -> Tensor:
        """Images ``(B, C, H, W)`` -> the encoder's input ``z_0`` ``(B, N + 1, d)``, class token first."""
        patches = self.patch_embed(images)  # (B, N, d)
        B, N, _ = patches.shape
        cls = self.cls_token.expand(B, -1, -1)  # (B, 1, d)
        tokens = torch.cat([cls, patches], dim=1)  # (B, N + 1, d)
        if self.positions is None:
            return tokens
        if N + 1 != self.positions.shape[1]:
            raise ValueError(
                f"images: expected {self.grid * self.patch_size} x {self.grid * self.patch_size} pixels "
                f"({self.grid**2} patches, the rows of the position table), got "
                f"{fmt_shape(images.shape)} ({N} patches); resize the table with interpolate_positions"
            )
        return tokens + self.positions  # (B, N + 1, d)

    def forward(self, images: Tensor) -> Tensor:
        """Images ``(B, C, H, W)`` -> class logits ``(B, num_classes)``."""
        x = self.embed(images)  # (B, T, d), T = N + 1
        for block in self.blocks:
            x = block(x)  # (B, T, d)
        return self.head(self.norm(x[:, 0]))  # the class token only: (B, d) -> (B, classes)

    def forward_with_weights(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Logits ``(B, classes)`` and every head's weights ``(layers, B, heads, T, T)``, ``T = N + 1``.

        Runs each pre-norm block's two sub-layers by hand (``x + attn(norm1(x))``, then
        ``x + ffn(norm2(x))``), as ``EncoderBlock.forward`` does, asking the attention for its weights.
        """
        x = self.embed(images)  # (B, T, d)
        weights = []
        for block in self.blocks:
            assert isinstance(block, EncoderBlock)
            h = block.norm1(x)
            out, w = block.self_attn(h, need_weights=True)  # (B, T, d), (B, heads, T, T)
            assert w is not None
            x = x + block.dropout1(out)
            x = x + block.dropout2(block.ff(block.norm2(x)))
            weights.append(w)
        return self.head(self.norm(x[:, 0])), torch.stack(weights)


# --------------------------------------------------------------------------------------------------------
# Training and evaluation
# --------------------------------------------------------------------------------------------------------


def _fixed_set(seed: int, train_size: int | None, batch_size: int) -> Callable[[torch.Generator], Batch]:
    """A make_batch for fit: fresh images each step, or batches drawn from ``train_size`` fixed images."""
    if train_size is None:
        return lambda generator: make_images(generator, batch_size)
    check_positive_int("batch_size", batch_size)
    n = check_positive_int("train_size", train_size)
    images, labels = make_images(torch.Generator().manual_seed(10_007 + seed), n)  # (n, 1, S, S), (n,)

    def batch(generator: torch.Generator) -> tuple[Tensor, Tensor]:
        pick = torch.randint(n, (batch_size,), generator=generator)  # (batch,) with replacement
        return images[pick], labels[pick]

    return batch


@cached_training
def train_vit(
    seed: int = 0,
    steps: int = 350,
    lr: float = 5e-3,
    *,
    positions: bool = True,
    train_size: int | None = None,
    batch_size: int = 128,
    d_model: int = 32,
    num_heads: int = 4,
    num_layers: int = 2,
) -> tuple[VisionTransformer, History]:
    """Train a :class:`VisionTransformer` on :func:`make_images` with cross-entropy; deterministic.

    ``train_size=None`` draws fresh images at every step (as much data as training can use); an integer
    trains on that many fixed images, to see how the model copes with little data.
    """
    torch.manual_seed(seed)
    model = VisionTransformer(
        d_model=d_model, num_heads=num_heads, num_layers=num_layers, d_ff=2 * d_model, positions=positions
    )
    make_batch = _fixed_set(seed, train_size, batch_size)
    history = fit(model, make_batch, F.cross_entropy, seed=seed, steps=steps, lr=lr)
    return model, history


class SmallCNN(nn.Module):
    """A small convolutional classifier (two 3x3 convolutions, pooling): the baseline with built-in
    locality and translation equivariance that a ViT lacks. ``(B, 1, S, S) -> (B, classes)``."""

    def __init__(self, channels: int = 1, num_classes: int = len(CLASSES), width: int = 16) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1),  # (B, w, S, S)
            nn.ReLU(),
            nn.MaxPool2d(2),  # (B, w, S/2, S/2)
            nn.Conv2d(width, 2 * width, 3, padding=1),  # (B, 2w, S/2, S/2)
            nn.ReLU(),
            nn.MaxPool2d(2),  # (B, 2w, S/4, S/4)
            nn.Conv2d(2 * width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveMaxPool2d(1),  # (B, 2w, 1, 1)
        )
        self.head = nn.Linear(2 * width, num_classes)

    def forward(self, images: Tensor) -> Tensor:
        return self.head(self.features(images).flatten(1))  # (B, classes)


@cached_training
def train_cnn(
    seed: int = 0, steps: int = 350, lr: float = 5e-3, *, train_size: int | None = None, batch_size: int = 128
) -> tuple[SmallCNN, History]:
    """Train a :class:`SmallCNN` exactly as :func:`train_vit` trains a ViT (same data, steps, optimiser)."""
    torch.manual_seed(seed)
    model = SmallCNN()
    make_batch = _fixed_set(seed, train_size, batch_size)
    history = fit(model, make_batch, F.cross_entropy, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def evaluate(
    model: nn.Module,
    num_images: int = 1000,
    seed: int = 0,
    *,
    shuffle: bool = False,
    patch_size: int = PATCH_SIZE,
    image_size: int = IMAGE_SIZE,
) -> float:
    """Accuracy on ``num_images`` held-out images of side ``image_size``.

    With ``shuffle``, the images' ``patch_size x patch_size`` tiles are moved to random places first.
    """
    images, labels = held_out_images(num_images, seed, image_size)
    if shuffle:
        images = shuffle_patches(images, patch_size, held_out_generator(seed + 1))
    with one_thread():
        predictions = model(images).argmax(-1)  # (num_images,)
    return (predictions == labels).float().mean().item()


# --------------------------------------------------------------------------------------------------------
# Where the class token looks
# --------------------------------------------------------------------------------------------------------


@torch.no_grad()
def cls_attention(model: VisionTransformer, images: Tensor) -> Tensor:
    """The class token's weights on the patches, ``(layers, B, heads, grid, grid)``.

    Row 0 of each head's ``(T, T)`` weights is the class token's query; its entries ``1..N`` (the patches,
    without the class token's weight on itself) are laid out on the patch grid. Each head's map sums to
    one minus the weight the class token keeps on itself.
    """
    _, weights = model.forward_with_weights(images)  # (layers, B, heads, T, T)
    grid = math.isqrt(weights.shape[-1] - 1)
    return weights[..., 0, 1:].unflatten(-1, (grid, grid))


def attention_rollout(weights: Tensor, residual: float = 0.5) -> Tensor:
    r"""Attention rollout (Abnar and Zuidema, 2020): how much each token's output draws on each input token.

    Each layer's weights are averaged over heads, mixed with the identity for the residual connection and
    renormalised, :math:`\tilde A_\ell = \mathrm{rows}(\,r I + (1 - r)\,\bar A_\ell)`, and multiplied
    through the layers: :math:`R = \tilde A_L \cdots \tilde A_1`.

    Args:
        weights: ``(layers, B, heads, T, T)``, as :meth:`VisionTransformer.forward_with_weights` returns.
        residual: the share :math:`r` of the identity, 0.5 in the paper.

    Returns:
        ``(B, T, T)``: row ``i`` is how token ``i`` of the last layer mixes the input tokens; rows sum to 1.
    """
    weights = check_tensor("weights", weights)
    check_ndim("weights", weights, (5,), "(layers, B, heads, T, T)")
    if weights.shape[-1] != weights.shape[-2]:
        raise ValueError(f"weights: expected square (T, T) maps, got {fmt_shape(weights.shape)}")
    if not 0.0 <= residual <= 1.0:
        raise ValueError(f"residual: expected a share in [0, 1], got {residual}")
    T = weights.shape[-1]
    eye = torch.eye(T, dtype=weights.dtype)
    rollout = eye.expand(weights.shape[1], T, T)  # (B, T, T)
    for layer in weights:  # (B, heads, T, T)
        mixed = residual * eye + (1 - residual) * layer.mean(1)  # (B, T, T)
        mixed = mixed / mixed.sum(-1, keepdim=True)
        rollout = mixed @ rollout  # the later layer on the left
    return rollout


def interpolate_positions(model: VisionTransformer, image_size: int) -> VisionTransformer:
    """A copy of ``model`` for ``image_size`` images: the position table's patch rows are resized bicubically.

    The table's ``grid x grid`` patch rows are viewed as a ``d``-channel image and resized to the new grid
    (Dosovitskiy et al., 2021, Section 3.2); the class token's row is kept. The copy shares no weights
    with ``model``.
    """
    size = check_positive_int("image_size", image_size)
    if size % model.patch_size:
        raise ValueError(f"image_size: expected a multiple of patch_size={model.patch_size}, got {size}")
    if model.positions is None:
        raise ValueError("model: expected a model with position embeddings, got positions=None")
    new_grid = size // model.patch_size
    resized = copy.deepcopy(model)
    table = model.positions.detach()  # (1, 1 + g g, d)
    d = table.shape[-1]
    patches = table[:, 1:].reshape(1, model.grid, model.grid, d).permute(0, 3, 1, 2)  # (1, d, g, g)
    patches = F.interpolate(patches, size=(new_grid, new_grid), mode="bicubic", align_corners=False)
    patches = patches.permute(0, 2, 3, 1).reshape(1, new_grid**2, d)  # (1, G G, d)
    resized.positions = nn.Parameter(torch.cat([table[:, :1], patches], dim=1))
    resized.grid = new_grid
    return resized
