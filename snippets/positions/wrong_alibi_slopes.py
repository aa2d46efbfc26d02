# ALiBi's slopes when the number of heads is not a power of two, and when
# the heads are split over devices. Shown as exponents: m = 2^e.
import torch

from attention_book import alibi_slopes

torch.manual_seed(0)


def exps(m: torch.Tensor) -> str:
    return " ".join(f"{e:.3g}" for e in m.log2().tolist())


H = 12
naive = 2.0 ** (-8 * torch.arange(1, H + 1) / H)  # the 8-head rule, n=12
print("naive:     ", exps(naive))
print("paper:     ", exps(alibi_slopes(H)))
assert torch.equal(alibi_slopes(H)[:8], alibi_slopes(8))

# Device 1 of two, with heads 6 .. 11: slice the 12 slopes, or recompute?
print("sliced:    ", exps(alibi_slopes(H)[6:]))  # right
print("recomputed:", exps(alibi_slopes(6)))  # wrong
