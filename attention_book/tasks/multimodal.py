r"""Multimodal cross-attention: questions (text) that read a toy image (a grid of coloured shapes).

Two modalities of different kinds and lengths meet in one attention. The image is a ``GRID x GRID`` grid
of cells, each empty or holding one object with a colour (:data:`COLOURS`) and a shape (:data:`SHAPES`),
drawn as an RGB picture of ``PATCH x PATCH`` pixels per cell and cut into one patch per cell, as a
Vision Transformer does (Dosovitskiy et al., 2020, arXiv:2010.11929). The text is a short question about
one object of the scene::

    what colour is the circle ?          -> red         (exactly one circle in the scene)
    what shape is the blue one ?         -> square      (exactly one blue object)
    is there a green triangle ?          -> yes / no
    where is the yellow circle ?         -> top-left / top-right / bottom-left / bottom-right

The words are the queries and the cells the keys and values (cross-attention). With text states
:math:`X \in \mathbb{R}^{T \times d}` and cell states :math:`C \in \mathbb{R}^{N \times d}`, both projected
to the same width ``d``,

.. math::

    \mathrm{CrossAttention}(X, C) = \mathrm{softmax}\Big(\frac{(X W^Q)(C W^K)^\top}{\sqrt{d_k}}\Big)\, C W^V,

a ``(T, N)`` matrix of weights: row ``t`` says where word ``t`` looks in the picture. This is how attention
entered vision-and-language: the caption decoder of Xu et al. (2015, "Show, Attend and Tell",
arXiv:1502.03044) attends over the cells of a CNN's feature map for every word it writes; ViLBERT
(Lu et al., 2019, arXiv:1908.02265) lets text attend to image regions and image regions to text
(co-attention); Flamingo (Alayrac et al., 2022, arXiv:2204.14198) inserts cross-attention layers, text
queries over image keys and values, between the frozen layers of a language model. CLIP (Radford et al.,
2021, arXiv:2103.00020) is the contrast: it encodes image and text separately and compares two vectors,
with no cross-attention at all, so it cannot say which region a word refers to.

The model, :class:`SceneQA`, embeds each patch with a small MLP (the tiniest vision encoder) plus a
learned position per cell, embeds the words plus a learned position per word, and runs a stack of the
library's :class:`attention_book.transformer.DecoderBlock` with *non-causal* self-attention: every block
lets the words talk among themselves (with a padding mask), then read the image (cross-attention), then
think (feed-forward). The answer is read from the final ``?`` token, where the question is complete.

The generator is biased on purpose, as real data are (Goyal et al., 2017, "Making the V in VQA Matter",
arXiv:1612.00837): each shape has a usual colour (circles are often red), so a model could answer part of
the questions from the text alone. :func:`text_prior_accuracy` measures that floor and
:func:`evaluate` with ``shuffle_images=True`` checks that the trained model really looks.

Shapes are batch-first: images ``(B, 3, H, W)``, patches ``(B, N, 3 * PATCH * PATCH)`` with
``N = GRID * GRID``, question ids ``(B, T)`` padded on the right with :data:`PAD`, answers ``(B,)``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from .._checks import check_positive_int
from ..masks import padding_mask_from_ids
from ..transformer import DecoderBlock
from ._cache import cached_training
from ._recording import recording_attention
from ._training import History, fit, held_out_generator, one_thread

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ANSWERS",
    "COLOURS",
    "GRID",
    "MAX_LEN",
    "PAD",
    "PATCH",
    "QUADRANTS",
    "SHAPES",
    "WORDS",
    "Sample",
    "Scene",
    "SceneQA",
    "cross_attention",
    "encode_questions",
    "evaluate",
    "grounding_accuracy",
    "held_out_samples",
    "initial_model",
    "make_batch",
    "patches",
    "render",
    "plot_scene",
    "sample_scenes",
    "text_prior_accuracy",
    "train_scene_qa",
]

GRID = 4  # cells per side: N = 16 patches
PATCH = 6  # pixels per cell side: the image is 24 x 24
MAX_LEN = 12  # the longest question (with padding) the model has positions for
USUAL_COLOUR_PROBABILITY = 0.5  # how often a shape takes its usual colour (else any colour, uniformly)

COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.9, 0.15, 0.15),
    "green": (0.2, 0.75, 0.25),
    "blue": (0.2, 0.4, 0.95),
    "yellow": (0.95, 0.85, 0.1),
}
SHAPES = ("circle", "square", "triangle")
USUAL_COLOUR = {"circle": "red", "square": "blue", "triangle": "green"}
QUADRANTS = ("top-left", "top-right", "bottom-left", "bottom-right")
ANSWERS: tuple[str, ...] = (*COLOURS, *SHAPES, "yes", "no", *QUADRANTS)
PAD = 0
WORDS: tuple[str, ...] = (
    "<pad>",
    *("what", "colour", "shape", "is", "the", "one", "there", "a", "where", "?"),
    *COLOURS,
    *SHAPES,
)
KINDS = ("colour", "shape", "exists", "where")  # the four kinds of question


@dataclass(frozen=True)
class Scene:
    """One picture: ``objects`` is a tuple of ``(cell, colour, shape)``, cells numbered row by row.

    >>> Scene(((0, "red", "circle"), (7, "blue", "square"))).at(7)
    ('blue', 'square')
    """

    objects: tuple[tuple[int, str, str], ...]

    def __post_init__(self) -> None:
        cells = [cell for cell, _, _ in self.objects]
        for cell, colour, shape in self.objects:
            if not 0 <= cell < GRID * GRID:
                raise ValueError(f"objects: expected cells in [0, {GRID * GRID}), got {cell}")
            if colour not in COLOURS or shape not in SHAPES:
                raise ValueError(
                    f"objects: expected a colour of {tuple(COLOURS)} and a shape of {SHAPES}, "
                    f"got {(colour, shape)}"
                )
        if len(set(cells)) != len(cells):
            raise ValueError(f"objects: expected at most one object per cell, got cells {cells}")

    def text(self) -> str:
        """The grid as text, one row per line: ``Ro`` is a red circle, ``B#`` a blue square, ``G^`` a green
        triangle, ``.`` an empty cell."""
        symbol = {"circle": "o", "square": "#", "triangle": "^"}
        cells = [" ."] * (GRID * GRID)
        for cell, colour, shape in self.objects:
            cells[cell] = colour[0].upper() + symbol[shape]
        return "\n".join(" ".join(cells[r * GRID : (r + 1) * GRID]) for r in range(GRID))

    def at(self, cell: int) -> tuple[str, str] | None:
        """The ``(colour, shape)`` in ``cell``, or ``None`` if the cell is empty."""
        for where, colour, shape in self.objects:
            if where == cell:
                return colour, shape
        return None


@dataclass(frozen=True)
class Sample:
    """A scene, a question about it, the answer, and the cell of the object the question refers to.

    ``target`` is ``-1`` when no object is referred to (``is there ... ?`` answered ``no``).
    """

    scene: Scene
    question: tuple[str, ...]
    answer: str
    target: int


def _quadrant(cell: int) -> str:
    row, col = divmod(cell, GRID)
    return QUADRANTS[2 * (row >= GRID // 2) + (col >= GRID // 2)]


def _draw_object(rng: random.Random) -> tuple[str, str]:
    """A random (colour, shape): each shape takes its usual colour with USUAL_COLOUR_PROBABILITY."""
    shape = rng.choice(SHAPES)
    colour = USUAL_COLOUR[shape] if rng.random() < USUAL_COLOUR_PROBABILITY else rng.choice(list(COLOURS))
    return colour, shape


def _sample(rng: random.Random) -> Sample:
    """One scene with 3 to 5 objects and one question whose answer is unique."""
    kind = rng.choice(KINDS)
    colour, shape = _draw_object(rng)
    present = kind != "exists" or rng.random() < 0.5

    def allowed(c: str, s: str) -> bool:  # a distractor must not make the question ambiguous
        if kind == "colour":
            return s != shape
        if kind == "shape":
            return c != colour
        return (c, s) != (colour, shape)

    others: list[tuple[str, str]] = []
    count = rng.randint(3, 5) - present
    while len(others) < count:
        candidate = _draw_object(rng)
        if allowed(*candidate):
            others.append(candidate)
    cells = rng.sample(range(GRID * GRID), count + present)
    things = ([(colour, shape)] if present else []) + others
    scene = Scene(tuple((cell, c, s) for cell, (c, s) in zip(cells, things, strict=True)))
    target = cells[0] if present else -1
    if kind == "colour":
        return Sample(scene, ("what", "colour", "is", "the", shape, "?"), colour, target)
    if kind == "shape":
        return Sample(scene, ("what", "shape", "is", "the", colour, "one", "?"), shape, target)
    if kind == "exists":
        return Sample(scene, ("is", "there", "a", colour, shape, "?"), "yes" if present else "no", target)
    return Sample(scene, ("where", "is", "the", colour, shape, "?"), _quadrant(target), target)


def sample_scenes(generator: torch.Generator, num_samples: int) -> list[Sample]:
    """``num_samples`` random scenes with a question each, drawn from ``generator`` (deterministic)."""
    n = check_positive_int("num_samples", num_samples)
    rng = random.Random(int(torch.randint(0, 2**62, (1,), generator=generator)))  # fast, seeded
    return [_sample(rng) for _ in range(n)]


def _shape_mask(shape: str) -> Tensor:
    """A ``(PATCH, PATCH)`` 0/1 mask of the shape, centred in its cell."""
    y, x = torch.meshgrid(
        torch.arange(PATCH) - (PATCH - 1) / 2, torch.arange(PATCH) - (PATCH - 1) / 2, indexing="ij"
    )
    if shape == "circle":
        return ((x**2 + y**2) <= 6.5).float()
    if shape == "square":
        return ((x.abs() <= 2) & (y.abs() <= 2)).float()
    return ((y >= -1.5) & (x.abs() <= (y + 2.5) / 1.6)).float()  # a triangle, point up


# Every kind of cell drawn once: index 0 is an empty cell, then (colour, shape) in order. (K, 3, P, P)
_KINDS = [(c, s) for c in COLOURS for s in SHAPES]
_PATCHES = torch.stack(
    [torch.zeros(3, PATCH, PATCH)]
    + [torch.tensor(COLOURS[c])[:, None, None] * _shape_mask(s) for c, s in _KINDS]
)


def render(
    scenes: Sequence[Scene], *, noise: float = 0.0, generator: torch.Generator | None = None
) -> Tensor:
    """The scenes as RGB images ``(B, 3, GRID * PATCH, GRID * PATCH)``, values about in ``[0, 1]``.

    ``noise`` adds Gaussian pixel noise of that standard deviation (drawn from ``generator``).
    """
    if not scenes:
        raise ValueError("scenes: expected at least one scene, got none")
    if noise < 0:
        raise ValueError(f"noise: expected a standard deviation >= 0, got {noise}")
    kinds = torch.zeros(len(scenes), GRID * GRID, dtype=torch.long)  # (B, N): 0 = empty
    for b, scene in enumerate(scenes):
        for cell, colour, shape in scene.objects:
            kinds[b, cell] = 1 + _KINDS.index((colour, shape))
    cells = _PATCHES[kinds]  # (B, N, 3, P, P)
    B = len(scenes)
    image = cells.view(B, GRID, GRID, 3, PATCH, PATCH).permute(0, 3, 1, 4, 2, 5)  # (B, 3, G, P, G, P)
    image = image.reshape(B, 3, GRID * PATCH, GRID * PATCH)
    if noise > 0:
        image = image + noise * torch.randn(image.shape, generator=generator)
    return image


def patches(images: Tensor) -> Tensor:
    """Cut images ``(B, 3, H, W)`` into one flattened patch per cell: ``(B, N, 3 * PATCH * PATCH)``.

    Patch ``n`` is cell ``n``, row by row, as in :class:`Scene`.
    """
    side = GRID * PATCH
    if not isinstance(images, Tensor) or images.dim() != 4 or tuple(images.shape[1:]) != (3, side, side):
        shape = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
        raise ValueError(f"images: expected shape (B, 3, {side}, {side}), got {shape}")
    B = images.shape[0]
    grid = images.reshape(B, 3, GRID, PATCH, GRID, PATCH).permute(0, 2, 4, 1, 3, 5)  # (B, G, G, 3, P, P)
    return grid.reshape(B, GRID * GRID, 3 * PATCH * PATCH)


def encode_questions(questions: Sequence[Sequence[str]], length: int | None = None) -> Tensor:
    """Word ids ``(B, T)``, padded on the right with :data:`PAD` to ``length`` (default: the longest)."""
    if not questions:
        raise ValueError("questions: expected at least one question, got none")
    longest = max(len(q) for q in questions)
    T = longest if length is None else check_positive_int("length", length)
    if T < longest or T > MAX_LEN:
        raise ValueError(f"length: expected {longest} <= length <= {MAX_LEN}, got {T}")
    ids = torch.full((len(questions), T), PAD, dtype=torch.long)
    for b, question in enumerate(questions):
        if not question or question[-1] != "?":
            raise ValueError(f"questions: expected questions ending with '?', got {list(question)}")
        for t, word in enumerate(question):
            if word not in WORDS or word == "<pad>":
                raise ValueError(f"questions: expected words of the toy vocabulary, got {word!r}")
            ids[b, t] = WORDS.index(word)
    return ids


def make_batch(
    generator: torch.Generator, batch_size: int = 64, *, noise: float = 0.1
) -> tuple[tuple[Tensor, Tensor], Tensor]:
    """``((images (B, 3, H, W), question ids (B, T)), answer ids (B,))`` of fresh random scenes."""
    samples = sample_scenes(generator, check_positive_int("batch_size", batch_size))
    images = render([s.scene for s in samples], noise=noise, generator=generator)
    answers = torch.tensor([ANSWERS.index(s.answer) for s in samples])
    return (images, encode_questions([s.question for s in samples])), answers


class SceneQA(nn.Module):
    """Words that read a picture: text self-attention, then cross-attention from words to cells.

    ::

        cells = mlp(patches(image)) + cell_position           # (B, N, d): keys and values
        words = embed(question) + word_position                # (B, T, d): queries
        for block in blocks:                                   # DecoderBlock, non-causal
            words = block(words, cells, tgt_mask=padding)      # self-attn, cross-attn, FFN
        logits = head(norm(words at "?"))                      # (B, len(ANSWERS))

    Args:
        d_model: the shared width ``d`` of both modalities.
        num_heads: attention heads per block.
        d_ff: hidden width of the feed-forward networks (and of the patch MLP).
        num_layers: decoder blocks.
    """

    def __init__(self, d_model: int = 32, num_heads: int = 2, d_ff: int = 64, num_layers: int = 2) -> None:
        super().__init__()
        d_model = check_positive_int("d_model", d_model)
        check_positive_int("num_layers", num_layers)
        self.patch_embed = nn.Sequential(  # one patch, 3 * P * P pixels -> d_model
            nn.Linear(3 * PATCH * PATCH, d_ff), nn.GELU(), nn.Linear(d_ff, d_model)
        )
        self.cell_position = nn.Parameter(0.5 * torch.randn(GRID * GRID, d_model))
        self.word_embed = nn.Embedding(len(WORDS), d_model, padding_idx=PAD)
        self.word_position = nn.Parameter(0.02 * torch.randn(MAX_LEN, d_model))
        self.blocks = nn.ModuleList(
            DecoderBlock(d_model, num_heads, d_ff, norm_first=True) for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, len(ANSWERS))

    def encode_image(self, images: Tensor) -> Tensor:
        """Images ``(B, 3, H, W)`` -> cell states ``(B, N, d_model)``."""
        return self.patch_embed(patches(images)) + self.cell_position  # (B, N, d)

    def forward(self, inputs: tuple[Tensor, Tensor], *, mask_padding: bool = True) -> Tensor:
        """Answer logits ``(B, len(ANSWERS))`` for ``(images (B, 3, H, W), question ids (B, T))``.

        ``mask_padding=False`` drops the padding mask of the words' self-attention: the mistake that
        the chapter measures.
        """
        images, ids = inputs
        if not isinstance(ids, Tensor) or ids.dim() != 2 or ids.shape[1] > MAX_LEN:
            shape = tuple(ids.shape) if isinstance(ids, Tensor) else type(ids).__name__
            raise ValueError(f"inputs: expected question ids of shape (B, T <= {MAX_LEN}), got {shape}")
        if images.shape[0] != ids.shape[0]:
            raise ValueError(
                f"inputs: expected as many images as questions, got {images.shape[0]} and {ids.shape[0]}"
            )
        cells = self.encode_image(images)  # (B, N, d): keys and values
        T = ids.shape[1]
        words = self.word_embed(ids) + self.word_position[:T]  # (B, T, d): queries
        keep = padding_mask_from_ids(ids, PAD) if mask_padding else None  # (B, 1, T)
        for block in self.blocks:
            words = block(words, cells, tgt_mask=keep)  # (B, T, d)
        last = (ids != PAD).sum(1) - 1  # (B,): the position of "?"
        answer_state = words[torch.arange(ids.shape[0]), last]  # (B, d)
        return self.head(self.norm(answer_state))  # (B, len(ANSWERS))


def initial_model(
    seed: int = 0, d_model: int = 32, num_heads: int = 2, d_ff: int = 64, num_layers: int = 2
) -> SceneQA:
    """The model that :func:`train_scene_qa` starts from, before any training step."""
    torch.manual_seed(seed)
    return SceneQA(d_model, num_heads, d_ff, num_layers)


@cached_training
def train_scene_qa(
    seed: int = 0,
    steps: int = 600,
    lr: float = 5e-3,
    d_model: int = 32,
    num_heads: int = 2,
    d_ff: int = 64,
    num_layers: int = 2,
    batch_size: int = 64,
) -> tuple[SceneQA, History]:
    """Train :class:`SceneQA` to answer questions about fresh random scenes (cross-entropy, Adam).

    One thread, deterministic for given arguments; returns the model in eval mode and the loss per step.
    """
    model = initial_model(seed, d_model, num_heads, d_ff, num_layers)
    history = fit(
        model,
        lambda generator: make_batch(generator, batch_size),  # type: ignore[arg-type,return-value]
        nn.functional.cross_entropy,
        seed=seed,
        steps=steps,
        lr=lr,
    )
    return model, history


def held_out_samples(num_samples: int = 2000, seed: int = 0) -> list[Sample]:
    """Scenes and questions drawn with a seed that no training run uses."""
    return sample_scenes(held_out_generator(seed), num_samples)


def _held_out_inputs(
    samples: Sequence[Sample], seed: int, shuffle_images: bool, pad_to: int | None
) -> tuple[Tensor, Tensor]:
    scenes = [s.scene for s in samples]
    if shuffle_images:
        scenes = scenes[1:] + scenes[:1]  # every question gets the next sample's picture
    images = render(scenes, noise=0.1, generator=held_out_generator(seed + 1))
    return images, encode_questions([s.question for s in samples], pad_to)


def evaluate(
    model: SceneQA,
    num_samples: int = 2000,
    seed: int = 0,
    *,
    shuffle_images: bool = False,
    pad_to: int | None = None,
    mask_padding: bool = True,
) -> float:
    """Fraction of held-out questions answered right.

    ``shuffle_images=True`` pairs each question with another scene's picture (a model that looks falls
    to about what the text alone allows); ``pad_to`` pads every question to that length, as a batch with a
    longer caption would; ``mask_padding=False`` then lets the words attend to the padding.
    """
    samples = held_out_samples(num_samples, seed)
    inputs = _held_out_inputs(samples, seed, shuffle_images, pad_to)
    with torch.no_grad(), one_thread():
        predicted = model.eval()(inputs, mask_padding=mask_padding).argmax(-1)  # (num_samples,)
    answers = torch.tensor([ANSWERS.index(s.answer) for s in samples])
    return float((predicted == answers).float().mean())


def text_prior_accuracy(num_samples: int = 2000, seed: int = 0) -> float:
    """The best accuracy on the held-out questions of any model that never looks at the picture.

    Such a model can only answer each question text with one fixed answer; its best choice is the most
    frequent answer to that text, estimated here on 50 000 other scenes of the same generator.
    """
    counts: dict[tuple[str, ...], dict[str, int]] = {}
    for s in sample_scenes(held_out_generator(seed + 2), 50_000):
        answers = counts.setdefault(s.question, {})
        answers[s.answer] = answers.get(s.answer, 0) + 1
    best = {q: max(a, key=lambda k: a[k]) for q, a in counts.items()}
    samples = held_out_samples(num_samples, seed)
    return sum(best.get(s.question) == s.answer for s in samples) / len(samples)


def cross_attention(
    model: SceneQA, scenes: Sequence[Scene], questions: Sequence[Sequence[str]], *, noise: float = 0.0
) -> tuple[Tensor, Tensor]:
    """The answer logits and the cross-attention of every word over the cells.

    Returns ``(logits (B, len(ANSWERS)), weights (num_layers, B, H, T, N))``: layer, scene, head, word,
    cell. Row ``t`` of a ``(T, N)`` slice sums to 1 over the ``N = GRID * GRID`` cells; reshape it to
    ``(GRID, GRID)`` to lay it over the picture. Rows of padding words are left in (they are not used).
    """
    if len(scenes) != len(questions):
        raise ValueError(f"questions: expected one per scene ({len(scenes)}), got {len(questions)}")
    images = render(scenes, noise=noise, generator=torch.Generator().manual_seed(0))
    ids = encode_questions(questions)
    model.eval()
    cross = [block.cross_attn for block in model.blocks]
    with torch.no_grad(), one_thread(), recording_attention(cross) as recorded:
        logits = model((images, ids))
    return logits, torch.stack(recorded)  # (B, A), (layers, B, H, T, N)


def grounding_accuracy(model: SceneQA, layer: int = 0, num_samples: int = 500, seed: int = 0) -> float:
    """How often the ``?`` word's cross-attention (mean over heads) peaks on the object asked about.

    Counted over held-out questions that refer to an object (all but ``is there ... ?`` answered no).
    """
    num_layers = len(model.blocks)
    if not -num_layers <= layer < num_layers:
        raise ValueError(f"layer: expected an index in [{-num_layers}, {num_layers}), got {layer}")
    samples = [s for s in held_out_samples(num_samples, seed) if s.target >= 0]
    _, weights = cross_attention(model, [s.scene for s in samples], [s.question for s in samples], noise=0.1)
    lengths = torch.tensor([len(s.question) for s in samples])
    rows = weights[layer].mean(1)[torch.arange(len(samples)), lengths - 1]  # (B, N): the "?" rows
    targets = torch.tensor([s.target for s in samples])
    return float((rows.argmax(-1) == targets).float().mean())


def plot_scene(ax: Axes, image: Tensor, weights: Tensor | None = None, *, annotate: bool = True) -> None:
    """Draw one picture ``(3, H, W)`` on ``ax``; with ``weights`` ``(N,)``, as a spotlight of attention.

    Each cell is dimmed in proportion to how much less weight it has than the most attended cell, so the
    cells a word reads stay bright; weights of at least 0.1 are written in their cell.
    """
    from matplotlib.patches import Rectangle  # matplotlib is needed for drawing only

    ax.imshow(image.clamp(0, 1).permute(1, 2, 0).numpy(), interpolation="nearest")
    if weights is not None:
        w = weights.reshape(GRID, GRID)
        shade = torch.zeros(GRID, GRID, 4)
        shade[..., 3] = 0.8 * (1 - w / w.max())  # black, transparent where the weight is largest
        ax.imshow(
            shade.numpy(),
            extent=(-0.5, GRID * PATCH - 0.5, GRID * PATCH - 0.5, -0.5),
            interpolation="nearest",
        )
        for cell in range(GRID * GRID):
            weight = float(w.flatten()[cell])
            if weight < 0.1:
                continue
            row, col = divmod(cell, GRID)
            ax.add_patch(  # a frame around every cell read with weight >= 0.1, even an empty one
                Rectangle(
                    (col * PATCH - 0.5, row * PATCH - 0.5),
                    PATCH,
                    PATCH,
                    fill=False,
                    edgecolor="white",
                    linewidth=1.5,
                    alpha=weight / float(w.max()),
                )
            )
            if annotate:
                ax.text(
                    col * PATCH + PATCH / 2 - 0.5,
                    row * PATCH + PATCH - 0.8,
                    f"{weight:.2f}",
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="white",
                )
    for k in range(1, GRID):  # the cell borders: one patch per cell
        ax.axhline(k * PATCH - 0.5, color="0.35", linewidth=0.6)
        ax.axvline(k * PATCH - 0.5, color="0.35", linewidth=0.6)
    ax.set_xticks([])
    ax.set_yticks([])
