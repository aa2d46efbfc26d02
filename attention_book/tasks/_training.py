"""The training loop shared by the toy tasks: seeded, deterministic, a few seconds on a laptop CPU."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

Batch = tuple[Tensor, Tensor]


@dataclass
class History:
    """What happened during training: the loss at every step, and the step count."""

    losses: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return len(self.losses)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run PyTorch on one thread inside the block, and restore the previous setting after it.

    The tasks' tensors are tiny, so splitting an operation across cores costs more than it saves, and on a
    busy machine threads waiting for each other can make training many times slower. One thread also makes
    the floating-point sums, hence the trained model, the same on machines with any number of cores.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def fit(
    model: nn.Module,
    make_batch: Callable[[torch.Generator], Batch],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    *,
    seed: int,
    steps: int,
    lr: float,
) -> History:
    """Train ``model`` with Adam on fresh batches from ``make_batch``, on one thread, seeded by ``seed``.

    ``make_batch(generator)`` returns ``(inputs, targets)``; the loss is ``loss_fn(model(inputs), targets)``.
    The learning rate decays linearly to a tenth of ``lr`` over the run, which helps the last digits.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps: expected a positive integer, got {steps!r}")
    data = torch.Generator().manual_seed(seed + 1)  # the data stream; the weights use torch.manual_seed
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - 0.9 * step / steps)
    history = History()
    model.train()
    with one_thread():
        for _ in range(steps):
            inputs, targets = make_batch(data)
            loss = loss_fn(model(inputs), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            history.losses.append(loss.item())
    model.eval()
    return history


def held_out_generator(seed: int) -> torch.Generator:
    """A generator for evaluation data: a seed far from any training seed, so the data are new."""
    return torch.Generator().manual_seed(1_000_003 + seed)
