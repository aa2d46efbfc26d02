# Multiply-adds to generate n tokens, with and without a KV cache, for a
# model of Llama-2-7B's shape (32 layers of width 4096, FFN width 11008).
import torch
from torch.utils.flop_counter import FlopCounterMode

from attention_book.tasks import language_model as lm

layers, d, d_ff, n = 32, 4096, 11008, 4096
linear = 4 * d * d + 3 * d * d_ff  # per position: Q, K, V, O and the FFN


def step(t: int, cached: bool) -> int:
    """Multiply-adds of step t (the text has t positions)."""
    positions = 1 if cached else t  # with a cache, only the new position
    pairs = t if cached else t * (t + 1) // 2  # query-key pairs, causal
    return layers * (positions * linear + 2 * pairs * d)  # + scores, sum


without = sum(step(t, False) for t in range(1, n + 1))
with_cache = sum(step(t, True) for t in range(1, n + 1))
print(f"without cache: {without:.2e} multiply-adds")
print(f"with cache:    {with_cache:.2e} multiply-adds")
print(f"ratio: {without / with_cache:.0f}")

# The linear layers of the tiny model, counted by PyTorch: a step without
# the cache costs t times a step with it (the attention kernel is not
# counted by FlopCounterMode on the CPU).
model, t = lm.initial_model(), 100
tokens = torch.randint(0, lm.VOCAB, (1, t))
with torch.no_grad(), FlopCounterMode(display=False) as whole:
    model(tokens)
state = model.new_state()
with torch.no_grad():
    model(tokens[:, :-1], state=state)
    with FlopCounterMode(display=False) as one:
        model(tokens[:, -1:], state=state)
assert whole.get_total_flops() == t * one.get_total_flops()
print(
    f"tiny model, t = {t}: {whole.get_total_flops() // one.get_total_flops()}"
    " times the FLOPs of the linear layers"
)
