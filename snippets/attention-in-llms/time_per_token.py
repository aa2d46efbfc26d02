# Time per generated token with and without the KV cache, on the tiny model,
# at three context lengths: the median of 20 decoding steps each.
# book: measured
# (Timings vary from machine to machine and from run to run.)
import statistics
import time

import torch

from attention_book.tasks import language_model as lm

torch.set_num_threads(1)  # one thread: steadier timings, and said out loud
model, _ = lm.train_language_model()
STEPS = 20


@torch.no_grad()
def ms_per_token(context: int, cache: str) -> float:
    text, _ = lm.held_out_text(1, context)  # (1, context) tokens
    if cache == "none":
        step = lambda t: model(torch.cat([text, t], dim=1))  # noqa: E731
    else:
        window = 32 if cache == "rolling" else None
        state = model.new_state(window, sinks=1 if window else 0)
        model(text, state=state)  # the prefill, not timed
        step = lambda t: model(t, state=state)  # noqa: E731
    times = []
    for _ in range(STEPS):
        start = time.perf_counter()
        step(text[:, -1:])  # one new token
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


for n in (64, 256, 1024):
    slow, fast = ms_per_token(n, "none"), ms_per_token(n, "full")
    speed_up = slow / fast
    times = f"no cache {slow:.2f} ms, KV cache {fast:.2f} ms"
    print(f"context {n}: {times}, speed-up {speed_up:.1f}x")
print(f"rolling cache, context 1024: {ms_per_token(1024, 'rolling'):.2f} ms")
print(f"tokens per second with the KV cache: {1000 / fast:.0f}")
