"""Deep stacks of encoder blocks, post-norm and pre-norm: gradients at initialisation, and warm-up.

Xiong et al. (2020), "On Layer Normalization in the Transformer Architecture", arXiv:2002.04745, show that
in a post-norm Transformer (``x = LayerNorm(x + Sublayer(x))``, Vaswani et al., 2017) the gradients at
initialisation are largest near the output, so that the first updates of a large learning rate are too
big: training needs a learning-rate **warm-up**, a few hundred or thousand steps in which the rate grows
from zero. A pre-norm stack (``x = x + Sublayer(LayerNorm(x))``) keeps an identity path from the loss to
every layer and trains without it.

This module gives both halves of that story at a size that runs in seconds:

* :func:`gradient_norms` measures, at initialisation, the norm of the gradient of every block's parameters
  in a stack of :class:`attention_book.EncoderBlock`;
* :func:`train_deep_stack` trains a 12-block encoder to reverse a sequence of digits, with Adam, a
  constant learning rate after an optional linear warm-up, and records the loss.

The model (:class:`DeepEncoder`) is token and learned position embeddings, ``num_layers`` encoder blocks,
a final LayerNorm when the blocks are pre-norm, and a linear read-out: ``(B, T) -> (B, T, VOCAB)``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._checks import check_positive_int, fmt_shape
from ..transformer import EncoderBlock
from ._cache import cached_training
from ._training import History, held_out_generator, one_thread

__all__ = [
    "LENGTH",
    "VOCAB",
    "DeepEncoder",
    "accuracy",
    "gradient_norms",
    "make_batch",
    "train_deep_stack",
]

VOCAB = 10  # digits
LENGTH = 8  # positions per sequence


class DeepEncoder(nn.Module):
    """Embeddings, ``num_layers`` :class:`attention_book.EncoderBlock` and a read-out.

    Args:
        num_layers: encoder blocks.
        norm_first: pre-norm blocks and a final LayerNorm if ``True``; post-norm blocks if ``False``.
        d_model: model width.
        num_heads: attention heads per block.
        d_ff: hidden width of the feed-forward networks.
        vocab: tokens (input and output).
        length: positions the position embedding covers.
        final_norm: the LayerNorm after the last block; default ``norm_first``. Pass ``False`` with
            ``norm_first=True`` to see what forgetting it does.
    """

    def __init__(
        self,
        num_layers: int,
        norm_first: bool,
        d_model: int = 32,
        num_heads: int = 4,
        d_ff: int = 64,
        vocab: int = VOCAB,
        length: int = LENGTH,
        *,
        final_norm: bool | None = None,
    ) -> None:
        super().__init__()
        check_positive_int("num_layers", num_layers)
        self.length = check_positive_int("length", length)
        self.token = nn.Embedding(check_positive_int("vocab", vocab), d_model)
        self.position = nn.Embedding(length, d_model)
        self.blocks = nn.ModuleList(
            EncoderBlock(d_model, num_heads, d_ff, norm_first=norm_first) for _ in range(num_layers)
        )
        use_final_norm = norm_first if final_norm is None else final_norm
        self.final_norm: nn.Module = nn.LayerNorm(d_model) if use_final_norm else nn.Identity()
        self.readout = nn.Linear(d_model, vocab)

    def forward(self, tokens: Tensor) -> Tensor:
        """``tokens (B, T)`` with ``T <= length`` -> logits ``(B, T, vocab)``."""
        if tokens.dim() != 2 or not 1 <= tokens.shape[1] <= self.length:
            raise ValueError(
                f"tokens: expected shape (batch, length <= {self.length}), got {fmt_shape(tokens.shape)}"
            )
        x = self.token(tokens) + self.position(torch.arange(tokens.shape[1], device=tokens.device))
        for block in self.blocks:
            x = block(x)  # (B, T, d_model)
        return self.readout(self.final_norm(x))


def make_batch(generator: torch.Generator, batch_size: int = 32) -> tuple[Tensor, Tensor]:
    """Random digits ``(B, LENGTH)`` and the target, the same digits reversed ``(B, LENGTH)``."""
    tokens = torch.randint(
        0, VOCAB, (check_positive_int("batch_size", batch_size), LENGTH), generator=generator
    )
    return tokens, tokens.flip(-1)


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())


def gradient_norms(
    num_layers: int = 18, norm_first: bool = False, *, seeds: int = 4, d_model: int = 64, num_heads: int = 4
) -> list[float]:
    """The norm of the gradient of each block's parameters at initialisation, block 1 first.

    A fresh :class:`DeepEncoder` (``d_ff = 4 d_model``) takes one batch of random digits and the loss of
    the reversal task; the gradient of all the parameters of block ``l`` is flattened into one vector and
    its Euclidean norm taken. The result is the root mean square over ``seeds`` initialisations and
    batches, which smooths the noise of a single draw.
    """
    check_positive_int("seeds", seeds)
    squares = torch.zeros(check_positive_int("num_layers", num_layers), dtype=torch.float64)
    with one_thread():
        for seed in range(seeds):
            torch.manual_seed(seed)
            model = DeepEncoder(num_layers, norm_first, d_model, num_heads, 4 * d_model)
            tokens, targets = make_batch(torch.Generator().manual_seed(seed + 1))
            _loss(model(tokens), targets).backward()
            for layer, block in enumerate(model.blocks):
                squares[layer] += sum(
                    float(p.grad.pow(2).sum()) for p in block.parameters() if p.grad is not None
                )
    return (squares / seeds).sqrt().tolist()


@cached_training
def train_deep_stack(
    norm_first: bool,
    warmup: int = 0,
    *,
    seed: int = 0,
    steps: int = 200,
    lr: float = 1e-2,
    num_layers: int = 12,
    batch_size: int = 32,
) -> tuple[DeepEncoder, History]:
    """Train a :class:`DeepEncoder` to reverse digits, with Adam at a constant ``lr`` after ``warmup`` steps.

    During the first ``warmup`` steps the learning rate grows linearly from ``lr / warmup`` to ``lr``
    (``warmup=0``: the full rate from the first step). Adam's betas are the paper's ``(0.9, 0.98)``. One
    thread, seeded, deterministic; returns the model in eval mode and the loss at every step.
    """
    steps = check_positive_int("steps", steps)
    if isinstance(warmup, bool) or not isinstance(warmup, int) or not 0 <= warmup <= steps:
        raise ValueError(f"warmup: expected an integer in [0, {steps}] (steps), got {warmup!r}")
    torch.manual_seed(seed)
    model = DeepEncoder(num_layers, norm_first)
    data = torch.Generator().manual_seed(seed + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) if warmup else 1.0
    )
    history = History()
    model.train()
    with one_thread():
        for _ in range(steps):
            tokens, targets = make_batch(data, batch_size)
            loss = _loss(model(tokens), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            history.losses.append(loss.item())
    model.eval()
    return model, history


@torch.no_grad()
def accuracy(model: DeepEncoder, num_sequences: int = 1000, seed: int = 0) -> float:
    """Fraction of held-out digits that ``model`` puts in the right (reversed) place."""
    tokens, targets = make_batch(held_out_generator(seed), num_sequences)
    with one_thread():
        return (model(tokens).argmax(-1) == targets).float().mean().item()
